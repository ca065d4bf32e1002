"""Small hand-made datasets whose LRs, assignments and posteriors are computed by hand.

One marker, alleles a, b, c, d with frequencies .1, .2, .3, .4, no mutation (kinship-software.md
§6 conventions): duo LR for child a/b and father a/a = 1/(2 p_a) = 5.
"""

from __future__ import annotations

import math

import pytest

from homecoming.errors import InputError
from homecoming.formats.dvi_dataset import dataset_from_json
from homecoming.identification import Conclusion, IdentificationConfig, solve

P = {"a": 0.1, "b": 0.2, "c": 0.3, "d": 0.4}
MARKER = {"name": "L1", "chromosome": "autosomal", "alleles": list(P),
          "frequencies": list(P.values()), "mutation": None}


def trio(fam, father, mother, child, child_sex="male"):
    return [{"id": father, "father": None, "mother": None, "sex": "male"},
            {"id": mother, "father": None, "mother": None, "sex": "female"},
            {"id": child, "father": father, "mother": mother, "sex": child_sex}]


def dataset_a(**extra_victims):
    """F1: father R1 a/a, missing son M1. F2: mother R2 a/b, missing daughter M2."""
    return {
        "format": "homecoming/dvi-dataset@1", "theta": 0.0, "markers": [MARKER],
        "victims": [{"id": "V1", "sex": "male", "genotypes": {"L1": ["a", "b"]}},
                    {"id": "V2", "sex": "male", "genotypes": {"L1": ["c", "d"]}},
                    {"id": "V3", "sex": "female", "genotypes": {"L1": ["a", "a"]}}],
        "families": [
            {"name": "F1", "pedigree": trio("F1", "R1", "MO1", "M1"), "missing": ["M1"],
             "genotypes": {"R1": {"L1": ["a", "a"]}}},
            {"name": "F2", "pedigree": trio("F2", "FA2", "R2", "M2", "female"), "missing": ["M2"],
             "genotypes": {"R2": {"L1": ["a", "b"]}}}],
    }


def test_pairwise_and_joint_by_hand():
    ds = dataset_from_json(dataset_a())
    r = solve(ds, config=IdentificationConfig(lr_threshold=4, posterior_threshold=None))
    # pairwise: only sex-compatible pairs; V3 (female) never meets M1 (male)
    pairs = {(p.victim, p.missing): p for p in r.pairwise}
    assert set(pairs) == {("V1", "M1"), ("V2", "M1"), ("V3", "M2")}
    assert pairs[("V1", "M1")].lr == pytest.approx(1 / (2 * P["a"]))           # 5
    assert pairs[("V2", "M1")].lr == 0.0
    assert pairs[("V2", "M1")].inconsistent_markers == 1
    # 1 inconsistency <= maxIncomp 2, but LR 0: excluded as impossible
    assert pairs[("V2", "M1")].excluded
    assert "LR = 0" in pairs[("V2", "M1")].exclusion_reasons[0]
    # daughter a/a of mother a/b: (1/2 p_a) / p_a^2 = 1/(2 p_a) = 5
    assert pairs[("V3", "M2")].lr == pytest.approx(5.0)
    # null likelihood: R1 a/a, R2 a/b, V1 a/b, V2 c/d, V3 a/a all unrelated
    null = math.log(P["a"] ** 2 * 2 * P["a"] * P["b"] * 2 * P["a"] * P["b"]
                    * 2 * P["c"] * P["d"] * P["a"] ** 2)
    assert r.null_loglik == pytest.approx(null, abs=1e-12)
    # joint: LRs 25 (both), 5, 5, 1 (none); V2=M1 has LR 0 -> Z = 36
    assert [round(a.lr, 9) for a in r.joint] == [25.0, 5.0, 5.0, 1.0]
    assert r.joint[0].assignment == {"V1": "M1", "V2": None, "V3": "M2"}
    assert r.joint[0].loglik == pytest.approx(null + math.log(25))
    assert [a.posterior for a in r.joint] == pytest.approx([25 / 36, 5 / 36, 5 / 36, 1 / 36])
    assert r.posterior_exact
    assert r.marginals[("V1", "M1")] == pytest.approx(30 / 36)
    assert r.marginals[("V3", "M2")] == pytest.approx(30 / 36)
    # conclusions at threshold 4: both undisputed; prior 1/2 posterior 5/6
    m = {c.missing: c for c in r.missing_conclusions}
    assert m["M1"].conclusion is Conclusion.UNDISPUTED and m["M1"].victim == "V1"
    assert m["M1"].posterior == pytest.approx(5 / 6)
    assert m["M2"].conclusion is Conclusion.UNDISPUTED and m["M2"].victim == "V3"
    v = {c.victim: c for c in r.victim_conclusions}
    assert v["V1"].missing == "M1" and v["V1"].conclusion is Conclusion.UNDISPUTED
    assert v["V2"].conclusion is Conclusion.EXCLUDED


