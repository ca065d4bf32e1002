"""Familias .fam files: every real file in tests/data/familias reads, round-trips and
converts; concrete content is asserted per file."""

from __future__ import annotations

import math

import pytest

from homecoming.errors import FormatError, InputError
from homecoming.formats.familias import (
    FamiliasFile,
    familias_from_dvi_dataset,
    familias_from_kinship_case,
    format_fam,
    parse_fam,
    read_fam,
    write_fam,
)
from tests.paths import FAMILIAS, familias_files

DATA = FAMILIAS
FILES = familias_files()


def fam(name: str) -> FamiliasFile:
    return read_fam(DATA / name)


# --- every file ------------------------------------------------------------------------------

def test_all_ten_files_present():
    assert len(FILES) == 10


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip_gives_the_same_data(path, tmp_path):
    first = read_fam(path)
    out = write_fam(first, tmp_path / path.name)
    second = read_fam(out)
    assert first == second
    # and writing again gives identical text
    assert format_fam(second) == format_fam(first)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_converts_to_our_formats(path):
    from homecoming.formats.dvi_dataset import load_dvi_dataset
    from homecoming.formats.kinship_case import load_kinship_case

    f = read_fam(path)
    if f.is_dvi:
        ds = load_dvi_dataset(f.to_dvi_dataset())
        assert len(ds.victims) == len(f.dvi.unidentified)
        assert len(ds.families) == len(f.dvi.families)
    else:
        case = load_kinship_case(f.to_kinship_case())
        assert [h.name for h in case.hypotheses][: len(f.pedigrees)] == [p.name
                                                                         for p in f.pedigrees]


# --- paternity.fam ---------------------------------------------------------------------------

def test_paternity_content():
    f = fam("paternity.fam")
    assert f.version == "3.3.1" and not f.is_dvi
    assert [(p.name, p.male) for p in f.persons] == [("AF", True), ("MO", False), ("CH", True)]
    af, mo, ch = f.persons
    assert len(af.genotypes) == 10 and mo.genotypes == {} and len(ch.genotypes) == 10
    assert af.genotypes["D3S1358"] == ("17", "17")
    assert af.genotypes["TH01"] == ("6", "9")
    assert ch.genotypes["TH01"] == ("6", "9.3")
    assert ch.genotypes["D21S11"] == ("28", "28")
    assert [p.name for p in f.pedigrees] == ["H1", "H2"]
    assert [(r.parent, r.child) for r in f.pedigrees[0].relations] == [("AF", "CH"), ("MO", "CH")]
    assert f.pedigrees[1].relations == []
    assert f.theta == 0 and f.database_name == "unknown" and len(f.loci) == 10
    th01 = f.locus("TH01")
    assert th01.alleles == ["5", "6", "7", "8", "8.3", "9", "9.3", "10", "10.3", "11"]
    assert th01.frequencies[6] == pytest.approx(0.3404967867, abs=1e-12)
    assert (th01.female_rate, th01.male_rate) == (0.001, 0.002)
    assert (th01.female_model, th01.male_model) == (4, 4)  # extended stepwise
    assert (th01.female_range, th01.female_rate2) == (0.1, 1e-6)
    assert th01.database_size == 1000 and th01.dropout_probability == 0
    assert [s.name for s in f.sections] == ["Advanced"]


def test_paternity_kinship_case():
    case = fam("paternity.fam").to_kinship_case()
    assert case["format"] == "homecoming/kinship-case@1"
    assert case["reference"] == "H2"  # the pedigree without relations
    h1 = {p["id"]: p for p in case["hypotheses"][0]["pedigree"]}
    assert h1["CH"]["father"] == "AF" and h1["CH"]["mother"] == "MO"
    m = {m["name"]: m for m in case["markers"]}["D3S1358"]
    assert m["mutation"] == {
        "female": {"model": "stepwise", "rate": 0.001, "rate2": 1e-6, "range": 0.1},
        "male": {"model": "stepwise", "rate": 0.002, "rate2": 1e-6, "range": 0.1}}
    assert case["genotypes"]["CH"]["D3S1358"] == ["16", "17"]


