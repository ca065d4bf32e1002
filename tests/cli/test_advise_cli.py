"""``homecoming advise`` and homecoming.services.advice: a SYNTHETIC kinship-case@1 file
(values derived by hand in tests/kinship/test_advice.py), a small SYNTHETIC stored
demonstration (one family, and the register worklist), the progress bar, and bad use.

Case file: one marker L1 with alleles a, b, c (p = .2, .3, .5); father FA typed a/b; the
missing person MP is the child of FA and the untyped mother MO.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli, main
from homecoming.errors import HypothesisError, InputError
from homecoming.services.advice import ADVICE_FORMAT, CRITERION, case_advice

TOL = 1e-9
PEDIGREE = [{"id": "FA", "father": None, "mother": None, "sex": "male"},
            {"id": "MO", "father": None, "mother": None, "sex": "female"},
            {"id": "MP", "father": "FA", "mother": "MO", "sex": "male"}]
CASE = {
    "format": "homecoming/kinship-case@1",
    "markers": [{"name": "L1", "alleles": ["a", "b", "c"], "frequencies": [.2, .3, .5]}],
    "genotypes": {"FA": {"L1": ["a", "b"]}},
    "hypotheses": [{"name": "missing child", "pedigree": PEDIGREE},
                   {"name": "unrelated", "pedigree": [
                       {"id": "FA", "father": None, "mother": None, "sex": "male"},
                       {"id": "MP", "father": None, "mother": None, "sex": "male"}]}],
    "reference": "unrelated",
}


def _run(*args, ok=True):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=not ok)
    if ok:
        assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def case_file(tmp_path: Path) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(CASE), encoding="utf-8")
    return path


def test_service_case_file_by_hand():
    """EP now (1 − .2 − .3)² = .25; with the mother .4747 (hand derivation in
    tests/kinship/test_advice.py); the mother ranks first, the new sibling adds no EP."""
    doc = case_advice(CASE, missing="MP", threshold=10)
    assert doc["format"] == ADVICE_FORMAT and doc["criterion"] == CRITERION
    assert doc["source"] == {"kind": "kinship-case", "hypothesis": "missing child"}
    (fam,) = doc["families"]
    assert fam["references"] == ["FA"]
    assert fam["exclusion_power"] == pytest.approx(.25, abs=TOL)
    assert fam["reaches_threshold"] is (fam["expected_log10_lr"] >= 1.0)
    best = fam["best_next_donor"]
    assert best == fam["candidates"][0]
    assert (best["person"], best["relation"], best["added"]) == ("MO", "mother", False)
    assert best["exclusion_power"] == pytest.approx(.4747, abs=TOL)
    assert best["exclusion_power_gain"] == pytest.approx(.2247, abs=TOL)
    assert [c["rank"] for c in fam["candidates"]] == [1, 2, 3]
    sib = next(c for c in fam["candidates"] if c["relation"] == "full sibling")
    assert sib["exclusion_power_gain"] == pytest.approx(0.0, abs=TOL)
    assert sib["added"] is True and sib["person"] == "MP:new full sibling"


def test_threshold_criterion():
    """E₁[log10 LR] of the father alone is about 0.157: below log10 10 = 1, above
    log10 1.2 = 0.079."""
    low = case_advice(CASE, missing="MP", threshold=1.2)["families"][0]
    high = case_advice(CASE, missing="MP", threshold=10)["families"][0]
    assert 0.079 < low["expected_log10_lr"] < 1
    assert low["reaches_threshold"] is True and high["reaches_threshold"] is False
    assert low["expected_log10_lr"] >= math.log10(1.2)


def test_cli_case_file_json_and_text(case_file):
    doc = json.loads(_run("advise", str(case_file), "--missing", "MP", "--json").output)
    assert doc["families"][0]["best_next_donor"]["person"] == "MO"
    assert doc["threshold"] == 10000.0
    text = _run("advise", str(case_file), "--missing", "MP").output
    assert "cannot reach" in text and "mother (MO)" in text and "0.4747" in text


def _fails(capsys, *args):
    with pytest.raises(SystemExit) as exc:
        main(list(args))
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    return err


def test_bad_use(case_file, capsys):
    with pytest.raises(HypothesisError, match="NOBODY"):
        case_advice(CASE, missing="NOBODY")
    with pytest.raises(InputError, match="threshold"):
        case_advice(CASE, missing="MP", threshold=0)
    assert "--missing" in _fails(capsys, "advise", str(case_file))
    assert "--all" in _fails(capsys, "advise")
    assert "--all" in _fails(capsys, "advise", str(case_file), "--all")
    assert "NOBODY" in _fails(capsys, "advise", str(case_file), "--missing", "NOBODY")


SEED, BODIES = 5, 12


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('advise') / 'case.db'}"
    _run("--database", url, "demo", "--bodies", str(BODIES), "--seed", str(SEED),
         "--no-identify", "--json")
    return url


def test_stored_family_and_worklist(stored):
    """One stored family (CLI, JSON): its references are its typed donors, the candidates
    come best first with non-negative gains, no genotype in the output. The register
    (``--all``) lists only the families whose E₁[log10 LR] is below log10 T; the service
    refuses an unknown family."""
    from homecoming.services.advice import family_advice
    from homecoming.storage import Database

    out = _run("--database", stored, "advise", "SYN-MP-0001", "--json").output
    assert "genotypes" not in out
    doc = json.loads(out)
    (fam,) = doc["families"]
    assert fam["missing"] == "SYN-MP-0001" and doc["source"]["kind"] == "stored case"
    assert fam["reference_donors"], "the demo family has typed donors"
    gains = [c["expected_log10_lr_gain"] for c in fam["candidates"]]
    assert gains == sorted(gains, reverse=True) and gains[-1] >= -1e-9
    assert all(c["exclusion_power_gain"] >= -1e-12 for c in fam["candidates"])
    res = _run("--database", stored, "advise", "--all", "--threshold", "1e4", "--json")
    work = json.loads(res.stdout)
    assert work["families_checked"] >= 5
    assert all(f["expected_log10_lr"] < 4 and not f["reaches_threshold"]
               and f["best_next_donor"] == f["candidates"][0] for f in work["families"])
    assert work["families_below_threshold"] == len(work["families"])
    with pytest.raises(InputError, match="NOBODY"):
        family_advice(Database(stored), "NOBODY")
