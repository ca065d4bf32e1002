"""Cross-software regression: `homecoming identify` against dvir's published results.

The datasets are dvir's `fire` and `planecrash` (tests/data/dvi-examples, converted from dvir
@bedfb4a `data/`; see SOURCES.md there). The figures come from two publications by dvir's
authors (Magnus D. Vigeland, Thore Egeland):

[T] dvir's own test suite, magnusdv/dvir@bedfb4a (v3.4.2, 2026-06-30),
    tests/testthat/test-fire-solve.R: `dviSolve(fire, detailedOutput = TRUE)` (LR threshold
    10,000): the pairwise LR matrix (tolerance 1e-6), no exclusions, the AM conclusions with
    GLRs 70582.39 and 2947149.10 (tolerance 1e-4), and the joint table of 34 assignments
    whose first six log-likelihoods are -257.7327 (twice), -268.8973 (twice), -272.6291
    (twice). The same numbers are printed in dvir's README.md (the `fire` workflow).
[S] Solutions to exercise set VIII of the ISFG-GHEP Online School 2024 ("DVI analysis with
    Diviana", dvir's interface), magnusdv/pedsuite@c195752,
    vignettes/web_only/courses/ghep2024/solutions8.pdf (exercises: exercises8.pdf):
    VIII-1 b) planecrash: "M2, M3 and M5 are undisputedly identified as V6, V2, V4,
    respectively, while M1 and M4 have inconclusive (but suggestive) matches to V1 and V3";
    d) with LR threshold 1000: "M1 = V1 and M4 = V3 are now Probable";
    VIII-2 b) a missing sister M2-2 added to M2 in F2: "a Symmetric match in family F2";
    c) a new family F6 with two missing sisters and no typed member: both Nonidentifiable;
    VIII-3 b) fire: "V1 = M1 (GLR=7.06e+04) and {V2, V3}={M2, M3} (GLR=2.95e+06)";
    d) with Ignore sex (M3 made male in c) the solution is the same as in b).

Both use dvir's defaults, which are Homecoming's: LR threshold 10,000, "probable" above
threshold/10, at most 2 Mendelian-inconsistent markers (maxIncomp), flat prior; the datasets
carry dvir's own mutation matrices. Homecoming's extra posterior threshold (0.9995 with prior
1/N) does not change any conclusion here.

The model (likelihoods, LRs, GLRs) and the conclusions agree everywhere. (Until issue 10 the
conclusion rules differed in three places, once marked xfail here: a best LR >= 1 below the
probable threshold is 'inconclusive', a missing person with no victim of compatible sex is
'excluded', and one with no typed blood relative is 'non-identifiable', as in dvir.)
"""

from __future__ import annotations

import copy
import json

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli
from tests.paths import DVI_EXAMPLES


