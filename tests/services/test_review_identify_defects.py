"""Issue 11 item 8, the stored-case identify as an analyst uses it: a flagged PM profile is
never concluded as an identification; loci absent from the frequency table are left out and
listed; the mutation model and θ can be set and are recorded (SQLite, small SYNTHETIC demo)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.services.case_identification import identify_stored_case
from homecoming.services.identifications import get_identification, list_identifications
from homecoming.storage import Database


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'g.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["--database", url, "init"]).exit_code == 0
    r = runner.invoke(cli, ["--database", url, "demo", "--bodies", "14", "--no-identify"])
    assert r.exit_code == 0, r.output
    database = Database(url)
    yield database
    database.dispose()


def test_flagged_pm_profile_is_never_an_identification(db):
    first = identify_stored_case(db, store=False)
    mp, victim = next(iter(sorted(first.result.identified.items())))
    from homecoming.casework import StaffProfile
    from homecoming.storage.repositories import Repositories, add_elimination_flags
    from homecoming.storage.repositories.staff import EliminationFlag

    with db.session() as s:
        repos = Repositories(s, user="lab")
        pm = next(x for x in repos.samples.list(remains_code=victim)
                  if repos.profiles.find(x.barcode) is not None)
        genotypes = dict(repos.profiles.get(pm.barcode).genotypes)
        repos.staff_profiles.add(StaffProfile(staff_code="STAFF-SYN-7", genotypes=genotypes))
        add_elimination_flags(s, [EliminationFlag(pm.barcode, "STAFF-SYN-7", len(genotypes), 0,
                                                  12.0)], user="lab")
    run = identify_stored_case(db, store=True, actor="ana")
    detail = run.result.details[mp]
    assert mp not in run.result.identified
    assert detail["conclusion"] == "inconclusive"
    assert f"post-mortem profile of {victim} is flagged by the elimination check" in \
        detail["comment"]
    assert any(victim in w and "elimination check" in w for w in run.result.warnings)
    with db.session() as s:
        stored = [r for r in list_identifications(s) if r["missing_person"] == mp]
    assert [(r["status"], r["conclusion"]) for r in stored] == [("unresolved", "inconclusive")]


def test_loci_absent_from_the_table_are_left_out_and_listed(db):
    run = identify_stored_case(db, frequencies="strider2015_poland", store=True, actor="ana")
    left = run.document["loci_left_out"]
    assert {"CSF1PO", "TPOX", "SE33", "PentaE"} <= set(left)
    assert run.document["provenance"]["loci_left_out"] == left
    assert any("left out" in w for w in run.result.warnings)
    assert not set(left) & set(run.document["markers"])
    with db.session() as s:
        ident = next(r for r in list_identifications(s, status="proposed"))
        full = get_identification(s, ident["id"])
    assert set(full["model"]["loci_left_out"]) <= set(left) and full["model"]["loci_left_out"]
    assert not set(full["per_marker"]) & set(left)


def test_mutation_and_theta_are_set_and_recorded(db):
    base = identify_stored_case(db, store=True, actor="ana")
    assert base.document["model"]["theta"] == 0.0
    assert base.document["model"]["mutation"]["rate"] == 0.002
    run = identify_stored_case(db, store=True, actor="ana", theta=0.02, mutation=None)
    assert run.document["model"] == {"mutation": None, "theta": 0.02, "dropout": 0.0}
    assert run.document["provenance"]["theta"] == 0.02
    changed = {k: v for k, v in run.stored.changes.items() if "model.theta" in v}
    assert changed and len(run.stored.stored) == len(base.stored.stored)
    some = next(iter(changed))
    with db.session() as s:
        new = get_identification(s, some)
        old = get_identification(s, new["supersedes"])
    assert new["model"]["theta"] == 0.02 and new["model"]["mutation"] is None
    assert old["status"] == "superseded"
    if new["lr"] is not None and old["lr"] is not None:
        assert new["lr"] != pytest.approx(old["lr"], rel=1e-6)


def test_text_output_shows_model_and_what_is_not_identified(db):
    url = str(db.engine.url)
    r = CliRunner().invoke(cli, ["--database", url, "identify", "--quiet", "--no-store",
                                 "--theta", "0.01", "--mutation-rate", "0.001"])
    assert r.exit_code == 0, r.output
    assert "mutation model stepwise, rate 0.001" in r.output and "theta 0.01" in r.output
    assert "missing person(s) not identified:" in r.output
    assert "remains with a DNA profile not identified: SYN-IZ-" in r.output
