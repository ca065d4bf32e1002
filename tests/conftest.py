"""Suite-wide fixtures (and the Hypothesis profiles): a throw-away PostgreSQL server and a
per-test database URL.

``postgres_server`` (session scope) starts a real PostgreSQL on 127.0.0.1 in a temporary
folder, on a free port (each pytest-xdist worker gets its own server), and stops it at the
end. It needs the server binaries (initdb, pg_ctl): on PATH or in /usr/lib/postgresql/*/bin;
``scripts/ensure-postgres`` installs them (``make test`` runs it). Without them the fixture
FAILS with that advice: PostgreSQL is a supported backend and is tested, not skipped.

``postgres_url`` (session scope) is the URL of one database on that server,
``postgresql+psycopg://postgres@127.0.0.1:PORT/homecoming_session``.

``database_url`` is parametrised over ``sqlite`` and ``postgresql`` and gives an EMPTY database
per test (a new SQLite file; a new PostgreSQL database, dropped afterwards). The PostgreSQL
case carries the ``postgres`` marker (``-m "not postgres"`` leaves it out).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import settings

# Hypothesis profiles. "ci" (used by `make test`, hence by CI) is derandomized so that a clean
# run is reproducible and never red by chance; "explore" (the default for a bare `pytest`)
# draws new examples each run. Neither has a deadline: timings are for benchmarks.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HOMECOMING_HYPOTHESIS_PROFILE", "explore"))

_PG_HINT = ("PostgreSQL server binaries (initdb, pg_ctl) not found on PATH or in "
            "/usr/lib/postgresql/*/bin; install them with scripts/ensure-postgres "
            "(`make test` runs it)")


def _pg_bindir() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl", path=str(Path(found).parent)):
        return Path(found).parent

    def version(path: str) -> float:
        try:
            return float(Path(path).parts[-3])
        except ValueError:
            return 0.0

    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version)
    return Path(candidates[-1]).parent if candidates else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    """A running throw-away PostgreSQL server (trust authentication, loopback only)."""

    host: str
    port: int
    user: str = "postgres"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{database}"

    def admin(self, sql: str) -> None:
        """Run one statement in autocommit mode on the maintenance database."""
        import psycopg

        with psycopg.connect(host=self.host, port=self.port, user=self.user,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)


def _as_postgres(argv: list[str]) -> list[str]:
    """initdb and pg_ctl refuse to run as root: run them as the 'postgres' user then."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        runuser = shutil.which("runuser") or "/usr/sbin/runuser"
        return [runuser, "-u", "postgres", "--", *argv]
    return argv


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PostgresServer]:
    bindir = _pg_bindir()
    if bindir is None:
        pytest.fail(_PG_HINT, pytrace=False)
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.fail("psycopg is not installed; install Homecoming with the [postgres] extra",
                    pytrace=False)
    root = Path(tempfile.mkdtemp(prefix="homecoming-pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        import pwd

        try:
            entry = pwd.getpwnam("postgres")
        except KeyError:
            pytest.fail("running as root needs a 'postgres' system user to run the server; "
                        "scripts/ensure-postgres (the Debian package) creates it",
                        pytrace=False)
        os.chown(root, entry.pw_uid, entry.pw_gid)
    os.chmod(root, 0o700)
    env = {**os.environ, "LC_ALL": "C", "LANG": "C"}
    proc = subprocess.run(
        _as_postgres([str(bindir / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                      "-E", "UTF8", "--locale=C", "--no-sync"]),
        capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        pytest.fail(f"initdb failed: {proc.stderr.strip() or proc.stdout.strip()}",
                    pytrace=False)
    log = root / "server.log"
    server = None
    for _attempt in range(5):  # another process may take the free port first
        port = _free_port()
        options = f"-h 127.0.0.1 -p {port} -k {root} -F -c max_connections=50"
        start = subprocess.run(
            _as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o",
                          options, "-w", "-t", "60", "start"]),
            capture_output=True, text=True, env=env)
        if start.returncode == 0:
            server = PostgresServer("127.0.0.1", port)
            break
        time.sleep(0.2)
    if server is None:
        tail = log.read_text(errors="replace")[-800:] if log.exists() else ""
        pytest.fail(f"PostgreSQL did not start: {tail.strip()}", pytrace=False)
    try:
        yield server
    finally:
        subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                                     "-w", "stop"]), capture_output=True, env=env)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """URL of one database on the throw-away server, shared by the whole session (tests that
    need an empty database use ``database_url`` instead)."""
    postgres_server.admin('CREATE DATABASE "homecoming_session"')
    return postgres_server.url("homecoming_session")


_database_numbers = itertools.count(1)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database for this test, on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'homecoming.db'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    name = f"test_{os.getpid()}_{next(_database_numbers)}"
    server.admin(f'CREATE DATABASE "{name}"')
    try:
        yield server.url(name)
    finally:
        server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