def identify(tmp_path, dataset: dict, *options: str) -> dict:
    """`homecoming identify FILE --json [options]` on ``dataset``: the dvi-result@1 object."""
    path = tmp_path / "dataset.json"
    path.write_text(json.dumps(dataset), encoding="utf-8")
    result = CliRunner().invoke(cli, ["identify", str(path), "--json", "--quiet", *options],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def load(name: str) -> dict:
    return json.loads((DVI_EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def by_missing(result: dict) -> dict[str, dict]:
    return {c["missing"]: c for c in result["conclusions"]["missing"]}


def conclusions(result: dict) -> dict[str, tuple[str | None, str]]:
    return {m: (c["victim"], c["conclusion"]) for m, c in by_missing(result).items()}


# --- fire ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fire(tmp_path_factory) -> dict:
    return identify(tmp_path_factory.mktemp("fire"), load("fire"))


def test_fire_pairwise_lr_matrix_equals_dvir(fire):
    """[T] r$LRmatrix (rows V1..V3, columns M1..M3), tolerance 1e-6; r$exclusionMatrix = 0."""
    dvir = {("V1", "M1"): 121.347585, ("V2", "M1"): 0.5826857, ("V3", "M1"): 0.002019597,
            ("V1", "M2"): 398.582218, ("V2", "M2"): 36.563503, ("V3", "M2"): 1.312181,
            ("V1", "M3"): 398.582218, ("V2", "M3"): 36.563503, ("V3", "M3"): 1.312181}
    ours = {(p["victim"], p["missing"]): p for p in fire["pairwise"]}
    assert set(ours) == set(dvir)
    for pair, lr in dvir.items():
        assert ours[pair]["lr"] == pytest.approx(lr, rel=1e-6), pair
        assert ours[pair]["inconsistent_markers"] == 0 and not ours[pair]["excluded"]


def test_fire_conclusions_and_glrs_equal_dvir(fire):
    """[T] r$AM: M1 = V1 "Match (GLR)", LR 121.347585, GLR 70582.39; M2, M3 = V2/V3
    "Symmetric match", GLR 2947149.10 (tolerance 1e-4). [S] VIII-3 b) rounds them to 7.06e+04
    and 2.95e+06."""
    c = by_missing(fire)
    assert (c["M1"]["victim"], c["M1"]["conclusion"]) == ("V1", "match by GLR")
    assert c["M1"]["lr"] == pytest.approx(121.347585, rel=1e-6)
    assert c["M1"]["glr"] == pytest.approx(70582.39, rel=1e-4)
    for m in ("M2", "M3"):
        assert (c[m]["victim"], c[m]["conclusion"]) == ("V2/V3", "symmetric match")
        assert c[m]["glr"] == pytest.approx(2947149.10, rel=1e-4)
    victims = {v["victim"]: v for v in fire["conclusions"]["victims"]}
    assert (victims["V1"]["missing"], victims["V1"]["conclusion"]) == ("M1", "match by GLR")
    for v in ("V2", "V3"):
        assert (victims[v]["missing"], victims[v]["conclusion"]) == ("M2/M3", "symmetric match")
        assert victims[v]["glr"] == pytest.approx(2947149.10, rel=1e-4)


def test_fire_joint_table_equals_dvir(fire):
    """[T] r$jointTables$F1: 34 assignments; the best six have log-likelihoods -257.7327
    (V1=M1 with {V2,V3}={M2,M3}, twice), -268.8973 (V1 unassigned, twice), -272.6291 (twice),
    and LRs against the best 1, 1, 70582.39, 70582.39, 2947149.10, 2947149.10. dvir's LR column
    is relative to the best assignment; Homecoming's `lr` is against the null assignment, so
    the ratio to the best row is compared. Tied rows may come in either order."""
    assert fire["search"]["family_options"] == [34]
    assert fire["posterior_exact"] is True
    rows = fire["joint"][:6]
    assert [r["loglik"] for r in rows] == pytest.approx(
        [-257.7327, -257.7327, -268.8973, -268.8973, -272.6291, -272.6291], abs=1e-4)
    best = rows[0]["lr"]
    assert [best / r["lr"] for r in rows] == pytest.approx(
        [1, 1, 70582.39, 70582.39, 2947149.10, 2947149.10], rel=1e-4)
    top = [{v: m for v, m in r["assignment"].items() if m} for r in rows]
    assert sorted(map(sorted, map(dict.items, top[:2]))) == [
        [("V1", "M1"), ("V2", "M2"), ("V3", "M3")], [("V1", "M1"), ("V2", "M3"), ("V3", "M2")]]
    assert sorted(map(sorted, map(dict.items, top[2:4]))) == [
        [("V2", "M2"), ("V3", "M3")], [("V2", "M3"), ("V3", "M2")]]
    assert sorted(map(sorted, map(dict.items, top[4:6]))) == [
        [("V1", "M2"), ("V2", "M1"), ("V3", "M3")], [("V1", "M3"), ("V2", "M1"), ("V3", "M2")]]


def _fire_m3_male() -> dict:
    data = load("fire")
    for person in data["families"][0]["pedigree"]:
        if person["id"] == "M3":
            person["sex"] = "male"
    return data


def test_fire_with_m3_male_and_ignore_sex_is_the_same_solution(tmp_path):
    """[S] VIII-3 d): with M3 male and "Ignore sex", the solution is the same as in b)."""
    result = identify(tmp_path, _fire_m3_male(), "--ignore-sex")
    c = by_missing(result)
    assert conclusions(result) == {"M1": ("V1", "match by GLR"),
                                   "M2": ("V2/V3", "symmetric match"),
                                   "M3": ("V2/V3", "symmetric match")}
    assert c["M1"]["glr"] == pytest.approx(70582.39, rel=1e-4)
    assert c["M2"]["glr"] == pytest.approx(2947149.10, rel=1e-4)


def test_fire_with_m3_male(tmp_path):
    """[S] VIII-3 c): "With M3 male, he is Excluded (since there are no male victims!), while M1
    and M2 are inconclusive." (Best LRs 121 and 399; M3: no victim of compatible sex.)"""
    got = {m: c for m, (_, c) in conclusions(identify(tmp_path, _fire_m3_male())).items()}
    assert got == {"M1": "inconclusive", "M2": "inconclusive", "M3": "excluded"}


# --- planecrash ---------------------------------------------------------------------------

UNDISPUTED = {"M2": ("V6", "undisputed"), "M3": ("V2", "undisputed"),
              "M5": ("V4", "undisputed")}


@pytest.fixture(scope="module")
def planecrash(tmp_path_factory) -> dict:
    return identify(tmp_path_factory.mktemp("planecrash"), load("planecrash"))


def test_planecrash_undisputed_identifications(planecrash):
    """[S] VIII-1 b): "M2, M3 and M5 are undisputedly identified as V6, V2, V4"; c): all
    families are simple (one missing person each), no joint analysis was needed."""
    got = conclusions(planecrash)
    assert {m: got[m] for m in UNDISPUTED} == UNDISPUTED
    best = planecrash["joint"][0]["assignment"]
    assert {m: v for v, m in best.items() if m in UNDISPUTED} == {
        m: v for m, (v, _) in UNDISPUTED.items()}


def test_planecrash_weak_matches_are_inconclusive(planecrash):
    """[S] VIII-1 b): "M1 and M4 have inconclusive (but suggestive) matches to V1 and V3".
    Best LRs 925 and 249, below the probable threshold 1000 but at least 1."""
    got = conclusions(planecrash)
    assert (got["M1"][1], got["M4"][1]) == ("inconclusive", "inconclusive")
    assert (got["M1"][0], got["M4"][0]) == ("V1", "V3")


def test_planecrash_weak_matches_have_the_published_best_victims(planecrash):
    """[S] VIII-1 b): the suggestive matches are M1 ~ V1 and M4 ~ V3 (below the threshold)."""
    c = by_missing(planecrash)
    assert c["M1"]["comment"].startswith("best: V1 ") and c["M4"]["comment"].startswith(
        "best: V3 ")
    pairwise = {(p["victim"], p["missing"]): p["lr"] for p in planecrash["pairwise"]}
    for m, v in (("M1", "V1"), ("M4", "V3")):
        lrs = {vv: lr for (vv, mm), lr in pairwise.items() if mm == m}
        assert max(lrs, key=lrs.get) == v
        assert 100 < lrs[v] < 1000   # above threshold/100, below threshold/10 (see VIII-1 d)


def test_planecrash_threshold_1000_makes_them_probable(tmp_path):
    """[S] VIII-1 d): with LR threshold 1000, "M1 = V1 and M4 = V3 are now Probable"; the three
    undisputed identifications stay."""
    got = conclusions(identify(tmp_path, load("planecrash"), "--lr-threshold", "1000"))
    assert got == {"M1": ("V1", "probable"), "M4": ("V3", "probable"), **UNDISPUTED}


def test_planecrash_missing_sister_gives_a_symmetric_match(tmp_path):
    """[S] VIII-2 b): a sister "M2-2" of M2, also missing, added to F2: "a Symmetric match in
    family F2, since V6 matches both M2 and M2-2 equally well"."""
    data = load("planecrash")
    f2 = next(f for f in data["families"] if f["name"] == "F2")
    f2["pedigree"].append({"id": "M2-2", "father": "Father", "mother": "Mother",
                           "sex": "female"})
    f2["missing"].append("M2-2")
    result = identify(tmp_path, data)
    got = conclusions(result)
    assert got["M2"] == got["M2-2"] == ("V6", "symmetric match")
    assert {m: got[m] for m in ("M3", "M5")} == {m: UNDISPUTED[m] for m in ("M3", "M5")}


def test_planecrash_family_without_typed_member_is_nonidentifiable(tmp_path):
    """[S] VIII-2 c): a new family F6 with two missing sisters A and B and no typed reference:
    "A and B are both Nonidentifiable"."""
    data = copy.deepcopy(load("planecrash"))
    data["families"].append({
        "name": "F6", "missing": ["A", "B"], "genotypes": {},
        "pedigree": [{"id": "FA6", "father": None, "mother": None, "sex": "male"},
                     {"id": "MO6", "father": None, "mother": None, "sex": "female"},
                     {"id": "A", "father": "FA6", "mother": "MO6", "sex": "female"},
                     {"id": "B", "father": "FA6", "mother": "MO6", "sex": "female"}]})
    got = conclusions(identify(tmp_path, data))
    assert got["A"] == got["B"] == (None, "non-identifiable")
    assert {m: got[m] for m in UNDISPUTED} == UNDISPUTED


def test_planecrash_missing_mother_is_nonidentifiable(tmp_path):
    """[S] VIII-2 a): F1 with the mother missing instead of the daughter: "Individual 1 is
    Nonidentifiable (since she is unrelated to the reference R1)" (every LR for her is 1)."""
    data = load("planecrash")
    f1 = next(f for f in data["families"] if f["name"] == "F1")
    f1["missing"] = ["A1"]
    got = conclusions(identify(tmp_path, data))
    assert got["A1"] == (None, "non-identifiable")
