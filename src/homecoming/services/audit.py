"""The tamper-evident audit trail: verify the hash chain and the stored records, anchor the
head for an outside notary, record reads and exports, and set up the database roles.

The chain (``homecoming.storage.audit_chain``): entry ``seq`` commits to the hash of entry
``seq - 1`` and to the SHA-256 digest of the record as written. :func:`verify` walks it and
names every entry that was modified (its hash no longer matches its content), deleted (a gap
in ``seq``), inserted (an entry the chain does not pass through) or reordered (stored out of
``seq`` order), and every record changed, inserted or deleted outside the application (its
stored digest differs from its latest audited one). :func:`anchor` gives the head hash, count
and time to hand to a notary; ``verify(anchor=...)`` proves the chain still passes through it
(which also finds a chain rewritten from that point on, or cut short).

All functions take a session (``with db.session() as session``) and plain values, check the
permission with ``services.accounts.authorize`` and return plain values.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from homecoming.errors import InputError

__all__ = ["Problem", "VerifyResult", "verify", "anchor", "record_reads", "record_read",
           "record_export", "grant_application_role", "APPLICATION_GRANTS"]


@dataclass(frozen=True)
class Problem:
    """One finding of :func:`verify`: ``kind`` is ``modified``, ``deleted``, ``inserted``,
    ``reordered``, ``broken`` (entries), ``anchor`` (the anchored head), ``index_missing``,
    ``index_extra`` (the index of records named by multi-record entries), or
    ``record_changed``, ``record_inserted``, ``record_deleted`` (records changed outside the
    application). ``seq``/``entry_id`` name the entry, ``table``/``key`` the record."""

    kind: str
    message: str
    seq: int | None = None
    entry_id: int | None = None
    table: str | None = None
    key: str | None = None


@dataclass
class VerifyResult:
    entries: int = 0
    records: int = 0
    head_hash: str | None = None
    head_seq: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "entries": self.entries, "records": self.records,
                "head_seq": self.head_seq, "head_hash": self.head_hash,
                "problems": [asdict(p) for p in self.problems]}


def _authorize(session: Any, permission: str, actor: str | None) -> str:
    from homecoming.services.accounts import authorize

    return authorize(session, permission, actor=actor)


def _entries(session: Any) -> list[dict[str, Any]]:
    from sqlalchemy import select

    from homecoming.storage import tables

    log = tables.audit_log
    return [dict(r._mapping) for r in session.execute(select(log).order_by(log.c.id))]


def _check_chain(entries: list[dict[str, Any]], problems: list[Problem]) -> None:
    from homecoming.storage import audit_chain

    def name(e: Mapping[str, Any]) -> str:
        return f"entry {e['seq']} (id {e['id']}, {e['action']} {e['table_name']} " \
               f"{e['record_key']!r})"

    bad_hash: set[int] = set()
    for e in entries:
        if e["seq"] is None or e["entry_hash"] != audit_chain.entry_hash(e):
            bad_hash.add(e["id"])
            problems.append(Problem("modified", f"{name(e)} was modified: its content no "
                                    "longer matches its hash", e["seq"], e["id"]))
    # reordered: stored (id) order disagrees with the chain (seq) order
    for before, after in zip(entries, entries[1:], strict=False):
        if before["seq"] is not None and after["seq"] is not None and \
                after["seq"] < before["seq"]:
            problems.append(Problem("reordered", f"{name(after)} is stored after entry "
                                    f"{before['seq']}: entries were reordered",
                                    after["seq"], after["id"]))
    chain = sorted((e for e in entries if e["seq"] is not None), key=lambda e: (e["seq"],
                                                                                 e["id"]))
    expected_seq = 1
    prev: dict[str, Any] | None = None
    for i, e in enumerate(chain):
        if prev is not None and e["seq"] == prev["seq"]:
            problems.append(Problem("inserted", f"{name(e)} was inserted: entry {e['seq']} "
                                    "appears twice", e["seq"], e["id"]))
            continue
        if e["seq"] > expected_seq:
            gap = (f"entry {expected_seq}" if e["seq"] == expected_seq + 1 else
                   f"entries {expected_seq} to {e['seq'] - 1}")
            problems.append(Problem("deleted", f"{gap} deleted: the chain jumps from "
                                    f"{expected_seq - 1} to {e['seq']}", expected_seq))
        elif prev is not None or e["seq"] == 1:
            want = prev["entry_hash"] if prev is not None else audit_chain.GENESIS
            if e["prev_hash"] != want and e["id"] not in bad_hash and \
                    (prev is None or prev["id"] not in bad_hash):
                nxt = chain[i + 1] if i + 1 < len(chain) else None
                if nxt is not None and nxt["prev_hash"] == want:
                    problems.append(Problem("inserted", f"{name(e)} was inserted: the chain "
                                            "passes from the entry before it to the one "
                                            "after it", e["seq"], e["id"]))
                    continue
                if nxt is None and prev is not None and \
                        audit_chain.entry_hash(e) == e["entry_hash"]:
                    problems.append(Problem("inserted", f"{name(e)} was inserted: it does "
                                            "not follow the entry before it", e["seq"],
                                            e["id"]))
                    continue
                problems.append(Problem("broken", f"{name(e)} does not follow entry "
                                        f"{prev['seq'] if prev else 0}: an entry before it "
                                        "was replaced or the chain rewritten", e["seq"],
                                        e["id"]))
        prev = e
        expected_seq = e["seq"] + 1


def _check_mentions(session: Any, entries: list[dict[str, Any]],
                    problems: list[Problem]) -> None:
    """The ``audit_mentions`` index names exactly the records that the multi-record read and
    export entries name (one record's trail is read through it)."""
    from sqlalchemy import select

    from homecoming.storage.repositories import mentioned
    from homecoming.storage.tables_speed import audit_mentions as index

    want = {(e["table_name"], name, e["seq"]) for e in entries if e["seq"] is not None
            for name in mentioned(e)}
    have = {(r.table_name, r.record_key, r.seq) for r in session.execute(select(index))}
    for table, key, seq in sorted(want - have, key=lambda m: (m[2], m[0], m[1])):
        problems.append(Problem("index_missing", f"entry {seq} names {table} {key!r}, but the "
                                "index of named records (audit_mentions) lacks it: that "
                                "record's trail would not show the entry", seq,
                                table=table, key=key))
    for table, key, seq in sorted(have - want, key=lambda m: (m[2], m[0], m[1])):
        problems.append(Problem("index_extra", f"the index of named records (audit_mentions) "
                                f"says entry {seq} names {table} {key!r}; it does not", seq,
                                table=table, key=key))


def _check_records(session: Any, entries: list[dict[str, Any]],
                   problems: list[Problem]) -> int:
    from homecoming.storage import audit_chain, tables

    latest: dict[str, dict[str, str | None]] = {}
    for e in sorted((e for e in entries if e["seq"] is not None), key=lambda e: e["seq"]):
        if e["action"] in ("insert", "update"):
            if e["record_sha256"] is None:
                continue  # entries older than the chain keep no digest
            latest.setdefault(e["table_name"], {})[str(e["record_key"])] = e["record_sha256"]
        elif e["action"] == "delete":
            latest.setdefault(e["table_name"], {})[str(e["record_key"])] = None
    # tables whose entries carry digests (others keep entries keyed otherwise), and the
    # casework record tables even when empty of entries (rows inserted behind our back)
    names = {t for t, found in latest.items() if any(v is not None for v in found.values())}
    names |= {t.name for t in tables.RECORD_TABLES}
    checked = 0
    for name in sorted(names):
        table = tables.metadata.tables.get(name)
        if table is None or audit_chain.key_columns(table) is None:
            continue
        stored = audit_chain.read_digests(session, table)
        audited = latest.get(name, {})
        checked += len(stored)
        for key in sorted(set(stored) | set(audited)):
            have, want = stored.get(key), audited.get(key, "missing")
            if have is not None and want == "missing":
                problems.append(Problem("record_inserted", f"{name} {key!r} was inserted "
                                        "outside the application (no audit entry)",
                                        table=name, key=key))
            elif have is not None and want is None:
                problems.append(Problem("record_inserted", f"{name} {key!r} exists but its "
                                        "latest audit entry deleted it: inserted outside the "
                                        "application", table=name, key=key))
            elif have is None and want not in (None, "missing"):
                problems.append(Problem("record_deleted", f"{name} {key!r} was deleted "
                                        "outside the application", table=name, key=key))
            elif have is not None and want != have:
                problems.append(Problem("record_changed", f"{name} {key!r} was changed "
                                        "outside the application: it differs from its "
                                        "latest audited digest", table=name, key=key))
    return checked


def _parse_anchor(value: str | Mapping[str, Any]) -> tuple[int, str]:
    if isinstance(value, Mapping):
        return int(value["count"]), str(value["head_hash"])
    text = str(value).strip()
    count, sep, digest = text.partition(":")
    if not sep or not count.isdigit() or len(digest) != 64:
        raise InputError(f"anchor: {text[:80]!r} is not valid; expected COUNT:HASH as printed "
                         "by `homecoming audit anchor`", field="anchor")
    return int(count), digest.lower()


def verify(session: Any, *, anchor: str | Mapping[str, Any] | None = None,
           records: bool = True, actor: str | None = None) -> VerifyResult:
    """Check the audit chain (and, with ``records``, every stored record against its latest
    audited digest); ``anchor`` (``COUNT:HASH`` or :func:`anchor`'s dict) must still be on
    the chain. Returns the findings; an empty ``problems`` list means intact."""
    _authorize(session, "audit.view", actor)
    entries = _entries(session)
    result = VerifyResult(entries=len(entries))
    _check_chain(entries, result.problems)
    _check_mentions(session, entries, result.problems)
    chained = [e for e in entries if e["seq"] is not None]
    if chained:
        head = max(chained, key=lambda e: e["seq"])
        result.head_seq, result.head_hash = int(head["seq"]), head["entry_hash"]
    if anchor is not None:
        count, digest = _parse_anchor(anchor)
        at = [e for e in chained if e["seq"] == count]
        if count and (not at or at[0]["entry_hash"] != digest):
            result.problems.append(Problem(
                "anchor", f"the anchored head (entry {count}, {digest[:12]}…) is no longer on "
                "the chain: entries up to it were changed, deleted or rewritten", count))
    if records:
        result.records = _check_records(session, entries, result.problems)
    return result


def anchor(session: Any, *, actor: str | None = None) -> dict[str, Any]:
    """The chain's head for an outside notary: ``{"count", "head_hash", "at"}`` (``at`` is
    now, UTC). Give ``f"{count}:{head_hash}"`` to ``verify(anchor=...)`` later."""
    from sqlalchemy import select

    from homecoming.storage import tables

    _authorize(session, "audit.view", actor)
    log = tables.audit_log
    head = session.execute(select(log.c.seq, log.c.entry_hash).order_by(log.c.seq.desc())
                           .limit(1)).first()
    count, digest = (int(head.seq), head.entry_hash) if head else (0, None)
    from homecoming.storage import audit_chain

    return {"count": count, "head_hash": digest or audit_chain.GENESIS,
            "at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds")}


