"""Accuracy study: identification yield and false identifications of pairwise screening.

Run (documented command):

    .venv/bin/python benchmarks/accuracy_study.py [--quick]
        [--genotypes path/to/1036-Revised-Genotypes-PopStats-July-19-2017.xlsx]

For each relationship type (direct, parent-child, full sibling, half sibling) it simulates
true pairings (gene dropping through the family, with the default stepwise mutation model) and
unrelated pairings, computes the pairwise LR of the screening (``PairwiseModel``, the same
lookup tables ``homecoming screen`` uses) and counts, at the **default thresholds**, the true
pairings found (yield) and the unrelated pairings wrongly flagged: as screening candidates
(``DEFAULT_MIN_LOG10_LR``, LR >= 10^4: leads for the exact follow-up) and as identifications
(``DEFAULT_IDENTIFICATION_LOG10_LR``, LR >= 10^6), both with ``DEFAULT_MIN_COMMON`` loci.
Defaults: 10^5 unrelated and 10^4 true pairings per relationship (``--quick``: 10^4 and 10^3).

Founders: with ``--genotypes`` (the NIST 1036 revised genotypes workbook, public domain, US
Government work; Steffen et al. 2017, doi:10.1016/j.fsigen.2017.08.011) founders are real
unrelated people resampled from the workbook (distinct people within a family and within an
unrelated pair) and the frequencies are the shipped ``nist1036_all`` table computed from the
same people; without it founders are simulated from the shipped published frequencies. The
loci are the 23 autosomal STRs of the demonstration kit (20 CODIS core + PentaD, PentaE,
SE33).

Non-DNA evidence: every pairing also gets a SYNTHETIC missing person (sex 50/50, age when
missing uniform 18-80) and a post-mortem estimate (sex determined in 90 % of remains, age
estimated as an interval of +-5 years under 30 and +-10 years from 30, its centre off by a
normal error of sd 2.5 years). The evidence follows homecoming.identification.evidence: an
incompatible sex or an age outside the interval excludes; a compatible item has LR 1/f, f the
share of missing persons compatible with it. The study prints what adding sex and age does to
the yield, the false identifications and the number of unrelated candidates above LR 100.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from homecoming import simulation as sim
from homecoming.identification.screening import (
    DEFAULT_IDENTIFICATION_LOG10_LR,
    DEFAULT_MIN_COMMON,
    DEFAULT_MIN_LOG10_LR,
    RELATIONSHIPS,
    default_mutation,
)
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

LOCI = ("D3S1358", "vWA", "D16S539", "CSF1PO", "TPOX", "D8S1179", "D21S11", "D18S51",
        "D2S441", "D19S433", "TH01", "FGA", "D22S1045", "D5S818", "D13S317", "D7S820",
        "SE33", "D10S1248", "D1S1656", "D12S391", "D2S1338", "PentaE", "PentaD")
FREQUENCIES = "nist1036_all"
M, F = Sex.MALE, Sex.FEMALE

PEDIGREES = {
    "direct": (Pedigree([Person("P", sex=M)]), ("P", "P")),
    "parent_child": (Pedigree([Person("FA", sex=M), Person("MO", sex=F),
                               Person("C", "FA", "MO", M)]), ("C", "FA")),
    "full_sibling": (Pedigree([Person("FA", sex=M), Person("MO", sex=F),
                               Person("C1", "FA", "MO", M), Person("C2", "FA", "MO", F)]),
                     ("C1", "C2")),
    "half_sibling": (Pedigree([Person("FA", sex=M), Person("MO1", sex=F), Person("MO2", sex=F),
                               Person("C1", "FA", "MO1", M), Person("C2", "FA", "MO2", F)]),
                     ("C1", "C2")),
}


# --- real genotypes -----------------------------------------------------------------------

def _label(v: object) -> str | None:
    if v is None or (isinstance(v, str) and not v.strip()):
        return None
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:g}"
    return str(v).strip()


def read_nist_workbook(path: str | Path) -> list[dict[str, tuple]]:
    """Profiles (locus -> (a, b)) of the first sheet of the NIST 1036 genotypes workbook:
    header ``Sample, Pop, LOCUS, None, LOCUS, None, ...``, one person per row."""
    import openpyxl

    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = next(rows)
    cols = [(i, str(h).strip()) for i, h in enumerate(header) if i >= 2 and h is not None]
    out = []
    for row in rows:
        if not row or row[0] is None:
            continue
        prof = {}
        for i, locus in cols:
            a = _label(row[i]) if i < len(row) else None
            b = _label(row[i + 1]) if i + 1 < len(row) else None
            if a is None and b is None:
                continue
            prof[locus] = (a, b if b is not None else a)
        out.append(prof)
    wb.close()
    return out


def load_markers(genotypes: Sequence[dict] | None):
    from homecoming.genetics.frequencies import load_database

    db = load_database(FREQUENCIES)
    extra: dict[str, set[str]] = {}
    for prof in genotypes or ():
        for locus, g in prof.items():
            if locus in db and db.locus_name(locus) in LOCI:
                extra.setdefault(db.locus_name(locus), set()).update(a for a in g if a)
    return db.markers(list(LOCI), mutation=default_mutation(), extra_alleles=extra), db


# --- LRs ----------------------------------------------------------------------------------

def pair_log10_lr(model, ca: np.ndarray, cb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Element-wise pairs (row k of ca with row k of cb): log10 LR and loci typed in both,
    from the model's per-marker tables (the values ``model.log_lr`` sums)."""
    total = np.zeros(ca.shape[0])
    common = np.zeros(ca.shape[0], dtype=np.int32)
    for k in range(ca.shape[1]):
        t = model.table(k)
        a, b = ca[:, k], cb[:, k]
        ok = (a >= 0) & (b >= 0)
        total[ok] += t[a[ok], b[ok]]
        common += ok
    return total / math.log(10), common


