"""Marketing Copilot: the shell (settings, database, chat models, CLI, decision log)."""

__version__ = "0.1.0"


class CopilotError(Exception):
    """An error shown to the user as one line; the message says what to fix."""


__all__ = ["CopilotError", "__version__"]