def test_paternity_lr_matches_hand_value_and_survives_round_trip(tmp_path):
    from homecoming.formats.kinship_case import load_kinship_case
    from homecoming.kinship.lr import kinship_lr

    def lrs(f: FamiliasFile):
        case = load_kinship_case(f.to_kinship_case())
        res = kinship_lr(case.engine_hypotheses(), case.markers, case.genotypes,
                         reference=case.reference, theta=case.theta)
        return res.per_marker_lr("H1"), res.log10_lr("H1")

    f = fam("paternity.fam")
    per_marker, total = lrs(f)
    # AF 17/17, CH 16/17: paternity index 1/(2 p17) without mutation; the stepwise mutation
    # rate (0.002 for fathers) changes it by well under 1 %.
    p17 = 0.2040480415
    assert per_marker["D3S1358"] == pytest.approx(1 / (2 * p17), rel=0.01)
    again = read_fam(write_fam(f, tmp_path / "p.fam"))
    per_marker2, total2 = lrs(again)
    assert total2 == pytest.approx(total, rel=1e-12, abs=1e-12)
    assert per_marker2 == pytest.approx(per_marker, rel=1e-12)


# --- other pedigree files --------------------------------------------------------------------

def test_sibship_and_halfsib_content():
    s = fam("sibship.fam")
    assert [p.name for p in s.persons] == ["1", "2", "NN1", "NN2", "3"]
    assert [p.name for p in s.pedigrees] == ["FS", "HS"]
    assert s.database_name == "NorskDB_2023" and len(s.loci) == 23
    h = fam("halfsib.fam")
    assert [p.name for p in h.persons] == ["1", "2", "3", "A", "B", "C"]
    assert len(h.loci) == 50 and h.header[1].startswith("(Actually produced by R/pedsuite")
    assert [(r.parent, r.child) for r in h.pedigrees[0].relations][-1] == ("3", "C")
    assert h.sections == []  # pedsuite writes no [Advanced] section
    assert max(len(loc.alleles) for loc in h.loci) == 78


def test_ch4_table_has_seven_hypotheses_and_direct_dropout_setting():
    f = fam("ch4-table-4-4.fam")
    assert [p.name for p in f.pedigrees] == [f"H{i}" for i in range(1, 8)]
    assert len(f.persons) == 4 and f.persons[0].name == "V1"
    adv = f.sections[0]
    assert adv.subsection("Direct/Identity").entries()["Dropout"] == "0.1"
    case = f.to_kinship_case()
    assert case["reference"] == "H5"  # H5 is the only pedigree without relations
    assert all(m["mutation"] is None for m in case["markers"])  # all rates are 0


def test_single_pedigree_file_gets_an_unrelated_reference():
    f = fam("ch4-example-4-8-4.fam")
    assert len(f.persons) == 14 and [p.name for p in f.pedigrees] == ["H1"]
    case = f.to_kinship_case()
    assert [h["name"] for h in case["hypotheses"]] == ["H1", "unrelated"]
    assert case["reference"] == "unrelated"
    h1 = {p["id"]: p for p in case["hypotheses"][0]["pedigree"]}
    # V3 has only a mother (MO2) in the file: the father is added as an untyped founder
    assert h1["V3"]["mother"] == "MO2" and h1["V3"]["father"] == "added father of V3"
    # named by position (individual 3), never by the free-text name
    assert [e.message for e in f.report.fixes] == [
        "pedigree 'H1': individual 3 has one parent; added the other (father), untyped"]


# --- DVI files -------------------------------------------------------------------------------

