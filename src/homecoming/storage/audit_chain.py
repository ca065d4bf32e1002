"""The audit trail as a hash chain: canonical serialisation, entry hashes, record digests.

Each audit entry commits to the previous entry's hash and to a SHA-256 digest of the record
as written, so that changing, deleting, inserting or reordering entries, or changing a record
behind the application's back, is found by ``homecoming audit verify``.

Canonical serialisation (stable forever: verification of old databases depends on it):
JSON with sorted keys, no spaces (``separators=(",", ":")``), UTF-8 (``ensure_ascii=False``),
dates and date-times as ISO text in UTC (``2026-12-07T09:00:00.000001+00:00``).

- ``entry_hash = sha256(canonical({seq, at, user_name, db_role, table_name, record_key,
  action, reason, before, after, record_sha256, prev_hash}))``; ``prev_hash`` of the first
  entry is 64 zeros (:data:`GENESIS`).
- ``record_sha256 = sha256(canonical({column: value}))`` over a record table's columns as
  read back from the database (the surrogate ``id`` of auto-numbered tables and the
  ``row_version`` counter left out), values normalised by column type.
"""

from __future__ import annotations

import datetime as _dt
import enum
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, Table, select

__all__ = ["GENESIS", "ENTRY_FIELDS", "canonical", "entry_hash", "record_digest",
           "digest_columns", "key_columns", "row_key", "register_key", "read_digests"]

#: ``prev_hash`` of the first entry
GENESIS = "0" * 64

#: the fields of an audit entry that its hash covers
ENTRY_FIELDS = ("seq", "at", "user_name", "db_role", "table_name", "record_key", "action",
                "reason", "before", "after", "record_sha256", "prev_hash")

#: columns never part of a record digest (a counter the database bumps)
_NOT_DIGESTED = {"row_version"}

#: table name -> the columns whose values, joined by "|", are the audit record_key
_KEYS: dict[str, tuple[str, ...]] = {
    "candidates": ("pm_barcode", "ref_barcode", "relationship"),
    "elimination_flags": ("pm_barcode", "staff_code"),
}


def register_key(table_name: str, columns: Sequence[str]) -> None:
    """Declare how a table's audit ``record_key`` is formed (``"|".join`` of ``columns``) when
    it is not the table's primary key (e.g. tables numbered by an auto-increment id)."""
    _KEYS[table_name] = tuple(columns)


def _time(value: _dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    return value.astimezone(_dt.UTC).isoformat(timespec="microseconds")


def _default(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        return _time(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"cannot serialise a {type(value).__name__} in an audit entry")


def canonical(value: Any) -> bytes:
    """The canonical serialisation (sorted-key JSON, UTF-8) of a JSON-like value."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=_default).encode("utf-8")


def plain_json(value: Any) -> Any:
    """``value`` as it comes back from a JSON column (tuples become lists, dates text)."""
    if value is None:
        return None
    return json.loads(canonical(value))


def entry_hash(entry: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of an audit entry's :data:`ENTRY_FIELDS`."""
    data = {name: entry.get(name) for name in ENTRY_FIELDS}
    if isinstance(data["at"], _dt.datetime):
        data["at"] = _time(data["at"])
    data["before"] = plain_json(data["before"])
    data["after"] = plain_json(data["after"])
    return hashlib.sha256(canonical(data)).hexdigest()


def digest_columns(table: Table) -> list[str]:
    """The columns a record digest covers."""
    out = []
    for column in table.columns:
        if column.name in _NOT_DIGESTED:
            continue
        if column.primary_key and isinstance(column.type, Integer) and \
                column.autoincrement in (True, "auto") and table.name in _KEYS:
            continue
        out.append(column.name)
    return out


def _normal(column_type: Any, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(column_type, JSON):
        return plain_json(value)
    if isinstance(column_type, DateTime):
        if isinstance(value, str):
            value = _dt.datetime.fromisoformat(value)
        return _time(value)
    if isinstance(column_type, Date):
        return value.isoformat() if isinstance(value, _dt.date) else str(value)
    if isinstance(column_type, Boolean):
        return bool(value)
    if isinstance(column_type, Float):
        return float(value)
    if isinstance(column_type, Integer):
        return int(value)
    return value if isinstance(value, (str, int, float, bool)) else str(value)


def record_digest(table: Table, row: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of a record row as stored (see module docs)."""
    data = {name: _normal(table.c[name].type, row.get(name)) for name in digest_columns(table)}
    return hashlib.sha256(canonical(data)).hexdigest()


def key_columns(table: Table) -> tuple[str, ...] | None:
    """The columns that form a table's audit record_key, or None if it has no usable key."""
    if table.name in _KEYS:
        return _KEYS[table.name]
    pk = [c for c in table.primary_key.columns]
    if len(pk) == 1 and not (isinstance(pk[0].type, Integer)
                             and pk[0].autoincrement in (True, "auto")):
        return (pk[0].name,)
    if len(pk) > 1:
        return tuple(c.name for c in pk)
    return None


def row_key(columns: Sequence[str], row: Mapping[str, Any]) -> str:
    return "|".join(str(row[c]) for c in columns)


def read_digests(connection: Any, table: Table, keys: Iterable[str] | None = None, *,
                 chunk: int = 500) -> dict[str, str]:
    """record_key -> digest of the stored rows of ``table`` (all, or those under ``keys``).
    ``connection`` is a SQLAlchemy Connection or Session."""
    columns = key_columns(table)
    if columns is None:
        return {}
    first = table.c[columns[0]]
    out: dict[str, str] = {}

    def take(rows: Iterable[Any]) -> None:
        for row in rows:
            mapping = row._mapping
            out[row_key(columns, mapping)] = record_digest(table, mapping)

    if keys is None:
        take(connection.execute(select(table)))
        return out
    wanted = set(keys)
    firsts = sorted({k.split("|", 1)[0] if len(columns) > 1 else k for k in wanted})
    for start in range(0, len(firsts), chunk):
        take(connection.execute(select(table).where(first.in_(firsts[start:start + chunk]))))
    return {k: v for k, v in out.items() if k in wanted}


KeyFunction = Callable[[Mapping[str, Any]], str]
