"""CSV export of casework records and update-by-id with a dry-run diff (synthetic records)."""

from __future__ import annotations

import csv
import io

import pytest

from homecoming.errors import FormatError
from homecoming.formats.csv_records import columns
from homecoming.services.format_store import (
    apply_update,
    export_csv,
    plan_update,
    update_from_csv,
)


def _rows(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_export_every_kind(casework_db, tmp_path):
    with casework_db.session() as session:
        counts = {k: export_csv(session, k, tmp_path / f"{k}.csv")
                  for k in ("missing_persons", "donors", "remains", "samples")}
    assert counts == {"missing_persons": 1, "donors": 1, "remains": 1, "samples": 2}
    (mp,) = _rows(tmp_path / "missing_persons.csv")
    assert mp["id"] == "MP-1" and mp["sex"] == "female" and mp["birth_date"] == "1972-04-02"
    assert list(mp)[0] == "id" and list(mp) == columns("missing_persons")
    samples = _rows(tmp_path / "samples.csv")
    assert [s["barcode"] for s in samples] == ["AM-000001", "PM-000001"]
    assert samples[1]["remains_code"] == "R-0001" and samples[1]["donor_id"] == ""


def test_dry_run_diff_then_apply(casework_db, tmp_path):
    from homecoming.storage.repositories import MissingPersonRepository, audit_records

    upd = tmp_path / "u.csv"
    upd.write_text("id,height_cm,last_seen_place,given_name\nMP-1,165,Kharkiv,\n",
                   encoding="utf-8")
    with casework_db.session() as session:
        plan = update_from_csv(session, "missing_persons", upd, dry_run=True)
    assert plan.diff_lines() == ["MP-1: height_cm: (empty) -> 165.0",
                                 "MP-1: last_seen_place: Izium -> Kharkiv"]
    assert plan.changes[0].line == 2
    with casework_db.session() as session:
        mp = MissingPersonRepository(session).get("MP-1")
        assert mp.height_cm is None and mp.last_seen_place == "Izium"  # dry run wrote nothing
        plan = plan_update(session, "missing_persons", upd)
        assert apply_update(session, plan) == 1
    with casework_db.session() as session:
        mp = MissingPersonRepository(session).get("MP-1")
        assert mp.height_cm == 165 and mp.last_seen_place == "Kharkiv"
        assert mp.given_name == "Jane"  # empty cell = unchanged
        updates = [a for a in audit_records(session, key="MP-1") if a.action == "update"]
        assert len(updates) == 1


def test_null_clears_and_export_is_an_update_file(casework_db, tmp_path):
    from homecoming.storage.repositories import SampleRepository

    with casework_db.session() as session:
        export_csv(session, "samples", tmp_path / "s.csv")
        plan = plan_update(session, "samples", tmp_path / "s.csv")
        assert plan.changes == [] and sorted(plan.unchanged) == ["AM-000001", "PM-000001"]
    (tmp_path / "c.csv").write_text("barcode,laboratory\nPM-000001,Lab B\n")
    with casework_db.session() as session:
        update_from_csv(session, "samples", tmp_path / "c.csv")
    (tmp_path / "n.csv").write_text("barcode,laboratory\nPM-000001,NULL\n")
    with casework_db.session() as session:
        plan = update_from_csv(session, "samples", tmp_path / "n.csv")
        assert plan.diff_lines() == ["PM-000001: laboratory: Lab B -> (empty)"]
    with casework_db.session() as session:
        assert SampleRepository(session).get("PM-000001").laboratory is None


@pytest.mark.parametrize("text,line,column,match", [
    ("name,height_cm\nMP-1,1\n", 1, "id", "no 'id' column"),
    ("id,shoe_size\nMP-1,1\n", 1, "shoe_size", "unknown column"),
    ("id,height_cm\nMP-9,170\n", 2, "id", "not a stored"),
    ("id,height_cm\nMP-1,170\nMP-1,171\n", 3, "id", "appears twice"),
    ("id,height_cm\nMP-1,tall\n", 2, "height_cm", "MP-1"),
    ("id,sex\nMP-1,robot\n", 2, "sex", "MP-1"),
])
def test_faults_stop_with_line_and_column(casework_db, tmp_path, text, line, column, match):
    from homecoming.storage.repositories import MissingPersonRepository

    p = tmp_path / "bad.csv"
    p.write_text(text)
    with pytest.raises(FormatError, match=match) as err:
        with casework_db.session() as session:
            update_from_csv(session, "missing_persons", p)
    assert err.value.line == line and err.value.column == column
    with casework_db.session() as session:
        assert MissingPersonRepository(session).get("MP-1").height_cm is None


def test_a_late_fault_writes_nothing(casework_db, tmp_path):
    from homecoming.storage.repositories import SampleRepository

    p = tmp_path / "late.csv"
    p.write_text("barcode,laboratory\nPM-000001,Lab C\nXX-1,Lab C\n")
    with pytest.raises(FormatError):
        with casework_db.session() as session:
            update_from_csv(session, "samples", p)
    with casework_db.session() as session:
        assert SampleRepository(session).get("PM-000001").laboratory is None


def test_nested_fields_round_trip_as_json(casework_db, tmp_path):
    from homecoming.storage.repositories import RemainsRepository

    with casework_db.session() as session:
        RemainsRepository(session).update(
            "R-0001", location={"type": "Point", "coordinates": [37.2, 49.1]},
            effects=[{"id": "R-0001-E1", "category": "clothing", "description": "jacket"}])
        export_csv(session, "remains", tmp_path / "r.csv")
        plan = plan_update(session, "remains", tmp_path / "r.csv")
        assert plan.changes == [] and plan.unchanged == ["R-0001"]
    (row,) = _rows(tmp_path / "r.csv")
    assert row["location"] == '{"coordinates":[37.2,49.1],"type":"Point"}'
    text = (tmp_path / "r.csv").read_text().replace("37.2,49.1", "37.3,49.1")
    (tmp_path / "r2.csv").write_text(text)
    with casework_db.session() as session:
        plan = update_from_csv(session, "remains", tmp_path / "r2.csv")
        assert [c.field for c in plan.changes] == ["location"]
    with casework_db.session() as session:
        assert RemainsRepository(session).get("R-0001").location.longitude == 37.3