def test_dvi_example_content_and_dataset():
    f = fam("dvi-example.fam")
    assert f.version == "3.3 (DVI)" and f.persons == [] and f.is_dvi
    assert [(v.name, v.sex, v.genotypes["L1"]) for v in f.dvi.unidentified] == [
        ("V1", "male", ("1", "1")), ("V2", "male", ("2", "2")), ("V3", "male", ("1", "2"))]
    (family,) = f.dvi.families
    assert [p.name for p in family.persons] == ["R", "Missing male 1", "Missing male 2",
                                                "Missing male 3"]
    assert [p.name for p in family.pedigrees] == ["Reference pedigree", "Template pedigree 2"]
    assert f.locus("L1").frequencies == [0.05, 0.05, 0.9]
    assert f.locus("L1").database_size == 2500
    ds = f.to_dvi_dataset()
    (fj,) = ds["families"]
    assert sorted(fj["missing"]) == ["Missing male 2", "Missing male 3", "Missing person"]
    ped = {p["id"]: p for p in fj["pedigree"]}
    assert ped["Missing person"]["sex"] == "male"  # co-parent R is female
    assert ped["Missing male 2"]["father"] == "Missing person"
    assert ped["Missing male 2"]["mother"] == "R"
    assert "Missing male 1" not in ped  # not connected in the template pedigree
    assert fj["genotypes"] == {"R": {"L1": ["1", "1"]}}


def test_exclusion_example_matches_dvir_counts():
    f = fam("exclusion-example.fam")
    assert len(f.dvi.unidentified) == 16 and len(f.dvi.families) == 15
    assert len(f.dvi.notes) == 15
    assert f.locus("D8S1179").alleles[-1] == "Rest allele"
    ds = f.to_dvi_dataset()
    # dvir's exclusionExample: 16 victims (all male), 15 missing, 47 typed references
    assert {v["sex"] for v in ds["victims"]} == {"male"}
    missing = [m for fj in ds["families"] for m in fj["missing"]]
    assert len(missing) == 15
    sex = {p["id"]: p["sex"] for fj in ds["families"] for p in fj["pedigree"]}
    # 13 missing persons are male by their co-parent; the other 2 are undecided in the file
    # and stay "unknown" by default (pairing with either sex), take the victims' sex (all
    # male) with "auto", or are female as dvir reads them
    assert [sex[m] for m in missing].count("male") == 13
    assert [sex[m] for m in missing].count("unknown") == 2
    assert len([e for e in f.report.warnings if "does not record the sex" in e.message]) == 2
    ds_a = f.to_dvi_dataset(undecided_sex="auto")
    sex_a = {p["id"]: p["sex"] for fj in ds_a["families"] for p in fj["pedigree"]}
    assert [sex_a[m] for m in missing].count("male") == 15
    ds_f = f.to_dvi_dataset(undecided_sex="female")
    sex_f = {p["id"]: p["sex"] for fj in ds_f["families"] for p in fj["pedigree"]}
    assert [sex_f[m] for m in missing].count("male") == 13
    assert sum(len(fj["genotypes"]) for fj in ds["families"]) == 47
    mutation = {m["name"]: m["mutation"] for m in ds["markers"]}
    assert mutation["D8S1179"]["male"] == {"model": "equal", "rate": 0.001}


def test_ketp_ex498_missing_persons_and_sexes():
    f = fam("ketp-ex498.fam")
    assert len(f.persons) == 7 and f.pedigrees == []  # main part: untyped leftovers
    ds = f.to_dvi_dataset()
    (fj,) = ds["families"]
    sex = {p["id"]: p["sex"] for p in fj["pedigree"]}
    assert sorted(fj["missing"]) == ["Missing female 2", "Missing male 1", "Missing person"]
    # dvir KETPexer498: 3 missing (1 male, 2 female)
    assert sorted(sex[m] for m in fj["missing"]) == ["female", "female", "male"]
    assert [v["sex"] for v in ds["victims"]] == ["female", "male", "female"]


