"""Remains (status changes checked on update) and post-mortem examinations."""

from __future__ import annotations

from homecoming.casework import Examination, Remains, RemainsStatus, check_remains_transition
from homecoming.storage import tables
from homecoming.storage.repositories._base import Repository

__all__ = ["RemainsRepository", "ExaminationRepository"]


class RemainsRepository(Repository[Remains]):
    model = Remains
    table = tables.remains
    noun = "remains"

    def check_update(self, current: Remains, new: Remains) -> None:
        check_remains_transition(current.status, new.status, key=current.code)

    def set_status(self, key: str, status: RemainsStatus | str) -> Remains:
        """Move remains to a new status (only the allowed transitions)."""
        return self.update(key, status=status)


class ExaminationRepository(Repository[Examination]):
    model = Examination
    table = tables.examinations
    noun = "examination"
