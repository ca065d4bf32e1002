"""Elimination database: staff (elimination) profiles and contamination flags.

``staff_profiles`` holds the DNA profiles of people who handle remains and samples, keyed by a
staff code (no names: who a code belongs to is kept outside the genetic data).
``elimination_flags`` records PM profiles found included in a staff profile
(``homecoming screen --elimination``).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_profiles',
    sa.Column('staff_code', sa.String(length=64), nullable=False),
    sa.Column('genotypes', sa.JSON(), nullable=False),
    sa.Column('kit', sa.Text(), nullable=True),
    sa.Column('laboratory', sa.Text(), nullable=True),
    sa.Column('quality', sa.String(length=32), nullable=False),
    sa.Column('typed_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('staff_code', name=op.f('pk_staff_profiles'))
    )
    op.create_table('elimination_flags',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('pm_barcode', sa.String(length=64), nullable=False),
    sa.Column('staff_code', sa.String(length=64), nullable=False),
    sa.Column('compared_loci', sa.Integer(), nullable=False),
    sa.Column('mismatches', sa.Integer(), nullable=False),
    sa.Column('log10_lr', sa.Float(), nullable=True),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['pm_barcode'], ['samples.barcode'],
                            name=op.f('fk_elimination_flags_pm_barcode_samples')),
    sa.ForeignKeyConstraint(['staff_code'], ['staff_profiles.staff_code'],
                            name=op.f('fk_elimination_flags_staff_code_staff_profiles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_elimination_flags')),
    sa.UniqueConstraint('pm_barcode', 'staff_code', name='uq_elimination_flags_pair')
    )
    op.create_index(op.f('ix_elimination_flags_pm_barcode'), 'elimination_flags',
                    ['pm_barcode'])
    op.create_index(op.f('ix_elimination_flags_staff_code'), 'elimination_flags',
                    ['staff_code'])


def downgrade() -> None:
    op.drop_index(op.f('ix_elimination_flags_staff_code'), table_name='elimination_flags')
    op.drop_index(op.f('ix_elimination_flags_pm_barcode'), table_name='elimination_flags')
    op.drop_table('elimination_flags')
    op.drop_table('staff_profiles')
