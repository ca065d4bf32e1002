"""DviDataset validation and the defined behaviour for awkward inputs (issue 4, "Bad input")."""

from __future__ import annotations

import copy
import json

import pytest

from homecoming.errors import InputError
from homecoming.formats.dvi_dataset import dataset_from_json, load_dvi_dataset
from homecoming.identification import Conclusion, IdentificationConfig, solve

from .test_hand_computed import MARKER, dataset_a

CFG = IdentificationConfig(lr_threshold=4, posterior_threshold=None)


def with_markers_differing():
    d = dataset_a()
    d["markers"] = [MARKER,
                    {**MARKER, "name": "L2"},  # typed in victims only
                    {**MARKER, "name": "L3"},  # typed in references only
                    {**MARKER, "name": "L4"}]  # typed nowhere
    d["victims"][0]["genotypes"]["L2"] = ["a", "a"]
    d["families"][0]["genotypes"]["R1"]["L3"] = ["c", "c"]
    return d


def test_missing_person_in_two_families_is_an_error():
    d = dataset_a()
    d["families"][1]["pedigree"][2]["id"] = "M1"
    d["families"][1]["missing"] = ["M1"]
    with pytest.raises(InputError, match=r"missing person 'M1' is in family 'F1' and in family 'F2'"):
        dataset_from_json(d)


def test_markers_differing_between_pm_and_am_use_the_intersection():
    ds = dataset_from_json(with_markers_differing())
    assert [m.name for m in ds.markers] == ["L1"]
    assert set(ds.dropped_markers) == {"L2", "L3", "L4"}
    assert "victims only" in ds.dropped_markers["L2"]
    assert "references only" in ds.dropped_markers["L3"]
    assert any("L2" in w and "L3" in w for w in ds.warnings)
    r = solve(ds, config=CFG)
    base = solve(dataset_from_json(dataset_a()), config=CFG)
    assert r.pairing("V1", "M1").lr == pytest.approx(base.pairing("V1", "M1").lr)
    assert r.best.posterior == pytest.approx(base.best.posterior)
    assert r.provenance["dropped_markers"]["L3"].startswith("typed in references only")
    assert any("L2" in w for w in r.warnings)


def test_victim_without_usable_markers_is_kept_and_inconclusive():
    d = with_markers_differing()
    d["victims"].append({"id": "V4", "sex": "male", "genotypes": {"L2": ["a", "b"]}})
    ds = dataset_from_json(d)
    assert ds.usable_markers("V4") == []
    assert any("'V4' has no usable marker" in w for w in ds.warnings)
    r = solve(ds, config=CFG)
    p = r.pairing("V4", "M1")
    assert p.lr == pytest.approx(1.0) and p.markers_compared == 0
    assert all(a.assignment["V4"] is None for a in r.joint)
    v4 = next(c for c in r.victim_conclusions if c.victim == "V4")
    assert v4.conclusion is Conclusion.INCONCLUSIVE and "no usable" in v4.comment
    # the other identifications are unaffected
    assert {c.missing: c.victim for c in r.missing_conclusions} == {"M1": "V1", "M2": "V3"}


def test_family_without_typed_member_is_non_identifiable():
    d = dataset_a()
    d["families"][1]["genotypes"] = {}
    ds = dataset_from_json(d)
    assert any("'F2' has no typed member" in w for w in ds.warnings)
    r = solve(ds, config=CFG)
    m = {c.missing: c for c in r.missing_conclusions}
    assert m["M2"].conclusion is Conclusion.NON_IDENTIFIABLE
    assert m["M2"].victim is None
    assert r.pairing("V3", "M2").lr == pytest.approx(1.0)
    assert all(a.assignment["V3"] is None for a in r.joint)
    assert m["M1"].conclusion is Conclusion.UNDISPUTED


def test_unknown_sex_pairs_with_both():
    d = dataset_a()
    d["victims"][2]["sex"] = "unknown"
    r = solve(dataset_from_json(d), config=CFG)
    assert {(p.victim, p.missing) for p in r.pairwise} >= {("V3", "M1"), ("V3", "M2")}
    # V3 a/a as son of R1 a/a: 1/p_a = 10
    assert r.pairing("V3", "M1").lr == pytest.approx(10.0)


@pytest.mark.parametrize("edit, message", [
    (lambda d: d.update(format="homecoming/dvi-dataset@2"), r"format: .*expected 'homecoming/dvi-dataset@1'"),
    (lambda d: d["victims"][0]["genotypes"].update(XX=["a", "b"]), r"victims\[0\]\.genotypes\.V1\.XX: marker 'XX' is not in markers"),
    (lambda d: d["victims"][1].update(id="V1"), r"duplicated victim id 'V1'"),
    (lambda d: d["victims"][0].update(sex="m"), r"victims\[0\]\.sex: 'm'; expected"),
    (lambda d: d["families"][0].update(missing=["NOPE"]), r"families\[0\].*'NOPE' is not in the family's pedigree"),
    (lambda d: d["families"][0]["genotypes"].update(M1={"L1": ["a", "a"]}), r"missing person 'M1' has reference genotypes"),
    (lambda d: d["victims"][0].update(age_range=[40, 20]), r"victims\[0\]\.age_range: .*low > high"),
    (lambda d: d["victims"][0].update(found_date="yesterday"), r"found_date: 'yesterday' is not a date"),
    (lambda d: d.update(theta=1.5), r"theta: 1.5; expected"),
    (lambda d: d["families"][1].update(name="F1"), r"duplicated family name 'F1'"),
    (lambda d: d["victims"][0].update(colour="red"), r"victims\[0\]: unknown field 'colour'"),
])
def test_bad_input_one_line_message(edit, message):
    d = copy.deepcopy(dataset_a())
    edit(d)
    with pytest.raises(InputError, match=message) as info:
        dataset_from_json(d)
    assert "\n" not in str(info.value)


def test_load_from_file_records_hash(tmp_path):
    path = tmp_path / "ds.json"
    path.write_text(json.dumps(dataset_a()))
    ds = load_dvi_dataset(path)
    import hashlib
    assert ds.input_sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    bad = tmp_path / "bad.json"
    bad.write_text("{\n  \"format\": ,\n}")
    with pytest.raises(InputError, match=r"bad.json, line 2"):
        load_dvi_dataset(bad)
    d = dataset_a()
    d["victims"][0]["sex"] = 3
    path.write_text(json.dumps(d))
    with pytest.raises(InputError, match=r"ds.json: victims\[0\]\.sex"):
        load_dvi_dataset(path)
