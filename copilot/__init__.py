"""Marketing Copilot: the shell (settings, database, chat models, CLI, decision log)."""

__version__ = "0.1.0"


class CopilotError(Exception):
    """An error shown to the user as one line; the message says what to fix. The CLI exits 1 on it
    (2 is left for bugs)."""


class SettingsError(CopilotError):
    """A setting (environment or settings file) has a value the copilot cannot use. `db_url`: the
    shop's database when its own setting is sound (where the failed request can still be logged)."""

    db_url: str | None = None


class ModelError(CopilotError):
    """The chat model's endpoint failed: down or failing after the retries, refusing the request,
    or sending a reply that is not a chat completion."""


class StorageError(CopilotError):
    """A file of the copilot (the shop's database, the checkpoints, the catalog) cannot be read or
    written: corrupt, not writable, or the disk is full."""


__all__ = ["CopilotError", "ModelError", "SettingsError", "StorageError", "__version__"]
