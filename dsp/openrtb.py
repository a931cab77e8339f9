"""The OpenRTB 2.6 subset the bidder reads and writes. Unknown fields are ignored, as the spec asks;
a field of the subset with the wrong type or an impossible value (a negative bidfloor) is refused."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

AUCTION_PRICE = "${AUCTION_PRICE}"
AUCTION_LOSS = "${AUCTION_LOSS}"


class _Open(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Format(_Open):
    w: int = Field(ge=0)
    h: int = Field(ge=0)


class Banner(_Open):
    w: int | None = Field(default=None, ge=0)
    h: int | None = Field(default=None, ge=0)
    format: list[Format] = Field(default_factory=list)

    def sizes(self) -> list[tuple[int, int]]:
        """The sizes the slot takes: its w x h, then its formats."""
        out = [(self.w, self.h)] if self.w and self.h else []
        return out + [(f.w, f.h) for f in self.format if (f.w, f.h) not in out]


_ID = r"^[^\x00-\x1f\x7f]+$"  # no control characters (notice tokens join the ids with one)


class Imp(_Open):
    id: str = Field(min_length=1, max_length=64, pattern=_ID)
    banner: Banner | None = None
    tagid: str | None = Field(default=None, max_length=256)
    bidfloor: float = Field(default=0.0, ge=0.0, allow_inf_nan=False)
    bidfloorcur: str = "USD"
    ext: dict[str, Any] | None = None

    def pctr(self) -> float | None:
        """The predicted CTR an exchange replay sends in `ext.pctr` (a number in [0, 1]), or None."""
        v = (self.ext or {}).get("pctr")
        if isinstance(v, int | float) and not isinstance(v, bool) and 0.0 <= v <= 1.0:
            return float(v)
        return None


class Publisher(_Open):
    id: str | None = None


class Site(_Open):
    id: str | None = None
    domain: str | None = Field(default=None, max_length=256)
    page: str | None = None


class App(_Open):
    id: str | None = None
    bundle: str | None = None
    domain: str | None = Field(default=None, max_length=256)


class Geo(_Open):
    country: str | None = None
    region: str | None = Field(default=None, max_length=64)
    city: str | None = Field(default=None, max_length=64)


class Device(_Open):
    ua: str | None = Field(default=None, max_length=2048)
    ip: str | None = None
    geo: Geo | None = None


class User(_Open):
    id: str | None = Field(default=None, max_length=128)


class BidRequest(_Open):
    id: str = Field(min_length=1, max_length=128, pattern=_ID)
    imp: list[Imp] = Field(min_length=1, max_length=64)
    site: Site | None = None
    app: App | None = None
    device: Device | None = None
    user: User | None = None
    at: int = Field(default=2, ge=1, le=3)
    tmax: int | None = Field(default=None, ge=1)
    bcat: list[str] = Field(default_factory=list)
    badv: list[str] = Field(default_factory=list)
    ext: dict[str, Any] | None = None

    @field_validator("imp")
    @classmethod
    def _unique_imps(cls, imps: list[Imp]) -> list[Imp]:
        if len({i.id for i in imps}) != len(imps):
            raise ValueError("imp ids must be unique within a request")
        return imps

    def domain(self) -> str | None:
        d = (self.site.domain if self.site else None) or (self.app.domain if self.app else None)
        return d.lower() if d else None

    def region(self) -> str | None:
        return self.device.geo.region if self.device and self.device.geo else None

    def user_id(self) -> str | None:
        return self.user.id if self.user else None


class Bid(BaseModel):
    id: str
    impid: str
    price: float
    adid: str | None = None
    crid: str
    adm: str | None = None
    adomain: list[str] | None = None
    w: int | None = None
    h: int | None = None
    nurl: str
    burl: str
    lurl: str


class SeatBid(BaseModel):
    bid: list[Bid]
    seat: str | None = None


class BidResponse(BaseModel):
    id: str
    seatbid: list[SeatBid]
    bidid: str | None = None
    cur: str = "USD"


__all__ = ["AUCTION_LOSS", "AUCTION_PRICE", "Banner", "Bid", "BidRequest", "BidResponse", "Imp", "SeatBid"]