def test_solution3_3_undecided_missing_persons_pair_with_either_sex():
    from homecoming.formats.dvi_dataset import dvi_result_json, load_dvi_dataset
    from homecoming.identification import solve

    f = fam("solution3-3.fam")

    def best(**kw):
        out = dvi_result_json(solve(load_dvi_dataset(f.to_dvi_dataset(**kw))))
        row = out["joint"][0]
        return {v: m for v, m in row["assignment"].items() if m}, row["log10_lr"]

    expected = {"PM1": "Missing person [Family 1]", "PM2": "Missing person [Family 3]",
                "PM3": "Missing person [Family 4]", "PM4": "Missing person [Family 5]",
                "PM6": "Missing person [Family 2]"}
    ids, log10_lr = best()  # undecided missing persons stay "unknown": pair with either sex
    assert ids == expected and log10_lr > 20
    ids_a, log10_lr_a = best(undecided_sex="auto")  # 6 of 8 victims male -> taken as male
    assert ids_a == expected
    # the five identified victims are male, so "unknown" and "male" give the same joint LR
    assert abs(log10_lr_a - log10_lr) < 1e-9
    ids_f, log10_lr_f = best(undecided_sex="female")  # as dvir reads the file
    assert set(ids_f) <= {"PM7", "PM8"} and log10_lr_f < 2


def test_solution3_3_qualifies_repeated_names():
    ds = fam("solution3-3.fam").to_dvi_dataset()
    assert len(ds["victims"]) == 8 and len(ds["families"]) == 5
    ids = [p["id"] for fj in ds["families"] for p in fj["pedigree"]]
    assert len(ids) == len(set(ids))
    assert ds["families"][0]["missing"] == ["Missing person [Family 1]"]
    m = ds["markers"][0]["mutation"]["female"]
    assert m == {"model": "proportional", "rate": 0.001}


def test_dvi_example_solves_to_the_hand_computed_joint_lr():
    from homecoming.formats.dvi_dataset import dvi_result_json, load_dvi_dataset
    from homecoming.identification import solve

    out = dvi_result_json(solve(load_dvi_dataset(fam("dvi-example.fam").to_dvi_dataset())))
    best = out["joint"][0]
    # R (mother of M2) is 1/1; 'Missing person' is M2's father, M3 is M2's son; p = .05, .05, .9.
    # V1=1/1 as M3, V2=2/2 as 'Missing person', V3=1/2 as M2: the family part is
    # p2^2 * 1 * (1/2 * p1) against p2^2 * p1^2 * 2 p1 p2 unrelated: LR = 0.025/1.25e-5 = 2000
    # (dvir's example1: forward selection fails, the joint optimum has LR 2000).
    assert best["assignment"] == {"V1": "Missing male 3", "V2": "Missing person",
                                  "V3": "Missing male 2"}
    assert best["lr"] == pytest.approx(2000, rel=1e-9)


def _lrs(f: FamiliasFile) -> dict[str, float]:
    from homecoming.formats.kinship_case import load_kinship_case
    from homecoming.kinship.lr import kinship_lr

    case = load_kinship_case(f.to_kinship_case())
    res = kinship_lr(case.engine_hypotheses(), case.markers, case.genotypes,
                     reference=case.reference, theta=case.theta)
    return {h.name: res.log10_lr(h.name) for h in case.hypotheses}


def _joint(f: FamiliasFile) -> list[tuple[dict, float]]:
    from homecoming.formats.dvi_dataset import dvi_result_json, load_dvi_dataset
    from homecoming.identification import solve

    out = dvi_result_json(solve(load_dvi_dataset(f.to_dvi_dataset())))
    return [(row["assignment"], row["loglik"]) for row in out["joint"][:5]]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_results_unchanged_by_round_trip(path, tmp_path):
    first = read_fam(path)
    second = read_fam(write_fam(first, tmp_path / path.name))
    if first.is_dvi:
        a, b = _joint(first), _joint(second)
        assert [x[0] for x in a] == [x[0] for x in b]
        assert [x[1] for x in a] == pytest.approx([x[1] for x in b], rel=1e-12)
    else:
        a, b = _lrs(first), _lrs(second)
        assert a.keys() == b.keys()
        for k in a:
            assert a[k] == b[k] or a[k] == pytest.approx(b[k], rel=1e-12)


def test_ch4_table_lrs():
    lrs = _lrs(fam("ch4-table-4-4.fam"))
    assert lrs["H5"] == 0.0  # the reference
    # H6 and H7 make R the parent of V2, who share no allele at 6 markers; the mutation
    # rates of this file are all 0, so both are excluded
    assert lrs["H6"] == -math.inf and lrs["H7"] == -math.inf
    assert lrs["H1"] > lrs["H2"] > lrs["H3"] > lrs["H4"] > 0


