"""Familias conversions never quote a person's (free-text) name in errors or import-report
messages: people are named by position, as the reader does (SYNTHETIC names below)."""

from __future__ import annotations

import copy

import pytest

from homecoming.errors import FormatError
from homecoming.formats.familias import FamiliasFile, read_fam
from homecoming.formats.familias.model import FamiliasRelation
from tests.paths import FAMILIAS

# SYNTHETIC personal names standing in for the real names a lab may type into Familias
NAMES = ["Anna Kowalska", "Marta Novak", "Ivan Horvat", "Petra Berg", "Josef Klein"]


def _dvi_named() -> FamiliasFile:
    """dvi-example.fam with every name replaced by a SYNTHETIC personal name."""
    f = read_fam(FAMILIAS / "dvi-example.fam")
    (family,) = f.dvi.families
    rename = {"R": "Anna Kowalska", "Missing male 1": "Ivan Horvat 1",
              "Missing male 2": "Ivan Horvat 2", "Missing male 3": "Ivan Horvat 3",
              "Missing person": "Missing person"}
    for p in family.persons:
        p.name = rename[p.name]
    for ped in family.pedigrees:
        ped.relations = [(rename.get(a, a), rename.get(b, b)) for a, b in ped.relations]
    for v, name in zip(f.dvi.unidentified, ["Josef Klein", "Petra Berg", "Marta Novak"]):
        v.name = name
    family.name = "Family Kowalska"
    return f


def _messages(f: FamiliasFile) -> list[str]:
    r = f.report
    return [e.message for e in r.warnings + r.notes + r.fixes]


def _no_names(text: str) -> None:
    for n in NAMES + ["Kowalska", "Horvat"]:
        assert n not in text


def test_dvi_report_names_positions_not_names():
    f = _dvi_named()
    f.to_dvi_dataset(missing_prefix="Ivan")
    msgs = _messages(f)
    for m in msgs:
        _no_names(m)
    assert ("reference family 1, person 2: untyped person not connected in pedigree "
            "'Template pedigree 2'; left out") in msgs
    assert ("reference family 1, pedigree 'Template pedigree 2', relation 2: a person who "
            "is not in the person list; added") in msgs


def test_dvi_person_listed_twice_names_the_position():
    f = _dvi_named()
    f.dvi.families[0].persons[3].name = "Anna Kowalska"
    with pytest.raises(FormatError) as e:
        f.to_dvi_dataset()
    assert str(e.value).endswith("reference family 1, person 4 has the same name as "
                                 "reference family 1, person 1; expected unique names")
    _no_names(str(e.value))
    assert e.value.value == 4


def test_dvi_typed_missing_person_names_the_position():
    f = _dvi_named()
    f.dvi.families[0].persons[2].genotypes = {"L1": ("1", "2")}
    with pytest.raises(FormatError) as e:
        f.to_dvi_dataset(missing_prefix="Ivan")
    assert str(e.value).endswith("reference family 1: missing persons (reference family 1, "
                                 "person 3) have DNA data; expected untyped missing persons")
    _no_names(str(e.value))


def test_dvi_duplicate_victims_named_by_position():
    f = _dvi_named()
    f.dvi.unidentified[2].name = "Josef Klein"
    with pytest.raises(FormatError) as e:
        f.to_dvi_dataset()
    assert str(e.value).endswith("unidentified persons [1, 3] have the same name as another; "
                                 "expected unique names")
    _no_names(str(e.value))
    assert e.value.value == [1, 3]


def test_dvi_same_sex_parents_named_by_position():
    f = _dvi_named()
    family = f.dvi.families[0]
    family.persons[1].gender = "Female"  # "Ivan Horvat 1" made a second mother
    family.pedigrees[-1].relations.append(("Ivan Horvat 1", "Ivan Horvat 3"))
    family.pedigrees[-1].relations.append(("Anna Kowalska", "Ivan Horvat 3"))
    with pytest.raises(FormatError) as e:
        f.to_dvi_dataset()
    msg = str(e.value)
    _no_names(msg)
    assert "reference family 1, pedigree 'Template pedigree 2': " in msg
    assert "reference family 1, person 4" in msg  # the child


def _pedigree_named() -> FamiliasFile:
    f = read_fam(FAMILIAS / "ch4-example-4-8-4.fam")
    for p, name in zip(f.persons, NAMES):
        old = p.name
        p.name = name
        for ped in f.pedigrees:
            for rel in ped.relations:
                rel.parent = name if rel.parent == old else rel.parent
                rel.child = name if rel.child == old else rel.child
    return f


def test_pedigree_fix_names_the_individual_number():
    f = _pedigree_named()
    f.to_kinship_case()
    msgs = [e.message for e in f.report.fixes]
    assert msgs == ["pedigree 'H1': individual 3 has one parent; added the other (father), "
                    "untyped"]


def test_two_fathers_named_by_position():
    f = _pedigree_named()
    males = [k for k, p in enumerate(f.persons) if p.male]
    child = next(k for k in range(len(f.persons)) if k not in males[:2])
    ped = f.pedigrees[0]
    ped.relations = [FamiliasRelation(f.persons[males[0]].name, f.persons[child].name),
                     FamiliasRelation(f.persons[males[1]].name, f.persons[child].name)]
    with pytest.raises(FormatError) as e:
        f.to_kinship_case()
    msg = str(e.value)
    _no_names(msg)
    assert msg.endswith(f"pedigree 'H1': individual {child + 1} has two fathers "
                        f"(individual {males[0] + 1}, individual {males[1] + 1}); "
                        "expected one")
    assert e.value.value == f"individual {child + 1}"


def test_duplicate_individual_names_by_position():
    f = copy.deepcopy(_pedigree_named())
    f.persons[4].name = f.persons[1].name
    with pytest.raises(FormatError) as e:
        f.to_kinship_case()
    _no_names(str(e.value))
    assert str(e.value).endswith("individuals [2, 5] (counting extras after the individuals) "
                                 "have the same name as another; expected unique names")


def _dvi_text() -> str:
    return (FAMILIAS / "dvi-example.fam").read_text(encoding="latin-1")


def test_reader_unknown_allele_names_the_place_not_the_allele(tmp_path):
    lines = _dvi_text().splitlines()
    assert lines[76] == "Allele1= 1"  # reference family 1, person 1 (file line 77)
    lines[76] = "Allele1= 37.3"
    path = tmp_path / "bad.fam"
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    with pytest.raises(FormatError) as e:
        read_fam(path)
    assert str(e.value) == (f"{path}, line 77: reference family 1, person 1, marker L1: an "
                            "allele that is not in the database; expected one of its alleles")
    assert e.value.value is None


def test_reader_self_parent_names_the_relation_number_not_the_name(tmp_path):
    lines = _dvi_text().splitlines()
    assert lines[101] == "Parent= R" and lines[102].startswith("Child= ")
    lines[102] = "Child= R"
    path = tmp_path / "bad.fam"
    path.write_text("\n".join(lines) + "\n", encoding="latin-1")
    with pytest.raises(FormatError) as e:
        read_fam(path)
    msg = str(e.value)
    assert msg.startswith(f"{path}, line 102: reference family 1, pedigree ")
    assert ", relation 1: an empty name or a person as their own parent" in msg
    assert "'R'" not in msg
