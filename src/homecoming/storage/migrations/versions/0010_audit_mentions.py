"""The records that multi-record audit entries name, indexed (``audit_mentions``).

A ``read`` or ``export`` entry that names several records lists them in ``after["records"]``;
one record's audit trail had to read every such entry of its table to find the ones naming it.
The table is defined in ``homecoming.storage.tables_speed``; existing entries are indexed here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

#: index rows written per statement while indexing existing entries
_CHUNK = 5000


def _named(after: object) -> list[str]:
    if isinstance(after, str):          # SQLite hands JSON back as text through sa.text
        after = json.loads(after)
    records = after.get("records") if isinstance(after, dict) else None
    return sorted({str(r) for r in records}) if isinstance(records, list) else []


def upgrade() -> None:
    mentions = op.create_table('audit_mentions',
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('record_key', sa.String(length=194), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('table_name', 'record_key', 'seq', name=op.f('pk_audit_mentions')),
    sqlite_with_rowid=False,
    )
    bind = op.get_bind()
    rows: list[dict[str, object]] = []
    found = bind.execute(sa.text(
        "SELECT seq, table_name, after FROM audit_log "
        "WHERE action IN ('read', 'export') AND seq IS NOT NULL ORDER BY seq"))
    for seq, table_name, after in found:
        names = _named(after)
        if len(names) < 2:
            continue                    # one record: the entry's own key finds it
        rows.extend({"table_name": table_name, "record_key": name, "seq": seq}
                    for name in names)
        if len(rows) >= _CHUNK:
            op.bulk_insert(mentions, rows)
            rows = []
    if rows:
        op.bulk_insert(mentions, rows)


def downgrade() -> None:
    op.drop_table('audit_mentions')
