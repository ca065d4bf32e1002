"""Helpers shared by the services: the permission check of write services."""

from __future__ import annotations

from typing import Any

__all__ = ["_authorize"]


def _authorize(session: Any, permission: str, actor: str | None = None,
               *more: str) -> str:
    """Refuse (:class:`~homecoming.errors.PermissionDenied`) unless ``actor`` holds
    ``permission`` (and every permission in ``more``) of the permission table
    (:data:`homecoming.casework.accounts.PERMISSIONS`); returns the acting person's name.

    Every write service calls this first, in the transaction it writes in; while the database
    holds no account nothing is checked (:func:`homecoming.services.accounts.authorize`).
    """
    from homecoming.services.accounts import authorize

    who = authorize(session, permission, actor=actor)
    for name in more:
        authorize(session, name, actor=actor)
    return who