# --- writing from our formats ----------------------------------------------------------------

def _trio_case():
    return {
        "format": "homecoming/kinship-case@1", "theta": 0.01,
        "markers": [{"name": "M1", "chromosome": "autosomal", "alleles": ["1", "2", "3"],
                     "frequencies": [0.2, 0.3, 0.5],
                     "mutation": {"female": {"model": "equal", "rate": 0.001},
                                  "male": {"model": "stepwise", "rate": 0.002, "rate2": 1e-6,
                                           "range": 0.5}}}],
        "genotypes": {"AF": {"M1": ["1", "2"]}, "CH": {"M1": ["2", "3"]}},
        "hypotheses": [
            {"name": "paternity", "pedigree": [
                {"id": "AF", "father": None, "mother": None, "sex": "male"},
                {"id": "MO", "father": None, "mother": None, "sex": "female"},
                {"id": "CH", "father": "AF", "mother": "MO", "sex": "female"}]},
            {"name": "unrelated", "pedigree": [
                {"id": "AF", "father": None, "mother": None, "sex": "male"},
                {"id": "MO", "father": None, "mother": None, "sex": "female"},
                {"id": "CH", "father": None, "mother": None, "sex": "female"}]}],
        "reference": "unrelated"}


def test_kinship_case_to_fam_and_back(tmp_path):
    case = _trio_case()
    f = familias_from_kinship_case(case)
    path = write_fam(f, tmp_path / "trio.fam")
    back = read_fam(path).to_kinship_case()
    assert back["theta"] == 0.01
    assert back["reference"] == "unrelated"
    assert back["genotypes"] == case["genotypes"]
    assert back["markers"] == case["markers"]
    assert [h["name"] for h in back["hypotheses"]] == ["paternity", "unrelated"]
    ped = {p["id"]: p for p in back["hypotheses"][0]["pedigree"]}
    assert (ped["CH"]["father"], ped["CH"]["mother"]) == ("AF", "MO")
    text = path.read_bytes()
    assert b"\r\n" in text and text.startswith(b'"Output from Familias, version 3.3"')
    assert b"Theta/Kinship/Fst: 0.01 )" in text


def test_dvi_dataset_to_fam_and_back(tmp_path):
    ds = {"format": "homecoming/dvi-dataset@1", "theta": 0.0,
          "markers": [{"name": "L1", "chromosome": "autosomal", "alleles": ["1", "2", "3"],
                       "frequencies": [0.05, 0.05, 0.9], "mutation": None}],
          "victims": [{"id": "V1", "sex": "female", "genotypes": {"L1": ["1", "2"]}}],
          "families": [{"name": "F1", "pedigree": [
              {"id": "R1", "father": None, "mother": None, "sex": "male"},
              {"id": "MO", "father": None, "mother": None, "sex": "female"},
              {"id": "Missing 1", "father": "R1", "mother": "MO", "sex": "female"}],
              "missing": ["Missing 1"], "genotypes": {"R1": {"L1": ["1", "1"]}}}]}
    f = familias_from_dvi_dataset(ds)
    back = read_fam(write_fam(f, tmp_path / "d.fam")).to_dvi_dataset()
    assert back["victims"] == ds["victims"]
    (fj,) = back["families"]
    assert fj["missing"] == ["Missing 1"]
    assert fj["genotypes"] == ds["families"][0]["genotypes"]
    assert {p["id"]: (p["father"], p["mother"]) for p in fj["pedigree"]} == {
        "R1": (None, None), "MO": (None, None), "Missing 1": ("R1", "MO")}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_round_trip_through_our_formats(path, tmp_path):
    """.fam -> kinship case / DVI dataset -> .fam -> same case/dataset and same results."""
    f = read_fam(path)
    if f.is_dvi:
        ds = f.to_dvi_dataset()
        back = read_fam(write_fam(ds, tmp_path / "x.fam"))
        ds2 = back.to_dvi_dataset()
        assert ds2["victims"] == ds["victims"] and ds2["markers"] == ds["markers"]
        for a, b in zip(ds["families"], ds2["families"]):
            assert a["missing"] == b["missing"] and a["genotypes"] == b["genotypes"]
            assert sorted(a["pedigree"], key=lambda p: p["id"]) == sorted(
                b["pedigree"], key=lambda p: p["id"])
        assert _joint(f)[0] == _joint(back)[0]
    else:
        case = f.to_kinship_case()
        back = read_fam(write_fam(case, tmp_path / "x.fam"))
        assert back.to_kinship_case()["genotypes"] == case["genotypes"]
        assert back.to_kinship_case()["reference"] == case["reference"]
        a, b = _lrs(f), _lrs(back)
        assert a.keys() == b.keys()
        for k in a:
            assert a[k] == b[k] or a[k] == pytest.approx(b[k], rel=1e-12)


