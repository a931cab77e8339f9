"""The DMP: audiences of the shop's customers, kept in the shop's database.

- rules.py: an audience's rules (segment, lapsing risk, lifetime value, country, last order, products
  bought, e-mail uplift) evaluated as vectorised masks over a per-customer table (table.py) that the
  caller computes (tools/audiences.py, from the profiling figures);
- audiences.py: saved audiences, their materialised members and customers' consent;
- lookalike.py: a seed's look-alikes by standardised purchase behaviour (engine/lookalike.py);
- exports.py: upload files for Google Customer Match and Meta custom audiences (salted SHA-256) and
  plain CSV; opted-out customers never appear;
- lookup.py: membership for a bidder, loaded once (opted-out customers left out);
- files.py: an uploaded list of customer ids, or of consent, read with errors naming the bad line.

Imports store/ and engine/ only (tools -> dmp -> store -> engine). Errors are DmpError, one line
saying what to fix.
"""


class DmpError(ValueError):
    """A request the DMP cannot carry out (unknown audience, duplicate name, bad file line); the
    message says what to fix."""


__all__ = ["DmpError"]
