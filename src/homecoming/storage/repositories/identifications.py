"""Stored identifications, review events, notifications and releases (migration 0003).

Identification rows are versions: they are inserted, never overwritten; afterwards only their
``status`` changes (review, stale marking, superseding), each change audited with the row's
status before and after. Review events, notifications and releases are insert-only, audited.
The audit trail of an identification keeps no genotype (the row holds none).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, exists, false, func, insert, or_, select, update
from sqlalchemy.orm import Session

from homecoming.errors import NotFoundError
from homecoming.storage.repositories._base import write_audit
from homecoming.storage.tables_identifications import (
    identification_runs,
    identifications,
    notifications,
    releases,
    review_events,
)

__all__ = ["IdentificationRepository", "log_access", "access_records", "status_counts"]

_DATETIME_FIELDS = ("created_at", "at", "recorded_at")


def _plain(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    for name in _DATETIME_FIELDS:
        value = out.get(name)
        if isinstance(value, _dt.datetime) and value.tzinfo is None:  # SQLite keeps no zone
            out[name] = value.replace(tzinfo=_dt.UTC)
    return out


def _json_view(row: Mapping[str, Any]) -> dict[str, Any]:
    """JSON-able copy for the audit trail."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, _dt.datetime | _dt.date):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


class IdentificationRepository:
    """Versions of identifications and their review, notification and release records."""

    def __init__(self, session: Session, *, user: str | None = None) -> None:
        self.session = session
        self.user = user

    # --- identifications ----------------------------------------------------------------

    def find(self, ident_id: str) -> dict[str, Any] | None:
        row = self.session.execute(select(identifications)
                                   .where(identifications.c.id == ident_id)).first()
        return None if row is None else _plain(row._mapping)

    def get(self, ident_id: str) -> dict[str, Any]:
        found = self.find(ident_id)
        if found is None:
            raise NotFoundError(f"identification {ident_id!r} not found; expected an id as "
                                "listed by 'homecoming identifications list'")
        return found

    def latest(self, missing_person_id: str) -> dict[str, Any] | None:
        """The newest version for a missing person, or None."""
        row = self.session.execute(
            select(identifications)
            .where(identifications.c.missing_person_id == missing_person_id)
            .order_by(identifications.c.version.desc()).limit(1)).first()
        return None if row is None else _plain(row._mapping)

    def latest_all(self, missing_person_ids: Sequence[str] | None = None,
                   ) -> dict[str, dict[str, Any]]:
        """missing person id -> newest version (of ``missing_person_ids`` only, if given)."""
        query = select(identifications.c.missing_person_id,
                       func.max(identifications.c.version).label("v"))
        if missing_person_ids is not None:
            query = query.where(identifications.c.missing_person_id.in_(
                list(missing_person_ids)))
        newest = query.group_by(identifications.c.missing_person_id).subquery()
        rows = self.session.execute(
            select(identifications).join(
                newest, (identifications.c.missing_person_id == newest.c.missing_person_id)
                & (identifications.c.version == newest.c.v)))
        return {r._mapping["missing_person_id"]: _plain(r._mapping) for r in rows}

    def versions(self, missing_person_id: str) -> list[dict[str, Any]]:
        rows = self.session.execute(
            select(identifications)
            .where(identifications.c.missing_person_id == missing_person_id)
            .order_by(identifications.c.version))
        return [_plain(r._mapping) for r in rows]

    def list(self, *, status: str | Sequence[str] | None = None,
             remains_code: str | None = None, missing_person_id: str | None = None,
             search: str | None = None, limit: int | None = None,
             offset: int = 0) -> list[dict[str, Any]]:
        query = select(identifications)
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            query = query.where(identifications.c.status.in_(wanted))
        if remains_code is not None:
            query = query.where(identifications.c.remains_code == remains_code)
        if missing_person_id is not None:
            query = query.where(identifications.c.missing_person_id == missing_person_id)
        if search:
            like = f"%{search}%"
            query = query.where(or_(identifications.c.id.like(like),
                                    identifications.c.missing_person_id.like(like),
                                    identifications.c.remains_code.like(like)))
        query = query.order_by(identifications.c.missing_person_id, identifications.c.version)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        return [_plain(r._mapping) for r in self.session.execute(query)]

    #: the columns of a list row (no JSON column: a list page decodes none)
    SUMMARY_COLUMNS = ("id", "missing_person_id", "version", "remains_code", "run_id",
                       "status", "conclusion", "lr", "log10_lr", "glr", "posterior",
                       "supersedes", "run_by", "created_at")

    def latest_page(self, *, status: str | Sequence[str] | None = None,
                    search: str | None = None, waiting: tuple[str, bool, bool] | None = None,
                    limit: int | None = None, offset: int = 0, count: bool = True,
                    ) -> tuple[list[dict[str, Any]], int | None]:
        """The newest version of each missing person's identification (chosen in SQL: no
        newer version of the same missing person exists), filtered by status and free text
        in SQL, in missing person order; only :data:`SUMMARY_COLUMNS`, and only the rows of
        ``limit``/``offset``. ``waiting=(who, analyst, board)`` keeps what waits for ``who``
        in the review queue: ``proposed`` ones ``who`` did not run (``analyst``) and
        ``reviewed`` ones ``who`` neither ran nor accepted (``board``). Returns the rows and
        the number matching (``None`` with ``count=False``)."""
        ident = identifications
        newer = identifications.alias("newer")
        conditions: list[Any] = [~exists(select(newer.c.id).where(
            (newer.c.missing_person_id == ident.c.missing_person_id)
            & (newer.c.version > ident.c.version)))]
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            conditions.append(ident.c.status.in_(wanted))
        if search:
            like = f"%{search}%"
            conditions.append(or_(ident.c.id.like(like), ident.c.missing_person_id.like(like),
                                  ident.c.remains_code.like(like)))
        if waiting is not None:
            who, analyst, board = waiting
            accepted = exists(select(review_events.c.id).where(
                (review_events.c.identification_id == ident.c.id)
                & (review_events.c.action == "accept") & (review_events.c.actor == who)))
            options = []
            if analyst:
                options.append(and_(ident.c.status == "proposed", ident.c.run_by != who))
            if board:
                options.append(and_(ident.c.status == "reviewed", ident.c.run_by != who,
                                    ~accepted))
            conditions.append(or_(*options) if options else false())
        query = (select(*[ident.c[c] for c in self.SUMMARY_COLUMNS]).where(*conditions)
                 .order_by(ident.c.missing_person_id, ident.c.version))
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        rows = [_plain(r._mapping) for r in self.session.execute(query)]
        total = None
        if count:
            total = int(self.session.execute(
                select(func.count()).select_from(ident).where(*conditions)).scalar_one())
        return rows, total

    def summaries(self, ids: Sequence[str]) -> list[dict[str, Any]]:
        """The :data:`SUMMARY_COLUMNS` of these identifications (any version)."""
        if not ids:
            return []
        query = select(*[identifications.c[c] for c in self.SUMMARY_COLUMNS]).where(
            identifications.c.id.in_(list(ids)))
        return [_plain(r._mapping) for r in self.session.execute(query)]

    def latest_naming(self, text: str, *, columns: Sequence[str] = ("id", "status",
                                                                   "references"),
                      ) -> list[dict[str, Any]]:
        """The newest versions whose ``references`` (JSON) mention the string ``text`` (e.g.
        a donor id), chosen in SQL (a text match on the stored JSON, as written and as
        ``json.dumps`` escapes it; works on SQLite and PostgreSQL), with only ``columns``
        read. A superset: the caller checks the decoded references."""
        import json

        from sqlalchemy import Text, cast

        newer = identifications.alias("newer")
        stored = cast(identifications.c.references, Text)
        needles = {json.dumps(text), json.dumps(text, ensure_ascii=False)}
        query = (select(*[identifications.c[c] for c in columns])
                 .where(~exists(select(newer.c.id).where(
                     (newer.c.missing_person_id == identifications.c.missing_person_id)
                     & (newer.c.version > identifications.c.version))),
                        or_(*[stored.contains(n, autoescape=True) for n in sorted(needles)]))
                 .order_by(identifications.c.id))
        return [_plain(r._mapping) for r in self.session.execute(query)]

    def count_by_status(self) -> dict[str, int]:
        rows = self.session.execute(select(identifications.c.status, func.count())
                                    .group_by(identifications.c.status))
        return {str(s): int(n) for s, n in rows}

    def add(self, row: Mapping[str, Any]) -> dict[str, Any]:
        self.session.execute(insert(identifications).values(**row))
        write_audit(self.session, [{"table_name": "identifications", "record_key": row["id"],
                                    "action": "insert", "before": None,
                                    "after": _json_view(row)}], user=self.user)
        return dict(row)

    def set_status(self, ident_id: str, status: str, *, why: str = "") -> dict[str, Any]:
        current = self.get(ident_id)
        self.session.execute(update(identifications).where(identifications.c.id == ident_id)
                             .values(status=status))
        write_audit(self.session, [{"table_name": "identifications", "record_key": ident_id,
                                    "action": "update",
                                    "before": {"status": current["status"]},
                                    "after": {"status": status, "why": why}}], user=self.user)
        return {**current, "status": status}

    # --- review events, notifications, releases -----------------------------------------

    def _insert_audited(self, table: Any, row: Mapping[str, Any]) -> dict[str, Any]:
        result = self.session.execute(insert(table).values(**row))
        key = result.inserted_primary_key[0]
        out = {"id": key, **row}
        write_audit(self.session, [{"table_name": table.name, "record_key": str(key),
                                    "action": "insert", "before": None,
                                    "after": _json_view(out)}], user=self.user)
        return out

    def add_run(self, row: Mapping[str, Any]) -> dict[str, Any]:
        """Record one identification run (``identification_runs``; audited)."""
        return self._insert_audited(identification_runs, row)

    def runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The recorded identification runs, newest first (at most ``limit``)."""
        query = select(identification_runs).order_by(identification_runs.c.run_id.desc())
        if limit is not None:
            query = query.limit(limit)
        return [_plain(r._mapping) for r in self.session.execute(query)]

    def latest_run(self) -> tuple[str, dict[str, Any]] | None:
        """The latest identification run: (run id, ``model``) of the greatest run id
        among the recorded runs and, for runs stored before they were recorded (migration
        0011), among the identifications' run ids (ids begin with the time); None when no run
        is stored. Indexed look-ups, whatever the number of identifications."""
        recorded = self.session.execute(select(func.max(identification_runs.c.run_id))
                                        ).scalar()
        older = self.session.execute(select(func.max(identifications.c.run_id))).scalar()
        if recorded is None and older is None:
            return None
        if recorded is not None and (older is None or recorded >= older):
            model = self.session.execute(select(identification_runs.c.model).where(
                identification_runs.c.run_id == recorded)).scalar()
            return str(recorded), dict(model or {})
        model = self.session.execute(select(identifications.c.model).where(
            identifications.c.run_id == older).limit(1)).scalar()
        return str(older), dict(model or {})

    def add_review_event(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return self._insert_audited(review_events, row)

    def review_events(self, ident_id: str | None = None) -> list[dict[str, Any]]:
        query = select(review_events).order_by(review_events.c.id)
        if ident_id is not None:
            query = query.where(review_events.c.identification_id == ident_id)
        return [_plain(r._mapping) for r in self.session.execute(query)]

    def add_notification(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return self._insert_audited(notifications, row)

    def notifications(self, ident_id: str | None = None) -> list[dict[str, Any]]:
        query = select(notifications).order_by(notifications.c.id)
        if ident_id is not None:
            query = query.where(notifications.c.identification_id == ident_id)
        return [_plain(r._mapping) for r in self.session.execute(query)]

    def add_release(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return self._insert_audited(releases, row)

    def releases(self, ident_id: str | None = None, *,
                 remains_code: str | None = None) -> list[dict[str, Any]]:
        query = select(releases).order_by(releases.c.id)
        if ident_id is not None:
            query = query.where(releases.c.identification_id == ident_id)
        if remains_code is not None:
            query = query.where(releases.c.remains_code == remains_code)
        return [_plain(r._mapping) for r in self.session.execute(query)]


    # --- deletion (only for removing the SYNTHETIC demonstration) -------------------------

    def delete_for(self, *, missing_person_ids: Sequence[str] = (),
                   remains_codes: Sequence[str] = ()) -> int:
        """Delete every identification of these missing persons or remains, with its review
        events, notifications and releases, each row audited (``delete``, the row before).
        Used to remove the SYNTHETIC demonstration; returns the identifications deleted."""
        from sqlalchemy import delete

        mps, codes = list(missing_person_ids), list(remains_codes)
        if not mps and not codes:
            return 0
        rows = [_plain(r._mapping) for r in self.session.execute(
            select(identifications).where(or_(identifications.c.missing_person_id.in_(mps),
                                              identifications.c.remains_code.in_(codes))))]
        ids = [r["id"] for r in rows]
        if not ids:
            return 0
        for table in (releases, notifications, review_events):
            children = [_plain(r._mapping) for r in self.session.execute(
                select(table).where(table.c.identification_id.in_(ids)))]
            if children:
                self.session.execute(delete(table).where(table.c.identification_id.in_(ids)))
                write_audit(self.session, [{"table_name": table.name,
                                            "record_key": str(c["id"]), "action": "delete",
                                            "before": _json_view(c), "after": None}
                                           for c in children], user=self.user)
        self.session.execute(delete(identifications).where(identifications.c.id.in_(ids)))
        write_audit(self.session, [{"table_name": identifications.name, "record_key": r["id"],
                                    "action": "delete", "before": _json_view(r), "after": None}
                                   for r in rows], user=self.user)
        return len(ids)


def log_access(session: Session, *, user: str, table_name: str, record_key: str,
               purpose: str) -> None:
    """Record that ``user`` read sensitive data (genotypes) of a record; never the data: a
    ``read`` entry in the (hash-chained) audit trail with the purpose as its reason, and a
    row in ``access_log``."""
    from homecoming.storage.tables_identifications import access_log

    write_audit(session, [{"table_name": table_name, "record_key": record_key,
                           "action": "read", "before": None, "after": None,
                           "reason": purpose}], user=user)

    session.execute(insert(access_log).values(at=_dt.datetime.now(_dt.UTC), user_name=user,
                                              table_name=table_name, record_key=record_key,
                                              purpose=purpose))


def access_records(session: Session, *, record_key: str | None = None) -> list[dict[str, Any]]:
    """The access log, oldest first (optionally for one record)."""
    from homecoming.storage.tables_identifications import access_log

    query = select(access_log).order_by(access_log.c.id)
    if record_key is not None:
        query = query.where(access_log.c.record_key == record_key)
    out = []
    for row in session.execute(query):
        item = dict(row._mapping)
        if item["at"].tzinfo is None:
            item["at"] = item["at"].replace(tzinfo=_dt.UTC)
        out.append(item)
    return out


def status_counts(connection: Any) -> dict[str, int]:
    """Identifications by status and remains by status, every status present (0 if none):
    ``identifications``, ``identifications_<status>``, ``remains_<status>``."""
    from homecoming.casework.identifications import IdentificationStatus
    from homecoming.casework.remains import RemainsStatus
    from homecoming.storage.tables import remains

    out = {"identifications": 0}
    out.update({f"identifications_{s.value}": 0 for s in IdentificationStatus})
    for status, n in connection.execute(select(identifications.c.status, func.count())
                                        .group_by(identifications.c.status)):
        out[f"identifications_{status}"] = int(n)
        out["identifications"] += int(n)
    out.update({f"remains_{s.value}": 0 for s in RemainsStatus})
    for status, n in connection.execute(select(remains.c.status, func.count())
                                        .group_by(remains.c.status)):
        out[f"remains_{status}"] = int(n)
    return out
