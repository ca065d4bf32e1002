"""Batch pairwise LRs (issue 3 target: <= 1 us per LR amortised on one core, 23 STRs, mutation
on; memory flat in the batch size).

    .venv/bin/python benchmarks/bench_pairwise.py [--n-a 2000] [--n-b 20000] [--quick]

Profiles are **synthetic**: genotypes drawn at random from the published NIST 1036 (all)
frequencies (Steffen et al. 2017) at the 23 loci of the FBI expanded CODIS set (CODIS 20 +
PentaD, PentaE, SE33), 5 % of markers left untyped. Mutation: the stepwise model with an
illustrative flat rate (male 0.002, female 0.0005, range 0.1, microvariant rate 1e-5): no
citable per-locus rate table ships with Homecoming (see SOURCES.md).

It prints, per relationship, the time per LR through ``iter_candidates`` (the screening path,
threshold log LR >= log(1e4)) and through ``log_lr`` on a block, the ratio to the 1 us target,
and the peak traced memory for growing numbers of reference profiles.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # one core

import argparse  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402

import numpy as np  # noqa: E402

from homecoming.genetics.frequencies import load_database  # noqa: E402
from homecoming.genetics.markers import MutationSpec  # noqa: E402
from homecoming.kinship.pairwise import RELATIONSHIPS, PairwiseModel  # noqa: E402

LOCI = ["CSF1PO", "D3S1358", "D5S818", "D7S820", "D8S1179", "D13S317", "D16S539", "D18S51",
        "D21S11", "FGA", "TH01", "TPOX", "vWA", "D1S1656", "D2S441", "D2S1338", "D10S1248",
        "D12S391", "D19S433", "D22S1045", "PentaD", "PentaE", "SE33"]
TARGET_US = 1.0


def synthetic_codes(model: PairwiseModel, n: int, rng: np.random.Generator,
                    missing: float = 0.05) -> np.ndarray:
    """Random genotype codes drawn from the markers' frequencies (synthetic profiles)."""
    out = np.empty((n, len(model.markers)), dtype=np.int32)
    for k, m in enumerate(model.markers):
        a = rng.choice(m.n_alleles, size=n, p=m.frequencies)
        b = rng.choice(m.n_alleles, size=n, p=m.frequencies)
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        out[:, k] = hi * (hi + 1) // 2 + lo
    out[rng.random(out.shape) < missing] = -1
    return out


def time_candidates(model, ca, cb, threshold, cpu=False):
    t0, c0 = time.perf_counter(), time.process_time()
    hits = 0
    for i, _, _ in model.iter_candidates(ca, cb, min_log_lr=threshold):
        hits += i.size
    wall, used = time.perf_counter() - t0, time.process_time() - c0
    return (wall, hits, used) if cpu else (wall, hits)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n-a", type=int, default=2000, help="PM profiles (default 2000)")
    ap.add_argument("--n-b", type=int, default=20000, help="reference profiles (default 20000)")
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    n_a, n_b = (200, 2000) if args.quick else (args.n_a, args.n_b)
    rng = np.random.default_rng(args.seed)
    db = load_database("nist1036_all")
    mutation = {"male": MutationSpec("stepwise", rate=0.002, rate2=1e-5, range=0.1),
                "female": MutationSpec("stepwise", rate=0.0005, rate2=1e-5, range=0.1)}
    markers = db.markers(LOCI, mutation=mutation)
    print(f"homecoming pairwise benchmark: {platform.python_implementation()} "
          f"{platform.python_version()}, numpy {np.__version__}, {platform.machine()}, one core")
    print(f"{len(markers)} STRs from {db.name} (sha256 {db.sha256[:12]}), stepwise mutation; "
          f"synthetic profiles {n_a} x {n_b} = {n_a * n_b:,} pairs per relationship, "
          f"dtype {args.dtype}\n")
    threshold = math.log(1e4)
    header = (f"{'relationship':<14}{'build s':>9}{'us/LR screen':>14}{'ratio':>8}"
              f"{'CPU us/LR':>11}{'us/LR log_lr':>14}{'ratio':>8}{'hits':>10}")
    print(header)
    print("-" * len(header))
    models = {}
    for rel in RELATIONSHIPS:
        t0 = time.perf_counter()
        model = PairwiseModel(markers, rel, dtype=args.dtype)
        build = time.perf_counter() - t0
        models[rel] = model
        ca = synthetic_codes(model, n_a, rng)
        cb = synthetic_codes(model, n_b, rng)
        ca[: min(20, n_a)] = cb[: min(20, n_a)]  # a few true direct matches
        elapsed, hits, used = time_candidates(model, ca, cb, threshold, cpu=True)
        us = elapsed / (n_a * n_b) * 1e6
        cpu_us = used / (n_a * n_b) * 1e6
        sub_a = ca[: min(n_a, 500)]
        sub_b = cb[: min(n_b, 5000)]
        t0 = time.perf_counter()
        model.log_lr(sub_a, sub_b)
        us2 = (time.perf_counter() - t0) / (sub_a.shape[0] * sub_b.shape[0]) * 1e6
        print(f"{rel:<14}{build:>9.2f}{us:>14.3f}{us / TARGET_US:>8.2f}{cpu_us:>11.3f}{us2:>14.3f}"
              f"{us2 / TARGET_US:>8.2f}{hits:>10}")
    print(f"\nratio = wall time per LR / {TARGET_US:g} us target (<= 1 meets it); CPU us/LR is "
          "the process CPU time (less sensitive to a loaded machine). os.getloadavg() = "
          f"{', '.join(f'{x:.1f}' for x in os.getloadavg())}.")

    print("\nPeak traced memory during iter_candidates (full_sibling), growing reference set:")
    print(f"{'n_a x n_b':>18}{'pairs':>16}{'peak MiB':>10}{'codes MiB':>11}{'us/LR':>8}")
    model = models["full_sibling"]
    ca = synthetic_codes(model, min(n_a, 1000), rng)
    sizes = [n_b // 8, n_b // 2, n_b, 4 * n_b] if not args.quick else [250, 1000, 4000]
    for nb in sizes:
        cb = synthetic_codes(model, nb, rng)
        tracemalloc.start()
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        elapsed, _ = time_candidates(model, ca, cb, threshold)
        peak = (tracemalloc.get_traced_memory()[1] - base) / 2 ** 20
        tracemalloc.stop()
        pairs = ca.shape[0] * nb
        print(f"{f'{ca.shape[0]} x {nb}':>18}{pairs:>16,}{peak:>10.1f}"
              f"{(ca.nbytes + cb.nbytes) / 2 ** 20:>11.1f}{elapsed / pairs * 1e6:>8.3f}")
    print("(peak excludes the input codes; it is bounded by the block size, "
          f"{model.block:,} pairs, not by the batch size)")


if __name__ == "__main__":
    main()
