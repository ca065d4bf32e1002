"""Benchmark: whole-process times of short commands (issue 15).

Run: ``.venv/bin/python benchmarks/bench_startup.py [--quick] [--runs N]``

Each command runs in a fresh process, as an analyst would start it; the figure is the minimum
over ``--runs`` runs (5; 3 with ``--quick``) of the wall time and of the CPU time (user + system
of the child), with the ratio to the issue's target:

* ``homecoming --help``: target 0.15 s;
* ``homecoming kinship docs/howto/examples/paternity-synthetic.json`` (a SYNTHETIC trio,
  23 STRs): target 0.3 s;
* ``homecoming identify tests/data/dvi-examples/<x>.json --json`` for every dvir example
  (dvir's data, GPL-3; tests/data/dvi-examples/SOURCES.md): target 1 s for ``grave``,
  0.5 s for the others. As a user runs it, without ``--quiet``: the progress bars' ``tqdm``
  is imported (~30 ms) though no bar lasts the second after which one is drawn.

Python's bytecode cache matters for start-up: an installed package has its ``.pyc`` files,
while a process started with ``PYTHONDONTWRITEBYTECODE=1`` and no cache compiles every module
it imports (~0.2 s for ``identify``). The children therefore run with a bytecode cache in a
temporary folder (``PYTHONPYCACHEPREFIX``, filled by one untimed run of each command), as an
installation would; with ``--no-bytecode`` they run without any, and the header says which.
On a shared machine the wall time includes waiting for a CPU; the CPU time is the command's
own work.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXE = [sys.executable, "-m", "homecoming.cli.main"]


def commands() -> list[tuple[str, list[str], float]]:
    """(label, arguments, target seconds)."""
    out = [("--help", ["--help"], 0.15),
           ("kinship trio", ["kinship", str(ROOT / "docs/howto/examples/paternity-synthetic.json")],
            0.3)]
    for path in sorted((ROOT / "tests/data/dvi-examples").glob("*.json")):
        out.append((f"identify {path.stem}", ["identify", str(path), "--json"],
                    1.0 if path.stem == "grave" else 0.5))
    return out


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(EXE + args, env=env, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({proc.returncode}): "
                         f"{proc.stderr.strip()[-300:]}")
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 runs per command instead of 5")
    ap.add_argument("--runs", type=int, default=None, help="runs per command (minimum taken)")
    ap.add_argument("--no-bytecode", action="store_true",
                    help="children compile every module (no bytecode cache)")
    args = ap.parse_args(argv)
    runs = args.runs or (3 if args.quick else 5)
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as cache:
        if args.no_bytecode:
            env["PYTHONDONTWRITEBYTECODE"] = "1"
            env.pop("PYTHONPYCACHEPREFIX", None)
            mode = "none (every module compiled in every process)"
        else:
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            env["PYTHONPYCACHEPREFIX"] = cache
            mode = "cached (as installed; filled by one untimed run)"
        print(f"load average: {os.getloadavg()[0]:.2f}  cpus: {os.cpu_count()}  python "
              f"{sys.version.split()[0]}  bytecode: {mode}  runs: {runs} (minimum)")
        worst = 0.0
        for label, cmd, target in commands():
            run(cmd, env)            # untimed: fills the bytecode cache, warms the file cache
            walls, cpus = zip(*(run(cmd, env) for _ in range(runs)))
            wall, cpu = min(walls), min(cpus)
            worst = max(worst, cpu / target)
            print(f"   {label:28s} {wall:6.2f} s wall {cpu:6.2f} s CPU  (target {target:g} s: "
                  f"ratios {wall / target:.2f} wall, {cpu / target:.2f} CPU)")
        print(f"   worst CPU ratio {worst:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
