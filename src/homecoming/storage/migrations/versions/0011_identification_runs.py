"""Every stored identification run (``identification_runs``), also one that changed nothing.

A run was known only through the identification versions it stored, so a run that changed no
conclusion left no trace, and the next incremental run took its defaults (screening rule,
drop-out) from an older run. Runs stored before this migration are still read from their
identifications. The table is defined in ``homecoming.storage.tables_identifications``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('identification_runs',
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('run_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('model', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_identification_runs'))
    )


def downgrade() -> None:
    op.drop_table('identification_runs')
