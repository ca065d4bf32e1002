"""Indexes that keep the web pages fast at 10^5 missing persons (migration 0009).

- ``ix_audit_log_table_name_record_key``: the audit trail of one record (its detail page's
  audit link, ``homecoming audit log --record``) without reading the whole trail;
- ``ix_audit_log_table_name_action_seq``: the newest change (insert, update, delete) of one
  table, which tells the web application's cached list orders and search texts
  (:mod:`homecoming.services.web_queries`) whether they are still current;
- ``audit_mentions`` (migration 0010): per record, the audit entries that name it among
  several (one ``read`` or ``export`` entry names every record a list or export showed, in
  ``after["records"]``), so that one record's trail finds them without reading every such
  entry. It is an index derived from the trail, written in the same transaction as the
  entry; ``homecoming audit verify`` checks that it names exactly what the entries name.

Defined on the tables of :mod:`homecoming.storage.tables` (which imports this module at its
end, so Alembic and the schema tests see one schema).
"""

from __future__ import annotations

from sqlalchemy import Column, Index, Integer, PrimaryKeyConstraint, String, Table

from homecoming.storage.tables import CODE, audit_log, metadata

__all__ = ["SPEED_INDEXES", "audit_mentions"]

SPEED_INDEXES = (
    Index("ix_audit_log_table_name_record_key", audit_log.c.table_name, audit_log.c.record_key),
    Index("ix_audit_log_table_name_action_seq", audit_log.c.table_name, audit_log.c.action,
          audit_log.c.seq),
)

#: (table, record) -> the ``seq`` of every multi-record read or export entry naming it
audit_mentions = Table(
    "audit_mentions", metadata,
    Column("table_name", String(CODE), nullable=False),
    Column("record_key", String(3 * CODE + 2), nullable=False),
    Column("seq", Integer, nullable=False),
    PrimaryKeyConstraint("table_name", "record_key", "seq"),
    sqlite_with_rowid=False,    # the key is the whole row: stored once, in key order
)
