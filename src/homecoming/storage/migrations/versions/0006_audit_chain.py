"""Tamper-evident audit trail and row versions.

``audit_log`` becomes a hash chain (``homecoming.storage.audit_chain``): ``seq`` (1, 2, ...),
``prev_hash``, ``entry_hash``, ``record_sha256`` (digest of the record as written),
``db_role`` (the database role that wrote it), ``reason``; audited actions now include
``read`` and ``export``. Entries already stored are chained in id order, and the latest
insert/update entry of each stored record gets the digest of the record as it is now.

Every casework record table gets ``row_version`` (1 on insert, +1 on each audited update),
so that concurrent edits are detected (compare-and-set) instead of silently lost.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

VERSIONED = ("sites", "hazard_areas", "graves", "exhumations", "incidents", "remains",
             "examinations", "missing_persons", "donors", "samples", "custody_events",
             "profiles", "staff_profiles")

APPEND_ONLY = "audit_log is append-only: its records cannot be changed or deleted"
_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
]
OLD_ACTIONS = "action IN ('insert', 'update', 'delete')"
NEW_ACTIONS = "action IN ('insert', 'update', 'delete', 'read', 'export')"
NEW_COLUMNS = [
    ("seq", sa.Integer()), ("prev_hash", sa.String(64)), ("entry_hash", sa.String(64)),
    ("record_sha256", sa.String(64)), ("db_role", sa.String(200)), ("reason", sa.Text()),
]


def _triggers_off(dialect: str) -> None:
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    else:
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")


def _triggers_on(dialect: str) -> None:
    if dialect == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)
    else:
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")


def _backfill(bind: sa.engine.Connection) -> None:
    """Chain the entries already stored (in id order) and give each stored record's latest
    insert/update entry the digest of the record as it is now."""
    from homecoming.storage import audit_chain as chain

    meta = sa.MetaData()
    log = sa.Table("audit_log", meta, autoload_with=bind)
    rows = [dict(r._mapping) for r in bind.execute(sa.select(log).order_by(log.c.id))]
    if not rows:
        return
    from homecoming.storage import tables  # the current definitions, for digests

    latest: dict[tuple[str, str], int] = {}
    for row in rows:
        if row["action"] in ("insert", "update"):
            latest[(row["table_name"], row["record_key"])] = row["id"]
    digests: dict[int, str] = {}
    for name in {t for t, _ in latest}:
        table = tables.metadata.tables.get(name)
        if table is None or name not in sa.inspect(bind).get_table_names():
            continue
        stored = sa.Table(name, sa.MetaData(), autoload_with=bind)
        present = [c.name for c in table.columns if c.name in stored.c]
        keys = chain.key_columns(table)
        if keys is None:
            continue
        for record in bind.execute(sa.select(*[stored.c[c] for c in present])):
            mapping = record._mapping
            entry = latest.get((name, chain.row_key(keys, mapping)))
            if entry is not None:
                digests[entry] = chain.record_digest(table, mapping)
    prev = chain.GENESIS
    for seq, row in enumerate(rows, start=1):
        row.update(seq=seq, db_role=None, reason=None, prev_hash=prev,
                   record_sha256=digests.get(row["id"]))
        row["entry_hash"] = chain.entry_hash(row)
        bind.execute(sa.update(log).where(log.c.id == row["id"]).values(
            seq=seq, prev_hash=prev, entry_hash=row["entry_hash"],
            record_sha256=row["record_sha256"]))
        prev = row["entry_hash"]


def upgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    for name in VERSIONED:
        with op.batch_alter_table(name) as batch:
            batch.add_column(sa.Column('row_version', sa.Integer(), nullable=False,
                                       server_default='1'))
    _triggers_off(dialect)
    with op.batch_alter_table('audit_log') as batch:
        for column, kind in NEW_COLUMNS:
            batch.add_column(sa.Column(column, kind, nullable=True))
        batch.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch.create_check_constraint(op.f('ck_audit_log_action'), NEW_ACTIONS)
    _backfill(bind)
    with op.batch_alter_table('audit_log') as batch:
        for column in ("seq", "prev_hash", "entry_hash"):
            batch.alter_column(column, existing_type=dict(NEW_COLUMNS)[column],
                               nullable=False)
        batch.create_unique_constraint(op.f('uq_audit_log_seq'), ['seq'])
    _triggers_on(dialect)


def downgrade() -> None:
    bind = op.get_bind()
    dialect = bind.dialect.name
    _triggers_off(dialect)
    op.execute("DELETE FROM audit_log WHERE action IN ('read', 'export')")
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_constraint(op.f('uq_audit_log_seq'), type_='unique')
        batch.drop_constraint(op.f('ck_audit_log_action'), type_='check')
        batch.create_check_constraint(op.f('ck_audit_log_action'), OLD_ACTIONS)
        for column, _ in reversed(NEW_COLUMNS):
            batch.drop_column(column)
    _triggers_on(dialect)
    for name in VERSIONED:
        with op.batch_alter_table(name) as batch:
            batch.drop_column('row_version')
