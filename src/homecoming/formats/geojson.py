"""GeoJSON (RFC 7946) import and export of sites, graves and hazard areas.

Export writes one ``FeatureCollection``; each record is a ``Feature`` whose ``geometry`` is
the record's location (``Site.location``, ``Grave.location`` — ``null`` when not surveyed —,
``HazardArea.area``), whose ``id`` is the record key and whose ``properties`` are the other
fields plus ``"record_type"`` (``"site"``, ``"grave"`` or ``"hazard_area"``)::

    {"type": "FeatureCollection", "features": [
      {"type": "Feature", "id": "S-1",
       "geometry": {"type": "Polygon", "coordinates": [[[37.21, 49.18], ...]]},
       "properties": {"record_type": "site", "id": "S-1", "name": "...", ...}}]}

Import reads the same layout. A feature without ``record_type`` takes the ``kind`` given by
the caller (e.g. ``homecoming import geojson --kind site``); GeoJSON from other tools thus
imports when its properties carry our field names. Coordinates are WGS 84 longitude,
latitude. A syntax error names the line; a feature that does not validate names its index
and field (``features[3].properties.site_id``) and stops the import — nothing is written.
Geometries other than Point and Polygon stop too (our records hold only those).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homecoming.errors import FormatError, InputError
from homecoming.formats.checks import check_text, show
from homecoming.formats.report import ImportReport

#: record_type -> (casework class name, geometry field)
RECORD_TYPES: dict[str, tuple[str, str]] = {
    "site": ("Site", "location"),
    "grave": ("Grave", "location"),
    "hazard_area": ("HazardArea", "area"),
}


def _model(record_type: str) -> Any:
    from homecoming import casework

    return getattr(casework, RECORD_TYPES[record_type][0])


def _record_type(record: Any) -> str:
    for rt, (cls_name, _) in RECORD_TYPES.items():
        if type(record).__name__ == cls_name:
            return rt
    raise InputError(f"cannot write a {type(record).__name__} as GeoJSON; expected a site, "
                     "grave or hazard area", field="record", value=type(record).__name__)


def feature(record: Any) -> dict:
    """One record as a GeoJSON Feature."""
    rt = _record_type(record)
    geom_field = RECORD_TYPES[rt][1]
    props = record.to_dict()
    geom = props.pop(geom_field, None)
    return {"type": "Feature", "id": record.key, "geometry": geom,
            "properties": {"record_type": rt, **props}}


def feature_collection(records: Iterable[Any]) -> dict:
    return {"type": "FeatureCollection", "features": [feature(r) for r in records]}


def format_geojson(records: Iterable[Any]) -> str:
    return json.dumps(feature_collection(records), ensure_ascii=False, indent=1) + "\n"


def write_geojson(records: Iterable[Any], path: str | os.PathLike[str], **options: object) -> Path:
    from homecoming.formats.registry import atomic_write_text

    return atomic_write_text(path, format_geojson(list(records)))


@dataclass
class GeoJsonImport:
    records: list[Any]
    report: ImportReport
    #: (record type, key) -> the feature it came from, e.g. ``"features[3]"``
    where: dict[tuple[str, str], str] = field(default_factory=dict)

    def of_type(self, record_type: str) -> list[Any]:
        cls_name = RECORD_TYPES[record_type][0]
        return [r for r in self.records if type(r).__name__ == cls_name]

    def require_sites(self, site_is_stored: Callable[[str], bool]) -> None:
        """Refuse the file if a grave or hazard area names a ``site_id`` that is neither a
        site in this file nor a stored site (``site_is_stored``): the error names the feature
        and field (``features[3].properties.site_id``). For the callers that store records."""
        sites = {r.key for r in self.of_type("site")}
        for rt in ("hazard_area", "grave"):
            for r in self.of_type(rt):
                site_id = getattr(r, "site_id", None)
                if site_id and site_id not in sites and not site_is_stored(site_id):
                    where = self.where.get((rt, r.key), rt)
                    raise FormatError(f"{where}: site_id {show(site_id)} is not a stored site nor "
                                      "a site in this file; expected the id of an existing site",
                                      path=self.report.source,
                                      column=f"{where}.properties.site_id", value=site_id)


def parse_geojson(text: str, *, path: str | None = None,
                  kind: str | None = None) -> GeoJsonImport:
    if kind is not None and kind not in RECORD_TYPES:
        raise InputError(f"kind {kind!r}; expected one of {sorted(RECORD_TYPES)}", field="kind",
                         value=kind)
    report = ImportReport(source=path, format="geojson")
    check_text(text, path=path, expected="GeoJSON text")
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON ({exc.msg}); expected a GeoJSON FeatureCollection",
                          path=path, line=exc.lineno, column=exc.colno) from None
    except RecursionError:
        raise FormatError("JSON nested too deeply; expected a GeoJSON FeatureCollection",
                          path=path) from None
    if isinstance(obj, dict) and obj.get("type") == "Feature":
        features = [obj]
    elif isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            raise FormatError("'features' is not a list; expected a list of Features", path=path,
                              column="features")
    else:
        got = obj.get("type") if isinstance(obj, dict) else type(obj).__name__
        raise FormatError(f"top-level type {got!r}; expected 'FeatureCollection' or 'Feature'",
                          path=path, column="type", value=got)
    if not features:
        raise FormatError("no features; expected at least one Feature (an empty collection "
                          "imports nothing and is refused)", path=path, column="features")
    records = []
    keys: set[tuple[str, str]] = set()
    places: dict[tuple[str, str], str] = {}
    for i, f in enumerate(features):
        where = f"features[{i}]"
        if not isinstance(f, dict) or f.get("type") != "Feature":
            raise FormatError(f"{where}: not a Feature object; expected "
                              "{\"type\": \"Feature\", ...}", path=path, column=where)
        props = f.get("properties")
        if props is None:
            props = {}
        if not isinstance(props, dict):
            raise FormatError(f"{where}.properties: not an object; expected an object",
                              path=path, column=f"{where}.properties")
        rt = props.get("record_type", kind)
        if rt is None:
            raise FormatError(f"{where}.properties.record_type is missing; expected one of "
                              f"{sorted(RECORD_TYPES)} (Tip: pass kind= / --kind)", path=path,
                              column=f"{where}.properties.record_type")
        if rt not in RECORD_TYPES:
            raise FormatError(f"{where}.properties.record_type {rt!r}; expected one of "
                              f"{sorted(RECORD_TYPES)}", path=path, value=rt,
                              column=f"{where}.properties.record_type")
        if kind is not None and rt != kind:
            raise FormatError(f"{where}: record_type {rt!r} but kind {kind!r} was asked for",
                              path=path, column=f"{where}.properties.record_type", value=rt)
        geom = f.get("geometry")
        if geom is not None and (not isinstance(geom, dict)
                                 or geom.get("type") not in ("Point", "Polygon")):
            got = geom.get("type") if isinstance(geom, dict) else geom
            raise FormatError(f"{where}.geometry type {got!r}; expected 'Point' or 'Polygon'",
                              path=path, column=f"{where}.geometry", value=got)
        data = {k: v for k, v in props.items() if k != "record_type"}
        geom_field = RECORD_TYPES[rt][1]
        data[geom_field] = geom
        model = _model(rt)
        if model.key_field not in data and f.get("id") is not None:
            data[model.key_field] = str(f["id"])
            report.fix(f"{where}: key taken from the Feature id")
        elif (f.get("id") is not None and data.get(model.key_field) is not None
              and str(f["id"]) != str(data[model.key_field])):
            raise FormatError(f"{where}: Feature id {f['id']!r} differs from properties."
                              f"{model.key_field} {data[model.key_field]!r}; expected the same "
                              "key in both (or only one of them)", path=path,
                              column=f"{where}.id", value=f["id"])
        try:
            record = model.from_dict(data)
        except (InputError, ValueError, TypeError) as exc:
            raise FormatError(f"{where}: {str(exc).splitlines()[0]}", path=path,
                              column=f"{where}.properties") from None
        key = (rt, record.key)
        if key in keys:
            raise FormatError(f"{where}: {rt} {record.key!r} appears twice; expected unique "
                              "ids", path=path, column=where, value=record.key)
        keys.add(key)
        places[key] = where
        records.append(record)
    for rt in RECORD_TYPES:
        n = sum(1 for r in records if type(r).__name__ == RECORD_TYPES[rt][0])
        if n:
            report.counts[rt + "s"] = n
    return GeoJsonImport(records, report, places)


def read_geojson(path: str | os.PathLike[str], *, kind: str | None = None) -> GeoJsonImport:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror or exc}); expected a GeoJSON "
                          "file", path=str(path)) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text (byte {exc.start}); expected a UTF-8 GeoJSON file",
                          path=str(path)) from None
    return parse_geojson(text, path=str(path), kind=kind)


def _registry_reader(path: Path, **options: Any):
    from homecoming.formats.registry import Imported

    imp = read_geojson(path, **options)
    return Imported(imp, imp.report)


def _formats() -> list:
    from homecoming.formats.registry import FileFormat

    return [FileFormat("geojson", "GeoJSON FeatureCollection of sites, graves, hazard areas",
                       (".geojson",), "features", _registry_reader, write_geojson,
                       module=__name__)]


FORMATS = _formats()

__all__ = ["RECORD_TYPES", "GeoJsonImport", "feature", "feature_collection",
           "format_geojson", "parse_geojson", "read_geojson", "write_geojson",
           "FORMATS"]
