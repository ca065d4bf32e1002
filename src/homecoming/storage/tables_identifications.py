"""Tables for accounts, stored identifications, review, notification and release (migration 0003).

Defined on the same ``metadata`` as :mod:`homecoming.storage.tables` (which imports this
module at its end, so Alembic and the schema tests see one schema).

- ``accounts``: the people who use Homecoming (name, display name, roles as a JSON list,
  active flag, an optional password hash for the web application's log-in).
- ``identifications``: one row per missing person per identification run. Rows are never
  overwritten: a later run adds a new ``version`` of the same missing person's identification
  (``supersedes`` names the previous row). Only ``status`` changes after insert (review,
  stale marking), and every change is audited.
- ``review_events``: each review step (accept, confirm, reject, stale) with who, when, why.
- ``notifications``: a family told of a confirmed identification (who, how, when).
- ``releases``: remains handed over to a family (to whom, when, documents).
- ``access_log`` (migration 0005): who read genotypes, when and why (reads, not changes).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from homecoming.storage.tables import CODE, ENUM, NAME, metadata

__all__ = ["accounts", "identifications", "review_events", "notifications", "releases",
           "access_log", "identification_runs", "IDENTIFICATION_TABLES"]

accounts = Table(
    "accounts", metadata,
    Column("name", String(NAME), primary_key=True),
    Column("display_name", String(NAME), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("password_hash", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(NAME)),
)

identifications = Table(
    "identifications", metadata,
    Column("id", String(CODE + 16), primary_key=True),
    Column("missing_person_id", String(CODE), ForeignKey("missing_persons.id"),
           nullable=False, index=True),
    Column("version", Integer, nullable=False),
    Column("remains_code", String(CODE), ForeignKey("remains.code"), index=True),
    Column("run_id", String(CODE), nullable=False, index=True),
    Column("status", String(ENUM), nullable=False, index=True),
    Column("conclusion", String(ENUM), nullable=False),
    Column("lr", Float),
    Column("log10_lr", Float),
    Column("glr", Float),
    Column("posterior", Float),
    Column("prior", Float),
    Column("per_marker", JSON, nullable=False),
    Column("references", JSON, nullable=False),
    Column("pedigree", JSON, nullable=False),
    Column("runner_ups", JSON, nullable=False),
    Column("model", JSON, nullable=False),
    Column("provenance", JSON, nullable=False),
    Column("comment", Text, nullable=False),
    Column("changes", JSON, nullable=False),
    Column("supersedes", String(CODE + 16)),
    Column("run_by", String(NAME), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("missing_person_id", "version", name="uq_identifications_version"),
)

review_events = Table(
    "review_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("identification_id", String(CODE + 16), ForeignKey("identifications.id"),
           nullable=False, index=True),
    Column("action", String(ENUM), nullable=False),
    Column("from_status", String(ENUM), nullable=False),
    Column("to_status", String(ENUM), nullable=False),
    Column("actor", String(NAME), nullable=False),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("note", Text, nullable=False),
)

notifications = Table(
    "notifications", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("identification_id", String(CODE + 16), ForeignKey("identifications.id"),
           nullable=False, index=True),
    Column("donor_id", String(CODE), ForeignKey("donors.id"), nullable=False),
    Column("method", String(ENUM), nullable=False),
    Column("notified_on", Date, nullable=False),
    Column("note", Text, nullable=False),
    Column("recorded_by", String(NAME), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

releases = Table(
    "releases", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("identification_id", String(CODE + 16), ForeignKey("identifications.id"),
           nullable=False, index=True),
    Column("remains_code", String(CODE), ForeignKey("remains.code"), nullable=False,
           index=True),
    Column("donor_id", String(CODE), ForeignKey("donors.id"), nullable=False),
    Column("released_on", Date, nullable=False),
    Column("documents", Text, nullable=False),
    Column("custody_event_id", String(CODE)),
    Column("recorded_by", String(NAME), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
)

#: reads of sensitive data (genotypes): who read what, when and why (migration 0005). The
#: append-only ``audit_log`` records changes; this records reads, never the data read.
access_log = Table(
    "access_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("user_name", String(NAME), nullable=False),
    Column("table_name", String(CODE), nullable=False),
    Column("record_key", String(3 * CODE + 2), nullable=False, index=True),
    Column("purpose", Text, nullable=False),
)

#: every stored identification run, also one that changed no identification (migration 0011):
#: its model (frequencies, mutation, θ, drop-out, thresholds with the screening rule) and what
#: it stored; the latest run's settings are the defaults of the next incremental run
identification_runs = Table(
    "identification_runs", metadata,
    Column("run_id", String(CODE), primary_key=True),
    Column("run_by", String(NAME), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("model", JSON, nullable=False),
    Column("outcome", JSON, nullable=False),
)

#: the tables of this module (migrations 0003, 0005 and 0011)
IDENTIFICATION_TABLES: tuple[Table, ...] = (accounts, identifications, review_events,
                                            notifications, releases, access_log,
                                            identification_runs)