def record_reads(session: Any, table: str, keys: Iterable[str], *, purpose: str,
                 actor: str | None = None) -> int:
    """Audit that ``actor`` read the genetic or personal data of these records (one ``read``
    entry per record, ``purpose`` as the reason; never the data). Returns how many."""
    from homecoming.services.accounts import current_actor
    from homecoming.storage.repositories import write_audit

    who = current_actor(session, actor)
    rows = [{"table_name": table, "record_key": str(k), "action": "read", "before": None,
             "after": None, "reason": purpose} for k in keys]
    write_audit(session, rows, user=who)
    return len(rows)


def record_read(session: Any, table: str, keys: Iterable[Any], *, purpose: str,
                actor: str | None = None) -> int:
    """Audit one read request of genetic or personal data: ONE ``read`` entry (who, when,
    ``purpose`` as the reason) naming every record read in ``after["records"]`` (never the
    data), so that listing ten thousand people is one entry, not ten thousand. The entry's
    ``record_key`` is the key when one record was read, else ``"<n> records"``. Nothing is
    written when no record was read. Returns how many records it names."""
    from homecoming.services.accounts import current_actor
    from homecoming.storage.repositories import write_audit

    names = sorted({str(k) for k in keys if k is not None})
    if not names:
        return 0
    who = current_actor(session, actor)
    key = names[0] if len(names) == 1 else f"{len(names)} records"
    write_audit(session, [{"table_name": table, "record_key": key, "action": "read",
                           "before": None, "after": {"records": names},
                           "reason": purpose}], user=who)
    return len(names)


