"""PostgreSQL: the application's role cannot change or delete audit entries (grants, not only
triggers it could drop): `homecoming audit grant ROLE` run by the owner. SYNTHETIC records."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.engine import make_url

from homecoming import casework as cw
from homecoming.cli.main import cli
from homecoming.services.audit import record_read, verify
from homecoming.storage import Database, DatabaseError
from homecoming.storage.repositories import Repositories, audit_records

pytestmark = pytest.mark.postgres


def test_the_application_role_appends_but_cannot_alter_the_trail(postgres_server):
    name, role = "roles_test", f"homecoming_app_{os.getpid()}"
    postgres_server.admin(f'CREATE DATABASE "{name}"')
    postgres_server.admin(f"DROP ROLE IF EXISTS {role}")
    postgres_server.admin(f"CREATE ROLE {role} LOGIN")
    owner = Database(postgres_server.url(name))
    app = Database(make_url(postgres_server.url(name)).set(username=role)
                   .render_as_string(hide_password=False))
    try:
        owner.upgrade()
        result = CliRunner().invoke(cli, ["--database", owner.url, "audit", "grant", role])
        assert result.exit_code == 0, result.output
        assert f"REVOKE UPDATE, DELETE, TRUNCATE ON public.audit_log FROM {role};" \
            in result.output
        app.require_current()
        with app.session() as session:
            Repositories(session, user="SYNTHETIC clerk").sites.add(cw.Site(
                id="S-1", name="SYNTHETIC site", location=cw.Geometry.point(37.2, 49.2),
                location_precision="gps", reported_via="official", reported_on="2022-09-10"))
            Repositories(session).sites.update("S-1", name="SYNTHETIC site 2")
        with app.session() as session:
            assert [a.db_role for a in audit_records(session)] == [role, role]
        with app.session() as session:   # a list view: the index of named records grows
            record_read(session, "sites", ["S-1", "S-2"], purpose="list shown")
        for statement in ("UPDATE audit_log SET user_name = 'x'", "DELETE FROM audit_log",
                          "TRUNCATE audit_log", "DELETE FROM audit_mentions",
                          "UPDATE audit_mentions SET record_key = 'x'",
                          "DELETE FROM identification_runs",
                          "ALTER TABLE audit_log DISABLE TRIGGER USER",
                          "DROP TRIGGER audit_log_no_change ON audit_log"):
            with pytest.raises(DatabaseError) as info:
                with app.session() as session:
                    session.execute(text(statement))
            assert "InsufficientPrivilege" in str(info.value) or "owner" in str(info.value)
        with owner.session() as session:
            assert verify(session).ok
    finally:
        app.dispose()
        owner.dispose()
        postgres_server.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        postgres_server.admin(f"DROP ROLE IF EXISTS {role}")
