"""Benchmark: the stored case at national scale, screened and solved end to end (issue 15).

Run: ``.venv/bin/python benchmarks/bench_national.py [--quick] [--bodies N]
[--extra-references N] [--db PATH] [--workers N] [--store] [--estimate GROUPS]``

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
machine wall-clock times are inflated: the CPU seconds show the work. ``--estimate GROUPS``
(with ``--db``) times the stages apart instead and solves only GROUPS random groups, for a
machine too busy to solve the whole case (printed as an ESTIMATE). Not a timed test.
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


def _child(db_path: Path, workers: int, store: bool, rule: dict[str, float]
           ) -> dict[str, object]:
    """One identification of the whole stored case in this process (and its cluster)."""
    from homecoming.services.case_identification import identify_stored_case
    from homecoming.storage import Database

    db = Database(f"sqlite:///{db_path}")
    out: dict[str, object] = {"workers": workers}
    if workers == 0:
        t0, c0 = time.perf_counter(), time.process_time()
        run = identify_stored_case(db, store=store, **rule)  # type: ignore[arg-type]
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
            run = identify_stored_case(db, store=False, executor=client,
                                       **rule)  # type: ignore[arg-type]
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


def _estimate(db_path: Path, sample: int, seed: int, rule: dict[str, float]
              ) -> dict[str, object]:
    """The stages of one identification measured apart: reading the case, the markers, the
    whole pairwise screening (every remains x every reference), the groups, and the exact
    solve of ``sample`` groups drawn at random; the full run's CPU time is then estimated as
    read + markers + screening + (mean solve per group) x groups. For a case too large to
    solve whole on a shared machine; flagged as an estimate wherever printed."""
    import dataclasses

    import numpy as np

    from homecoming.identification import DviDataset, Family, IdentificationConfig, Victim, solve
    from homecoming.identification.groups import groups_sharing
    from homecoming.identification.screening import default_mutation
    from homecoming.services.case_identification import (
        family_pedigree,
        placed_donors,
        read_stored_case,
        screen_candidates,
    )
    from homecoming.services.screening import distinct_genotypes, markers_from_genotypes
    from homecoming.storage import Database

    db = Database(f"sqlite:///{db_path}")
    out: dict[str, object] = {}
    c0 = time.process_time()
    with db.session() as session:
        rows = read_stored_case(session)
    victims, families = rows.assemble()
    out["read_cpu_s"] = time.process_time() - c0
    c0 = time.process_time()
    profiles = [v.genotypes for v in victims] + [g for f in families
                                                 for g in f.profiles.values()]
    markers, _, _ = markers_from_genotypes("nist1036_all", distinct_genotypes(profiles))
    spec = default_mutation()
    markers = [dataclasses.replace(m, mutation_female=spec, mutation_male=spec)
               for m in markers]
    out["markers_cpu_s"] = time.process_time() - c0
    refs = [(d.relationship.pairwise, k, f.profiles[d.id]) for k, f in enumerate(families)
            if f.profiles for d in f.donors if d.id in f.profiles
            and d.id in placed_donors(f.missing, f.donors) and d.relationship.pairwise]
    c0, t0 = time.process_time(), time.perf_counter()
    candidates = screen_candidates(markers, victims, refs, len(families),
                                   min_log10_lr=rule["min_log10_lr"], top=int(rule["top"]))
    out["screening_cpu_s"] = time.process_time() - c0
    out["screening_wall_s"] = time.perf_counter() - t0
    out["pairs"] = len(victims) * len(refs)
    ks = list(candidates)
    groups = [[ks[i] for i in g] for g in groups_sharing(candidates[k] for k in ks)]
    sizes = sorted((len(g) for g in groups), reverse=True)
    out.update(groups=len(groups), largest_groups=sizes[:5],
               candidate_pairs=sum(len(c) for c in candidates.values()),
               remains=len(victims), missing_persons=len(families), references=len(refs))
    config = dataclasses.replace(IdentificationConfig(), prior_missing=len(families))
    by_marker = {m.name for m in markers}
    rng = np.random.default_rng(seed)
    chosen = rng.choice(len(groups), size=min(sample, len(groups)), replace=False)
    c0 = time.process_time()
    for g in chosen.tolist():
        vids = sorted({v for k in groups[g] for v in candidates[k]})
        fams = []
        for k in groups[g]:
            ped, placed = family_pedigree(families[k].missing, families[k].donors)
            fams.append(Family(f"FAM:{families[k].missing.id}", ped,
                               (families[k].missing.id,),
                               {placed[d]: {m: x for m, x in p.items() if m in by_marker}
                                for d, p in families[k].profiles.items() if d in placed}))
        solve(DviDataset(markers, [Victim(victims[v].id, victims[v].sex,
                                          {m: x for m, x in victims[v].genotypes.items()
                                           if m in by_marker}, age_range=victims[v].age_range)
                                   for v in vids], fams), config=config)
    per_group = (time.process_time() - c0) / max(len(chosen), 1)
    out.update(sampled_groups=len(chosen), solve_cpu_s_per_group=per_group)
    out["estimated_full_cpu_s"] = (out["read_cpu_s"] + out["markers_cpu_s"]  # type: ignore
                                   + out["screening_cpu_s"] + per_group * len(groups))
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
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
    ap.add_argument("--estimate", type=int, default=None, metavar="GROUPS",
                    help="do not solve the whole case: time reading, markers and the whole "
                         "screening, solve GROUPS random groups and estimate the full run")
    ap.add_argument("--min-log10-lr", type=float, default=2.0,
                    help="screening threshold (default 2; use 5 at 10^4 remains)")
    ap.add_argument("--top", type=int, default=2,
                    help="top positive candidates per family (default 2; use 0 at 10^4 remains)")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    rule = {"min_log10_lr": args.min_log10_lr, "top": args.top}
    if args.estimate is not None and args.db is not None and args.child is None:
        res = _estimate(args.db, args.estimate, args.seed, rule)
        print(json.dumps(res, indent=1))
        print(f"ESTIMATE (not a whole run): {res['remains']} remains x {res['references']} "
              f"references ({res['pairs']:.3g} pairs): screening {res['screening_cpu_s']:.1f} s "
              f"CPU; {res['groups']} groups, {res['sampled_groups']} solved at "
              f"{res['solve_cpu_s_per_group']:.3f} s CPU each; full run about "
              f"{res['estimated_full_cpu_s']:.0f} s CPU on one core (ratio to 30 min "
              f"{res['estimated_full_cpu_s'] / TARGET_S:.2f}); peak {res['peak_mb']:.0f} MB")
        return
    if args.child is not None:
        print(json.dumps(_child(args.db, args.child, args.store, rule)))
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
            cmd += ["--min-log10-lr", str(args.min_log10_lr), "--top", str(args.top)]
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
