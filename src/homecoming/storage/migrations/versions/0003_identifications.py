"""Accounts and roles, stored identifications, review events, notifications and releases.

Tables are defined in ``homecoming.storage.tables_identifications``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_ID = 64 + 16


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('password_hash', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_accounts'))
    )
    op.create_table('identifications',
    sa.Column('id', sa.String(length=_ID), nullable=False),
    sa.Column('missing_person_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('remains_code', sa.String(length=64), nullable=True),
    sa.Column('run_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('conclusion', sa.String(length=32), nullable=False),
    sa.Column('lr', sa.Float(), nullable=True),
    sa.Column('log10_lr', sa.Float(), nullable=True),
    sa.Column('glr', sa.Float(), nullable=True),
    sa.Column('posterior', sa.Float(), nullable=True),
    sa.Column('prior', sa.Float(), nullable=True),
    sa.Column('per_marker', sa.JSON(), nullable=False),
    sa.Column('references', sa.JSON(), nullable=False),
    sa.Column('pedigree', sa.JSON(), nullable=False),
    sa.Column('runner_ups', sa.JSON(), nullable=False),
    sa.Column('model', sa.JSON(), nullable=False),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('supersedes', sa.String(length=_ID), nullable=True),
    sa.Column('run_by', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['missing_person_id'], ['missing_persons.id'],
                            name=op.f('fk_identifications_missing_person_id_missing_persons')),
    sa.ForeignKeyConstraint(['remains_code'], ['remains.code'],
                            name=op.f('fk_identifications_remains_code_remains')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identifications')),
    sa.UniqueConstraint('missing_person_id', 'version', name='uq_identifications_version')
    )
    op.create_index(op.f('ix_identifications_missing_person_id'), 'identifications',
                    ['missing_person_id'])
    op.create_index(op.f('ix_identifications_remains_code'), 'identifications',
                    ['remains_code'])
    op.create_index(op.f('ix_identifications_run_id'), 'identifications', ['run_id'])
    op.create_index(op.f('ix_identifications_status'), 'identifications', ['status'])
    op.create_table('review_events',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('identification_id', sa.String(length=_ID), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=32), nullable=False),
    sa.Column('to_status', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['identification_id'], ['identifications.id'],
                            name=op.f('fk_review_events_identification_id_identifications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_review_events'))
    )
    op.create_index(op.f('ix_review_events_identification_id'), 'review_events',
                    ['identification_id'])
    op.create_table('notifications',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('identification_id', sa.String(length=_ID), nullable=False),
    sa.Column('donor_id', sa.String(length=64), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('notified_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'],
                            name=op.f('fk_notifications_donor_id_donors')),
    sa.ForeignKeyConstraint(['identification_id'], ['identifications.id'],
                            name=op.f('fk_notifications_identification_id_identifications')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    op.create_index(op.f('ix_notifications_identification_id'), 'notifications',
                    ['identification_id'])
    op.create_table('releases',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('identification_id', sa.String(length=_ID), nullable=False),
    sa.Column('remains_code', sa.String(length=64), nullable=False),
    sa.Column('donor_id', sa.String(length=64), nullable=False),
    sa.Column('released_on', sa.Date(), nullable=False),
    sa.Column('documents', sa.Text(), nullable=False),
    sa.Column('custody_event_id', sa.String(length=64), nullable=True),
    sa.Column('recorded_by', sa.String(length=200), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'],
                            name=op.f('fk_releases_donor_id_donors')),
    sa.ForeignKeyConstraint(['identification_id'], ['identifications.id'],
                            name=op.f('fk_releases_identification_id_identifications')),
    sa.ForeignKeyConstraint(['remains_code'], ['remains.code'],
                            name=op.f('fk_releases_remains_code_remains')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_releases'))
    )
    op.create_index(op.f('ix_releases_identification_id'), 'releases',
                    ['identification_id'])
    op.create_index(op.f('ix_releases_remains_code'), 'releases', ['remains_code'])


def downgrade() -> None:
    op.drop_index(op.f('ix_releases_remains_code'), table_name='releases')
    op.drop_index(op.f('ix_releases_identification_id'), table_name='releases')
    op.drop_table('releases')
    op.drop_index(op.f('ix_notifications_identification_id'), table_name='notifications')
    op.drop_table('notifications')
    op.drop_index(op.f('ix_review_events_identification_id'), table_name='review_events')
    op.drop_table('review_events')
    op.drop_index(op.f('ix_identifications_status'), table_name='identifications')
    op.drop_index(op.f('ix_identifications_run_id'), table_name='identifications')
    op.drop_index(op.f('ix_identifications_remains_code'), table_name='identifications')
    op.drop_index(op.f('ix_identifications_missing_person_id'),
                  table_name='identifications')
    op.drop_table('identifications')
    op.drop_table('accounts')
