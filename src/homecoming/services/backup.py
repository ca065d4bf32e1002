"""Encrypted backups of a whole Homecoming database, restored only when their audit chain
holds (SQLite and PostgreSQL, either way round).

A backup is every table's rows as JSON (``homecoming-backup@1``: schema revision, tables in
dependency order), compressed and encrypted with Fernet (AES-128-CBC with HMAC-SHA256, from
the ``cryptography`` library) under a key kept in a separate key file (``Fernet`` key,
url-safe base64, one line, owner-only). :func:`restore` decrypts (a wrong key or any changed
byte is refused), verifies the audit chain and every record against its latest audited digest
*inside the backup*, and only then writes into an empty database of the same schema revision,
in one transaction; afterwards the restored database verifies too.
"""

from __future__ import annotations

import datetime as _dt
import gzip
import json
import os
from pathlib import Path
from typing import Any

from homecoming.errors import InputError

__all__ = ["BACKUP_FORMAT", "new_key", "backup", "restore"]

BACKUP_FORMAT = "homecoming-backup@1"


def _fernet(key_file: str | os.PathLike[str]) -> Any:
    from cryptography.fernet import Fernet

    path = Path(key_file)
    try:
        info = path.stat()
        if os.name == "posix" and info.st_mode & 0o077:
            raise InputError(f"{path}: the key file can be read by others (mode "
                             f"{info.st_mode & 0o777:o}); expected an owner-only file "
                             f"(chmod 600 {path})", field="key_file")
        key = path.read_bytes().strip()
        return Fernet(key)
    except OSError as exc:
        raise InputError(f"{path}: cannot read the key file ({exc.strerror}); expected a key "
                         "made by `homecoming backup --new-key`", field="key_file") from None
    except ValueError:
        raise InputError(f"{path}: not a backup key; expected the one-line key made by "
                         "`homecoming backup --new-key`", field="key_file") from None


def new_key(key_file: str | os.PathLike[str]) -> Path:
    """Write a new random key to ``key_file`` (owner-only; refuses to overwrite one)."""
    from cryptography.fernet import Fernet

    from homecoming.settings import private_open

    path = Path(key_file)
    try:
        with private_open(path, "xb") as f:
            f.write(Fernet.generate_key() + b"\n")
    except FileExistsError:
        raise InputError(f"{path}: a key file is already there; expected a new file name "
                         "(never overwrite the key of existing backups)",
                         field="key_file") from None
    return path


def _plain(value: Any) -> Any:
    if isinstance(value, _dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=_dt.UTC)
        return value.isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


def _tables() -> list[Any]:
    from homecoming.storage import tables

    return list(tables.metadata.sorted_tables)