def record_export(session: Any, kind: str, keys: Iterable[Any], *, destination: str,
                  file_format: str, actor: str | None = None) -> int:
    """Audit an export: ONE ``export`` entry per export (who, when, ``reason`` ``export to
    DESTINATION``) naming the destination, the format and every exported record in
    ``after`` (``{"destination", "format", "records"}``; never the data), so that exporting
    a hundred thousand profiles is one entry. ``record_key`` is the key when one record was
    exported, else ``"<n> records"``. Nothing is written when nothing was exported. Returns
    how many records it names."""
    from homecoming.services.accounts import current_actor
    from homecoming.storage.repositories import write_audit

    names = sorted({str(k) for k in keys if k is not None})
    if not names:
        return 0
    who = current_actor(session, actor)
    key = names[0] if len(names) == 1 else f"{len(names)} records"
    write_audit(session, [{"table_name": kind, "record_key": key, "action": "export",
                           "before": None,
                           "after": {"destination": destination, "format": file_format,
                                     "records": names},
                           "reason": f"export to {destination}"}], user=who)
    return len(names)


#: what the application role may do (PostgreSQL): no UPDATE, DELETE or TRUNCATE on the audit
#: trail, and it owns nothing (so it cannot drop or disable the triggers either)
APPLICATION_GRANTS = (
    "GRANT USAGE ON SCHEMA {schema} TO {role}",
    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.audit_log FROM {role}",
    # the index of the records multi-record entries name, and the record of each run: added
    # to, never changed
    "REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.audit_mentions FROM {role}",
    "REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.identification_runs FROM {role}",
    "REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {schema}.alembic_version FROM {role}",
    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
)


def grant_application_role(session: Any, role: str, *, schema: str = "public",
                           actor: str | None = None) -> list[str]:
    """PostgreSQL: give the application's database ``role`` what it needs and no more (run as
    the schema owner after ``homecoming init``). Returns the statements run."""
    import re

    if session.get_bind().dialect.name != "postgresql":
        raise InputError("grant: database roles exist only on PostgreSQL; expected a "
                         "postgresql+psycopg:// database", field="database")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise InputError(f"grant: {role[:70]!r} is not valid; expected a lower-case role name "
                         "(letters, digits, _)", field="role", value=role)
    _authorize(session, "database.admin", actor)
    from sqlalchemy import text

    done = []
    for template in APPLICATION_GRANTS:
        statement = template.format(schema=schema, role=role)
        session.execute(text(statement))
        done.append(statement)
    return done
