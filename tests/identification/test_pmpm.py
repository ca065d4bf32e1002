"""PM–PM matching: a hand-made commingled case with known groups."""

from __future__ import annotations

import math

import numpy as np

from homecoming.identification.pmpm import connected_groups, match_pm

from .test_screening_fakes import IdentityModel, random_codes

L = 15


def _case():
    rng = np.random.default_rng(11)
    base = rng.integers(0, 50, size=(4, L)).astype(np.int32)
    person_a, person_b, person_c, person_d = base
    pm = np.stack([
        person_a,                                   # 0: A, femur
        person_b,                                   # 1: B
        person_c,                                   # 2: C
        np.where(np.arange(L) < 11, person_a, -1),  # 3: A, partial (11 loci)
        person_c,                                   # 4: C again (other grave)
        np.where(np.arange(L) >= 3, person_a, -1),  # 5: A, partial (12 loci)
        person_d,                                   # 6: D
        np.where(np.arange(L) < 6, person_d, -1),   # 7: D, too few loci (6 < 10)
    ]).astype(np.int32)
    return pm


def test_groups_on_a_hand_made_commingled_case():
    pm = _case()
    model = IdentityModel(0.05)
    res = match_pm(pm, model, min_log10_lr=6.0, min_common=10, block=3,
                   pm_ids=[f"S{i}" for i in range(8)])
    assert res.groups == ((0, 3, 5), (2, 4))
    assert res.group_ids == (("S0", "S3", "S5"), ("S2", "S4"))
    links = {(int(r["pm"]), int(r["ref"])): (float(r["log10_lr"]), int(r["common"]))
             for r in res.links.table}
    # 0-3 share 11 loci, 0-5 share 12, 3-5 share loci 3..10 = 8 (< 10: no link), 2-4 share 15
    assert set(links) == {(0, 3), (0, 5), (2, 4)}
    assert links[(0, 3)][1] == 11
    assert math.isclose(links[(0, 3)][0], 11 * math.log10(20), rel_tol=1e-12)
    assert math.isclose(links[(2, 4)][0], 15 * math.log10(20), rel_tol=1e-12)
    assert res.group_of(7) is None
    assert res.to_json()["groups"] == [["S0", "S3", "S5"], ["S2", "S4"]]


def test_block_size_does_not_change_links():
    pm = random_codes(30, L, 4, seed=5, missing=0.2)
    pm[17] = pm[3]
    pm[25] = pm[3]
    model = IdentityModel(0.3)
    results = [match_pm(pm, model, min_log10_lr=3.0, min_common=8, block=b) for b in (1, 4, 7, 64)]
    for r in results[1:]:
        assert r.links == results[0].links
        assert r.groups == results[0].groups
    assert (3, 17, 25) in results[0].groups


def test_connected_groups_merges_chains():
    assert connected_groups(7, np.array([5, 0, 1]), np.array([6, 1, 4])) == ((0, 1, 4), (5, 6))
    assert connected_groups(3, np.array([], int), np.array([], int)) == ()
