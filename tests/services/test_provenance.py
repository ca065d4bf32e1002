"""One provenance schema (homecoming.provenance, version 1) in every output that carries a
number: kinship, identify (dataset and stored case), screen, the stored candidates."""

import hashlib
import json

import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from homecoming import provenance
from homecoming.cli.main import cli
from homecoming.errors import InputError
from homecoming.storage import Database
from homecoming.storage.repositories import list_candidates
from tests.paths import DVI_EXAMPLES, FAMILIAS


def _json(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _check(prov):
    model = provenance.validate(prov)
    assert list(prov)[:len(provenance.PROVENANCE_KEYS)] == list(provenance.PROVENANCE_KEYS)
    assert model.schema_version == 1
    assert prov["software"] == f"homecoming {prov['software_version']}"
    return model


def test_kinship_result_provenance():
    path = FAMILIAS / "paternity.fam"
    prov = _json("kinship", str(path), "--json")["provenance"]
    model = _check(prov)
    assert model.input_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert model.theta == 0.0


def test_identify_dataset_provenance():
    path = DVI_EXAMPLES / "planecrash.json"
    prov = _json("identify", str(path), "--json")["provenance"]
    model = _check(prov)
    assert model.input_sha256 is not None
    assert model.frequency_database.name == "dataset markers"
    assert len(model.frequency_database.sha256) == 64
    assert model.thresholds["lr_threshold"] == 1e4
    assert model.thresholds["max_incompatible"] == 2


def test_screen_stored_candidates_and_stored_case_provenance(tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    _json("--database", url, "demo", "--bodies", "15", "--seed", "2", "--no-identify",
          "--json")
    out = tmp_path / "cands.json"
    CliRunner().invoke(cli, ["--database", url, "screen", "--relationship", "parent_child",
                             "--quiet", "--output", str(out)], catch_exceptions=False)
    screened = _check(json.loads(out.read_text())["provenance"])
    assert screened.frequency_database.name == "nist1036_all"
    assert screened.mutation_model["model"] == "stepwise"
    assert screened.thresholds == {"min_log10_lr": {"parent_child": 4.0}, "min_common_loci": 10}
    with Database(url).session() as session:
        stored = list_candidates(session)
    assert stored
    for candidate in stored:
        assert _check(candidate.provenance).frequency_database == screened.frequency_database
    case = _json("--database", url, "identify", "--json", "--quiet", "--no-store")
    model = _check(case["provenance"])
    assert model.frequency_database.name == "nist1036_all"
    assert model.thresholds["lr"] == 1e4 and model.theta == 0.0
    assert len(model.input_sha256) == 64
    assert {"conclusion", "lr", "posterior"} <= set(case["missing_persons"][0])
    # each component's own provenance (the solver's record) is kept
    solved = {row["component"] for row in case["missing_persons"] if "component" in row}
    assert solved == {c["component"] for c in case["components"]} and solved
    for component in case["components"]:
        _check(component["provenance"])


def test_the_schema_refuses_missing_keys_and_bad_values():
    good = provenance.record(frequency_database={"name": "x", "sha256": "a" * 64}, theta=0.01)
    _check(good)
    with pytest.raises(InputError, match="provenance lacks seed"):
        provenance.validate({k: v for k, v in good.items() if k != "seed"})
    for key, bad in (("schema_version", 2), ("theta", 1.5), ("input_sha256", "xyz"),
                     ("frequency_database", {"name": "x", "sha256": "short"})):
        with pytest.raises(ValidationError):
            provenance.validate({**good, key: bad})


def test_record_lifts_theta_and_thresholds_from_parameters():
    rec = provenance.record(parameters={"theta": 0.02, "lr_threshold": 100.0, "top": 5})
    assert rec["theta"] == 0.02 and rec["thresholds"] == {"lr_threshold": 100.0}
    assert rec["parameters"]["top"] == 5 and rec["seed"] is None


def test_library_versions_are_the_installed_distributions():
    """numpy and scipy versions in a record equal the installed distributions' metadata,
    whether the package is imported (its __version__) or not (its dist-info folder)."""
    from importlib.metadata import version

    from homecoming import provenance

    provenance._version.cache_clear()
    prov = provenance.record(parameters={})
    assert prov["numpy"] == version("numpy")
    assert prov["scipy"] == version("scipy")
    assert provenance._version("no-such-distribution-homecoming") == "not installed"
