"""A throwaway PostgreSQL server on loopback, for the tests and the service benchmark: Debian's
postgresql package (or any PostgreSQL whose `initdb` and `pg_ctl` are found), a fresh cluster in a
temporary folder, trust authentication on 127.0.0.1 and a free port, stopped and deleted on exit.

PostgreSQL refuses to run as root; as root, the cluster belongs to the `postgres` user the Debian
package creates, and its programs run as that user.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

_BIN_GLOBS = ("/usr/lib/postgresql/*/bin",)


class NoPostgres(RuntimeError):
    """No PostgreSQL programs on this machine (install Debian's `postgresql` package)."""


def bin_dir() -> Path:
    """The folder holding initdb and pg_ctl: PG_BIN, then PATH, then Debian's versioned folders."""
    candidates = [os.environ.get("PG_BIN", "")]
    which = shutil.which("pg_ctl")
    candidates.append(str(Path(which).resolve().parent) if which else "")
    candidates += sorted(glob.glob(_BIN_GLOBS[0]), key=lambda p: int(Path(p).parent.name), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").is_file() and (Path(c) / "pg_ctl").is_file():
            return Path(c)
    raise NoPostgres("no PostgreSQL server programs (initdb, pg_ctl): install Debian's postgresql package")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_owner(cmd: list[str]) -> list[str]:
    """`cmd` run as the `postgres` user when we are root (PostgreSQL will not run as root)."""
    if os.geteuid() != 0:
        return cmd
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise NoPostgres("running as root and there is no `postgres` user to own the server") from None
    return ["runuser", "-u", "postgres", "--", *cmd]


@contextlib.contextmanager
def local_postgres(max_connections: int = 200) -> Iterator[str]:
    """Start a fresh PostgreSQL cluster; yields its SQLAlchemy URL (the `postgres` database)."""
    bindir = bin_dir()
    root = Path(tempfile.mkdtemp(prefix="copilot-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        entry = pwd.getpwnam("postgres")
        os.chown(root, entry.pw_uid, entry.pw_gid)
    port = _free_port()
    log = root / "server.log"
    try:
        subprocess.run(
            _as_owner([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={root} "
            f"-c max_connections={max_connections} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c shared_buffers=64MB"
        )
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"]),
            check=True,
            capture_output=True,
            timeout=120,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        detail = log.read_text()[-2000:] if log.is_file() else ""
        shutil.rmtree(root, ignore_errors=True)
        out = getattr(exc, "stderr", b"") or b""
        raise NoPostgres(f"PostgreSQL did not start: {out.decode(errors='replace')[-500:]}{detail}") from exc
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_owner([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


def create_database(server_url: str, name: str, *, template: str | None = None) -> str:
    """CREATE DATABASE `name` on the server of `server_url` (from `template` if given); its URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from store.db import engine_url

    engine = create_engine(engine_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    finally:
        engine.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_database(server_url: str, name: str) -> None:
    """DROP DATABASE `name`, closing whatever is still connected to it."""
    from sqlalchemy import create_engine, text

    from store.db import engine_url

    engine = create_engine(engine_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()