def test_default_thresholds_give_inconclusive_and_probable():
    ds = dataset_from_json(dataset_a())
    r = solve(ds)  # 1 <= LR 5 < probable 1000: inconclusive (dvir .simpleFamDVI)
    assert {c.missing: (c.victim, c.conclusion) for c in r.missing_conclusions} == {
        "M1": ("V1", Conclusion.INCONCLUSIVE), "M2": ("V3", Conclusion.INCONCLUSIVE)}
    assert [c.lr for c in r.missing_conclusions] == pytest.approx([5.0, 5.0])
    r = solve(ds, config=IdentificationConfig(lr_threshold=40, posterior_threshold=None))
    # probable threshold 4 = 40/10, one candidate above it: probable
    assert {c.missing: c.conclusion for c in r.missing_conclusions} == {
        "M1": Conclusion.PROBABLE, "M2": Conclusion.PROBABLE}
    assert r.thresholds["lr"] == 40 and r.thresholds["probable"] == 4


def test_exclusion_by_inconsistent_markers():
    ds = dataset_from_json(dataset_a())
    r = solve(ds, config=IdentificationConfig(max_incompatible=0, lr_threshold=4,
                                              posterior_threshold=None))
    p = r.pairing("V2", "M1")
    assert p.excluded and "1 markers inconsistent" in p.exclusion_reasons[0]
    v = {c.victim: c for c in r.victim_conclusions}
    assert v["V2"].conclusion is Conclusion.EXCLUDED


def test_posterior_threshold_downgrades():
    """LR 5 with prior 1/2 gives posterior 5/6 < 0.9: not undisputed, but probable."""
    ds = dataset_from_json(dataset_a())
    r = solve(ds, config=IdentificationConfig(lr_threshold=4, probable_threshold=2,
                                              posterior_threshold=0.9))
    assert {c.conclusion for c in r.missing_conclusions} == {Conclusion.PROBABLE}
    assert r.thresholds["posterior"] == 0.9 and r.thresholds["prior"] == "1/2"


def sibs_dataset():
    """Father R a/a, two missing children M1, M2 (full sibs); victims V1 a/b, V2 a/c."""
    return {
        "format": "homecoming/dvi-dataset@1", "markers": [MARKER],
        "victims": [{"id": "V1", "sex": "male", "genotypes": {"L1": ["a", "b"]}},
                    {"id": "V2", "sex": "male", "genotypes": {"L1": ["a", "c"]}}],
        "families": [{"name": "F", "pedigree": [
            {"id": "R", "father": None, "mother": None, "sex": "male"},
            {"id": "MO", "father": None, "mother": None, "sex": "female"},
            {"id": "M1", "father": "R", "mother": "MO", "sex": "male"},
            {"id": "M2", "father": "R", "mother": "MO", "sex": "male"}],
            "missing": ["M1", "M2"], "genotypes": {"R": {"L1": ["a", "a"]}}}],
    }


def test_two_missing_glr_and_symmetry_by_hand():
    ds = dataset_from_json(sibs_dataset())
    r = solve(ds, config=IdentificationConfig(lr_threshold=2, posterior_threshold=None))
    # each single pairing: 1/(2 p_a) = 5. Both: the untyped mother must be b/c and pass b to
    # one child and c to the other: P = 2 p_b p_c / 4, LR = (p_b p_c / 2) / (4 p_a^2 p_b p_c)
    # = 1/(8 p_a^2) = 12.5
    assert all(p.lr == pytest.approx(5.0) for p in r.pairwise)
    lrs = [a.lr for a in r.joint]
    assert lrs == pytest.approx([12.5, 12.5, 5, 5, 5, 5, 1])
    z = 12.5 + 12.5 + 4 * 5 + 1
    assert [a.posterior for a in r.joint] == pytest.approx([x / z for x in lrs])
    assert r.marginals[("V1", "M1")] == pytest.approx((12.5 + 5) / z)
    m = {c.missing: c for c in r.missing_conclusions}
    # GLR of V1=M1 is 12.5/12.5 = 1 (the swap); the set {V1,V2} = {M1,M2}: GLR 12.5/5 = 2.5
    assert m["M1"].conclusion is Conclusion.SYMMETRIC_MATCH
    assert m["M2"].conclusion is Conclusion.SYMMETRIC_MATCH
    assert m["M1"].glr == pytest.approx(2.5)
    assert m["M1"].victim == "V1/V2"
    v = {c.victim: c for c in r.victim_conclusions}
    assert v["V1"].conclusion is Conclusion.SYMMETRIC_MATCH and v["V1"].missing == "M1/M2"
    r = solve(ds, config=IdentificationConfig(lr_threshold=3, posterior_threshold=None))
    # GLR 2.5 < 3; the GLR of each single pairing is 1, not above the probable threshold
    # max(1, 3/10) = 1; both victims' pairwise LRs (5) are: disputed
    assert {c.conclusion for c in r.missing_conclusions} == {Conclusion.DISPUTED}


