"""Identification: which remains are which missing person.

Public API: :func:`solve` (pairwise LRs, exclusions, exact joint assignments, conclusions) on a
:class:`DviDataset`; :class:`IdentificationConfig` (thresholds, switches);
:class:`~homecoming.identification.conclusions.Conclusion` (the fixed vocabulary).
"""

from homecoming.identification.conclusions import Conclusion
from homecoming.identification.dataset import DviDataset, Family, MissingInfo, Victim
from homecoming.identification.evidence import EvidenceConfig
from homecoming.identification.config import IdentificationConfig
from homecoming.identification.results import (Assignment, DviResult, MissingConclusion,
                                               Pairing, VictimConclusion)
from homecoming.identification.solver import solve

__all__ = ["Conclusion", "DviDataset", "Family", "MissingInfo", "Victim", "EvidenceConfig",
           "Assignment", "DviResult", "IdentificationConfig", "MissingConclusion", "Pairing",
           "VictimConclusion", "solve"]
