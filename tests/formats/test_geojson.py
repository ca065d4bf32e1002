"""GeoJSON import/export of sites, graves and hazard areas (synthetic records)."""

from __future__ import annotations

import json

import pytest
from formats_fixtures import make_casework

from homecoming.errors import FormatError, InputError
from homecoming.formats.geojson import (
    feature_collection,
    parse_geojson,
    read_geojson,
    write_geojson,
)
from homecoming.services.format_store import export_records, import_records


def test_export_shape():
    r = make_casework()
    fc = feature_collection([r.site, r.grave, r.hazard])
    site, grave, hazard = fc["features"]
    assert site["id"] == "S-1" and site["geometry"]["type"] == "Polygon"
    assert site["geometry"]["coordinates"][0][0] == [37.21, 49.18]
    assert site["properties"]["record_type"] == "site" and "location" not in site["properties"]
    assert grave["geometry"] == {"type": "Point", "coordinates": [37.22, 49.185]}
    assert grave["properties"]["site_id"] == "S-1"
    assert hazard["properties"]["hazard"] == "mines" and "area" not in hazard["properties"]


def test_round_trip(tmp_path):
    r = make_casework()
    path = write_geojson([r.site, r.grave, r.hazard], tmp_path / "s.geojson")
    back = read_geojson(path)
    assert back.records == [r.site, r.grave, r.hazard]
    assert back.report.counts == {"sites": 1, "graves": 1, "hazard_areas": 1}


def test_foreign_geojson_with_kind():
    text = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "G-9", "geometry": {"type": "Point", "coordinates": [30.5, 50.4]},
         "properties": {"site_id": "S-1", "label": "9"}}]})
    imp = parse_geojson(text, kind="grave")
    (g,) = imp.records
    assert g.id == "G-9" and g.location.longitude == 30.5
    assert len(imp.report.fixes) == 1  # key taken from the Feature id


@pytest.mark.parametrize("text,match", [
    ('{"type": "FeatureCollection", "features": [\n{"type": "Feature",}]}', "not valid JSON"),
    ('{"type": "Topology"}', "expected 'FeatureCollection'"),
    ('{"type": "Feature", "geometry": {"type": "LineString", "coordinates": []}, '
     '"properties": {"record_type": "grave"}}', "LineString"),
    ('{"type": "Feature", "geometry": null, "properties": {"record_type": "grave", "id": "G"}}',
     "features\\[0\\]"),
    ('{"type": "Feature", "geometry": null, "properties": {}}', "record_type"),
    ('{"type": "Feature", "id": "G-1", "geometry": {"type": "Point", "coordinates": [30.5, 50]},'
     ' "properties": {"record_type": "grave", "id": "G-2", "site_id": "S-1", "label": "1"}}',
     r"features\[0\]: Feature id 'G-1' differs from properties.id 'G-2'"),
])
def test_faults(text, match):
    with pytest.raises(FormatError, match=match):
        parse_geojson(text, path="g.geojson")


def test_syntax_error_names_line():
    with pytest.raises(FormatError) as err:
        parse_geojson('{"type": "FeatureCollection",\n "features": [\n  {,}]}', path="g")
    assert err.value.line == 3


def test_import_and_export_storage(casework_db, tmp_path):
    text = json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "id": "G-2", "geometry": {"type": "Point", "coordinates": [30.5, 50.4]},
         "properties": {"record_type": "grave", "site_id": "S-1", "label": "2"}}]})
    imp = parse_geojson(text)
    with casework_db.session() as session:
        report = import_records(session, imp)
    assert report.counts["added"] == 1
    with casework_db.session() as session:
        records = export_records(session)
    assert [type(r).__name__ for r in records] == ["Site", "HazardArea", "Grave", "Grave"]
    # importing again stops, nothing changes
    with pytest.raises(InputError, match="already stored"):
        with casework_db.session() as session:
            import_records(session, parse_geojson(text))
    moved = text.replace("30.5", "30.6")
    with casework_db.session() as session:
        report = import_records(session, parse_geojson(moved), replace=True)
    assert report.counts["updated"] == 1
    with casework_db.session() as session:
        from homecoming.storage.repositories import GraveRepository
        assert GraveRepository(session).get("G-2").location.longitude == 30.6
