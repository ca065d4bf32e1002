"""GeoJSON: unknown site_id names the feature and field; empty collections and control
characters are refused (issue 13, failures 4 and 9). Synthetic records."""

from __future__ import annotations

import json

import pytest

from homecoming.errors import FormatError
from homecoming.formats.geojson import parse_geojson
from homecoming.services.format_store import import_records


def _collection(*features):
    return json.dumps({"type": "FeatureCollection", "features": list(features)},
                      ensure_ascii=False)


def _grave(gid, site_id):
    return {"type": "Feature", "id": gid, "geometry": {"type": "Point",
                                                       "coordinates": [37.22, 49.18]},
            "properties": {"record_type": "grave", "site_id": site_id, "label": "7"}}


def test_unknown_site_id_names_feature_and_field(casework_db):
    from homecoming.storage.repositories import GraveRepository

    text = _collection(_grave("G-7", "S-1"), _grave("G-8", "S-404"))
    with pytest.raises(FormatError) as err:
        with casework_db.session() as session:
            import_records(session, parse_geojson(text, path="g.geojson"))
    assert str(err.value).startswith("g.geojson, column features[1].properties.site_id: ")
    assert "'S-404' is not a stored site" in str(err.value)
    with casework_db.session() as session:
        assert GraveRepository(session).count() == 1          # only the fixture's grave


def test_site_in_the_same_file_is_accepted(casework_db):
    site = {"type": "Feature", "id": "S-2", "geometry": {"type": "Point",
                                                         "coordinates": [37.0, 49.0]},
            "properties": {"record_type": "site", "name": "site 2 (synthetic)",
                           "location_precision": "gps", "reported_via": "official",
                           "reported_on": "2022-09-10"}}
    text = _collection(_grave("G-9", "S-2"), site)
    with casework_db.session() as session:
        report = import_records(session, parse_geojson(text, path="g.geojson"))
    assert report.counts["added"] == 2


@pytest.mark.parametrize("text,match", [
    ('{"type": "FeatureCollection", "features": []}', "no features"),
    (_collection(_grave("G\u202e7", "S-1")), "U\\+202E"),
])
def test_empty_and_control_characters_refused(text, match):
    with pytest.raises(FormatError, match=match) as err:
        parse_geojson(text, path="g.geojson")
    assert "\u202e" not in str(err.value)


def test_require_sites_for_the_services_layer():
    imp = parse_geojson(_collection(_grave("G-7", "S-1"), _grave("G-8", "S-404")),
                        path="g.geojson")
    imp.require_sites(lambda key: True)                    # both sites "stored": no error
    with pytest.raises(FormatError, match=r"column features\[1\]\.properties\.site_id: "):
        imp.require_sites(lambda key: key != "S-404")


def test_the_import_service_checks_site_ids_too(casework_db, tmp_path):
    """``homecoming import geojson`` goes through services.imports.import_geojson, which
    must apply the same check (it used to store the grave with a dangling site_id)."""
    from homecoming.services.imports import import_geojson
    from homecoming.storage.repositories import GraveRepository

    path = tmp_path / "g.geojson"
    path.write_text(_collection(_grave("G-8", "S-404")), encoding="utf-8")
    with pytest.raises(FormatError, match=r"column features\[0\]\.properties\.site_id: .*"
                                          "'S-404' is not a stored site"):
        import_geojson(casework_db, path)
    with casework_db.session() as session:
        assert GraveRepository(session).count() == 1          # only the fixture's grave
