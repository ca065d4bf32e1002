"""Exclusion power and identification power of a missing-person pedigree.

Both questions are about the references already typed: how often would they exclude a random,
unrelated person as the missing person (*exclusion power*), and how large is the LR when the
missing person, or an unrelated person, is among the remains (*identification power*)?

Both rest on the missing person's exact genotype distribution given the references,
:func:`homecoming.kinship.distribution.genotype_distributions`, under two hypotheses:

* H1 — the person tested is the missing person: ``P₁(g) = P(MP shows g | data, pedigree)``;
* H2 — the person tested is unrelated to the family: ``P₂(g)``, the same computed on the
  pedigree with the missing person untyped and a separate, unrelated person typed ``g``
  (Hardy–Weinberg ``pₐ²``/``2pₐp_b`` at θ = 0; with θ > 0 the unrelated person's alleles are
  drawn from the same urn as the family's founders, kinship-case.md).

The LR of a tested person showing ``g`` at a marker is ``P₁(g) / P₂(g)``.

Exclusion power
---------------
``EP = Σ_g P₂(g) · [P₁(g) = 0]`` per marker: the probability that an unrelated person is
Mendelian-incompatible with the references at that marker; in total
``1 − Π (1 − EPₘ)`` over the markers that have a value. Mutation is treated as the R package
forrel's ``missingPersonEP`` does by default (``disableMutations = NA``; Vigeland et al. 2020,
doi:10.1016/j.fsigen.2020.102376): a marker whose references are consistent with the pedigree
without mutation is computed without it; one that is inconsistent keeps its mutation model
(EP is then 0 unless the model makes some genotypes impossible, as ``onestep`` can); one that
is inconsistent even with its model, or has none, has no value (``None``) and is left out of
the total.

Identification power
--------------------
Exact per marker: ``E₁[log10 LR] = Σ_g P₁(g) log10 LR(g)`` and likewise under H2 (``-inf``
when an unrelated person can be excluded; then only the expectation over the persons not
excluded is finite). Markers are independent given the pedigree, so the expectations add over
markers. The distribution of the total LR is simulated: each simulation draws one genotype per
marker from ``P₁`` (or ``P₂``) with a seeded generator and multiplies the per-marker LRs;
``P(LR ≥ threshold)`` is reported with its binomial standard error. The same marker choice as
for exclusion (mutation disabled where the references allow) is used, as forrel's
``missingPersonIP`` does.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from homecoming.errors import HypothesisError, InputError
from homecoming.genetics.markers import Marker
from homecoming.kinship._problem import GenotypeTable
from homecoming.kinship._types import FloatArray
from homecoming.kinship.distribution import GenotypeDistribution, genotype_distributions
from homecoming.kinship.likelihood import log_likelihood
from homecoming.pedigree.pedigree import Pedigree, Person

__all__ = ["ExclusionPower", "IdentificationPower", "LRDistribution", "MarkerPower",
           "PowerTables", "exclusion_power", "identification_power", "power_tables"]

_LN10 = math.log(10.0)


@dataclass(frozen=True, eq=False)
class MarkerPower:
    """The per-marker tables: the missing person's genotype distribution under H1 and an
    unrelated person's under H2, and whether the marker's mutation model was kept."""

    marker: Marker
    mutation_used: bool
    related: GenotypeDistribution
    unrelated: GenotypeDistribution

    @property
    def name(self) -> str:
        return self.marker.name

    def exclusion_power(self) -> float:
        """Σ_g P₂(g) [P₁(g) = 0]."""
        impossible = ~np.isfinite(self.related.log_joint)
        return float(self.unrelated.probabilities()[impossible].sum())

    def log10_lr(self) -> FloatArray:
        """log10 LR per genotype (``-inf`` where H1 excludes it; 0 where neither allows it)."""
        first = self.related.log_joint - self.related.log_data
        second = self.unrelated.log_joint - self.unrelated.log_data
        out = np.zeros(len(first))
        both = np.isfinite(second)
        with np.errstate(invalid="ignore"):
            out[both] = (first[both] - second[both]) / _LN10
        return out


@dataclass(frozen=True, eq=False)
class PowerTables:
    """What both power computations are made of: per marker, the tables (``None`` for a
    marker whose references are inconsistent even with its mutation model, or without one)."""

    missing: str
    markers: list[Marker]
    tables: list[MarkerPower | None]


def _without_mutation(marker: Marker) -> Marker:
    if marker.mutation_female is None and marker.mutation_male is None:
        return marker
    return replace(marker, mutation_female=None, mutation_male=None)


def _unrelated_id(pedigree: Pedigree, missing: str) -> str:
    candidate = f"{missing} (unrelated)"
    while candidate in pedigree:
        candidate += "'"
    return candidate


def power_tables(pedigree: Pedigree, markers: Sequence[Marker], genotypes: GenotypeTable,
                 missing: str, *, theta: float = 0.0,
                 founder_inbreeding: Mapping[str, float] | None = None,
                 dropout: Mapping[str, float] | None = None) -> PowerTables:
    """The per-marker tables of :class:`PowerTables` (see the module docstring).

    :raises HypothesisError: ``missing`` is not in the pedigree, or is typed.
    """
    if missing not in pedigree:
        raise HypothesisError(f"missing person {missing!r} is not in the pedigree; expected "
                              "the id of its untyped missing person", field="missing",
                              value=missing)
    if any(g is not None for g in (genotypes.get(missing) or {}).values()):
        raise HypothesisError(f"missing person {missing!r} is typed; expected an untyped "
                              "missing person (remove the genotypes or choose another id)",
                              field="missing", value=missing)
    markers = list(markers)
    data = {pid: g for pid, g in genotypes.items() if pid != missing}
    plain = [_without_mutation(m) for m in markers]
    consistent_plain = np.isfinite(log_likelihood(pedigree, plain, data, theta=theta,
                                                       founder_inbreeding=founder_inbreeding,
                                                       dropout=dropout))
    chosen: list[Marker | None] = []
    needs_model = [i for i, ok in enumerate(consistent_plain)
                   if not ok and plain[i] is not markers[i]]
    consistent_model: dict[int, bool] = {}
    if needs_model:
        with_model = log_likelihood(pedigree, [markers[i] for i in needs_model], data,
                                    theta=theta, founder_inbreeding=founder_inbreeding,
                                    dropout=dropout)
        consistent_model = {i: bool(np.isfinite(v)) for i, v in zip(needs_model, with_model)}
    for i, marker in enumerate(markers):
        if consistent_plain[i]:
            chosen.append(plain[i])
        elif consistent_model.get(i, False):
            chosen.append(marker)
        else:
            chosen.append(None)
    used = [m for m in chosen if m is not None]
    related = genotype_distributions(pedigree, used, data, missing, theta=theta,
                                     founder_inbreeding=founder_inbreeding, dropout=dropout)
    stranger = _unrelated_id(pedigree, missing)
    sex = pedigree[missing].sex
    with_stranger = Pedigree(list(pedigree) + [Person(stranger, sex=sex)])
    unrelated = genotype_distributions(with_stranger, used, data, stranger, theta=theta,
                                       founder_inbreeding=founder_inbreeding, dropout=dropout)
    tables: list[MarkerPower | None] = []
    k = 0
    for i, marker in enumerate(markers):
        if chosen[i] is None:
            tables.append(None)
            continue
        tables.append(MarkerPower(marker, chosen[i] is marker and plain[i] is not marker,
                                  related[k], unrelated[k]))
        k += 1
    return PowerTables(missing, markers, tables)


@dataclass(frozen=True)
class ExclusionPower:
    """Exclusion power per marker (``None``: no value) and in total."""

    missing: str
    per_marker: dict[str, float | None]
    mutation_used: dict[str, bool]
    total: float


def exclusion_power(tables: PowerTables) -> ExclusionPower:
    """Exclusion power from :func:`power_tables` (module docstring)."""
    per_marker: dict[str, float | None] = {}
    mutation_used: dict[str, bool] = {}
    keep = 1.0
    for marker, table in zip(tables.markers, tables.tables):
        if table is None:
            per_marker[marker.name] = None
            continue
        ep = min(1.0, max(0.0, table.exclusion_power()))
        per_marker[marker.name] = ep
        mutation_used[marker.name] = table.mutation_used
        keep *= 1.0 - ep
    return ExclusionPower(tables.missing, per_marker, mutation_used, 1.0 - keep)


@dataclass(frozen=True)
class LRDistribution:
    """The total LR when the tested person is the missing person (H1) or unrelated (H2).

    ``p_at_least_threshold`` (and its binomial standard error) and ``p_excluded`` (LR = 0)
    are simulated; ``mean_log10_lr`` (and its standard error) is over the simulations not
    excluded; ``expected_log10_lr`` is exact (``None`` when ``-inf``: an excluded genotype has
    positive probability), ``expected_log10_lr_not_excluded`` the exact expectation over the
    persons not excluded, and ``per_marker_expected_log10_lr`` the exact per-marker terms.
    """

    p_at_least_threshold: float
    p_at_least_threshold_se: float
    p_excluded: float
    mean_log10_lr: float | None
    mean_log10_lr_se: float | None
    expected_log10_lr: float | None
    expected_log10_lr_not_excluded: float | None
    per_marker_expected_log10_lr: dict[str, float | None]


@dataclass(frozen=True)
class IdentificationPower:
    """Identification power: the LR distribution under H1 and H2 (``simulations`` draws each,
    from ``seed``) against ``threshold``."""

    missing: str
    simulations: int
    seed: int
    threshold: float
    related: LRDistribution
    unrelated: LRDistribution


def _exact_expectations(tables: PowerTables, use_related: bool
                        ) -> tuple[float | None, float | None, dict[str, float | None]]:
    per_marker: dict[str, float | None] = {}
    total = 0.0
    total_ok = True
    log_not_excluded = 0.0          # Σ log P(not excluded at marker)
    conditional = 0.0
    for marker, table in zip(tables.markers, tables.tables):
        if table is None:
            per_marker[marker.name] = None
            continue
        dist = table.related if use_related else table.unrelated
        prob = dist.probabilities()
        lr = table.log10_lr()
        possible = prob > 0
        finite = possible & np.isfinite(lr)
        excluded = float(prob[possible & ~np.isfinite(lr)].sum())
        value = float((prob[finite] * lr[finite]).sum())
        if excluded > 0:
            per_marker[marker.name] = None
            total_ok = False
        else:
            per_marker[marker.name] = value
        total += value
        keep = 1.0 - excluded
        if keep <= 0:
            log_not_excluded = -math.inf
        else:
            log_not_excluded += math.log(keep)
            conditional += value / keep
    expected = total if total_ok else None
    not_excluded = conditional if math.isfinite(log_not_excluded) else None
    return expected, not_excluded, per_marker


def _simulate(tables: PowerTables, use_related: bool, n: int, rng: np.random.Generator,
              log10_threshold: float) -> tuple[float, float, float, float | None,
                                                float | None]:
    total = np.zeros(n)
    for table in tables.tables:
        if table is None:
            continue
        dist = table.related if use_related else table.unrelated
        prob = dist.probabilities()
        lr = np.append(table.log10_lr(), 0.0)          # last: nothing seen (silent), LR 1
        cumulative = np.cumsum(np.append(prob, max(0.0, 1.0 - float(prob.sum()))))
        cumulative /= cumulative[-1]
        draws = np.searchsorted(cumulative, rng.random(n), side="right")
        total += lr[np.minimum(draws, len(lr) - 1)]
    excluded = ~np.isfinite(total)
    hit = float(np.mean(total >= log10_threshold - 1e-12))
    se = math.sqrt(hit * (1.0 - hit) / n)
    kept = total[~excluded]
    mean = float(kept.mean()) if kept.size else None
    mean_se = (float(kept.std(ddof=1)) / math.sqrt(kept.size)) if kept.size > 1 else None
    return hit, se, float(excluded.mean()), mean, mean_se


def identification_power(tables: PowerTables, *, simulations: int, threshold: float,
                         seed: int) -> IdentificationPower:
    """Identification power from :func:`power_tables` (module docstring)."""
    if int(simulations) < 1:
        raise InputError(f"simulations {simulations!r}; expected a positive number",
                         field="simulations", value=simulations)
    if not (threshold > 0) or not math.isfinite(threshold):
        raise InputError(f"threshold {threshold!r}; expected a positive LR", field="threshold",
                         value=threshold)
    rng = np.random.default_rng(seed)
    log10_threshold = math.log10(threshold)
    results = []
    for use_related in (True, False):
        hit, se, excluded, mean, mean_se = _simulate(tables, use_related, int(simulations), rng,
                                                     log10_threshold)
        expected, not_excluded, per_marker = _exact_expectations(tables, use_related)
        results.append(LRDistribution(hit, se, excluded, mean, mean_se, expected, not_excluded,
                                      per_marker))
    return IdentificationPower(tables.missing, int(simulations), int(seed), float(threshold),
                               results[0], results[1])
