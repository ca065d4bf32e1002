"""Post-mortem examinations (autopsy / anthropology) and the cause of death.

Fields follow docs/background/casework-standards.md §4.5: persons present and the principal
prosector [N2]; skeletal profile: sex, age, stature [N2]; injuries [I3]; ordered cause-of-death
lines (up to 4) as in HL7 FHIR MDI [H11]; cause, manner and mechanism [I3]; the conflict
mechanism classes reported at Izium — gunshot, blast/shrapnel, mine and explosive injuries,
stab wounds, signs of torture, hands tied [Z2][Z3][Z4] — mapped to the OHCHR/HRMMU weapon
classes [H4][H9] (the crosswalk is derived, see :data:`MECHANISM_WEAPON_CLASS`); civilian /
military / unknown [Z1].
"""

from __future__ import annotations

import enum
from typing import Self

from pydantic import Field, field_validator, model_validator

from homecoming.casework._base import (
    Code,
    CombatantStatus,
    PastDate,
    Range,
    Record,
    Sex,
    Text,
    Value,
)
from homecoming.casework.incidents import WeaponClass

__all__ = ["MechanismClass", "MECHANISM_WEAPON_CLASS", "Manner", "Injury", "Examination"]


class MechanismClass(enum.Enum):
    GUNSHOT = "gunshot"
    BLAST_SHRAPNEL = "blast_shrapnel"
    MINE_ERW = "mine_erw"            # mine or explosive remnant of war
    AIR_STRIKE = "air_strike"
    STAB = "stab"
    BLUNT_FORCE = "blunt_force"
    UNDETERMINED = "undetermined"

    @property
    def weapon_class(self) -> WeaponClass:
        return MECHANISM_WEAPON_CLASS[self]


#: Crosswalk from the mechanism class to the HRMMU weapon classes (derived, as proposed in
#: casework-standards.md §4.5 from [H4][H9]):
#:
#: ================  =========================================================
#: mechanism         HRMMU weapon class
#: ================  =========================================================
#: gunshot           small arms and light weapons
#: blast_shrapnel    explosive weapons with wide area effects (shelling, MLRS, missiles)
#: mine_erw          mines and explosive remnants of war
#: air_strike        explosive weapons with wide area effects
#: stab              other (ground-level killings)
#: blunt_force       other (ground-level killings, beatings)
#: undetermined      undetermined (ours: not yet known)
#: ================  =========================================================
#:
#: A finer crosswalk of mines to the IMSMA device categories [H10] needs the device type,
#: which an examination alone does not give; it belongs to the incident.
MECHANISM_WEAPON_CLASS: dict[MechanismClass, WeaponClass] = {
    MechanismClass.GUNSHOT: WeaponClass.SMALL_ARMS,
    MechanismClass.BLAST_SHRAPNEL: WeaponClass.EXPLOSIVE_WIDE_AREA,
    MechanismClass.MINE_ERW: WeaponClass.MINES_ERW,
    MechanismClass.AIR_STRIKE: WeaponClass.EXPLOSIVE_WIDE_AREA,
    MechanismClass.STAB: WeaponClass.OTHER,
    MechanismClass.BLUNT_FORCE: WeaponClass.OTHER,
    MechanismClass.UNDETERMINED: WeaponClass.UNDETERMINED,
}


class Manner(enum.Enum):
    """Manner of death (the usual medico-legal categories)."""

    HOMICIDE = "homicide"
    ACCIDENT = "accident"
    SUICIDE = "suicide"
    NATURAL = "natural"
    PENDING = "pending"              # pending investigation
    UNDETERMINED = "undetermined"


class Injury(Value):
    """One injury: what, where on the body, by which mechanism, foreign object recovered."""

    description: Text
    body_region: str | None = None
    mechanism: MechanismClass | None = None
    perimortem: bool | None = None
    foreign_object_id: Code | None = None    # id of the labelled projectile / fragment


class Examination(Record):
    """A post-mortem examination of one set of remains."""

    id: Code
    remains_code: Code
    examined_on: PastDate
    prosector: Text                               # principal prosector
    persons_present: tuple[str, ...] = ()
    sex: Sex = Sex.UNKNOWN
    age: Range | None = None                      # years
    stature: Range | None = None                  # centimetres
    injuries: tuple[Injury, ...] = ()
    cause_of_death: tuple[str, ...] = Field(default=(), max_length=4)  # line a (immediate) .. d
    mechanism: MechanismClass = MechanismClass.UNDETERMINED
    manner: Manner = Manner.UNDETERMINED
    torture_signs: bool = False
    hands_bound: bool = False
    status: CombatantStatus = CombatantStatus.UNKNOWN
    specimens_retained: tuple[str, ...] = ()
    notes: str = ""

    @field_validator("cause_of_death")
    @classmethod
    def _lines(cls, lines: tuple[str, ...]) -> tuple[str, ...]:
        for i, line in enumerate(lines):
            if not line.strip():
                raise ValueError(f"expected a non-empty cause-of-death line {'abcd'[i]}")
        return tuple(line.strip() for line in lines)

    @model_validator(mode="after")
    def _ranges(self) -> Self:
        if self.age is not None and self.age.maximum > 120:
            raise ValueError(f"expected age.maximum <= 120 years, got {self.age.maximum}")
        if self.stature is not None and not (30 <= self.stature.minimum
                                             and self.stature.maximum <= 250):
            raise ValueError("expected stature within 30..250 cm, got "
                             f"{self.stature.minimum}..{self.stature.maximum}")
        return self

    @property
    def weapon_class(self) -> WeaponClass:
        """The HRMMU weapon class of the mechanism of death."""
        return self.mechanism.weapon_class

    @property
    def is_child(self) -> bool | None:
        """True if the whole age range is under 18, False if wholly 18+, None if unknown."""
        if self.age is None:
            return None
        if self.age.maximum < 18:
            return True
        if self.age.minimum >= 18:
            return False
        return None
