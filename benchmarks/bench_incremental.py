"""Benchmark: incremental identification of one new post-mortem profile (issue 11 item 6).

Run: ``.venv/bin/python benchmarks/bench_incremental.py [--quick] [--bodies N]
[--extra-references N] [--db PATH] [--skip-full]``

A SYNTHETIC case in a SQLite database: the demonstration (``load_demo``, ``--bodies``
remains with their families) plus ``--extra-references`` SYNTHETIC reference-only families
(one typed father each, genotypes drawn from the demonstration kit's allele frequencies, none
of them related to any remains; written with bulk inserts, without audit entries: set-up
only). One post-mortem profile (of remains whose family has a typed relative, by the
demonstration's ground truth) is taken out, the whole case is identified
(``identify_stored_case``, timed: the baseline, and issue 15's "stored case at national
scale"), the profile is put back, and ``identify_incrementally(db, profile_ids=[it])`` runs
end to end (read the case, markers, screen the new row, re-solve the touched groups, store).

Printed: remains, reference profiles, wall and CPU seconds of the incremental run, groups
solved again, the full run's seconds, and the ratio to the issue's target (one new profile at
10^4 remains x 10^5 reference profiles within 60 s on 2 cores). The default is a quick size;
the target size is ``--bodies 10000 --extra-references 75000`` (the demonstration brings
about 2.5 reference profiles per remains) with ``--min-log10-lr 5 --top 0`` (with the
default rule, chance scores join most families into one group at that size; README).
``--db PATH`` keeps the database (a later run with the same PATH skips the set-up;
``benchmarks/bench_national.py`` reuses it); ``--skip-full``
leaves the full run out (the stored identifications are then those of the previous run).
Not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import tempfile
import time
from pathlib import Path

import numpy as np

TARGET_S = 60.0
SYNTHETIC = "SYNTHETIC (benchmark)"


def add_reference_families(db: object, n: int, seed: int, *, chunk: int = 5000) -> None:
    """``n`` SYNTHETIC missing persons, each with one typed father of random genotype, written
    with bulk inserts (rows made from one validated template record of each kind)."""
    from sqlalchemy import insert

    from homecoming.casework import DnaProfile, Donor, MissingPerson, Relationship, Sample, Sex
    from homecoming.casework.samples import ResultStatus, SampleElement, SampleSource
    from homecoming.demo.markers import DEMO_KIT, demo_markers
    from homecoming.storage import tables
    from homecoming.storage.repositories import Repositories

    rng = np.random.default_rng(seed)
    markers = demo_markers()
    day = dt.date(2022, 6, 1)
    draws = []
    for m in markers:
        p = np.asarray(m.frequencies, dtype=float)
        draws.append(rng.choice(len(m.alleles), size=(n, 2), p=p / p.sum()))
    with db.session() as session:    # type: ignore[attr-defined]
        repos = Repositories(session)
        templates = {
            "mp": repos.missing_persons.to_row(MissingPerson(
                id="BEN-MP-0", surname="SYNTHETIC", given_name="B", sex=Sex.MALE,
                reported_by=SYNTHETIC, reported_on=day)),
            "donor": repos.donors.to_row(Donor(
                id="BEN-D-0", missing_person_id="BEN-MP-0", full_name=SYNTHETIC, sex=Sex.MALE,
                relationship=Relationship.FATHER)),
            "sample": repos.samples.to_row(Sample(
                barcode="BEN-R-0", source=SampleSource.DONOR, donor_id="BEN-D-0",
                element=SampleElement.BUCCAL_SWAB, collected_on=day,
                result_status=ResultStatus.PROFILE_OBTAINED, notes=SYNTHETIC)),
            "profile": repos.profiles.to_row(DnaProfile(
                sample_barcode="BEN-R-0", genotypes={markers[0].name: ("1", "1")},
                kit=DEMO_KIT, laboratory=SYNTHETIC))}
        for start in range(0, n, chunk):
            ids = range(start, min(n, start + chunk))
            mps, donors, samples, profiles = [], [], [], []
            for i in ids:
                mp, donor, barcode = f"BEN-MP-{i:06d}", f"BEN-D-{i:06d}", f"BEN-R-{i:06d}"
                mps.append({**templates["mp"], "id": mp, "surname": f"SYNTHETIC-{i}"})
                donors.append({**templates["donor"], "id": donor, "missing_person_id": mp})
                samples.append({**templates["sample"], "barcode": barcode, "donor_id": donor})
                genotypes = {}
                for m, d in zip(markers, draws, strict=True):
                    a, b = sorted(int(x) for x in d[i])
                    genotypes[m.name] = [m.alleles[a], m.alleles[b]]
                profiles.append({**templates["profile"], "sample_barcode": barcode,
                                 "genotypes": genotypes})
            for table, rows in ((tables.missing_persons, mps), (tables.donors, donors),
                                (tables.samples, samples), (tables.profiles, profiles)):
                session.execute(insert(table), rows)


def prepare(db_path: Path, bodies: int, extra: int, seed: int) -> dict[str, object]:
    """Create the SYNTHETIC case in ``db_path`` unless it is there already (a sidecar
    ``.json`` file says what it holds); returns the sidecar: sizes, set-up seconds and the
    chosen post-mortem profile's bar-code."""
    from sqlalchemy import select

    from homecoming.demo.scenario import generate_scenario
    from homecoming.services.demo import load_demo
    from homecoming.storage import Database, tables
    from homecoming.storage.repositories import profiles_for

    side = db_path.with_suffix(".json")
    want = {"bodies": bodies, "extra_references": extra, "seed": seed}
    if db_path.exists() and side.exists():
        meta = json.loads(side.read_text())
        if all(meta.get(k) == v for k, v in want.items()):
            return meta
        raise SystemExit(f"{db_path} holds another case ({side}); use another --db")
    db = Database(f"sqlite:///{db_path}")
    t0 = time.perf_counter()
    load_demo(db, seed=seed, bodies=bodies, identify=False)
    t_demo = time.perf_counter() - t0
    add_reference_families(db, extra, seed)
    setup_s = time.perf_counter() - t0
    truth = generate_scenario(seed=seed, bodies=bodies).truth
    with db.session() as session:
        s, d = tables.samples, tables.donors
        pm = {b for b, _ in profiles_for(session, "remains")}
        refs = {b for b, _ in profiles_for(session, "donor")}
        typed_mps = {mp for b, mp in session.execute(
            select(s.c.barcode, d.c.missing_person_id).join(d, d.c.id == s.c.donor_id))
            if b in refs}
        by_remains: dict[str, list[str]] = {}
        for b, r in session.execute(select(s.c.barcode, s.c.remains_code)
                                    .where(s.c.remains_code.is_not(None))
                                    .order_by(s.c.barcode)):
            if b in pm:
                by_remains.setdefault(r, []).append(b)
        barcode = next(by_remains[r][0] for r in sorted(truth)
                       if truth[r] in typed_mps and r in by_remains)
        n_refs, n_pm = len(refs), len(pm)
    meta = {**want, "barcode": barcode, "reference_profiles": n_refs, "pm_profiles": n_pm,
            "setup_s": round(setup_s, 1), "demo_setup_s": round(t_demo, 1)}
    side.write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (MB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def main() -> None:
    from homecoming.services.case_identification import identify_stored_case
    from homecoming.services.incremental import identify_incrementally
    from homecoming.storage import Database
    from homecoming.storage.repositories import Repositories

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the default quick size")
    ap.add_argument("--bodies", type=int, default=None, help="remains of the demonstration")
    ap.add_argument("--extra-references", type=int, default=None,
                    help="SYNTHETIC reference-only families (one typed relative each)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--db", type=Path, default=None,
                    help="SQLite file to keep (reused when it holds the same case)")
    ap.add_argument("--skip-full", action="store_true",
                    help="no full run before the incremental one")
    ap.add_argument("--min-log10-lr", type=float, default=2.0,
                    help="screening threshold of both runs (default 2; use 5 at 10^4 remains)")
    ap.add_argument("--top", type=int, default=2,
                    help="top positive candidates per family (default 2; use 0 at 10^4 remains)")
    args = ap.parse_args()
    rule = {"min_log10_lr": args.min_log10_lr, "top": args.top}
    bodies = args.bodies or (60 if args.quick else 300)
    extra = args.extra_references if args.extra_references is not None else (
        500 if args.quick else 5000)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.db or Path(tmp) / "bench.db"
        meta = prepare(path, bodies, extra, args.seed)
        print(f"set-up (SYNTHETIC demo {bodies} bodies + {extra} reference families): "
              f"{meta['setup_s']} s (when the database was made)")
        db = Database(f"sqlite:///{path}")
        barcode = str(meta["barcode"])
        with db.session() as session:
            profile = Repositories(session).profiles.delete(barcode)
        full = None
        if not args.skip_full:
            t0, c0 = time.perf_counter(), time.process_time()
            full = identify_stored_case(db, **rule)
            full_s, full_cpu = time.perf_counter() - t0, time.process_time() - c0
        with db.session() as session:
            Repositories(session).profiles.add(profile)
        t0, c0 = time.perf_counter(), time.process_time()
        inc = identify_incrementally(db, profile_ids=[barcode], **rule)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"case: {meta['pm_profiles']} post-mortem profiles, {meta['reference_profiles']} "
          f"reference profiles" + (f", {full.result.families} missing persons, "
                                   f"{full.result.components} groups" if full else ""))
    if full is not None:
        print(f"full run (profile taken out): {full_s:.2f} s wall, {full_cpu:.2f} s CPU")
    print(f"incremental run (one new PM profile): {wall:.2f} s wall, {cpu:.2f} s CPU; "
          f"{inc.groups_solved} group(s) solved again, {len(inc.changed_families)} family(ies) "
          f"with changed candidates, {len(inc.stored.stored) if inc.stored else 0} new "
          f"version(s) stored; peak RSS of this process {peak_rss_mb():.0f} MB")
    print(f"screening rule: min log10 LR {args.min_log10_lr}, top {args.top}")
    print(f"ratio to the target ({TARGET_S:.0f} s at 10^4 remains x 10^5 references): "
          f"{wall / TARGET_S:.3f} wall, {cpu / TARGET_S:.3f} CPU at {meta['pm_profiles']} x "
          f"{meta['reference_profiles']}")


if __name__ == "__main__":
    main()