def test_onestep_model_cannot_be_written():
    case = _trio_case()
    case["markers"][0]["mutation"]["male"] = {"model": "onestep", "rate": 0.002}
    with pytest.raises(InputError, match="onestep"):
        familias_from_kinship_case(case)


# --- errors ----------------------------------------------------------------------------------

def test_structural_error_names_file_line_and_expectation(tmp_path):
    text = (DATA / "paternity.fam").read_text()
    lines = text.splitlines()
    lines[4] = "three"  # number of individuals
    with pytest.raises(FormatError) as err:
        parse_fam("\n".join(lines), path="bad.fam")
    assert err.value.line == 5 and err.value.path == "bad.fam"
    assert "expected the number of individuals" in str(err.value)
    assert str(err.value).startswith("bad.fam, line 5: ")


def test_precomputed_probabilities_are_refused():
    text = (DATA / "paternity.fam").read_text().replace(
        "#FALSE# (#Databases: 1", "#TRUE# (#Databases: 1")
    with pytest.raises(FormatError, match="precomputed probabilities") as err:
        parse_fam(text, path="x.fam")
    assert err.value.line == 103


def test_stepwise_with_rest_allele_falls_back_to_equal_and_is_reported():
    f = fam("exclusion-example.fam")
    loc = f.locus("D8S1179")
    loc.female_model = loc.male_model = 4
    items = {m["name"]: m for m in f.markers_json(["D8S1179"])}
    assert items["D8S1179"]["mutation"]["female"] == {"model": "equal", "rate": 0.001}
    assert any("Rest allele" in e.message for e in f.report.fixes)


def test_write_is_atomic_on_error(tmp_path):
    f = FamiliasFile()
    f.persons = []
    from homecoming.formats.familias import FamiliasLocus, FamiliasPerson
    f.loci = [FamiliasLocus("L1", ["1", "2"], [0.5, 0.5])]
    f.persons = [FamiliasPerson("bad\"name", True)]
    target = tmp_path / "out.fam"
    with pytest.raises(InputError):
        write_fam(f, target)
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_theta_is_read():
    text = (DATA / "paternity.fam").read_text().replace("Fst: 0 )", "Fst: 0.02 )")
    f = parse_fam(text)
    assert f.theta == 0.02
    assert f.to_kinship_case()["theta"] == 0.02
    assert math.isclose(parse_fam(format_fam(f)).theta, 0.02)


def test_stationary_stepwise_code_3_gets_the_pm_matrix():
    import numpy as np

    from homecoming.formats.familias import FamiliasLocus
    from homecoming.formats.kinship_case import markers_from_json
    from homecoming.genetics.mutation import transmission_matrices

    freqs = [0.1, 0.2, 0.3, 0.25, 0.15]
    loc = FamiliasLocus("L", ["10", "11", "12", "13", "14"], freqs, female_rate=0.01,
                        male_rate=0.02, female_model=3, male_model=3, female_range=0.1,
                        male_range=0.1)
    f = FamiliasFile(loci=[loc])
    (item,) = f.markers_json()
    p = np.array(freqs)
    for sex, rate in (("female", 0.01), ("male", 0.02)):
        m = np.array(item["mutation"][sex]["matrix"])
        assert m.sum(axis=1) == pytest.approx(np.ones(5), abs=1e-12)
        assert p @ m == pytest.approx(p, abs=1e-12)  # stationary
        assert float(np.sum(p * (1 - np.diag(m)))) == pytest.approx(rate, rel=1e-9)  # same rate
    (marker,) = markers_from_json([item])
    female, male = transmission_matrices(marker)
    assert p @ female == pytest.approx(p, abs=1e-12)


