"""Graves (life-cycle status changes checked on update) and exhumations."""

from __future__ import annotations

from homecoming.casework import Exhumation, Grave, GraveStatus, check_grave_transition
from homecoming.storage import tables
from homecoming.storage.repositories._base import Repository

__all__ = ["GraveRepository", "ExhumationRepository"]


class GraveRepository(Repository[Grave]):
    model = Grave
    table = tables.graves
    noun = "grave"

    def check_update(self, current: Grave, new: Grave) -> None:
        check_grave_transition(current.status, new.status, key=current.id)

    def set_status(self, key: str, status: GraveStatus | str) -> Grave:
        """Move a grave to a new life-cycle status (only the allowed transitions)."""
        return self.update(key, status=status)


class ExhumationRepository(Repository[Exhumation]):
    model = Exhumation
    table = tables.exhumations
    noun = "exhumation"
