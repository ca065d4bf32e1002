"""Issue 13, Build 6 (and failure 6): kill -9 and concurrency, kept in the suite, on SQLite and
PostgreSQL, through real `homecoming` processes.

* kill -9: an import killed while its transaction is open (deterministically: the process
  says when its rows and audit entries are written but not committed) and at random moments;
  afterwards the database holds all or nothing of the file and `homecoming audit verify`
  passes (the chain is never left half-written);
* parallel imports: four `homecoming import` processes at once all succeed (SQLite writers
  queue; PostgreSQL serialises the audit chain), nothing is lost or duplicated and the chain
  is one unbroken chain;
* two `homecoming init` processes at once on an empty PostgreSQL database both succeed.

(Concurrent edits detected by compare-and-set: tests/storage/test_storage_concurrency.py.)
Records are SYNTHETIC."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from homecoming.services.audit import verify
from homecoming.services.imports import import_csv
from homecoming.storage import Database, tables

ROWS = 400


def _env(url: str) -> dict[str, str]:
    return {**os.environ, "HOMECOMING_DATABASE_URL": url, "HOMECOMING_USER": "SYNTHETIC clerk",
            "HOMECOMING_BUSY_TIMEOUT": "120"}


def _homecoming(*args: str, url: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "homecoming", *args], env=_env(url),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def _people(path: Path, prefix: str, n: int = ROWS) -> Path:
    lines = ["id,surname,given_name,reported_by,reported_on"]
    lines += [f"{prefix}-{i:05d},SYNTHETIC-Surname{i},Name{i},SYNTHETIC relative,2022-04-01"
              for i in range(n)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _count(db: Database, prefix: str) -> int:
    mp = tables.missing_persons
    with db.session() as s:
        return s.execute(select(func.count()).select_from(mp)
                         .where(mp.c.id.like(f"{prefix}-%"))).scalar_one()


def _verify_cli(url: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "homecoming", "audit", "verify"], env=_env(url),
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


#: a `homecoming import missing-persons` whose repository stops, rows and audit entries
#: written but not committed, says so and waits to be killed
_PAUSED_IMPORT = textwrap.dedent("""
    import sys, time
    from homecoming.storage.repositories import _base

    original = _base.Repository.add_all

    def add_all(self, records):
        n = original(self, records)
        self.session.flush()
        print("WRITTEN", n, flush=True)
        time.sleep(120)
        return n

    _base.Repository.add_all = add_all
    from homecoming.cli.main import main
    sys.exit(main(["import", "missing-persons", sys.argv[1]]))
""")


def test_kill_9_inside_the_transaction_leaves_nothing_and_the_chain_intact(db, tmp_path):
    url = db.url
    proc = subprocess.Popen([sys.executable, "-c", _PAUSED_IMPORT,
                             str(_people(tmp_path / "p.csv", "K"))], env=_env(url),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stdout.readline()
        assert line.split() == ["WRITTEN", str(ROWS)], line + proc.stderr.read()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    assert _count(db, "K") == 0
    with db.session() as s:
        result = verify(s)
        assert result.ok and result.entries == 0, result.problems
    after = _verify_cli(url)
    assert after.returncode == 0 and "intact" in after.stdout, after.stdout + after.stderr
    # the database is usable afterwards: the same file imports whole
    assert import_csv(db, "missing-persons", tmp_path / "p.csv").count == ROWS
    assert _count(db, "K") == ROWS


@pytest.mark.slow   # the probe's random kills; the deterministic kill above stays fast
def test_kill_9_at_random_moments_leaves_all_or_nothing(db, tmp_path):
    url = db.url
    rng = random.Random(13)
    stored = 0
    for attempt in range(3):
        path = _people(tmp_path / f"r{attempt}.csv", f"R{attempt}")
        proc = _homecoming("import", "missing-persons", str(path), url=url)
        time.sleep(rng.uniform(0.3, 2.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        n = _count(db, f"R{attempt}")
        assert n in (0, ROWS), (attempt, n)      # all or nothing of the transaction
        stored += n == ROWS
        check = _verify_cli(url)
        assert check.returncode == 0, check.stdout + check.stderr
    with db.session() as s:
        entries = verify(s).entries
    assert entries == stored * ROWS             # one audit entry per stored record, no more


def test_four_parallel_imports_lose_nothing_and_keep_one_chain(db, tmp_path):
    url = db.url
    procs = [_homecoming("import", "missing-persons",
                         str(_people(tmp_path / f"p{i}.csv", f"P{i}", 150)), url=url)
             for i in range(4)]
    outcomes = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outcomes, strict=True):
        assert p.returncode == 0, err
        assert out.startswith("Imported 150 missing persons"), out
        assert "Traceback" not in err
    assert [_count(db, f"P{i}") for i in range(4)] == [150] * 4
    with db.session() as s:
        result = verify(s)
        assert result.ok, result.problems[:3]
        assert result.entries == 600 and result.head_seq == 600
        seqs = s.execute(select(tables.audit_log.c.seq)).scalars().all()
    assert sorted(seqs) == list(range(1, 601))


@pytest.mark.postgres
def test_two_init_processes_at_once_on_an_empty_postgresql_database(postgres_server):
    postgres_server.admin('CREATE DATABASE "init_race_cli"')
    url = postgres_server.url("init_race_cli")
    try:
        procs = [_homecoming("init", url=url) for _ in range(2)]
        outcomes = [p.communicate(timeout=300) for p in procs]
        for p, (_out, err) in zip(procs, outcomes, strict=True):
            assert p.returncode == 0, err
            assert "Traceback" not in err
        db = Database(url)
        assert db.is_current()
        db.dispose()
    finally:
        postgres_server.admin('DROP DATABASE IF EXISTS "init_race_cli" WITH (FORCE)')
