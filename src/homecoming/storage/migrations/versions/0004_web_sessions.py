"""Web application: log-in sessions and failed log-ins (lock-out).

Tables are defined in ``homecoming.storage.tables_web``.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'web_sessions',
        sa.Column('token_sha256', sa.String(length=64), nullable=False),
        sa.Column('account_name', sa.String(length=200), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('csrf_token', sa.String(length=64), nullable=False),
        sa.Column('language', sa.String(length=8), nullable=True),
        sa.ForeignKeyConstraint(['account_name'], ['accounts.name'],
                                name=op.f('fk_web_sessions_account_name_accounts')),
        sa.PrimaryKeyConstraint('token_sha256', name=op.f('pk_web_sessions')),
    )
    op.create_index(op.f('ix_web_sessions_account_name'), 'web_sessions', ['account_name'],
                    unique=False)
    op.create_index(op.f('ix_web_sessions_expires_at'), 'web_sessions', ['expires_at'],
                    unique=False)
    op.create_table(
        'web_login_failures',
        sa.Column('account_name', sa.String(length=200), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('account_name', name=op.f('pk_web_login_failures')),
    )


def downgrade() -> None:
    op.drop_table('web_login_failures')
    op.drop_index(op.f('ix_web_sessions_expires_at'), table_name='web_sessions')
    op.drop_index(op.f('ix_web_sessions_account_name'), table_name='web_sessions')
    op.drop_table('web_sessions')
