"""DNA profiles as casework records: per sample bar-code, locus → alleles, kit, lab, quality.

A profile knows its sample bar-code, never a name (docs/background/casework-standards.md §4.6:
identity anonymised on receipt [M1]); the link to a person goes sample → remains or donor.
An elimination profile of a staff member (:class:`StaffProfile`) knows a staff code only.
Both share :class:`GenotypedRecord`: the locus names and alleles follow the one grammar of
:mod:`homecoming.genetics.alleles` (STR repeat numbers with a one-digit microvariant such as
``9.3``; ``X``/``Y`` only at amelogenin; no off-ladder ``OL``). Whether a locus or an allele
exists in a frequency table is checked by the importers against the database they use; here
only the grammar is checked.
"""

from __future__ import annotations

import enum
import re
from typing import Any, ClassVar

from pydantic import Field, field_validator

from homecoming.casework._base import Code, PastDate, Record
from homecoming.genetics.alleles import AlleleError, is_amelogenin, parse_allele, parse_amelogenin
from homecoming.genetics.profiles import Genotype, Profile

__all__ = ["ProfileQuality", "GenotypedRecord", "DnaProfile", "StaffProfile"]

_LOCUS = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,39}$")


class ProfileQuality(enum.Enum):
    FULL = "full"
    PARTIAL = "partial"
    LOW = "low"                  # low template / many drop-outs: use with a drop-out model


def check_genotypes(value: Any) -> Any:
    """Locus name -> one or two alleles (``None`` = unknown), by the one allele grammar."""
    if not isinstance(value, dict):
        return value
    out: dict[str, tuple[str | None, ...]] = {}
    for locus, alleles in value.items():
        if not isinstance(locus, str) or not _LOCUS.match(locus):
            shown = repr(locus) if isinstance(locus, str) and locus.isprintable() else "a name"
            raise ValueError(f"expected a locus name (letters, digits, _ . -, at most 40 "
                             f"characters), got {shown[:50]}")
        if isinstance(alleles, str):
            alleles = [a for a in re.split(r"[,/ ]+", alleles) if a]
        if not isinstance(alleles, (list, tuple)) or not 1 <= len(alleles) <= 2:
            raise ValueError(f"expected one or two alleles at locus {locus}")
        clean: list[str | None] = []
        for a in alleles:
            if a is None:
                clean.append(None)
                continue
            try:
                clean.append(parse_amelogenin(a) if is_amelogenin(locus)
                             else parse_allele(a, locus))
            except AlleleError as exc:
                raise ValueError(f"{exc} at locus {locus}") from None
        if all(a is None for a in clean):
            raise ValueError(f"expected at least one known allele at locus {locus}")
        out[locus] = tuple(clean)
    return out


class GenotypedRecord(Record):
    """What a sample's DNA profile and a staff elimination profile share: genotypes
    (locus -> (allele, allele); ``None`` = unknown), kit, laboratory, quality, typing date.

    Validation errors never show the genotypes (``hidden_fields``)."""

    hidden_fields: ClassVar[frozenset[str]] = frozenset({"genotypes"})

    genotypes: dict[str, tuple[str | None, ...]] = Field(min_length=1)
    kit: str | None = None
    laboratory: str | None = None
    quality: ProfileQuality = ProfileQuality.FULL
    typed_on: PastDate | None = None

    @field_validator("genotypes", mode="before")
    @classmethod
    def _genotypes(cls, value: Any) -> Any:
        return check_genotypes(value)


class DnaProfile(GenotypedRecord):
    """A DNA profile of one sample. Genotypes: locus -> (allele, allele); ``None`` = unknown."""

    key_field = "sample_barcode"

    sample_barcode: Code

    def to_profile(self) -> Profile:
        """The genetics value used by the kinship engine."""
        genotypes: dict[str, Genotype] = dict(self.genotypes)
        return Profile(barcode=self.sample_barcode, genotypes=genotypes, kit=self.kit,
                       laboratory=self.laboratory, quality=self.quality.value)


class StaffProfile(GenotypedRecord):
    """An elimination profile of a staff member, identified by a staff code only.

    Genotypes are checked exactly as those of a :class:`DnaProfile`.
    """

    key_field = "staff_code"

    staff_code: Code

    @classmethod
    def from_profile(cls, profile: DnaProfile) -> StaffProfile:
        """A staff profile from a profile record read from a profile CSV (the bar-code
        column holds the staff code)."""
        return cls(staff_code=profile.sample_barcode, genotypes=dict(profile.genotypes),
                   kit=profile.kit, laboratory=profile.laboratory, quality=profile.quality,
                   typed_on=profile.typed_on)
