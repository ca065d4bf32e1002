"""Benchmark: blind screening throughput, memory and Dask speed-up (homecoming.identification.screening).

Run: ``.venv/bin/python benchmarks/bench_screening.py [--quick] [--budget SECONDS]``

Target (issue 4): 10^4 PM x 10^5 reference profiles (10^9 pairs, 23 STRs) in <= 10 minutes on
2 cores with peak memory <= 4 GB. A "pair" here is screened for **all four** relationships
(direct, parent-child, full sibling, half sibling, with mutation), as ``homecoming screen``
does by default, so one pair is four LR evaluations.

What it prints:

* a scale curve from 10^6 to 10^9 pairs: seconds, pairs/s and the peak resident memory of a
  fresh process running that size in one process; sizes whose estimated time exceeds the
  budget are **extrapolated** from the largest measured size (linear in pairs; flagged ``*``);
* the speed-up of the Dask path with 1 and 2 local worker processes on one size;
* the estimate for the target on 2 cores and its ratio to the 10-minute target.

Profiles are SYNTHETIC: unrelated people simulated from the FBI 2015 Caucasian frequencies
shipped in ``homecoming.genetics`` (Moretti et al. 2016, 23 loci), 5 % of loci dropped at
random in PM profiles, with a few true relatives planted so that candidates exist.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sys
import time

import numpy as np

FREQUENCIES = "fbi2015_caucasian"
TARGET_S = 600.0
TARGET_BYTES = 4 * 1024**3
TARGET_PAIRS = 10**9


def _markers():
    from homecoming.genetics.frequencies import load_database
    from homecoming.identification.screening import default_mutation

    return load_database(FREQUENCIES).markers(mutation=default_mutation())


def make_codes(n_pm: int, n_ref: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Genotype codes of SYNTHETIC PM and reference profiles (see module docstring)."""
    from homecoming import simulation as sim

    markers = _markers()
    rng = np.random.default_rng(seed)
    pm = sim.simulate_founders(markers, n_pm, rng)
    ref = sim.simulate_founders(markers, n_ref, rng)
    k = min(n_pm, n_ref, 50)
    ref[:k] = pm[:k]  # planted direct matches
    pm = sim.mask_loci(pm, 0.95, rng)
    return sim.genotype_codes(pm, markers), sim.genotype_codes(ref, markers)


def _models():
    from homecoming.identification.screening import RELATIONSHIPS
    from homecoming.kinship.pairwise import PairwiseModel

    markers = _markers()
    return [PairwiseModel(markers, r) for r in RELATIONSHIPS]


def _maxrss_bytes() -> int:
    r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(r) * (1 if sys.platform == "darwin" else 1024)


def _run_single(n_pm: int, n_ref: int, queue) -> None:  # in a fresh process
    from homecoming.identification.screening import screen_codes

    models = _models()
    pm, ref = make_codes(n_pm, n_ref)
    base = _maxrss_bytes()
    t = time.perf_counter()
    c = time.process_time()
    n = 0
    for m in models:
        n += len(screen_codes(pm, ref, m))
    dt = time.perf_counter() - t
    queue.put((dt, n, _maxrss_bytes(), base, time.process_time() - c))


