"""Benchmark: exclusion and identification power of missing-person pedigrees
(homecoming.kinship.power; issue 14).

Run: ``.venv/bin/python benchmarks/bench_power.py [--simulations N]``

For typical reference families (SYNTHETIC genotypes gene-dropped with a fixed seed, 23 STRs
with the FBI 2015 Caucasian frequencies shipped in ``homecoming.genetics``, Moretti et al.
2016), prints the CPU time of the exact tables (the missing person's genotype distribution
under "is the missing person" and "is unrelated", every genotype of every marker), of the
exclusion power from them, and of the identification-power simulation; and the ratio of the
whole to the issue's "seconds per family at most" (1 s). Without mutation and with stepwise
mutation. CPU time (``time.process_time``) on one core (BLAS threads set to 1).
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
from homecoming.kinship.power import (  # noqa: E402
    exclusion_power,
    identification_power,
    power_tables,
)
from homecoming.pedigree.pedigree import Pedigree, Person, Sex  # noqa: E402
from homecoming.simulation import drop_alleles, to_profiles  # noqa: E402

M, F = Sex.MALE, Sex.FEMALE
TARGET_S = 1.0


def simulate(markers, ped: Pedigree, typed, rng) -> dict:
    """Gene dropping without mutation (homecoming.simulation; synthetic genotypes)."""
    alleles = drop_alleles(ped, markers, 1, int(rng.integers(2**31)), mutation=False)
    return {p: to_profiles(markers, alleles[p])[0] for p in typed}


FAMILIES = {
    "child; one parent typed": (
        Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("MP", "FA", "MO", M)]),
        ["FA"]),
    "father; wife + 3 children typed": (
        Pedigree([Person("MP", sex=M), Person("MO", sex=F)]
                 + [Person(f"C{i}", "MP", "MO", M) for i in range(1, 4)]),
        ["MO", "C1", "C2", "C3"]),
    "son; 2 siblings typed": (
        Pedigree([Person("FA", sex=M), Person("MO", sex=F), Person("MP", "FA", "MO", M),
                  Person("S1", "FA", "MO", F), Person("S2", "FA", "MO", M)]),
        ["S1", "S2"]),
    "grandson; grandmother, uncle, mother": (
        Pedigree([Person("GF", sex=M), Person("GM", sex=F), Person("MO", "GF", "GM", F),
                  Person("UN", "GF", "GM", M), Person("FA", sex=M),
                  Person("MP", "FA", "MO", M)]),
        ["GM", "UN", "MO"]),
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--simulations", type=int, default=10_000)
    args = ap.parse_args()
    db = load_database("fbi2015_caucasian")
    rng = np.random.default_rng(20261207)
    models = {"none": None,
              "stepwise": MutationSpec("stepwise", rate=0.002, rate2=1e-6, range=0.5)}
    print(f"{len(db.markers())} STRs ({db.name}); CPU seconds per family; "
          f"{args.simulations} simulations per hypothesis; ratio = total / {TARGET_S:g} s")
    print(f"{'family':38s} {'mutation':9s} {'tables':>7s} {'EP':>6s} {'IP sim':>7s} "
          f"{'total':>7s} {'ratio':>6s}  EP     E1[log10 LR]")
    for name, (ped, typed) in FAMILIES.items():
        data = simulate(db.markers(), ped, typed, rng)
        for label, spec in models.items():
            markers = db.markers(mutation=spec)
            t0 = time.process_time()
            tables = power_tables(ped, markers, data, "MP")
            t1 = time.process_time()
            ep = exclusion_power(tables)
            t2 = time.process_time()
            ip = identification_power(tables, simulations=args.simulations, threshold=1e4,
                                      seed=1)
            t3 = time.process_time()
            total = t3 - t0
            expected = ip.related.expected_log10_lr
            print(f"{name:38s} {label:9s} {t1 - t0:7.3f} {t2 - t1:6.3f} {t3 - t2:7.3f} "
                  f"{total:7.3f} {total / TARGET_S:6.2f}  {ep.total:.4f} "
                  f"{expected if expected is None else round(expected, 2)}")


if __name__ == "__main__":
    main()
