"""Alembic migrations: upgrade from empty, match the tables, downgrade cleanly, upgrade again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from homecoming.storage import Database
from homecoming.storage.database import MIGRATIONS
from homecoming.storage.tables import metadata

TABLES = sorted(metadata.tables)


def _differences(db: Database) -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata)


def test_upgrade_from_empty_then_downgrade_to_base_and_again(database_url):
    db = Database(database_url)
    try:
        assert db.table_names() == []
        assert db.current_revision() is None
        db.upgrade()
        assert db.current_revision() == Database.head_revision() is not None
        assert db.table_names() == sorted(TABLES + ["alembic_version"])
        assert _differences(db) == []
        db.downgrade("base")
        assert db.current_revision() is None
        assert db.table_names() == ["alembic_version"]
        db.upgrade()
        assert db.table_names() == sorted(TABLES + ["alembic_version"])
        assert db.is_current()
        db.upgrade()  # idempotent
        assert db.current_revision() == Database.head_revision()
    finally:
        db.dispose()


def test_downgrade_removes_postgres_trigger_function(database_url):
    db = Database(database_url)
    try:
        db.upgrade()
        db.downgrade()
        if db.backend == "postgresql":
            with db.engine.connect() as conn:
                n = conn.exec_driver_sql(
                    "SELECT count(*) FROM pg_proc WHERE proname = 'audit_log_append_only'"
                ).scalar_one()
            assert n == 0
        else:
            with db.engine.connect() as conn:
                n = conn.exec_driver_sql(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").scalar_one()
            assert n == 0
    finally:
        db.dispose()


def test_migrations_are_package_files():
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert (MIGRATIONS / "versions" / "0001_initial.py").is_file()
    assert MIGRATIONS.parent.name == "storage"


@pytest.mark.postgres
def test_session_wide_postgres_url(postgres_url):
    assert postgres_url.startswith("postgresql+psycopg://postgres@127.0.0.1:")
    assert postgres_url.endswith("/homecoming_session")
    db = Database(postgres_url)
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT 1").scalar_one() == 1
    finally:
        db.dispose()
