"""The command line moved to channels/cli.py (a channel over the core, as the HTTP API is). This name
is kept so that `python -m copilot.cli` and scripts written before the move keep working."""

from channels.cli import app, main

__all__ = ["app", "main"]

if __name__ == "__main__":
    main()
