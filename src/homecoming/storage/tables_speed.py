"""Indexes that keep the web pages fast at 10^5 missing persons (migration 0009).

- ``ix_audit_log_table_name_record_key``: the audit trail of one record (its detail page's
  audit link, ``homecoming audit log --record``) without reading the whole trail;
- ``ix_audit_log_table_name_action_seq``: the newest change (insert, update, delete) of one
  table, which tells the web application's cached list orders and search texts
  (:mod:`homecoming.services.web_queries`) whether they are still current.

Defined on the tables of :mod:`homecoming.storage.tables` (which imports this module at its
end, so Alembic and the schema tests see one schema).
"""

from __future__ import annotations

from sqlalchemy import Index

from homecoming.storage.tables import audit_log

__all__ = ["SPEED_INDEXES"]

SPEED_INDEXES = (
    Index("ix_audit_log_table_name_record_key", audit_log.c.table_name, audit_log.c.record_key),
    Index("ix_audit_log_table_name_action_seq", audit_log.c.table_name, audit_log.c.action,
          audit_log.c.seq),
)
