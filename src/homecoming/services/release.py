"""Telling the family and returning the remains (liaison), and the death-registration export.

Only a **confirmed** identification (its newest version) can be notified or released.
:func:`release` records the hand-over, closes the remains' chain of custody with a custody
event (from the storage location to the receiving relative) and moves the remains to
``released``. Every record is audited.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from typing import Any

from homecoming.casework.remains import REMAINS_TRANSITIONS, RemainsStatus
from homecoming.errors import InputError
from homecoming.services.accounts import authorize
from homecoming.storage.repositories.identifications import IdentificationRepository

__all__ = ["notify", "release", "death_registration_rows", "death_registration_csv",
           "METHODS", "DEATH_REGISTRATION_COLUMNS"]

METHODS = ("in-person", "phone", "letter", "video")
DEATH_REGISTRATION_COLUMNS = (
    "identification_id", "missing_person_id", "surname", "given_name", "patronymic",
    "birth_date", "sex", "remains_code", "date_found", "place_found", "cause_of_death_class",
    "manner_of_death", "confirmed_on", "released_on")


def _date(value: _dt.date | str, field: str) -> _dt.date:
    if isinstance(value, _dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = _dt.date.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"{field}: {value!r} is not a date; expected YYYY-MM-DD",
                             field=field, value=value) from None
    if value > _dt.datetime.now(_dt.UTC).date():
        raise InputError(f"{field}: {value.isoformat()} is in the future; expected a past "
                         "date", field=field, value=value.isoformat())
    return value


def _confirmed(repo: IdentificationRepository, ident_id: str, what: str) -> dict[str, Any]:
    row = repo.get(ident_id)
    if row["status"] != "confirmed":
        raise InputError(f"identification {ident_id} is {row['status']}; expected a confirmed "
                         f"identification before {what} (homecoming review confirm)",
                         field="status", value=row["status"])
    newest = repo.latest(row["missing_person_id"])
    if newest is not None and newest["id"] != ident_id and newest["status"] != "recorded":
        raise InputError(f"identification {ident_id} is not the newest version for "
                         f"{row['missing_person_id']}; expected {newest['id']}",
                         field="id", value=ident_id)
    return row


def _not_before_confirmation(repo: IdentificationRepository, row: dict[str, Any],
                             day: _dt.date) -> _dt.date:
    confirmed = [e["at"].date() for e in repo.review_events(row["id"])
                 if e["action"] == "confirm"]
    if confirmed and day < confirmed[-1]:
        raise InputError(f"--on: {day.isoformat()} is before identification {row['id']} was "
                         f"confirmed ({confirmed[-1].isoformat()}); expected a later date",
                         field="--on", value=day.isoformat())
    return day


def _donor(session: Any, donor_id: str, row: dict[str, Any]) -> Any:
    from homecoming.storage.repositories import Repositories

    donor = Repositories(session).donors.get(donor_id)
    if donor.missing_person_id != row["missing_person_id"]:
        raise InputError(f"donor {donor_id} is a relative of {donor.missing_person_id}, not of "
                         f"{row['missing_person_id']}; expected a relative of the identified "
                         "person", field="donor", value=donor_id)
    return donor


def notify(session: Any, ident_id: str, *, contact: str, method: str, on: _dt.date | str,
           note: str | None = None, actor: str | None = None) -> dict[str, Any]:
    """Record that the family (relative ``contact``, a donor id) was told of a confirmed
    identification, how and when (permission ``notify.record``)."""
    who = authorize(session, "notify.record", actor=actor)
    if method not in METHODS:
        raise InputError(f"method {method!r} is unknown; expected one of {', '.join(METHODS)}",
                         field="method", value=method)
    repo = IdentificationRepository(session, user=who)
    row = _confirmed(repo, ident_id, "telling the family")
    _donor(session, contact, row)
    return repo.add_notification({
        "identification_id": ident_id, "donor_id": contact, "method": method,
        "notified_on": _not_before_confirmation(repo, row, _date(on, "--on")),
        "note": (note or "").strip(), "recorded_by": who,
        "recorded_at": _dt.datetime.now(_dt.UTC)})


def release(session: Any, ident_id: str, *, to: str, on: _dt.date | str,
            documents: str | None = None, actor: str | None = None) -> dict[str, Any]:
    """Hand the remains of a confirmed identification to relative ``to`` (a donor id): a
    release record, a custody event closing the chain, and the remains ``released``
    (permission ``release.record``)."""
    from homecoming.casework import CustodyEvent
    from homecoming.casework.samples import CustodyItemKind
    from homecoming.storage.repositories import Repositories

    who = authorize(session, "release.record", actor=actor)
    repo = IdentificationRepository(session, user=who)
    row = _confirmed(repo, ident_id, "releasing the remains")
    code = row["remains_code"]
    if not code:
        raise InputError(f"identification {ident_id} names no remains; expected an "
                         "identification of remains", field="remains")
    donor = _donor(session, to, row)
    day = _not_before_confirmation(repo, row, _date(on, "--on"))
    repos = Repositories(session, user=who)
    remains = repos.remains.get(code)
    if remains.status is RemainsStatus.RELEASED or repo.releases(remains_code=code):
        raise InputError(f"remains {code} were already released; expected remains still in "
                         "custody", field="remains", value=code)
    if remains.status is not RemainsStatus.IDENTIFIED:
        if RemainsStatus.IDENTIFIED not in REMAINS_TRANSITIONS.get(remains.status, frozenset()):
            raise InputError(f"remains {code} are {remains.status.value}; expected remains "
                             "that can be recorded as identified", field="remains",
                             value=remains.status.value)
        repos.remains.update(code, status=RemainsStatus.IDENTIFIED)
    now = _dt.datetime.now(_dt.UTC)
    at = min(_dt.datetime.combine(day, _dt.time(12, 0), tzinfo=_dt.UTC), now)
    n = len(repos.custody_events.chain(code)) + 1
    event = CustodyEvent(
        id=f"{code}-REL-{n}"[:64], item_kind=CustodyItemKind.REMAINS, item_id=code,
        from_party=remains.storage_location or "morgue",
        to_party=f"family: {donor.relationship.value} {donor.id}", occurred_at=at,
        reason=f"released to the family after identification {ident_id}"[:500],
        location=remains.storage_location)
    repos.custody_events.add(event)
    repos.remains.update(code, status=RemainsStatus.RELEASED)
    return repo.add_release({
        "identification_id": ident_id, "remains_code": code, "donor_id": to,
        "released_on": day, "documents": (documents or "").strip(),
        "custody_event_id": event.id, "recorded_by": who, "recorded_at": now})


def death_registration_rows(session: Any, *, actor: str | None = None,
                            audit: bool = True) -> list[dict[str, Any]]:
    """One row per confirmed identification for the civil registry (permission
    ``death_registration.export``): person, date and place of finding, cause-of-death
    class, identification reference. The read of the people is one audit entry (``audit``;
    :func:`death_registration_csv` audits its export instead)."""
    from homecoming.storage.repositories import Repositories

    who = authorize(session, "death_registration.export", actor=actor)
    repo = IdentificationRepository(session)
    repos = Repositories(session)
    out = []
    for row in repo.list(status="confirmed"):
        mp = repos.missing_persons.find(row["missing_person_id"])
        remains = repos.remains.find(row["remains_code"]) if row["remains_code"] else None
        place = ""
        if remains is not None and remains.grave_id:
            grave = repos.graves.find(remains.grave_id)
            site = repos.sites.find(grave.site_id) if grave else None
            place = ", ".join(x for x in (site.name if site else "",
                                          f"grave {grave.label}" if grave else "") if x)
        exams = repos.examinations.list(remains_code=row["remains_code"]) if remains else []
        confirmed = [e for e in repo.review_events(row["id"]) if e["action"] == "confirm"]
        released = repo.releases(row["id"])
        out.append({
            "identification_id": row["id"], "missing_person_id": row["missing_person_id"],
            "surname": mp.surname if mp else "", "given_name": mp.given_name if mp else "",
            "patronymic": (mp.patronymic or "") if mp else "",
            "birth_date": mp.birth_date.isoformat() if mp and mp.birth_date else "",
            "sex": mp.sex.value if mp else "", "remains_code": row["remains_code"] or "",
            "date_found": remains.recovered_on.isoformat() if remains and remains.recovered_on
            else "", "place_found": place,
            "cause_of_death_class": exams[0].mechanism.value if exams else "",
            "manner_of_death": exams[0].manner.value if exams else "",
            "confirmed_on": confirmed[-1]["at"].date().isoformat() if confirmed else "",
            "released_on": released[-1]["released_on"].isoformat() if released else ""})
    if audit:
        from homecoming.services.audit import record_read

        record_read(session, "missing_persons", [r["missing_person_id"] for r in out],
                    purpose="death registration (shown)", actor=who)
    return out


def death_registration_csv(session: Any, *, actor: str | None = None,
                           destination: str = "death-registration CSV") -> tuple[str, int]:
    """The death-registration export as CSV text, and the number of rows (each exported
    identification an ``export`` audit entry naming ``destination``)."""
    from homecoming.services.audit import record_export

    rows = death_registration_rows(session, actor=actor, audit=False)
    record_export(session, "identifications", [r["identification_id"] for r in rows],
                  destination=destination, file_format="death-registration csv", actor=actor)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(DEATH_REGISTRATION_COLUMNS),
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue(), len(rows)
