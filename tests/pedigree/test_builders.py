"""Relationship builders: structure (who is whose parent, sexes, typed ids) and bad arguments."""

from __future__ import annotations

import pytest

from homecoming.errors import PedigreeError
from homecoming.pedigree import (
    Sex,
    avuncular,
    cousin_marriage,
    double_first_cousins,
    first_cousins,
    full_siblings,
    grandparent,
    half_siblings,
    nuclear,
    parent_child,
    second_cousins,
    sibling_mating,
    trio,
    unrelated,
)


def parents(ped, pid):
    p = ped[pid]
    return p.father, p.mother


def grandparents(ped, pid):
    out = set()
    for par in parents(ped, pid):
        if par is not None:
            out |= {x for x in parents(ped, par) if x is not None}
    return out


def test_parent_child_both_sexes():
    ped = parent_child(parent="AF", child="CH")
    assert parents(ped, "CH") == ("AF", "other_parent")
    assert ped["other_parent"].sex is Sex.FEMALE
    ped = parent_child(parent="MO", child="D", parent_sex="female", child_sex="female")
    assert parents(ped, "D") == ("other_parent", "MO") and ped["D"].sex is Sex.FEMALE


def test_trio_and_nuclear():
    assert parents(trio(father="F", mother="M", child="C"), "C") == ("F", "M")
    ped = nuclear(["a", "b", "c"], sexes=["male", "female", "male"])
    assert [parents(ped, x) for x in "abc"] == [("father", "mother")] * 3
    assert ped["b"].sex is Sex.FEMALE and len(ped) == 5


def test_siblings():
    ped = full_siblings("S1", "S2", sex_b="female")
    assert parents(ped, "S1") == parents(ped, "S2") == ("father", "mother")
    assert ped["S2"].sex is Sex.FEMALE
    pat = half_siblings("H1", "H2", side="paternal")
    assert parents(pat, "H1") == ("father", "mother1") and parents(pat, "H2") == ("father",
                                                                                   "mother2")
    mat = half_siblings("H1", "H2", side="maternal")
    assert parents(mat, "H1") == ("father1", "mother") and parents(mat, "H2") == ("father2",
                                                                                   "mother")


def test_grandparent_lines():
    ped = grandparent(grandparent="G", grandchild="C")
    assert parents(ped, "C")[0] == "parent" and parents(ped, "parent")[0] == "G"
    ped = grandparent(grandparent="G", grandchild="C", grandparent_sex="female",
                      line="maternal")
    assert parents(ped, "C")[1] == "parent" and parents(ped, "parent")[1] == "G"


def test_avuncular():
    ped = avuncular(uncle="U", nephew="N", line="maternal", uncle_sex="female")
    assert parents(ped, "U") == parents(ped, "parent") == ("grandfather", "grandmother")
    assert parents(ped, "N")[1] == "parent" and ped["U"].sex is Sex.FEMALE


def test_cousins():
    ped = first_cousins("C1", "C2")
    assert grandparents(ped, "C1") & grandparents(ped, "C2") == {"grandfather", "grandmother"}
    assert set(parents(ped, "C1")).isdisjoint(parents(ped, "C2"))
    ped = second_cousins("C1", "C2")
    assert not grandparents(ped, "C1") & grandparents(ped, "C2")
    assert parents(ped, "cousin_parent1")[0] == "parent1"
    assert grandparents(ped, "cousin_parent1") & grandparents(ped, "cousin_parent2") == {
        "grandfather", "grandmother"}
    ped = double_first_cousins("C1", "C2")
    assert grandparents(ped, "C1") == grandparents(ped, "C2") == {"pgf", "pgm", "mgf", "mgm"}
    assert set(parents(ped, "C1")).isdisjoint(parents(ped, "C2"))


def test_loops():
    ped = cousin_marriage(child="X")
    assert parents(ped, "X") == ("father", "mother")
    assert grandparents(ped, "father") & grandparents(ped, "mother") == {"grandfather",
                                                                         "grandmother"}
    ped = sibling_mating(child="X", child_sex="female")
    assert parents(ped, "father") == parents(ped, "mother") == ("grandfather", "grandmother")
    assert ped["X"].sex is Sex.FEMALE


def test_unrelated():
    ped = unrelated(["a", "b"], ["male", "female"])
    assert ped.founders == ("a", "b") and ped["b"].sex is Sex.FEMALE
    assert unrelated(["x"])["x"].sex is Sex.UNKNOWN


def test_bad_arguments():
    with pytest.raises(ValueError, match="side 'both'"):
        half_siblings(side="both")
    with pytest.raises(ValueError, match="line 'x'"):
        grandparent(line="x")
    with pytest.raises(ValueError, match="2 sexes for 1 ids"):
        unrelated(["a"], ["male", "female"])
    with pytest.raises(PedigreeError, match="duplicated person id 'father'"):
        full_siblings("father", "S2")
    with pytest.raises(PedigreeError, match="not a sex"):
        parent_child(child_sex="boy")
