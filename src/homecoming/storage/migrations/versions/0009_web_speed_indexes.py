"""Indexes for the web pages at scale: one record's audit trail, a table's newest change.

Indexes defined in ``homecoming.storage.tables_speed``.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_audit_log_table_name_record_key', 'audit_log',
                    ['table_name', 'record_key'])
    op.create_index('ix_audit_log_table_name_action_seq', 'audit_log',
                    ['table_name', 'action', 'seq'])


def downgrade() -> None:
    op.drop_index('ix_audit_log_table_name_action_seq', table_name='audit_log')
    op.drop_index('ix_audit_log_table_name_record_key', table_name='audit_log')
