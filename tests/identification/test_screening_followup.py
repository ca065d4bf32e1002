"""Exact follow-up of screening candidates with the kinship engine (hand-computed LRs)."""

from __future__ import annotations

import math

import numpy as np

from homecoming.genetics.markers import Marker
from homecoming.identification import screening as sc
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

P = {"10": 0.1, "11": 0.2, "12": 0.3, "13": 0.4}
MARKERS = [Marker("A", tuple(P), np.array(list(P.values()))),
           Marker("B", tuple(P), np.array(list(P.values())))]


def _trio():
    return Pedigree([Person("FA", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE),
                     Person("MP", "FA", "MO", Sex.MALE)])


def test_exact_parent_child_lr_equals_the_paternity_index():
    # father (10,12), PM (10,11) at A: PI = 1/(4 p10) = 2.5 ; at B father (13,13),
    # PM (13,13): PI = 1/p13 = 2.5
    relatives = {"FA": {"A": ("10", "12"), "B": ("13", "13")}}
    pm = {"A": ("10", "11"), "B": ("13", "13")}
    got = sc.exact_log10_lr(_trio(), MARKERS, relatives, "MP", pm)
    assert math.isclose(got, math.log10(2.5 * 2.5), rel_tol=1e-9)


def test_follow_up_groups_candidates_by_family():
    from homecoming.identification.dataset import Family

    fam = Family("F1", _trio(), ("MP",), {"FA": {"A": ("10", "12"), "B": ("13", "13")}})
    table = np.zeros(3, dtype=sc.CANDIDATE_DTYPE)
    table["pm"] = [0, 0, 1]
    table["ref"] = [0, 0, 0]
    table["relationship"] = [1, 2, 1]
    table["log10_lr"] = [0.7, 0.2, 0.1]
    cands = sc.Candidates(table)
    pms = [{"A": ("10", "11"), "B": ("13", "13")}, {"A": ("11", "13"), "B": ("12", "13")}]
    out = sc.follow_up(cands, pms, ["F1"], {"F1": fam}, MARKERS)
    assert [(f.pm, f.family, f.missing, f.relationship) for f in out] == [
        (0, "F1", "MP", "parent_child"), (1, "F1", "MP", "parent_child")]
    assert math.isclose(out[0].log10_lr, math.log10(6.25), rel_tol=1e-9)
    assert out[0].screening_log10_lr == 0.7
    # PM 1 at A (11,13) shares nothing with father (10,12): impossible without mutation
    assert out[1].log10_lr == -math.inf