def test_glr_match_in_family_with_two_missing():
    """Father a/a and mother b/b, children M1 (son), M2 (daughter). V1 male a/b, V2 female a/b."""
    d = sibs_dataset()
    d["families"][0]["pedigree"][3]["sex"] = "female"
    d["families"][0]["genotypes"]["MO"] = {"L1": ["b", "b"]}
    d["victims"][1] = {"id": "V2", "sex": "female", "genotypes": {"L1": ["a", "b"]}}
    r = solve(dataset_from_json(d), config=IdentificationConfig(lr_threshold=10,
                                                                posterior_threshold=None))
    # child a/b of a/a x b/b has probability 1: LR = 1 / (2 p_a p_b) = 25 per child
    assert r.pairing("V1", "M1").lr == pytest.approx(25)
    assert r.best.lr == pytest.approx(625)
    m = {c.missing: c for c in r.missing_conclusions}
    # each pairing is undisputed on its own (no competitor in its row or column)
    assert m["M1"].conclusion is Conclusion.UNDISPUTED and m["M1"].victim == "V1"
    assert m["M2"].conclusion is Conclusion.UNDISPUTED and m["M2"].victim == "V2"


def test_theta_pairwise_follows_joint_founder_convention():
    """kinship-software.md §6 A19: duo a/a-a/a, p=.1, θ=.01, all four founder alleles jointly
    conditioned: LR = (1+2θ)/(3θ+(1−θ)p) = 7.9069767."""
    p, t = 0.1, 0.01
    marker = {"name": "L1", "chromosome": "autosomal", "alleles": ["a", "z"],
              "frequencies": [p, 1 - p], "mutation": None}
    d = {"format": "homecoming/dvi-dataset@1", "theta": t, "markers": [marker],
         "victims": [{"id": "V1", "sex": "male", "genotypes": {"L1": ["a", "a"]}}],
         "families": [{"name": "F", "pedigree": trio("F", "AF", "MO", "M1"), "missing": ["M1"],
                       "genotypes": {"AF": {"L1": ["a", "a"]}}}]}
    r = solve(dataset_from_json(d))
    assert r.pairing("V1", "M1").lr == pytest.approx((1 + 2 * t) / (3 * t + (1 - t) * p),
                                                     rel=1e-6)
    assert r.pairing("V1", "M1").lr == pytest.approx(7.9069767, rel=1e-6)
    assert r.theta_approximation and "per-family" in r.theta_approximation
    assert any("theta" in w for w in r.warnings)
    from homecoming.formats.dvi_dataset import dvi_result_json

    out = dvi_result_json(r)
    assert out["theta"] == t and "per-family" in out["theta_approximation"]
    # one family, one victim: per-family θ conditions the family and the victim separately,
    # so the joint LR of V1=M1 is the per-component value of A19, 10.8093378
    assert r.best.lr == pytest.approx(10.8093378, rel=1e-6)


def test_user_prior_weights():
    """Prior weight 0.1 on V1=M1: scores 25·0.1, 5·0.1, 5, 1 -> Z = 9; LRs stay data-only."""
    ds = dataset_from_json(dataset_a())
    cfg = IdentificationConfig(lr_threshold=4, posterior_threshold=None,
                               prior={("V1", "M1"): 0.1})
    r = solve(ds, config=cfg)
    assert [a.posterior for a in r.joint] == pytest.approx([5 / 9, 2.5 / 9, 1 / 9, 0.5 / 9])
    assert [a.lr for a in r.joint] == pytest.approx([5, 25, 1, 5])
    assert r.joint[0].assignment == {"V1": None, "V2": None, "V3": "M2"}
    assert r.marginals[("V1", "M1")] == pytest.approx(3 / 9)
    assert r.search["joint_order"] == "posterior"
    assert r.provenance["parameters"]["prior"] == [{"victim": "V1", "missing": "M1",
                                                    "weight": 0.1}]
    # weight 0 forbids the pairing
    r = solve(ds, config=IdentificationConfig(prior={("V1", "M1"): 0}))
    assert r.pairing("V1", "M1").excluded
    assert all(a.assignment["V1"] is None for a in r.joint)
    with pytest.raises(InputError, match=r"prior: pairing \('V9', 'M1'\)"):
        solve(ds, config=IdentificationConfig(prior={("V9", "M1"): 2}))
