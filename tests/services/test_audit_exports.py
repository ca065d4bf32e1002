"""Every export is a chained audit entry (who, what, where; never the data). SYNTHETIC."""

from __future__ import annotations

import json

from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.services.audit import verify
from homecoming.storage import Database
from homecoming.storage.repositories import audit_records


def test_exports_are_audited_and_the_chain_stays_intact(tmp_path, monkeypatch):
    monkeypatch.setenv("HOMECOMING_USER", "SYNTHETIC investigator")
    url = f"sqlite:///{tmp_path / 'h.db'}"
    run = CliRunner().invoke
    assert run(cli, ["--database", url, "demo", "--bodies", "3", "--no-identify",
                     "--json"]).exit_code == 0
    for args in (["profiles", str(tmp_path / "p.csv")],
                 ["missing-persons", str(tmp_path / "mp.csv")],
                 ["geojson", str(tmp_path / "s.geojson")]):
        result = run(cli, ["--database", url, "export", *args])
        assert result.exit_code == 0, result.output
    stats = json.loads(run(cli, ["--database", url, "stats", "--json"]).output)
    db = Database(url)
    with db.session() as session:
        exports = audit_records(session, action="export")
        by_table: dict[str, int] = {}
        for e in exports:
            by_table[e.table_name] = by_table.get(e.table_name, 0) + 1
        assert by_table == {"profiles": stats["profiles"],
                            "missing_persons": stats["missing_persons"],
                            "sites": stats["sites"], "hazard_areas": stats["hazard_areas"],
                            "graves": stats["graves"]}
        assert {e.user_name for e in exports} == {"SYNTHETIC investigator"}
        assert {e.after["destination"] for e in exports if e.table_name == "profiles"} == \
            {str(tmp_path / "p.csv")}
        assert verify(session).ok
    db.dispose()
