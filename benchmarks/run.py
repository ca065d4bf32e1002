"""Run every benchmark in benchmarks/ and print their figures (``make bench``).

    .venv/bin/python benchmarks/run.py            # quick runs (a few minutes in all)
    .venv/bin/python benchmarks/run.py --full     # the full runs (targets of the issues)
    .venv/bin/python benchmarks/run.py --only screening --full

Runs each ``bench_*.py`` (alphabetical order) and then ``accuracy_study.py`` with the same
Python, one after the other, each in its own process. Quick mode passes ``--quick`` to the
scripts that accept it (those whose source mentions ``--quick``); ``--full`` passes nothing.
Exits with status 1 if any benchmark failed, after running the others.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXTRA = ("accuracy_study.py",)


def discover() -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    found += [HERE / name for name in EXTRA if (HERE / name).exists()]
    return found


def command(script: Path, full: bool, extra: list[str]) -> list[str]:
    cmd = [sys.executable, str(script)]
    if not full and "--quick" in script.read_text(encoding="utf-8"):
        cmd.append("--quick")
    return cmd + extra


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="full runs instead of --quick")
    ap.add_argument("--only", action="append", default=[], metavar="TEXT",
                    help="run only the benchmarks whose file name contains TEXT (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args, extra = ap.parse_known_args(argv)
    scripts = [s for s in discover() if not args.only or any(t in s.name for t in args.only)]
    if args.list:
        for s in scripts:
            print(" ".join(command(s, args.full, [])))
        return 0
    if not scripts:
        print("no benchmark matches", file=sys.stderr)
        return 1
    results = []
    for s in scripts:
        cmd = command(s, args.full, extra)
        print(f"\n=== {s.name} ({'full' if args.full else 'quick'}) ===", flush=True)
        t = time.perf_counter()
        rc = subprocess.call(cmd, cwd=HERE.parent)
        results.append((s.name, rc, time.perf_counter() - t))
    print("\n=== summary ===")
    for name, rc, dt in results:
        print(f"  {name:<28} {'ok' if rc == 0 else f'FAILED (exit {rc})':<16} {dt:8.1f} s")
    return 0 if all(rc == 0 for _, rc, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main())
