"""Consent of reference donors, enforced: who may see a reference, and withdrawal.

A donor consents to identification only, or also to court use
(:class:`~homecoming.casework.donors.ConsentScope`). Two rules follow:

* **Court audience.** An export meant for investigators and prosecutors (``audience="court"``,
  or any export by an account holding the investigator role and not the analyst role) leaves
  out the donors who consented to identification only, their samples and their profiles, and
  says how many it withheld (:func:`court_withheld`).
* **Withdrawal.** :func:`withdraw_consent` records that a donor withdrew consent (from a date,
  with a reason; audited). From that date the donor's profiles are left out of screening and
  identification (:func:`withdrawn_barcodes`, read by the engines' loaders) and of profile
  exports; stored identifications that used the donor's reference are flagged: reviewed or
  confirmed ones become ``stale`` (a review event says why), proposed ones are listed (the
  next identification run, which leaves the donor out, supersedes them).

The engines also leave out a stored profile they cannot use (:func:`unusable_reason`: a
malformed locus or allele list, an allele not valid for its marker), naming its sample
bar-code and why, never its genotype.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from homecoming.errors import InputError

__all__ = ["AUDIENCES", "WithdrawalResult", "withdraw_consent", "list_withdrawals",
           "withdrawn_donors", "withdrawn_barcodes", "export_audience", "court_withheld",
           "unusable_reason", "split_usable", "viewer_withheld"]

#: who an export is for: the identification work itself, or investigators and prosecutors
AUDIENCES = ("identification", "court")
PERMISSION_WITHDRAW = "donors.write"
_FLAGGED = ("reviewed", "confirmed")


@dataclass
class WithdrawalResult:
    """What :func:`withdraw_consent` did."""

    donor_id: str
    withdrawn_on: _dt.date
    profiles: list[str] = field(default_factory=list)    # sample bar-codes left out from then
    stale: list[str] = field(default_factory=list)       # identifications marked stale
    proposed: list[str] = field(default_factory=list)    # proposed ones using the reference

    def to_dict(self) -> dict[str, Any]:
        return {"donor": self.donor_id, "withdrawn_on": self.withdrawn_on.isoformat(),
                "profiles_left_out": self.profiles, "identifications_stale": self.stale,
                "identifications_proposed": self.proposed}


def _today() -> _dt.date:
    return _dt.datetime.now(_dt.UTC).date()


def _date(value: _dt.date | str | None) -> _dt.date:
    if value is None:
        return _today()
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise InputError(f"date {str(value)[:40]!r} is not valid; expected YYYY-MM-DD",
                         field="--on", value=str(value)[:40]) from None


def _reason(text: str) -> str:
    from homecoming.casework._base import check_text

    text = str(text or "").strip()
    if not text:
        raise InputError("no reason given; expected why the consent was withdrawn",
                         field="--reason")
    check_text("reason", text)
    return text


def withdraw_consent(session: Any, donor_id: str, *, on: _dt.date | str | None = None,
                     reason: str, actor: str | None = None,
                     now: _dt.datetime | None = None) -> WithdrawalResult:
    """Record that donor ``donor_id`` withdrew consent from ``on`` (default today), for
    ``reason`` (permission ``donors.write``; audited), and flag the stored identifications
    that used the donor's reference.

    :raises NotFoundError: no such donor.
    :raises InputError: the consent was already withdrawn, the date is in the future or
        before the consent was given, or no reason.
    """
    from sqlalchemy import insert, select

    from homecoming.casework.identifications import ReviewAction, check_review
    from homecoming.services._common import _authorize
    from homecoming.storage.repositories import Repositories, write_audit
    from homecoming.storage.repositories.identifications import IdentificationRepository
    from homecoming.storage.tables_consent import consent_withdrawals as cw

    who = _authorize(session, PERMISSION_WITHDRAW, actor)
    when = _date(on)
    text = _reason(reason)
    now = now or _dt.datetime.now(_dt.UTC)
    repos = Repositories(session, user=who)
    donor = repos.donors.get(donor_id)
    if when > now.date():
        raise InputError(f"donor {donor_id}: withdrawal date {when.isoformat()} is in the "
                         "future; expected today or earlier", field="--on",
                         value=when.isoformat())
    if donor.consent_on is not None and when < donor.consent_on:
        raise InputError(f"donor {donor_id}: withdrawal date {when.isoformat()} is before the "
                         f"consent was given ({donor.consent_on.isoformat()}); expected a "
                         "later date", field="--on", value=when.isoformat())
    if session.execute(select(cw.c.withdrawn_on).where(cw.c.donor_id == donor_id)).first():
        raise InputError(f"donor {donor_id}: consent was already withdrawn; expected a donor "
                         "whose consent stands", field="DONOR_ID", value=donor_id)
    row = {"donor_id": donor_id, "withdrawn_on": when, "reason": text, "recorded_at": now,
           "recorded_by": who}
    session.execute(insert(cw).values(**row))
    write_audit(session, [{"table_name": cw.name, "record_key": donor_id, "action": "insert",
                           "before": None,
                           "after": {"donor_id": donor_id, "withdrawn_on": when.isoformat(),
                                     "reason": text, "recorded_by": who}}], user=who)
    result = WithdrawalResult(donor_id, when,
                              sorted(s.barcode for s in repos.samples.list(donor_id=donor_id)))
    idents = IdentificationRepository(session, user=who)
    note = f"consent of donor {donor_id} withdrawn from {when.isoformat()}: review"
    for ident in sorted(idents.latest_all().values(), key=lambda r: r["id"]):
        used = any(isinstance(r, Mapping) and r.get("donor") == donor_id and r.get("typed")
                   for r in ident.get("references") or [])
        if not used:
            continue
        if ident["status"] in _FLAGGED:
            new = check_review(ReviewAction.STALE, ident["status"], actor=who,
                               ident_id=ident["id"], run_by=ident["run_by"])
            idents.set_status(ident["id"], new.value, why=note)
            idents.add_review_event({"identification_id": ident["id"], "action": "stale",
                                     "from_status": ident["status"], "to_status": new.value,
                                     "actor": who, "at": now, "note": note})
            result.stale.append(ident["id"])
        elif ident["status"] == "proposed":
            result.proposed.append(ident["id"])
    return result


def list_withdrawals(session: Any, *, actor: str | None = None) -> list[dict[str, Any]]:
    """Every recorded withdrawal (donor order): donor, date, reason, who recorded it, when
    (permission ``records.view``)."""
    from sqlalchemy import select

    from homecoming.services.accounts import authorize
    from homecoming.storage.tables_consent import consent_withdrawals as cw

    authorize(session, "records.view", actor=actor)
    rows = session.execute(select(cw).order_by(cw.c.donor_id)).all()
    return [{"donor": r.donor_id, "withdrawn_on": r.withdrawn_on.isoformat(),
             "reason": r.reason, "recorded_by": r.recorded_by,
             "recorded_at": r.recorded_at.isoformat()} for r in rows]


def withdrawn_donors(session: Any, *, on: _dt.date | None = None) -> dict[str, _dt.date]:
    """Donors whose withdrawal is in effect on ``on`` (default today): id -> date."""
    from sqlalchemy import select

    from homecoming.storage.tables_consent import consent_withdrawals as cw

    day = on or _today()
    rows = session.execute(select(cw.c.donor_id, cw.c.withdrawn_on)
                           .where(cw.c.withdrawn_on <= day)).all()
    return {str(r.donor_id): r.withdrawn_on for r in rows}


def withdrawn_barcodes(session: Any, *, on: _dt.date | None = None) -> dict[str, str]:
    """Sample bar-codes of donors whose withdrawal is in effect: bar-code -> why left out."""
    from sqlalchemy import select

    from homecoming.storage import tables

    donors = withdrawn_donors(session, on=on)
    if not donors:
        return {}
    s = tables.samples
    rows = session.execute(select(s.c.barcode, s.c.donor_id)
                           .where(s.c.donor_id.in_(sorted(donors)))).all()
    return {str(r.barcode): f"consent of donor {r.donor_id} withdrawn from "
            f"{donors[str(r.donor_id)].isoformat()}" for r in rows}


def export_audience(session: Any, audience: str | None, actor: str | None) -> str:
    """The audience of an export: ``audience`` if given; else ``"court"`` when the acting
    account holds the investigator role and not the analyst role; else ``"identification"``.
    """
    if audience is not None:
        if audience not in AUDIENCES:
            raise InputError(f"audience {audience!r}; expected one of {', '.join(AUDIENCES)}",
                             field="audience", value=audience)
        return audience
    from homecoming.services.accounts import current_actor
    from homecoming.storage.repositories.accounts import AccountRepository

    repo = AccountRepository(session)
    if repo.count() == 0:
        return "identification"
    account = repo.find(current_actor(session, actor))
    roles = set(account.roles) if account is not None else set()
    return "court" if "investigator" in roles and "analyst" not in roles else "identification"


def court_withheld(session: Any) -> tuple[set[str], set[str]]:
    """What a court-audience export leaves out: (donor ids, sample bar-codes) of donors who
    consented to identification only or withdrew consent."""
    from sqlalchemy import or_, select

    from homecoming.casework.donors import ConsentScope
    from homecoming.storage import tables

    d, s = tables.donors, tables.samples
    withdrawn = set(withdrawn_donors(session, on=_dt.date.max))
    donors = {str(r.id) for r in session.execute(
        select(d.c.id).where(or_(d.c.consent != ConsentScope.ALSO_COURT.value,
                                 d.c.consent.is_(None))))}
    donors |= withdrawn
    barcodes = {str(r.barcode) for r in session.execute(
        select(s.c.barcode).where(s.c.donor_id.in_(sorted(donors))))} if donors else set()
    return donors, barcodes


def viewer_withheld(session: Any, actor: str | None = None) -> tuple[set[str], set[str]]:
    """What the acting person may not see (list, show, web pages): for an investigator or
    prosecutor (the ``court`` audience of :func:`export_audience`) the donors without court
    consent or whose consent was withdrawn, and their sample bar-codes (as
    :func:`court_withheld`); for everyone else nothing."""
    if export_audience(session, None, actor) != "court":
        return set(), set()
    return court_withheld(session)


def unusable_reason(genotypes: Any) -> str | None:
    """Why a stored profile's genotypes cannot be used by the engines (``None``: usable).

    Checks the shape (locus -> one or two alleles) and every allele by the allele grammar of
    :mod:`homecoming.genetics.alleles` (amelogenin: ``X``/``Y``). The reason names the locus
    (escaped, shortened), never an allele."""
    from homecoming.formats.checks import show
    from homecoming.genetics.alleles import (
        AlleleError,
        allele_expectation,
        is_amelogenin,
        parse_allele,
        parse_amelogenin,
    )

    if not isinstance(genotypes, Mapping) or not genotypes:
        return "no genotypes (expected locus -> alleles)"
    for locus, alleles in genotypes.items():
        if not isinstance(locus, str) or not locus.strip() or len(locus) > 40:
            return f"locus name {show(locus, 30)} is not valid"
        if isinstance(alleles, str) or not isinstance(alleles, (list, tuple)) \
                or not 1 <= len(alleles) <= 2:
            return f"locus {show(locus, 30)}: expected one or two alleles"
        known = [a for a in alleles if a is not None]
        if not known:
            return f"locus {show(locus, 30)}: expected at least one known allele"
        amel = is_amelogenin(locus)
        for a in known:
            try:
                parse_amelogenin(a) if amel else parse_allele(a, locus)
            except (AlleleError, TypeError, ValueError):
                return (f"an allele is not valid at {show(locus, 30)}; expected "
                        f"{allele_expectation(locus)}")
    return None


def split_usable(profiles: Iterable[tuple[str, Any]], *, withdrawn: Mapping[str, str]
                 = {}) -> tuple[list[tuple[str, Any]], list[dict[str, str]]]:  # noqa: B006
    """``(barcode, genotypes)`` pairs the engines can use, and the ones left out as
    ``{"record": barcode, "reason": ...}`` (consent withdrawn, or :func:`unusable_reason`)."""
    kept: list[tuple[str, Any]] = []
    left: list[dict[str, str]] = []
    for barcode, genotypes in profiles:
        why = withdrawn.get(barcode) or unusable_reason(genotypes)
        if why is None:
            kept.append((barcode, genotypes))
        else:
            left.append({"record": str(barcode), "reason": why})
    return kept, left

