"""``homecoming power CASE.json --missing ID`` and :func:`homecoming.services.power.case_power`
on SYNTHETIC kinship-case@1 files; the values are the hand-derived ones of test_power.py."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli, main
from homecoming.errors import HypothesisError, InputError
from homecoming.services.power import POWER_FORMAT, case_power

P = {"a": 0.1, "b": 0.2, "c": 0.3, "d": 0.4}
TOL = 1e-9


def _case() -> dict:
    """Father FA typed a/b at M1 and d/d at M2; the child MP is missing; V is a victim typed
    in the file, unrelated in the pedigree 'missing child' (so not one of its references)."""
    marker = {"alleles": list(P), "frequencies": list(P.values())}
    return {
        "format": "homecoming/kinship-case@1",
        "markers": [{"name": "M1", **marker}, {"name": "M2", **marker}],
        "genotypes": {"FA": {"M1": ["a", "b"], "M2": ["d", "d"]},
                      "V": {"M1": ["a", "a"], "M2": ["a", "d"]}},
        "hypotheses": [
            {"name": "missing child", "pedigree": [
                {"id": "FA", "father": None, "mother": None, "sex": "male"},
                {"id": "MO", "father": None, "mother": None, "sex": "female"},
                {"id": "MP", "father": "FA", "mother": "MO", "sex": "male"},
                {"id": "V", "father": None, "mother": None, "sex": "male"}]},
            {"name": "victim is the child", "pedigree": [
                {"id": "FA", "father": None, "mother": None, "sex": "male"},
                {"id": "MO", "father": None, "mother": None, "sex": "female"},
                {"id": "V", "father": "FA", "mother": "MO", "sex": "male"}]}],
        "reference": "missing child"}


def _write(tmp_path: Path, obj: object) -> Path:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def test_service_exclusion_power_by_hand():
    """EP(M1) = (1 − pₐ − p_b)² = .49, EP(M2) = (1 − p_d)² = .36, total 1 − .51·.64."""
    out = case_power(_case(), missing="MP", simulations=0)
    assert out["format"] == POWER_FORMAT
    assert out["missing"] == "MP" and out["hypothesis"] == "missing child"
    assert out["references"] == ["FA"] and out["ignored_genotypes"] == ["V"]
    assert out["per_marker_exclusion_power"] == pytest.approx({"M1": .49, "M2": .36}, abs=TOL)
    assert out["exclusion_power"] == pytest.approx(1 - .51 * .64, abs=TOL)
    assert out["identification_power"] is None
    assert out["provenance"]["input_sha256"] and out["provenance"]["seed"] is None


def test_service_identification_power_exact_part_and_seed():
    """E₁[log10 LR] at M1 is the hand value of test_power.py; the result is reproducible
    from its seed."""
    import math
    p1 = [.05, .15, .15, .2, .1, .15, .2]
    lr = [5, 3.75, 2.5, 2.5, 2.5, 1.25, 1.25]
    m1 = sum(p * math.log10(x) for p, x in zip(p1, lr))
    a = case_power(_case(), missing="MP", simulations=200, threshold=10.0, seed=5)
    b = case_power(_case(), missing="MP", simulations=200, threshold=10.0, seed=5)
    ip = a["identification_power"]
    assert ip["seed"] == 5 and ip["simulations"] == 200 and ip["threshold"] == 10.0
    terms = ip["missing_person"]["per_marker_expected_log10_lr"]
    assert terms["M1"] == pytest.approx(m1, abs=TOL)
    assert ip["missing_person"]["expected_log10_lr"] == pytest.approx(
        terms["M1"] + terms["M2"], abs=TOL)
    assert ip["unrelated"]["expected_log10_lr"] is None          # exclusions possible
    a.pop("provenance"), b.pop("provenance")
    assert a == b


def test_service_errors():
    with pytest.raises(HypothesisError, match="missing person 'XX'"):
        case_power(_case(), missing="XX", simulations=0)
    with pytest.raises(HypothesisError, match="nope"):
        case_power(_case(), missing="MP", hypothesis="nope", simulations=0)
    with pytest.raises(InputError, match="simulations"):
        case_power(_case(), missing="MP", simulations=-1)
    with pytest.raises(InputError, match="threshold"):
        case_power(_case(), missing="MP", threshold=0.0)


def test_other_hypothesis_and_typed_missing_person_ignored():
    """In 'victim is the child' V is the child of FA: --missing V uses FA as the reference
    and ignores V's own genotypes (EP as above)."""
    out = case_power(_case(), missing="V", hypothesis="victim is the child", simulations=0)
    assert out["ignored_genotypes"] == ["V"]
    assert out["exclusion_power"] == pytest.approx(1 - .51 * .64, abs=TOL)


def test_cli_json_and_table(tmp_path):
    path = _write(tmp_path, _case())
    res = CliRunner().invoke(cli, ["power", str(path), "--missing", "MP", "--simulations", "100",
                                   "--seed", "3", "--json"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["format"] == "homecoming/power-result@1"
    assert out["per_marker_exclusion_power"]["M1"] == pytest.approx(.49, abs=TOL)
    assert out["identification_power"]["seed"] == 3
    res = CliRunner().invoke(cli, ["power", str(path), "--missing", "MP", "--simulations", "0"],
                             catch_exceptions=False)
    assert res.exit_code == 0
    assert "Exclusion power: 0.6736" in res.output
    assert "M1" in res.output and "0.4900" in res.output


def test_cli_unknown_missing_person_is_one_line(tmp_path, capsys):
    path = _write(tmp_path, _case())
    with pytest.raises(SystemExit) as exc:
        main(["power", str(path), "--missing", "XX"])
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip()
    assert "XX" in err and len(err.splitlines()) == 1
