"""Access log: who read sensitive data (genotypes), when and why; never the data read.

Table defined in ``homecoming.storage.tables_identifications``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('access_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_name', sa.String(length=200), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('record_key', sa.String(length=194), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_log'))
    )
    op.create_index(op.f('ix_access_log_at'), 'access_log', ['at'])
    op.create_index(op.f('ix_access_log_record_key'), 'access_log', ['record_key'])


def downgrade() -> None:
    op.drop_index(op.f('ix_access_log_record_key'), table_name='access_log')
    op.drop_index(op.f('ix_access_log_at'), table_name='access_log')
    op.drop_table('access_log')
