"""Graves (life-cycle status changes checked on update) and exhumations."""

from __future__ import annotations

from sqlalchemy import select

from homecoming.casework import (
    Exhumation,
    Grave,
    GraveStatus,
    HazardArea,
    check_grave_transition,
)
from homecoming.storage import tables
from homecoming.storage.repositories._base import Repository
from homecoming.storage.repositories.sites import HazardAreaRepository

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

    def uncleared_hazards(self, grave_id: str) -> list[HazardArea]:
        """Hazard areas not yet cleared at the site of ``grave_id``: the field team must see
        these before work starts (mines and UXO preceded the work at Izium)."""
        site_id = self.session.execute(select(tables.graves.c.site_id)
                                       .where(tables.graves.c.id == grave_id)).scalar()
        if site_id is None:
            return []
        return HazardAreaRepository(self.session).uncleared(site_id)
