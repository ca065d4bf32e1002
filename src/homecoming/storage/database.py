"""The database: engine, migrations, one-transaction sessions, record counts.

``Database(url)`` works with any SQLAlchemy URL; Homecoming is tested on SQLite (the embedded
default) and PostgreSQL (``postgresql+psycopg://…``). The schema is managed only by Alembic
migrations shipped inside the package (``homecoming/storage/migrations``)::

    db = Database(settings.database_url())
    db.upgrade()                       # create or bring to the newest schema
    with db.session() as session:      # one transaction: commit on success, rollback on error
        repositories.SiteRepository(session).add(site)
    db.counts()                        # {"sites": 1, "graves": 0, ...}
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, func, inspect, select
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from homecoming.errors import HomecomingError
from homecoming.storage import tables

__all__ = ["Database", "DatabaseNotReadyError", "DatabaseError", "DatabaseBusyError",
           "ConcurrentChangeError",
           "MIGRATIONS", "mask_url", "database_error", "BUSY_TIMEOUT_ENV"]

#: folder of the Alembic environment and migration scripts (package data)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

#: ``counts()`` key -> table
COUNTED: dict[str, Any] = {
    "sites": tables.sites,
    "hazard_areas": tables.hazard_areas,
    "graves": tables.graves,
    "exhumations": tables.exhumations,
    "incidents": tables.incidents,
    "remains": tables.remains,
    "examinations": tables.examinations,
    "missing_persons": tables.missing_persons,
    "donors": tables.donors,
    "samples": tables.samples,
    "custody_events": tables.custody_events,
    "profiles": tables.profiles,
    "candidates": tables.candidates,
    "staff_profiles": tables.staff_profiles,
    "elimination_flags": tables.elimination_flags,
    "audit_records": tables.audit_log,
}


class DatabaseNotReadyError(HomecomingError):
    """The database has no schema yet, or an older one: run ``homecoming init``."""


#: seconds a command waits for a database another command is writing (default 300: long
#: imports hold the write lock for their whole transaction)
BUSY_TIMEOUT_ENV = "HOMECOMING_BUSY_TIMEOUT"
DEFAULT_BUSY_TIMEOUT = 300.0


def busy_timeout() -> float:
    """``HOMECOMING_BUSY_TIMEOUT`` in seconds, else 300."""
    raw = os.environ.get(BUSY_TIMEOUT_ENV, "").strip()
    if not raw:
        return DEFAULT_BUSY_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise DatabaseError(f"{BUSY_TIMEOUT_ENV}: {raw[:20]!r} is not valid; expected a number "
                            "of seconds") from None
    if not 0 <= value <= 86_400:
        raise DatabaseError(f"{BUSY_TIMEOUT_ENV}: {value} is not valid; expected 0 to 86400 "
                            "seconds")
    return value


class DatabaseError(HomecomingError):
    """The database refused or failed an operation. The message is one line naming the
    operation's kind and the database's reason; it never carries the SQL parameters (which
    hold genotypes, names, birth dates)."""


class DatabaseBusyError(DatabaseError):
    """Another command holds the database (a lock, a timeout, a serialisation conflict):
    nothing was written; run the command again."""


_QUOTED_TAIL = re.compile(r':\s*"[^"]*"\s*$')
_KEY_DETAIL = re.compile(r"\([^()]*\)=\([^()]*\)")
_BUSY_SQLSTATES = {"55P03", "40001", "40P01", "57014"}  # lock n/a, serialisation, deadlock,
#                                                           statement timeout


def safe_reason(orig: BaseException | None) -> str:
    """The first line of the driver's message with any quoted value taken out."""
    if orig is None:
        return ""
    text = (str(orig).strip().splitlines() or [""])[0]
    text = _KEY_DETAIL.sub("(…)=(…)", text)
    text = _QUOTED_TAIL.sub(": …", text)
    return "".join(c if c.isprintable() else "?" for c in text)[:200]


def _is_busy(exc: sa_exc.DBAPIError) -> bool:
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate in _BUSY_SQLSTATES:
        return True
    code = getattr(orig, "sqlite_errorcode", None)
    if code is not None and code & 0xFF in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED
        return True
    text = str(orig).lower()
    return isinstance(exc, sa_exc.OperationalError) and (
        "database is locked" in text or "database table is locked" in text)


