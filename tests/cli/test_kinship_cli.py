"""`homecoming kinship CASE.json [--json]` on case files written exactly as kinship-case.md says."""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli, main
from homecoming.formats.kinship_case import load_kinship_case
from tests.paths import FAMILIAS
from tests.reference.oracle import reference_log_likelihood

# The example of docs/formats/kinship-case.md, verbatim.
DOC_CASE = """{
  "format": "homecoming/kinship-case@1",
  "theta": 0.0,
  "markers": [
    {
      "name": "D3S1358",
      "chromosome": "autosomal",
      "alleles": ["14", "15", "16", "17"],
      "frequencies": [0.13, 0.26, 0.24, 0.37],
      "mutation": {
        "female": {"model": "proportional", "rate": 0.001},
        "male":   {"model": "proportional", "rate": 0.002}
      }
    }
  ],
  "genotypes": {
    "AF": {"D3S1358": ["14", "16"]},
    "CH": {"D3S1358": ["16", null]}
  },
  "hypotheses": [
    {"name": "paternity", "pedigree": [
      {"id": "AF", "father": null, "mother": null, "sex": "male"},
      {"id": "MO", "father": null, "mother": null, "sex": "female"},
      {"id": "CH", "father": "AF", "mother": "MO", "sex": "male"}]},
    {"name": "unrelated", "pedigree": [
      {"id": "AF", "father": null, "mother": null, "sex": "male"},
      {"id": "CH", "father": null, "mother": null, "sex": "male"}]}
  ],
  "reference": "unrelated"
}
"""

P = {"a": 0.1, "b": 0.2, "c": 0.3, "d": 0.4}


def _duo_case(af, ch, *, theta=0.0, mutation=None):
    return {
        "format": "homecoming/kinship-case@1", "theta": theta,
        "markers": [{"name": "M1", "chromosome": "autosomal", "alleles": list(P),
                     "frequencies": list(P.values()), "mutation": mutation},
                    {"name": "M2", "chromosome": "autosomal", "alleles": ["A", "B"],
                     "frequencies": [0.05, 0.95], "mutation": None}],
        "genotypes": {"AF": {"M1": af, "M2": ["A", "A"]}, "CH": {"M1": ch, "M2": ["A", "A"]}},
        "hypotheses": [
            {"name": "paternity", "pedigree": [
                {"id": "AF", "father": None, "mother": None, "sex": "male"},
                {"id": "MO", "father": None, "mother": None, "sex": "female"},
                {"id": "CH", "father": "AF", "mother": "MO", "sex": "female"}]},
            {"name": "unrelated", "pedigree": [
                {"id": "AF", "father": None, "mother": None, "sex": "male"},
                {"id": "CH", "father": None, "mother": None, "sex": "female"}]}],
        "reference": "unrelated"}