def test_pm_stationary_by_hand():
    from homecoming.formats.familias import pm_stationary

    # 2 alleles, M = [[0.9, 0.1], [0.1, 0.9]] has v = (0.5, 0.5); with p = (0.2, 0.8):
    # R = 1 - (0.2*0.9 + 0.8*0.9) = 0.1; d = 0.1 * 0.5 / (0.1 * p) = (2.5, 0.625)
    # P = diag(d)(M - I) + I = [[0.75, 0.25], [0.0625, 0.9375]]
    out = pm_stationary([[0.9, 0.1], [0.1, 0.9]], [0.2, 0.8])
    assert out.ravel().tolist() == pytest.approx([0.75, 0.25, 0.0625, 0.9375], abs=1e-12)
    # no PM matrix when a d_i (1 - M_ii) would exceed 1: p = (0.01, 0.99) gives d_1 = 50
    assert pm_stationary([[0.9, 0.1], [0.1, 0.9]], [0.01, 0.99]) is None


def test_windows_ansi_names_survive_a_round_trip(tmp_path):
    text = (DATA / "paternity.fam").read_text().replace('"MO"', '"M\u00d8"')
    src = tmp_path / "ansi.fam"
    src.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    f = read_fam(src)
    assert f.encoding == "cp1252" and f.persons[1].name == "M\u00d8"
    out = write_fam(f, tmp_path / "out.fam")
    assert b'"M\xd8"' in out.read_bytes()  # written back in the same code page
    assert read_fam(out) == f


def test_silent_allele_and_dropout_settings(tmp_path):
    from homecoming.formats.kinship_case import load_kinship_case

    f = fam("paternity.fam")
    th01 = f.locus("TH01")
    th01.has_silent, th01.silent_frequency = True, 0.01
    th01.frequencies[6] -= 0.01  # 9.3: keeps the sum (with the silent allele) at 1
    for loc in f.loci:
        loc.dropout_probability = 0.05
    f.persons[2].consider_dropout = True  # CH
    text = format_fam(f)
    assert "CH" in text and "-1 (Consider dropouts)" in text
    back = parse_fam(text)
    assert back == f
    assert back.locus("TH01").has_silent and back.locus("TH01").silent_frequency == 0.01
    # the count line includes the silent allele: 10 alleles + 1
    i = text.splitlines().index('"TH01"')
    assert text.splitlines()[i + 5] == "11"
    case = back.to_kinship_case()
    m = {m["name"]: m for m in case["markers"]}["TH01"]
    assert m["silent_frequency"] == 0.01
    assert case["dropout"] == {"CH": 0.05}
    loaded = load_kinship_case(case)
    assert loaded.dropout == {"CH": 0.05}
    assert {mk.name: mk for mk in loaded.markers}["TH01"].silent_frequency == 0.01
    # and back to .fam through the kinship case
    again = read_fam(write_fam(case, tmp_path / "d.fam"))
    assert [p.consider_dropout for p in again.persons] == [False, False, True]
    assert again.locus("TH01").silent_frequency == 0.01


def test_differing_dropout_values_are_reported_not_guessed():
    f = fam("paternity.fam")
    f.persons[0].consider_dropout = True
    f.loci[0].dropout_probability = 0.1
    f.loci[1].dropout_probability = 0.2
    case = f.to_kinship_case()
    assert "dropout" not in case
    assert any("dropout probabilities differ" in e.message for e in f.report.warnings)


def test_duplicate_individual_names_stop_at_the_second():
    text = (DATA / "paternity.fam").read_text().replace('"MO"', '"AF"')
    with pytest.raises(FormatError, match="appears again") as err:
        parse_fam(text, path="d.fam")
    assert err.value.line == 42