def database_error(exc: BaseException) -> DatabaseError:
    """A :class:`DatabaseError` (one line, no SQL parameters) for a SQLAlchemy / driver error.

    Raise it ``from None``: the original's message and its chained driver error may quote
    the rows being written."""
    if isinstance(exc, DatabaseError):
        return exc
    if isinstance(exc, sa_exc.DBAPIError):
        if _is_busy(exc):
            return DatabaseBusyError(
                "database busy: another command is using it and the wait ran out "
                f"({safe_reason(exc.orig)}); nothing was written, retry")
        kind = type(exc.orig).__name__ if exc.orig is not None else type(exc).__name__
        return DatabaseError(f"database error ({kind}): {safe_reason(exc.orig)}; nothing was "
                             "written")
    return DatabaseError(f"database error ({type(exc).__name__})")


@contextmanager
def translate_errors() -> Iterator[None]:
    """Turn SQLAlchemy errors raised inside the block into :class:`DatabaseError`."""
    try:
        yield
    except sa_exc.SQLAlchemyError as exc:
        raise database_error(exc) from None


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (safe to print)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


#: the PostgreSQL advisory lock held while the schema is created or migrated
SCHEMA_LOCK = 0x486F6D66


class ConcurrentChangeError(DatabaseError):
    """A record changed by another command between this command's read and its write (its
    row version moved on): nothing was written; run the command again to see the change."""


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # SQLAlchemy issues BEGIN itself (see _sqlite_begin), so that write sessions can take the
    # write lock at once (BEGIN IMMEDIATE) and wait for it with the busy timeout, instead of
    # failing with "database is locked" when a read transaction later tries to write
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    try:
        # readers never wait for a writer, a writer never waits for readers (persistent)
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if str(mode).lower() not in ("wal", "memory"):
            cursor.execute("PRAGMA journal_mode = WAL")
    except Exception:  # pragma: no cover - another connection is changing the mode
        pass
    cursor.execute("PRAGMA synchronous = NORMAL")  # safe in WAL mode; durable at checkpoint
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    mode = connection.get_execution_options().get("homecoming_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


#: a file holding the PostgreSQL password (first line), so that it never appears in a URL,
#: a command line or the process list; libpq's own PGPASSFILE / ~/.pgpass work too
PASSWORD_FILE_ENV = "HOMECOMING_DATABASE_PASSWORD_FILE"


def _password_from_file() -> str | None:
    name = os.environ.get(PASSWORD_FILE_ENV, "").strip()
    if not name:
        return None
    path = Path(name).expanduser()
    try:
        info = path.stat()
        if os.name == "posix" and info.st_mode & 0o077:
            raise DatabaseError(f"{PASSWORD_FILE_ENV}: {path} can be read by others (mode "
                                f"{info.st_mode & 0o777:o}); expected an owner-only file "
                                f"(chmod 600 {path})")
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DatabaseError(f"{PASSWORD_FILE_ENV}: cannot read {path} ({exc.strerror}); "
                            "expected a file holding the database password") from None
    if not lines or not lines[0]:
        raise DatabaseError(f"{PASSWORD_FILE_ENV}: {path} is empty; expected the database "
                            "password on its first line")
    return lines[0]


def _private_sqlite_file(path: Path) -> None:
    """The folder of a new SQLite database is created 0700 and the file is kept 0600 (the
    -wal and -shm files SQLite adds take the file's mode)."""
    from homecoming.settings import make_private, private_directory

    if not path.parent.exists():
        private_directory(path.parent)
    make_private(path)  # the file itself is made 0600 when a connection opens it


class Database:
    """A Homecoming database at ``url`` (see module docs)."""

    def __init__(self, url: str, *, echo: bool = False,
                 busy_timeout: float | None = None) -> None:
        self.url = str(url)
        self.busy_timeout = globals()["busy_timeout"]() if busy_timeout is None \
            else float(busy_timeout)
        parsed = make_url(self.url)
        self.backend = parsed.get_backend_name()
        password = _password_from_file()
        if password is not None and parsed.password is None and self.backend != "sqlite":
            parsed = parsed.set(password=password)
        # never put SQL parameters (genotypes, names) into exception messages or logs
        kwargs: dict[str, Any] = {"echo": echo, "hide_parameters": True}
        if self.backend == "sqlite":
            if parsed.database and parsed.database != ":memory:" \
                    and not parsed.database.startswith("file:"):
                _private_sqlite_file(Path(parsed.database).expanduser())
            kwargs["connect_args"] = {"timeout": self.busy_timeout}
        else:
            kwargs["pool_pre_ping"] = True
            if self.backend == "postgresql":
                ms = max(1, int(self.busy_timeout * 1000))  # 0 would mean "forever"
                kwargs["connect_args"] = {"options": f"-c lock_timeout={ms}"}
        self.engine: Engine = create_engine(parsed, **kwargs)
        if self.backend == "sqlite":
            if parsed.database and parsed.database != ":memory:" \
                    and not parsed.database.startswith("file:"):
                file = Path(parsed.database).expanduser()

                def _owner_only(*_: Any) -> None:  # before WAL creates its -wal/-shm files
                    from homecoming.settings import make_private

                    make_private(file)

                event.listen(self.engine, "connect", _owner_only)
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        #: the engine of write transactions (SQLite: BEGIN IMMEDIATE takes the write lock at
        #: the start, waiting up to the busy timeout; reads never wait in WAL mode)
        self.write_engine: Engine = self.engine.execution_options(homecoming_begin="IMMEDIATE")

    def __repr__(self) -> str:
        return f"Database({mask_url(self.url)!r})"

    @property
    def masked_url(self) -> str:
        return mask_url(self.url)

    # --- schema ---------------------------------------------------------------------------

    def _alembic_config(self) -> Config:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        # keep "%" in URLs (encoded passwords) from being read as interpolation
        config.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        return config

    def _run(self, fn: Any, revision: str) -> None:
        config = self._alembic_config()
        with translate_errors(), self.write_engine.begin() as connection:
            if self.backend == "postgresql":  # two `init` at once: the second waits
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({SCHEMA_LOCK})")
            config.attributes["connection"] = connection
            fn(config, revision)

    def upgrade(self, revision: str = "head") -> None:
        """Create the schema or migrate it to ``revision`` (default: the newest)."""
        self._run(command.upgrade, revision)

    def downgrade(self, revision: str = "base") -> None:
        """Migrate down to ``revision`` (default ``"base"``: drop every Homecoming table)."""
        self._run(command.downgrade, revision)

    def current_revision(self) -> str | None:
        """The schema revision in the database (None if it has none)."""
        with translate_errors(), self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    @staticmethod
    def head_revision() -> str | None:
        """The newest schema revision this version of Homecoming knows."""
        return ScriptDirectory(str(MIGRATIONS)).get_current_head()

    def is_current(self) -> bool:
        """True if the schema is at the newest revision."""
        return self.current_revision() == self.head_revision()

    def require_current(self) -> None:
        """Raise :class:`DatabaseNotReadyError` unless the schema is at the newest revision."""
        current = self.current_revision()
        if current != self.head_revision():
            state = "has no Homecoming schema" if current is None else \
                f"has schema revision {current!r}, expected {self.head_revision()!r}"
            raise DatabaseNotReadyError(f"database {self.masked_url} {state}; run "
                                        "`homecoming init` first")

    def table_names(self) -> list[str]:
        with translate_errors(), self.engine.connect() as connection:
            return sorted(inspect(connection).get_table_names())

    # --- data -----------------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls back if it raises.

        Database errors (inside the block or at commit) become :class:`DatabaseError`, one line
        without the SQL parameters; a lock or timeout is :class:`DatabaseBusyError`.
        On SQLite the session holds the write lock from its start (other writers wait up to
        the busy timeout, ``HOMECOMING_BUSY_TIMEOUT``; readers outside sessions never wait)."""
        with translate_errors(), Session(self.write_engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def counts(self) -> dict[str, int]:
        """Number of records per kind (keys: sites, graves, remains, missing_persons, donors,
        samples, profiles, and the other record tables; audit_records for the audit trail)."""
        self.require_current()
        from homecoming.storage.repositories.identifications import status_counts

        with translate_errors(), self.engine.connect() as connection:
            return {**{key: int(connection.execute(select(func.count()).select_from(table))
                                .scalar_one())
                       for key, table in COUNTED.items()},
                    **status_counts(connection)}  # identifications and remains by status

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()
