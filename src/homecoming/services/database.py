"""Open the database, create or upgrade its schema, count its records.

:func:`open_database` is how the command line (and the web application) get a
:class:`~homecoming.storage.Database`: it never creates anything for a command that only
reads (a mistyped SQLite path is an error naming ``homecoming init``, not a new empty file),
and an unreachable server is one :class:`DatabaseUnavailableError` line, not a driver
traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from homecoming.errors import HomecomingError

__all__ = ["DatabaseUnavailableError", "open_database", "init_database", "InitResult",
           "database_counts"]


class DatabaseUnavailableError(HomecomingError):
    """The database cannot be reached (server down, wrong host or credentials, no file)."""


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite URL (None for in-memory or non-SQLite URLs)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    name = parsed.database
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name).expanduser()


def open_database(url: str | None = None, *, create: bool = False,
                  require_current: bool = True) -> Any:
    """The :class:`~homecoming.storage.Database` at ``url`` (default:
    :func:`homecoming.settings.database_url`), checked to be reachable.

    :param create: the caller will create the schema (``init``, ``demo``): a missing SQLite
        file and its folders may be created. Otherwise a missing SQLite file is an error
        (``run homecoming init``) and nothing is created.
    :param require_current: also require the newest schema
        (:class:`~homecoming.storage.DatabaseNotReadyError` otherwise).
    :raises DatabaseUnavailableError: the server cannot be reached or the URL is malformed.
    """
    from sqlalchemy import exc as sa_exc

    from homecoming import settings
    from homecoming.storage import Database, DatabaseNotReadyError, mask_url

    url = url or settings.database_url()
    try:
        path = _sqlite_file(url)
    except sa_exc.ArgumentError:
        raise DatabaseUnavailableError(f"database URL {mask_url(url)!r} is not valid; expected "
                                       "an SQLAlchemy URL such as sqlite:///path/homecoming.db "
                                       "or postgresql+psycopg://user@host/db") from None
    if path is not None and not create and not path.exists():
        raise DatabaseNotReadyError(f"database file {path} does not exist; run `homecoming "
                                    "init` first (or check --database / "
                                    f"{settings.DATABASE_URL_ENV})")
    try:
        db = Database(url)
        if require_current and not create:
            db.require_current()
        else:
            db.current_revision()   # connect once: an unreachable server fails here
    except sa_exc.NoSuchModuleError as exc:
        raise DatabaseUnavailableError(f"database URL {mask_url(url)!r}: no driver for it "
                                       f"({exc}); expected sqlite or postgresql+psycopg"
                                       ) from None
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else \
            type(exc).__name__
        raise DatabaseUnavailableError(f"database {mask_url(url)} cannot be reached ({reason}); "
                                       "expected a running server and a correct --database "
                                       "URL") from None
    return db


@dataclass(frozen=True)
class InitResult:
    """What ``init`` did: the schema revision before (None: no schema) and after."""

    database: str
    before: str | None
    after: str | None

    @property
    def state(self) -> str:
        if self.before == self.after:
            return f"is up to date (schema revision {self.after})"
        if self.before is None:
            return f"created (schema revision {self.after})"
        return f"upgraded from schema revision {self.before} to {self.after}"


def init_database(url: str | None = None, *, actor: str | None = None) -> InitResult:
    """Create the database, or upgrade it to the newest schema (safe to run again)."""
    db = open_database(url, create=True)
    before = db.current_revision()
    if before is not None and before == db.head_revision():
        from homecoming.services._common import _authorize

        with db.session() as session:
            _authorize(session, "database.admin", actor)
    db.upgrade()
    return InitResult(db.masked_url, before, db.current_revision())


def database_counts(db: Any, *, actor: str | None = None) -> dict[str, int]:
    """Number of records per kind (``Database.counts``; the schema must be current)."""
    from homecoming.services._common import _authorize

    with db.session() as session:
        _authorize(session, "stats.view", actor)
    return dict(db.counts())
