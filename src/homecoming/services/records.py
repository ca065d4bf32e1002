"""Every stored record visible: list and show any kind of record, and the audit trail.

Kinds (:data:`KINDS`): sites, hazard-areas, graves, exhumations, incidents, remains,
examinations, samples (shown with their chain of custody), custody-events, missing-persons,
donors, profiles, staff-profiles, candidates, identifications. Reading needs
``records.view`` (``identifications.view`` for identifications; missing persons and donors,
whose records name people, ``persons.view`` as well); a profile's genotypes are
shown only when asked for, need ``profiles.view_genotypes``, and each such read is written to
the access log (who, when, which profile; never the alleles).

Every read of personal data (missing persons, donors) and of genotypes is ONE ``read`` entry
of the hash-chained audit trail per request (:func:`homecoming.services.audit.record_read`:
who, when, why, and the keys of the records read).

Consent (:mod:`homecoming.services.consent`): an investigator or prosecutor (the ``court``
audience) never sees a donor who consented to identification only or withdrew consent, nor
their samples, profiles, custody events or candidate pairs
(:func:`~homecoming.services.consent.viewer_withheld`); ``show`` of one refuses.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homecoming.errors import InputError, NotFoundError, PermissionDenied
from homecoming.services.accounts import authorize

__all__ = ["KINDS", "list_records", "show_record", "audit_log", "withheld_conditions",
           "is_withheld", "audit_shown"]


@dataclass(frozen=True)
class _Kind:
    repo: str | None           # attribute of Repositories, None: special
    status_field: str | None = None


#: kind name (CLI spelling) -> how to read it
KINDS: dict[str, _Kind] = {
    "sites": _Kind("sites", "verification_status"),
    "hazard-areas": _Kind("hazard_areas"),
    "graves": _Kind("graves", "status"),
    "exhumations": _Kind("exhumations"),
    "incidents": _Kind("incidents"),
    "remains": _Kind("remains", "status"),
    "examinations": _Kind("examinations", "status"),
    "samples": _Kind("samples", "result_status"),
    "custody-events": _Kind("custody_events"),
    "missing-persons": _Kind("missing_persons", "status"),
    "donors": _Kind("donors", "consent"),
    "profiles": _Kind("profiles", "quality"),
    "staff-profiles": _Kind("staff_profiles", "quality"),
    "candidates": _Kind(None),
    "identifications": _Kind(None, "status"),
}
_GENOTYPED = {"profiles", "staff-profiles"}
#: kinds whose records name people: reading them needs ``persons.view`` too (issue 12 item 3)
_PERSONS = {"missing-persons", "donors"}


def _kind(kind: str) -> _Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise InputError(f"record kind {kind!r} is unknown; expected one of "
                         f"{', '.join(KINDS)}", field="KIND", value=kind) from None


def _plain(record: Any, kind: str, *, genotypes: bool) -> dict[str, Any]:
    data = record.model_dump(mode="json") if hasattr(record, "model_dump") else dict(record)
    if kind in _GENOTYPED and not genotypes:
        loci = data.pop("genotypes", {}) or {}
        data["loci_typed"] = len(loci)
    return data


def _matches(data: dict[str, Any], search: str | None) -> bool:
    if not search:
        return True
    return search.casefold() in json.dumps(data, ensure_ascii=False, default=str).casefold()


def _candidates(session: Any) -> list[dict[str, Any]]:
    from homecoming.storage.repositories import candidate_key, list_candidates

    return [{"id": candidate_key(c.pm_barcode, c.ref_barcode, c.relationship),
             **c.model_dump(mode="json")} for c in list_candidates(session)]


def list_records(session: Any, kind: str, *, status: str | None = None,
                 search: str | None = None, genotypes: bool = False,
                 limit: int | None = None, actor: str | None = None) -> list[dict[str, Any]]:
    """Records of one kind as plain dicts (key order), filtered by status and free text."""
    spec = _kind(kind)
    if kind == "identifications":
        from homecoming.services.identifications import list_identifications

        rows = list_identifications(session, status=status, search=search, actor=actor)
        return rows[:limit] if limit is not None else rows
    who = authorize(session, "records.view", actor=actor)
    if kind in _PERSONS:
        authorize(session, "persons.view", actor=who)
    if genotypes:
        if kind not in _GENOTYPED:
            raise InputError(f"--genotypes applies to profiles and staff-profiles, not {kind}",
                             field="--genotypes", value=kind)
        authorize(session, "profiles.view_genotypes", actor=who)
    if status is not None and spec.status_field is None:
        raise InputError(f"{kind} have no status; expected no --status (kinds with one: "
                         f"{', '.join(k for k, s in KINDS.items() if s.status_field)})",
                         field="--status", value=status)
    donors, barcodes = _withheld(session, who)
    if kind == "candidates":
        rows = [r for r in _candidates(session) if _matches(r, search)
                and not _withheld_key(kind, r, donors, barcodes)]
        return rows[:limit] if limit is not None else rows
    from homecoming.storage.repositories import Repositories

    repo = getattr(Repositories(session), spec.repo or "")
    filters = {spec.status_field: status} if status is not None and spec.status_field else {}
    out = []
    for record in repo.list(**filters):
        data = _plain(record, kind, genotypes=genotypes)
        if _withheld_key(kind, data, donors, barcodes):
            continue
        if _matches(data, search):
            out.append(data)
            if limit is not None and len(out) >= limit:
                break
    _log_person_reads(session, who, kind, [r.get("id") for r in out], "list")
    if genotypes:
        _log_genotype_reads(session, who, kind, [r.get("sample_barcode") or r.get("staff_code")
                                                 for r in out])
    return out


_GENOTYPE_PURPOSE = "genotypes shown (homecoming list/show --genotypes)"


def _log_genotype_reads(session: Any, who: str, kind: str, keys: list[Any]) -> None:
    """One chained ``read`` entry for the request, and a row per profile in the access log."""
    import datetime as _dt

    from sqlalchemy import insert

    from homecoming.services.audit import record_read
    from homecoming.storage.tables_identifications import access_log

    table = kind.replace("-", "_")
    names = sorted({str(k) for k in keys if k is not None})
    if not names:
        return
    record_read(session, table, names, purpose=_GENOTYPE_PURPOSE, actor=who)
    now = _dt.datetime.now(_dt.UTC)
    session.execute(insert(access_log), [{"at": now, "user_name": who, "table_name": table,
                                          "record_key": k, "purpose": _GENOTYPE_PURPOSE}
                                         for k in names])


def _log_person_reads(session: Any, who: str, kind: str, keys: list[Any],
                      command: str) -> None:
    if kind in _PERSONS:
        from homecoming.services.audit import record_read

        record_read(session, kind.replace("-", "_"), keys,
                    purpose=f"personal data shown (homecoming {command} {kind})", actor=who)


def _withheld_key(kind: str, data: dict[str, Any], donors: set[str],
                  barcodes: set[str]) -> bool:
    """Whether a court-audience viewer may not see this record (see the module doc)."""
    if kind == "donors":
        return str(data.get("id")) in donors
    if kind == "samples":
        return str(data.get("barcode")) in barcodes
    if kind == "profiles":
        return str(data.get("sample_barcode")) in barcodes
    if kind == "custody-events":
        return str(data.get("item_id")) in barcodes
    if kind == "candidates":
        return str(data.get("ref_barcode")) in barcodes
    return False


def _withheld(session: Any, who: str) -> tuple[set[str], set[str]]:
    """:func:`~homecoming.services.consent.viewer_withheld`, once per session and actor."""
    from homecoming.services.consent import viewer_withheld

    cache = session.info.setdefault("homecoming.withheld", {})
    if who not in cache:
        cache[who] = viewer_withheld(session, who)
    return cache[who]


def show_record(session: Any, kind: str, key: str, *, genotypes: bool = False,
                actor: str | None = None) -> dict[str, Any]:
    """One record as a plain dict; samples come with their chain of custody, remains with
    theirs and their samples, missing persons with their donors."""
    if kind == "identifications":
        from homecoming.services.identifications import get_identification

        return get_identification(session, key, actor=actor)
    spec = _kind(kind)
    who = authorize(session, "records.view", actor=actor)
    if kind in _PERSONS:
        authorize(session, "persons.view", actor=who)
    if genotypes:
        if kind not in _GENOTYPED:
            raise InputError(f"--genotypes applies to profiles and staff-profiles, not {kind}",
                             field="--genotypes", value=kind)
        authorize(session, "profiles.view_genotypes", actor=who)
    donors, barcodes = _withheld(session, who)
    if kind == "candidates":
        for row in _candidates(session):
            if row["id"] == key:
                if _withheld_key(kind, row, donors, barcodes):
                    raise _refused(kind, key)
                return row
        raise NotFoundError(f"candidate {key!r} not found")
    from homecoming.storage.repositories import Repositories

    repos = Repositories(session)
    repo = getattr(repos, spec.repo or "")
    data = _plain(repo.get(key), kind, genotypes=genotypes)
    if _withheld_key(kind, data, donors, barcodes):
        raise _refused(kind, key)
    extra: dict[str, Callable[[], Any]] = {
        "samples": lambda: {"custody": [e.model_dump(mode="json")
                                        for e in repos.custody_events.chain(key)]},
        "remains": lambda: {"custody": [e.model_dump(mode="json")
                                        for e in repos.custody_events.chain(key)],
                            "samples": [s.barcode for s in repos.samples.list(remains_code=key)],
                            "examinations": [e.id for e in
                                             repos.examinations.list(remains_code=key)]},
        "missing-persons": lambda: {"donors": [d.id for d in
                                               repos.donors.list(missing_person_id=key)]},
        "graves": lambda: {"remains": [r.code for r in repos.remains.list(grave_id=key)],
                           "exhumations": [e.id for e in repos.exhumations.list(grave_id=key)]},
    }
    if kind in extra:
        data.update(extra[kind]())
    if kind == "missing-persons" and donors:
        data["donors"] = [d for d in data["donors"] if d not in donors]
    if kind == "samples" and barcodes and data.get("donor_id") in donors:
        raise _refused(kind, key)
    _log_person_reads(session, who, kind, [key], "show")
    if genotypes:
        _log_genotype_reads(session, who, kind, [key])
    return data


# --- the same rules for other views (the web pages, services.web_queries) ------------------

#: kind -> the column that names the donor (``donors``) or the sample bar-code of a record
_WITHHELD_COLUMN = {"donors": ("id", 0), "samples": ("barcode", 1),
                    "profiles": ("sample_barcode", 1), "custody-events": ("item_id", 1)}


def withheld_conditions(session: Any, kind: str, table: Any, actor: str | None) -> list[Any]:
    """SQL conditions that leave out of a query of ``kind`` on ``table`` what ``actor`` may
    not see (court audience: donors without court consent or withdrawn, their samples,
    profiles and custody events; see the module doc). Empty for everyone else."""
    column = _WITHHELD_COLUMN.get(kind)
    if actor is None or column is None:
        return []
    withheld = _withheld(session, actor)[column[1]]
    return [table.c[column[0]].not_in(sorted(withheld))] if withheld else []


def is_withheld(session: Any, kind: str, row: Any, actor: str | None) -> bool:
    """Whether ``actor`` may not see this record of ``kind`` (a dict of its fields)."""
    if actor is None:
        return False
    donors, barcodes = _withheld(session, actor)
    return _withheld_key(kind, dict(row), donors, barcodes) or (
        kind == "samples" and str(dict(row).get("donor_id")) in donors)


def audit_shown(session: Any, shown: dict[str, list[Any]], *, actor: str | None,
                where: str) -> None:
    """Audit what a page showed of personal data: ``shown`` maps a kind to the keys of its
    records on the page; one chained ``read`` entry per kind of people (missing persons,
    donors) shown, naming the records (``where``: e.g. ``web /records/donors``)."""
    from homecoming.services.audit import record_read

    for kind in shown:              # the page's own kind first, then its related records
        if kind in _PERSONS:
            record_read(session, kind.replace("-", "_"), shown[kind],
                        purpose=f"personal data shown ({where})", actor=actor)


def _refused(kind: str, key: str) -> PermissionDenied:
    return PermissionDenied(f"{kind} {key!r} is not shown to investigators and prosecutors: "
                            "the donor consented to identification only or withdrew consent")


def audit_log(session: Any, *, record: str | None = None, table: str | None = None,
              actor: str | None = None) -> list[dict[str, Any]]:
    """The audit trail, oldest first: changes, and reads of genotypes (``action`` ``read``,
    the purpose in ``after``), optionally for one record or table (permission
    ``audit.view``)."""
    from homecoming.storage.repositories import audit_records

    authorize(session, "audit.view", actor=actor)
    found = audit_records(session, table=table, key=record)
    if record is not None:
        # a read or export naming several records (record_key "<n> records") names this
        # one in after["records"] (found through the audit_mentions index)
        many = [a for a in audit_records(session, table=table, mentions=record)
                if a.record_key != record]
        found = sorted(found + many, key=lambda a: a.id)
    out = []
    for a in found:
        after = a.after
        if a.action == "read":
            records = (a.after or {}).get("records") or []
            after = {"purpose": a.get("reason")}
            if len(records) > 1:
                after["records"] = records
        out.append({"id": a.id, "at": a.at.isoformat(), "user": a.user_name,
                    "table": a.table_name, "record": a.record_key, "action": a.action,
                    "before": a.before, "after": after})
    return out
