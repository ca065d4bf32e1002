"""Helpers shared by the services: the permission check of write services."""

from __future__ import annotations

from typing import Any

__all__ = ["_authorize"]


def _authorize(session: Any, permission: str, actor: str | None = None) -> None:
    """Refuse (raise) unless ``actor`` may do ``permission``; every write service calls this
    first, in the transaction it writes in.

    The one place where the write services meet the accounts and their permission table;
    it accepts everyone until the accounts service is wired in here.
    """
    del session, permission, actor
