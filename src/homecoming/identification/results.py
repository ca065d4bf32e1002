"""The typed, frozen results of :func:`homecoming.identification.solve`.

:class:`DviResult` holds the pairwise comparisons (:class:`Pairing`), the ranked joint
assignments (:class:`Assignment`) and one conclusion per missing person
(:class:`MissingConclusion`) and per victim (:class:`VictimConclusion`);
:func:`homecoming.formats.dvi_dataset.dvi_result_json` writes it as ``homecoming/dvi-result@1``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from homecoming.identification.conclusions import Conclusion
from homecoming.identification.evidence import EvidenceResult

__all__ = ["Assignment", "DviResult", "MissingConclusion", "Pairing", "VictimConclusion",
           "exp_or_inf"]


def exp_or_inf(x: float) -> float:
    """``exp(x)``, 0 for −∞ and ∞ on overflow."""
    if x == -math.inf:
        return 0.0
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


@dataclass(frozen=True, slots=True)
class Pairing:
    """One victim × missing-person comparison."""

    victim: str
    missing: str
    family: str
    log_lr: float  # DNA only, natural log
    inconsistent_markers: int
    markers_compared: int
    excluded: bool
    exclusion_reasons: tuple[str, ...] = ()
    evidence: EvidenceResult | None = None

    @property
    def lr(self) -> float:
        return exp_or_inf(self.log_lr)

    @property
    def evidence_log_lr(self) -> float:
        return 0.0 if self.evidence is None else self.evidence.log_lr

    @property
    def combined_log_lr(self) -> float:
        if self.excluded:
            return -math.inf
        return self.log_lr + self.evidence_log_lr


@dataclass(frozen=True)
class Assignment:
    """One joint assignment: victim -> missing person (or None)."""

    assignment: dict[str, str | None]
    loglik: float
    log_lr: float
    posterior: float

    @property
    def lr(self) -> float:
        return exp_or_inf(self.log_lr)


@dataclass(frozen=True)
class MissingConclusion:
    missing: str
    family: str
    victim: str | None
    conclusion: Conclusion
    lr: float | None = None
    glr: float | None = None
    posterior: float | None = None
    joint_posterior: float | None = None
    comment: str = ""


@dataclass(frozen=True)
class VictimConclusion:
    victim: str
    missing: str | None
    family: str | None
    conclusion: Conclusion
    lr: float | None = None
    glr: float | None = None
    comment: str = ""


@dataclass(frozen=True, kw_only=True)
class DviResult:
    """Everything :func:`solve` found; :func:`homecoming.formats.dvi_dataset.dvi_result_json`
    writes it as ``homecoming/dvi-result@1``."""

    pairwise: list[Pairing]
    joint: list[Assignment]
    missing_conclusions: list[MissingConclusion]
    victim_conclusions: list[VictimConclusion]
    thresholds: dict[str, Any]
    null_loglik: float
    log_z: float
    posterior_exact: bool
    log_z_upper: float
    marginals: dict[tuple[str, str], float]
    marginals_exact: bool
    warnings: list[str]
    theta: float
    theta_approximation: str | None
    search: dict[str, Any]
    provenance: dict[str, Any]

    def pairing(self, victim: str, missing: str) -> Pairing:
        for p in self.pairwise:
            if p.victim == victim and p.missing == missing:
                return p
        raise KeyError((victim, missing))

    @property
    def best(self) -> Assignment:
        return self.joint[0]
