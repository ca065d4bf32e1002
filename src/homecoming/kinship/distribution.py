"""The genotype distribution of one untyped person given a pedigree and its typed members.

For every marker and every genotype ``g`` the person could show, :func:`genotype_distributions`
computes ``ln P(person shows g, data)`` exactly with the likelihood engine (one row per
genotype, all rows of all markers batched), and ``ln P(data)``; so
``P(g | data) = exp(log_joint − log_data)``. This is what a missing person's LR against any
victim needs (LR = P(g | data, pedigree) / P(g | data, victim unrelated)), what exclusion and
identification power are computed from (:mod:`homecoming.kinship.power`), and what a
per-family genotype table for screening is made of.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from homecoming.errors import HypothesisError
from homecoming.genetics.markers import Marker
from homecoming.kinship._problem import GenotypeTable, check_inputs, is_male_x
from homecoming.kinship._types import FloatArray
from homecoming.kinship.likelihood import log_likelihood_rows
from homecoming.pedigree.pedigree import Pedigree

__all__ = ["GenotypeDistribution", "genotype_distributions", "observable_genotypes"]


@dataclass(frozen=True, eq=False)
class GenotypeDistribution:
    """One person's genotype distribution at one marker given the data.

    ``genotypes[i]`` (allele labels; one label for an X-linked male) has
    ``log_joint[i] = ln P(person shows genotypes[i], data)``; ``log_data = ln P(data)``
    (``-inf`` when the data are impossible). With a silent allele the person may show
    nothing: that mass is :attr:`unobserved`.
    """

    marker: Marker
    genotypes: tuple[tuple[str, ...], ...]
    log_joint: FloatArray
    log_data: float

    @property
    def consistent(self) -> bool:
        """Whether the data are possible at all (``P(data) > 0``)."""
        return bool(np.isfinite(self.log_data))

    def probabilities(self) -> FloatArray:
        """``P(g | data)`` per genotype (all zero when the data are impossible)."""
        if not self.consistent:
            return np.zeros(len(self.genotypes))
        with np.errstate(under="ignore"):
            result: FloatArray = np.exp(self.log_joint - self.log_data)
        return result

    @property
    def unobserved(self) -> float:
        """P(the person shows no allele | data): both alleles silent (0 without silent)."""
        if not self.consistent:
            return 0.0
        return max(0.0, 1.0 - float(self.probabilities().sum()))


def observable_genotypes(marker: Marker, one_allele: bool) -> list[tuple[str, ...]]:
    """Every genotype a person can show: unordered pairs in allele order, or single alleles
    (an X-linked male)."""
    alleles = marker.alleles
    if one_allele:
        return [(a,) for a in alleles]
    return [(alleles[i], alleles[j]) for i in range(len(alleles))
            for j in range(i, len(alleles))]


def genotype_distributions(pedigree: Pedigree, markers: Sequence[Marker],
                           genotypes: GenotypeTable, person: str, *, theta: float = 0.0,
                           founder_inbreeding: Mapping[str, float] | None = None,
                           dropout: Mapping[str, float] | None = None
                           ) -> list[GenotypeDistribution]:
    """``person``'s genotype distribution at every marker given the other persons' data.

    The person's own genotypes and drop-out entry, if any, are ignored: the distribution is
    that of the person's true (complete) genotype. On X the person carries one allele when
    male (as in :func:`homecoming.kinship.likelihood.log_likelihood`; a person of unknown sex
    without children is taken to carry two).

    :raises HypothesisError: ``person`` or a genotyped person is not in the pedigree.
    """
    if person not in pedigree:
        raise HypothesisError(f"person {person!r} is not in the pedigree; expected one of its "
                              "members", field="person", value=person)
    data = {pid: g for pid, g in genotypes.items() if pid != person}
    drop_in = {pid: d for pid, d in (dropout or {}).items() if pid != person}
    markers = list(markers)
    inbreeding, drop = check_inputs(pedigree, markers, data, theta, founder_inbreeding, drop_in)
    rows: list[tuple[Marker, dict[str, object]]] = []
    spans: list[tuple[int, list[tuple[str, ...]]]] = []
    male = is_male_x(pedigree, person, False)
    for marker in markers:
        base: dict[str, object] = {}
        for pid, person_genotypes in data.items():
            if person_genotypes:
                genotype = person_genotypes.get(marker.name)
                if genotype is not None:
                    base[pid] = genotype
        options = observable_genotypes(marker, marker.chromosome == "X" and male)
        spans.append((len(rows), options))
        rows.append((marker, base))
        for option in options:
            row = dict(base)
            row[person] = option
            rows.append((marker, row))
    logs = log_likelihood_rows(pedigree, rows, theta=float(theta), inbreeding=inbreeding,
                               dropout=drop)
    out = []
    for marker, (start, options) in zip(markers, spans):
        out.append(GenotypeDistribution(marker, tuple(options),
                                        logs[start + 1:start + 1 + len(options)].copy(),
                                        float(logs[start])))
    return out
