"""Incidents."""

from __future__ import annotations

from homecoming.casework import Incident
from homecoming.storage import tables
from homecoming.storage.repositories._base import Repository

__all__ = ["IncidentRepository"]


class IncidentRepository(Repository[Incident]):
    model = Incident
    table = tables.incidents
    noun = "incident"
