"""Every stored identification run is recorded (``identification_runs``, migration 0011),
also one that changes no identification: its settings become the defaults of the next
incremental run and of the web's run page (``latest_run_settings``). Runs stored before the
migration are still read from their identifications. SYNTHETIC demonstration data, SQLite
and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import delete, select

from homecoming.services.audit import verify
from homecoming.services.case_identification import identify_stored_case
from homecoming.services.demo import load_demo
from homecoming.services.incremental import latest_run_settings
from homecoming.storage import Database
from homecoming.storage.repositories import audit_records
from homecoming.storage.tables_identifications import identification_runs, identifications


def _runs(db: Database) -> list[dict]:
    with db.session() as session:
        return [dict(r._mapping) for r in session.execute(
            select(identification_runs).order_by(identification_runs.c.run_id))]


def test_a_run_that_changes_nothing_is_recorded_and_sets_the_defaults(database_url):
    db = Database(database_url)
    try:
        load_demo(db, seed=3, bodies=8, identify=False)
        first = identify_stored_case(db).stored
        assert first is not None and first.stored
        settings = latest_run_settings(db)
        assert (settings.run_id, settings.min_log10_lr, settings.top, settings.dropout) == (
            first.run_id, 2.0, 2, 0.0)
        # the same case with a stricter rule that keeps every candidate: nothing changes
        again = identify_stored_case(db, min_log10_lr=2.5, top=3).stored
        assert again is not None and again.stored == [] and again.unchanged
        runs = _runs(db)
        assert [r["run_id"] for r in runs] == [first.run_id, again.run_id]
        assert runs[1]["outcome"] == {"missing_persons": len(again.unchanged), "stored": 0,
                                      "unchanged": len(again.unchanged), "stale": 0,
                                      "superseded": 0}
        assert runs[1]["model"]["thresholds"]["screening_min_log10_lr"] == 2.5
        assert runs[1]["model"]["thresholds"]["screening_top"] == 3
        settings = latest_run_settings(db)
        assert (settings.run_id, settings.min_log10_lr, settings.top) == (again.run_id, 2.5, 3)
        with db.session() as session:
            logged = [(e.action, e.record_key)
                      for e in audit_records(session, table="identification_runs")]
            assert logged == [("insert", first.run_id), ("insert", again.run_id)]
            assert verify(session).ok
    finally:
        db.dispose()


def test_runs_stored_before_they_were_recorded_are_read_from_their_identifications(
        database_url):
    db = Database(database_url)
    try:
        load_demo(db, seed=3, bodies=8, identify=False)
        run = identify_stored_case(db, min_log10_lr=3, top=1).stored
        assert run is not None
        # as a database migrated from 0010 has it: the run known only by its identifications
        # (the row goes through a plain connection, as a migration's data would not be audited)
        with db.engine.begin() as conn:
            conn.execute(delete(identification_runs))
            n = conn.execute(select(identifications.c.id).where(
                identifications.c.run_id == run.run_id)).all()
        assert n
        settings = latest_run_settings(db)
        assert (settings.run_id, settings.min_log10_lr, settings.top) == (run.run_id, 3.0, 1)
    finally:
        db.dispose()


def test_the_command_line_lists_the_runs_newest_first(tmp_path):
    import json

    from click.testing import CliRunner

    from homecoming.cli.main import cli

    url = f"sqlite:///{tmp_path / 'case.db'}"
    db = Database(url)
    try:
        load_demo(db, seed=3, bodies=8, identify=False)
        first = identify_stored_case(db).stored
        second = identify_stored_case(db, min_log10_lr=2.5, top=3).stored
    finally:
        db.dispose()
    run = CliRunner().invoke
    listed = run(cli, ["--database", url, "identifications", "runs", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.output)
    assert [r["run_id"] for r in rows] == [second.run_id, first.run_id]
    assert (rows[0]["screening_min_log10_lr"], rows[0]["screening_top"], rows[0]["dropout"]) \
        == (2.5, 3, 0.0)
    assert rows[0]["outcome"]["stored"] == 0 and rows[1]["outcome"]["stored"] == len(
        first.stored)
    text = run(cli, ["--database", url, "identifications", "runs", "--limit", "1"])
    assert text.exit_code == 0, text.output
    assert second.run_id in text.output and first.run_id not in text.output
    assert "2.5 / 3" in text.output and text.output.rstrip().endswith("1 run(s).")
