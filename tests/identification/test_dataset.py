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
    (lambda d: d["victims"][0].update(found_date="yesterday"), r"victims\[0\]\.found_date: not a date; expected"),
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


def test_unknown_sex_read_from_x_markers():
    """L1 p = .1,.2,.3,.4; X1 p = .2,.3,.5. Father FA a/a, X a; missing son M1, daughter M2."""
    x = {"name": "X1", "chromosome": "X", "alleles": ["a", "b", "c"],
         "frequencies": [.2, .3, .5], "mutation": None}
    d = {"format": "homecoming/dvi-dataset@1", "markers": [MARKER, x],
         "victims": [{"id": "V1", "sex": "unknown", "genotypes": {"L1": ["a", "b"], "X1": ["a", "b"]}},
                     {"id": "V2", "sex": "unknown", "genotypes": {"L1": ["a", "a"], "X1": ["a"]}},
                     {"id": "V3", "sex": "unknown", "genotypes": {"L1": ["a", "a"], "X1": ["c", "c"]}}],
         "families": [{"name": "F", "pedigree": [
             {"id": "FA", "father": None, "mother": None, "sex": "male"},
             {"id": "MO", "father": None, "mother": None, "sex": "female"},
             {"id": "M1", "father": "FA", "mother": "MO", "sex": "male"},
             {"id": "M2", "father": "FA", "mother": "MO", "sex": "female"}],
             "missing": ["M1", "M2"], "genotypes": {"FA": {"L1": ["a", "a"], "X1": ["a"]}}}]}
    ds = dataset_from_json(d)
    sexes = {v.id: v.sex.value for v in ds.victims}
    assert sexes == {"V1": "female", "V2": "male", "V3": "unknown"}
    assert "X1" not in ds.victims[2].genotypes
    assert any("'V3'" in w and "left out" in w for w in ds.warnings)
    r = solve(ds, config=IdentificationConfig(lr_threshold=2, posterior_threshold=None))
    pairs = {(p.victim, p.missing): p.lr for p in r.pairwise}
    assert ("V1", "M1") not in pairs and ("V2", "M2") not in pairs
    assert pairs[("V2", "M1")] == pytest.approx(1 / 0.1)            # son a/a of a/a: 1/p_a
    assert pairs[("V1", "M2")] == pytest.approx(5 * 1 / (2 * 0.2))  # 1/(2p_a) on L1 and X1
    # V3 (X left out) as M1 or M2: L1 only, 10 as son or daughter
    assert pairs[("V3", "M1")] == pytest.approx(10) and pairs[("V3", "M2")] == pytest.approx(10)
    # joint V2=M1, V1=M2: L1 1/(4 p_a^2) = 25, X1 1/(4 p_a) = 1.25
    both = next(a for a in r.joint if a.assignment == {"V1": "M2", "V2": "M1", "V3": None})
    assert both.lr == pytest.approx(31.25)
    d["victims"][0]["genotypes"]["X1"] = ["a", "b"]
    d["victims"][0]["genotypes"]["X2"] = ["a"]
    d["markers"].append({**x, "name": "X2"})
    with pytest.raises(InputError, match="heterozygous on X markers"):
        dataset_from_json(d)


def test_missing_person_linked_only_through_other_missing_persons_stays_in_the_joint():
    """dvir's example2 logic: missing father M1 has no typed blood relative (only his wife),
    but his son M2 is also missing: V1 = M1 is informative jointly with V2 = M2, so M1 is not
    non-identifiable (the connected family has a typed member)."""
    d = dataset_a()
    fam = d["families"][0]
    fam["pedigree"] = [{"id": "M0", "father": None, "mother": None, "sex": "male"},
                       {"id": "MO1", "father": None, "mother": None, "sex": "female"},
                       {"id": "M1", "father": "M0", "mother": "MO1", "sex": "male"}]
    fam["missing"] = ["M0", "M1"]
    fam["genotypes"] = {"MO1": {"L1": ["b", "b"]}}
    ds = dataset_from_json(d)
    assert ds.family_of("M0").identifiable("M0")
    r = solve(ds, config=CFG)
    # alone, V1 (a/b) as the father M0 says nothing: LR 1
    assert r.pairing("V1", "M0").lr == pytest.approx(1.0)
    # ... and as the son of b/b: p_a / (2 p_a p_b) = 1/(2 p_b) = 2.5
    assert r.pairing("V1", "M1").lr == pytest.approx(2.5)


