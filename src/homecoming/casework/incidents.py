"""Incidents: what happened, when and where (shelling, a shooting, a mine), that remains,
missing persons and evidence link to.

Weapon classes follow the OHCHR / HRMMU reporting of civilian casualties in Ukraine: explosive
weapons with wide area effects (artillery, MLRS, missiles, air strikes), mines and explosive
remnants of war, small arms and light weapons, and other (ground-level killings such as
stabbings and beatings) [H4][H9] (docs/background/casework-standards.md §2.10, §4.5).
``UNDETERMINED`` is ours: the class is not (yet) known.
"""

from __future__ import annotations

import enum
from typing import Self

from pydantic import model_validator

from homecoming.casework._base import Code, Geometry, PastDate, Record, Text

__all__ = ["WeaponClass", "Incident"]


class WeaponClass(enum.Enum):
    """UN monitoring mission (HRMMU) weapon classes, plus 'undetermined'."""

    EXPLOSIVE_WIDE_AREA = "explosive_wide_area"  # artillery, MLRS, missiles, air strikes
    MINES_ERW = "mines_erw"                      # mines and explosive remnants of war
    SMALL_ARMS = "small_arms"                    # small arms and light weapons
    OTHER = "other"                              # e.g. stabbing, beating
    UNDETERMINED = "undetermined"

    @property
    def label(self) -> str:
        """The class as OHCHR/HRMMU reports name it."""
        return _WEAPON_LABELS[self]


_WEAPON_LABELS = {
    WeaponClass.EXPLOSIVE_WIDE_AREA: "explosive weapons with wide area effects",
    WeaponClass.MINES_ERW: "mines and explosive remnants of war",
    WeaponClass.SMALL_ARMS: "small arms and light weapons",
    WeaponClass.OTHER: "other",
    WeaponClass.UNDETERMINED: "undetermined",
}


class Incident(Record):
    """An event of violence: date (or date range), place, weapon class, description."""

    id: Code
    occurred_on: PastDate
    occurred_until: PastDate | None = None
    place: Text
    location: Geometry | None = None
    weapon_class: WeaponClass = WeaponClass.UNDETERMINED
    description: str = ""
    source: str | None = None

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.occurred_until is not None and self.occurred_until < self.occurred_on:
            raise ValueError(f"expected occurred_until ({self.occurred_until}) on or after "
                             f"occurred_on ({self.occurred_on})")
        return self
