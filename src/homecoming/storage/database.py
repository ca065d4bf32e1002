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

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, func, inspect, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from homecoming.errors import HomecomingError
from homecoming.storage import tables

__all__ = ["Database", "DatabaseNotReadyError", "MIGRATIONS", "mask_url"]

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


def mask_url(url: str) -> str:
    """The URL with its password replaced by ``***`` (safe to print)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.close()


class Database:
    """A Homecoming database at ``url`` (see module docs)."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = str(url)
        parsed = make_url(self.url)
        self.backend = parsed.get_backend_name()
        kwargs: dict[str, Any] = {"echo": echo}
        if self.backend == "sqlite":
            if parsed.database and parsed.database != ":memory:" \
                    and not parsed.database.startswith("file:"):
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(self.url, **kwargs)
        if self.backend == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)

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
        with self.engine.begin() as connection:
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
        with self.engine.connect() as connection:
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
        with self.engine.connect() as connection:
            return sorted(inspect(connection).get_table_names())

    # --- data -----------------------------------------------------------------------------

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: commits when the block ends, rolls back if it raises."""
        with Session(self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session

    def counts(self) -> dict[str, int]:
        """Number of records per kind (keys: sites, graves, remains, missing_persons, donors,
        samples, profiles, and the other record tables; audit_records for the audit trail)."""
        self.require_current()
        with self.engine.connect() as connection:
            return {key: int(connection.execute(select(func.count()).select_from(table))
                             .scalar_one())
                    for key, table in COUNTED.items()}

    def dispose(self) -> None:
        """Close the pooled connections."""
        self.engine.dispose()
