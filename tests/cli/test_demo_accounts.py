"""homecoming demo --workflow: the SYNTHETIC accounts get random passwords, printed once
(issue 12 item 2); --replace keeps the accounts (never deleted) and gives them new passwords."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.services.review import DEMO_ACCOUNTS
from homecoming.services.web_auth import verify_password
from homecoming.storage.database import Database
from homecoming.storage.repositories import audit_records


def _rows(output: str) -> dict[str, tuple[str, str]]:
    """name -> (roles, password) from the printed table of accounts."""
    return {m.group(1): (m.group(2), m.group(3)) for m in
            re.finditer(r"^  (syn-[\w-]+)\s+(\w+)\s+(\S{16})$", output, re.MULTILINE)}


def test_demo_prints_random_passwords_once_and_replace_renews_them(tmp_path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    runner = CliRunner()
    first = runner.invoke(cli, ["--database", url, "demo", "--bodies", "8", "--no-identify",
                                "--workflow"], env={"HOMECOMING_USER": "someone"})
    assert first.exit_code == 0, first.output
    rows = _rows(first.output)
    assert {n: r for n, (r, _) in rows.items()} == {n: roles[0] for n, roles in DEMO_ACCOUNTS}
    assert len({p for _, p in rows.values()}) == len(DEMO_ACCOUNTS)  # all different
    assert "export HOMECOMING_USER=syn-admin" in first.output
    db = Database(url)
    with db.session() as session:
        for name, (_, password) in rows.items():
            assert verify_password(session, name, password) is not None, name
            assert verify_password(session, name, password + "x") is None, name
        # the passwords are stored as argon2 hashes only, never in clear
        trail = repr(audit_records(session))
        for name, (_, password) in rows.items():
            assert password not in trail, name

    # a writing command on the demo database needs a demo account now
    denied = runner.invoke(cli, ["--database", url, "demo", "--bodies", "8", "--no-identify",
                                 "--workflow", "--replace"], env={"HOMECOMING_USER": "someone"})
    assert denied.exit_code != 0
    assert "'someone' has no account" in (denied.output + str(denied.exception))
    again = runner.invoke(cli, ["--database", url, "demo", "--bodies", "8", "--no-identify",
                                "--workflow", "--replace", "--json"],
                          env={"HOMECOMING_USER": "syn-admin"})
    assert again.exit_code == 0, again.output
    w = json.loads(again.stdout)["workflow"]
    assert w["cli_user"] == "syn-admin" and w["accounts_created"] == []
    renewed = {r["name"]: r["password"] for r in w["passwords"]}
    assert set(renewed) == set(rows)
    with db.session() as session:
        for name, (_, old) in rows.items():
            assert verify_password(session, name, old) is None, name   # the old one is gone
            assert verify_password(session, name, renewed[name]) is not None, name
        updates = [r for r in audit_records(session, table="accounts", action="update")]
        # two loads x one password change per account, each audited as the demo's admin
        assert len(updates) == 2 * len(DEMO_ACCOUNTS)
        assert {r.user_name for r in updates} == {"syn-admin"}
    db.dispose()
