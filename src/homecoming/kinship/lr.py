"""Likelihood ratios for any number of kinship hypotheses.

Every hypothesis is a complete pedigree (disconnected components allowed) over which the same
genotype data are evaluated by :func:`homecoming.kinship.likelihood.log_likelihood`; every LR
is against one reference hypothesis, per marker and in total (the product over the unlinked
markers, summed in log space so it never underflows).

An LR of exactly 0 (the data are impossible under a hypothesis) has ``log10_lr = -inf``. When
the data are impossible under the reference too, the LR is undefined (``nan``); when only the
reference is impossible it is ``+inf``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from homecoming import provenance as _prov
from homecoming.errors import HypothesisError
from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.kinship.likelihood import GenotypeTable, log_likelihood
from homecoming.pedigree.pedigree import Pedigree

__all__ = ["Hypothesis", "KinshipResult", "kinship_lr"]

_LN10 = math.log(10.0)


@dataclass(frozen=True)
class Hypothesis:
    """A named pedigree with optional founder inbreeding coefficients."""

    name: str
    pedigree: Pedigree
    founder_inbreeding: Mapping[str, float] | None = None


def _diff(a: float, b: float) -> float:
    """log(exp(a) / exp(b)) with 0/0 -> nan and x/0 -> inf."""
    if a == -math.inf and b == -math.inf:
        return math.nan
    return a - b


@dataclass
class KinshipResult:
    """Per-marker natural-log likelihoods of every hypothesis and LRs against ``reference``."""

    reference: str
    markers: tuple[str, ...]
    log_likelihoods: dict[str, np.ndarray]
    provenance: dict[str, Any] = field(default_factory=dict)

    def _check(self, name: str) -> np.ndarray:
        try:
            return self.log_likelihoods[name]
        except KeyError:
            raise HypothesisError(f"hypothesis {name!r} is not in the result; expected one of "
                                  f"{sorted(self.log_likelihoods)}", field="hypothesis",
                                  value=name) from None

    def log_lr(self, name: str) -> float:
        """Natural log of the total LR of ``name`` against the reference."""
        return _diff(float(self._check(name).sum()),
                     float(self.log_likelihoods[self.reference].sum()))

    def log10_lr(self, name: str) -> float:
        """log10 of the total LR (``-inf`` for an LR of 0, ``nan`` when undefined)."""
        return self.log_lr(name) / _LN10

    def lr(self, name: str) -> float:
        """Total LR (may overflow to ``inf`` as a float; use :meth:`log10_lr`)."""
        x = self.log_lr(name)
        if math.isnan(x):
            return math.nan
        if x > 709.7:
            return math.inf
        return math.exp(x)

    def log10_likelihood(self, name: str) -> float:
        return float(self._check(name).sum()) / _LN10

    def per_marker_lr(self, name: str) -> dict[str, float]:
        """LR per marker name."""
        ll = self._check(name)
        ref = self.log_likelihoods[self.reference]
        out: dict[str, float] = {}
        for m, a, b in zip(self.markers, ll, ref):
            x = _diff(float(a), float(b))
            out[m] = math.nan if math.isnan(x) else (math.inf if x > 709.7 else math.exp(x))
        return out


def _spec_json(spec: MutationSpec | None) -> dict[str, object] | None:
    if spec is None:
        return None
    d: dict[str, Any] = {"model": spec.model}
    for k in ("rate", "rate2", "range"):
        v = getattr(spec, k)
        if v is not None:
            d[k] = v
    if spec.matrix is not None:
        d["matrix"] = [list(r) for r in spec.matrix]
    return d


def kinship_lr(hypotheses: Sequence[Hypothesis], markers: Sequence[Marker],
               genotypes: GenotypeTable, *, reference: str, theta: float = 0.0,
               dropout: Mapping[str, float] | None = None) -> KinshipResult:
    """Likelihoods of every hypothesis and LRs against ``reference``.

    :raises HypothesisError: a hypothesis name used twice, an unknown reference, a genotyped
        person missing from a hypothesis.
    """
    hypotheses = list(hypotheses)
    markers = list(markers)
    if not hypotheses:
        raise HypothesisError("hypotheses: empty list; expected at least one hypothesis",
                              field="hypotheses", value=[])
    names: dict[str, int] = {}
    for i, h in enumerate(hypotheses):
        if h.name in names:
            raise HypothesisError(f"hypotheses[{i}].name: {h.name!r} is used twice; expected "
                                  "unique hypothesis names", field="name", value=h.name)
        names[h.name] = i
    if reference not in names:
        raise HypothesisError(f"reference: {reference!r} is not a hypothesis name; expected one "
                              f"of {sorted(names)}", field="reference", value=reference)
    lls: dict[str, np.ndarray] = {}
    for h in hypotheses:
        for pid in genotypes:
            if pid not in h.pedigree:
                raise HypothesisError(
                    f"hypothesis {h.name!r}: genotyped person {pid!r} is not in its pedigree; "
                    "every genotyped person must appear in every hypothesis",
                    field="pedigree", value=pid)
        lls[h.name] = log_likelihood(h.pedigree, markers, genotypes, theta=theta,
                                     founder_inbreeding=h.founder_inbreeding, dropout=dropout)
    prov = _prov.record(
        parameters={"theta": float(theta), "reference": reference,
                    "hypotheses": [h.name for h in hypotheses],
                    "dropout": dict(dropout) if dropout else {}},
        engine="homecoming.kinship.likelihood (exact variable elimination)",
        markers=[{"name": m.name, "chromosome": m.chromosome, "n_alleles": m.n_alleles,
                  "silent_frequency": m.silent_frequency, "source": m.source,
                  "mutation": {"female": _spec_json(m.mutation_female),
                               "male": _spec_json(m.mutation_male)}} for m in markers],
    )
    return KinshipResult(reference=reference, markers=tuple(m.name for m in markers),
                         log_likelihoods=lls, provenance=prov)
