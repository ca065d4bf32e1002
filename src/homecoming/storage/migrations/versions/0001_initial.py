"""The first tables: casework records, DNA profiles, screening candidates, the audit trail.

The audit trail is append-only: triggers refuse UPDATE and DELETE on ``audit_log`` (and
TRUNCATE on PostgreSQL).

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None

APPEND_ONLY = "audit_log is append-only: its records cannot be changed or deleted"

_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
]

_POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{APPEND_ONLY}' USING ERRCODE = 'insufficient_privilege'; END $$""",
    """CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()""",
]


def _append_only_audit_log() -> None:
    dialect = op.get_bind().dialect.name
    statements = {"sqlite": _SQLITE_TRIGGERS, "postgresql": _POSTGRES_TRIGGERS}.get(dialect)
    if statements is None:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"append-only audit_log is not implemented for {dialect}")
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('user_name', sa.String(length=200), nullable=False),
    sa.Column('table_name', sa.String(length=64), nullable=False),
    sa.Column('record_key', sa.String(length=194), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('before', sa.JSON(), nullable=True),
    sa.Column('after', sa.JSON(), nullable=True),
    sa.CheckConstraint("action IN ('insert', 'update', 'delete')", name=op.f('ck_audit_log_action')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_index(op.f('ix_audit_log_at'), 'audit_log', ['at'])
    _append_only_audit_log()

    op.create_table('custody_events',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('item_kind', sa.String(length=32), nullable=False),
    sa.Column('item_id', sa.String(length=64), nullable=False),
    sa.Column('from_party', sa.Text(), nullable=False),
    sa.Column('to_party', sa.Text(), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('location', sa.Text(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_custody_events'))
    )
    op.create_index(op.f('ix_custody_events_item_id'), 'custody_events', ['item_id'])

    op.create_table('incidents',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('occurred_until', sa.Date(), nullable=True),
    sa.Column('place', sa.Text(), nullable=False),
    sa.Column('location', sa.JSON(), nullable=True),
    sa.Column('weapon_class', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    op.create_table('sites',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('location', sa.JSON(), nullable=False),
    sa.Column('location_precision', sa.String(length=32), nullable=False),
    sa.Column('reported_via', sa.String(length=32), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('reported_by', sa.Text(), nullable=True),
    sa.Column('verification_status', sa.String(length=32), nullable=False),
    sa.Column('verification_method', sa.String(length=32), nullable=True),
    sa.Column('verified_on', sa.Date(), nullable=True),
    sa.Column('legal_authority', sa.Text(), nullable=True),
    sa.Column('responsible_agency', sa.Text(), nullable=True),
    sa.Column('personnel', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites'))
    )
    op.create_table('graves',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('marker_inscription', sa.Text(), nullable=True),
    sa.Column('location', sa.JSON(), nullable=True),
    sa.Column('grave_type', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('minimum_individuals', sa.Integer(), nullable=True),
    sa.Column('estimated_individuals', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_graves_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_graves'))
    )
    op.create_index(op.f('ix_graves_site_id'), 'graves', ['site_id'])

    op.create_table('hazard_areas',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('site_id', sa.String(length=64), nullable=False),
    sa.Column('hazard', sa.String(length=32), nullable=False),
    sa.Column('area', sa.JSON(), nullable=False),
    sa.Column('cleared', sa.Boolean(), nullable=False),
    sa.Column('cleared_on', sa.Date(), nullable=True),
    sa.Column('cleared_by', sa.Text(), nullable=True),
    sa.Column('surveyed_on', sa.Date(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_hazard_areas_site_id_sites')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hazard_areas'))
    )
    op.create_index(op.f('ix_hazard_areas_site_id'), 'hazard_areas', ['site_id'])

    op.create_table('missing_persons',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('surname', sa.String(length=200), nullable=False),
    sa.Column('given_name', sa.String(length=200), nullable=False),
    sa.Column('patronymic', sa.String(length=200), nullable=True),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('birth_place', sa.Text(), nullable=True),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('height_cm', sa.Float(), nullable=True),
    sa.Column('last_seen_place', sa.Text(), nullable=True),
    sa.Column('last_seen_on', sa.Date(), nullable=True),
    sa.Column('circumstances', sa.Text(), nullable=False),
    sa.Column('distinguishing_marks', sa.Text(), nullable=False),
    sa.Column('dental_notes', sa.Text(), nullable=False),
    sa.Column('clothing', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('military_unit', sa.Text(), nullable=True),
    sa.Column('incident_id', sa.String(length=64), nullable=True),
    sa.Column('reported_by', sa.Text(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('sharing_level', sa.String(length=32), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_missing_persons_incident_id_incidents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_missing_persons'))
    )
    op.create_index(op.f('ix_missing_persons_incident_id'), 'missing_persons', ['incident_id'])
    op.create_index(op.f('ix_missing_persons_surname'), 'missing_persons', ['surname'])

    op.create_table('donors',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('missing_person_id', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=True),
    sa.Column('relationship', sa.String(length=32), nullable=False),
    sa.Column('family_id', sa.String(length=64), nullable=True),
    sa.Column('pedigree_id', sa.String(length=64), nullable=True),
    sa.Column('pedigree_father', sa.String(length=64), nullable=True),
    sa.Column('pedigree_mother', sa.String(length=64), nullable=True),
    sa.Column('consent', sa.String(length=32), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.Column('sharing_level', sa.String(length=32), nullable=False),
    sa.Column('contact', sa.Text(), nullable=True),
    sa.Column('collection_place', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['missing_person_id'], ['missing_persons.id'], name=op.f('fk_donors_missing_person_id_missing_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_donors'))
    )
    op.create_index(op.f('ix_donors_missing_person_id'), 'donors', ['missing_person_id'])

    op.create_table('exhumations',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('grave_id', sa.String(length=64), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('team', sa.JSON(), nullable=False),
    sa.Column('supervising_authorities', sa.JSON(), nullable=False),
    sa.Column('method', sa.String(length=32), nullable=False),
    sa.Column('family_consultation', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['grave_id'], ['graves.id'], name=op.f('fk_exhumations_grave_id_graves')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exhumations'))
    )
    op.create_index(op.f('ix_exhumations_grave_id'), 'exhumations', ['grave_id'])

    op.create_table('remains',
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('grave_id', sa.String(length=64), nullable=True),
    sa.Column('incident_id', sa.String(length=64), nullable=True),
    sa.Column('recovered_on', sa.Date(), nullable=True),
    sa.Column('position', sa.Text(), nullable=True),
    sa.Column('location', sa.JSON(), nullable=True),
    sa.Column('depth_m', sa.Float(), nullable=True),
    sa.Column('condition', sa.String(length=32), nullable=False),
    sa.Column('effects', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('storage_location', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['grave_id'], ['graves.id'], name=op.f('fk_remains_grave_id_graves')),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_remains_incident_id_incidents')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_remains'))
    )
    op.create_index(op.f('ix_remains_grave_id'), 'remains', ['grave_id'])
    op.create_index(op.f('ix_remains_incident_id'), 'remains', ['incident_id'])

    op.create_table('examinations',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('remains_code', sa.String(length=64), nullable=False),
    sa.Column('examined_on', sa.Date(), nullable=False),
    sa.Column('prosector', sa.Text(), nullable=False),
    sa.Column('persons_present', sa.JSON(), nullable=False),
    sa.Column('sex', sa.String(length=32), nullable=False),
    sa.Column('age', sa.JSON(), nullable=True),
    sa.Column('stature', sa.JSON(), nullable=True),
    sa.Column('injuries', sa.JSON(), nullable=False),
    sa.Column('cause_of_death', sa.JSON(), nullable=False),
    sa.Column('mechanism', sa.String(length=32), nullable=False),
    sa.Column('manner', sa.String(length=32), nullable=False),
    sa.Column('torture_signs', sa.Boolean(), nullable=False),
    sa.Column('hands_bound', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('specimens_retained', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['remains_code'], ['remains.code'], name=op.f('fk_examinations_remains_code_remains')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_examinations'))
    )
    op.create_index(op.f('ix_examinations_remains_code'), 'examinations', ['remains_code'])

    op.create_table('samples',
    sa.Column('barcode', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('remains_code', sa.String(length=64), nullable=True),
    sa.Column('donor_id', sa.String(length=64), nullable=True),
    sa.Column('element', sa.String(length=32), nullable=False),
    sa.Column('collected_on', sa.Date(), nullable=False),
    sa.Column('laboratory', sa.Text(), nullable=True),
    sa.Column('ordered_by', sa.Text(), nullable=True),
    sa.Column('result_status', sa.String(length=32), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.CheckConstraint("(source = 'remains' AND remains_code IS NOT NULL AND donor_id IS NULL) OR (source = 'donor' AND donor_id IS NOT NULL AND remains_code IS NULL)", name=op.f('ck_samples_one_origin')),
    sa.ForeignKeyConstraint(['donor_id'], ['donors.id'], name=op.f('fk_samples_donor_id_donors')),
    sa.ForeignKeyConstraint(['remains_code'], ['remains.code'], name=op.f('fk_samples_remains_code_remains')),
    sa.PrimaryKeyConstraint('barcode', name=op.f('pk_samples'))
    )
    op.create_index(op.f('ix_samples_donor_id'), 'samples', ['donor_id'])
    op.create_index(op.f('ix_samples_remains_code'), 'samples', ['remains_code'])

    op.create_table('candidates',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('pm_barcode', sa.String(length=64), nullable=False),
    sa.Column('ref_barcode', sa.String(length=64), nullable=False),
    sa.Column('relationship', sa.String(length=32), nullable=False),
    sa.Column('log10_lr', sa.Float(), nullable=False),
    sa.Column('provenance', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['pm_barcode'], ['samples.barcode'], name=op.f('fk_candidates_pm_barcode_samples')),
    sa.ForeignKeyConstraint(['ref_barcode'], ['samples.barcode'], name=op.f('fk_candidates_ref_barcode_samples')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidates')),
    sa.UniqueConstraint('pm_barcode', 'ref_barcode', 'relationship', name='uq_candidates_pair')
    )
    op.create_index(op.f('ix_candidates_pm_barcode'), 'candidates', ['pm_barcode'])
    op.create_index(op.f('ix_candidates_ref_barcode'), 'candidates', ['ref_barcode'])

    op.create_table('profiles',
    sa.Column('sample_barcode', sa.String(length=64), nullable=False),
    sa.Column('genotypes', sa.JSON(), nullable=False),
    sa.Column('kit', sa.Text(), nullable=True),
    sa.Column('laboratory', sa.Text(), nullable=True),
    sa.Column('quality', sa.String(length=32), nullable=False),
    sa.Column('typed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['sample_barcode'], ['samples.barcode'], name=op.f('fk_profiles_sample_barcode_samples')),
    sa.PrimaryKeyConstraint('sample_barcode', name=op.f('pk_profiles'))
    )


def downgrade() -> None:
    op.drop_table('profiles')
    op.drop_table('candidates')
    op.drop_table('samples')
    op.drop_table('examinations')
    op.drop_table('remains')
    op.drop_table('exhumations')
    op.drop_table('donors')
    op.drop_table('missing_persons')
    op.drop_table('hazard_areas')
    op.drop_table('graves')
    op.drop_table('sites')
    op.drop_table('incidents')
    op.drop_table('custody_events')
    op.drop_table('audit_log')  # drops its triggers too
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
