"""Elimination database (migration 0002): staff profiles stored under a staff code, imported
from a profile CSV, and ``homecoming screen --elimination`` flagging a planted contamination
with the inclusion LR computed by hand. SYNTHETIC data only (demo scenario generator)."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner
from sqlalchemy import inspect

from homecoming.cli.main import cli
from homecoming.demo.scenario import generate_scenario
from homecoming.errors import IntegrityError
from homecoming.genetics.frequencies import load_database
from homecoming.storage import Database
from homecoming.storage.repositories import (
    EliminationFlag,
    Repositories,
    StaffProfile,
    add_elimination_flags,
    audit_records,
    list_elimination_flags,
    profiles_for,
    staff_profiles,
)

FREQ = "nist1036_all"


def _store_scenario(url: str):
    s = generate_scenario(5, bodies=8)
    db = Database(url)
    db.upgrade()
    with db.session() as session:
        r = Repositories(session)
        r.sites.add(s.site)
        for h in s.hazard_areas:
            r.hazard_areas.add(h)
        r.incidents.add_all(s.incidents)
        r.graves.add_all(s.graves)
        r.exhumations.add_all(s.exhumations)
        r.remains.add_all(s.remains)
        r.examinations.add_all(s.examinations)
        r.missing_persons.add_all(s.missing_persons)
        r.donors.add_all(s.donors)
        r.samples.add_all(s.samples)
        r.profiles.add_all(s.profiles)
    return db, s


def _write_csv(path, profiles):
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["barcode", "locus", "allele1", "allele2"])
        for code, genotypes in profiles:
            for locus, g in genotypes.items():
                w.writerow([code, locus, g[0], g[-1]])


def _inclusion_log10(genotypes, markers):
    """Hand formula (elimination.py doc): 1 / P(random genotype includes the PM alleles)."""
    by_name = {m.name: m for m in markers}
    total = 0.0
    for locus, g in genotypes.items():
        m = by_name[locus]
        p = dict(zip(m.alleles, np.asarray(m.frequencies, dtype=float)))
        a, b = g[0], g[-1]
        total += -math.log10(2 * p[a] * p[b] if a != b else 1 - (1 - p[a]) ** 2)
    return total


def test_migration_0002_up_and_down(database_url):
    db = Database(database_url)
    try:
        db.upgrade()
        assert db.current_revision() == Database.head_revision()
        names = set(db.table_names())
        assert {"staff_profiles", "elimination_flags", "profiles"} <= names
        columns = {c["name"] for c in inspect(db.engine).get_columns("staff_profiles")}
        assert columns - {"row_version"} == {"staff_code", "genotypes", "kit", "laboratory",
                                           "quality", "typed_on"}
        db.downgrade("0001")
        assert db.current_revision() == "0001"
        names = set(db.table_names())
        assert "staff_profiles" not in names and "elimination_flags" not in names
        assert "profiles" in names
        db.upgrade()
        assert db.current_revision() == Database.head_revision()
        assert "staff_profiles" in db.table_names()
    finally:
        db.dispose()


def test_staff_profile_repository_audits_without_alleles(database_url):
    db = Database(database_url)
    try:
        db.upgrade()
        with db.session() as session:
            Repositories(session).staff_profiles.add(
                StaffProfile(staff_code="ST-9", genotypes={"vWA": ("15", "16")}))
        with db.session() as session:
            repo = Repositories(session).staff_profiles
            assert repo.get("ST-9").genotypes == {"vWA": ("15", "16")}
            with pytest.raises(IntegrityError, match="'ST-9' already exists"):
                repo.add(StaffProfile(staff_code="ST-9", genotypes={"vWA": ("15", "15")}))
        with db.session() as session:
            (row,) = audit_records(session, table="staff_profiles")
            assert row.action == "insert" and row.record_key == "ST-9"
            assert "genotypes" not in row.after and row.after["loci"] == ["vWA"]
            assert len(row.after["genotypes_sha256"]) == 64
            # a flag needs a stored PM sample
            with pytest.raises(IntegrityError, match="pm_barcode: 'NOPE' does not exist"):
                add_elimination_flags(session, [EliminationFlag("NOPE", "ST-9", 6, 0, 7.0)])
        assert db.counts()["staff_profiles"] == 1
    finally:
        db.dispose()


def test_import_staff_profiles_and_flag_planted_contamination(database_url, tmp_path):
    db, s = _store_scenario(database_url)
    try:
        with db.session() as session:
            pm = profiles_for(session, "remains")
        planted_barcode, planted = pm[0]
        # ST-1 contaminated the first PM sample (same profile); ST-2 is an unrelated SYNTHETIC
        # profile (the genotypes of a reference donor, who handled nothing)
        with db.session() as session:
            donor_barcode, donor = profiles_for(session, "donor")[0]
        staff_csv = tmp_path / "staff.csv"
        _write_csv(staff_csv, [("ST-1", planted), ("ST-2", donor)])
        runner = CliRunner()
        dry = runner.invoke(cli, ["--database", database_url, "import", "staff-profiles",
                                  str(staff_csv), "--dry-run"], catch_exceptions=False)
        assert dry.exit_code == 0, dry.output
        assert "2 staff profiles are valid (dry run: nothing written)" in dry.output
        assert db.counts()["staff_profiles"] == 0
        res = runner.invoke(cli, ["--database", database_url, "import", "staff-profiles",
                                  str(staff_csv)], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        assert "Imported 2 staff profiles" in res.output
        with db.session() as session:
            stored = dict(staff_profiles(session))
        assert stored["ST-1"] == {k: tuple(v) for k, v in planted.items()}
        # importing the same codes again is refused, naming the file, line and column
        again = runner.invoke(cli, ["--database", database_url, "import", "staff-profiles",
                                    str(staff_csv)])
        assert again.exit_code != 0
        assert "line 2, column barcode: 'ST-1' already has a stored profile" in str(again.exception)
        assert db.counts()["staff_profiles"] == 2

        out = tmp_path / "flags.json"
        res = runner.invoke(cli, ["--database", database_url, "screen", "--elimination",
                                  "--frequencies", FREQ, "--output", str(out)],
                            catch_exceptions=False)
        assert res.exit_code == 0, res.output
        assert "elimination flag(s) stored in the database" in res.output
        with db.session() as session:
            flags = list_elimination_flags(session)
        assert flags, res.output
        assert {f.staff_code for f in flags} == {"ST-1"}
        by_pm = {f.pm_barcode: f for f in flags}
        assert planted_barcode in by_pm and donor_barcode not in by_pm
        # every flagged PM profile is the planted genotype (or a sample of the same body)
        assert all(dict(g) == dict(planted) for b, g in pm if b in by_pm)
        flag = by_pm[planted_barcode]
        fdb = load_database(FREQ)
        names = [fdb.locus_name(locus) for locus in planted if locus in fdb]
        observed = {}
        for _, g in pm + [("ST-2", donor)]:
            for locus, alleles in g.items():
                if locus in fdb:
                    observed.setdefault(fdb.locus_name(locus), set()).update(alleles)
        markers = fdb.markers([n for n in fdb.loci if n in observed], extra_alleles=observed)
        expected = _inclusion_log10({fdb.locus_name(k): v for k, v in planted.items()
                                     if k in fdb}, markers)
        assert flag.compared_loci == len(names)
        assert flag.mismatches == 0
        assert flag.log10_lr == pytest.approx(expected, rel=1e-9)
        assert flag.log10_lr > 15      # a full 20+ locus profile: a very strong inclusion
        assert flag.provenance["frequency_db"]["name"] == FREQ
        doc = json.loads(out.read_text())
        assert doc["format"] == "homecoming/elimination-flags@1"
        assert {(r["pm"], r["staff"]) for r in doc["flags"]} == {(f.pm_barcode, f.staff_code)
                                                                 for f in flags}
        # a second run replaces the stored flags (no duplicates) and audits the change
        res = runner.invoke(cli, ["--database", database_url, "screen", "--elimination",
                                  "--frequencies", FREQ], catch_exceptions=False)
        assert res.exit_code == 0, res.output
        assert db.counts()["elimination_flags"] == len(flags)
        with db.session() as session:
            actions = [r.action for r in audit_records(session, table="elimination_flags")]
        assert actions == ["insert"] * len(flags) + ["delete"] * len(flags) + \
            ["insert"] * len(flags)
    finally:
        db.dispose()


def test_elimination_refuses_a_dataset(tmp_path):
    res = CliRunner().invoke(cli, ["screen", "--elimination", "--dataset", __file__])
    assert res.exit_code != 0
    assert "--elimination" in res.output and "cannot be combined" in res.output


def test_elimination_thresholds_from_the_command_line(tmp_path):
    """--min-lr, --min-common and --max-mismatches reach the elimination check: a staff
    profile equal to a PM profile except at one locus is flagged only when one mismatch is
    allowed; an impossible LR threshold flags nothing."""
    url = f"sqlite:///{tmp_path / 'e.db'}"
    db, _ = _store_scenario(url)
    try:
        with db.session() as session:
            pm = profiles_for(session, "remains")
        barcode, planted = pm[0]
        locus = sorted(planted)[0]
        changed = dict(planted)
        changed[locus] = ("98", "98")               # an allele seen in no PM profile
        staff_csv = tmp_path / "staff.csv"
        _write_csv(staff_csv, [("ST-1", changed)])
        runner = CliRunner()

        def run(*extra):
            res = runner.invoke(cli, ["--database", url, "screen", "--elimination",
                                      "--frequencies", FREQ, *extra], catch_exceptions=False)
            assert res.exit_code == 0, res.output
            with db.session() as session:
                return res.output, {f.pm_barcode for f in list_elimination_flags(session)}

        assert runner.invoke(cli, ["--database", url, "import", "staff-profiles",
                                   str(staff_csv)]).exit_code == 0
        out, flagged = run()
        assert barcode not in flagged and "at most 0 mismatches" in out
        out, flagged = run("--max-mismatches", "1")
        assert barcode in flagged and "at most 1 mismatches" in out
        out, flagged = run("--max-mismatches", "1", "--min-lr", "1e300")
        assert flagged == set() and "inclusion log10 LR >= 300" in out
        out, flagged = run("--max-mismatches", "1", "--min-common", str(len(planted) + 1))
        assert flagged == set() and f"at least {len(planted) + 1} loci" in out
        bad = runner.invoke(cli, ["--database", url, "screen", "--max-mismatches", "1"])
        assert bad.exit_code == 2 and "applies to --elimination only" in bad.output
    finally:
        db.dispose()
