"""Alembic environment: run by :class:`homecoming.storage.Database`, which passes a connection.

From the command line (``alembic -c <ini>``) the URL comes from ``sqlalchemy.url`` or
``homecoming.settings.database_url()``.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from homecoming.storage.tables import metadata

config = context.config


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite",
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from homecoming.settings import database_url

    url = config.get_main_option("sqlalchemy.url") or database_url()
    engine = create_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():  # pragma: no cover - offline SQL generation is not supported
    raise SystemExit("homecoming migrations run online only (Database.upgrade())")
run_migrations_online()
