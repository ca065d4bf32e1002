"""Accounts, roles and the permission table (services.accounts), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from homecoming.casework.accounts import PERMISSIONS, Role, allowed, parse_roles
from homecoming.errors import InputError, IntegrityError, PermissionDenied
from homecoming.services import accounts as svc
from homecoming.storage import Database
from homecoming.storage.repositories import audit_records


@pytest.fixture
def db(database_url: str):
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


def test_permission_table_names_only_known_roles_and_every_role_has_a_permission():
    used = set()
    for name, roles in PERMISSIONS.items():
        assert "." in name
        assert roles and all(isinstance(r, Role) for r in roles)
        used |= roles
    assert used == set(Role)
    # the monitor sees aggregated statistics only
    assert [p for p, r in PERMISSIONS.items() if Role.MONITOR in r] == ["stats.view"]
    # four-eyes roles: admins do not review
    assert PERMISSIONS["review.accept"] == {Role.ANALYST}
    assert PERMISSIONS["review.confirm"] == {Role.BOARD}
    assert allowed(["liaison"], "release.record") and not allowed(["analyst"], "release.record")


def test_parse_roles_refuses_unknown_and_empty():
    assert parse_roles(["Board", "analyst", "board"]) == (Role.ANALYST, Role.BOARD)
    with pytest.raises(InputError, match="role 'doctor' is unknown"):
        parse_roles(["doctor"])
    with pytest.raises(InputError, match="no role"):
        parse_roles([])


def test_no_accounts_means_no_checks_then_roles_decide(db, monkeypatch):
    monkeypatch.setenv("HOMECOMING_USER", "operator")
    with db.session() as s:
        assert svc.authorize(s, "identify.run") == "operator"
        assert svc.authorize(s, "review.confirm", actor="anyone") == "anyone"
        with pytest.raises(InputError, match="permission 'no.such' is not in"):
            svc.authorize(s, "no.such")
        with pytest.raises(InputError, match="first account must hold the admin role"):
            svc.add_user(s, "ana", ["analyst"])
        svc.add_user(s, "ops", ["admin"], display_name="Operations (SYNTHETIC)")
    with db.session() as s:
        with pytest.raises(PermissionDenied, match="'operator' has no account; identify.run"):
            svc.authorize(s, "identify.run")
        svc.add_user(s, "ana", ["analyst"], actor="ops")
        svc.add_user(s, "bo", ["board", "analyst"], actor="ops")
        assert svc.authorize(s, "identify.run", actor="ana") == "ana"
        with pytest.raises(PermissionDenied) as info:
            svc.authorize(s, "review.confirm", actor="ana")
        assert str(info.value) == "'ana' (analyst) may not review.confirm; it needs the role board"
        assert "\n" not in str(info.value)
        with pytest.raises(PermissionDenied, match="may not users.manage"):
            svc.add_user(s, "eve", ["admin"], actor="ana")
        with pytest.raises(IntegrityError, match="'ana' already exists"):
            svc.add_user(s, "ana", ["lab"], actor="ops")
    with db.session() as s:
        svc.disable_user(s, "ana", actor="ops")
        with pytest.raises(PermissionDenied, match="account 'ana' is disabled"):
            svc.authorize(s, "identify.run", actor="ana")
        with pytest.raises(InputError, match="last active admin"):
            svc.disable_user(s, "ops", actor="ops")
        users = svc.list_users(s, actor="ops")
        assert [(u.name, u.roles, u.active) for u in users] == [
            ("ana", ("analyst",), False), ("bo", ("analyst", "board"), True),
            ("ops", ("admin",), True)]
        trail = audit_records(s, table="accounts")
        assert [(a.record_key, a.action, a.user_name) for a in trail] == [
            ("ops", "insert", "operator"), ("ana", "insert", "ops"), ("bo", "insert", "ops"),
            ("ana", "update", "ops")]
        assert trail[-1].before["active"] is True and trail[-1].after["active"] is False
        assert all("password_hash" not in (a.after or {}) for a in trail)


def test_users_cli(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from homecoming.cli.main import cli

    url = f"sqlite:///{tmp_path / 'u.db'}"
    runner = CliRunner()
    monkeypatch.setenv("HOMECOMING_USER", "root-op")
    assert runner.invoke(cli, ["--database", url, "init"]).exit_code == 0
    r = runner.invoke(cli, ["--database", url, "users", "add", "chief", "--role", "admin"])
    assert r.exit_code == 0, r.output
    assert r.output.strip() == "Account chief added (admin)."
    r = runner.invoke(cli, ["--database", url, "users", "add", "x", "--role", "analyst"])
    assert r.exit_code == 1
    assert "'root-op' has no account" in str(r.exception)
    monkeypatch.setenv("HOMECOMING_USER", "chief")
    r = runner.invoke(cli, ["--database", url, "users", "add", "lia", "--role", "liaison",
                            "--role", "board"])
    assert r.output.strip() == "Account lia added (board, liaison)."
    r = runner.invoke(cli, ["--database", url, "users", "disable", "lia"])
    assert r.exit_code == 0
    r = runner.invoke(cli, ["--database", url, "users", "list", "--json"])
    import json
    data = json.loads(r.stdout)
    assert [(d["name"], d["active"]) for d in data] == [("chief", True), ("lia", False)]