def measure(n_pm: int, n_ref: int) -> tuple[float, int, int, int, float]:
    """(seconds, candidates, peak RSS bytes, RSS before screening, CPU seconds) in a fresh
    process."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_run_single, args=(n_pm, n_ref, q))
    p.start()
    out = q.get()
    p.join()
    return out


def dask_speedup(n_pm: int, n_ref: int, workers: list[int]) -> list[tuple[int, float, int, float]]:
    """(workers, seconds, candidates, busy share) for the Dask path, cluster start-up
    excluded; busy share = task compute time summed over workers / (workers x wall time)."""
    from dask.distributed import Client, get_task_stream

    from homecoming.distributed.screening import local_cluster, screen_distributed

    models = _models()
    pm, ref = make_codes(n_pm, n_ref)
    out = []
    for w in workers:
        with local_cluster(w) as cluster, Client(cluster) as client:
            screen_distributed(pm[:64], ref[:256], models[0], client=client)  # warm-up
            with get_task_stream(client) as ts:
                t = time.perf_counter()
                n = sum(len(screen_distributed(pm, ref, m, client=client)) for m in models)
                dt = time.perf_counter() - t
            busy = sum(ss["stop"] - ss["start"] for task in ts.data
                       for ss in task.get("startstops", ()) if ss.get("action") == "compute")
            out.append((w, dt, n, busy / (w * dt)))
    return out


def _fmt_bytes(b: float) -> str:
    return f"{b / 1024**2:,.0f} MB"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="measure 10^6 and 10^7 pairs only, extrapolate the rest")
    ap.add_argument("--budget", type=float, default=None,
                    help="seconds allowed per measured size (default 20 quick, 400 full)")
    ap.add_argument("--speedup-pairs", type=float, default=None,
                    help="pairs for the Dask speed-up run (default 2e7 quick, 2e8 full)")
    ap.add_argument("--speedup-only", action="store_true",
                    help="only the Dask 1 vs 2 workers run")
    args = ap.parse_args(argv)
    if args.speedup_only:
        sp_pairs = args.speedup_pairs or (2e7 if args.quick else 2e8)
        n_pm = 2_000 if args.quick else 10_000
        n_ref = max(1, int(sp_pairs // n_pm))
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"Dask speed-up on {n_pm} x {n_ref} pairs, load average {load:.1f} at start:")
        res = dask_speedup(n_pm, n_ref, [1, 2])
        for w, dt, n, busy in res:
            print(f"  {w} worker(s): {dt:8.2f} s  {n_pm * n_ref / dt:>12,.0f} pairs/s  "
                  f"speed-up x{res[0][1] / dt:.2f}  workers busy {100 * busy:.0f} %  "
                  f"({n:,} candidates)")
        return
    budget = args.budget if args.budget is not None else (20.0 if args.quick else 400.0)
    sizes = [(1_000, 1_000), (1_000, 10_000), (10_000, 10_000), (10_000, 100_000)]
    cpu = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"bench_screening: 4 relationships per pair, 23 STRs ({FREQUENCIES}), "
          f"{cpu} CPU(s) on this machine, load average {load:.1f} at start; SYNTHETIC profiles")
    if load > 0.5 * (cpu or 1):
        print("  note: the machine is busy; wall-clock times are inflated (the CPU-seconds "
              "column is the process's own CPU time)")
    print(f"{'pairs':>14} {'PM x refs':>16} {'seconds':>10} {'CPU s':>8} {'pairs/s':>12} "
          f"{'LR evals/s':>12} {'peak RSS':>11} {'candidates':>11}")
    rate = None
    cpu_rate = None
    last = None
    rows = []
    for n_pm, n_ref in sizes:
        pairs = n_pm * n_ref
        est = pairs / rate if rate else 0.0
        if args.quick and pairs > 10**7 or est > budget:
            dt = pairs / rate
            peak = last[2]  # bounded memory: block temporaries do not grow with pairs
            print(f"{pairs:>14,} {f'{n_pm}x{n_ref}':>16} {dt:>9.1f}* {'':>8} {rate:>12,.0f} "
                  f"{4 * rate:>12,.0f} {_fmt_bytes(peak):>10}* {'-':>11}")
            rows.append((pairs, dt, peak, True))
            continue
        dt, n, peak, base, cpu_s = measure(n_pm, n_ref)
        rate = pairs / dt
        cpu_rate = pairs / max(cpu_s, 1e-9)
        last = (pairs, dt, peak)
        print(f"{pairs:>14,} {f'{n_pm}x{n_ref}':>16} {dt:>10.2f} {cpu_s:>8.2f} {rate:>12,.0f} "
              f"{4 * rate:>12,.0f} {_fmt_bytes(peak):>11} {n:>11,}")
        rows.append((pairs, dt, peak, False))
    if any(r[3] for r in rows):
        print("  * extrapolated from the largest measured size (time linear in pairs; memory "
              "bounded by the block size, so the measured peak is carried over)")

    sp_pairs = args.speedup_pairs or (2e7 if args.quick else 2e8)
    n_pm = 2_000 if args.quick else 10_000
    n_ref = max(1, int(sp_pairs // n_pm))
    print(f"\nDask LocalCluster speed-up on {n_pm} x {n_ref} = {n_pm * n_ref:,} pairs "
          "(worker processes, 1 thread each; cluster start-up excluded):")
    res = dask_speedup(n_pm, n_ref, [1, 2])
    t1 = res[0][1]
    for w, dt, n, busy in res:
        print(f"  {w} worker(s): {dt:8.2f} s  {n_pm * n_ref / dt:>12,.0f} pairs/s  "
              f"speed-up x{t1 / dt:.2f}  workers busy {100 * busy:.0f} %  ({n:,} candidates)")
    print("  (workers busy = task compute time / (workers x wall time): near 100 % means the "
          "Dask path adds little\n  overhead and the speed-up is bounded by the free cores)")
    if res[0][2] != res[1][2]:
        print("  WARNING: candidate counts differ between 1 and 2 workers")

    # target estimate: 10^9 pairs with 2 workers
    target_row = rows[-1]
    two = res[1][1]
    rate2 = n_pm * n_ref / two
    t_target = TARGET_PAIRS / rate2
    print("\nTarget 10^4 PM x 10^5 refs (10^9 pairs, 4 relationships) on 2 cores:")
    print(f"  single process: {target_row[1]:8.1f} s{' (extrapolated)' if target_row[3] else ''}"
          f"   ratio to 600 s: {target_row[1] / TARGET_S:.3f}")
    t_cpu = TARGET_PAIRS / cpu_rate
    print(f"  single process, CPU time of the largest measured size scaled: {t_cpu:8.1f} s"
          f"   ratio to 600 s: {t_cpu / TARGET_S:.3f}  (what an idle core would take)")
    print(f"  2 Dask workers: {t_target:8.1f} s (extrapolated from the speed-up run)"
          f"   ratio to 600 s: {t_target / TARGET_S:.3f}")
    print(f"  peak memory (one process): {_fmt_bytes(target_row[2])}"
          f"   ratio to 4 GB: {target_row[2] / TARGET_BYTES:.3f}"
          f"   (2 workers: about twice this, ratio {2 * target_row[2] / TARGET_BYTES:.3f})")


if __name__ == "__main__":
    main()
