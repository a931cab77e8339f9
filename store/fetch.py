"""`copilot data fetch`: the reference data sets from their original sources, each download checked
against the SHA-256 recorded here, laid out as in store/reference.py's SETS.

A download goes to a temporary file beside its target, is checked, transformed (compressed with xz,
or one member read out of a wheel) into another temporary file, and only then renamed into place:
a failed or mismatched download leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import lzma
import os
import shutil
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import IO, Literal

CHUNK = 1 << 16
DEFAULT_TIMEOUT = 60.0
DEFAULT_ATTEMPTS = 3


class FetchError(Exception):
    """A download that failed or did not match its checksum; the message is one line for the user."""


@dataclass(frozen=True)
class Download:
    """One file of a data set: where it comes from, the SHA-256 of the downloaded bytes, where it goes."""

    dataset: str
    url: str
    sha256: str
    target: str  # path under the data directory
    transform: Literal["copy", "xz"] = "copy"
    member: str | None = None  # the file inside a zip (wheel) download, if any


def _gh(repo: str, commit: str, path: str) -> str:
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


_BDS = ("TaddyLab/BDS", "1191b354a7b6e5dafd16de863eeb84267d693b9e")
_RLB = ("han-cai/rlb-dp", "1eeb9e475b7740567a4e6aa9813cb3700a1282bb")
_DEEPCTR = ("shenweichen/DeepCTR", "1b5fe40e158d1ee6af8b1d9df217a5ed5aea9136")
_LIFETIMES = (
    "https://files.pythonhosted.org/packages/c5/1f/ee6a471dcb5cb2f4dbc219023e07991f3b917875f9c8a5f5d77c00ddabca/"
    "Lifetimes-0.11.3-py3-none-any.whl"
)
_LIFETIMES_SHA = "261e3dc89977c2b60767ca6728aaa29d429de0c814635070a749c36555895da8"

# Each checksum was verified against the bytes of the original and found equal to the copy the
# project's figures were reproduced on.
MANIFEST: tuple[Download, ...] = (
    Download(
        "dominicks_oj",
        _gh(*_BDS, "examples/oj.csv"),
        "d56ca64f98c48e6a59de610caf70f58bd3ef18c64b49189fdb2649fbeeeb4de3",
        "dominicks_oj/oj.csv",
    ),
    Download(
        "paidsearch",
        _gh(*_BDS, "examples/paidsearch.csv"),
        "be996957e8ff0d19cb1f5975cc6338cc2c6808d7dde3e207daa8bccb7d9b33e4",
        "paidsearch/paidsearch.csv.xz",
        "xz",
    ),
    Download(
        "hillstrom",
        _gh("carlosquintanillaa/Datasets", "86100ca06e114803df9b691b3fe904cc36c350ea", "hillstrom.csv"),
        "ff9e59285e9dc3f5fa3e0975419e6631ea5bdccd65d818991473d2367e02979c",
        "hillstrom/hillstrom.csv.xz",
        "xz",
    ),
    Download(
        "ipinyou",
        _gh(*_RLB, "data/ipinyou-data/2997/info.json"),
        "8be0931d09dd90dcf989cc11c203c6a187dad5bb885019f9a707838ed6604ef0",
        "ipinyou/2997.info.json",
    ),
    Download(
        "ipinyou",
        _gh(*_RLB, "data/ipinyou-data/2997/test.theta.txt"),
        "1068befe0006f37affdc8b4b13ea6bcbcca28929233133fca309cebeafdfbde8",
        "ipinyou/2997.test.theta.txt.xz",
        "xz",
    ),
    Download(
        "ipinyou",
        _gh(*_RLB, "data/rlb-dp/bid-performance/ipinyou_N=1000_c0=0.03125_obj=clk_clkvp=1.txt"),
        "d27147001e6a404470efa5a7d8755afaf37fc5c2b5b80a23cbd28f90b0e407b9",
        "ipinyou/published_bid_performance_N1000_c0_1-32.txt",
    ),
    Download(
        "cdnow", _LIFETIMES, _LIFETIMES_SHA, "cdnow/CDNOW_master.txt.xz", "xz", "lifetimes/datasets/CDNOW_master.txt"
    ),
    Download(
        "cdnow",
        _LIFETIMES,
        _LIFETIMES_SHA,
        "cdnow/cdnow_customers_summary_with_transactions.csv",
        member="lifetimes/datasets/cdnow_customers_summary_with_transactions.csv",
    ),
    Download(
        "ctr_samples",
        _gh(*_DEEPCTR, "examples/criteo_sample.txt"),
        "08b84f12a22438fb534e989a5e4fa245726b2bda001983556bc2aea2f094f724",
        "ctr_samples/criteo_sample.txt",
    ),
    Download(
        "ctr_samples",
        _gh(*_DEEPCTR, "examples/avazu_sample.txt"),
        "43daa44dde764bf2c0dacf80002a73da4441088a53d40a3629094d3a2b1592f3",
        "ctr_samples/avazu_sample.txt",
    ),
    Download(
        "attribution",
        _gh(
            "DavideAltomare/ChannelAttribution",
            "3fa49d6c7c810a5c4e3dcbf04892c45e1cd9cf65",
            "python/src/cypack/data/Data.csv",
        ),
        "ebf235abf93a7fe0d1918a61ad30cfe39f4ef3fe2ed73784ced25b9120c3138d",
        "attribution/channelattribution_Data.csv",
    ),
    Download(
        "mmm",
        _gh("sibylhe/mmm_stan", "59132400bde1df9e394e63d2f4b37a565ac07a41", "data.csv"),
        "f690896bf40e622f77b6498ae3e182e4d48dd17bc1dee74fe811e8e3c0ce8696",
        "mmm/mmm_stan_weekly_retailer.csv",
    ),
)

# Data sets with no download here, and why.
NOT_FETCHED: dict[str, str] = {
    "online_retail": "part of the project (store/data); nothing to fetch",
    "retention": "typed from the tables of Fader and Hardie (2007); no file to download",
    "web_sessions": "its source (UCI ML Repository, id 468) has no checksum recorded here yet; the project carries a "
    "copy (store/data), which the traffic tools read",
    "rtb": "decoded from wnzhang/deep-ctr through its featindex, not a file to download",
}


def fetchable() -> list[str]:
    return list(dict.fromkeys(d.dataset for d in MANIFEST))


def with_base_url(base: str, manifest: Iterable[Download] = MANIFEST) -> tuple[Download, ...]:
    """The manifest with every URL's host and path replaced by `base` + the file's name (a mirror)."""
    return tuple(replace(d, url=f"{base.rstrip('/')}/{d.url.rsplit('/', 1)[-1]}") for d in manifest)


def manifest_from_env() -> tuple[Download, ...]:
    """MANIFEST, or its files under COPILOT_DATA_MIRROR (a folder URL holding them by name) if set."""
    base = os.environ.get("COPILOT_DATA_MIRROR")
    return with_base_url(base) if base else MANIFEST


Progress = Callable[[str, int, int | None], None]  # (label, bytes so far, total bytes or None)


def _download(url: str, into: Path, label: str, *, timeout: float, progress: Progress | None) -> str:
    """Stream `url` into the file `into`; the SHA-256 of its bytes. Retries connection faults and 5xx."""
    for attempt in range(1, DEFAULT_ATTEMPTS + 1):
        digest = hashlib.sha256()
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp, into.open("wb") as fh:
                total = int(resp.headers.get("Content-Length") or 0) or None
                done = 0
                while chunk := resp.read(CHUNK):
                    fh.write(chunk)
                    digest.update(chunk)
                    done += len(chunk)
                    if progress:
                        progress(label, done, total)
            return digest.hexdigest()
        except urllib.error.HTTPError as exc:
            if exc.code < 500 or attempt == DEFAULT_ATTEMPTS:
                raise FetchError(f"{label}: {url} answered HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            if attempt == DEFAULT_ATTEMPTS:
                reason = getattr(exc, "reason", exc)
                raise FetchError(f"{label}: cannot reach {url} ({reason})") from exc
        time.sleep(attempt)
    raise AssertionError("unreachable")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _open_source(d: Download, raw: Path, stack: contextlib.ExitStack) -> IO[bytes]:
    if d.member is None:
        return stack.enter_context(raw.open("rb"))
    archive = stack.enter_context(zipfile.ZipFile(raw))
    try:
        return stack.enter_context(archive.open(d.member))
    except KeyError as exc:
        raise FetchError(f"{d.dataset}: {d.url} has no {d.member}") from exc


def _write(d: Download, raw: Path, dest: Path) -> None:
    """Transform the checked download `raw` into d.target under `dest`, atomically."""
    target = dest / d.target
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(name)
    try:
        with contextlib.ExitStack() as stack:
            out = stack.enter_context(os.fdopen(fd, "wb"))
            src = _open_source(d, raw, stack)
            if d.transform == "xz":
                out = stack.enter_context(lzma.open(out, "wb", preset=9))  # type: ignore[arg-type]
            shutil.copyfileobj(src, out, CHUNK)
        tmp.chmod(0o666 & ~_umask())  # mkstemp makes it private; the data set is not
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def fetch(
    names: list[str] | None,
    dest: Path,
    *,
    manifest: Iterable[Download] | None = None,
    force: bool = False,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
    say: Callable[[str], None] | None = None,
) -> list[Path]:
    """Fetch the named data sets (all that can be fetched when `names` is empty) into `dest`; the
    files written. Files already in `dest` are kept unless `force`. Raises FetchError on the first
    failure, with nothing half-written left behind (files already completed stay)."""
    entries = tuple(manifest if manifest is not None else manifest_from_env())
    known = list(dict.fromkeys(d.dataset for d in entries))
    for n in names or []:
        if n in NOT_FETCHED:
            raise FetchError(f"{n} cannot be fetched: {NOT_FETCHED[n]}")
        if n not in known:
            raise FetchError(f"no data set {n!r} to fetch; the data sets are {', '.join(known)}")
    todo = [d for d in entries if not names or d.dataset in names]
    todo = [d for d in todo if force or not (dest / d.target).is_file()]
    written: list[Path] = []
    if not todo:
        return written
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=dest) as tmpdir:
        got: dict[str, Path] = {}  # url -> checked download (a wheel serves several files)
        for d in todo:
            raw = got.get(d.url)
            if raw is None:
                raw = Path(tmpdir) / f"{len(got)}.download"
                label = f"{d.dataset}: {d.url.rsplit('/', 1)[-1]}"
                digest = _download(d.url, raw, label, timeout=timeout, progress=progress)
                if digest != d.sha256:
                    raw.unlink(missing_ok=True)
                    raise FetchError(
                        f"{d.dataset}: checksum mismatch for {d.url} (sha256 {digest}, expected {d.sha256}); "
                        "the download was deleted"
                    )
                got[d.url] = raw
            _write(d, raw, dest)
            written.append(dest / d.target)
            if say:
                say(f"{d.dataset}: {d.target} ({(dest / d.target).stat().st_size:,} bytes, sha256 checked)")
    return written
