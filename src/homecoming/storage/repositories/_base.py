"""The generic repository: casework record <-> table row, with an audit record per change.

Column names equal the record's field names. A row is built from ``record.model_dump()``:
enumerations become their text values, nested values (geometries, lists of team members,
injuries, genotypes) become JSON; a record is rebuilt (and validated again) from a row with
``Model.model_validate``.
"""

from __future__ import annotations

import datetime as _dt
import enum
import getpass
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import JSON, Table, delete, func, insert, select, text, update
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from homecoming.casework import Record
from homecoming.errors import InputError, IntegrityError, NotFoundError
from homecoming.settings import current_user
from homecoming.storage import audit_chain, tables, tables_speed
from homecoming.storage.database import ConcurrentChangeError, safe_reason

__all__ = ["Repository", "write_audit", "audit_records", "AuditRecord"]

M = TypeVar("M", bound=Record)

_CHUNK = 500


def _now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


#: the PostgreSQL advisory lock that serialises appends to the audit chain
AUDIT_LOCK = 0x486F6D65  # "Home"


def _db_role(session: Session) -> str:
    """The database role writing (PostgreSQL ``current_user``; SQLite: ``os:<user>``)."""
    cached = session.info.get("homecoming_db_role")
    if cached is None:
        if session.get_bind().dialect.name == "postgresql":
            cached = str(session.execute(text("SELECT current_user")).scalar_one())
        else:
            try:
                cached = f"os:{getpass.getuser()}"
            except Exception:  # no login name (a container without a passwd entry)
                cached = "os:unknown"
        session.info["homecoming_db_role"] = cached
    return str(cached)


def write_audit(session: Session, rows: Sequence[Mapping[str, Any]], *,
                user: str | None = None) -> None:
    """Append audit records: each row has table_name, record_key, action, before, after
    (and optionally reason). Actions: insert, update, delete, read, export.

    The entries extend the hash chain (:mod:`homecoming.storage.audit_chain`): each gets the
    next ``seq``, the previous entry's hash and, for insert/update, the digest of the record
    as now stored in this transaction. On PostgreSQL an advisory lock held until commit keeps
    concurrent transactions from forking the chain."""
    if not rows:
        return
    who = user or current_user()
    if len(who) > tables.NAME or not who.isprintable():
        raise InputError(f"audit: the acting person's name ({len(who)} characters) is not "
                         f"valid; expected at most {tables.NAME} printable characters "
                         "(HOMECOMING_USER)", field="user")
    at = _now()
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    role = _db_role(session)
    log = tables.audit_log
    head = session.execute(select(log.c.seq, log.c.entry_hash).order_by(log.c.seq.desc())
                           .limit(1)).first()
    seq, prev = (int(head.seq), str(head.entry_hash)) if head is not None else \
        (0, audit_chain.GENESIS)
    wanted: dict[str, set[str]] = {}
    for row in rows:
        if row["action"] in ("insert", "update") and row["table_name"] in tables.metadata.tables:
            wanted.setdefault(row["table_name"], set()).add(str(row["record_key"]))
    digests = {name: audit_chain.read_digests(session, tables.metadata.tables[name], keys)
               for name, keys in wanted.items()}
    entries = []
    for row in rows:
        seq += 1
        entry = {"at": at, "user_name": who, "db_role": role, "reason": None, **row,
                 "seq": seq, "prev_hash": prev}
        entry["record_sha256"] = digests.get(row["table_name"], {}).get(str(row["record_key"]))
        entry["entry_hash"] = prev = audit_chain.entry_hash(entry)
        entries.append(entry)
    session.execute(insert(log), entries)
    mentions = [{"table_name": entry["table_name"], "record_key": name, "seq": entry["seq"]}
                for entry in entries for name in mentioned(entry)]
    if mentions:
        session.execute(insert(tables_speed.audit_mentions), mentions)


def mentioned(entry: Mapping[str, Any]) -> list[str]:
    """The records a multi-record ``read`` or ``export`` entry names in ``after["records"]``
    (indexed in ``audit_mentions``); [] for any other entry (its ``record_key`` names it)."""
    after = entry.get("after")
    if entry.get("action") not in ("read", "export") or not isinstance(after, dict):
        return []
    records = after.get("records")
    names = sorted({str(r) for r in records}) if isinstance(records, list) else []
    return names if len(names) > 1 else []


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *,
                what: str, chunk: int = _CHUNK) -> int:
    """Insert ``rows`` into ``table`` in statements of at most ``chunk`` rows (in the caller's
    transaction). A row the database refuses (unique key, reference, check) is an
    :class:`~homecoming.errors.IntegrityError` naming ``what`` and the database's reason
    (never the row's values); the caller's transaction then writes nothing."""
    for start in range(0, len(rows), chunk):
        try:
            session.execute(insert(table), list(rows[start:start + chunk]))
        except sa_exc.IntegrityError as exc:
            raise IntegrityError(f"{what}: the database refused the change "
                                 f"({safe_reason(exc.orig)}); nothing was written") from None
    return len(rows)