def _distinct_rows(rng: np.random.Generator, n: int, k: int, size: int) -> np.ndarray:
    """``n`` rows of ``k`` distinct indices in range(size)."""
    if k == 1:
        return rng.integers(0, size, (n, 1))
    return np.argsort(rng.random((n, size)), axis=1)[:, :k] if size <= 4096 else \
        np.stack([rng.choice(size, k, replace=False) for _ in range(n)])


def simulate_true(rel: str, markers, n: int, rng: np.random.Generator,
                  real: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    ped, (x, y) = PEDIGREES[rel]
    founders = None
    if real is not None:
        ids = ped.founders
        pick = _distinct_rows(rng, n, len(ids), real.shape[0])
        founders = {}
        for c, pid in enumerate(ids):
            arr = real[pick[:, c]].copy()
            swap = rng.random(arr.shape[:2]) < 0.5
            arr[swap] = arr[swap][:, ::-1]
            founders[pid] = arr
    g = sim.drop_alleles(ped, markers, n, rng, founders=founders)
    return g[x], g[y]


def simulate_unrelated(markers, n: int, rng: np.random.Generator,
                       real: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    if real is None:
        return sim.simulate_founders(markers, n, rng), sim.simulate_founders(markers, n, rng)
    i = rng.integers(0, real.shape[0], n)
    j = (i + rng.integers(1, real.shape[0], n)) % real.shape[0]  # j != i
    return real[i], real[j]


# --- non-DNA evidence (SYNTHETIC model, see module docstring) -----------------------------

AGE_LO, AGE_HI = 18.0, 80.0


def _people(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    return rng.integers(0, 2, n), rng.uniform(AGE_LO, AGE_HI, n)


def _pm_estimate(rng: np.random.Generator, sex: np.ndarray, age: np.ndarray):
    known = rng.random(sex.size) < 0.9
    pm_sex = np.where(known, sex, -1)
    half = np.where(age < 30, 5.0, 10.0)
    centre = age + rng.normal(0.0, 2.5, age.size)
    return pm_sex, centre - half, centre + half


def evidence_log10_lr(rng, n: int, same: bool) -> tuple[np.ndarray, np.ndarray]:
    """(log10 LR, excluded) of sex + age for ``n`` pairings, true (``same``) or unrelated."""
    mp_sex, mp_age = _people(rng, n)
    if same:
        pm_sex, lo, hi = _pm_estimate(rng, mp_sex, mp_age)
    else:
        other_sex, other_age = _people(rng, n)
        pm_sex, lo, hi = _pm_estimate(rng, other_sex, other_age)
    sex_ok = (pm_sex < 0) | (pm_sex == mp_sex)
    f_sex = np.where(pm_sex < 0, 1.0, 0.5)
    age_ok = (mp_age >= lo) & (mp_age <= hi)
    f_age = (np.minimum(hi, AGE_HI) - np.maximum(lo, AGE_LO)) / (AGE_HI - AGE_LO)
    f_age = np.clip(f_age, 1e-3, 1.0)
    excluded = ~(sex_ok & age_ok)
    llr = -np.log10(f_sex) - np.log10(f_age)
    return np.where(excluded, -np.inf, llr), excluded


# --- study --------------------------------------------------------------------------------

def run(n_unrelated: int, n_true: int, seed: int, genotypes_path: str | None,
        pm_loci_kept: float) -> None:
    from homecoming.kinship.pairwise import PairwiseModel

    t0 = time.perf_counter()
    rng = np.random.default_rng(seed)
    people = read_nist_workbook(genotypes_path) if genotypes_path else None
    markers, db = load_markers(people)
    real = None
    if people:
        # the workbook's locus spelling ("Penta_D") -> the table's ("PentaD")
        renamed = [{db.locus_name(k): v for k, v in p.items() if k in db} for p in people]
        real = sim.encode_genotypes(markers, renamed)
        real = real[(real >= 0).all(axis=(1, 2))]  # people typed at every study locus
    founders = (f"{real.shape[0]} real unrelated people from {Path(genotypes_path).name}"
                if real is not None else f"simulated from the published frequencies ({db.name})")
    print(f"Accuracy study: {len(markers)} STRs, frequencies {db.name}, founders {founders}, "
          f"mutation {default_mutation().model} rate {default_mutation().rate}, seed {seed}")
    print("Default thresholds: candidates " + ", ".join(
        f"{r} 1e{v:g}" for r, v in DEFAULT_MIN_LOG10_LR.items())
        + "; identification " + ", ".join(
        f"{r} 1e{v:g}" for r, v in DEFAULT_IDENTIFICATION_LOG10_LR.items())
        + f"; at least {DEFAULT_MIN_COMMON} common loci; PM loci kept {pm_loci_kept:g}")
    head = (f"{'relationship':<13} {'true':>7} {'median':>7} {'cand.yield':>10} "
            f"{'false cand':>10} {'id yield':>8} {'false ids':>9} {'max unrel':>9} | "
            f"{'id yield+ev':>11} {'false ids+ev':>12} {'excl.true':>9} | "
            f"{'unrel>=100':>10} {'+ev':>6}")
    print(f"Pairings per relationship: {n_true:,} true, {n_unrelated:,} unrelated")
    print(head)
    print("-" * len(head))
    totals = {"cand": 0, "false": 0, "false_ev": 0}
    for rel in RELATIONSHIPS:
        model = PairwiseModel(markers, rel)
        cand = DEFAULT_MIN_LOG10_LR[rel]
        ident = DEFAULT_IDENTIFICATION_LOG10_LR[rel]
        x, y = simulate_true(rel, markers, n_true, rng, real)
        if pm_loci_kept < 1.0:
            x = sim.mask_loci(x, pm_loci_kept, rng)
        lt, ct = pair_log10_lr(model, sim.genotype_codes(x, markers), sim.genotype_codes(y, markers))
        a, b = simulate_unrelated(markers, n_unrelated, rng, real)
        if pm_loci_kept < 1.0:
            a = sim.mask_loci(a, pm_loci_kept, rng)
        lu, cu = pair_log10_lr(model, sim.genotype_codes(a, markers), sim.genotype_codes(b, markers))
        ok_t, ok_u = ct >= DEFAULT_MIN_COMMON, cu >= DEFAULT_MIN_COMMON
        et, ext = evidence_log10_lr(rng, n_true, True)
        eu, _ = evidence_log10_lr(rng, n_unrelated, False)
        cand_t, cand_u = (lt >= cand) & ok_t, (lu >= cand) & ok_u
        id_t, id_u = (lt >= ident) & ok_t, (lu >= ident) & ok_u
        id_te, id_ue = ((lt + et) >= ident) & ok_t, ((lu + eu) >= ident) & ok_u
        totals["cand"] += int(cand_u.sum())
        totals["false"] += int(id_u.sum())
        totals["false_ev"] += int(id_ue.sum())
        finite_u = lu[np.isfinite(lu)]
        print(f"{rel:<13} {n_true:>7,} {np.median(lt):>7.2f} {100 * cand_t.mean():>9.2f}% "
              f"{int(cand_u.sum()):>10} {100 * id_t.mean():>7.2f}% {int(id_u.sum()):>9} "
              f"{(finite_u.max() if finite_u.size else -np.inf):>9.2f} | "
              f"{100 * id_te.mean():>10.2f}% {int(id_ue.sum()):>12} {100 * ext.mean():>8.2f}% | "
              f"{int((lu >= 2).sum()):>10,} {int(((lu + eu) >= 2).sum()):>6,}")
    print("\nColumns: median = median log10 LR of the true pairings; cand.yield / false cand = "
          "true / unrelated pairings that\nbecome screening candidates; id yield / false ids = "
          "the same at the identification threshold; max unrel = largest\nlog10 LR of an "
          "unrelated pairing; +ev = with sex and age evidence (SYNTHETIC model, see the "
          "docstring); excl.true =\ntrue pairings excluded by that evidence; unrel>=100 = "
          "unrelated pairings with LR >= 100, without / with evidence.")
    n_all = len(RELATIONSHIPS) * n_unrelated
    print(f"\nFalse identifications at the default identification threshold: {totals['false']} "
          f"(DNA only), {totals['false_ev']} (DNA + sex + age) in {n_all:,} unrelated pairings"
          + (f"; the false-identification rate per pairing is below {3 / n_unrelated:.1e} per "
             "relationship (95 %, rule of three)" if totals["false"] == 0 else "")
          + f". False screening candidates: {totals['cand']}.")
    print(f"({time.perf_counter() - t0:.1f} s)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="10^4 unrelated and 10^3 true pairings per relationship")
    ap.add_argument("--genotypes", default=None,
                    help="NIST 1036 genotypes workbook (.xlsx): founders from real people; "
                         "default: founders simulated from the published frequencies")
    ap.add_argument("--unrelated", type=int, default=None, help="unrelated pairings (1e5)")
    ap.add_argument("--true", dest="n_true", type=int, default=None,
                    help="true pairings per relationship (1e4)")
    ap.add_argument("--pm-loci-kept", type=float, default=1.0,
                    help="share of loci kept in PM profiles (degraded remains), default 1")
    ap.add_argument("--seed", type=int, default=2026)
    args = ap.parse_args(argv)
    n_unrel = args.unrelated or (10_000 if args.quick else 100_000)
    n_true = args.n_true or (1_000 if args.quick else 10_000)
    run(n_unrel, n_true, args.seed, args.genotypes, args.pm_loci_kept)


if __name__ == "__main__":
    main()
