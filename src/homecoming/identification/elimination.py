"""Elimination database: catch contamination of post-mortem samples by staff DNA.

Everyone who handles remains or samples (excavators, anthropologists, laboratory staff) gives
an elimination profile. Each PM profile is compared with each staff profile; a PM profile that
is *included* in a staff profile on enough loci is flagged as possible contamination.

The comparison tolerates partial and degraded PM profiles: at a locus the PM alleles must be a
subset of the staff member's alleles, so a PM homozygote ``15,15`` (or ``15,?``) is consistent
with a staff ``15,16`` (allele drop-out), while a PM allele the staff member lacks is a
mismatch. A staff allele recorded as unknown matches anything. Where the markers (allele
frequencies) are given, the strength of the inclusion is the log10 of 1 / (probability that a
random person's genotype includes the PM alleles at every compared locus): ``2 p_a p_b`` for a
PM heterozygote, ``1 − (1 − p_a)²`` for a single seen allele; an allele missing from the table
takes the marker's smallest frequency.

Defaults (:func:`eliminate`): at least 6 compared loci, no mismatch, and (with markers)
inclusion log10 LR ≥ 6.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from homecoming import provenance as _prov
from homecoming.errors import InputError
from homecoming.genetics.profiles import Genotype

__all__ = ["ELIMINATION_DTYPE", "EliminationResult", "eliminate", "encode_labels"]

DEFAULT_MIN_COMPARED = 6
DEFAULT_MAX_MISMATCHES = 0
DEFAULT_MIN_LOG10_LR = 6.0

ELIMINATION_DTYPE = np.dtype([
    ("pm", np.int64), ("staff", np.int64), ("compared", np.int16), ("mismatches", np.int16),
    ("log10_lr", np.float64),
])


@dataclass(frozen=True)
class EliminationResult:
    """Flagged (PM, staff) pairs sorted by PM row, then log10 LR descending, then staff row."""

    flags: np.ndarray
    pm_ids: tuple[str, ...] | None = None
    staff_ids: tuple[str, ...] | None = None
    provenance: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.flags.size)

    @property
    def flagged_pm(self) -> tuple[int, ...]:
        return tuple(sorted(set(self.flags["pm"].tolist())))

    def records(self) -> list[dict[str, Any]]:
        out = []
        for r in self.flags:
            pm, st = int(r["pm"]), int(r["staff"])
            out.append({
                "pm": self.pm_ids[pm] if self.pm_ids is not None else pm,
                "staff": self.staff_ids[st] if self.staff_ids is not None else st,
                "compared_loci": int(r["compared"]), "mismatches": int(r["mismatches"]),
                "log10_lr": None if math.isnan(r["log10_lr"]) else float(r["log10_lr"])})
        return out


def encode_labels(loci: Sequence[str], *groups: Sequence[Mapping[str, Genotype]]
                  ) -> tuple[list[np.ndarray], list[dict[str, int]]]:
    """Allele arrays ``(n, L, 2)`` (−1 unknown/untyped) for each group of profiles, with one
    label → integer map per locus shared by all groups."""
    maps: list[dict[str, int]] = [dict() for _ in loci]
    arrays = []
    for profiles in groups:
        arr = np.full((len(profiles), len(loci), 2), -1, dtype=np.int32)
        for r, prof in enumerate(profiles):
            for k, locus in enumerate(loci):
                g = prof.get(locus)
                if not g:
                    continue
                g = tuple(g)
                if len(g) > 2:
                    raise InputError(f"profile {r}, locus {locus!r}: {len(g)} alleles; expected "
                                     "one or two", field=locus, value=len(g))
                for s, a in enumerate(g):
                    if a is None:
                        continue
                    arr[r, k, s] = maps[k].setdefault(str(a), len(maps[k]))
                if len(g) == 1:  # a single allele: read as a homozygote
                    arr[r, k, 1] = arr[r, k, 0]
        arrays.append(arr)
    return arrays, maps


def _inclusion_log10(pm: np.ndarray, loci: Sequence[str], maps: Sequence[Mapping[str, int]],
                     markers: Sequence[Any]) -> np.ndarray:
    """Per PM profile and locus: −log10 P(a random genotype includes the PM alleles);
    0 where untyped. Shape (n, L)."""
    by_name = {m.name: m for m in markers}
    out = np.zeros(pm.shape[:2])
    for k, locus in enumerate(loci):
        m = by_name.get(locus)
        if m is None:
            continue
        freqs = dict(zip(m.alleles, np.asarray(m.frequencies, dtype=float)))
        floor = float(np.min(m.frequencies)) if len(m.frequencies) else 1e-3
        inv = {v: k2 for k2, v in maps[k].items()}
        p = np.array([freqs.get(inv[i], floor) for i in range(len(inv))] + [np.nan])
        a, b = pm[:, k, 0], pm[:, k, 1]
        pa = p[np.where(a >= 0, a, -1)]
        pb = p[np.where(b >= 0, b, -1)]
        het = (a >= 0) & (b >= 0) & (a != b)
        single = ((a >= 0) ^ (b >= 0)) | ((a >= 0) & (a == b))
        ps = np.where(a >= 0, pa, pb)
        prob = np.where(het, 2 * pa * pb, np.where(single, 1 - (1 - ps) ** 2, 1.0))
        out[:, k] = -np.log10(prob)
    return out


def eliminate(pm_profiles: Sequence[Mapping[str, Genotype]],
              staff_profiles: Sequence[Mapping[str, Genotype]], *,
              markers: Sequence[Any] | None = None, loci: Sequence[str] | None = None,
              min_compared: int = DEFAULT_MIN_COMPARED,
              max_mismatches: int = DEFAULT_MAX_MISMATCHES,
              min_log10_lr: float = DEFAULT_MIN_LOG10_LR,
              pm_ids: Sequence[str] | None = None, staff_ids: Sequence[str] | None = None,
              block: int = 512) -> EliminationResult:
    """Flag PM profiles that are included in a staff (elimination) profile.

    :param markers: markers with allele frequencies (for the inclusion LR); without them the
        LR is not computed (NaN) and only ``min_compared`` / ``max_mismatches`` decide.
    :param loci: loci to compare (default: the markers' names, else every locus seen).
    """
    if loci is None:
        if markers is not None:
            loci = [m.name for m in markers]
        else:
            seen: dict[str, None] = {}
            for prof in list(pm_profiles) + list(staff_profiles):
                seen.update(dict.fromkeys(prof))
            loci = list(seen)
    loci = list(loci)
    if block < 1:
        raise InputError(f"block size {block}; expected a positive integer", field="block",
                         value=block)
    (pm, staff), maps = encode_labels(loci, pm_profiles, staff_profiles)
    weights = _inclusion_log10(pm, loci, maps, markers) if markers is not None else None
    pm_typed = np.asarray((pm >= 0).any(axis=2))                      # (na, L)
    st_typed = np.asarray((staff >= 0).any(axis=2))                   # (nb, L)
    st_wild = np.asarray(st_typed & (staff < 0).any(axis=2))          # one unknown allele
    parts = []
    s0 = staff[None, :, :, 0]
    s1 = staff[None, :, :, 1]
    for a0 in range(0, pm.shape[0], block):
        p = pm[a0:a0 + block]
        p0 = p[:, None, :, 0]
        p1 = p[:, None, :, 1]
        ok0 = (p0 < 0) | (p0 == s0) | (p0 == s1) | st_wild[None]
        ok1 = (p1 < 0) | (p1 == s0) | (p1 == s1) | st_wild[None]
        compared = np.asarray(pm_typed[a0:a0 + block, None, :] & st_typed[None])  # (na, nb, L)
        mism = compared & ~(ok0 & ok1)
        n_cmp = compared.sum(axis=2)
        n_mis = mism.sum(axis=2)
        keep = (n_cmp >= min_compared) & (n_mis <= max_mismatches)
        if weights is not None:
            consistent = compared & ~mism
            lr = np.einsum("ijl,il->ij", consistent.astype(float), weights[a0:a0 + block])
            keep &= lr >= min_log10_lr
        i, j = np.nonzero(keep)
        rows = np.empty(i.size, dtype=ELIMINATION_DTYPE)
        rows["pm"] = i + a0
        rows["staff"] = j
        rows["compared"] = n_cmp[i, j]
        rows["mismatches"] = n_mis[i, j]
        rows["log10_lr"] = lr[i, j] if weights is not None else np.nan
        parts.append(rows)
    flags = np.concatenate(parts) if parts else np.empty(0, dtype=ELIMINATION_DTYPE)
    if flags.size:
        lr_key = np.where(np.isnan(flags["log10_lr"]), 0.0, -flags["log10_lr"])
        flags = flags[np.lexsort((flags["staff"], lr_key, flags["pm"]))]
    prov = _prov.record(parameters={"min_compared": min_compared,
                                    "max_mismatches": max_mismatches,
                                    "min_log10_lr": min_log10_lr if markers is not None else None,
                                    "loci": loci, "pm_profiles": len(pm_profiles),
                                    "staff_profiles": len(staff_profiles)})
    return EliminationResult(flags, tuple(pm_ids) if pm_ids is not None else None,
                             tuple(staff_ids) if staff_ids is not None else None, prov)
