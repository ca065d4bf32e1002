"""Markers: a locus with its allele labels, frequencies and mutation models.

Allele labels are strings (``"9.3"``, ``"22.2"``); the grammar of STR alleles and the one
canonical locus-name key (:func:`canonical_locus`) are in :mod:`homecoming.genetics.alleles`.
A :class:`Marker` is an immutable, validated value: frequencies sum to 1 within 1e-6 (never
renormalised silently) and mutation matrices are built once for its allele list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from homecoming.errors import FrequencyError
from homecoming.genetics.alleles import canonical_locus

__all__ = ["Chromosome", "FREQUENCY_SUM_TOLERANCE", "Marker", "MutationSpec", "canonical_locus"]

Chromosome = Literal["autosomal", "X"]

#: Frequencies must sum to 1 within this tolerance.
FREQUENCY_SUM_TOLERANCE = 1e-6


@dataclass(frozen=True)
class MutationSpec:
    """One sex's mutation model, as written in kinship-case.md.

    ``model`` is one of ``equal``, ``proportional``, ``stepwise``, ``onestep``, ``custom``.
    ``matrix`` (if given) is authoritative: ``matrix[i][j]`` = P(parent allele i is transmitted
    as child allele j), rows and columns in the marker's allele order.
    """

    model: str
    rate: float | None = None
    rate2: float | None = None
    range: float | None = None
    matrix: tuple[tuple[float, ...], ...] | None = None


@dataclass(frozen=True)
class Marker:
    """An unlinked genetic marker (STR locus) with allele frequencies.

    :param name: locus name, e.g. ``"D3S1358"``.
    :param alleles: allele labels, unique strings.
    :param frequencies: one per allele, summing to 1 within 1e-6.
    :param chromosome: ``"autosomal"`` or ``"X"``.
    :param mutation_female, mutation_male: mutation model per sex, or ``None`` for none.
    :param silent_frequency: frequency of a silent (null) allele, 0 for none (Familias).
    """

    name: str
    alleles: tuple[str, ...]
    frequencies: np.ndarray
    chromosome: Chromosome = "autosomal"
    mutation_female: MutationSpec | None = None
    mutation_male: MutationSpec | None = None
    silent_frequency: float = 0.0
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        alleles = tuple(str(a) for a in self.alleles)
        object.__setattr__(self, "alleles", alleles)
        freqs = np.array(self.frequencies, dtype=float)
        freqs.setflags(write=False)
        object.__setattr__(self, "frequencies", freqs)
        where = f"marker {self.name!r}"
        if len(set(alleles)) != len(alleles):
            dup = sorted({a for a in alleles if alleles.count(a) > 1})
            raise FrequencyError(f"{where}: duplicated allele labels {dup}; expected unique labels",
                                 field="alleles", value=dup)
        if freqs.shape != (len(alleles),):
            raise FrequencyError(
                f"{where}: {len(alleles)} alleles but {freqs.size} frequencies; expected one "
                "frequency per allele", field="frequencies", value=freqs.size)
        if np.any(~np.isfinite(freqs)) or np.any(freqs < 0):
            raise FrequencyError(
                f"{where}: negative or non-finite frequency; expected values in [0, 1]",
                field="frequencies")
        total = float(freqs.sum()) + float(self.silent_frequency)
        if abs(total - 1.0) > FREQUENCY_SUM_TOLERANCE:
            raise FrequencyError(
                f"{where}: frequencies sum to {total:.9g}; expected 1 within "
                f"{FREQUENCY_SUM_TOLERANCE:g} (Homecoming never renormalises silently)",
                field="frequencies", value=total, expected="sum 1")
        if self.chromosome not in ("autosomal", "X"):
            raise FrequencyError(
                f"{where}: chromosome {self.chromosome!r}; expected 'autosomal' or 'X'",
                field="chromosome", value=self.chromosome)

    @property
    def n_alleles(self) -> int:
        return len(self.alleles)

    def index(self, allele: str) -> int:
        """Position of an allele label (raises ``KeyError`` if absent)."""
        try:
            return self.alleles.index(allele)
        except ValueError:
            raise KeyError(allele) from None
