"""The DSP: an OpenRTB 2.6 bidder (`copilot dsp serve`) and the exchange replay that proves it on the
iPinYou log (`copilot dsp replay`).

    openrtb.py    the bid request and response models (the subset used; unknown fields ignored)
    targeting.py  which campaigns and creatives a request is eligible for
    strategy.py   a campaign's bid: the engine's strategies, bidfloor and max bid
    bidder.py     the worker's state: campaigns refreshed from the database, budget reservations,
                  bids held until their notice, notice tokens, per-minute counts
    app.py        the FastAPI app: bid, win, billing, loss and click endpoints
    replay.py     the exchange replay over loopback HTTP

Imports dmp/, store/ and engine/ only.
"""


class DspError(Exception):
    """A bad setting or request of the DSP, told in one line that says what to fix."""


__all__ = ["DspError"]
