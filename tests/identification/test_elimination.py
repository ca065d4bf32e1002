"""Elimination database: a planted staff profile in PM samples is flagged."""

from __future__ import annotations

import math

import numpy as np

from homecoming import simulation as sim
from homecoming.genetics.markers import Marker
from homecoming.identification.elimination import eliminate

ALLELES = tuple(str(a) for a in range(8, 16))
FREQS = np.array([0.05, 0.1, 0.2, 0.25, 0.15, 0.1, 0.1, 0.05])


def _markers(n=12):
    return [Marker(f"L{k}", ALLELES, FREQS) for k in range(n)]


def test_planted_staff_profile_is_flagged_even_when_partial():
    markers = _markers()
    pm = sim.to_profiles(markers, sim.simulate_founders(markers, 40, seed=1))
    staff = sim.to_profiles(markers, sim.simulate_founders(markers, 10, seed=2))
    # PM 7 is staff member 4 (contamination); PM 21 is a degraded copy of staff 4 with
    # drop-out (loci 0-3 lost, a heterozygote at locus 4 reads as one allele)
    pm[7] = dict(staff[4])
    degraded = {k: v for k, v in staff[4].items() if k not in ("L0", "L1", "L2", "L3")}
    a, b = degraded["L4"]
    degraded["L4"] = (a, None)
    pm[21] = degraded
    res = eliminate(pm, staff, markers=markers, pm_ids=[f"PM{i}" for i in range(40)],
                    staff_ids=[f"ST{i}" for i in range(10)])
    assert res.flagged_pm == (7, 21)
    rows = res.records()
    assert [(r["pm"], r["staff"]) for r in rows] == [("PM7", "ST4"), ("PM21", "ST4")]
    assert rows[0]["compared_loci"] == 12 and rows[0]["mismatches"] == 0
    assert rows[1]["compared_loci"] == 8
    # hand computation of the inclusion LR for the full copy
    f = dict(zip(ALLELES, FREQS))
    want = 0.0
    for g in staff[4].values():
        x, y = g
        want -= math.log10(2 * f[x] * f[y] if x != y else 1 - (1 - f[x]) ** 2)
    assert math.isclose(rows[0]["log10_lr"], want, rel_tol=1e-12)


def test_mismatch_tolerance_and_minimum_loci():
    staff = [{"A": ("10", "11"), "B": ("12", "12"), "C": ("8", "9")}]
    pm = [{"A": ("10", "11"), "B": ("12", "13"), "C": ("8", "9")},   # one mismatch at B
          {"A": ("10", None), "B": ("12", "12")},                     # partial, consistent
          {"A": ("10", "11"), "B": ("12", "12"), "C": ("8", "9")}]   # identical
    strict = eliminate(pm, staff, min_compared=2)
    assert strict.flagged_pm == (1, 2)
    assert np.isnan(strict.flags["log10_lr"]).all()
    loose = eliminate(pm, staff, min_compared=3, max_mismatches=1)
    assert loose.flagged_pm == (0, 2)
    assert eliminate(pm, staff, min_compared=4).flagged_pm == ()
