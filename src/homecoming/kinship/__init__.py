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

from homecoming.kinship.distribution import GenotypeDistribution, genotype_distributions
from homecoming.kinship.likelihood import log_likelihood
from homecoming.kinship.lr import Hypothesis, KinshipResult, kinship_lr
from homecoming.kinship.power import exclusion_power, identification_power, power_tables

__all__ = ["GenotypeDistribution", "Hypothesis", "KinshipResult", "exclusion_power",
           "genotype_distributions", "identification_power", "kinship_lr", "log_likelihood",
           "power_tables"]
