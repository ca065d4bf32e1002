"""Read-first transactions of the web application: a page that only reads takes no lock.

On SQLite, :meth:`homecoming.storage.Database.session` begins ``IMMEDIATE``: it holds the
database's one write lock from its first statement to its commit, so that concurrent writers
queue instead of failing. For the web application that would make every page wait for every
other page. A **read-first** session (:meth:`RequestDatabase.session` of a read-first request)
begins ``DEFERRED`` instead: its reads take no lock (WAL mode: readers never wait for a
writer). If it writes (the audit of personal data shown, a session's renewed expiry), SQLite
turns it into a write transaction at the first write, and grants that only if no other
connection has committed since the transaction's first read — so what the request read is
still current and the outcome is the same as with the lock held from the start. Otherwise
(another writer came first) the write fails at once with SQLITE_BUSY, which becomes
:class:`NeedsWriteLock`: nothing of that transaction is kept, and the caller runs the request
again with write sessions (``BEGIN IMMEDIATE``) from the start (:func:`run_read_first`).

Once a read-first session of a request has written and committed, the later sessions of the
same request take the write lock at once, so a run again never repeats a committed write.
On PostgreSQL (row locks, no database-wide write lock) every session is an ordinary one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from homecoming.storage import Database
from homecoming.storage.database import translate_errors

__all__ = ["NeedsWriteLock", "RequestDatabase", "run_read_first"]

T = TypeVar("T")

_OPTION = "homecoming_read_first"
_SQLITE_BUSY = 5


class NeedsWriteLock(Exception):
    """A read-first transaction could not become a write transaction (another connection
    committed since its first read, or holds the write lock): run it again with the lock."""


def _on_error(context: Any) -> BaseException | None:
    connection = context.connection
    if connection is None or not connection.get_execution_options().get(_OPTION):
        return None
    original = context.original_exception
    code = getattr(original, "sqlite_errorcode", None)
    if (code is not None and code & 0xFF == _SQLITE_BUSY) or "locked" in str(original):
        return NeedsWriteLock("read-first transaction lost the race for the write lock")
    return None


def _read_engine(db: Database) -> Engine:
    """``db``'s engine with DEFERRED transactions and the busy error mapped (made once)."""
    engine = db.__dict__.get("_read_first_engine")
    if engine is None:
        engine = db.engine.execution_options(**{_OPTION: True, "homecoming_begin": "DEFERRED"})
        event.listen(engine, "handle_error", _on_error)
        db.__dict__["_read_first_engine"] = engine
    return engine


class RequestDatabase:
    """The database as one request sees it: :meth:`session` is read-first while
    :attr:`read_first` is true (SQLite only), an ordinary write session otherwise; every
    other attribute is the :class:`~homecoming.storage.Database`'s."""

    def __init__(self, db: Database, *, read_first: bool = True) -> None:
        self.database = db
        self.read_first = bool(read_first) and db.backend == "sqlite"

    def __getattr__(self, name: str) -> Any:
        return getattr(self.database, name)

    def __repr__(self) -> str:
        return f"RequestDatabase({self.database!r}, read_first={self.read_first})"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction (as :meth:`Database.session`); read-first: may raise
        :class:`NeedsWriteLock` at its first write, with nothing written."""
        if not self.read_first:
            with self.database.session() as session:
                yield session
            return
        with translate_errors(), Session(_read_engine(self.database),
                                         expire_on_commit=False) as session:
            with session.begin():
                raw = session.connection().connection.dbapi_connection
                before = getattr(raw, "total_changes", 0)
                yield session
                if getattr(raw, "total_changes", 0) != before:
                    self.read_first = False  # later sessions: the write lock from the start


def run_read_first(db: RequestDatabase, action: Callable[[], T]) -> T:
    """``action()`` with ``db`` read-first; if a transaction lost the race for the write
    lock, ``action()`` again with write sessions (``db.read_first`` off)."""
    try:
        return action()
    except NeedsWriteLock:
        db.read_first = False
        return action()
