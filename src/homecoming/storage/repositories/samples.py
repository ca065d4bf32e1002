"""Samples and custody events."""

from __future__ import annotations

from sqlalchemy import select

from homecoming.casework import CustodyEvent, Sample
from homecoming.storage import tables
from homecoming.storage.repositories._base import Repository

__all__ = ["SampleRepository", "CustodyEventRepository"]


class SampleRepository(Repository[Sample]):
    model = Sample
    table = tables.samples
    noun = "sample"


class CustodyEventRepository(Repository[CustodyEvent]):
    model = CustodyEvent
    table = tables.custody_events
    noun = "custody event"

    def chain(self, item_id: str) -> list[CustodyEvent]:
        """The chain of custody of one item, oldest transfer first."""
        t = self.table
        query = select(t).where(t.c.item_id == item_id).order_by(t.c.occurred_at, t.c.id)
        return [self.from_row(row._mapping) for row in self.session.execute(query)]
