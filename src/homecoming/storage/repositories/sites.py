"""Sites and their hazard areas."""

from __future__ import annotations

from homecoming.casework import HazardArea, Site
from homecoming.storage import tables
from homecoming.storage.repositories._base import Repository

__all__ = ["SiteRepository", "HazardAreaRepository"]


class SiteRepository(Repository[Site]):
    model = Site
    table = tables.sites
    noun = "site"


class HazardAreaRepository(Repository[HazardArea]):
    model = HazardArea
    table = tables.hazard_areas
    noun = "hazard area"

    def uncleared(self, site_id: str) -> list[HazardArea]:
        """Hazard areas of a site that are not cleared: field teams must see these first."""
        return self.list(site_id=site_id, cleared=False)
