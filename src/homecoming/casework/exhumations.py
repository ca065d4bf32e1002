"""Exhumations: who dug which grave, when, how, and under whose supervision
(docs/background/casework-standards.md §4.3: all workers by name and role [N2][X1]; supervising
and witnessing authorities [M9]; methods and consultation with families [C5][B2-p17])."""

from __future__ import annotations

import enum
from typing import Self

from pydantic import field_validator, model_validator

from homecoming.casework._base import Code, PastDate, Record, Text, Value

__all__ = ["TeamMember", "ExhumationMethod", "Exhumation"]


class TeamMember(Value):
    """A person taking part: name, role (e.g. 'forensic archaeologist', 'prosecutor's
    investigator'), organisation."""

    name: Text
    role: Text
    organisation: str | None = None


class ExhumationMethod(enum.Enum):
    MANUAL = "manual"
    MECHANICAL = "mechanical"
    MIXED = "mixed"                  # machine to the burial level, then by hand


class Exhumation(Record):
    id: Code
    grave_id: Code
    started_on: PastDate
    ended_on: PastDate | None = None
    team: tuple[TeamMember, ...] = ()
    supervising_authorities: tuple[TeamMember, ...] = ()
    method: ExhumationMethod = ExhumationMethod.MANUAL
    family_consultation: str | None = None
    notes: str = ""

    @field_validator("team")
    @classmethod
    def _unique_team(cls, team: tuple[TeamMember, ...]) -> tuple[TeamMember, ...]:
        seen: dict[tuple[str, str], int] = {}
        for i, m in enumerate(team, start=1):
            if (m.name, m.role) in seen:   # by position: a name is personal data
                raise ValueError(f"expected each team member once, member {i} repeats member "
                                 f"{seen[(m.name, m.role)]} (same name and role)")
            seen[(m.name, m.role)] = i
        return team

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.ended_on is not None and self.ended_on < self.started_on:
            raise ValueError(f"expected ended_on ({self.ended_on}) on or after started_on "
                             f"({self.started_on})")
        return self
