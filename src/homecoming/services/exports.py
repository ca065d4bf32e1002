"""Records out of the database into lab and exchange formats.

Files are written whole or not at all (a temporary file renamed into place). Exports from
the database need the ``records.export`` permission (checked while accounts exist).

Consent (:mod:`homecoming.services.consent`): an export for investigators and prosecutors
(``audience="court"``, the default for an account with the investigator role and not the
analyst role) leaves out donors who consented to identification only or withdrew consent,
their samples and profiles; profile exports always leave out the profiles of donors whose
withdrawal is in effect. ``stats["withheld"]`` counts what was left out.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from homecoming.errors import FormatError, InputError
from homecoming.services._common import _authorize
from homecoming.services.audit import record_export

__all__ = ["PROFILE_FORMATS", "RECORD_KINDS", "export_profiles", "export_records",
           "export_geojson", "export_familias"]

PERMISSION_EXPORT = "records.export"
PROFILE_FORMATS = ("codis", "genemapper", "csv")
#: record kinds exported as CSV (also valid ``csv-update`` files), with their repository
RECORD_KINDS = ("missing_persons", "donors", "remains", "samples", "examinations", "incidents")


def export_profiles(db: Any, path: str | Path, *, fmt: str = "csv", source: str | None = None,
                    source_lab: str | None = None, category: str | None = None,
                    actor: str | None = None, audience: str | None = None,
                    stats: dict[str, int] | None = None) -> int:
    """Write the stored DNA profiles (by sample bar-code; ``source`` ``remains`` or ``donor``
    for only post-mortem or reference profiles) as CODIS CMF, GeneMapper or CSV; returns how
    many. ``audience`` ``court`` withholds the references without court consent (see the
    module); ``stats["withheld"]`` counts the profiles left out."""
    from homecoming.services.consent import court_withheld, export_audience, withdrawn_barcodes
    from homecoming.storage.repositories import ProfileRepository, profiles_for

    if fmt not in PROFILE_FORMATS:
        raise InputError(f"format {fmt!r}; expected one of {', '.join(PROFILE_FORMATS)}",
                         field="format", value=fmt)
    with db.session() as session:
        _authorize(session, PERMISSION_EXPORT, actor)
        records = ProfileRepository(session).list()
        if source is not None:
            wanted = {b for b, _ in profiles_for(session, source)}
            records = [r for r in records if r.sample_barcode in wanted]
        withheld = set(withdrawn_barcodes(session))
        if export_audience(session, audience, actor) == "court":
            withheld |= court_withheld(session)[1]
        n_before = len(records)
        records = [r for r in records if r.sample_barcode not in withheld]
        if stats is not None:
            stats["withheld"] = n_before - len(records)
        record_export(session, "profiles", [r.sample_barcode for r in records],
                      destination=str(path), file_format=fmt, actor=actor)
    records.sort(key=lambda r: r.sample_barcode)
    if fmt == "csv":
        from homecoming.formats.csv_records import format_profiles_csv
        from homecoming.formats.registry import atomic_write_text

        atomic_write_text(path, format_profiles_csv(records))
    else:
        profiles = {r.sample_barcode: dict(r.genotypes) for r in records}
        if fmt == "codis":
            from homecoming.formats.codis import write_cmf

            write_cmf(profiles, path, source_lab=source_lab, category=category,
                      submitted=dt.datetime.now(dt.UTC).replace(tzinfo=None))
        else:
            from homecoming.formats.genemapper import write_genemapper

            write_genemapper(profiles, path)
    return len(records)


def export_records(db: Any, kind: str, path: str | Path, *, actor: str | None = None,
                   stats: dict[str, int] | None = None, audience: str | None = None) -> int:
    """Every stored record of ``kind`` (:data:`RECORD_KINDS`) as CSV, one row per record;
    returns how many. Cells a spreadsheet would run as formulas get a leading ``'``
    (``stats["neutralised"]`` counts them when ``stats`` is given). ``audience`` ``court``
    leaves out donors (and their samples) without court consent (``stats["withheld"]``)."""
    from homecoming.formats.csv_records import write_csv
    from homecoming.services.consent import court_withheld, export_audience
    from homecoming.storage.repositories import Repositories

    if kind not in RECORD_KINDS:
        raise InputError(f"record kind {kind!r}; expected one of {', '.join(RECORD_KINDS)}",
                         field="kind", value=kind)
    with db.session() as session:
        _authorize(session, PERMISSION_EXPORT, actor)
        records = getattr(Repositories(session), kind).list()
        withheld = 0
        if kind in ("donors", "samples") and \
                export_audience(session, audience, actor) == "court":
            donors, barcodes = court_withheld(session)
            keep = [r for r in records
                    if (r.id not in donors if kind == "donors" else r.barcode not in barcodes)]
            withheld, records = len(records) - len(keep), keep
        elif audience is not None:
            export_audience(session, audience, actor)   # refuse an unknown audience
        if stats is not None:
            stats["withheld"] = withheld
        record_export(session, kind, [r.key for r in records], destination=str(path),
                      file_format="csv", actor=actor)
    write_csv(kind, records, path, stats=stats)
    return len(records)


_GEO_REPOSITORY = {"site": "sites", "hazard_area": "hazard_areas", "grave": "graves"}


def export_geojson(db: Any, path: str | Path, types: tuple[str, ...] = (), *,
                   actor: str | None = None) -> int:
    """Sites, graves and hazard areas (``types``; default all three) as a GeoJSON
    FeatureCollection (WGS 84); returns the number of features."""
    from homecoming.formats.geojson import write_geojson
    from homecoming.storage.repositories import Repositories

    unknown = [t for t in types if t not in _GEO_REPOSITORY]
    if unknown:
        raise InputError(f"record type {unknown[0]!r}; expected one of "
                         f"{', '.join(_GEO_REPOSITORY)}", field="type", value=unknown[0])
    records: list[Any] = []
    with db.session() as session:
        _authorize(session, PERMISSION_EXPORT, actor)
        repos = Repositories(session)
        for rt in ("site", "hazard_area", "grave"):    # parents before children
            if not types or rt in types:
                found = getattr(repos, _GEO_REPOSITORY[rt]).list()
                records.extend(found)
                record_export(session, _GEO_REPOSITORY[rt], [r.key for r in found],
                              destination=str(path), file_format="geojson", actor=actor)
    write_geojson(records, path)
    return len(records)


def export_familias(case: str | Path, path: str | Path) -> None:
    """A kinship case (kinship-case@1) or DVI dataset (dvi-dataset@1) JSON file as a Familias
    ``.fam`` file (validated first)."""
    from homecoming.formats.familias import DVI_DATASET_FORMAT, KINSHIP_CASE_FORMAT, write_fam

    case = Path(case)
    try:
        data = json.loads(case.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise FormatError(f"not valid JSON ({exc.msg}); expected a kinship-case@1 or "
                          "dvi-dataset@1 file", path=case, line=exc.lineno) from None
    kind = data.get("format") if isinstance(data, dict) else None
    if kind == KINSHIP_CASE_FORMAT:
        from homecoming.formats.kinship_case import load_kinship_case

        load_kinship_case(data)  # validate first
    elif kind == DVI_DATASET_FORMAT:
        from homecoming.formats.dvi_dataset import load_dvi_dataset

        load_dvi_dataset(data)
    else:
        raise FormatError(f"format {kind!r}; expected {KINSHIP_CASE_FORMAT!r} or "
                          f"{DVI_DATASET_FORMAT!r}", path=case, column="format", value=kind)
    write_fam(data, path)
