"""Graves: features within a site, with a life cycle reported → verified → protected →
excavated → closed (docs/background/casework-standards.md §4.2; Bournemouth Protocol [B2][B3],
the sequence is derived).

Any status may be recorded when a grave is first entered (a grave found already excavated is
entered as such); afterwards :meth:`Grave.with_status` (and the storage layer on update)
allows only the transitions in :data:`GRAVE_TRANSITIONS`.
"""

from __future__ import annotations

import enum
from typing import Self

from pydantic import Field, model_validator

from homecoming.casework._base import Code, Geometry, Record, StatusTransitionError

__all__ = ["GraveType", "GraveStatus", "GRAVE_TRANSITIONS", "Grave", "check_grave_transition"]


class GraveType(enum.Enum):
    SINGLE = "single"
    MASS = "mass"                             # more than one body (Bournemouth definition)
    SURFACE_SCATTERED = "surface_scattered"


class GraveStatus(enum.Enum):
    REPORTED = "reported"
    VERIFIED = "verified"
    PROTECTED = "protected"
    EXCAVATED = "excavated"
    CLOSED = "closed"


#: allowed status changes: current -> the statuses it may move to
GRAVE_TRANSITIONS: dict[GraveStatus, frozenset[GraveStatus]] = {
    GraveStatus.REPORTED: frozenset({GraveStatus.VERIFIED}),
    GraveStatus.VERIFIED: frozenset({GraveStatus.PROTECTED}),
    GraveStatus.PROTECTED: frozenset({GraveStatus.EXCAVATED}),
    GraveStatus.EXCAVATED: frozenset({GraveStatus.CLOSED}),
    GraveStatus.CLOSED: frozenset(),
}


def check_grave_transition(current: GraveStatus, new: GraveStatus, *, key: str = "") -> None:
    """Raise :class:`StatusTransitionError` unless ``current -> new`` is allowed (or equal)."""
    if new is current or new in GRAVE_TRANSITIONS[current]:
        return
    allowed = ", ".join(repr(s.value) for s in sorted(GRAVE_TRANSITIONS[current],
                                                      key=lambda s: s.value)) or "none (final)"
    who = f" of grave {key!r}" if key else ""
    raise StatusTransitionError(
        f"Grave.status{who}: {current.value!r} -> {new.value!r} is not an allowed status change; "
        f"expected one of {allowed}", field="Grave.status", value=new.value, expected=allowed)


class Grave(Record):
    """A grave at a site: label/number, marker inscription, coordinates, type, status, MNI."""

    id: Code
    site_id: Code
    label: str = Field(min_length=1, max_length=200)   # e.g. the number on the cross
    marker_inscription: str | None = None               # text on the cross / marker
    location: Geometry | None = None
    grave_type: GraveType = GraveType.SINGLE
    status: GraveStatus = GraveStatus.REPORTED
    minimum_individuals: int | None = Field(default=None, ge=0)   # MNI; None = not yet known
    estimated_individuals: int | None = Field(default=None, ge=0)
    notes: str = ""

    @model_validator(mode="after")
    def _counts(self) -> Self:
        if self.grave_type is GraveType.SINGLE and (self.minimum_individuals or 0) > 1:
            raise ValueError(f"expected minimum_individuals <= 1 for a single grave, got "
                             f"{self.minimum_individuals} (use grave_type 'mass')")
        return self

    def with_status(self, status: GraveStatus | str) -> Grave:
        """A copy in the new status; raises StatusTransitionError if the change is not allowed."""
        new = status if isinstance(status, GraveStatus) else GraveStatus(status)
        check_grave_transition(self.status, new, key=self.id)
        return self.evolve(status=new)
