"""Missing persons: the ante-mortem record a family or an authority reports.

Fields follow docs/background/casework-standards.md §4.7: the Ukrainian Unified Register's full
name with patronymic, date and place of birth, circumstances and time of disappearance,
physical signs [R1]; the ICMP inquiry fields (physical description, last-seen circumstances)
and the sharing-permission level set by the reporter [M2]; clothing and dental records from the
INTERPOL ante-mortem form [I7]; who reported and when [I4][P2]; civilian or military with unit.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from homecoming.casework._base import (
    Code,
    CombatantStatus,
    PastDate,
    Record,
    Sex,
    SharingLevel,
    Text,
)

__all__ = ["MissingPerson"]


class MissingPerson(Record):
    """A person reported missing (ante-mortem data). Genetic data never lives here."""

    id: Code
    surname: Text
    given_name: Text
    patronymic: str | None = None
    birth_date: PastDate | None = None
    birth_place: str | None = None
    sex: Sex = Sex.UNKNOWN
    height_cm: float | None = Field(default=None, ge=30, le=250)
    last_seen_place: str | None = None
    last_seen_on: PastDate | None = None
    circumstances: str = ""
    distinguishing_marks: str = ""
    dental_notes: str = ""
    clothing: str = ""
    status: CombatantStatus = CombatantStatus.UNKNOWN
    military_unit: str | None = None
    incident_id: Code | None = None
    reported_by: Text
    reported_on: PastDate
    sharing_level: SharingLevel = SharingLevel.INSTITUTION_ONLY
    notes: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.last_seen_on and self.birth_date and self.last_seen_on < self.birth_date:
            # personal dates: the rule, never the dates themselves
            raise ValueError("expected last_seen_on on or after birth_date")
        if self.last_seen_on and self.reported_on < self.last_seen_on:
            raise ValueError("expected reported_on on or after last_seen_on")
        if self.military_unit and self.status is not CombatantStatus.MILITARY:
            raise ValueError("expected status 'military' when a military_unit is given")
        return self

    @property
    def full_name(self) -> str:
        """Surname, given name and patronymic, as in the Ukrainian register."""
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)
