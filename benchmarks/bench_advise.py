"""Benchmark: which relative next (homecoming.kinship.advice; issue 14 item 3).

Run: ``.venv/bin/python benchmarks/bench_advise.py [--database NAME]``

For typical reference families (SYNTHETIC genotypes gene-dropped with a fixed seed; the STRs
of a frequency database shipped in ``homecoming.genetics``, default the FBI 2015 Caucasian
table, Moretti et al. 2016) prints the CPU seconds per family of the whole advice — the
current references' power and every candidate's exact expected exclusion power and expected
log10 LR — the number of candidates, seconds per candidate, and the ratio to the issue's
"seconds per family at most" (taken as 10 s). Without mutation and with stepwise mutation
(disabled by the advice at every marker where the references are consistent without it, as
kinship.power does). CPU time (``time.process_time``) on one core (BLAS threads set to 1).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

from homecoming.genetics.frequencies import load_database  # noqa: E402
from homecoming.genetics.markers import MutationSpec  # noqa: E402
from homecoming.kinship.advice import advise  # noqa: E402
from homecoming.pedigree.pedigree import Pedigree, Person, Sex  # noqa: E402
from homecoming.simulation import drop_alleles, to_profiles  # noqa: E402

M, F = Sex.MALE, Sex.FEMALE
TARGET_S = 10.0


def simulate(markers, ped: Pedigree, typed, rng) -> dict:
    """Gene dropping without mutation (homecoming.simulation; synthetic genotypes)."""
    alleles = drop_alleles(ped, markers, 1, int(rng.integers(2**31)), mutation=False)
    return {p: to_profiles(markers, alleles[p])[0] for p in typed}


FAMILIES = {
    "no reference yet": (Pedigree([Person("MP", sex=M)]), []),
    "child; one parent typed": (
        Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("MP", "FA", "MO", M)]),
        ["FA"]),
    "son; 1 sibling typed": (
        Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("MP", "FA", "MO", M),
                  Person("S1", "FA", "MO", F)]),
        ["S1"]),
    "father; wife + 1 child typed": (
        Pedigree([Person("MP", sex=M), Person("MO", sex=F), Person("C1", "MP", "MO", M)]),
        ["MO", "C1"]),
    "grandson; grandmother, uncle": (
        Pedigree([Person("GF", sex=M), Person("GM", sex=F), Person("MO", "GF", "GM", F),
                  Person("UN", "GF", "GM", M), Person("FA", sex=M),
                  Person("MP", "FA", "MO", M)]),
        ["GM", "UN"]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", default="fbi2015_caucasian")
    args = ap.parse_args()
    db = load_database(args.database)
    rng = np.random.default_rng(20261207)
    models = {"none": None,
              "stepwise": MutationSpec("stepwise", rate=0.002, rate2=1e-6, range=0.5)}
    print(f"{len(db.markers())} STRs ({db.name}); CPU seconds per family; "
          f"ratio = total / {TARGET_S:g} s")
    print(f"{'family':32s} {'mutation':9s} {'cands':>5s} {'total':>7s} {'per cand':>8s} "
          f"{'ratio':>6s}  best next donor (E1[log10 LR] now -> with)")
    for name, (ped, typed) in FAMILIES.items():
        data = simulate(db.markers(), ped, typed, rng)
        for label, spec in models.items():
            markers = db.markers(mutation=spec)
            t0 = time.process_time()
            result = advise(ped, markers, data, "MP")
            total = time.process_time() - t0
            n = len(result.candidates)
            best = result.candidates[0]
            print(f"{name:32s} {label:9s} {n:5d} {total:7.2f} {total / max(n, 1):8.2f} "
                  f"{total / TARGET_S:6.2f}  {best.candidate.relation} "
                  f"({result.expected_log10_lr:.2f} -> {best.expected_log10_lr:.2f})")


if __name__ == "__main__":
    main()
