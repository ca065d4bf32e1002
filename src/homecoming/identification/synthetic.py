"""Synthetic DVI datasets (SYNTHETIC: simulated by gene dropping, not real people).

Used by the tests (random small datasets checked against brute force) and by
``benchmarks/bench_joint.py`` (the 50-victim / 15-family / 30-missing case). Families are drawn
from a few templates of reference families (parents, siblings, spouse and child); some missing
persons are among the victims (their profiles dropped through their family's pedigree together
with the references'), the other victims are unrelated people from the same frequencies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from homecoming.genetics.markers import Marker
from homecoming.genetics.profiles import Genotype
from homecoming.identification.dataset import DviDataset, Family, Victim
from homecoming.pedigree.pedigree import Pedigree, Person, Sex
from homecoming.simulation import drop_alleles, simulate_founders, to_profiles

M, F = Sex.MALE, Sex.FEMALE


@dataclass(frozen=True)
class SyntheticCase:
    dataset: DviDataset
    #: victim id -> missing-person id for the victims that are missing persons
    truth: dict[str, str]
    label: str = "synthetic (gene-dropping simulation)"


def _template(n_missing: int, k: int, rng: np.random.Generator) -> tuple[list[Person], list[str], list[str]]:
    """(persons, missing ids, typed ids) of a family with ``n_missing`` missing persons."""
    p = f"F{k}-"
    sx = [M if rng.random() < 0.5 else F for _ in range(4)]
    fa, mo = Person(p + "FA", sex=M), Person(p + "MO", sex=F)
    if n_missing == 1:
        if rng.random() < 0.5:  # child of typed parents
            ch = Person(p + "M1", fa.id, mo.id, sx[0])
            return [fa, mo, ch], [ch.id], [fa.id, mo.id]
        # sibling of two typed siblings, parents untyped
        kids = [Person(p + "M1", fa.id, mo.id, sx[0]), Person(p + "S1", fa.id, mo.id, sx[1]),
                Person(p + "S2", fa.id, mo.id, sx[2])]
        return [fa, mo, *kids], [kids[0].id], [kids[1].id, kids[2].id]
    if n_missing == 2:
        if rng.random() < 0.5:  # two missing siblings, typed mother and sibling
            kids = [Person(p + "M1", fa.id, mo.id, sx[0]), Person(p + "M2", fa.id, mo.id, sx[1]),
                    Person(p + "S1", fa.id, mo.id, sx[2])]
            return [fa, mo, *kids], [kids[0].id, kids[1].id], [mo.id, kids[2].id]
        # missing father and missing son; typed wife and another son
        fa = Person(p + "M1", sex=M)
        kids = [Person(p + "M2", fa.id, mo.id, M), Person(p + "S1", fa.id, mo.id, sx[1])]
        return [fa, mo, *kids], [fa.id, kids[0].id], [mo.id, kids[1].id]
    # n_missing >= 3: missing father and children, typed mother and one child
    fa = Person(p + "M1", sex=M)
    kids = [Person(p + f"M{i + 2}", fa.id, mo.id, M if rng.random() < 0.5 else F)
            for i in range(n_missing - 1)]
    typed_kid = Person(p + "S1", fa.id, mo.id, sx[3])
    return [fa, mo, *kids, typed_kid], [fa.id] + [c.id for c in kids], [mo.id, typed_kid.id]


def synthetic_case(markers: Sequence[Marker], *, n_families: int, n_missing: int,
                   n_victims: int, n_true: int | None = None, seed: int = 0,
                   family_sizes: Sequence[int] | None = None,
                   degraded: float = 0.0) -> SyntheticCase:
    """A SYNTHETIC DVI dataset.

    :param n_missing: total missing persons, spread over families as 1, 2, 3, 1, 2, 3, …
        (adjusted to the total; every family has at least one).
    :param n_true: how many victims are missing persons (default ``min(n_missing,
        n_victims) * 4 // 5``); the other victims are unrelated.
    :param family_sizes: the number of missing persons of each family (overrides the
        1, 2, 3, … spread; must have ``n_families`` entries summing to ``n_missing``).
    :param degraded: fraction of victims with a degraded profile: each of their markers is
        untyped with probability 1/2 (at least one marker stays typed).
    """
    if n_missing < n_families:
        raise ValueError(f"n_missing={n_missing} < n_families={n_families}; expected at least "
                         "one missing person per family")
    if not 0.0 <= degraded <= 1.0:
        raise ValueError(f"degraded={degraded}; expected a fraction in [0, 1]")
    rng = np.random.default_rng(seed)
    if family_sizes is not None:
        counts = [int(c) for c in family_sizes]
        if len(counts) != n_families or sum(counts) != n_missing or min(counts) < 1:
            raise ValueError(f"family_sizes: {len(counts)} families with {sum(counts)} missing "
                             f"persons; expected {n_families} entries >= 1 summing to {n_missing}")
    else:
        counts = [1 + (i % 3) for i in range(n_families)]
        while sum(counts) > n_missing:
            counts[counts.index(max(counts))] -= 1
        i = 0
        while sum(counts) < n_missing:
            counts[i % n_families] += 1
            i += 1
    n_true = min(n_missing, n_victims) * 4 // 5 if n_true is None else n_true
    if not 0 <= n_true <= min(n_missing, n_victims):
        raise ValueError(f"n_true={n_true}; expected 0..{min(n_missing, n_victims)}")
    families = []
    missing_profiles: dict[str, tuple[Sex, dict[str, Genotype]]] = {}
    for k, c in enumerate(counts):
        persons, miss, typed = _template(c, k + 1, rng)
        ped = Pedigree(persons)
        alleles = drop_alleles(ped, markers, 1, rng)
        profiles = {pid: to_profiles(markers, alleles[pid])[0] for pid in ped.ids}
        families.append(Family(f"F{k + 1}", ped, tuple(miss),
                               {pid: profiles[pid] for pid in typed}))
        for m in miss:
            missing_profiles[m] = (ped[m].sex, profiles[m])
    all_missing = list(missing_profiles)
    chosen = [all_missing[j] for j in rng.choice(len(all_missing), size=n_true, replace=False)]
    raw: list[tuple[Sex, dict[str, Genotype], str | None]] = [
        (missing_profiles[m][0], missing_profiles[m][1], m) for m in chosen]
    n_other = n_victims - n_true
    if n_other > 0:
        founders = simulate_founders(markers, n_other, rng)
        for prof in to_profiles(markers, founders):
            raw.append((M if rng.random() < 0.5 else F, prof, None))
    order = rng.permutation(len(raw))
    victims, truth = [], {}
    for j, idx in enumerate(order):
        sex, prof, m = raw[idx]
        vid = f"V{j + 1}"
        if degraded > 0.0 and rng.random() < degraded:
            names = sorted(prof)
            keep = [n for n in names if rng.random() < 0.5] or names[:1]
            prof = {n: prof[n] for n in keep}
        victims.append(Victim(vid, sex, prof))
        if m is not None:
            truth[vid] = m
    return SyntheticCase(DviDataset(markers, victims, families), truth)
