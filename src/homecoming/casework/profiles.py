"""DNA profiles as casework records: per sample bar-code, locus → alleles, kit, lab, quality.

A profile knows its sample bar-code, never a name (docs/background/casework-standards.md §4.6:
identity anonymised on receipt [M1]); the link to a person goes sample → remains or donor.
Whether an allele exists in a frequency table is checked by the importers against the
database they use; here only the shape is checked.
"""

from __future__ import annotations

import enum
import re
from typing import Any

from pydantic import Field, field_validator

from homecoming.casework._base import Code, PastDate, Record
from homecoming.genetics.profiles import Genotype, Profile

__all__ = ["ProfileQuality", "DnaProfile"]

_ALLELE = re.compile(r"^[A-Za-z0-9]+(\.[0-9]+)?$")
_LOCUS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,39}$")


class ProfileQuality(enum.Enum):
    FULL = "full"
    PARTIAL = "partial"
    LOW = "low"                  # low template / many drop-outs: use with a drop-out model


class DnaProfile(Record):
    """A DNA profile of one sample. Genotypes: locus -> (allele, allele); ``None`` = unknown."""

    key_field = "sample_barcode"

    sample_barcode: Code
    genotypes: dict[str, tuple[str | None, ...]] = Field(min_length=1)
    kit: str | None = None
    laboratory: str | None = None
    quality: ProfileQuality = ProfileQuality.FULL
    typed_on: PastDate | None = None

    @field_validator("genotypes", mode="before")
    @classmethod
    def _genotypes(cls, value: Any) -> Any:
        if not isinstance(value, dict):
            return value
        out: dict[str, tuple[str | None, ...]] = {}
        for locus, alleles in value.items():
            if not isinstance(locus, str) or not _LOCUS.match(locus):
                raise ValueError(f"expected a locus name (letters, digits, _ . -), got {locus!r}")
            if isinstance(alleles, str):
                alleles = [a for a in re.split(r"[,/ ]+", alleles) if a]
            if not isinstance(alleles, (list, tuple)) or not 1 <= len(alleles) <= 2:
                raise ValueError(f"expected one or two alleles at locus {locus}")
            clean: list[str | None] = []
            for a in alleles:
                if a is None:
                    clean.append(None)
                    continue
                text = str(a).strip()
                if not _ALLELE.match(text):
                    raise ValueError(f"expected an allele such as '15' or '9.3' at locus "
                                     f"{locus}, got {text!r}")
                clean.append(text)
            if all(a is None for a in clean):
                raise ValueError(f"expected at least one known allele at locus {locus}")
            out[locus] = tuple(clean)
        return out

    def to_profile(self) -> Profile:
        """The genetics value used by the kinship engine."""
        genotypes: dict[str, Genotype] = dict(self.genotypes)
        return Profile(barcode=self.sample_barcode, genotypes=genotypes, kit=self.kit,
                       laboratory=self.laboratory, quality=self.quality.value)
