"""Brute-force exclusion power, independent of the engine: enumerate the missing person's
genotypes, weight each by Hardy–Weinberg (a homozygote shows for a/a and a/silent), and ask the
reference likelihood (:mod:`tests.reference.oracle`) whether the pedigree with the missing
person typed so is possible. Mutation as forrel's ``missingPersonEP`` (``disableMutations =
NA``): without mutation where the references are consistent without it, else with the marker's
model, else no value (``None``). θ = 0 only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from homecoming.genetics.markers import Marker
from homecoming.pedigree.pedigree import Pedigree, Sex
from tests.reference.oracle import reference_log_likelihood


def _genotypes(marker: Marker, one_allele: bool) -> list[tuple[tuple[str, ...], float]]:
    """(shown genotype, Hardy–Weinberg probability) for every genotype a person can show."""
    p = [float(x) for x in marker.frequencies]
    s = float(marker.silent_frequency or 0.0)
    alleles = marker.alleles
    out = []
    if one_allele:
        return [((a,), p[i]) for i, a in enumerate(alleles)]
    for i, a in enumerate(alleles):
        for j in range(i, len(alleles)):
            if i == j:
                out.append(((a, a), p[i] * p[i] + 2 * p[i] * s))
            else:
                out.append(((a, alleles[j]), 2 * p[i] * p[j]))
    return out


def reference_exclusion_power(pedigree: Pedigree, markers: Sequence[Marker],
                              genotypes: Mapping[str, Mapping[str, tuple]], missing: str
                              ) -> tuple[dict[str, float | None], float]:
    """(per-marker EP or None, total 1 − Π(1 − EP))."""
    per: dict[str, float | None] = {}
    keep = 1.0
    one_allele = pedigree[missing].sex is Sex.MALE
    for marker in markers:
        plain = replace(marker, mutation_female=None, mutation_male=None)
        chosen = None
        for candidate in (plain, marker):
            if reference_log_likelihood(pedigree, [candidate], genotypes)[0] > -math.inf:
                chosen = candidate
                break
        if chosen is None:
            per[marker.name] = None
            continue
        ep = 0.0
        for shown, weight in _genotypes(marker, one_allele and marker.chromosome == "X"):
            data = {pid: dict(g) for pid, g in genotypes.items()}
            data[missing] = {marker.name: shown}
            if reference_log_likelihood(pedigree, [chosen], data)[0] == -math.inf:
                ep += weight
        per[marker.name] = ep
        keep *= 1.0 - ep
    return per, 1.0 - keep
