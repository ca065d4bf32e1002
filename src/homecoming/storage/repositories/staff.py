"""The elimination database: staff (elimination) profiles and contamination flags.

Everyone who handles remains or samples gives an elimination profile. It is stored under a
**staff code** only (``staff_profiles`` has no name column: who holds a code is kept outside
the genetic data). ``homecoming screen --elimination`` compares every post-mortem profile with
every staff profile (:func:`homecoming.identification.elimination.eliminate`) and stores the
PM profiles found included in a staff profile as flags (:func:`add_elimination_flags`).

As for DNA profiles, the audit trail keeps the loci and a SHA-256 of the genotypes, never the
alleles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from homecoming.casework import StaffProfile  # the record lives beside DnaProfile
from homecoming.errors import IntegrityError
from homecoming.genetics.profiles import Genotype
from homecoming.storage import tables
from homecoming.storage.repositories._base import (
    Repository,
    genotypes_digest,
    insert_rows,
    write_audit,
)

__all__ = ["StaffProfile", "StaffProfileRepository", "EliminationFlag", "staff_profiles",
           "add_elimination_flags", "list_elimination_flags", "delete_elimination_flags",
           "elimination_flag_key"]

_CHUNK = 1000


class StaffProfileRepository(Repository[StaffProfile]):
    model = StaffProfile
    table = tables.staff_profiles
    noun = "staff profile"

    def audit_view(self, record: StaffProfile) -> dict[str, Any]:
        """Genetic data stays out of the audit trail: loci and a SHA-256 of the genotypes."""
        view = record.to_dict()
        genotypes = view.pop("genotypes")
        view["loci"] = sorted(genotypes)
        view["genotypes_sha256"] = genotypes_digest(genotypes)
        return view


def staff_profiles(session: Session) -> list[tuple[str, dict[str, Genotype]]]:
    """``(staff code, {locus: genotype})`` of every staff profile, ordered by code."""
    t = tables.staff_profiles
    query = select(t.c.staff_code, t.c.genotypes).order_by(t.c.staff_code)
    return [(code, {locus: tuple(alleles) for locus, alleles in genotypes.items()})
            for code, genotypes in session.execute(query)]


@dataclass(frozen=True)
class EliminationFlag:
    """A PM profile included in a staff profile (possible contamination)."""

    pm_barcode: str
    staff_code: str
    compared_loci: int
    mismatches: int
    log10_lr: float | None
    provenance: Mapping[str, Any] = field(default_factory=dict)


def elimination_flag_key(pm_barcode: str, staff_code: str) -> str:
    """The audit key of a flag: ``pm|staff``."""
    return f"{pm_barcode}|{staff_code}"


def _row(flag: EliminationFlag) -> dict[str, Any]:
    lr = flag.log10_lr
    if lr is not None and not math.isfinite(lr):
        if math.isnan(lr):
            lr = None
        else:
            raise IntegrityError(f"EliminationFlag.log10_lr: {lr} cannot be stored; expected a "
                                 "finite number or None", field="EliminationFlag.log10_lr",
                                 value=lr)
    return {"pm_barcode": flag.pm_barcode, "staff_code": flag.staff_code,
            "compared_loci": int(flag.compared_loci), "mismatches": int(flag.mismatches),
            "log10_lr": None if lr is None else float(lr),
            "provenance": dict(flag.provenance)}


def _existing(session: Session, column: Any, values: Iterable[str]) -> set[str]:
    listed = sorted(set(values))
    have: set[str] = set()
    for start in range(0, len(listed), _CHUNK):
        have.update(session.execute(select(column).where(
            column.in_(listed[start:start + _CHUNK]))).scalars())
    return have


def add_elimination_flags(session: Session, flags: Iterable[EliminationFlag], *,
                          user: str | None = None) -> int:
    """Store flags (the PM bar-code must be a stored sample, the staff code a stored staff
    profile; one flag per pair); audited. Returns how many."""
    rows = [_row(f) for f in flags]
    if not rows:
        return 0
    for column, name, what in ((tables.samples.c.barcode, "pm_barcode", "a stored sample"),
                               (tables.staff_profiles.c.staff_code, "staff_code",
                                "a stored staff profile")):
        wanted = {r[name] for r in rows}
        missing = wanted - _existing(session, column, wanted)
        if missing:
            bad = sorted(missing)[0]
            raise IntegrityError(f"EliminationFlag.{name}: {bad!r} does not exist; expected "
                                 f"the key of {what}", field=f"EliminationFlag.{name}",
                                 value=bad)
    seen: set[tuple[str, str]] = set()
    for r in rows:
        pair = (r["pm_barcode"], r["staff_code"])
        if pair in seen:
            raise IntegrityError(f"EliminationFlag: the pair {pair[0]!r}, {pair[1]!r} appears "
                                 "twice; expected one flag per (PM sample, staff code)",
                                 field="EliminationFlag", value=pair)
        seen.add(pair)
    insert_rows(session, tables.elimination_flags, rows, chunk=_CHUNK,
                what="EliminationFlag: a (pm_barcode, staff_code) pair is already stored or "
                     "refused; expected new pairs (delete the old flags first)")
    write_audit(session, [{"table_name": "elimination_flags",
                           "record_key": elimination_flag_key(r["pm_barcode"], r["staff_code"]),
                           "action": "insert", "before": None, "after": r} for r in rows],
                user=user)
    return len(rows)


def list_elimination_flags(session: Session, *, pm_barcode: str | None = None,
                           staff_code: str | None = None) -> list[EliminationFlag]:
    """Stored flags, by PM bar-code then highest log10 LR first."""
    t = tables.elimination_flags
    query = select(t)
    if pm_barcode is not None:
        query = query.where(t.c.pm_barcode == pm_barcode)
    if staff_code is not None:
        query = query.where(t.c.staff_code == staff_code)
    out = [EliminationFlag(r.pm_barcode, r.staff_code, r.compared_loci, r.mismatches,
                           r.log10_lr, r.provenance or {}) for r in session.execute(query)]
    out.sort(key=lambda f: (f.pm_barcode, -(f.log10_lr if f.log10_lr is not None else 0.0),
                            f.staff_code))
    return out


def delete_elimination_flags(session: Session, *, pm_barcode: str | None = None,
                             staff_code: str | None = None, user: str | None = None) -> int:
    """Delete stored flags (all, or those matching); audited. Returns how many."""
    t = tables.elimination_flags
    query = select(t)
    for column, value in ((t.c.pm_barcode, pm_barcode), (t.c.staff_code, staff_code)):
        if value is not None:
            query = query.where(column == value)
    rows = list(session.execute(query))
    if not rows:
        return 0
    ids = [r.id for r in rows]
    for start in range(0, len(ids), _CHUNK):
        session.execute(delete(t).where(t.c.id.in_(ids[start:start + _CHUNK])))
    write_audit(session, [{"table_name": "elimination_flags",
                           "record_key": elimination_flag_key(r.pm_barcode, r.staff_code),
                           "action": "delete", "after": None,
                           "before": {"pm_barcode": r.pm_barcode, "staff_code": r.staff_code,
                                      "compared_loci": r.compared_loci,
                                      "mismatches": r.mismatches, "log10_lr": r.log10_lr,
                                      "provenance": r.provenance}} for r in rows], user=user)
    return len(rows)


def flags_from_result(result: Any, provenance: Mapping[str, Any] | None = None,
                      ) -> list[EliminationFlag]:
    """Flags from an :class:`~homecoming.identification.elimination.EliminationResult` made
    with ``pm_ids`` (PM bar-codes) and ``staff_ids`` (staff codes)."""
    prov = dict(provenance if provenance is not None else result.provenance)
    return [EliminationFlag(r["pm"], r["staff"], r["compared_loci"], r["mismatches"],
                            r["log10_lr"], prov) for r in result.records()]
