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
from homecoming.services.identifications import IdentificationPage, identification_summary
from homecoming.storage.repositories.accounts import AccountRepository
from homecoming.storage.repositories.identifications import IdentificationRepository

__all__ = ["accept", "confirm", "reject", "review_queue", "review_queue_page", "review_history",
           "demo_workflow",
           "DEMO_ACCOUNTS", "DEMO_ADMIN", "set_demo_passwords"]

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
    an analyst), ``reviewed`` ones they neither ran nor accepted (for a board member), newest
    versions only, in missing person order. With no accounts stored, everything waiting is
    listed."""
    return review_queue_page(session, page_size=None, actor=actor).rows


def review_queue_page(session: Any, *, page: int = 1, page_size: int | None = 50,
                      actor: str | None = None) -> IdentificationPage:
    """One page of :func:`review_queue` with the number waiting (``page_size=None``: all of
    it). Chosen in SQL (newest versions, the four-eyes conditions, the page); only the page's
    rows are read."""
    who = current_actor(session, actor)
    authorize(session, "identifications.view", actor=who)
    if has_accounts(session):
        account = AccountRepository(session).find(who)
        roles = set(account.roles) if account else set()
    else:
        roles = {"analyst", "board"}
    repo = IdentificationRepository(session)
    page = max(1, int(page))
    size = None if page_size is None else max(1, min(int(page_size), 500))
    rows, total = repo.latest_page(waiting=(who, "analyst" in roles, "board" in roles),
                                   limit=size, offset=0 if size is None else (page - 1) * size,
                                   count=size is not None)
    previous = {r["id"]: r for r in repo.summaries(
        [r["supersedes"] for r in rows if r["supersedes"]])}
    out = []
    for row in rows:
        item = identification_summary(row)
        item["waiting_for"] = "accept" if row["status"] == "proposed" else "confirm"
        prev = previous.get(row["supersedes"]) if row["supersedes"] else None
        if prev is not None and prev["status"] == "stale":
            item["replaces_stale"] = prev["id"]
        out.append(item)
    return IdentificationPage(out, len(out) if total is None else total, page,
                              size or max(1, len(out)))


def review_history(session: Any, ident_id: str, *, actor: str | None = None
                   ) -> list[dict[str, Any]]:
    """The review events of one identification, oldest first."""
    authorize(session, "identifications.view", actor=actor)
    repo = IdentificationRepository(session)
    repo.get(ident_id)
    return [{"action": e["action"], "from": e["from_status"], "to": e["to_status"],
             "actor": e["actor"], "at": e["at"].isoformat(), "note": e["note"]}
            for e in repo.review_events(ident_id)]


# --- the demonstration goes through the workflow ---------------------------------------------

#: the SYNTHETIC demonstration accounts: one per role (two analysts for the four-eyes rule)
DEMO_ACCOUNTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("syn-admin", ("admin",)), ("syn-field", ("field",)),
    ("syn-pathologist", ("pathologist",)), ("syn-lab", ("lab",)),
    ("syn-analyst", ("analyst",)), ("syn-analyst-2", ("analyst",)), ("syn-board", ("board",)),
    ("syn-liaison", ("liaison",)), ("syn-investigator", ("investigator",)),
    ("syn-monitor", ("monitor",)),
)
#: the demonstration's admin: the HOMECOMING_USER for command-line writes on a demo database
DEMO_ADMIN = "syn-admin"


def set_demo_passwords(db: Any, *, actor: str | None = None) -> list[dict[str, Any]]:
    """Give every stored SYNTHETIC demonstration account (:data:`DEMO_ACCOUNTS`) a new random
    password (argon2 hash, :mod:`homecoming.services.web_auth`); each change is audited.

    The passwords are returned once (name, roles, password, active) and stored nowhere in
    clear: calling it again replaces them. ``actor`` (default :data:`DEMO_ADMIN`) needs
    ``users.manage``. Accounts are never deleted (the audit trail names them), so a replaced
    demonstration keeps its accounts and gets new passwords.
    """
    from homecoming.services.web_auth import new_password, set_password

    who = actor or DEMO_ADMIN
    out: list[dict[str, Any]] = []
    with db.session() as session:
        repo = AccountRepository(session)
        for name, _roles in DEMO_ACCOUNTS:
            account = repo.find(name)
            if account is None:
                continue
            password = new_password()
            set_password(session, name, password, actor=who)
            out.append({"name": name, "roles": list(account.roles), "password": password,
                        "active": bool(account.active)})
    return out


def demo_workflow(db: Any, *, confirm_count: int | None = None, review_only: int = 3,
                  notify_count: int = 5, release_count: int = 3,
                  on: _dt.date | None = None) -> dict[str, Any]:
    """Take the stored SYNTHETIC demonstration through review, notification and release.

    Creates the demonstration accounts (:data:`DEMO_ACCOUNTS`, display names SYNTHETIC; no
    passwords: the web layer sets them with
    :func:`homecoming.services.accounts.set_password_hash`), identifies the stored case as
    ``syn-analyst`` if no identification is stored yet, then of the proposed identifications
    (id order): ``confirm_count`` (default: half) are accepted by ``syn-analyst-2`` and confirmed
    by ``syn-board``; the next ``review_only`` are accepted only; the rest stay pending. Of the
    confirmed, the first ``notify_count`` families are told (in person) by ``syn-liaison`` and
    the first ``release_count`` remains released to them.

    Once accounts exist, every writing command needs an account (``HOMECOMING_USER``).
    :returns: counts and the account names.
    """
    from homecoming.services.accounts import add_user
    from homecoming.services.release import notify, release
    from homecoming.storage.repositories.accounts import AccountRepository

    on = on or _dt.datetime.now(_dt.UTC).date()
    created = []
    with db.session() as session:
        repo = AccountRepository(session)
        admin = "syn-admin" if repo.find("syn-admin") is not None else None
        for name, roles in DEMO_ACCOUNTS:
            if repo.find(name) is None:
                add_user(session, name, roles, display_name=f"SYNTHETIC {roles[0]} ({name})",
                         actor=admin or name)
                admin = admin or "syn-admin"
                created.append(name)
    with db.session() as session:
        stored = IdentificationRepository(session).count_by_status()
    if not stored:
        from homecoming.services.case_identification import identify_stored_case

        identify_stored_case(db, store=True, actor="syn-analyst")
    with db.session() as session:
        proposed = IdentificationRepository(session).list(status="proposed")
    n_confirm = (len(proposed) // 2 if confirm_count is None
                 else min(confirm_count, len(proposed)))
    confirmed, reviewed = proposed[:n_confirm], proposed[n_confirm:n_confirm + review_only]
    with db.session() as session:
        for row in confirmed + reviewed:
            reviewer = "syn-analyst-2" if row["run_by"] != "syn-analyst-2" else "syn-analyst"
            accept(session, row["id"], actor=reviewer,
                   note="SYNTHETIC demonstration review: pedigree and profiles checked")
        for row in confirmed:
            confirm(session, row["id"], actor="syn-board",
                    note="SYNTHETIC demonstration sign-off")
    told = released = 0
    with db.session() as session:
        for row in confirmed[:max(notify_count, release_count)]:
            donor = next((r["donor"] for r in row["references"] if r["typed"]), None)
            if donor is None:
                continue
            notify(session, row["id"], contact=donor, method="in-person", on=on,
                   note="SYNTHETIC demonstration notification", actor="syn-liaison")
            told += 1
            if released < release_count and row["remains_code"]:
                release(session, row["id"], to=donor, on=on,
                        documents="SYNTHETIC death certificate, custody receipt",
                        actor="syn-liaison")
                released += 1
    return {"accounts": [name for name, _ in DEMO_ACCOUNTS], "accounts_created": created,
            "confirmed": len(confirmed), "reviewed": len(reviewed),
            "pending": len(proposed) - len(confirmed) - len(reviewed), "notified": told,
            "released": released}
