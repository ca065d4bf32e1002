"""Stored records to open the record forms with (views/forms.py), for the route tests and the
browser tests: one key per edit route and custody page."""

from __future__ import annotations

from typing import Any

from homecoming.services.records import list_records
from homecoming.web.views.forms import CUSTODY_PATHS, EDIT_PATHS

_KEY_FIELD = {"remains": "code", "samples": "barcode"}


def stored_key(session: Any, kind: str) -> str:
    """The key of a stored record of ``kind`` (a sample taken from remains, for samples)."""
    rows = list_records(session, kind, actor="admin")
    if kind == "samples":
        rows = [r for r in rows if r["source"] == "remains"]
    return str(rows[0][_KEY_FIELD.get(kind, "id")])


def form_route_keys(session: Any) -> dict[str, str]:
    """Route path -> the key of a stored record, for every edit and custody route."""
    out = {}
    for paths in (EDIT_PATHS, CUSTODY_PATHS):
        for kind, path in paths.items():
            out[path] = stored_key(session, kind)
    return out
