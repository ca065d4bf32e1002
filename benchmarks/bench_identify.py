"""Benchmark: ``identify`` on SYNTHETIC dvi-dataset@1 files (issue 15).

Run: ``.venv/bin/python benchmarks/bench_identify.py [--quick] [--only small|izium]
[--keep DIR]``

Two SYNTHETIC datasets (gene dropping through the families with
:func:`homecoming.identification.synthetic.synthetic_case`, seeded, 23 autosomal STRs with
NIST 1036 frequencies and a stepwise mutation model) are written as ``homecoming/dvi-dataset@1``
files and identified in a fresh process, as an analyst would: ``homecoming identify FILE
--json`` (load, pairwise stage with per-family genotype tables, joint stage, conclusions):

1. ``small``: 100 victims, 90 families (6 with two missing persons: 96 missing), 80 victims
   are missing persons; target "seconds" (the issue reports an 18-minute hang).
2. ``izium``: 450 victims × 425 missing persons in 400 families (20 with two missing persons,
   one with three and one with four, so that the counts of the issue add up), 380 victims are
   missing persons, 10 % degraded profiles (each marker of a degraded victim untyped with
   probability 1/2); target ≤ 60 s on 2 cores, peak memory ≤ 2 GB.
3. ``large``: 2,000 victims × 2,000 missing persons in 1,886 families (100 with two missing
   persons, 4 with three, 2 with four), 1,700 victims are missing persons, 10 % degraded;
   target ≤ 10 min. Not run with ``--quick``.

Printed per dataset: wall and CPU seconds of the whole command (fresh process), peak resident
memory of that process, the ratio to the target, and the number of best-assignment pairings
equal to the simulated truth. Every file is labelled SYNTHETIC in its ``note``.

4. ``dvir``: every dvir example shipped in ``tests/data/dvi-examples`` identified in a fresh
   process (``homecoming identify FILE --json``, so start-up and imports included); targets
   ``grave`` ≤ 1 s, the others ≤ 0.5 s.

On a shared machine wall-clock time includes waiting for a CPU; the CPU seconds are the
command's own work (user + system of the child process).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from homecoming.genetics.frequencies import load_database
from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.identification.synthetic import SyntheticCase, synthetic_case

MUTATION = MutationSpec("stepwise", rate=0.002, rate2=1e-6, range=0.1)

#: name -> (victims, families, family sizes, true victims, degraded fraction, target s, seed)
DATASETS: dict[str, tuple[int, int, list[int], int, float, float, int]] = {
    "small": (100, 90, [2] * 6 + [1] * 84, 80, 0.0, 10.0, 1),
    "izium": (450, 400, [2] * 20 + [3, 4] + [1] * 378, 380, 0.10, 60.0, 2),
    "large": (2000, 1886, [2] * 100 + [3] * 4 + [4] * 2 + [1] * 1780, 1700, 0.10, 600.0, 3),
}
#: datasets left out of a ``--quick`` run (minutes each)
SLOW = {"large"}


def markers() -> list[Marker]:
    db = load_database("nist1036_all")
    return [m for m in db.markers(mutation=MUTATION) if m.chromosome == "autosomal"][:23]


def make_case(name: str) -> SyntheticCase:
    n_v, n_f, sizes, n_true, degraded, _, seed = DATASETS[name]
    return synthetic_case(markers(), n_families=n_f, n_missing=sum(sizes), n_victims=n_v,
                          n_true=n_true, seed=seed, family_sizes=sizes, degraded=degraded)


def _mutation_json(spec: MutationSpec | None) -> dict[str, Any] | None:
    if spec is None:
        return None
    out: dict[str, Any] = {"model": spec.model}
    for key in ("rate", "rate2", "range"):
        if getattr(spec, key) is not None:
            out[key] = getattr(spec, key)
    return out


def dataset_json(case: SyntheticCase, name: str) -> dict[str, Any]:
    """The SYNTHETIC case as a homecoming/dvi-dataset@1 object."""
    ds = case.dataset
    return {
        "format": "homecoming/dvi-dataset@1",
        "note": f"SYNTHETIC benchmark dataset {name!r} (gene dropping, seeded); not real people",
        "markers": [{"name": m.name, "chromosome": m.chromosome, "alleles": list(m.alleles),
                     "frequencies": [float(x) for x in m.frequencies],
                     "mutation": {"female": _mutation_json(m.mutation_female),
                                  "male": _mutation_json(m.mutation_male)}}
                    for m in ds.all_markers],
        "victims": [{"id": v.id, "sex": v.sex.value,
                     "genotypes": {m: list(g) for m, g in v.genotypes.items()}}
                    for v in ds.victims],
        "families": [{"name": f.name,
                      "pedigree": [{"id": p.id, "father": p.father, "mother": p.mother,
                                    "sex": p.sex.value} for p in f.pedigree],
                      "missing": list(f.missing),
                      "genotypes": {p: {m: list(g) for m, g in gts.items()}
                                    for p, gts in f.genotypes.items()}}
                     for f in ds.families],
    }


def run_identify(path: Path) -> tuple[float, float, float, dict[str, Any]]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of a fresh ``homecoming identify FILE
    --json`` process, and its output."""
    cmd = [sys.executable, "-m", "homecoming.cli.main", "identify", str(path), "--json"]
    # (``-m homecoming.cli.main`` is the ``homecoming`` console script)
    with tempfile.TemporaryFile("w+") as out:   # the output of a large dataset is big
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE, text=True, check=False)
        wall = time.perf_counter() - t
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if proc.returncode != 0:
            raise SystemExit(f"identify failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
        out.seek(0)
        doc = json.load(out)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    # ru_maxrss of children is the largest child so far (KiB on Linux): an upper bound
    return wall, cpu, after.ru_maxrss / 1024.0, doc


def bench_dvir() -> None:
    folder = Path(__file__).resolve().parent.parent / "tests" / "data" / "dvi-examples"
    print("\ndvir examples (fresh process each, identify FILE --json):")
    worst = 0.0
    for path in sorted(folder.glob("*.json")):
        target = 1.0 if path.stem == "grave" else 0.5
        wall, cpu, _, _ = run_identify(path)
        worst = max(worst, cpu / target)
        print(f"   {path.stem:20s} {wall:6.2f} s wall {cpu:6.2f} s CPU  (target {target:g} s, "
              f"CPU ratio {cpu / target:.2f})")
    print(f"   worst CPU ratio {worst:.2f}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="accepted for run.py (one run each)")
    ap.add_argument("--only", choices=sorted(DATASETS) + ["dvir"], help="one benchmark")
    ap.add_argument("--keep", type=Path, help="write the dataset files to this folder")
    args = ap.parse_args(argv)
    print(f"load average: {os.getloadavg()[0]:.2f}  cpus: {os.cpu_count()}  "
          f"python {sys.version.split()[0]}")
    names = ([args.only] if args.only in DATASETS else [] if args.only else
             [n for n in DATASETS if not (args.quick and n in SLOW)])
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            n_v, n_f, sizes, n_true, degraded, target, seed = DATASETS[name]
            case = make_case(name)
            path = folder / f"synthetic-{name}.json"
            path.write_text(json.dumps(dataset_json(case, name)))
            print(f"\n{name}: SYNTHETIC {n_v} victims x {sum(sizes)} missing persons in {n_f} "
                  f"families ({sum(s == 2 for s in sizes)} with two missing), 23 STRs, "
                  f"{degraded:.0%} degraded, seed {seed}")
            wall, cpu, peak, out = run_identify(path)
            best = out["joint"][0]["assignment"] if out.get("joint") else {}
            placed = {v: m for v, m in best.items() if m}
            right = sum(case.truth.get(v) == m for v, m in placed.items())
            print(f"   identify --json: {wall:.1f} s wall, {cpu:.1f} s CPU (target {target:g} s, "
                  f"ratios {wall / target:.2f} wall, {cpu / target:.2f} CPU), peak RSS "
                  f"{peak:.0f} MiB (ratio to 2 GiB {peak / 2048:.2f})")
            print(f"   best assignment: {len(placed)} pairings, {right} equal to the simulated "
                  f"truth ({len(case.truth)} victims are missing persons)")
            search = {k: v for k, v in out.get("search", {}).items() if k != "family_options"}
            print(f"   search: {search}")
            print(f"   warnings: {[w for w in out.get('warnings', []) if 'joint' in w]}")
            del out, case    # a large dataset's parsed output is over a gigabyte
    if args.only in (None, "dvir"):
        bench_dvir()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