def _write(tmp_path: Path, obj, name="case.json") -> Path:
    path = tmp_path / name
    path.write_text(obj if isinstance(obj, str) else json.dumps(obj), encoding="utf-8")
    return path


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_doc_example_json(tmp_path):
    path = _write(tmp_path, DOC_CASE)
    res = _run("kinship", str(path), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["format"] == "homecoming/kinship-result@1"
    assert out["reference"] == "unrelated"
    assert set(out["hypotheses"]) == {"paternity"}
    assert out["provenance"]["input_sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert out["provenance"]["software"].startswith("homecoming ")
    # expected: the reference oracle on the same parsed case
    case = load_kinship_case(path)
    h1 = reference_log_likelihood(case.hypothesis("paternity").pedigree, case.markers,
                                  case.genotypes)
    h0 = reference_log_likelihood(case.hypothesis("unrelated").pedigree, case.markers,
                                  case.genotypes)
    expected = math.exp(float(np.sum(h1 - h0)))
    hyp = out["hypotheses"]["paternity"]
    assert hyp["lr"] == pytest.approx(expected, rel=1e-9)
    assert hyp["log10_lr"] == pytest.approx(math.log10(expected), abs=1e-9)
    assert hyp["per_marker_lr"]["D3S1358"] == pytest.approx(expected, rel=1e-9)
    assert hyp["log10_likelihood"] == pytest.approx(float(np.sum(h1)) / math.log(10), abs=1e-9)
    # without mutation the LR would be P(child carries 16 | AF 14/16) / P(carries 16)
    assert expected == pytest.approx((1 - 0.5 * 0.76) / (1 - 0.76 ** 2), rel=1e-2)


def test_closed_form_duo_json(tmp_path):
    # A4 x A20's second marker: (pa+pb)/(4 pa pb) * 1/0.05
    path = _write(tmp_path, _duo_case(["a", "b"], ["a", "b"]))
    out = json.loads(_run("kinship", str(path), "--json").output)
    hyp = out["hypotheses"]["paternity"]
    assert hyp["per_marker_lr"]["M1"] == pytest.approx(3.75, rel=1e-12)
    assert hyp["per_marker_lr"]["M2"] == pytest.approx(20.0, rel=1e-12)
    assert hyp["lr"] == pytest.approx(75.0, rel=1e-12)
    assert hyp["log10_lr"] == pytest.approx(math.log10(75.0), abs=1e-12)


def test_exclusion_prints_integer_zero_and_null_log(tmp_path):
    path = _write(tmp_path, _duo_case(["c", "d"], ["a", "b"]))
    res = _run("kinship", str(path), "--json")
    out = json.loads(res.stdout)
    hyp = out["hypotheses"]["paternity"]
    assert hyp["lr"] == 0 and isinstance(hyp["lr"], int)
    assert hyp["log10_lr"] is None
    assert '"lr": 0,' in res.output
    assert hyp["per_marker_lr"]["M1"] == 0
    assert hyp["per_marker_lr"]["M2"] == pytest.approx(20.0)


def test_theta_unrelated_reference_joint_convention(tmp_path):
    # A19: θ = 0.01, duo a/a - a/a, joint founder convention: (1+2θ)/(3θ+(1-θ)p)
    case = _duo_case(["a", "a"], ["a", "a"], theta=0.01)
    case["markers"] = case["markers"][:1]
    for person in case["genotypes"].values():
        del person["M2"]
    out = json.loads(_run("kinship", str(_write(tmp_path, case)), "--json").output)
    assert out["hypotheses"]["paternity"]["lr"] == pytest.approx(
        (1 + 0.02) / (0.03 + 0.99 * 0.1), rel=1e-9)


def test_table_output(tmp_path):
    path = _write(tmp_path, _duo_case(["a", "b"], ["a", "b"]))
    res = _run("kinship", str(path))
    assert res.exit_code == 0
    lines = res.output.splitlines()
    assert lines[0] == "Reference hypothesis: unrelated"
    row = next(line for line in lines if line.startswith("paternity"))
    assert row.split() == ["paternity", "75", "1.8751"]
    m1 = next(line for line in lines if line.startswith("M1"))
    assert m1.split() == ["M1", "3.75"]
    m2 = next(line for line in lines if line.startswith("M2"))
    assert m2.split() == ["M2", "20"]


def test_bad_case_is_one_line_error(tmp_path, capsys):
    case = _duo_case(["a", "b"], ["a", "b"])
    case["markers"][0]["frequencies"] = [0.1, 0.2, 0.3, 0.3]
    path = _write(tmp_path, case)
    with pytest.raises(SystemExit) as exc:
        main(["kinship", str(path), "--json"])
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert err.startswith(f"Error: {path}: markers[0].frequencies: sum is 0.9;")


def test_missing_file_is_one_line_error(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["kinship", str(tmp_path / "nope.json")])
    assert exc.value.code == 1
    err = capsys.readouterr().err
    assert "nope.json: file not found" in err and len(err.strip().splitlines()) == 1


def test_invalid_json_names_line(tmp_path, capsys):
    path = _write(tmp_path, '{"format": "homecoming/kinship-case@1",\n "theta": }')
    with pytest.raises(SystemExit):
        main(["kinship", str(path)])
    err = capsys.readouterr().err
    assert "line 2" in err and "invalid JSON" in err


FAM = FAMILIAS / "paternity.fam"


def test_familias_file_through_cli(tmp_path):
    from homecoming.formats import familias
    res = _run("kinship", str(FAM), "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["provenance"]["input_sha256"] == hashlib.sha256(FAM.read_bytes()).hexdigest()
    case = load_kinship_case(familias.read_fam(FAM).to_kinship_case())
    ref = case.hypothesis(case.reference)
    for name, hyp in out["hypotheses"].items():
        h = case.hypothesis(name)
        kw = {"theta": case.theta, "dropout": case.dropout}
        num = reference_log_likelihood(h.pedigree, case.markers, case.genotypes,
                                       founder_inbreeding=h.founder_inbreeding, **kw)
        den = reference_log_likelihood(ref.pedigree, case.markers, case.genotypes,
                                       founder_inbreeding=ref.founder_inbreeding, **kw)
        assert hyp["log10_lr"] == pytest.approx(float(np.sum(num - den)) / math.log(10),
                                                abs=1e-9)
        for m, x, y in zip(case.markers, num, den):
            assert hyp["per_marker_lr"][m.name] == pytest.approx(math.exp(x - y), rel=1e-9)
