"""The shop's data: SQLAlchemy models, the order-line reader and cleaner (orders.py) that loads the
demo shop and a marketer's own orders (shop.py), and the decision log.

Imported by tools/ (reads and writes), graphs/ (the decision log) and copilot/ (start-up).
It imports nothing of ours but vectorstore/ and engine/ (the simulated delivery of the demo campaigns).
"""


class StoreError(Exception):
    """Bad data or a database problem, told in one line that says what to fix."""


__all__ = ["StoreError"]
