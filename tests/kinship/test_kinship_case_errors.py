"""Bad kinship-case@1 input: each a one-line error naming the field path, the value, the
expectation (homecoming.formats.kinship_case)."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from homecoming.errors import (
    FormatError,
    FrequencyError,
    GenotypeError,
    HypothesisError,
    InputError,
    MutationModelError,
    PedigreeError,
)
from homecoming.formats.kinship_case import (
    genotypes_from_json,
    load_kinship_case,
    markers_from_json,
    pedigree_from_json,
)

GOOD = {
    "format": "homecoming/kinship-case@1",
    "theta": 0.0,
    "markers": [
        {"name": "D3S1358", "chromosome": "autosomal", "alleles": ["14", "15", "16", "17"],
         "frequencies": [0.13, 0.26, 0.24, 0.37],
         "mutation": {"female": {"model": "proportional", "rate": 0.001},
                      "male": {"model": "proportional", "rate": 0.002}}},
        {"name": "TH01", "chromosome": "autosomal", "alleles": ["6", "7", "9.3"],
         "frequencies": [0.3, 0.3, 0.4], "mutation": None},
        {"name": "DXS10135", "chromosome": "X", "alleles": ["18", "19", "20"],
         "frequencies": [0.2, 0.5, 0.3],
         "mutation": {"female": {"model": "custom", "matrix": [[0.98, 0.01, 0.01],
                                                              [0.01, 0.98, 0.01],
                                                              [0.01, 0.01, 0.98]]},
                      "male": None}},
    ],
    "genotypes": {"AF": {"D3S1358": ["14", "16"], "DXS10135": ["19"]},
                  "CH": {"D3S1358": ["16", None], "TH01": ["9.3", "9.3"],
                         "DXS10135": ["19", "20"]}},
    "hypotheses": [
        {"name": "paternity", "pedigree": [
            {"id": "AF", "father": None, "mother": None, "sex": "male"},
            {"id": "MO", "father": None, "mother": None, "sex": "female"},
            {"id": "CH", "father": "AF", "mother": "MO", "sex": "female"}],
         "founder_inbreeding": {"AF": 0.0625}},
        {"name": "unrelated", "pedigree": [
            {"id": "AF", "father": None, "mother": None, "sex": "male"},
            {"id": "CH", "father": None, "mother": None, "sex": "female"}]},
    ],
    "reference": "unrelated",
}


def bad(mutate):
    obj = copy.deepcopy(GOOD)
    mutate(obj)
    return obj


def one_line(exc: pytest.ExceptionInfo) -> str:
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


def test_good_case_parses():
    case = load_kinship_case(GOOD)
    assert [m.name for m in case.markers] == ["D3S1358", "TH01", "DXS10135"]
    assert case.genotypes["CH"] == {"D3S1358": ("16", None), "TH01": ("9.3", "9.3"),
                                    "DXS10135": ("19", "20")}
    assert case.genotypes["AF"]["DXS10135"] == ("19",)
    assert case.hypothesis("paternity").founder_inbreeding == {"AF": 0.0625}
    assert case.markers[0].mutation_male.rate == 0.002
    assert case.markers[2].mutation_female.matrix[0] == (0.98, 0.01, 0.01)
    assert case.markers[2].mutation_male is None
    assert case.reference == "unrelated" and case.theta == 0.0
    np.testing.assert_allclose(case.markers[1].frequencies, [0.3, 0.3, 0.4])
    assert len(case.sha256) == 64


def test_frequencies_not_summing_to_one():
    obj = bad(lambda o: o["markers"][1].__setitem__("frequencies", [0.3, 0.3, 0.3]))
    with pytest.raises(FrequencyError) as exc:
        load_kinship_case(obj)
    assert one_line(exc) == ("markers[1].frequencies: sum is 0.9; expected 1 within 1e-06 "
                             "(never renormalised silently)")


def test_frequency_count_mismatch():
    obj = bad(lambda o: o["markers"][0].__setitem__("frequencies", [0.5, 0.5]))
    with pytest.raises(FrequencyError, match=r"^markers\[0\]\.frequencies: 2 values for 4 "
                                             r"alleles; expected one frequency per allele$"):
        load_kinship_case(obj)


def test_allele_not_in_marker_list():
    obj = bad(lambda o: o["genotypes"]["CH"].__setitem__("TH01", ["9.3", "8"]))
    with pytest.raises(GenotypeError) as exc:
        load_kinship_case(obj)
    # the position (person, marker, allele index), never the allele itself
    assert one_line(exc) == ("genotypes.CH.TH01[1]: the allele is not in the allele list of "
                             "marker 'TH01'; expected one of [\"6\", \"7\", \"9.3\"]")
    assert exc.value.value is None


def test_genotype_for_unknown_marker():
    obj = bad(lambda o: o["genotypes"]["CH"].__setitem__("FGA", ["20", "21"]))
    with pytest.raises(GenotypeError, match=r"^genotypes\.CH\.FGA: marker 'FGA' is not in "
                                            r"markers; expected one of"):
        load_kinship_case(obj)


def test_genotyped_person_missing_from_a_hypothesis():
    def mutate(o):
        o["genotypes"]["GM"] = {"TH01": ["6", "7"]}
    with pytest.raises(HypothesisError) as exc:
        load_kinship_case(bad(mutate))
    assert one_line(exc) == ("hypotheses[0].pedigree: genotyped person 'GM' is missing from "
                             "hypothesis 'paternity'; expected every genotyped person in every "
                             "hypothesis")


def test_male_with_two_x_alleles():
    obj = bad(lambda o: o["genotypes"]["AF"].__setitem__("DXS10135", ["19", "20"]))
    with pytest.raises(GenotypeError) as exc:
        load_kinship_case(obj)
    # the count of alleles, never the allele pair
    assert one_line(exc) == ("genotypes.AF.DXS10135: 2 alleles for a male on X marker "
                             "'DXS10135'; expected one allele (males carry one X)")
    assert exc.value.value == 2


def test_female_with_one_x_allele():
    obj = bad(lambda o: o["genotypes"]["CH"].__setitem__("DXS10135", ["19"]))
    with pytest.raises(GenotypeError, match=r"^genotypes\.CH\.DXS10135: 1 "
                                            r"alleles; expected 2 \(a female on X has two\)$"):
        load_kinship_case(obj)


def test_genotype_of_wrong_type_is_described_not_shown():
    obj = bad(lambda o: o["genotypes"]["CH"].__setitem__("TH01", "9.3/8"))
    with pytest.raises(GenotypeError) as exc:
        load_kinship_case(obj)
    assert one_line(exc) == ("genotypes.CH.TH01: a string is not a list; expected a list of "
                             "one or two alleles")
    assert exc.value.value is None
    obj = bad(lambda o: o["genotypes"]["CH"].__setitem__("TH01", ["9.3", 8.5]))
    with pytest.raises(GenotypeError) as exc:
        load_kinship_case(obj)
    assert one_line(exc) == ("genotypes.CH.TH01[1]: a number is not a string; expected an "
                             "allele label or null")
    assert "8.5" not in one_line(exc)


def test_mutation_matrix_row_not_summing_to_one():
    def mutate(o):
        o["markers"][2]["mutation"]["female"]["matrix"][1] = [0.01, 0.90, 0.01]
    with pytest.raises(MutationModelError) as exc:
        load_kinship_case(bad(mutate))
    assert one_line(exc) == ("markers[2].mutation.female.matrix[1]: row sums to 0.92; expected "
                             "1 within 1e-6 (row of parent allele '19')")


def test_mutation_matrix_wrong_shape():
    def mutate(o):
        o["markers"][2]["mutation"]["female"]["matrix"] = [[1.0, 0.0], [0.0, 1.0]]
    with pytest.raises(MutationModelError, match=r"^markers\[2\]\.mutation\.female\.matrix: 2 "
                                                 r"rows; expected 3"):
        load_kinship_case(bad(mutate))


def test_unknown_mutation_model_and_bad_rate():
    def model(o):
        o["markers"][0]["mutation"]["male"] = {"model": "geometric", "rate": 0.001}
    with pytest.raises(MutationModelError, match=r"^markers\[0\]\.mutation\.male: .*unknown "
                                                 r"mutation model 'geometric'"):
        load_kinship_case(bad(model))

    def rate(o):
        o["markers"][0]["mutation"]["male"]["rate"] = "high"
    with pytest.raises(MutationModelError, match=r"^markers\[0\]\.mutation\.male\.rate: 'high' "
                                                 r"is not a number"):
        load_kinship_case(bad(rate))


def test_stepwise_needs_numeric_alleles():
    def mutate(o):
        o["markers"][0]["alleles"] = ["14", "15", "X", "17"]
        o["markers"][0]["mutation"]["female"] = {"model": "stepwise", "rate": 0.001,
                                                 "rate2": 0.0001, "range": 0.5}
        o["genotypes"]["AF"]["D3S1358"] = ["14", "15"]
        o["genotypes"]["CH"]["D3S1358"] = ["15", None]
    with pytest.raises(MutationModelError, match=r"^markers\[0\]\.mutation\.female: marker "
                                                 r"'D3S1358', female mutation model: allele 'X'"):
        load_kinship_case(bad(mutate))


def test_duplicate_hypothesis_names():
    obj = bad(lambda o: o["hypotheses"][1].__setitem__("name", "paternity"))
    with pytest.raises(HypothesisError) as exc:
        load_kinship_case(obj)
    assert one_line(exc) == ("hypotheses[1].name: 'paternity' is used twice (also "
                             "hypotheses[0].name); expected unique hypothesis names")


def test_unknown_reference():
    obj = bad(lambda o: o.__setitem__("reference", "siblings"))
    with pytest.raises(HypothesisError) as exc:
        load_kinship_case(obj)
    assert one_line(exc) == ("reference: 'siblings' is not a hypothesis name; expected one of "
                             "[\"paternity\", \"unrelated\"]")


def test_pedigree_errors_name_the_hypothesis():
    def parent(o):
        o["hypotheses"][0]["pedigree"][2]["father"] = "XX"
    with pytest.raises(PedigreeError, match=r"^hypotheses\[0\]\.pedigree: father 'XX' of person "
                                            r"'CH' is not in the pedigree"):
        load_kinship_case(bad(parent))

    def sex(o):
        o["hypotheses"][1]["pedigree"][0]["sex"] = "m"
    with pytest.raises(PedigreeError, match=r"^hypotheses\[1\]\.pedigree\[0\]\.sex: 'm'; "
                                            r"expected \"male\" or \"female\"$"):
        load_kinship_case(bad(sex))

    def dup(o):
        o["hypotheses"][1]["pedigree"][1]["id"] = "AF"
    with pytest.raises(PedigreeError, match=r"^hypotheses\[1\]\.pedigree\[1\]\.id: person 'AF' "
                                            r"is listed twice"):
        load_kinship_case(bad(dup))


def test_sex_must_agree_between_hypotheses():
    obj = bad(lambda o: o["hypotheses"][1]["pedigree"][1].__setitem__("sex", "male"))
    with pytest.raises(HypothesisError, match=r"^hypotheses\[1\]\.pedigree: person 'CH' is male "
                                              r"here but female in an earlier hypothesis"):
        load_kinship_case(obj)


def test_founder_inbreeding_checks():
    obj = bad(lambda o: o["hypotheses"][0].__setitem__("founder_inbreeding", {"CH": 0.1}))
    with pytest.raises(HypothesisError, match=r"^hypotheses\[0\]\.founder_inbreeding\.CH: person "
                                              r"'CH' has parents; expected a founder"):
        load_kinship_case(obj)
    obj = bad(lambda o: o["hypotheses"][0].__setitem__("founder_inbreeding", {"AF": 1.5}))
    with pytest.raises(HypothesisError, match=r"^hypotheses\[0\]\.founder_inbreeding\.AF: 1\.5 "
                                              r"is out of range"):
        load_kinship_case(obj)


def test_theta_out_of_range_and_wrong_format():
    with pytest.raises(InputError, match=r"^theta: 1\.2 is out of range; expected θ in \[0, 1\)$"):
        load_kinship_case(bad(lambda o: o.__setitem__("theta", 1.2)))
    with pytest.raises(InputError, match=r"^format: 'homecoming/kinship-case@2'; expected "
                                         r"\"homecoming/kinship-case@1\"$"):
        load_kinship_case(bad(lambda o: o.__setitem__("format", "homecoming/kinship-case@2")))


def test_unknown_top_level_field():
    with pytest.raises(InputError, match=r"^thetta: unknown top-level field"):
        load_kinship_case(bad(lambda o: o.__setitem__("thetta", 0.01)))


def test_extensions_silent_and_dropout():
    def mutate(o):
        o["markers"][1]["frequencies"] = [0.3, 0.3, 0.38]
        o["markers"][1]["silent_frequency"] = 0.02
        o["dropout"] = {"CH": 0.1}
    case = load_kinship_case(bad(mutate))
    assert case.markers[1].silent_frequency == 0.02
    assert case.dropout == {"CH": 0.1}
    with pytest.raises(InputError, match=r"^dropout\.CH: 1\.0 is out of range"):
        load_kinship_case(bad(lambda o: o.__setitem__("dropout", {"CH": 1.0})))
    with pytest.raises(HypothesisError, match=r"^dropout\.ZZ: person 'ZZ' is in no hypothesis"):
        load_kinship_case(bad(lambda o: o.__setitem__("dropout", {"ZZ": 0.1})))


def test_building_blocks():
    markers = markers_from_json(GOOD["markers"], where="loci")
    assert markers[2].chromosome == "X"
    with pytest.raises(FrequencyError, match=r"^loci\[1\]\.name: marker 'D3S1358' is listed "
                                             r"twice"):
        markers_from_json([GOOD["markers"][0], GOOD["markers"][0]], where="loci")
    ped = pedigree_from_json(GOOD["hypotheses"][0]["pedigree"], where="families[3].pedigree")
    assert ped["CH"].father == "AF"
    g = genotypes_from_json({"V1": {"TH01": [None, None], "D3S1358": ["15", "15"]}}, markers,
                            where="victims")
    assert g == {"V1": {"D3S1358": ("15", "15")}}
    with pytest.raises(GenotypeError, match=r"^victims\.V1\.TH01: 1 alleles; "
                                            r"expected 2$"):
        genotypes_from_json({"V1": {"TH01": ["6"]}}, markers, where="victims")


def test_file_errors(tmp_path):
    path = tmp_path / "case.json"
    path.write_text("{\n  \"format\": \n}", encoding="utf-8")
    with pytest.raises(FormatError, match=r"case\.json, line 3, column 1: invalid JSON"):
        load_kinship_case(path)
    path.write_text(json.dumps(GOOD), encoding="utf-8")
    assert load_kinship_case(path).source == str(path)
