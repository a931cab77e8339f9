"""Pure numeric code: no LangChain, no database, nothing of ours imported.

Each function takes arrays or numbers, checks its inputs at the boundary and raises
`EngineError` (a `ValueError`) with a message that says what to fix.
"""


class EngineError(ValueError):
    """Bad input to a numeric function; the message says what to fix."""


__all__ = ["EngineError"]
