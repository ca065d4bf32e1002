"""Benchmark: incremental identification of one new post-mortem profile (issue 11 item 6).

Run: ``.venv/bin/python benchmarks/bench_incremental.py [--quick] [--bodies N]
[--extra-references N]``

A SYNTHETIC case in a fresh SQLite database: the demonstration (``load_demo``, ``--bodies``
remains with their families) plus ``--extra-references`` SYNTHETIC reference-only families
(one typed father each, genotypes drawn from the demonstration kit's allele frequencies, none
of them related to any remains). One post-mortem profile (of remains the full run
identifies) is taken out, the whole case is identified (``identify_stored_case``, timed as the
baseline), the profile is put back, and
``identify_incrementally(db, profile_ids=[it])`` runs end to end (load the case, markers,
screen the new row, re-solve the touched groups, store). Printed: remains, reference
profiles, wall and CPU seconds of the incremental run, groups solved again, the full run's
seconds, and the ratio to the issue's target (one new profile at 10^4 remains x 10^5
reference profiles within 60 s on 2 cores). The default is a quick size; the target size is
``--bodies 10000 --extra-references 75000`` (the demonstration brings about 2.5 reference
profiles per remains) and needs a long set-up. Not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import numpy as np

from homecoming.casework import DnaProfile, Donor, MissingPerson, Relationship, Sample, Sex
from homecoming.casework.samples import ResultStatus, SampleElement, SampleSource
from homecoming.demo.markers import DEMO_KIT, demo_markers
from homecoming.services.case_identification import identify_stored_case
from homecoming.services.demo import load_demo
from homecoming.services.incremental import identify_incrementally
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories

TARGET_S = 60.0
SYNTHETIC = "SYNTHETIC (benchmark)"


def add_reference_families(db: Database, n: int, seed: int) -> None:
    """``n`` SYNTHETIC missing persons, each with one typed father of random genotype."""
    rng = np.random.default_rng(seed)
    markers = demo_markers()
    day = dt.date(2022, 6, 1)
    mps, donors, samples, profiles = [], [], [], []
    for i in range(n):
        mp, donor, barcode = f"BEN-MP-{i:06d}", f"BEN-D-{i:06d}", f"BEN-R-{i:06d}"
        mps.append(MissingPerson(id=mp, surname=f"SYNTHETIC-{i}", given_name="B", sex=Sex.MALE,
                                 reported_by=SYNTHETIC, reported_on=day))
        donors.append(Donor(id=donor, missing_person_id=mp, full_name=SYNTHETIC,
                            sex=Sex.MALE, relationship=Relationship.FATHER))
        samples.append(Sample(barcode=barcode, source=SampleSource.DONOR, donor_id=donor,
                              element=SampleElement.BUCCAL_SWAB, collected_on=day,
                              result_status=ResultStatus.PROFILE_OBTAINED, notes=SYNTHETIC))
        genotypes = {}
        for m in markers:
            p = np.asarray(m.frequencies, dtype=float)
            a, b = rng.choice(len(m.alleles), size=2, p=p / p.sum())
            genotypes[m.name] = (m.alleles[a], m.alleles[b])
        profiles.append(DnaProfile(sample_barcode=barcode, genotypes=genotypes, kit=DEMO_KIT,
                                   laboratory=SYNTHETIC))
    with db.session() as session:
        repos = Repositories(session)
        repos.missing_persons.add_all(mps)
        repos.donors.add_all(donors)
        repos.samples.add_all(samples)
        repos.profiles.add_all(profiles)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="the default quick size")
    ap.add_argument("--bodies", type=int, default=None, help="remains of the demonstration")
    ap.add_argument("--extra-references", type=int, default=None,
                    help="SYNTHETIC reference-only families (one typed relative each)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    bodies = args.bodies or (60 if args.quick else 300)
    extra = args.extra_references if args.extra_references is not None else (
        500 if args.quick else 5000)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        t0 = time.perf_counter()
        load_demo(db, seed=args.seed, bodies=bodies, identify=False)
        add_reference_families(db, extra, args.seed)
        print(f"set-up (SYNTHETIC demo {bodies} bodies + {extra} reference families): "
              f"{time.perf_counter() - t0:.1f} s")
        with db.session() as session:
            repos = Repositories(session)
            n_refs = sum(1 for s in repos.samples.list() if s.donor_id is not None
                         and repos.profiles.find(s.barcode) is not None)
        pick = identify_stored_case(db, store=False).result
        remains = sorted(pick.identified.values())[0]
        with db.session() as session:
            repos = Repositories(session)
            barcode = next(s.barcode for s in repos.samples.list(remains_code=remains)
                           if repos.profiles.find(s.barcode) is not None)
            profile = repos.profiles.delete(barcode)
        t0, c0 = time.perf_counter(), time.process_time()
        full = identify_stored_case(db)
        full_s, full_cpu = time.perf_counter() - t0, time.process_time() - c0
        with db.session() as session:
            Repositories(session).profiles.add(profile)
        t0, c0 = time.perf_counter(), time.process_time()
        inc = identify_incrementally(db, profile_ids=[barcode])
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    remains_n = full.result.victims
    print(f"case: {remains_n} remains with a profile, {n_refs} reference profiles, "
          f"{full.result.families} missing persons, {full.result.components} groups")
    print(f"full run (profile taken out): {full_s:.2f} s wall, {full_cpu:.2f} s CPU")
    print(f"incremental run (one new PM profile): {wall:.2f} s wall, {cpu:.2f} s CPU; "
          f"{inc.groups_solved} group(s) solved again, {len(inc.changed_families)} family(ies) "
          f"with changed candidates, {len(inc.stored.stored) if inc.stored else 0} new "
          "version(s) stored")
    print(f"ratio to the target ({TARGET_S:.0f} s at 10^4 remains x 10^5 references): "
          f"{wall / TARGET_S:.3f} at {remains_n} x {n_refs}")


if __name__ == "__main__":
    main()
