"""Review and sign-off of stored identifications (the four-eyes rules).

``accept`` (permission ``review.accept``: an analyst who did not run the identification)
moves ``proposed`` to ``reviewed``; ``confirm`` (``review.confirm``: a board member who
neither ran nor accepted it) moves ``reviewed`` to ``confirmed`` and records the remains as
``identified``; ``reject`` (``review.reject``, reason required) ends either. Each step writes
a review event (who, when, why) and an audit record; the rules are in
:mod:`homecoming.casework.identifications`.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from homecoming.casework.identifications import IdentificationStatus, ReviewAction, check_review
from homecoming.casework.remains import REMAINS_TRANSITIONS, RemainsStatus
from homecoming.errors import InputError
from homecoming.services.accounts import authorize, current_actor, has_accounts
from homecoming.services.identifications import identification_summary
from homecoming.storage.repositories.accounts import AccountRepository
from homecoming.storage.repositories.identifications import IdentificationRepository

__all__ = ["accept", "confirm", "reject", "review_queue", "review_history"]

S = IdentificationStatus
_PERMISSION = {ReviewAction.ACCEPT: "review.accept", ReviewAction.CONFIRM: "review.confirm",
               ReviewAction.REJECT: "review.reject"}


def _step(session: Any, ident_id: str, action: ReviewAction, *, note: str | None,
          actor: str | None, now: _dt.datetime | None) -> dict[str, Any]:
    who = authorize(session, _PERMISSION[action], actor=actor)
    repo = IdentificationRepository(session, user=who)
    row = repo.get(ident_id)
    accepted = [e["actor"] for e in repo.review_events(ident_id) if e["action"] == "accept"]
    target = check_review(action, row["status"], actor=who, ident_id=ident_id,
                          run_by=row["run_by"], accepted_by=accepted, reason=note)
    if action is not ReviewAction.REJECT:
        newest = repo.latest(row["missing_person_id"])
        if newest is not None and newest["id"] != ident_id:
            raise InputError(f"identification {ident_id} is not the newest version for "
                             f"{row['missing_person_id']}; expected {newest['id']}",
                             field="id", value=ident_id)
    now = now or _dt.datetime.now(_dt.UTC)
    repo.set_status(ident_id, target.value, why=f"{action.value}: {note or ''}".strip())
    repo.add_review_event({"identification_id": ident_id, "action": action.value,
                           "from_status": row["status"], "to_status": target.value,
                           "actor": who, "at": now, "note": (note or "").strip()})
    if target is S.CONFIRMED and row["remains_code"]:
        _remains_identified(session, row["remains_code"], who)
    return identification_summary({**row, "status": target.value})


def _remains_identified(session: Any, code: str, who: str) -> None:
    from homecoming.storage.repositories import Repositories

    repos = Repositories(session, user=who)
    remains = repos.remains.find(code)
    if remains is None:
        return
    if RemainsStatus.IDENTIFIED in REMAINS_TRANSITIONS.get(remains.status, frozenset()):
        repos.remains.update(code, status=RemainsStatus.IDENTIFIED)


def accept(session: Any, ident_id: str, *, note: str | None = None, actor: str | None = None,
           now: _dt.datetime | None = None) -> dict[str, Any]:
    """First review: ``proposed`` -> ``reviewed`` (an analyst other than the runner)."""
    return _step(session, ident_id, ReviewAction.ACCEPT, note=note, actor=actor, now=now)


def confirm(session: Any, ident_id: str, *, note: str | None = None, actor: str | None = None,
            now: _dt.datetime | None = None) -> dict[str, Any]:
    """Sign-off: ``reviewed`` -> ``confirmed`` (a board member who neither ran nor accepted
    it); the remains become ``identified``."""
    return _step(session, ident_id, ReviewAction.CONFIRM, note=note, actor=actor, now=now)


def reject(session: Any, ident_id: str, *, reason: str, actor: str | None = None,
           now: _dt.datetime | None = None) -> dict[str, Any]:
    """``proposed`` or ``reviewed`` -> ``rejected``; ``reason`` is required."""
    return _step(session, ident_id, ReviewAction.REJECT, note=reason, actor=actor, now=now)


def review_queue(session: Any, *, actor: str | None = None) -> list[dict[str, Any]]:
    """What waits for the acting person: ``proposed`` identifications they did not run (for
    an analyst), ``reviewed`` ones they neither ran nor accepted (for a board member), and
    ``stale`` ones (for both), newest versions only. With no accounts stored, everything
    waiting is listed."""
    who = current_actor(session, actor)
    authorize(session, "identifications.view", actor=who)
    if has_accounts(session):
        account = AccountRepository(session).find(who)
        roles = set(account.roles) if account else set()
    else:
        roles = {"analyst", "board"}
    repo = IdentificationRepository(session)
    latest = repo.latest_all()
    out = []
    for row in sorted(latest.values(), key=lambda r: r["missing_person_id"]):
        status = row["status"]
        accepted = {e["actor"] for e in repo.review_events(row["id"])
                    if e["action"] == "accept"} if status == "reviewed" else set()
        waits = (("analyst" in roles and status == "proposed" and row["run_by"] != who)
                 or ("board" in roles and status == "reviewed" and row["run_by"] != who
                     and who not in accepted))
        if waits:
            item = identification_summary(row)
            item["waiting_for"] = "accept" if status == "proposed" else "confirm"
            if row["supersedes"]:
                prev = repo.find(row["supersedes"])
                if prev is not None and prev["status"] == "stale":
                    item["replaces_stale"] = prev["id"]
            out.append(item)
    return out


def review_history(session: Any, ident_id: str, *, actor: str | None = None
                   ) -> list[dict[str, Any]]:
    """The review events of one identification, oldest first."""
    authorize(session, "identifications.view", actor=actor)
    repo = IdentificationRepository(session)
    repo.get(ident_id)
    return [{"action": e["action"], "from": e["from_status"], "to": e["to_status"],
             "actor": e["actor"], "at": e["at"].isoformat(), "note": e["note"]}
            for e in repo.review_events(ident_id)]
