"""`copilot data fetch` against a server we start on 127.0.0.1: a good checksum lands the file, a bad
one leaves nothing; and the manifest itself is well formed."""

from __future__ import annotations

import hashlib
import http.server
import json
import lzma
import os
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import pytest

from store import fetch, reference
from store.fetch import Download, FetchError

BODY = b"date,dma,revenue\n2012-04-01,500,10.5\n2012-04-02,500,11.0\n" * 50


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A folder served over HTTP on loopback: (base URL, folder)."""
    root = tmp_path / "served"
    root.mkdir()
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root
    finally:
        httpd.shutdown()
        httpd.server_close()


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def test_a_good_checksum_lands_the_file_compressed(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    (root / "small.csv").write_bytes(BODY)
    dest = tmp_path / "data"
    d = Download("demo", f"{base}/small.csv", hashlib.sha256(BODY).hexdigest(), "demo/small.csv.xz", "xz")
    seen: list[tuple[int, int | None]] = []
    written = fetch.fetch(["demo"], dest, manifest=[d], progress=lambda _label, n, total: seen.append((n, total)))
    assert written == [dest / "demo" / "small.csv.xz"]
    assert lzma.decompress(written[0].read_bytes()) == BODY
    assert _files(dest) == ["demo/small.csv.xz"]  # no temporary file left
    assert seen[-1] == (len(BODY), len(BODY))
    assert fetch.fetch(["demo"], dest, manifest=[d]) == []  # already there: nothing downloaded


def test_a_bad_checksum_leaves_nothing(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    (root / "small.csv").write_bytes(BODY)
    dest = tmp_path / "data"
    d = Download("demo", f"{base}/small.csv", "0" * 64, "demo/small.csv")
    with pytest.raises(FetchError, match=r"^demo: checksum mismatch .*the download was deleted$") as exc:
        fetch.fetch(None, dest, manifest=[d])
    assert "\n" not in str(exc.value)
    assert _files(dest) == [] and not (dest / "demo" / "small.csv").exists()


def test_a_failed_download_keeps_what_was_there(server: tuple[str, Path], tmp_path: Path) -> None:
    base, _root = server
    dest = tmp_path / "data"
    (dest / "demo").mkdir(parents=True)
    (dest / "demo" / "small.csv").write_bytes(b"the old copy")
    d = Download("demo", f"{base}/nosuch.csv", "0" * 64, "demo/small.csv")
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch.fetch(["demo"], dest, manifest=[d], force=True)
    assert (dest / "demo" / "small.csv").read_bytes() == b"the old copy"
    assert _files(dest) == ["demo/small.csv"]


def test_a_wheel_is_downloaded_once_for_its_members(server: tuple[str, Path], tmp_path: Path) -> None:
    base, root = server
    wheel = root / "pkg-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        zf.writestr("pkg/data/a.txt", BODY)
        zf.writestr("pkg/data/b.csv", b"x,y\n1,2\n")
    sha = hashlib.sha256(wheel.read_bytes()).hexdigest()
    url = f"{base}/{wheel.name}"
    manifest = [
        Download("pkg", url, sha, "pkg/a.txt.xz", "xz", "pkg/data/a.txt"),
        Download("pkg", url, sha, "pkg/b.csv", member="pkg/data/b.csv"),
    ]
    labels: set[str] = set()
    fetch.fetch(["pkg"], tmp_path / "data", manifest=manifest, progress=lambda label, *_: labels.add(label))
    assert len(labels) == 1  # one download
    assert lzma.decompress((tmp_path / "data" / "pkg" / "a.txt.xz").read_bytes()) == BODY
    assert (tmp_path / "data" / "pkg" / "b.csv").read_bytes() == b"x,y\n1,2\n"


def test_unknown_and_unfetchable_names_are_one_line() -> None:
    with pytest.raises(FetchError, match=r"no data set 'nosuch' to fetch; the data sets are .*paidsearch"):
        fetch.fetch(["nosuch"], Path("unused"))
    with pytest.raises(FetchError, match="retention cannot be fetched"):
        fetch.fetch(["retention"], Path("unused"))


def test_the_manifest_is_pinned_and_covers_the_sets() -> None:
    for d in fetch.MANIFEST:
        assert d.dataset in reference.SETS and d.target in reference.SETS[d.dataset].files, d
        assert re.fullmatch(r"[0-9a-f]{64}", d.sha256), d
        assert re.match(r"https://raw\.githubusercontent\.com/[\w.-]+/[\w.-]+/[0-9a-f]{40}/", d.url) or (
            d.url.startswith("https://files.pythonhosted.org/") and d.member
        ), d
        assert d.target.endswith(".xz") == (d.transform == "xz"), d
    targets = [d.target for d in fetch.MANIFEST]
    assert len(targets) == len(set(targets))
    for name, ds in reference.SETS.items():  # every set is fetched whole, or said why not
        assert name in fetch.NOT_FETCHED or set(ds.files) <= set(targets), name


def test_a_mirror_replaces_the_hosts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COPILOT_DATA_MIRROR", "http://127.0.0.1:1/m/")
    urls = {d.url for d in fetch.manifest_from_env()}
    assert "http://127.0.0.1:1/m/oj.csv" in urls and "http://127.0.0.1:1/m/paidsearch.csv" in urls


def _cli(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "COPILOT_HOME": str(home), "COLUMNS": "200", **env}
    environ.pop("COPILOT_DATA_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "channels.cli", *args], capture_output=True, text=True, env=environ, timeout=120
    )


def test_fetch_command_checks_and_lists(server: tuple[str, Path], tmp_path: Path) -> None:
    """The command against a mirror on loopback: a wrong file is refused in one line and leaves
    nothing; the original bytes (the shared copy, when there is one) land and `data list` finds them."""
    base, root = server
    home = tmp_path / "home"
    (root / "oj.csv").write_bytes(b"not the orange juice data\n")
    p = _cli(home, "data", "fetch", "dominicks_oj", COPILOT_DATA_MIRROR=base)
    assert p.returncode == 1 and p.stderr.strip().count("\n") == 0, p.stderr
    assert "dominicks_oj: checksum mismatch" in p.stderr and "deleted" in p.stderr
    assert not (home / "data").exists() or _files(home / "data") == []
    shared = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "dominicks_oj" / "oj.csv"
    if not shared.is_file():
        return
    (root / "oj.csv").write_bytes(shared.read_bytes())
    p = _cli(home, "data", "fetch", "dominicks_oj", COPILOT_DATA_MIRROR=base)
    assert p.returncode == 0, p.stderr
    assert (home / "data" / "dominicks_oj" / "oj.csv").read_bytes() == shared.read_bytes()
    p = _cli(home, "data", "list", "--json")
    assert p.returncode == 0, p.stderr
    rows = {r["name"]: r for r in map(json.loads, p.stdout.splitlines())}
    assert rows["dominicks_oj"]["found"] == "$COPILOT_HOME/data" and rows["dominicks_oj"]["bytes"] == 999738
    assert rows["retention"]["get"].startswith("no download")
