"""demo_workflow: the SYNTHETIC demonstration taken through review, notification and release
(issue 11 item 9), with synthetic accounts."""

from __future__ import annotations

from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.services.review import DEMO_ACCOUNTS, demo_workflow
from homecoming.storage import Database


def test_demo_workflow_counts(tmp_path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["--database", url, "init"]).exit_code == 0
    r = runner.invoke(cli, ["--database", url, "demo", "--bodies", "24", "--no-identify"])
    assert r.exit_code == 0, r.output
    db = Database(url)
    try:
        summary = demo_workflow(db, notify_count=3, release_count=2)
        assert summary["accounts_created"] == [name for name, _ in DEMO_ACCOUNTS]
        assert summary["confirmed"] >= 3 and summary["notified"] == 3
        assert summary["released"] == 2 and summary["reviewed"] == 3
        counts = db.counts()
        assert counts["identifications_confirmed"] == summary["confirmed"]
        assert counts["identifications_reviewed"] == summary["reviewed"]
        assert counts["identifications_proposed"] == summary["pending"]
        assert counts["remains_released"] == 2
        from homecoming.services.accounts import list_users

        with db.session() as s:
            users = list_users(s, actor="syn-admin")
        assert all(u.display_name.startswith("SYNTHETIC") for u in users)
        again = demo_workflow(db)  # idempotent for accounts; nothing proposed is re-reviewed
        assert again["accounts_created"] == []
    finally:
        db.dispose()
