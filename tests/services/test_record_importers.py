"""Issue 13, Build 3: exhumations, chain-of-custody transfers and hazard-area clearance get
CSV importers like the other records: the whole file checked first (file, line, column),
nothing written on refusal, every write audited and the chain intact; SQLite and
PostgreSQL. Records are SYNTHETIC."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from homecoming import casework as cw
from homecoming.cli.main import cli
from homecoming.errors import FormatError
from homecoming.services.audit import verify
from homecoming.services.custody import timeline
from homecoming.services.imports import import_csv
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories, audit_records


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.upgrade()
    with database.session() as s:
        repos = Repositories(s, user="SYNTHETIC clerk")
        repos.sites.add(cw.Site(id="S-1", name="SYNTHETIC site",
                                location=cw.Geometry.point(37.2, 49.2),
                                location_precision="gps", reported_via="official",
                                reported_on="2022-09-10"))
        repos.hazard_areas.add(cw.HazardArea(id="H-1", site_id="S-1", hazard="mines",
                                             area=cw.Geometry.point(37.21, 49.2),
                                             surveyed_on="2022-09-13"))
        repos.hazard_areas.add(cw.HazardArea(id="H-2", site_id="S-1", hazard="uxo",
                                             area=cw.Geometry.point(37.22, 49.2)))
        repos.graves.add(cw.Grave(id="G-1", site_id="S-1", label="1"))
        repos.remains.add(cw.Remains(code="R-1", kind="body", grave_id="G-1",
                                     recovered_on="2022-09-17"))
        repos.samples.add(cw.Sample(barcode="PM-1", source="remains", remains_code="R-1",
                                    element="bone", collected_on="2022-09-20"))
    yield database
    database.dispose()


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


EXHUMATIONS = (
    "id,grave_id,started_on,ended_on,method,team\n"
    'EX-1,G-1,2022-09-16,2022-09-17,manual,"[{""name"":""SYNTHETIC B"",'
    '""role"":""forensic archaeologist""}]"\n'
)
CUSTODY = (
    "id,item_kind,item_id,from_party,to_party,occurred_at,reason,location\n"
    "CU-1,sample,PM-1,morgue,lab A,2022-09-21T09:30:00+00:00,DNA analysis,Kharkiv\n"
    "CU-2,sample,PM-1,lab B,archive,2022-09-25T10:00:00+00:00,storage,Kyiv\n"
    "CU-3,remains,R-1,field team,morgue,2022-09-17T18:00:00+00:00,transport,\n"
)
CLEARANCE = "id,cleared_on,cleared_by,notes\nH-1,2022-09-14,SYNTHETIC demining unit,ok\n"


def test_the_three_importers_store_audit_and_keep_the_chain(db, tmp_path):
    for kind, text, count in (("exhumations", EXHUMATIONS, 1), ("custody-events", CUSTODY, 3),
                              ("hazard-clearance", CLEARANCE, 1)):
        result = import_csv(db, kind, _write(tmp_path, f"{kind}.csv", text),
                            actor="SYNTHETIC importer")
        assert result.count == count, kind
    with db.session() as s:
        repos = Repositories(s)
        ex = repos.exhumations.get("EX-1")
        assert (ex.grave_id, ex.ended_on, ex.team[0].role) == \
            ("G-1", dt.date(2022, 9, 17), "forensic archaeologist")
        area = repos.hazard_areas.get("H-1")
        assert (area.cleared, area.cleared_on, area.cleared_by, area.notes) == \
            (True, dt.date(2022, 9, 14), "SYNTHETIC demining unit", "ok")
        assert repos.hazard_areas.get("H-2").cleared is False
        line = timeline(s, "PM-1")
        assert [e["id"] for e in line.events] == ["CU-1", "CU-2"]
        assert [b.kind for b in line.breaks] == ["unreceived"]     # lab B never received it
        written = {(e.table_name, e.record_key, e.action) for e in audit_records(s)
                   if e.user_name == "SYNTHETIC importer"}
        assert written == {("exhumations", "EX-1", "insert"),
                           ("custody_events", "CU-1", "insert"),
                           ("custody_events", "CU-2", "insert"),
                           ("custody_events", "CU-3", "insert"),
                           ("hazard_areas", "H-1", "update")}
        assert verify(s).ok


@pytest.mark.parametrize(("kind", "text", "line", "column", "words"), [
    ("exhumations", "id,grave_id,started_on\nEX-1,G-1,2022-09-16\nEX-2,G-9,2022-09-16\n",
     3, "grave_id", "not a stored grave"),
    ("exhumations", "id,grave_id,started_on,ended_on\nEX-1,G-1,2022-09-16,2022-09-01\n",
     2, "ended_on", "ended_on"),
    ("exhumations", "id,grave_id,started_on\nEX-1,G-1,2999-01-01\n", 2, "started_on",
     "future"),
    ("custody-events", CUSTODY + "CU-4,sample,PM-404,lab A,lab B,2022-09-22T09:00:00,x,\n",
     5, "item_id", "not a stored sample bar-code"),
    ("custody-events", CUSTODY + "CU-1,sample,PM-1,lab A,lab B,2022-09-22T09:00:00,x,\n",
     5, "id", "appears twice"),
    ("custody-events", "id,item_kind,item_id,from_party,to_party,occurred_at,reason\n"
     "CU-9,digital,F-1,camera,archive,2022-09-22T09:00:00,photo\n", 2, None, "sha256"),
    ("hazard-clearance", "id,cleared_on,cleared_by\nH-9,2022-09-14,unit\n", 2, "id",
     "not a stored hazard area"),
    ("hazard-clearance", "id,cleared_on,cleared_by\nH-1,2022-09-01,unit\n", 2, "cleared_on",
     "before the area was surveyed"),
    ("hazard-clearance", "id,cleared_on,cleared_by\nH-2,2022-09-14,\n", 2, "cleared_by",
     "expected who cleared"),
    ("hazard-clearance", "id,cleared_on,cleared_by\nH-2,14.09.2022,unit\n", 2, "cleared_on",
     "not a date"),
    ("hazard-clearance", "id,cleared_on,cleared_by\nH-2,2022-09-14,a\nH-2,2022-09-15,b\n", 3,
     "id", "appears twice"),
    ("hazard-clearance", "id,cleared_on,cleared_by\n", 2, None, "no data rows"),
])
def test_a_bad_row_is_refused_by_file_line_and_column_and_nothing_is_written(
        db, tmp_path, kind, text, line, column, words):
    path = _write(tmp_path, "bad.csv", text)
    with db.session() as s:
        before = len(audit_records(s))
    with pytest.raises(FormatError) as info:
        import_csv(db, kind, path)
    assert info.value.line == line
    if column is not None:
        assert info.value.column == column
    assert words in str(info.value) and str(path) in str(info.value)
    with db.session() as s:
        assert len(audit_records(s)) == before
        repos = Repositories(s)
        assert repos.exhumations.count() == 0 and repos.custody_events.count() == 0
        assert not repos.hazard_areas.get("H-2").cleared


def test_an_area_already_cleared_is_refused(db, tmp_path):
    import_csv(db, "hazard-clearance", _write(tmp_path, "a.csv", CLEARANCE))
    with pytest.raises(FormatError, match="already recorded as cleared on 2022-09-14"):
        import_csv(db, "hazard-clearance", _write(tmp_path, "b.csv", CLEARANCE))


def test_cli_imports(db, tmp_path):
    run = CliRunner().invoke
    for kind, text, noun in (("exhumations", EXHUMATIONS, "1 exhumations"),
                             ("custody-events", CUSTODY, "3 custody transfers"),
                             ("hazard-clearance", CLEARANCE, "1 hazard-area clearances")):
        result = run(cli, ["--database", db.url, "import", kind,
                           str(_write(tmp_path, f"{kind}.csv", text))])
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"Imported {noun} from ")
    text = CUSTODY.replace("CU-", "CU-X").replace("PM-1,lab B", "PM-7,lab B")
    bad = run(cli, ["--database", db.url, "import", "custody-events",
                    str(_write(tmp_path, "bad.csv", text))])
    assert bad.exit_code != 0
    assert "bad.csv, line 3, column item_id: 'PM-7' is not a stored sample bar-code" in \
        str(bad.exception)


@pytest.mark.parametrize("team", [
    '"[{""name"":""SYNTHETIC Hrytsenko"",""role"":""digger""},'
    '{""name"":""SYNTHETIC Hrytsenko"",""role"":""digger""}]"',
    '"[{""name"":""SYNTHETIC Hrytsenko"",""role"":""digger""]"',
    '"[{""name"":""SYNTHETIC Hrytsenko"",""role"":""""}]"',
])
def test_a_refused_team_never_names_its_people(db, tmp_path, team):
    path = _write(tmp_path, "ex.csv", f"id,grave_id,started_on,team\nEX-1,G-1,2022-09-16,{team}\n")
    with pytest.raises(FormatError) as info:
        import_csv(db, "exhumations", path)
    assert (info.value.line, info.value.column) == (2, "team")
    assert "Hrytsenko" not in str(info.value)
