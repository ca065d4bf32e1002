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
        # one entry per export and kind of record, naming every record exported
        by_table = {e.table_name: len(e.after["records"]) for e in exports}
        assert len(exports) == len(by_table) == 5
        assert by_table == {"profiles": stats["profiles"],
                            "missing_persons": stats["missing_persons"],
                            "sites": stats["sites"], "hazard_areas": stats["hazard_areas"],
                            "graves": stats["graves"]}
        assert {e.user_name for e in exports} == {"SYNTHETIC investigator"}
        profiles = next(e for e in exports if e.table_name == "profiles")
        assert (profiles.after["destination"], profiles.after["format"]) == \
            (str(tmp_path / "p.csv"), "csv")
        assert profiles.record_key == f"{stats['profiles']} records"
        assert verify(session).ok
    db.dispose()


def test_verify_passes_on_the_demo_and_names_direct_tampering_of_the_file(tmp_path):
    """The issue's "must show": intact after `demo` (with identification), and each kind of
    direct change to the SQLite file is named."""
    import sqlite3

    path = tmp_path / "demo.db"
    url = f"sqlite:///{path}"
    run = CliRunner().invoke
    assert run(cli, ["--database", url, "demo", "--bodies", "4", "--json"]).exit_code == 0
    ok = run(cli, ["--database", url, "audit", "verify"])
    assert ok.exit_code == 0 and "intact" in ok.output, ok.output
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("DROP TRIGGER audit_log_no_delete")
    conn.execute("UPDATE audit_log SET user_name = 'nobody' WHERE seq = 7")
    conn.execute("DELETE FROM audit_log WHERE seq = 9")
    conn.execute("UPDATE missing_persons SET surname = 'Changed' WHERE rowid = 1")
    conn.commit()
    conn.close()
    bad = run(cli, ["--database", url, "audit", "verify"])
    assert bad.exit_code == 1
    lines = [line for line in bad.output.splitlines() if line.startswith("TAMPERED: ")]
    assert any(line.startswith("TAMPERED: entry 7 (id") and "was modified" in line
               for line in lines)
    assert any(line.startswith("TAMPERED: entry 9 deleted") for line in lines)
    assert any("missing_persons" in line and "changed outside the application" in line
               for line in lines)
