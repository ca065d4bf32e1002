"""What keeps the web pages fast (issue 12, "Speed") without changing what they show:

- the record lists' in-memory index (order, search texts, filter values) follows every
  audited change of the table (add, rename, delete), on SQLite and PostgreSQL;
- read-first sessions (services.web_transactions): a page that only reads does not wait for
  a writer holding the SQLite write lock; a read-first transaction that writes after another
  connection committed is refused with nothing written, and run again with the lock it writes
  once;
- a signed-in session's idle expiry is written at most once a minute.

No timing is asserted beyond "did not wait for the busy timeout" (benchmarks/bench_web.py
measures the speed).
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import func, select, text

from homecoming.casework import MissingPerson, Sex
from homecoming.services import accounts, web_auth, web_queries
from homecoming.services.web_queries import list_records
from homecoming.services.web_transactions import NeedsWriteLock, RequestDatabase, run_read_first
from homecoming.storage import Database
from homecoming.storage import tables as t
from homecoming.storage.repositories import Repositories
from homecoming.storage.tables_web import web_sessions

DAY = dt.date(2023, 5, 4)
#: SYNTHETIC surnames in Ukrainian alphabetical order (є after е, і and ї after и, ґ after г)
ORDERED = ["Гнатюк", "Ґудзь", "Евенко", "Єрмак", "Иванів", "Ігнатенко", "Їжак", "Коваль"]


def _person(key: str, surname: str) -> MissingPerson:
    return MissingPerson(id=key, surname=surname, given_name="Олена", reported_by="SYNTHETIC",
                         reported_on=DAY, notes="SYNTHETIC: web speed tests")


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


def _surnames(db: Database, **kw) -> list[str]:
    with db.session() as session:
        return [r["surname"] for r in list_records(session, "missing-persons", **kw).rows]


def test_list_index_follows_every_change(db, monkeypatch):
    with db.session() as session:
        Repositories(session, user="web-tests").missing_persons.add_all(
            [_person(f"SYN-T-{i}", name) for i, name in enumerate(reversed(ORDERED))])
    assert _surnames(db) == ORDERED
    assert _surnames(db, page=2, page_size=3) == ORDERED[3:6]
    with db.session() as session:  # the page's total and filter values come along
        result = list_records(session, "missing-persons", page_size=3)
        assert (result.total, result.pages) == (8, 3)
        assert result.filter_options["sex"] == ["unknown"]
    # a rename moves the person; an addition and a deletion show at once (read from the
    # audit trail: only the changed records are read again, never the whole table)
    read_all = web_queries._read_index
    monkeypatch.setattr(web_queries, "_read_index", None)
    with db.session() as session:
        repos = Repositories(session, user="web-tests")
        repos.missing_persons.update("SYN-T-0", surname="Абрамчук")  # was Коваль
        repos.missing_persons.add(_person("SYN-T-9", "Яковенко"))
        repos.missing_persons.delete("SYN-T-7")  # Гнатюк
    assert _surnames(db) == ["Абрамчук", *ORDERED[1:-1], "Яковенко"]
    with db.session() as session:  # the same as reading the whole table
        spec = web_queries.KINDS["missing-persons"]
        kept = web_queries._list_index(session, spec)
        fresh = read_all(session, spec, kept.state)
    assert (kept.keys, kept.texts, dict(kept.options)) == \
        (fresh.keys, fresh.texts, dict(fresh.options))


def test_search_is_case_insensitive_in_cyrillic_and_combines_with_filters(db):
    with db.session() as session:
        Repositories(session, user="web-tests").missing_persons.add_all([
            _person("SYN-S-1", "КОВАЛЬЧУК"), _person("SYN-S-2", "Коваль"),
            _person("SYN-S-3", "Шевченко"),
            _person("SYN-S-4", "Ковалишин").model_copy(update={"sex": Sex.FEMALE})])
    assert _surnames(db, search="коваль") == ["Коваль", "КОВАЛЬЧУК"]
    assert _surnames(db, search="ВАЛИ") == ["Ковалишин"]
    assert _surnames(db, search="кова") == ["Ковалишин", "Коваль", "КОВАЛЬЧУК"]  # и before ь
    assert _surnames(db, search="кова", filters={"sex": "female"}) == ["Ковалишин"]
    assert _surnames(db, search="syn-s-3") == ["Шевченко"]  # the key is searched too
    assert _surnames(db, search="Петренко") == []


@pytest.fixture
def sqlite_db(tmp_path):
    database = Database(f"sqlite:///{tmp_path / 'speed.db'}", busy_timeout=30)
    database.upgrade()
    yield database
    database.dispose()


def test_a_page_that_only_reads_does_not_wait_for_a_writer(sqlite_db):
    with sqlite_db.session() as session:
        Repositories(session, user="web-tests").missing_persons.add(_person("SYN-R-1", "Їжак"))
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with sqlite_db.session() as session:  # BEGIN IMMEDIATE: holds the write lock
            session.execute(text("UPDATE missing_persons SET notes = 'SYNTHETIC: held'"))
            holding.set()
            release.wait(20)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        started = time.monotonic()
        page = RequestDatabase(sqlite_db)
        with page.session() as session:
            rows = list_records(session, "missing-persons").rows
        waited = time.monotonic() - started
        assert [r["surname"] for r in rows] == ["Їжак"]
        assert waited < 10  # the writer holds the lock for up to 20 s (busy timeout 30 s)
        assert page.read_first  # it wrote nothing
    finally:
        release.set()
        thread.join()


def _keys(db: Database) -> list[str]:
    with db.engine.connect() as connection:
        return sorted(connection.execute(select(t.missing_persons.c.id)).scalars())


def _add(session, key: str) -> None:
    Repositories(session, user="web-tests").missing_persons.add(_person(key, "Коваль"))


def test_a_read_first_write_after_another_commit_is_refused_then_run_with_the_lock(sqlite_db):
    page = RequestDatabase(sqlite_db)
    with pytest.raises(NeedsWriteLock):
        with page.session() as session:
            session.execute(select(func.count()).select_from(t.missing_persons)).scalar_one()
            with sqlite_db.session() as other:  # commits after this transaction read
                _add(other, "SYN-W-1")
            _add(session, "SYN-W-2")
    assert _keys(sqlite_db) == ["SYN-W-1"]  # nothing of the refused transaction

    page = RequestDatabase(sqlite_db)
    attempts = []

    def action() -> int:
        attempts.append(page.read_first)
        with page.session() as session:
            seen = int(session.execute(select(func.count())
                                       .select_from(t.missing_persons)).scalar_one())
            if len(attempts) == 1:
                with sqlite_db.session() as other:
                    _add(other, "SYN-W-3")
            _add(session, f"SYN-W-{10 + seen}")
        return seen

    assert run_read_first(page, action) == 2  # the second run read W-1 and W-3
    assert attempts == [True, False]
    assert _keys(sqlite_db) == ["SYN-W-1", "SYN-W-12", "SYN-W-3"]
    # once a read-first session has written, later sessions of the request take the lock
    later = RequestDatabase(sqlite_db)
    with later.session() as session:
        session.execute(text("UPDATE missing_persons SET notes = 'SYNTHETIC: read-first'"))
    assert not later.read_first


def test_session_expiry_is_written_at_most_once_a_minute(sqlite_db):
    with sqlite_db.session() as session:
        accounts.add_user(session, "syn-admin", ["admin"], actor="syn-admin")
    start = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)
    with sqlite_db.session() as session:
        token, opened = web_auth.open_session(session, "syn-admin", now=start)

    def resume(seconds: float) -> tuple[bool, dt.datetime]:
        page = RequestDatabase(sqlite_db)
        with page.session() as session:
            live = web_auth.resume_session(session, token,
                                           now=start + dt.timedelta(seconds=seconds))
        assert live is not None
        with sqlite_db.engine.connect() as connection:
            stored = connection.execute(select(web_sessions.c.expires_at)).scalar_one()
        return not page.read_first, stored.replace(tzinfo=dt.UTC)

    assert resume(30) == (False, opened.expires_at)  # read only
    assert resume(59) == (False, opened.expires_at)
    wrote, expires = resume(61)
    assert wrote and expires == start + dt.timedelta(seconds=61) + dt.timedelta(hours=1)
    assert resume(100) == (False, expires)