def _versions(session: Session) -> dict[tuple[str, str], int]:
    """(table, key) -> the row version this transaction first read (compare-and-set)."""
    return session.info.setdefault("homecoming_row_versions", {})



#: per repository class, the names of its model's fields that are columns of its table
_ROW_FIELDS: dict[type, list[str]] = {}

class AuditRecord(dict[str, Any]):
    """One audit record: id, seq, at, user_name, db_role, table_name, record_key, action,
    reason, before, after, record_sha256, prev_hash, entry_hash."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def audit_records(session: Session, *, table: str | None = None, key: str | None = None,
                  action: str | None = None, mentions: str | None = None
                  ) -> list[AuditRecord]:
    """Audit records, oldest first, optionally only for one table / record key / action;
    ``mentions``: only the multi-record read and export entries that name that record in
    ``after["records"]`` (through the ``audit_mentions`` index)."""
    query = select(tables.audit_log).order_by(tables.audit_log.c.id)
    if mentions is not None:
        index = tables_speed.audit_mentions
        named = select(index.c.seq).where(index.c.record_key == mentions)
        if table is not None:
            named = named.where(index.c.table_name == table)
        query = query.where(tables.audit_log.c.seq.in_(named))
    if table is not None:
        query = query.where(tables.audit_log.c.table_name == table)
    if key is not None:
        query = query.where(tables.audit_log.c.record_key == key)
    if action is not None:
        query = query.where(tables.audit_log.c.action == action)
    out = []
    for row in session.execute(query):
        record = AuditRecord(row._mapping)
        if record["at"] is not None and record["at"].tzinfo is None:  # SQLite keeps no zone
            record["at"] = record["at"].replace(tzinfo=_dt.timezone.utc)
        out.append(record)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    return value


class Repository(Generic[M]):
    """Add, get, list, update and delete one kind of casework record.

    Every change writes an audit record (who, when, table, key, action, before/after JSON) in
    the same transaction. Writes are checked first and fail with one-line errors:
    :class:`~homecoming.errors.IntegrityError` for a duplicate key or a reference to a record
    that does not exist, :class:`~homecoming.errors.NotFoundError` for a missing record.
    """

    model: ClassVar[type[Record]]
    table: ClassVar[Table]
    #: what a record is called in messages ("grave", "sample")
    noun: ClassVar[str]

    def __init__(self, session: Session, *, user: str | None = None) -> None:
        self.session = session
        self.user = user

    # --- mapping ------------------------------------------------------------------------

    @property
    def key_column(self) -> Any:
        return self.table.c[self.model.key_field]

    def to_row(self, record: M) -> dict[str, Any]:
        as_json = record.model_dump(mode="json")
        row: dict[str, Any] = {}
        for name in type(record).model_fields:
            column = self.table.c[name]
            if isinstance(column.type, JSON):
                row[name] = as_json[name]
            else:
                row[name] = _plain(getattr(record, name))
        return row

    def from_row(self, row: Mapping[str, Any]) -> M:
        names = _ROW_FIELDS.get(type(self))
        if names is None:    # the model's fields that are columns of the table, once per class
            names = _ROW_FIELDS[type(self)] = [name for name in self.model.model_fields
                                               if name in self.table.c]
        data = {name: row[name] for name in names if name in row}
        return self.model.model_validate(data)  # type: ignore[return-value]

    def audit_view(self, record: M) -> dict[str, Any]:
        """What the audit trail keeps of a record (all fields by default)."""
        return record.to_dict()

    # --- checks -------------------------------------------------------------------------

    def _check_type(self, record: Any) -> None:
        if not isinstance(record, self.model):
            raise InputError(f"{type(self).__name__}: expected a {self.model.__name__}, got "
                             f"{type(record).__name__}", value=record,
                             expected=self.model.__name__)

    def _existing(self, column: Any, values: Iterable[Any]) -> set[Any]:
        values = list({v for v in values if v is not None})
        found: set[Any] = set()
        for start in range(0, len(values), _CHUNK):
            chunk = values[start:start + _CHUNK]
            found.update(self.session.execute(select(column).where(column.in_(chunk)))
                         .scalars())
        return found

    def _check_references(self, rows: Sequence[Mapping[str, Any]]) -> None:
        for column in self.table.columns:
            for fk in column.foreign_keys:
                target = fk.column
                wanted = {row.get(column.name) for row in rows} - {None}
                if not wanted:
                    continue
                missing = wanted - self._existing(target, wanted)
                if missing:
                    bad = sorted(missing)[0]
                    raise IntegrityError(
                        f"{self.model.__name__}.{column.name}: {bad!r} does not exist; expected "
                        f"the {target.name} of a stored record in {target.table.name}",
                        field=f"{self.model.__name__}.{column.name}", value=bad,
                        expected=f"an existing {target.table.name}.{target.name}")

    def _check_new_keys(self, keys: Sequence[str]) -> None:
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                raise IntegrityError(
                    f"{self.model.__name__}.{self.model.key_field}: {key!r} appears twice; "
                    f"expected a unique {self.model.key_field}",
                    field=f"{self.model.__name__}.{self.model.key_field}", value=key)
            seen.add(key)
        taken = self._existing(self.key_column, keys)
        if taken:
            key = sorted(taken)[0]
            raise IntegrityError(
                f"{self.model.__name__}.{self.model.key_field}: {key!r} already exists; "
                f"expected a new {self.model.key_field}",
                field=f"{self.model.__name__}.{self.model.key_field}", value=key)

    def check_update(self, current: M, new: M) -> None:
        """Raise if ``current -> new`` is not an allowed change (subclasses add rules)."""

    def _execute(self, statement: Any, params: Any = None) -> Any:
        try:
            if params is None:
                return self.session.execute(statement)
            return self.session.execute(statement, params)
        except sa_exc.IntegrityError as exc:  # a constraint the checks above did not foresee
            raise IntegrityError(f"{self.table.name}: the database refused the change "
                                 f"({safe_reason(exc.orig)})") from None

    # --- operations ---------------------------------------------------------------------

    def add(self, record: M) -> M:
        """Store a new record (its key must be new, its references must exist)."""
        self.add_all([record])
        return record

    def add_all(self, records: Iterable[M]) -> int:
        """Store many new records in one go (checked together first); returns how many."""
        records = list(records)
        for record in records:
            self._check_type(record)
        if not records:
            return 0
        rows = [self.to_row(r) for r in records]
        self._check_new_keys([r.key for r in records])
        self._check_references(rows)
        insert_rows(self.session, self.table, rows, what=self.table.name)
        write_audit(self.session, [
            {"table_name": self.table.name, "record_key": r.key, "action": "insert",
             "before": None, "after": self.audit_view(r)} for r in records], user=self.user)
        return len(records)

    def find(self, key: str) -> M | None:
        """The record under ``key``, or None."""
        row = self.session.execute(select(self.table).where(self.key_column == key)).first()
        if row is None:
            return None
        self._seen(key, row._mapping)
        return self.from_row(row._mapping)

    def _seen(self, key: str, row: Mapping[str, Any]) -> int | None:
        """Remember the row version first read in this transaction; return it."""
        if "row_version" not in row:
            return None
        return _versions(self.session).setdefault((self.table.name, key),
                                                  int(row["row_version"]))

    def get(self, key: str) -> M:
        """The record under ``key``; NotFoundError if there is none."""
        record = self.find(key)
        if record is None:
            raise NotFoundError(f"{self.model.__name__} {key!r} not found")
        return record

    def keys(self) -> set[str]:
        """Every stored key (e.g. to check an import file before writing anything)."""
        return set(self.session.execute(select(self.key_column)).scalars())

    def exists(self, key: str) -> bool:
        return bool(self._existing(self.key_column, [key]))

    def _where(self, query: Any, filters: Mapping[str, Any]) -> Any:
        for name, value in filters.items():
            if name not in self.table.c:
                raise InputError(f"{type(self).__name__}.list: unknown filter {name!r}; "
                                 f"expected one of {', '.join(self.table.c.keys())}",
                                 field=name)
            query = query.where(self.table.c[name] == _plain(value))
        return query

    def list(self, *, limit: int | None = None, offset: int = 0, **filters: Any) -> list[M]:
        """Records in key order; ``filters`` are column == value (e.g. ``site_id="S-1"``)."""
        query = self._where(select(self.table), filters).order_by(self.key_column)
        if limit is not None:
            query = query.limit(limit)
        if offset:
            query = query.offset(offset)
        return [self.from_row(row._mapping) for row in self.session.execute(query)]

    def count(self, **filters: Any) -> int:
        query = self._where(select(func.count()).select_from(self.table), filters)
        return int(self.session.execute(query).scalar_one())

    def update(self, key: str, **changes: Any) -> M:
        """Change some fields of a stored record (validated; the key cannot change).

        Compare-and-set: the record must still be at the row version this transaction first
        read (e.g. when a CSV update was planned); if another command changed it since,
        :class:`~homecoming.storage.database.ConcurrentChangeError` and nothing is written."""
        row = self.session.execute(select(self.table).where(self.key_column == key)).first()
        if row is None:
            raise NotFoundError(f"{self.model.__name__} {key!r} not found")
        expected = self._seen(key, row._mapping)
        if expected is not None and int(row._mapping["row_version"]) != expected:
            raise self._conflict(key)
        current = self.from_row(row._mapping)
        key_field = self.model.key_field
        if key_field in changes and changes[key_field] != key:
            raise InputError(f"{self.model.__name__}.{key_field}: the key of a stored record "
                             f"cannot change ({key!r} -> {changes[key_field]!r})",
                             field=f"{self.model.__name__}.{key_field}",
                             value=changes[key_field])
        new = current.evolve(**changes)
        self.check_update(current, new)
        before, after = self.to_row(current), self.to_row(new)
        changed = {name: value for name, value in after.items() if before[name] != value}
        if not changed:
            return new
        self._check_references([changed])
        statement = update(self.table).where(self.key_column == key)
        if expected is not None:
            statement = statement.where(self.table.c.row_version == expected) \
                .values(row_version=expected + 1)
        result = self._execute(statement.values(**changed))
        if expected is not None:
            if result.rowcount != 1:
                raise self._conflict(key)
            _versions(self.session)[(self.table.name, key)] = expected + 1
        write_audit(self.session, [{"table_name": self.table.name, "record_key": key,
                                    "action": "update", "before": self.audit_view(current),
                                    "after": self.audit_view(new)}], user=self.user)
        return new

    def _conflict(self, key: str) -> ConcurrentChangeError:
        return ConcurrentChangeError(
            f"{self.model.__name__} {key!r} was changed by another command after this one "
            "read it; nothing was written: run the command again to see the new values")

    def delete(self, key: str) -> M:
        """Delete a stored record (refused while other records refer to it); returns it."""
        current = self.get(key)
        self._check_not_referenced(key)
        self._execute(delete(self.table).where(self.key_column == key))
        write_audit(self.session, [{"table_name": self.table.name, "record_key": key,
                                    "action": "delete", "before": self.audit_view(current),
                                    "after": None}], user=self.user)
        return current

    def delete_many(self, keys: Iterable[str]) -> int:
        """Delete many stored records (all must exist, none may be referred to); audited.
        Returns how many were deleted."""
        keys = sorted(set(keys))
        if not keys:
            return 0
        found: dict[str, M] = {}
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start:start + _CHUNK]
            for row in self.session.execute(select(self.table)
                                            .where(self.key_column.in_(chunk))):
                record = self.from_row(row._mapping)
                found[record.key] = record
        missing = [k for k in keys if k not in found]
        if missing:
            raise NotFoundError(f"{self.model.__name__} {missing[0]!r} not found")
        for other in tables.metadata.sorted_tables:
            for fk in other.foreign_keys:
                if fk.column is not self.key_column:
                    continue
                for start in range(0, len(keys), _CHUNK):
                    chunk = keys[start:start + _CHUNK]
                    ref = self.session.execute(select(fk.parent).select_from(other)
                                               .where(fk.parent.in_(chunk)).limit(1)).scalar()
                    if ref is not None:
                        raise IntegrityError(
                            f"{self.model.__name__} {ref!r} cannot be deleted: records in "
                            f"{other.name} refer to it", value=ref)
        for start in range(0, len(keys), _CHUNK):
            self._execute(delete(self.table).where(self.key_column.in_(keys[start:start
                                                                            + _CHUNK])))
        write_audit(self.session, [{"table_name": self.table.name, "record_key": k,
                                    "action": "delete", "before": self.audit_view(found[k]),
                                    "after": None} for k in keys], user=self.user)
        return len(keys)

    def _check_not_referenced(self, key: str) -> None:
        for other in tables.metadata.sorted_tables:
            for fk in other.foreign_keys:
                if fk.column is self.key_column:
                    n = self.session.execute(select(func.count()).select_from(other)
                                             .where(fk.parent == key)).scalar_one()
                    if n:
                        raise IntegrityError(
                            f"{self.model.__name__} {key!r} cannot be deleted: {n} record(s) "
                            f"in {other.name} refer to it", value=key)


def genotypes_digest(genotypes: Mapping[str, Sequence[str | None]]) -> str:
    """SHA-256 of a profile's genotypes (canonical JSON): the audit trail keeps this, never
    the alleles."""
    canonical = json.dumps({k: list(v) for k, v in sorted(genotypes.items())},
                           separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()
