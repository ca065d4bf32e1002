"""CSV exports and spreadsheet formulas (issue 13, failure 7); csv-update references and
empty inputs (failure 9). Synthetic records."""

from __future__ import annotations

import csv
import io

import pytest

from homecoming.errors import FormatError
from homecoming.formats.csv_import import read_missing_persons_csv
from homecoming.formats.csv_records import (
    format_csv,
    neutralise_cell,
    restore_cell,
)
from homecoming.services.format_store import export_csv, plan_update

FORMULAS = ['=HYPERLINK("http://example.invalid/x","click")', "+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1"]
TRICKY = ["'=already quoted", "''=x", "'plain", "-5", "-1.5", "plain", "", "a=b", "1e3"]


@pytest.mark.parametrize("value", FORMULAS)
def test_formulas_are_neutralised(value):
    safe = neutralise_cell(value)
    assert safe == "'" + value and restore_cell(safe) == value


@pytest.mark.parametrize("value", TRICKY)
def test_neutralising_is_reversible(value):
    assert restore_cell(neutralise_cell(value)) == value
    if value in ("-5", "-1.5", "plain", "", "a=b", "'plain", "1e3"):
        assert neutralise_cell(value) == value       # numbers and plain text unchanged


def _records(surname):
    from formats_fixtures import make_casework

    return [make_casework().missing_person.evolve(surname=surname)]


@pytest.mark.parametrize("value", FORMULAS[:4] + ["'=already quoted"])
def test_export_is_safe_and_round_trips(value, tmp_path):
    text = format_csv("missing_persons", _records(value))
    (row,) = list(csv.DictReader(io.StringIO(text)))
    assert row["surname"] == "'" + value                # a spreadsheet shows it as text
    path = tmp_path / "mp.csv"
    path.write_text(text, encoding="utf-8")
    (back,) = read_missing_persons_csv(path)
    assert back.surname == value                        # import reads back exactly
    assert format_csv("missing_persons", [back]) == text  # byte for byte


def test_raw_export_and_stats():
    stats: dict[str, int] = {}
    safe = format_csv("missing_persons", _records("=1+1"), stats=stats)
    assert stats == {"neutralised": 1} and ",'=1+1," in safe
    raw = format_csv("missing_persons", _records("=1+1"), neutralise=False)
    assert ",=1+1," in raw


def test_plain_export_unchanged(casework_db, tmp_path):
    with casework_db.session() as session:
        export_csv(session, "missing_persons", tmp_path / "a.csv")
        export_csv(session, "missing_persons", tmp_path / "b.csv", neutralise=False)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_update_restores_neutralised_cells(casework_db, tmp_path):
    upd = tmp_path / "u.csv"
    upd.write_text("id,surname\nMP-1,'=HYPERLINK(1)\n", encoding="utf-8")
    with casework_db.session() as session:
        plan = plan_update(session, "missing_persons", upd)
    assert [(c.field, c.new) for c in plan.changes] == [("surname", "=HYPERLINK(1)")]


def test_update_unknown_reference_names_line_and_column(casework_db, tmp_path):
    upd = tmp_path / "u.csv"
    upd.write_text("id,missing_person_id\nD-1,MP-1\nD-1x,MP-1\n", encoding="utf-8")
    with casework_db.session() as session:
        with pytest.raises(FormatError, match=r"u.csv, line 3, column id: 'D-1x' is not a "
                                              "stored donor"):
            plan_update(session, "donors", upd)
    upd.write_text("id,missing_person_id\nD-1,MP-404\n", encoding="utf-8")
    with casework_db.session() as session:
        with pytest.raises(FormatError, match=r"u.csv, line 2, column missing_person_id: "
                                              "'MP-404' is not a stored missing person"):
            plan_update(session, "donors", upd)
    upd.write_text("barcode,remains_code\nPM-000001,R-404\n", encoding="utf-8")
    with casework_db.session() as session:
        with pytest.raises(FormatError, match=r"line 2, column remains_code: 'R-404' is not "
                                              "a stored remains code"):
            plan_update(session, "samples", upd)


@pytest.mark.parametrize("text", ["id,surname\n", "id,surname\n\n\n"])
def test_update_header_only_is_an_error(casework_db, tmp_path, text):
    upd = tmp_path / "u.csv"
    upd.write_text(text, encoding="utf-8")
    with casework_db.session() as session:
        with pytest.raises(FormatError, match="no data rows"):
            plan_update(session, "missing_persons", upd)


def test_import_header_only_is_an_error(tmp_path):
    path = tmp_path / "mp.csv"
    path.write_text("id,surname,given_name,reported_by,reported_on\n", encoding="utf-8")
    with pytest.raises(FormatError, match="line 2: no data rows"):
        read_missing_persons_csv(path)


def test_control_characters_refused_in_csv(tmp_path):
    path = tmp_path / "mp.csv"
    path.write_text("id,surname,sex\nMP-9,Do\x1b[2Je,female\n", encoding="utf-8")
    with pytest.raises(FormatError) as err:
        read_missing_persons_csv(path)
    assert "\x1b" not in str(err.value) and err.value.line == 2 and "U+001B" in str(err.value)


def test_plan_changes_without_a_database(tmp_path):
    from formats_fixtures import make_casework

    from homecoming.formats.csv_records import plan_changes

    donor = make_casework().donor
    upd = tmp_path / "u.csv"
    upd.write_text("id,missing_person_id,full_name\nD-1,MP-2,'=X\n", encoding="utf-8")
    stored = {"D-1": donor}
    plan = plan_changes("donors", upd, find=stored.get,
                        references={"missing_person_id": {"MP-1", "MP-2"}.__contains__})
    assert sorted((c.field, c.new) for c in plan.changes) == [("full_name", "=X"),
                                                              ("missing_person_id", "MP-2")]
    with pytest.raises(FormatError, match="line 2, column missing_person_id: 'MP-2' is not a "
                                          "stored missing person"):
        plan_changes("donors", upd, find=stored.get,
                     references={"missing_person_id": {"MP-1"}.__contains__})


def test_update_errors_do_not_echo_what_is_not_an_id(casework_db, tmp_path):
    """A stray quote merges the next cells (a name) into the id column; a header cell holds a
    newline: the message is one line and names the place, never the merged text (SYNTHETIC
    name)."""
    upd = tmp_path / "u.csv"
    upd.write_text('id,missing_person_id\n"D-9,Sydorenko Ivanna\n', encoding="utf-8")
    with casework_db.session() as session, pytest.raises(FormatError) as info:
        plan_update(session, "donors", upd)
    message = str(info.value)
    assert "Sydorenko" not in message and "\n" not in message
    assert "line 2, column id: the value (" in message and "is not a stored donor" in message
    upd.write_text('id,"surname\nx"\nD-1,Petrenko\n', encoding="utf-8")
    with casework_db.session() as session, pytest.raises(FormatError) as info:
        plan_update(session, "donors", upd)
    assert "\n" not in str(info.value) and "unknown column" in str(info.value)
