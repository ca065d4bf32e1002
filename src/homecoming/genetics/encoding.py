"""Integer codes for unordered genotypes, for vectorised pairwise screening.

On a marker with ``K`` alleles (indices ``0 .. K-1`` in the marker's allele order) the
unordered genotype ``{i, j}`` with ``i <= j`` has the code ``j * (j + 1) // 2 + i``, so the
``G = K (K + 1) / 2`` genotypes are ordered ``{0,0}, {0,1}, {1,1}, {0,2}, {1,2}, {2,2}, ...``.
:data:`UNTYPED` (-1) stands for "no usable genotype": the marker is missing from the profile,
the genotype is empty, or it is partial (one allele unknown, ``("15", None)``).

Only autosomal markers without silent alleles can be encoded this way; an X marker or a marker
with ``silent_frequency > 0`` is refused (:class:`~homecoming.errors.GenotypeError`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from homecoming.errors import GenotypeError
from homecoming.genetics.alleles import canonical_locus
from homecoming.genetics.markers import Marker

#: Code of an untyped / unusable genotype.
UNTYPED = -1


def n_genotypes(n_alleles: int) -> int:
    """Number of unordered genotypes on ``n_alleles`` alleles: K (K + 1) / 2."""
    return n_alleles * (n_alleles + 1) // 2


def genotype_code(i: int, j: int) -> int:
    """Code of the unordered genotype of allele indices ``i`` and ``j``."""
    if i > j:
        i, j = j, i
    return j * (j + 1) // 2 + i


def genotype_alleles(n_alleles: int) -> tuple[np.ndarray, np.ndarray]:
    """Allele indices ``(first, second)`` (first <= second) of every code, in code order."""
    second = np.repeat(np.arange(n_alleles), np.arange(1, n_alleles + 1))
    first = np.concatenate([np.arange(k + 1) for k in range(n_alleles)]) if n_alleles else \
        np.zeros(0, dtype=int)
    return first.astype(np.intp), second.astype(np.intp)


def _canon(name: str) -> str:
    return canonical_locus(name)


class GenotypeEncoder:
    """Encodes profiles (marker name -> genotype) as an ``(n, L)`` int32 array of codes.

    Marker names in profiles are matched exactly first, then ignoring case, spaces,
    ``_`` and ``-`` (``"VWA"`` finds ``vWA``).
    """

    def __init__(self, markers: Sequence[Marker]) -> None:
        self.markers = tuple(markers)
        names = [m.name for m in self.markers]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise GenotypeError(f"markers: duplicated marker names {dup}; expected unique names",
                                field="markers", value=dup)
        for m in self.markers:
            if m.chromosome != "autosomal":
                raise GenotypeError(f"marker {m.name!r}: chromosome {m.chromosome!r}; pairwise "
                                    "genotype codes need autosomal markers", field="chromosome",
                                    value=m.chromosome)
            if m.silent_frequency:
                raise GenotypeError(f"marker {m.name!r}: silent_frequency "
                                    f"{m.silent_frequency:g}; pairwise genotype codes need "
                                    "markers without silent alleles", field="silent_frequency",
                                    value=m.silent_frequency)
        self._index = [{a: i for i, a in enumerate(m.alleles)} for m in self.markers]
        self._pos = {n: k for k, n in enumerate(names)}
        self._canon = {_canon(n): k for k, n in enumerate(names)}
        self.n_genotypes = np.array([n_genotypes(m.n_alleles) for m in self.markers],
                                    dtype=np.int64)

    def genotypes(self, marker: int | str) -> list[tuple[str, str]]:
        """The genotype (allele pair) of every code of ``marker``, in code order."""
        k = marker if isinstance(marker, int) else self._locate(marker)
        m = self.markers[k]
        first, second = genotype_alleles(m.n_alleles)
        return [(m.alleles[i], m.alleles[j]) for i, j in zip(first, second)]

    def _locate(self, name: str) -> int:
        k = self._pos.get(name)
        if k is None:
            k = self._canon.get(_canon(name))
        if k is None:
            raise GenotypeError(f"marker {name!r} is not one of this model's markers",
                                field="marker", value=name)
        return k

    def encode(self, profiles: Sequence[Mapping[str, Any] | Any], *,
               unknown: str = "error") -> np.ndarray:
        """Codes of ``profiles`` (mappings marker -> genotype, or objects with ``.genotypes``).

        Markers a profile has but the model lacks are ignored. ``unknown``: what to do with an
        allele not in the marker: ``"error"`` (:class:`~homecoming.errors.GenotypeError`
        naming profile, marker and allele; build the markers with ``extra_alleles`` to apply
        the rare-allele policy) or ``"untyped"`` (the marker counts as untyped).
        """
        if unknown not in ("error", "untyped"):
            raise GenotypeError(f"unknown: {unknown!r}; expected 'error' or 'untyped'",
                                field="unknown", value=unknown)
        out = np.full((len(profiles), len(self.markers)), UNTYPED, dtype=np.int32)
        for row, profile in enumerate(profiles):
            gts = getattr(profile, "genotypes", profile)
            if not isinstance(gts, Mapping):
                raise GenotypeError(f"profile {row}: {type(profile).__name__}; expected a mapping "
                                    "marker -> genotype", field="profiles", value=row)
            for name, gt in gts.items():
                k = self._pos.get(name)
                if k is None:
                    k = self._canon.get(_canon(name))
                    if k is None:
                        continue
                if gt is None or len(gt) == 0:
                    continue
                if isinstance(gt, str) or len(gt) != 2:
                    raise GenotypeError(
                        f"profile {row}, marker {self.markers[k].name!r}: genotype {gt!r}; "
                        "expected two alleles (autosomal)", field="genotype", value=gt)
                a, b = gt
                if a is None or b is None:
                    continue  # partial genotype: unusable for screening
                index = self._index[k]
                ia = index.get(str(a))
                ib = index.get(str(b))
                if ia is None or ib is None:
                    if unknown == "untyped":
                        continue
                    bad = a if ia is None else b
                    raise GenotypeError(
                        f"profile {row}, marker {self.markers[k].name!r}: allele {bad!r} is not "
                        "in the marker's allele list; expected one of "
                        f"{', '.join(self.markers[k].alleles)} (add it with extra_alleles to "
                        "apply the rare-allele policy)", field="allele", value=bad)
                out[row, k] = genotype_code(ia, ib)
        return out


__all__ = ["UNTYPED", "GenotypeEncoder", "genotype_alleles", "genotype_code", "n_genotypes"]
