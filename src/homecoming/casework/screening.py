"""Screening candidates: a pair (post-mortem sample, reference sample) worth a closer look.

A candidate is what pairwise screening writes down for later kinship analysis: the two sample
bar-codes, the relationship tested, the log10 likelihood ratio and the provenance of the
number (software version, parameters, frequency database and hash, theta).
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import Field, field_validator

from homecoming.casework._base import Code, Value

__all__ = ["Candidate", "SCREENING_RELATIONSHIPS"]

#: relationships the pairwise screening model knows
SCREENING_RELATIONSHIPS = ("direct", "parent_child", "full_sibling", "half_sibling")


class Candidate(Value):
    pm_barcode: Code
    ref_barcode: Code
    relationship: str
    log10_lr: float
    provenance: dict[str, Any] = Field(default_factory=dict)

    @field_validator("relationship")
    @classmethod
    def _relationship(cls, value: str) -> str:
        if value not in SCREENING_RELATIONSHIPS:
            raise ValueError(f"expected one of {', '.join(SCREENING_RELATIONSHIPS)}")
        return value

    @field_validator("log10_lr")
    @classmethod
    def _finite(cls, value: float) -> float:
        if math.isnan(value) or value == math.inf:
            raise ValueError("expected a finite log10 LR (or -inf)")
        return value
