"""Where marketers talk to the copilot, each channel a thin adapter over the application core in
copilot/: the HTTP API (channels/api.py, `copilot serve`). Channels render and authorise; the core
answers, proposes and settles changes (copilot/app.py, copilot/approvals.py)."""
