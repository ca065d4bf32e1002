"""homecoming.kinship: exact pedigree likelihoods and likelihood ratios.

- :func:`log_likelihood` — natural log of P(genotypes | pedigree) per marker (any pedigree,
  loops included; X, mutation, silent alleles, dropout, founder inbreeding, θ).
- :func:`kinship_lr`, :class:`Hypothesis`, :class:`KinshipResult` — LRs for any number of
  hypotheses against a reference.
"""

from homecoming.kinship.likelihood import log_likelihood
from homecoming.kinship.lr import Hypothesis, KinshipResult, kinship_lr

__all__ = ["Hypothesis", "KinshipResult", "kinship_lr", "log_likelihood"]
