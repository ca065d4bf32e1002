"""homecoming.kinship: exact pedigree likelihoods, likelihood ratios and power.

- :func:`log_likelihood` — natural log of P(genotypes | pedigree) per marker (any pedigree,
  loops included; X, mutation, silent alleles, dropout, founder inbreeding, θ).
- :func:`kinship_lr`, :class:`Hypothesis`, :class:`KinshipResult` — LRs for any number of
  hypotheses against a reference.
- :func:`genotype_distributions` — an untyped person's exact genotype distribution given the
  typed members of a pedigree (per marker, every genotype; :mod:`.distribution`).
- :func:`power_tables`, :func:`exclusion_power`, :func:`identification_power` — exclusion
  and identification power of a missing-person pedigree (:mod:`.power`).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from homecoming.kinship.likelihood import log_likelihood

if TYPE_CHECKING:
    from homecoming.kinship.distribution import GenotypeDistribution, genotype_distributions
    from homecoming.kinship.lr import Hypothesis, KinshipResult, kinship_lr
    from homecoming.kinship.power import exclusion_power, identification_power, power_tables

#: names imported on first use, so that ``kinship`` and ``identify`` load only what they use
_LAZY = {"GenotypeDistribution": "distribution", "genotype_distributions": "distribution",
         "exclusion_power": "power", "identification_power": "power", "power_tables": "power",
         "Hypothesis": "lr", "KinshipResult": "lr", "kinship_lr": "lr"}

__all__ = ["GenotypeDistribution", "Hypothesis", "KinshipResult", "exclusion_power",
           "genotype_distributions", "identification_power", "kinship_lr", "log_likelihood",
           "power_tables"]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
