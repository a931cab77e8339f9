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

import re
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from dsp.openrtb import BidRequest, Imp

_SIZE = re.compile(r"^[1-9][0-9]{0,4}x[1-9][0-9]{0,4}$")


class Targeting(BaseModel):
    """The rules as stored (DspCampaign.targeting) and as the bidding specialist sets them."""

    model_config = ConfigDict(extra="forbid")

    regions: list[str] = Field(default_factory=list, max_length=1000)
    hours: list[int] = Field(default_factory=list, max_length=24)
    domains_allow: list[str] = Field(default_factory=list, max_length=10_000)
    domains_block: list[str] = Field(default_factory=list, max_length=10_000)
    sizes: list[str] = Field(default_factory=list, max_length=100)
    audiences: list[int] = Field(default_factory=list, max_length=100)

    @field_validator("hours")
    @classmethod
    def _hours(cls, v: list[int]) -> list[int]:
        bad = [h for h in v if not 0 <= h <= 23]
        if bad:
            raise ValueError(f"hours are 0 to 23, not {bad[0]}")
        return v

    @field_validator("sizes")
    @classmethod
    def _sizes(cls, v: list[str]) -> list[str]:
        bad = [s for s in v if not _SIZE.match(s)]
        if bad:
            raise ValueError(f"a size is WIDTHxHEIGHT, like 300x250, not {bad[0]!r}")
        return v

    @field_validator("domains_allow", "domains_block")
    @classmethod
    def _domains(cls, v: list[str]) -> list[str]:
        return [d.strip().lower() for d in v if d.strip()]


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
        if self.regions and req.region() not in self.regions:
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
