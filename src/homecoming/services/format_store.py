"""Storing what the file formats read, and reading stored records for them, in a session.

The session-taking helpers of :mod:`homecoming.formats` live here, so that the formats package
never imports the database (import-linter contract "File formats never touch the database").
The formats parse, check and write files; these functions look records up and store them
through the repositories, in the caller's session and transaction.

* GeneMapper: :func:`import_profiles`;
* GeoJSON: :func:`import_records`, :func:`export_records`;
* CSV records: :func:`export_csv`, :func:`plan_update`, :func:`apply_update`,
  :func:`update_from_csv`.

The use cases with permissions and auditing (:mod:`homecoming.services.imports`,
:mod:`homecoming.services.exports`) build on these.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Any

from homecoming.errors import FormatError, InputError
from homecoming.formats.checks import show
from homecoming.formats.csv_records import (
    RECORD_KINDS,
    REFERENCES,
    UpdatePlan,
    plan_changes,
    write_csv,
)
from homecoming.formats.genemapper import GeneMapperTable
from homecoming.formats.geojson import RECORD_TYPES, GeoJsonImport
from homecoming.formats.report import ImportReport

__all__ = ["apply_update", "export_csv", "export_records", "import_profiles", "import_records",
           "plan_update", "update_from_csv"]


# --- GeneMapper ---------------------------------------------------------------------------

def import_profiles(session: object, table: GeneMapperTable, *, kit: str | None = None,
                    laboratory: str | None = None, replace: bool = False,
                    include_mixtures: bool = False, dry_run: bool = False,
                    user: str | None = None) -> ImportReport:
    """Store the table's profiles on their samples (by bar-code), in the caller's session
    (audited as ``user``).

    Every bar-code must be a stored sample; if one is not, or a sample already has a profile
    and ``replace`` is false, nothing is written and :class:`InputError` names them.
    Returns the table's report with counts ``added`` / ``replaced`` / ``skipped``.
    """
    from homecoming.casework import DnaProfile
    from homecoming.storage.repositories import Repositories

    report = table.report
    repos = Repositories(session, user=user)  # type: ignore[arg-type]
    usable = table.usable(include_mixtures=include_mixtures)
    table.require_stored(repos.samples.keys().__contains__, usable)
    with_profile = repos.profiles.keys()
    existing = [s.barcode for s in usable if s.barcode in with_profile]
    if existing and not replace:
        first = next(s for s in usable if s.barcode == existing[0])
        raise FormatError(f"sample {show(existing[0])} already has a profile"
                          f"{f' (and {len(existing) - 1} more)' if len(existing) > 1 else ''}; "
                          "nothing imported (Tip: --replace to overwrite)", path=report.source,
                          line=first.first_line, column=table.id_column, value=existing)
    added = replaced = 0
    for s in usable:
        record = DnaProfile(sample_barcode=s.barcode, genotypes=dict(s.genotypes), kit=kit,
                            laboratory=laboratory, quality=s.quality)
        if s.barcode in existing:
            if not dry_run:
                repos.profiles.update(s.barcode, genotypes=record.genotypes, kit=kit,
                                      laboratory=laboratory, quality=record.quality)
            replaced += 1
        else:
            if not dry_run:
                repos.profiles.add(record)
            added += 1
    report.counts.update({"added": added, "replaced": replaced,
                          "skipped": len(table.samples) - len(usable)})
    table.count_rows(usable)
    return report


# --- GeoJSON ------------------------------------------------------------------------------

_ORDER = ("site", "hazard_area", "grave")  # parents before children


def import_records(session: object, imported: GeoJsonImport, *, replace: bool = False,
                   dry_run: bool = False, user: str | None = None) -> ImportReport:
    """Store the records in the caller's session (one transaction: all or nothing), audited
    as ``user``.

    A grave or hazard area whose ``site_id`` is neither stored nor in the file stops the
    import (feature and field named); a record whose key already exists stops it unless
    ``replace`` (then it is updated, each change audited by the repository).
    """
    from homecoming.storage.repositories import Repositories

    all_repos = Repositories(session, user=user)  # type: ignore[arg-type]
    repos = {"site": all_repos.sites, "grave": all_repos.graves,
             "hazard_area": all_repos.hazard_areas}
    report = imported.report
    imported.require_sites(repos["site"].exists)
    existing = [(rt, r.key) for rt in _ORDER for r in imported.of_type(rt)
                if repos[rt].exists(r.key)]
    if existing and not replace:
        listed = ", ".join(f"{rt} {k}" for rt, k in existing[:10])
        raise InputError(f"{report.source or 'GeoJSON'}: {listed} already stored; nothing "
                         "imported (Tip: --replace to update them)", field="id",
                         value=[k for _, k in existing])
    added = updated = 0
    for rt in _ORDER:
        repo = repos[rt]
        for r in imported.of_type(rt):
            if (rt, r.key) in existing:
                if not dry_run:
                    changes = {k: v for k, v in r.model_dump(mode="python").items()
                               if k != r.key_field}
                    repo.update(r.key, **changes)
                updated += 1
            else:
                if not dry_run:
                    repo.add(r)
                added += 1
    report.counts.update({"added": added, "updated": updated})
    return report


def export_records(session: object, record_types: Sequence[str] = tuple(RECORD_TYPES)
                   ) -> list[Any]:
    """Every stored record of the given types (sites, then hazard areas, then graves)."""
    from homecoming.storage.repositories import (
        GraveRepository,
        HazardAreaRepository,
        SiteRepository,
    )

    classes = {"site": SiteRepository, "hazard_area": HazardAreaRepository,
               "grave": GraveRepository}
    out: list[Any] = []
    for rt in _ORDER:
        if rt in record_types:
            out.extend(classes[rt](session).list())  # type: ignore[arg-type]
    return out


# --- CSV records --------------------------------------------------------------------------

def _repository(kind: str) -> Any:
    """The repository class of a CSV record type (named in ``csv_records.RECORD_KINDS``)."""
    if kind not in RECORD_KINDS:
        raise InputError(f"record type {kind!r}; expected one of {sorted(RECORD_KINDS)}",
                         field="kind", value=kind)
    from homecoming.storage import repositories

    return getattr(repositories, RECORD_KINDS[kind][1])


def export_csv(session: object, kind: str, path: str | os.PathLike[str], *,
               neutralise: bool = True, stats: dict[str, int] | None = None) -> int:
    """Write every stored record of ``kind`` to ``path``; returns the number of rows."""
    repo_cls = _repository(kind)
    records = repo_cls(session).list()
    write_csv(kind, records, path, neutralise=neutralise, stats=stats)
    return len(records)


def plan_update(session: object, kind: str, source: str | os.PathLike[str] | io.StringIO, *,
                path: str | None = None) -> UpdatePlan:
    """Validate an update CSV against the stored records and return the diff (see
    :mod:`homecoming.formats.csv_records`).

    Looks the records up in ``session``; :func:`~homecoming.formats.csv_records.plan_changes`
    is the same check with the look-ups passed in."""
    from homecoming.storage import repositories

    repo_cls = _repository(kind)
    exists = {column: getattr(repositories, repo_name)(session).exists
              for column, (repo_name, _) in REFERENCES.get(kind, {}).items()}
    return plan_changes(kind, source, find=repo_cls(session).find, references=exists,
                        path=path)


def apply_update(session: object, plan: UpdatePlan) -> int:
    """Write the plan's changes (in the caller's transaction); returns records updated."""
    repo_cls = _repository(plan.kind)
    repo = repo_cls(session)
    for key, changes in plan._updates.items():
        repo.update(key, **changes)
    return len(plan._updates)


def update_from_csv(session: object, kind: str, path: str | os.PathLike[str], *,
                    dry_run: bool = False) -> UpdatePlan:
    """:func:`plan_update`, then :func:`apply_update` unless ``dry_run``."""
    plan = plan_update(session, kind, path)
    if not dry_run:
        apply_update(session, plan)
    return plan
