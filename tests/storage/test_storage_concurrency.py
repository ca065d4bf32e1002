"""Concurrency (issue 13, failure 6): SQLite in WAL mode with write sessions that take the
write lock at once (others wait up to the busy timeout, then a one-line "busy, retry");
compare-and-set row versions so that a concurrent edit is detected, never silently lost;
two `init` at once on an empty PostgreSQL database. Records are SYNTHETIC."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from homecoming.storage import Database, DatabaseBusyError
from homecoming.storage.database import ConcurrentChangeError
from homecoming.storage.repositories import Repositories, audit_records


def test_sqlite_uses_wal(filled):
    if filled.backend != "sqlite":
        pytest.skip("journal modes exist only in SQLite")
    with filled.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_a_concurrent_edit_is_detected_not_lost(filled, database_url):
    """A reads G-17 (plans its change), B changes G-17 and commits, A writes: A fails with
    ConcurrentChangeError (PostgreSQL) or B waits for A and gets 'busy' (SQLite, where a
    session holds the write lock); B's change survives and the audit names the true 'before'."""
    other = Database(database_url, busy_timeout=0.3)
    outcome: dict[str, object] = {}
    try:
        with pytest.raises((ConcurrentChangeError, DatabaseBusyError)) as info:
            with filled.session() as session:
                repos = Repositories(session)
                assert repos.graves.find("G-17").label == "17"        # A reads version 1

                def edit_by_b() -> None:
                    try:
                        with other.session() as s2:
                            Repositories(s2, user="SYNTHETIC b").graves.update(
                                "G-17", label="17-B")
                        outcome["b"] = "committed"
                    except DatabaseBusyError:
                        outcome["b"] = "busy"

                thread = threading.Thread(target=edit_by_b)
                thread.start()
                thread.join()
                repos.graves.update("G-17", label="17-A")             # A writes
                if filled.backend == "sqlite":
                    raise DatabaseBusyError("B had to wait: no lost update possible")
        if filled.backend == "postgresql":
            assert isinstance(info.value, ConcurrentChangeError)
            assert outcome["b"] == "committed"
            assert "changed by another command" in str(info.value)
            expected_label = "17-B"
        else:
            assert outcome["b"] == "busy"
            expected_label = "17"
        with filled.session() as session:
            assert Repositories(session).graves.get("G-17").label == expected_label
            updates = audit_records(session, table="graves", action="update")
            assert [(u.before["label"], u.after["label"]) for u in updates] == \
                ([("17", "17-B")] if expected_label == "17-B" else [])
            row_version = session.execute(text(
                "SELECT row_version FROM graves WHERE id = 'G-17'")).scalar_one()
            assert row_version == (2 if expected_label == "17-B" else 1)
    finally:
        other.dispose()


def test_two_updates_in_one_transaction_follow_the_version(filled):
    with filled.session() as session:
        graves = Repositories(session).graves
        graves.update("G-17", label="a")
        graves.update("G-17", label="b")
    with filled.session() as session:
        assert session.execute(text("SELECT row_version FROM graves")).scalar_one() == 3


def test_sqlite_writers_wait_for_each_other_instead_of_failing(tmp_path, records):
    """Four writers at once, each holding the lock 0.2 s: all succeed (they queue)."""
    url = f"sqlite:///{tmp_path / 'h.db'}"
    Database(url).upgrade()
    with Database(url).session() as session:
        Repositories(session).sites.add(records.site)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        db = Database(url, busy_timeout=30)
        try:
            with db.session() as session:
                repos = Repositories(session)
                repos.graves.count()                       # read first, then write
                time.sleep(0.2)
                repos.graves.add(records.grave.evolve(id=f"G-{n}"))
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            db.dispose()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert Database(url).counts()["graves"] == 4


@pytest.mark.postgres
def test_two_init_at_once_on_an_empty_postgresql_database(postgres_server):
    postgres_server.admin('CREATE DATABASE "init_race"')
    url = postgres_server.url("init_race")
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def init() -> None:
        db = Database(url)
        try:
            barrier.wait()
            db.upgrade()
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
        finally:
            db.dispose()

    try:
        threads = [threading.Thread(target=init) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        db = Database(url)
        assert db.is_current()
        db.dispose()
    finally:
        postgres_server.admin('DROP DATABASE "init_race" WITH (FORCE)')


def test_sqlite_stats_do_not_wait_for_a_long_import(tmp_path, records):
    """`stats` during an import: the reader sees the last committed state at once."""
    url = f"sqlite:///{tmp_path / 'h.db'}"
    Database(url).upgrade()
    writer = Database(url)
    reader = Database(url, busy_timeout=0.1)
    with writer.session() as session:             # holds the write lock (an import)
        Repositories(session).sites.add(records.site)
        started = time.monotonic()
        assert reader.counts()["sites"] == 0      # no "database is locked", no wait
        assert time.monotonic() - started < 5
    assert reader.counts()["sites"] == 1
    writer.dispose()
    reader.dispose()
