"""Benchmark: exact joint DVI identification (homecoming.identification.solve), issue 4.

Run: ``.venv/bin/python benchmarks/bench_joint.py [--quick] [--seeds N]``

1. ``planecrash.json`` (dvir's plane crash: 5 families, 8 victims, 5 missing, 15 STRs;
   19,081 a-priori assignments; dvir's brute-force ``dviJoint`` takes 13.3 min, kinship-software.md
   §1.4): solved exactly (best, top-10, exact flat-prior posterior) with the default exclusions
   and again with **no exclusion at all** (every one of the 19,081 assignments has a positive
   likelihood), against the 1 s target.
2. A SYNTHETIC 50-victim / 15-family / 30-missing case (gene dropping through the families,
   21 autosomal STRs with NIST 1036 frequencies, proportional mutation 0.001; 24 victims are
   missing persons, 26 are unrelated), against the 10 s target. Wall time of the whole
   ``solve`` (pairwise stage, family options, search, marginals, conclusions) and how many of
   the simulated identifications the best assignment gets right.

Times are wall-clock medians of 3 runs (1 with ``--quick``) of a fresh ``solve`` (no caches
carried over).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

from homecoming.formats.dvi_dataset import load_dvi_dataset
from homecoming.genetics.frequencies import load_database
from homecoming.genetics.markers import MutationSpec
from homecoming.identification import IdentificationConfig, solve
from homecoming.identification.synthetic import synthetic_case

HERE = Path(__file__).resolve().parent
#: dvir's example datasets, shipped with the tests (tests/data/dvi-examples/SOURCES.md).
EXAMPLES = HERE.parent / "tests" / "data" / "dvi-examples"
PLANE_TARGET_S = 1.0
SYNTH_TARGET_S = 10.0


def timed(fn, repeats: int):
    """Median wall seconds, median CPU seconds of this process, last result."""
    times, cpu, result = [], [], None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    return statistics.median(times), statistics.median(cpu), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="one run each")
    ap.add_argument("--seeds", type=int, default=1, help="synthetic cases to run (seeds 1..N)")
    args = ap.parse_args(argv)
    repeats = 1 if args.quick else 3
    print(f"load average: {os.getloadavg()[0]:.2f}  python {sys.version.split()[0]}")

    ds = load_dvi_dataset(EXAMPLES / "planecrash.json")
    print("\n1. planecrash (5 families, 8 victims, 5 missing, 15 STRs; 19,081 assignments)")
    for label, cfg in (("default exclusions (maxIncomp 2)", IdentificationConfig()),
                       ("no exclusion (all 19,081 assignments)",
                        IdentificationConfig(max_incompatible=None))):
        t, c, r = timed(lambda cfg=cfg: solve(ds, config=cfg), repeats)
        best = ", ".join(f"{v}={m}" for v, m in r.best.assignment.items() if m)
        print(f"   {label}: {t:.3f} s wall, {c:.3f} s CPU  (target {PLANE_TARGET_S:g} s, ratio "
              f"{t / PLANE_TARGET_S:.2f})  exact posterior: {r.posterior_exact}")
        print(f"      best: {best}  LR={r.best.lr:.4g}  posterior={r.best.posterior:.4f}  "
              f"family options {r.search['family_options']}  "
              f"likelihood calls {r.search['likelihood_calls']}")
    print("   (dvir 3.4.2 brute-force dviJoint: 13.3 min; dviSolve with reductions: 0.45 s, "
          "kinship-software.md §1.4)")

    db = load_database("nist1036_all")
    markers = [m for m in db.markers(mutation=MutationSpec("proportional", rate=0.001))
               if m.chromosome == "autosomal"][:21]
    print("\n2. SYNTHETIC 50 victims / 15 families / 30 missing, 21 STRs (NIST 1036 "
          "frequencies), proportional mutation 0.001")
    worst = 0.0
    for seed in range(1, args.seeds + 1):
        case = synthetic_case(markers, n_families=15, n_missing=30, n_victims=50, n_true=24,
                              seed=seed)
        t, c, r = timed(lambda: solve(case.dataset), repeats)
        worst = max(worst, t)
        best = {v: m for v, m in r.best.assignment.items() if m}
        right = sum(case.truth.get(v) == m for v, m in best.items())
        n_excl = sum(p.excluded for p in r.pairwise)
        print(f"   seed {seed}: {t:.2f} s wall, {c:.2f} s CPU  (target {SYNTH_TARGET_S:g} s, ratio "
              f"{t / SYNTH_TARGET_S:.2f})  exact posterior: {r.posterior_exact}")
        print(f"      pairings {len(r.pairwise)} ({n_excl} excluded), components "
              f"{r.search['components']}, family options {sum(r.search['family_options'])}, "
              f"likelihood calls {r.search['likelihood_calls']}")
        print(f"      best assignment: {len(best)} pairings, {right} equal to the simulated "
              f"truth ({len(case.truth)} victims are missing persons; the rest are swaps of "
              "indistinguishable siblings or weak pairings)")
        concl: dict[str, int] = {}
        for c in r.missing_conclusions:
            concl[c.conclusion.value] = concl.get(c.conclusion.value, 0) + 1
        print(f"      conclusions: {concl}")
    print(f"\nsummary: synthetic worst {worst:.2f} s wall vs {SYNTH_TARGET_S:g} s target "
          "(wall times include waiting for the CPU on a loaded machine; see the load average)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
