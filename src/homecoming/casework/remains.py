"""Human remains: a body, a body part or a commingled unit, under a unique body code.

Fields follow docs/background/casework-standards.md §4.4: the unique code carried on body, bag,
photos and burial place [C2]; record type body / body part / commingled unit [P2]; grave and
in-situ position [X1]; condition fresh / decomposed / skeletonised [N2]; clothing and personal
effects each with its own id [I7][X1]; status recovered → examined → sampled → identified /
unidentified → released [I1][I3] (derived).
"""

from __future__ import annotations

import enum
from typing import Self

from pydantic import Field, field_validator, model_validator

from homecoming.casework._base import (
    Code,
    Geometry,
    PastDate,
    Record,
    StatusTransitionError,
    Text,
    Value,
    no_duplicates,
)

__all__ = ["RemainsKind", "Condition", "RemainsStatus", "REMAINS_TRANSITIONS", "EffectCategory",
           "PersonalEffect", "Remains", "check_remains_transition"]


class RemainsKind(enum.Enum):
    BODY = "body"
    BODY_PART = "body_part"
    COMMINGLED = "commingled"        # a commingled unit: parts of several individuals


class Condition(enum.Enum):
    FRESH = "fresh"
    DECOMPOSED = "decomposed"
    SKELETONISED = "skeletonised"
    BURNT = "burnt"


class RemainsStatus(enum.Enum):
    RECOVERED = "recovered"
    EXAMINED = "examined"
    SAMPLED = "sampled"
    IDENTIFIED = "identified"
    UNIDENTIFIED = "unidentified"
    RELEASED = "released"


#: allowed status changes; an unidentified body may still be identified later.
REMAINS_TRANSITIONS: dict[RemainsStatus, frozenset[RemainsStatus]] = {
    RemainsStatus.RECOVERED: frozenset({RemainsStatus.EXAMINED}),
    RemainsStatus.EXAMINED: frozenset({RemainsStatus.SAMPLED}),
    RemainsStatus.SAMPLED: frozenset({RemainsStatus.IDENTIFIED, RemainsStatus.UNIDENTIFIED}),
    RemainsStatus.UNIDENTIFIED: frozenset({RemainsStatus.IDENTIFIED, RemainsStatus.RELEASED}),
    RemainsStatus.IDENTIFIED: frozenset({RemainsStatus.RELEASED}),
    RemainsStatus.RELEASED: frozenset(),
}


def check_remains_transition(current: RemainsStatus, new: RemainsStatus, *, key: str = "") -> None:
    """Raise :class:`StatusTransitionError` unless ``current -> new`` is allowed (or equal)."""
    if new is current or new in REMAINS_TRANSITIONS[current]:
        return
    allowed = ", ".join(repr(s.value) for s in sorted(REMAINS_TRANSITIONS[current],
                                                      key=lambda s: s.value)) or "none (final)"
    who = f" of remains {key!r}" if key else ""
    raise StatusTransitionError(
        f"Remains.status{who}: {current.value!r} -> {new.value!r} is not an allowed status "
        f"change; expected one of {allowed}", field="Remains.status", value=new.value,
        expected=allowed)


class EffectCategory(enum.Enum):
    CLOTHING = "clothing"
    JEWELLERY = "jewellery"
    DOCUMENT = "document"            # passport, military id, letters
    PHONE = "phone"
    RELIGIOUS = "religious"
    PROJECTILE = "projectile"        # recovered foreign object (bullet, fragment)
    LIGATURE = "ligature"            # e.g. the cord that bound the hands
    OTHER = "other"


class PersonalEffect(Value):
    """A clothing item, personal effect or foreign object found with remains, with its own id."""

    id: Code
    category: EffectCategory = EffectCategory.OTHER
    description: Text


class Remains(Record):
    """A set of human remains under its unique body code."""

    key_field = "code"

    code: Code
    kind: RemainsKind = RemainsKind.BODY
    grave_id: Code | None = None
    incident_id: Code | None = None
    recovered_on: PastDate | None = None
    position: str | None = None                  # in situ: e.g. "supine, head to the west"
    location: Geometry | None = None             # in-situ coordinates
    depth_m: float | None = Field(default=None, ge=0, le=100)
    condition: Condition = Condition.DECOMPOSED
    effects: tuple[PersonalEffect, ...] = ()
    status: RemainsStatus = RemainsStatus.RECOVERED
    storage_location: str | None = None          # morgue / refrigerated container
    notes: str = ""

    @field_validator("effects")
    @classmethod
    def _unique_effects(cls, effects: tuple[PersonalEffect, ...]) -> tuple[PersonalEffect, ...]:
        no_duplicates(tuple(e.id for e in effects), "personal effect ids")
        return effects

    @model_validator(mode="after")
    def _origin(self) -> Self:
        return self

    def with_status(self, status: RemainsStatus | str) -> Remains:
        """A copy in the new status; raises StatusTransitionError if the change is not allowed."""
        new = status if isinstance(status, RemainsStatus) else RemainsStatus(status)
        check_remains_transition(self.status, new, key=self.code)
        return self.evolve(status=new)


_ = StatusTransitionError
