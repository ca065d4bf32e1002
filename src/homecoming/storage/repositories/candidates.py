"""Screening candidates: (post-mortem sample, reference sample, relationship, log10 LR)."""

from __future__ import annotations

import math
from collections.abc import Iterable

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from homecoming.casework import Candidate
from homecoming.errors import IntegrityError
from homecoming.storage import tables
from homecoming.storage.repositories._base import insert_rows, write_audit

__all__ = ["add_candidates", "list_candidates", "delete_candidates", "candidate_key"]

_CHUNK = 1000


def candidate_key(pm_barcode: str, ref_barcode: str, relationship: str) -> str:
    """The audit key of a candidate: ``pm|ref|relationship``."""
    return f"{pm_barcode}|{ref_barcode}|{relationship}"


def add_candidates(session: Session, candidates: Iterable[Candidate], *,
                   user: str | None = None) -> int:
    """Store screening candidates (both bar-codes must be stored samples); returns how many."""
    rows = [{"pm_barcode": c.pm_barcode, "ref_barcode": c.ref_barcode,
             "relationship": c.relationship, "log10_lr": c.log10_lr,
             "provenance": c.provenance} for c in candidates]
    if not rows:
        return 0
    wanted = {r["pm_barcode"] for r in rows} | {r["ref_barcode"] for r in rows}
    have: set[str] = set()
    listed = sorted(wanted)
    for start in range(0, len(listed), _CHUNK):
        chunk = listed[start:start + _CHUNK]
        have.update(session.execute(select(tables.samples.c.barcode)
                                    .where(tables.samples.c.barcode.in_(chunk))).scalars())
    missing = wanted - have
    if missing:
        bad = sorted(missing)[0]
        raise IntegrityError(f"Candidate: sample {bad!r} does not exist; expected the bar-code "
                             "of a stored sample", field="Candidate", value=bad)
    for row in rows:
        if not math.isfinite(row["log10_lr"]):
            raise IntegrityError(f"Candidate.log10_lr: {row['log10_lr']} cannot be stored; "
                                 "expected a finite number", field="Candidate.log10_lr",
                                 value=row["log10_lr"])
    insert_rows(session, tables.candidates, rows, chunk=_CHUNK,
                what="Candidate: a (pm_barcode, ref_barcode, relationship) pair is already "
                     "stored or refused; expected new pairs (delete the old ones first)")
    write_audit(session, [{"table_name": "candidates",
                           "record_key": candidate_key(r["pm_barcode"], r["ref_barcode"],
                                                       r["relationship"]),
                           "action": "insert", "before": None, "after": r} for r in rows],
                user=user)
    return len(rows)


def list_candidates(session: Session, *, pm_barcode: str | None = None,
                    ref_barcode: str | None = None, relationship: str | None = None,
                    min_log10_lr: float | None = None) -> list[Candidate]:
    """Stored candidates, highest log10 LR first."""
    c = tables.candidates
    query = select(c)
    if pm_barcode is not None:
        query = query.where(c.c.pm_barcode == pm_barcode)
    if ref_barcode is not None:
        query = query.where(c.c.ref_barcode == ref_barcode)
    if relationship is not None:
        query = query.where(c.c.relationship == relationship)
    if min_log10_lr is not None:
        query = query.where(c.c.log10_lr >= min_log10_lr)
    query = query.order_by(c.c.log10_lr.desc(), c.c.pm_barcode, c.c.ref_barcode)
    return [Candidate(pm_barcode=r.pm_barcode, ref_barcode=r.ref_barcode,
                      relationship=r.relationship, log10_lr=r.log10_lr,
                      provenance=r.provenance or {}) for r in session.execute(query)]


def delete_candidates(session: Session, *, pm_barcode: str | None = None,
                      ref_barcode: str | None = None, relationship: str | None = None,
                      user: str | None = None) -> int:
    """Delete stored candidates (all, or those matching); returns how many."""
    c = tables.candidates
    query = select(c)
    for column, value in ((c.c.pm_barcode, pm_barcode), (c.c.ref_barcode, ref_barcode),
                          (c.c.relationship, relationship)):
        if value is not None:
            query = query.where(column == value)
    rows = list(session.execute(query))
    if not rows:
        return 0
    ids = [r.id for r in rows]
    for start in range(0, len(ids), _CHUNK):
        session.execute(delete(c).where(c.c.id.in_(ids[start:start + _CHUNK])))
    write_audit(session, [{"table_name": "candidates",
                           "record_key": candidate_key(r.pm_barcode, r.ref_barcode,
                                                       r.relationship),
                           "action": "delete", "after": None,
                           "before": {"pm_barcode": r.pm_barcode, "ref_barcode": r.ref_barcode,
                                      "relationship": r.relationship, "log10_lr": r.log10_lr,
                                      "provenance": r.provenance}} for r in rows], user=user)
    return len(rows)