def _unknown_sex_missing_person_dataset(m_sex: str = "unknown") -> dict:
    """L1 p = .1,.2,.3,.4; X1 p = .2,.3,.5. Father FA (L1 a/a, X a); missing child M whose sex
    was never recorded; victims V1 female (L1 a/b, X a/b) and V2 male (L1 a/a, X a)."""
    x = {"name": "X1", "chromosome": "X", "alleles": ["a", "b", "c"],
         "frequencies": [.2, .3, .5], "mutation": None}
    return {"format": "homecoming/dvi-dataset@1", "markers": [MARKER, x],
            "victims": [{"id": "V1", "sex": "female",
                         "genotypes": {"L1": ["a", "b"], "X1": ["a", "b"]}},
                        {"id": "V2", "sex": "male",
                         "genotypes": {"L1": ["a", "a"], "X1": ["a"]}}],
            "families": [{"name": "F", "pedigree": [
                {"id": "FA", "father": None, "mother": None, "sex": "male"},
                {"id": "MO", "father": None, "mother": None, "sex": "female"},
                {"id": "M", "father": "FA", "mother": "MO", "sex": m_sex}],
                "missing": ["M"], "genotypes": {"FA": {"L1": ["a", "a"], "X1": ["a"]}}}]}


def test_missing_person_of_unknown_sex_pairs_with_both_and_takes_the_victims_sex_on_x():
    """Hand computation. V1 as a daughter: L1 1/(2 p_a) = 5; X1 she has her father's a, so
    P = p_b against 2 p_a p_b: 1/(2 p_a) = 2.5 -> 12.5. V2 as a son: L1 1/p_a = 10; X1 comes
    from the mother alone: LR 1 -> 10."""
    cfg = IdentificationConfig(lr_threshold=2, posterior_threshold=None)
    r = solve(dataset_from_json(_unknown_sex_missing_person_dataset()), config=cfg)
    pairs = {(p.victim, p.missing): p.lr for p in r.pairwise}
    assert pairs[("V1", "M")] == pytest.approx(12.5, rel=1e-12)
    assert pairs[("V2", "M")] == pytest.approx(10.0, rel=1e-12)
    # the same numbers as when the sex is recorded, where only one victim may pair
    for sex, victim in (("female", "V1"), ("male", "V2")):
        rs = solve(dataset_from_json(_unknown_sex_missing_person_dataset(sex)), config=cfg)
        known = {(p.victim, p.missing): p.lr for p in rs.pairwise}
        assert set(known) == {(victim, "M")}
        assert known[(victim, "M")] == pytest.approx(pairs[(victim, "M")], rel=1e-12)


def test_unknown_sex_is_refused_for_a_parent():
    d = _unknown_sex_missing_person_dataset()
    d["families"][0]["pedigree"][0]["sex"] = "unknown"
    with pytest.raises(InputError, match=r"families\[0\]\.pedigree\[0\]\.sex: \"unknown\" for "
                                         r"'FA', who is a parent") as info:
        dataset_from_json(d)
    assert "\n" not in str(info.value)


def test_progress_reports_the_pairwise_stage():
    calls = []
    ds = dataset_from_json(dataset_a())
    solve(ds, config=CFG, progress=lambda done, total: calls.append((done, total)))
    n = sum(len(f.missing) for f in ds.families) * len(ds.victims)
    assert calls[0] == (0, n) and calls[-1] == (n, n)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
