"""Consent withdrawals: a reference donor withdrew consent (from a date, with a reason).

Table defined in ``homecoming.storage.tables_consent``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('consent_withdrawals',
    sa.Column('donor_id', sa.String(length=64), nullable=False),
    sa.Column('withdrawn_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'],
                            name=op.f('fk_consent_withdrawals_donor_id_donors')),
    sa.PrimaryKeyConstraint('donor_id', name=op.f('pk_consent_withdrawals'))
    )


def downgrade() -> None:
    op.drop_table('consent_withdrawals')
