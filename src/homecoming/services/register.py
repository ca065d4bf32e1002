"""The missing-persons register, as the families' officers see it: the register (search,
filters, pages) with each person's donors and newest identification, one person's file (the
family pedigree rebuilt from the donor records, the donors with their consent scope and any
withdrawal, the identifications, notifications and releases), and what withdrawing a donor's
consent would do (:func:`withdrawal_effects`, the same rule as
:func:`homecoming.services.consent.withdraw_consent`).

Read-only. Permission ``persons.view`` (names of people); no genotype is ever read here — a
donor's reference is described by its sample bar-codes and whether a profile is stored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from homecoming.services.accounts import authorize
from homecoming.services.consent import viewer_withheld
from homecoming.services.records import audit_shown
from homecoming.services.web_queries import RecordPage, list_records

__all__ = ["PERMISSION_VIEW", "register_page", "person_file", "withdrawal_effects",
           "families_waiting"]

#: the permission of every function here (a lab, field, pathologist or monitor account never
#: sees a name)
PERMISSION_VIEW = "persons.view"


def register_page(session: Any, *, search: str = "", filters: Mapping[str, str] | None = None,
                  page: int = 1, page_size: int = 50, actor: str | None = None) -> RecordPage:
    """A page of the register (missing persons in Ukrainian alphabetical order, searched in
    names and last-seen place, filtered by status and sex); each row also carries
    ``donors`` (how many reference donors), ``withdrawn`` (how many of them withdrew
    consent) and ``identification`` (the newest identification's status, or None)."""
    from homecoming.storage import tables as t
    from homecoming.storage import tables_identifications as ti
    from homecoming.storage.tables_consent import consent_withdrawals as cw

    who = authorize(session, PERMISSION_VIEW, actor=actor)
    result = list_records(session, "missing-persons", search=search, filters=filters,
                          page=page, page_size=page_size)
    ids = [str(r["id"]) for r in result.rows]
    donors: Counter[str] = Counter()
    withdrawn: Counter[str] = Counter()
    newest: dict[str, str] = {}
    if ids:
        d = t.donors.c
        for mp, n in session.execute(select(d.missing_person_id, func.count())
                                     .where(d.missing_person_id.in_(ids))
                                     .group_by(d.missing_person_id)):
            donors[str(mp)] = int(n)
        for mp, n in session.execute(
                select(d.missing_person_id, func.count())
                .select_from(t.donors.join(cw, cw.c.donor_id == d.id))
                .where(d.missing_person_id.in_(ids)).group_by(d.missing_person_id)):
            withdrawn[str(mp)] = int(n)
        i = ti.identifications.c
        latest = (select(i.missing_person_id, func.max(i.version).label("v"))
                  .where(i.missing_person_id.in_(ids)).group_by(i.missing_person_id)
                  .subquery())
        for mp, status in session.execute(
                select(i.missing_person_id, i.status).join(
                    latest, (i.missing_person_id == latest.c.missing_person_id)
                    & (i.version == latest.c.v))):
            newest[str(mp)] = str(status)
    for row in result.rows:
        key = str(row["id"])
        row["donors"] = donors[key]
        row["withdrawn"] = withdrawn[key]
        row["identification"] = newest.get(key)
    audit_shown(session, {"missing-persons": ids}, actor=who, where="register page")
    return result


def _withdrawals(session: Any, donor_ids: list[str]) -> dict[str, dict[str, Any]]:
    from homecoming.storage.tables_consent import consent_withdrawals as cw

    if not donor_ids:
        return {}
    rows = session.execute(select(cw).where(cw.c.donor_id.in_(donor_ids))).all()
    return {str(r.donor_id): {"on": r.withdrawn_on, "reason": r.reason,
                              "recorded_by": r.recorded_by, "recorded_at": r.recorded_at}
            for r in rows}


def _uses_reference(ident: Mapping[str, Any], donor_id: str) -> bool:
    return any(isinstance(r, Mapping) and r.get("donor") == donor_id and r.get("typed")
               for r in ident.get("references") or [])


def withdrawal_effects(session: Any, donor_id: str, *, actor: str | None = None
                       ) -> dict[str, list[str]]:
    """What withdrawing the consent of ``donor_id`` would do, before it is done:
    ``profiles`` (the donor's sample bar-codes, left out of screening and identification),
    ``stale`` (reviewed or confirmed identifications that used the donor's reference: flagged
    for review) and ``proposed`` (proposed ones that used it: the next run supersedes them).

    :raises NotFoundError: no such donor."""
    from homecoming.storage.repositories import Repositories
    from homecoming.storage.repositories.identifications import IdentificationRepository

    authorize(session, PERMISSION_VIEW, actor=actor)
    repos = Repositories(session)
    repos.donors.get(donor_id)
    out: dict[str, list[str]] = {
        "profiles": sorted(s.barcode for s in repos.samples.list(donor_id=donor_id)),
        "stale": [], "proposed": []}
    for ident in IdentificationRepository(session).latest_naming(donor_id):  # id order
        if not _uses_reference(ident, donor_id):
            continue
        if ident["status"] in ("reviewed", "confirmed"):
            out["stale"].append(str(ident["id"]))
        elif ident["status"] == "proposed":
            out["proposed"].append(str(ident["id"]))
    return out


def person_file(session: Any, person_id: str, *, actor: str | None = None) -> dict[str, Any]:
    """Everything the register shows of one missing person (no genotype):

    ``person`` (the stored fields), ``pedigree`` (rows id/father/mother/sex/typed/missing,
    rebuilt from the donor records as the identification engine does), ``donors`` (each with
    id, full_name, relationship, sex, consent, consent_on, sharing_level, contact,
    pedigree_person, samples, profiles (bar-codes with a stored profile), ``withdrawal`` (on,
    reason, recorded_by, recorded_at) or None, and ``effects`` (:func:`withdrawal_effects`)
    while consent stands), ``identifications`` (every version, newest first: id, version,
    status, conclusion, lr, remains), ``notifications`` and ``releases`` (of any version).

    :raises NotFoundError: no such missing person."""
    from homecoming.services.case_identification import family_pedigree
    from homecoming.storage.repositories import Repositories
    from homecoming.storage.repositories.identifications import IdentificationRepository

    who = authorize(session, PERMISSION_VIEW, actor=actor)
    repos = Repositories(session)
    person = repos.missing_persons.get(person_id)
    # an investigator or prosecutor (court audience) never sees a reference given for
    # identification only (or withdrawn), not even as a typed member of the pedigree
    hidden, _ = viewer_withheld(session, who)
    donors = sorted((d for d in repos.donors.list(missing_person_id=person_id)
                     if d.id not in hidden), key=lambda d: d.id)
    samples = {d.id: sorted(repos.samples.list(donor_id=d.id), key=lambda s: s.barcode)
               for d in donors}
    profiled = {s.barcode for group in samples.values() for s in group
                if repos.profiles.exists(s.barcode)}
    withdrawals = _withdrawals(session, [d.id for d in donors])
    pedigree, placed = family_pedigree(person, donors)
    typed_people = {placed[d.id] for d in donors if d.id in placed and d.id not in withdrawals
                    and any(s.barcode in profiled for s in samples[d.id])}
    pedigree_rows = [{"id": p.id, "father": p.father, "mother": p.mother, "sex": p.sex.value,
                      "typed": p.id in typed_people, "missing": p.id == person.id}
                     for p in pedigree]
    idents = IdentificationRepository(session)
    versions = sorted(idents.versions(person_id), key=lambda r: -int(r["version"]))
    donor_rows = []
    for d in donors:
        withdrawal = withdrawals.get(d.id)
        donor_rows.append({
            "id": d.id, "full_name": d.full_name, "relationship": d.relationship.value,
            "sex": d.sex.value, "consent": d.consent.value, "consent_on": d.consent_on,
            "sharing_level": d.sharing_level.value, "contact": d.contact,
            "pedigree_person": placed.get(d.id),
            "samples": [s.barcode for s in samples[d.id]],
            "profiles": [s.barcode for s in samples[d.id] if s.barcode in profiled],
            "withdrawal": withdrawal,
            "effects": None if withdrawal else withdrawal_effects(session, d.id, actor=actor)})
    notifications: list[dict[str, Any]] = []
    releases: list[dict[str, Any]] = []
    for row in versions:
        notifications += idents.notifications(row["id"])
        releases += idents.releases(row["id"])
    audit_shown(session, {"missing-persons": [person.id], "donors": [d.id for d in donors]},
                actor=who, where=f"register, file of {person.id}")
    return {
        "person": person.to_dict(), "pedigree": pedigree_rows, "donors": donor_rows,
        "identifications": [{"id": r["id"], "version": r["version"], "status": r["status"],
                             "conclusion": r["conclusion"], "lr": r["lr"],
                             "remains": r["remains_code"]} for r in versions],
        "notifications": sorted(notifications, key=lambda n: (n["notified_on"], n["id"])),
        "releases": sorted(releases, key=lambda n: (n["released_on"], n["id"])),
    }


def families_waiting(session: Any, *, actor: str | None = None) -> list[dict[str, Any]]:
    """The liaison officer's work: every confirmed identification (newest version) whose
    family has not been told or whose remains have not been returned, in missing-person
    order: id, missing_person, name (surname, given name, patronymic), remains,
    ``notified`` (date of the first notification or None) and ``released`` (date or None).
    """
    from homecoming.storage import tables as t
    from homecoming.storage import tables_identifications as ti

    who = authorize(session, PERMISSION_VIEW, actor=actor)
    i, n, r, m = (ti.identifications.c, ti.notifications.c, ti.releases.c,
                  t.missing_persons.c)
    latest = (select(i.missing_person_id, func.max(i.version).label("v"))
              .group_by(i.missing_person_id).subquery())
    confirmed = session.execute(
        select(i.id, i.missing_person_id, i.remains_code, m.surname, m.given_name,
               m.patronymic)
        .join(latest, (i.missing_person_id == latest.c.missing_person_id)
              & (i.version == latest.c.v))
        .outerjoin(t.missing_persons, m.id == i.missing_person_id)
        .where(i.status == "confirmed").order_by(i.missing_person_id)).all()
    ids = [row.id for row in confirmed]
    told: dict[str, Any] = {}
    returned: dict[str, Any] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        told.update(session.execute(select(n.identification_id, func.min(n.notified_on))
                                    .where(n.identification_id.in_(chunk))
                                    .group_by(n.identification_id)).all())
        returned.update(session.execute(select(r.identification_id, func.min(r.released_on))
                                        .where(r.identification_id.in_(chunk))
                                        .group_by(r.identification_id)).all())
    out = []
    for row in confirmed:
        if row.id in told and (row.id in returned or not row.remains_code):
            continue
        name = " ".join(x for x in (row.surname, row.given_name, row.patronymic) if x) \
            or str(row.missing_person_id)
        out.append({"id": row.id, "missing_person": row.missing_person_id, "name": name,
                    "remains": row.remains_code, "notified": told.get(row.id),
                    "released": returned.get(row.id)})
    audit_shown(session, {"missing-persons": [x["missing_person"] for x in out]}, actor=who,
                where="families waiting")
    return out
