"""``homecoming screen`` (CliRunner) on a stored SYNTHETIC scenario and on a dataset file."""

from __future__ import annotations

import csv
import json
import math

import numpy as np
import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli  # noqa: E402
from homecoming.demo.scenario import generate_scenario  # noqa: E402
from homecoming.identification.screening import (  # noqa: E402
    RELATIONSHIPS,
    default_mutation,
    screen_profiles,
)
from homecoming.storage import Database  # noqa: E402
from homecoming.storage.repositories import (  # noqa: E402
    Repositories,
    list_candidates,
    profiles_for,
    reference_samples,
)


@pytest.fixture(scope="module")
def scenario_db(tmp_path_factory):
    """A SQLite database holding a small SYNTHETIC demo scenario (40 bodies)."""
    s = generate_scenario(7, bodies=40)
    url = f"sqlite:///{tmp_path_factory.mktemp('screen') / 'case.sqlite'}"
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
    db.dispose()
    return url, s


def _markers(db_name, profiles):
    from homecoming.cli.screen import _markers_from_frequencies

    return _markers_from_frequencies(db_name, profiles)[0]


def test_screen_stores_exactly_the_library_result_and_finds_true_relatives(scenario_db):
    url, s = scenario_db
    res = CliRunner().invoke(cli, ["--database", url, "screen", "--frequencies", "nist1036_all",
                                   "--quiet"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "candidates stored in the database" in res.output
    db = Database(url)
    with db.session() as session:
        stored = list_candidates(session)
        pm = profiles_for(session, "remains")
        refs = profiles_for(session, "donor")
        ref_info = {r.barcode: r for r in reference_samples(session)}
    db.dispose()
    # the same screening through the library
    markers = _markers("nist1036_all", [g for _, g in pm] + [g for _, g in refs])
    want = screen_profiles([g for _, g in pm], [g for _, g in refs], markers,
                           pm_ids=[b for b, _ in pm], ref_ids=[b for b, _ in refs])
    got = {(c.pm_barcode, c.ref_barcode, c.relationship): c.log10_lr for c in stored}
    exp = {(r["pm"], r["reference"], r["relationship"]): r["log10_lr"] for r in want.records()}
    assert set(got) == set(exp)
    for k, v in exp.items():
        assert math.isclose(got[k], v, rel_tol=1e-12, abs_tol=1e-12)
    prov = stored[0].provenance
    assert prov["frequency_database"]["name"] == "nist1036_all"
    assert prov["parameters"]["min_common_loci"] == 10
    assert prov["mutation"]["model"] == default_mutation().model
    # true parent/child and full-sibling references of identified bodies are found
    remains_of = {smp.barcode: smp.remains_code for smp in s.samples if smp.remains_code}
    true_pairs = found = 0
    for pm_bc, _ in pm:
        mp = s.truth.get(remains_of[pm_bc])
        for ref_bc, info in ref_info.items():
            rel = info.relationship.pairwise
            if mp is None or info.missing_person_id != mp or rel not in ("parent_child",
                                                                       "full_sibling"):
                continue
            true_pairs += 1
            found += (pm_bc, ref_bc, rel) in got
    assert true_pairs >= 10
    assert found >= 0.8 * true_pairs
    # running again replaces rather than duplicates
    res = CliRunner().invoke(cli, ["--database", url, "screen", "--frequencies", "nist1036_all",
                                   "--quiet", "--relationship", "direct"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    db = Database(url)
    with db.session() as session:
        again = list_candidates(session)
    db.dispose()
    assert {(c.pm_barcode, c.ref_barcode, c.relationship) for c in again} == set(got)


def _dataset():
    rng = np.random.default_rng(3)
    alleles = [str(a) for a in range(8, 16)]
    freqs = [0.05, 0.1, 0.2, 0.25, 0.15, 0.1, 0.1, 0.05]
    loci = [f"L{k}" for k in range(12)]
    markers = [{"name": n, "alleles": alleles, "frequencies": freqs} for n in loci]

    def person():
        return {n: sorted(rng.choice(alleles, 2, p=freqs).tolist(), key=float) for n in loci}

    father, mother = person(), person()
    child = {n: sorted([father[n][rng.integers(2)], mother[n][rng.integers(2)]], key=float)
             for n in loci}
    victims = [{"id": "V1", "sex": "male", "genotypes": child},
               {"id": "V2", "sex": "female", "genotypes": person()},
               {"id": "V3", "sex": "male", "genotypes": dict(child)}]  # V1 sampled twice
    fam = {"name": "F1", "pedigree": [
        {"id": "FA", "father": None, "mother": None, "sex": "male"},
        {"id": "MO", "father": None, "mother": None, "sex": "female"},
        {"id": "MP", "father": "FA", "mother": "MO", "sex": "male"}],
        "missing": ["MP"], "genotypes": {"FA": father, "MO": mother}}
    return {"format": "homecoming/dvi-dataset@1", "theta": 0.0, "markers": markers,
            "victims": victims, "families": [fam]}


def test_screen_a_dataset_file_to_json_and_csv(tmp_path):
    path = tmp_path / "ds.json"
    path.write_text(json.dumps(_dataset()))
    out = tmp_path / "cands.json"
    res = CliRunner().invoke(cli, ["screen", "--dataset", str(path), "--relationship",
                                   "parent_child", "--min-lr", "100", "--quiet",
                                   "--output", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    doc = json.loads(out.read_text())
    assert doc["format"] == "homecoming/screening-candidates@1"
    pairs = {(c["pm"], c["reference"]) for c in doc["candidates"]}
    assert ("V1", "F1/FA") in pairs and ("V1", "F1/MO") in pairs
    assert all(c["pm"] in ("V1", "V3") for c in doc["candidates"])
    assert doc["provenance"]["parameters"]["min_log10_lr"] == {"parent_child": 2.0}
    assert doc["provenance"]["frequency_database"] == "dataset markers"
    # exact follow-up of the (victim, family) pairs with the kinship engine
    res = CliRunner().invoke(cli, ["screen", "--dataset", str(path), "--relationship",
                                   "parent_child", "--min-lr", "100", "--quiet", "--follow-up",
                                   "--pm-pm", "--output", str(out)], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    fu = json.loads(out.read_text())["follow_up"]
    assert [(r["pm"], r["family"], r["missing"]) for r in fu] == [("V1", "F1", "MP"),
                                                                ("V3", "F1", "MP")]
    assert fu[0]["log10_lr"] == fu[1]["log10_lr"]
    assert json.loads(out.read_text())["pm_pm"]["groups"] == [["V1", "V3"]]
    assert "V1, V3" in res.output
    from homecoming.formats.dvi_dataset import load_dvi_dataset
    from homecoming.identification.screening import exact_log10_lr

    ds = load_dvi_dataset(path)
    fam = ds.families[0]
    want = exact_log10_lr(fam.pedigree, ds.markers, fam.genotypes, "MP",
                          ds.victims[0].genotypes)
    assert math.isclose(fu[0]["log10_lr"], want, rel_tol=1e-12)
    assert want > max(c["log10_lr"] for c in doc["candidates"])  # both parents beat one
    # CSV, all relationships, on 2 local Dask workers: same parent-child rows
    out_csv = tmp_path / "cands.csv"
    res = CliRunner().invoke(cli, ["screen", "--dataset", str(path), "--min-lr", "100",
                                   "--quiet", "--workers", "2", "--output", str(out_csv)],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    lines = out_csv.read_text().splitlines()
    assert lines[0].startswith("# homecoming/screening-candidates@1")
    rows = list(csv.DictReader(lines[1:]))
    pc = [(r["pm"], r["reference"], float(r["log10_lr"])) for r in rows
          if r["relationship"] == "parent_child"]
    want = [(c["pm"], c["reference"], c["log10_lr"]) for c in doc["candidates"]]
    assert [p[:2] for p in pc] == [w[:2] for w in want]
    np.testing.assert_allclose([p[2] for p in pc], [w[2] for w in want], rtol=1e-12)
    assert {r["relationship"] for r in rows} <= set(RELATIONSHIPS)


def test_bad_options_are_one_line_errors(tmp_path):
    res = CliRunner().invoke(cli, ["screen", "--min-lr", "-5"])
    assert res.exit_code != 0 and "--min-lr" in res.output
