"""Gene dropping: simulated STR genotypes for the people of a pedigree.

Founders draw two alleles independently from the marker's allele frequencies (Hardy-Weinberg
and linkage equilibrium, theta = 0); every non-founder receives one allele chosen at random
from each parent (Mendel's first law), optionally changed by a stepwise mutation. This is the
textbook simulation used to test kinship software (e.g. forrel's ``profileSim``); it is how the
synthetic demonstration scenario gets its DNA profiles. Nothing here touches real people.

Frequencies are used only to *draw* alleles, so a table whose sum is off by rounding (STRidER
publishes six significant digits) is normalised for sampling here; the likelihood code never
sees these normalised values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from homecoming.errors import InputError
from homecoming.genetics.markers import Marker
from homecoming.genetics.profiles import Genotype
from homecoming.pedigree.pedigree import Pedigree

__all__ = ["drop_genes", "random_genotypes", "mask_loci"]


def _sampling_probabilities(marker: Marker) -> np.ndarray:
    freqs = np.asarray(marker.frequencies, dtype=float)
    total = float(freqs.sum())
    if total <= 0:
        raise InputError(f"marker {marker.name!r}: frequencies sum to {total}; expected a "
                         "positive sum to draw alleles from", field="frequencies", value=total)
    return freqs / total


def _sort_key(allele: str) -> tuple[float, str]:
    try:
        return (float(allele), allele)
    except ValueError:
        return (float("inf"), allele)


def _genotype(a: str, b: str) -> Genotype:
    return (a, b) if _sort_key(a) <= _sort_key(b) else (b, a)


def _mutate(allele_index: int, marker: Marker, rng: np.random.Generator) -> int:
    """A one-step mutation: the repeat number goes one up or down (to an allele in the table)."""
    try:
        value = float(marker.alleles[allele_index])
    except ValueError:
        return allele_index
    step = 1.0 if rng.random() < 0.5 else -1.0
    target = value + step
    for j, label in enumerate(marker.alleles):
        try:
            if abs(float(label) - target) < 1e-9:
                return j
        except ValueError:
            continue
    return allele_index  # no such allele in the table: leave it unchanged


def drop_genes(pedigree: Pedigree, markers: Sequence[Marker], rng: np.random.Generator, *,
               mutation_rate: float = 0.0,
               ) -> dict[str, dict[str, Genotype]]:
    """Simulate the genotypes of every person of ``pedigree`` at every marker.

    :param pedigree: a validated pedigree (founders and non-founders).
    :param markers: autosomal markers with allele frequencies.
    :param rng: the random generator (seed it for a reproducible scenario).
    :param mutation_rate: probability per transmitted allele of a one-step mutation (0: none).
    :returns: person id -> marker name -> genotype (two allele labels, sorted numerically).
    """
    if not 0.0 <= mutation_rate <= 1.0:
        raise InputError(f"mutation_rate {mutation_rate!r}; expected a probability in [0, 1]",
                         field="mutation_rate", value=mutation_rate)
    order = pedigree.ids
    position = {pid: k for k, pid in enumerate(order)}
    founders = [pid for pid in order if pedigree[pid].is_founder]
    result: dict[str, dict[str, Genotype]] = {pid: {} for pid in order}
    n = len(order)
    for marker in markers:
        if marker.chromosome != "autosomal":
            raise InputError(f"marker {marker.name!r} is on chromosome {marker.chromosome!r}; "
                             "expected autosomal markers for gene dropping",
                             field="chromosome", value=marker.chromosome)
        probabilities = _sampling_probabilities(marker)
        alleles = np.empty((n, 2), dtype=np.int64)
        draws = rng.choice(marker.n_alleles, size=(len(founders), 2), p=probabilities)
        for k, pid in enumerate(founders):
            alleles[position[pid]] = draws[k]
        # non-founders in parents-first order: one allele from each parent
        picks = rng.integers(0, 2, size=(n, 2))
        mutations = (rng.random(size=(n, 2)) < mutation_rate) if mutation_rate > 0 else None
        for pid in order:
            person = pedigree[pid]
            if person.is_founder:
                continue
            i = position[pid]
            paternal = int(alleles[position[person.father], picks[i, 0]])
            maternal = int(alleles[position[person.mother], picks[i, 1]])
            if mutations is not None:
                if mutations[i, 0]:
                    paternal = _mutate(paternal, marker, rng)
                if mutations[i, 1]:
                    maternal = _mutate(maternal, marker, rng)
            alleles[i] = (paternal, maternal)
        labels = marker.alleles
        for pid in order:
            a, b = alleles[position[pid]]
            result[pid][marker.name] = _genotype(labels[a], labels[b])
    return result


def random_genotypes(count: int, markers: Sequence[Marker], rng: np.random.Generator,
                     ) -> list[dict[str, Genotype]]:
    """Genotypes of ``count`` unrelated people (independent founders)."""
    if count < 0:
        raise InputError(f"count {count!r}; expected a non-negative number of people",
                         field="count", value=count)
    out: list[dict[str, Genotype]] = [{} for _ in range(count)]
    for marker in markers:
        probabilities = _sampling_probabilities(marker)
        draws = rng.choice(marker.n_alleles, size=(count, 2), p=probabilities)
        labels = marker.alleles
        for k in range(count):
            out[k][marker.name] = _genotype(labels[draws[k, 0]], labels[draws[k, 1]])
    return out


def mask_loci(genotypes: Mapping[str, Genotype], drop: Iterable[str]) -> dict[str, Genotype]:
    """A partial profile: the same genotypes without the loci in ``drop`` (degraded DNA)."""
    dropped = set(drop)
    return {locus: g for locus, g in genotypes.items() if locus not in dropped}
