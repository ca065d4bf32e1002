"""Chain of custody (issue 13, Build 3): transfers recorded and audited, a sample's timeline,
and its breaks (a holder handing on what they never received, a time gap, a use after the
item was consumed). SYNTHETIC records, on SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from homecoming import casework as cw
from homecoming.cli.main import cli
from homecoming.errors import NotFoundError
from homecoming.services.custody import add_transfer, timeline
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories, audit_records


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.upgrade()
    with database.session() as session:
        repos = Repositories(session)
        repos.remains.add(cw.Remains(code="R-1", kind="body", condition="decomposed"))
        repos.samples.add(cw.Sample(barcode="PM-1", source="remains", remains_code="R-1",
                                    element="bone", collected_on="2022-09-20"))
    yield database
    database.dispose()


def _add(db, at, frm, to, reason="transport", **kw):
    with db.session() as session:
        return add_transfer(session, "PM-1", from_party=frm, to_party=to, occurred_at=at,
                            reason=reason, actor="SYNTHETIC clerk", **kw)


def test_an_unbroken_chain(db):
    _add(db, "2022-09-20T10:00Z", "Dr P (prosector)", "Courier A")
    _add(db, "2022-09-21T09:00Z", "Courier A", "DNA laboratory")
    _add(db, "2022-10-01T09:00Z", "DNA laboratory", "DNA laboratory", "analysis",
         final="consumed")
    with db.session() as session:
        result = timeline(session, "PM-1")
        assert [e["id"] for e in result.events] == ["CE-PM-1-001", "CE-PM-1-002",
                                                    "CE-PM-1-003"]
        assert result.item_kind == "sample" and result.breaks == []
        assert result.events[2]["reason"] == "consumed: analysis"
        assert [a.user_name for a in audit_records(session, table="custody_events")] == \
            ["SYNTHETIC clerk"] * 3


def test_breaks_are_reported(db):
    _add(db, "2022-09-20T10:00Z", "Dr P", "Courier A")
    _add(db, "2022-09-21T09:00Z", "Courier B", "DNA laboratory")           # never received
    _add(db, "2022-12-01T09:00Z", "DNA laboratory", "DNA laboratory", "analysis",
         final="consumed")                                                 # 71-day gap
    _add(db, "2022-12-02T09:00Z", "DNA laboratory", "Archive")             # after consumed
    with db.session() as session:
        result = timeline(session, "PM-1")
    assert [(b.kind, b.event_id) for b in result.breaks] == [
        ("unreceived", "CE-PM-1-002"), ("gap", "CE-PM-1-003"), ("after_end", "CE-PM-1-004")]
    assert "71 days" in result.breaks[1].message


def test_cli_add_and_show(db, database_url):
    run = CliRunner().invoke
    ok = run(cli, ["--database", database_url, "custody", "add", "PM-1", "--from", "Dr P",
                   "--to", "Courier A", "--at", "2022-09-20T10:00Z", "--reason", "transport"])
    assert ok.exit_code == 0, ok.output
    run(cli, ["--database", database_url, "custody", "add", "PM-1", "--from", "Courier B",
              "--to", "Lab", "--at", "2022-09-21T10:00Z", "--reason", "transport"])
    shown = run(cli, ["--database", database_url, "custody", "show", "PM-1", "--strict"])
    assert shown.exit_code == 1
    assert "BREAK (unreceived): CE-PM-1-002: 'Courier B' hands on" in shown.output
    as_json = json.loads(run(cli, ["--database", database_url, "custody", "show", "PM-1",
                                   "--json"]).output)
    assert [b["kind"] for b in as_json["breaks"]] == ["unreceived"]
    with db.session() as session, pytest.raises(NotFoundError):
        add_transfer(session, "NOPE", from_party="a", to_party="b",
                     occurred_at="2022-09-20T10:00Z", reason="x")
