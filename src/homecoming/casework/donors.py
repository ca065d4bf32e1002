"""Reference donors: relatives of a missing person who give a reference sample.

Fields follow docs/background/casework-standards.md §4.8: donor identity and relationship to
the missing person, contact details [M3]; consent scope identification only, with a separate
yes/no for court use [M5]; sharing scope [M2]; collection place, including abroad [M10]. The
donor's place in the family pedigree is a person id in that family's pedigree (with the ids of
its parents there), so the kinship engine can build the pedigree from stored records.
"""

from __future__ import annotations

import enum
from typing import Self

from pydantic import model_validator

from homecoming.casework._base import Code, PastDate, Record, Sex, SharingLevel, Text

__all__ = ["Relationship", "ConsentScope", "Donor", "PAIRWISE_RELATIONSHIP"]


class Relationship(enum.Enum):
    """Relationship of the donor TO the missing person (the donor is the missing person's …)."""

    SELF = "self"                    # a personal item of the missing person (toothbrush, ...)
    FATHER = "father"
    MOTHER = "mother"
    SON = "son"
    DAUGHTER = "daughter"
    BROTHER = "brother"
    SISTER = "sister"
    HALF_BROTHER = "half_brother"
    HALF_SISTER = "half_sister"
    GRANDFATHER = "grandfather"
    GRANDMOTHER = "grandmother"
    GRANDSON = "grandson"
    GRANDDAUGHTER = "granddaughter"
    UNCLE = "uncle"
    AUNT = "aunt"
    NEPHEW = "nephew"
    NIECE = "niece"
    COUSIN = "cousin"
    SPOUSE = "spouse"                # not a blood relative: useful as the other parent of a child
    OTHER = "other"

    @property
    def pairwise(self) -> str | None:
        """The pairwise screening relationship (``PairwiseModel``) for this donor, if any."""
        return PAIRWISE_RELATIONSHIP.get(self)


#: donor relationship -> pairwise screening relationship. Second-degree relatives share the
#: IBD probabilities (k0, k1, k2) = (1/2, 1/2, 0) of half-siblings, so they screen as such.
PAIRWISE_RELATIONSHIP: dict[Relationship, str] = {
    Relationship.SELF: "direct",
    Relationship.FATHER: "parent_child",
    Relationship.MOTHER: "parent_child",
    Relationship.SON: "parent_child",
    Relationship.DAUGHTER: "parent_child",
    Relationship.BROTHER: "full_sibling",
    Relationship.SISTER: "full_sibling",
    Relationship.HALF_BROTHER: "half_sibling",
    Relationship.HALF_SISTER: "half_sibling",
    Relationship.GRANDFATHER: "half_sibling",
    Relationship.GRANDMOTHER: "half_sibling",
    Relationship.GRANDSON: "half_sibling",
    Relationship.GRANDDAUGHTER: "half_sibling",
    Relationship.UNCLE: "half_sibling",
    Relationship.AUNT: "half_sibling",
    Relationship.NEPHEW: "half_sibling",
    Relationship.NIECE: "half_sibling",
}

_MALE = {Relationship.FATHER, Relationship.SON, Relationship.BROTHER, Relationship.HALF_BROTHER,
         Relationship.GRANDFATHER, Relationship.GRANDSON, Relationship.UNCLE, Relationship.NEPHEW}
_FEMALE = {Relationship.MOTHER, Relationship.DAUGHTER, Relationship.SISTER,
           Relationship.HALF_SISTER, Relationship.GRANDMOTHER, Relationship.GRANDDAUGHTER,
           Relationship.AUNT, Relationship.NIECE}


class ConsentScope(enum.Enum):
    """What the donor consented to: identification only, or identification and court use."""

    IDENTIFICATION_ONLY = "identification_only"
    ALSO_COURT = "also_court"


class Donor(Record):
    """A relative of a missing person who gave (or will give) a reference sample."""

    id: Code
    missing_person_id: Code
    full_name: Text
    sex: Sex = Sex.UNKNOWN
    birth_date: PastDate | None = None
    relationship: Relationship
    family_id: Code | None = None          # the family pedigree this donor belongs to
    pedigree_id: Code | None = None        # the donor's person id in that pedigree
    pedigree_father: Code | None = None    # father's id in that pedigree, if in it
    pedigree_mother: Code | None = None
    consent: ConsentScope = ConsentScope.IDENTIFICATION_ONLY
    consent_on: PastDate | None = None
    sharing_level: SharingLevel = SharingLevel.INSTITUTION_ONLY
    contact: str | None = None
    collection_place: str | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.sex is Sex.MALE and self.relationship in _FEMALE or \
                self.sex is Sex.FEMALE and self.relationship in _MALE:
            raise ValueError(f"expected a sex matching relationship "
                             f"{self.relationship.value!r}, got {self.sex.value!r}")
        if self.pedigree_id is not None and self.pedigree_id in (self.pedigree_father,
                                                                 self.pedigree_mother):
            raise ValueError(f"expected the donor's parents to differ from the donor "
                             f"({self.pedigree_id!r})")
        return self

    @property
    def court_use(self) -> bool:
        """True if the donor's data may also be used in court."""
        return self.consent is ConsentScope.ALSO_COURT
