"""The web chat that `copilot serve` serves at /: one page of plain HTML, CSS and JavaScript in this
folder, with no build step and nothing from elsewhere. The page holds no data and needs no token; it
signs in with a token of `copilot token create` and calls the API (channels/api.py) with it, on channel
"web". It builds its DOM with textContent only, and a Content-Security-Policy that allows no inline
script and nothing from another origin stands behind that."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, HTTPException
from fastapi.responses import FileResponse

HERE = Path(__file__).resolve().parent
CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' blob: data:",  # charts are fetched with the token and shown as blob: URLs
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",  # a new version of the page is seen at the next load
}
_ASSETS = {
    "app.js": "text/javascript; charset=utf-8",
    "style.css": "text/css; charset=utf-8",
}

router = APIRouter(include_in_schema=False)


def _file(name: str, media_type: str) -> FileResponse:
    return FileResponse(HERE / name, media_type=media_type, headers=HEADERS)


@router.get("/")
def page() -> FileResponse:
    return _file("index.html", "text/html; charset=utf-8")


@router.get("/web/{name}")
def asset(name: str) -> FileResponse:
    if name not in _ASSETS:
        raise HTTPException(404, "Not Found")
    return _file(name, _ASSETS[name])


__all__ = ["CSP", "router"]
