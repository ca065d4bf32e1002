"""The configuration of :func:`homecoming.identification.solve`: every threshold, switch and
limit with its default, in one frozen dataclass (the command line reads its defaults here)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from homecoming.errors import InputError
from homecoming.identification.evidence import EvidenceConfig
from homecoming.identification.joint import DEFAULT_MAX_ASSIGNMENT_SOLVES, DEFAULT_MAX_STATES

__all__ = ["IdentificationConfig"]


@dataclass(frozen=True)
class IdentificationConfig:
    """Thresholds and switches of :func:`solve`; all of them are recorded in the result.

    :param lr_threshold: LR for an identification (dvir default 10,000).
    :param probable_threshold: LR that "probable" must exceed; default
        ``max(1, lr_threshold / 10)`` (dvir's ``threshold2``).
    :param posterior_threshold: posterior an identification must also reach, with prior 1/N
        (N = ``prior_missing`` or the number of missing persons); ``None`` switches it off.
    :param max_incompatible: pairings with more inconsistent markers are excluded; ``None``: never.
    :param top: number of joint assignments reported.
    :param ignore_sex: pair regardless of sex.
    :param evidence: non-DNA evidence switches (:class:`EvidenceConfig`).
    :param max_states: DP states per layer of the joint search before a component is solved
        by the assignment method (:mod:`homecoming.identification.joint`).
    :param max_family_options: feasible sub-assignments of one family before the dataset is
        refused as too large for the joint stage (a clear error, never a silent hour).
    :param max_assignment_solves: linear-assignment solves one wide component may take
        (Murty ranking, combinations of the options of families with several missing
        persons) before the search stops and reports the best assignments found so far,
        marked not exact (:mod:`homecoming.identification.joint`).
    :param marginals: compute the marginal posteriors P(V = M | data).
    :param prior: user prior over assignments as per-pairing weights ``{(victim, missing): w}``:
        P(assignment) ∝ Π w over its pairings (pairings not listed: 1; ``w = 0`` forbids the
        pairing). ``None``: flat prior over all assignments. With a prior, ``joint`` is ordered
        by posterior (LRs stay data-only).
    :param tie_tolerance: two log-likelihoods closer than this (relative, at least absolute)
        are equal (symmetric solutions).
    :param glr_top: assignments ranked per family when looking for symmetric solutions.
    """

    lr_threshold: float = 1e4
    probable_threshold: float | None = None
    posterior_threshold: float | None = 0.9995
    prior_missing: int | None = None
    max_incompatible: int | None = 2
    top: int = 10
    ignore_sex: bool = False
    evidence: EvidenceConfig = field(default_factory=EvidenceConfig)
    max_states: int = DEFAULT_MAX_STATES
    max_family_options: int = 200_000
    max_assignment_solves: int = DEFAULT_MAX_ASSIGNMENT_SOLVES
    marginals: bool = True
    prior: Mapping[tuple[str, str], float] | None = None
    tie_tolerance: float = 1e-9
    glr_top: int = 24

    @property
    def probable(self) -> float:
        if self.probable_threshold is not None:
            return self.probable_threshold
        return max(1.0, self.lr_threshold / 10)

    def thresholds(self, n_missing: int) -> dict[str, Any]:
        """The thresholds as recorded in results (prior 1/N with N = ``n_missing``)."""
        return {"lr": self.lr_threshold, "probable": self.probable,
                "posterior": self.posterior_threshold, "prior": f"1/{n_missing}",
                "max_incompatible": self.max_incompatible}

    def validate(self) -> None:
        """Raise :class:`InputError` for a value :func:`solve` cannot use."""
        if self.top < 1:
            raise InputError(f"top: {self.top}; expected at least 1", field="top",
                             value=self.top)
        if self.lr_threshold <= 0 or self.probable <= 0:
            raise InputError(f"lr_threshold: {self.lr_threshold}, probable: {self.probable}; "
                             "expected positive numbers", field="lr_threshold",
                             value=self.lr_threshold)
        if self.posterior_threshold is not None and not 0 < self.posterior_threshold < 1:
            raise InputError(f"posterior_threshold: {self.posterior_threshold}; expected a "
                             "number in (0, 1)", field="posterior_threshold",
                             value=self.posterior_threshold)
        for name in ("max_states", "max_family_options", "max_assignment_solves", "glr_top"):
            if getattr(self, name) < 1:
                raise InputError(f"{name}: {getattr(self, name)}; expected at least 1",
                                 field=name, value=getattr(self, name))

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["probable_threshold"] = self.probable
        d["prior"] = "flat" if self.prior is None else [
            {"victim": v, "missing": m, "weight": float(w)}
            for (v, m), w in sorted(self.prior.items())]
        return d
