"""Lineage markers: Y-STR haplotypes and mtDNA control-region haplotypes per sample.

Tables defined in ``homecoming.storage.tables_lineage``.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('y_haplotypes',
    sa.Column('sample_barcode', sa.String(length=64), nullable=False),
    sa.Column('haplotype', sa.JSON(), nullable=False),
    sa.Column('kit', sa.Text(), nullable=True),
    sa.Column('laboratory', sa.Text(), nullable=True),
    sa.Column('typed_on', sa.Date(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'),
    sa.ForeignKeyConstraint(['sample_barcode'], ['samples.barcode'],
                            name=op.f('fk_y_haplotypes_sample_barcode_samples')),
    sa.PrimaryKeyConstraint('sample_barcode', name=op.f('pk_y_haplotypes'))
    )
    op.create_table('mtdna_haplotypes',
    sa.Column('sample_barcode', sa.String(length=64), nullable=False),
    sa.Column('variants', sa.JSON(), nullable=False),
    sa.Column('typed_range', sa.JSON(), nullable=False),
    sa.Column('laboratory', sa.Text(), nullable=True),
    sa.Column('typed_on', sa.Date(), nullable=True),
    sa.Column('row_version', sa.Integer(), nullable=False, server_default='1'),
    sa.ForeignKeyConstraint(['sample_barcode'], ['samples.barcode'],
                            name=op.f('fk_mtdna_haplotypes_sample_barcode_samples')),
    sa.PrimaryKeyConstraint('sample_barcode', name=op.f('pk_mtdna_haplotypes'))
    )


def downgrade() -> None:
    op.drop_table('mtdna_haplotypes')
    op.drop_table('y_haplotypes')
