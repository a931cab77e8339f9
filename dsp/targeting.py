"""Targeting rules of a DSP campaign and which (campaign, creative) pairs a request's impression is
eligible for. An empty or absent rule restricts nothing.

    regions        device.geo.region is one of these
    hours          the hour of the bidder's clock (UTC, 0-23) is one of these
    domains_allow  the site's or app's domain is one of these (or a subdomain of one)
    domains_block  ... is none of these
    sizes          the slot takes one of these sizes, "300x250"
    audiences      the user id is a member of one of these DMP audiences (customer lists for now)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dsp.openrtb import BidRequest, Imp
from store.dsp import Targeting


@dataclass(frozen=True)
class Rules:
    """Targeting compiled for the hot path: sets, and the audiences' members."""

    regions: frozenset[str]
    hours: frozenset[int]
    allow: tuple[str, ...]
    block: tuple[str, ...]
    sizes: frozenset[tuple[int, int]]
    audiences: tuple[frozenset[str], ...] | None  # None: no audience rule

    @classmethod
    def compile(cls, targeting: dict[str, Any], members: list[set[str]] | None = None) -> Rules:
        t = Targeting.model_validate(targeting or {})
        sizes = frozenset((int(w), int(h)) for w, h in (s.split("x") for s in t.sizes))
        return cls(
            frozenset(t.regions),
            frozenset(t.hours),
            tuple(t.domains_allow),
            tuple(t.domains_block),
            sizes,
            tuple(frozenset(m) for m in members or []) if t.audiences else None,
        )

    def request_passes(self, req: BidRequest, hour: int) -> bool:
        """The rules that depend on the request, not on the slot."""
        if self.regions and (req.region() or "").lower() not in self.regions:
            return False
        if self.hours and hour not in self.hours:
            return False
        domain = req.domain()
        if self.allow and (domain is None or not _under(domain, self.allow)):
            return False
        if self.block and domain is not None and _under(domain, self.block):
            return False
        if self.audiences is not None:
            uid = req.user_id()
            if uid is None or not any(uid in m for m in self.audiences):
                return False
        return True

    def slot_sizes(self, imp: Imp) -> list[tuple[int, int]] | None:
        """The sizes of the slot this campaign may fill (None: no banner, any creative size)."""
        if imp.banner is None:
            return None if not self.sizes else []
        sizes = imp.banner.sizes()
        return [s for s in sizes if not self.sizes or s in self.sizes] if sizes else None


def _under(domain: str, listed: tuple[str, ...]) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in listed)


def fitting(creatives: list[dict[str, Any]], sizes: list[tuple[int, int]] | None) -> list[dict[str, Any]]:
    """The creatives that fit the slot (all when the slot names no size)."""
    return list(creatives) if sizes is None else [c for c in creatives if (c["w"], c["h"]) in sizes]


def pick_creative(creatives: list[dict[str, Any]], sizes: list[tuple[int, int]] | None) -> dict[str, Any] | None:
    """The first creative that fits the slot."""
    fit = fitting(creatives, sizes)
    return fit[0] if fit else None


def blocked(creative: dict[str, Any], req: BidRequest) -> bool:
    """The creative's advertiser domain is in the request's badv."""
    return bool(creative.get("adomain")) and creative["adomain"].lower() in {b.lower() for b in req.badv}


__all__ = ["Rules", "Targeting", "blocked", "fitting", "pick_creative"]
