"""`homecoming identify` without a dataset: the whole case stored in the casework database.

A small SYNTHETIC demonstration is stored (`homecoming demo --no-identify`), then identified
from the database. Checked: the CLI gives exactly what the pure pipeline gives on the same
records and markers, no identification is wrong against the synthetic ground truth, the
exported dvi-dataset@1 reads back, no genotype leaves in the result, and bad use is a clear
error.
"""

import json

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.demo.scenario import generate_scenario
from homecoming.errors import InputError
from homecoming.formats.dvi_dataset import load_dvi_dataset
from homecoming.identification import IdentificationConfig
from homecoming.services.case_identification import identify_case, load_stored_case
from homecoming.services.screening import markers_from_frequencies as _markers_from_frequencies
from homecoming.storage import Database

SEED, BODIES = 5, 40


def _run(*args, ok=True):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=not ok)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('case') / 'case.db'}"
    _run("--database", url, "demo", "--bodies", str(BODIES), "--seed", str(SEED),
         "--no-identify", "--json")
    return url


def test_stored_case_equals_the_pure_pipeline_and_the_ground_truth(stored, tmp_path):
    exported = tmp_path / "case.json"
    out = tmp_path / "result.json"
    res = _run("--database", stored, "identify", "--json", "--export-dataset", str(exported),
               "--output", str(out))
    doc = json.loads(res.stdout)
    assert doc["format"] == "homecoming/case-identification@1"
    assert json.loads(out.read_text()) == {**doc, "provenance": json.loads(
        out.read_text())["provenance"]}
    # the same records and markers through the pure pipeline give the same conclusions
    with Database(stored).session() as session:
        victims, families = load_stored_case(session)
    markers, _ = _markers_from_frequencies("nist1036_all", [v.genotypes for v in victims]
                                           + [g for f in families for g in f.profiles.values()])
    assert doc["markers"] == [m.name for m in markers]
    direct = identify_case(markers, victims, families, config=IdentificationConfig())
    got = {r["missing"]: (r["victim"], r["conclusion"]) for r in doc["missing_persons"]}
    assert got == {m: (d["victim"], d["conclusion"]) for m, d in direct.details.items()}
    assert doc["summary"] == direct.summary()
    assert doc["thresholds"]["prior"] == f"1/{len(families)}"
    # against the synthetic ground truth: identifications made, none wrong
    truth = generate_scenario(SEED, bodies=BODIES).truth
    identified = {r["missing"]: r["victim"] for r in doc["missing_persons"]
                  if r["conclusion"] in ("undisputed", "match by GLR", "symmetric match")}
    assert len(identified) >= 20
    assert all(truth[v] == m for m, v in identified.items())
    # no genotype in the result; the explicit export holds the case and reads back
    assert "genotypes" not in res.output
    ds = load_dvi_dataset(exported)
    assert len(ds.victims) == len(victims) and len(ds.families) == len(families)


def test_text_output_names_remains_and_missing_persons(stored):
    text = _run("--database", stored, "identify", "--quiet").output
    assert "groups of families and candidate remains solved exactly" in text
    assert "Conclusions per missing person:" in text and "undisputed" in text
    assert "SYN-MP-" in text and "SYN-IZ-" in text


def test_thresholds_reach_the_stored_case(stored):
    strict = json.loads(_run("--database", stored, "identify", "--json",
                             "--lr-threshold", "1e300").output)
    assert strict["thresholds"]["lr"] == 1e300
    assert "undisputed" not in strict["summary"]["conclusions"]


def test_empty_database_and_misused_options_are_clear_errors(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    _run("--database", url, "init")
    res = _run("--database", url, "identify", ok=False)
    assert res.exit_code == 1 and isinstance(res.exception, InputError)
    assert "no missing persons are stored" in str(res.exception)
    ds = tmp_path / "ds.json"
    ds.write_text("{}")
    res = _run("identify", str(ds), "--frequencies", "nist1036_all", ok=False)
    assert res.exit_code == 2 and "applies to the stored case only" in res.output
