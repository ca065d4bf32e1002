"""The analyst's screening candidates: the stored list, and one candidate's LR marker by marker.

:func:`candidate_rows` lists the stored screening candidates (post-mortem sample, reference
sample, relationship, LR) with the remains and donor codes they belong to; it never reads a
name. :func:`candidate_detail` recomputes one candidate's pairwise LR marker by marker with
the model the screening recorded in the candidate's provenance (frequency database, θ and the
default mutation model, the markers built from every usable profile as
:func:`homecoming.services.screening.screen` builds them), so that the product of the
per-marker LRs is the stored LR.

Permission: ``screen.run`` (the analysts and the laboratory, who run the screening).
"""

from __future__ import annotations

import math
from typing import Any

from homecoming.errors import NotFoundError
from homecoming.services._common import _authorize

__all__ = ["candidate_rows", "candidate_detail", "PERMISSION"]

PERMISSION = "screen.run"


def _sample_owners(session: Any, barcodes: set[str]) -> dict[str, dict[str, Any]]:
    """bar-code -> {"remains_code", "donor_id"} of the samples named."""
    from sqlalchemy import select

    from homecoming.storage import tables

    s = tables.samples
    out: dict[str, dict[str, Any]] = {}
    keys = sorted(barcodes)
    for start in range(0, len(keys), 500):
        query = select(s.c.barcode, s.c.remains_code, s.c.donor_id).where(
            s.c.barcode.in_(keys[start:start + 500]))
        for row in session.execute(query):
            out[row.barcode] = {"remains_code": row.remains_code, "donor_id": row.donor_id}
    return out


def candidate_rows(session: Any, *, relationship: str | None = None,
                   min_log10_lr: float | None = None, search: str | None = None,
                   actor: str | None = None) -> list[dict[str, Any]]:
    """The stored candidates, highest LR first: ``pm``, ``reference``, ``relationship``,
    ``log10_lr``, ``lr``, ``remains_code`` (of the PM sample), ``donor_id`` (of the
    reference sample). ``search`` matches a bar-code or code (case-insensitive)."""
    from homecoming.storage.repositories import list_candidates

    _authorize(session, PERMISSION, actor)
    found = list_candidates(session, relationship=relationship or None,
                            min_log10_lr=min_log10_lr)
    owners = _sample_owners(session, {c.pm_barcode for c in found}
                            | {c.ref_barcode for c in found})
    needle = (search or "").strip().casefold()
    rows = []
    for c in found:
        pm, ref = owners.get(c.pm_barcode, {}), owners.get(c.ref_barcode, {})
        row = {"pm": c.pm_barcode, "reference": c.ref_barcode,
               "relationship": c.relationship, "log10_lr": float(c.log10_lr),
               "lr": _lr(c.log10_lr), "remains_code": pm.get("remains_code"),
               "donor_id": ref.get("donor_id")}
        if needle and not any(needle in str(row[k] or "").casefold()
                              for k in ("pm", "reference", "remains_code", "donor_id")):
            continue
        rows.append(row)
    return rows


def _lr(log10_lr: float) -> float | None:
    if not math.isfinite(log10_lr):
        return 0.0 if log10_lr < 0 else None
    return 10.0 ** log10_lr if log10_lr < 308 else None


def candidate_detail(db: Any, pm: str, reference: str, relationship: str, *,
                     actor: str | None = None) -> dict[str, Any]:
    """One stored candidate with its per-marker LRs.

    Returns the row of :func:`candidate_rows` plus ``markers``: a list of
    ``{"locus", "log10_lr", "lr", "typed"}`` (``typed`` false where either profile lacks the
    locus: it contributes LR 1), ``recomputed_log10_lr`` (their sum), ``frequencies`` (name),
    ``theta``, ``loci_left_out`` (typed loci the frequency database lacks) and the screening's
    ``provenance``.

    :raises NotFoundError: no such stored candidate (or one of its profiles is gone).
    """
    import numpy as np

    from homecoming.kinship.pairwise import PairwiseModel
    from homecoming.services.screening import (
        DEFAULT_FREQUENCIES,
        _profiles_from_database,
        markers_from_frequencies,
    )
    from homecoming.storage.repositories import list_candidates

    with db.session() as session:
        _authorize(session, PERMISSION, actor)
        found = list_candidates(session, pm_barcode=pm, ref_barcode=reference,
                                relationship=relationship)
        if not found:
            raise NotFoundError(f"candidate {pm} / {reference} ({relationship}) is not stored; "
                                "expected a pair of the screening candidates list")
        cand = found[0]
        owners = _sample_owners(session, {pm, reference})
    prov = dict(cand.provenance or {})
    fdb_info = prov.get("frequency_database")
    name = fdb_info.get("name") if isinstance(fdb_info, dict) else None
    name = name or DEFAULT_FREQUENCIES
    params = prov.get("parameters") if isinstance(prov.get("parameters"), dict) else {}
    theta = float(params.get("theta") or 0.0)
    pm_profiles, ref_profiles, _ = _profiles_from_database(db)
    pm_g = dict(pm_profiles).get(pm)
    ref_g = dict(ref_profiles).get(reference)
    if pm_g is None or ref_g is None:
        raise NotFoundError(f"candidate {pm} / {reference}: a profile is no longer usable "
                            "(deleted or consent withdrawn); expected both profiles stored")
    profiles = [g for _, g in pm_profiles] + [g for _, g in ref_profiles]
    markers, fdb = markers_from_frequencies(name, profiles)
    per_marker = []
    for marker in markers:
        typed = marker.name in _keys(pm_g, fdb) and marker.name in _keys(ref_g, fdb)
        value = 0.0
        if typed:
            model = PairwiseModel([marker], relationship, theta=theta)
            a = model.encode([pm_g], unknown="untyped")
            b = model.encode([ref_g], unknown="untyped")
            value = float(model.log_lr(a, b)[0, 0] / np.log(10.0))
        per_marker.append({"locus": marker.name, "log10_lr": value, "lr": _lr(value),
                           "typed": typed})
    left_out = sorted({locus for g in (pm_g, ref_g) for locus in g if locus not in fdb})
    total = sum(m["log10_lr"] for m in per_marker)
    return {"pm": pm, "reference": reference, "relationship": relationship,
            "log10_lr": float(cand.log10_lr), "lr": _lr(cand.log10_lr),
            "remains_code": owners.get(pm, {}).get("remains_code"),
            "donor_id": owners.get(reference, {}).get("donor_id"),
            "markers": per_marker, "recomputed_log10_lr": total,
            "frequencies": fdb.name, "theta": theta, "loci_left_out": left_out,
            "provenance": prov}


def _keys(genotypes: dict[str, Any], fdb: Any) -> set[str]:
    """The frequency-database names of the loci typed in ``genotypes``."""
    return {fdb.locus_name(locus) for locus, g in genotypes.items()
            if locus in fdb and g and all(a is not None for a in g)}