def backup(db: Any, path: str | os.PathLike[str], key_file: str | os.PathLike[str], *,
           actor: str | None = None) -> dict[str, int]:
    """Write an encrypted backup of ``db`` to ``path`` (owner-only, replaced atomically);
    returns rows per table. Needs ``database.admin``."""
    from sqlalchemy import select

    from homecoming.services.accounts import authorize
    from homecoming.settings import private_open

    fernet = _fernet(key_file)
    db.require_current()
    data: dict[str, Any] = {"format": BACKUP_FORMAT, "revision": db.current_revision(),
                            "made_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                            "tables": {}}
    with db.session() as session:
        authorize(session, "database.admin", actor=actor)
        for table in _tables():
            order = list(table.primary_key.columns) or list(table.columns)
            rows = session.execute(select(table).order_by(*order))
            data["tables"][table.name] = [{k: _plain(v) for k, v in r._mapping.items()}
                                          for r in rows]
    blob = fernet.encrypt(gzip.compress(json.dumps(data, ensure_ascii=False,
                                                   separators=(",", ":")).encode("utf-8")))
    target = Path(path)
    partial = target.with_name(target.name + ".partial")
    with private_open(partial, "wb") as f:
        f.write(blob)
    os.replace(partial, target)
    return {name: len(rows) for name, rows in data["tables"].items()}


def _typed(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    from sqlalchemy import Date, DateTime

    out = {}
    for name, value in row.items():
        if name not in table.c:
            raise InputError(f"backup: table {table.name} has no column {name!r} in this "
                             "version; expected a backup of the same schema", field=name)
        kind = table.c[name].type
        if isinstance(value, str) and isinstance(kind, DateTime):
            value = _dt.datetime.fromisoformat(value)
        elif isinstance(value, str) and isinstance(kind, Date):
            value = _dt.date.fromisoformat(value)
        out[name] = value
    return out


def _verify_backup(data: dict[str, Any]) -> list[str]:
    """The problems of the audit chain and records inside a backup (empty: intact)."""
    from homecoming.services.audit import _check_chain, _check_records

    entries = [_typed(_table("audit_log"), dict(r)) for r in data["tables"].get("audit_log", [])]
    entries.sort(key=lambda e: e["id"])
    problems: list[Any] = []
    _check_chain(entries, problems)
    _check_records(_BackupRows(data), entries, problems)
    return [p.message for p in problems]


def _table(name: str) -> Any:
    from homecoming.storage import tables

    return tables.metadata.tables[name]


class _BackupRows:
    """Just enough of a session for ``audit_chain.read_digests``: rows of the backup."""

    class _Row:
        def __init__(self, mapping: dict[str, Any]) -> None:
            self._mapping = mapping

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def execute(self, statement: Any) -> list[Any]:
        table = statement.get_final_froms()[0]
        return [self._Row(_typed(table, dict(r)))
                for r in self.data["tables"].get(table.name, [])]


def restore(db: Any, path: str | os.PathLike[str], key_file: str | os.PathLike[str], *,
            actor: str | None = None) -> dict[str, int]:
    """Restore a backup into ``db``, which must be empty (``homecoming init`` run, no
    records) and at the backup's schema revision; refused, writing nothing, if the key is
    wrong, the file was changed, or its audit chain or records do not verify. Returns rows
    per table."""
    from cryptography.fernet import InvalidToken
    from sqlalchemy import func, insert, select, text

    from homecoming.services.accounts import authorize

    fernet = _fernet(key_file)
    source = Path(path)
    try:
        blob = source.read_bytes()
    except OSError as exc:
        raise InputError(f"{source}: cannot read the backup ({exc.strerror})",
                         field="backup") from None
    try:
        data = json.loads(gzip.decompress(fernet.decrypt(blob)))
    except InvalidToken:
        raise InputError(f"{source}: the backup does not open with this key, or it was "
                         "changed; expected a backup made with this key file",
                         field="backup") from None
    if not isinstance(data, dict) or data.get("format") != BACKUP_FORMAT:
        raise InputError(f"{source}: not a {BACKUP_FORMAT} backup", field="backup")
    head = db.head_revision()
    if data.get("revision") != head:
        raise InputError(f"{source}: a backup of schema revision {data.get('revision')!r}; "
                         f"this Homecoming has {head!r}: restore it with the matching version",
                         field="backup")
    problems = _verify_backup(data)
    if problems:
        raise InputError(f"{source}: the audit trail in the backup does not verify "
                         f"({len(problems)} problem(s); first: {problems[0]}); nothing was "
                         "restored", field="backup")
    db.require_current()
    counts: dict[str, int] = {}
    with db.session() as session:
        if any(session.execute(select(func.count()).select_from(t)).scalar_one()
               for t in _tables()):
            raise InputError(f"database {db.masked_url} is not empty; expected a new database "
                             "(`homecoming --database URL init`) to restore into",
                             field="database")
        for table in _tables():
            rows = [_typed(table, dict(r)) for r in data["tables"].get(table.name, [])]
            for start in range(0, len(rows), 500):
                session.execute(insert(table), rows[start:start + 500])
            counts[table.name] = len(rows)
        if db.backend == "postgresql":  # explicit ids: move the sequences past them
            for table in _tables():
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (column.autoincrement == "auto" and
                                                        column.type.python_type is int):
                        session.execute(text(
                            f"SELECT setval(pg_get_serial_sequence('{table.name}', "
                            f"'{column.name}'), COALESCE((SELECT max({column.name}) FROM "
                            f"{table.name}), 0) + 1, false)"))
        authorize(session, "database.admin", actor=actor)
    return counts
