"""Benchmark: the stored case at national scale, screened and solved end to end (issue 15).

Run: ``.venv/bin/python benchmarks/bench_national.py [--quick] [--bodies N]
[--extra-references N] [--db PATH] [--workers N] [--store]``

The SYNTHETIC case of ``bench_incremental.py`` (the demonstration's ``--bodies`` remains with
their families plus ``--extra-references`` reference-only families; ``--db PATH`` reuses a
database that script made) is identified whole by ``identify_stored_case`` twice, each in a
fresh process: in one process, and with ``executor=`` a ``distributed.Client`` on a Dask
``LocalCluster`` of ``--workers`` worker processes (screening blocks and group solves as
tasks; the cluster's start-up is timed apart). Printed per run: wall seconds, CPU seconds
(the main process, plus the workers' for Dask), peak resident memory (the main process, and
the sum of the workers' peaks), groups solved, identifications; then the speed-up and the
ratios to the targets (10^4 remains x 10^5 reference profiles within 30 min on 2 cores,
within 8 GB). By default nothing is stored (``--store``: the one-process run stores its
versions). The target size is ``--bodies 10000 --extra-references 75000``. On a shared
machine wall-clock times are inflated: the CPU seconds show the work. Not a timed test.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 30 * 60.0
TARGET_MB = 8 * 1024.0


def _child(db_path: Path, workers: int, store: bool) -> dict[str, object]:
    """One identification of the whole stored case in this process (and its cluster)."""
    from homecoming.services.case_identification import identify_stored_case
    from homecoming.storage import Database

    db = Database(f"sqlite:///{db_path}")
    out: dict[str, object] = {"workers": workers}
    if workers == 0:
        t0, c0 = time.perf_counter(), time.process_time()
        run = identify_stored_case(db, store=store)
        out.update(wall_s=time.perf_counter() - t0, cpu_s=time.process_time() - c0)
    else:
        from dask.distributed import Client

        from homecoming.distributed import local_cluster

        t0 = time.perf_counter()
        with local_cluster(workers) as cluster, Client(cluster) as client:
            out["cluster_start_s"] = time.perf_counter() - t0

            def usage() -> tuple[float, float]:
                r = resource.getrusage(resource.RUSAGE_SELF)
                return r.ru_utime + r.ru_stime, r.ru_maxrss / 1024.0

            before = client.run(usage)
            t0, c0 = time.perf_counter(), time.process_time()
            run = identify_stored_case(db, store=False, executor=client)
            out.update(wall_s=time.perf_counter() - t0, cpu_s=time.process_time() - c0)
            after = client.run(usage)
            out["worker_cpu_s"] = sum(after[w][0] - before[w][0] for w in after)
            out["worker_peak_mb"] = sum(after[w][1] for w in after)
    r = run.result
    out.update(peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
               remains=r.victims, missing_persons=r.families, groups=r.components,
               candidate_pairs=r.candidate_pairs, identified=len(r.identified),
               details=len(r.details))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the default quick size")
    ap.add_argument("--bodies", type=int, default=None)
    ap.add_argument("--extra-references", type=int, default=None)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", type=Path, default=None, help="SQLite file to make or reuse")
    ap.add_argument("--workers", type=int, default=2, help="Dask worker processes (0: none)")
    ap.add_argument("--store", action="store_true", help="store the one-process run")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        print(json.dumps(_child(args.db, args.child, args.store)))
        return
    from bench_incremental import prepare

    bodies = args.bodies or (60 if args.quick else 300)
    extra = args.extra_references if args.extra_references is not None else (
        500 if args.quick else 5000)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        meta = prepare(path, bodies, extra, args.seed)
        print(f"SYNTHETIC case: {meta['pm_profiles']} post-mortem profiles, "
              f"{meta['reference_profiles']} reference profiles (set-up {meta['setup_s']} s "
              "when the database was made)")
        runs = {}
        for workers in dict.fromkeys([0, args.workers]):
            cmd = [sys.executable, __file__, "--db", str(path), "--child", str(workers)]
            if args.store and workers == 0:
                cmd.append("--store")
            done = subprocess.run(cmd, capture_output=True, text=True, check=True)
            runs[workers] = res = json.loads(done.stdout.strip().splitlines()[-1])
            where = "one process" if workers == 0 else (
                f"Dask LocalCluster, {workers} workers (start-up {res['cluster_start_s']:.1f} s)")
            cpu = res["cpu_s"] + res.get("worker_cpu_s", 0.0)
            peak = res["peak_mb"] + res.get("worker_peak_mb", 0.0)
            print(f"{where}: {res['wall_s']:.1f} s wall, {cpu:.1f} s CPU, peak "
                  f"{peak:.0f} MB; {res['remains']} remains x {res['missing_persons']} missing "
                  f"persons, {res['candidate_pairs']} candidate pairs, {res['groups']} groups, "
                  f"{res['identified']} identified; ratio to 30 min {res['wall_s'] / TARGET_S:.3f}"
                  f", to 8 GB {peak / TARGET_MB:.3f}")
        if len(runs) == 2:
            one, many = runs[0], runs[args.workers]
            print(f"speed-up with {args.workers} Dask workers: "
                  f"{one['wall_s'] / many['wall_s']:.2f}x (wall)")


if __name__ == "__main__":
    main()
