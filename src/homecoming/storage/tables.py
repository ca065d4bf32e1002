"""The database tables (SQLAlchemy Core), one per casework aggregate, plus the audit trail.

Column names are the field names of the casework records (``homecoming.casework``), so the
repositories map records to rows and back without a per-field table. Enumerations are stored
as their text values; nested values (geometries, team lists, injuries, genotypes) as JSON.
The schema is created and changed only by the Alembic migrations in ``migrations/``; a test
checks that the migrations and these tables agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from homecoming.casework._base import CODE_LENGTH, ENUM_LENGTH, NAME_LENGTH

__all__ = ["metadata", "sites", "hazard_areas", "graves", "exhumations", "incidents", "remains",
           "examinations", "missing_persons", "donors", "samples", "custody_events", "profiles",
           "candidates", "staff_profiles", "elimination_flags", "audit_log", "RECORD_TABLES"]

#: constraint names that are stable across backends (Alembic needs names to drop constraints)
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING)

# the lengths come from the casework models' boundary checks: one place for both
CODE = CODE_LENGTH    # identifiers, bar-codes (casework Code)
ENUM = ENUM_LENGTH    # enumeration values
NAME = NAME_LENGTH    # names (casework NAME_FIELDS), short texts


def _row_version() -> Column:
    """1 on insert, +1 on every audited update: concurrent edits compare and set it."""
    return Column("row_version", Integer, nullable=False, server_default="1")


def _code(name: str, *args: object, **kw: object) -> Column:
    return Column(name, String(CODE), *args, **kw)  # type: ignore[arg-type]


sites = Table(
    "sites", metadata,
    _code("id", primary_key=True),
    Column("name", String(NAME), nullable=False),
    Column("location", JSON, nullable=False),
    Column("location_precision", String(ENUM), nullable=False),
    Column("reported_via", String(ENUM), nullable=False),
    Column("reported_on", Date, nullable=False),
    Column("reported_by", Text),
    Column("verification_status", String(ENUM), nullable=False),
    Column("verification_method", String(ENUM)),
    Column("verified_on", Date),
    Column("legal_authority", Text),
    Column("responsible_agency", Text),
    Column("personnel", JSON, nullable=False),
    Column("description", Text, nullable=False),
    _row_version(),
)

hazard_areas = Table(
    "hazard_areas", metadata,
    _code("id", primary_key=True),
    _code("site_id", ForeignKey("sites.id"), nullable=False, index=True),
    Column("hazard", String(ENUM), nullable=False),
    Column("area", JSON, nullable=False),
    Column("cleared", Boolean, nullable=False),
    Column("cleared_on", Date),
    Column("cleared_by", Text),
    Column("surveyed_on", Date),
    Column("notes", Text, nullable=False),
    _row_version(),
)

graves = Table(
    "graves", metadata,
    _code("id", primary_key=True),
    _code("site_id", ForeignKey("sites.id"), nullable=False, index=True),
    Column("label", String(NAME), nullable=False),
    Column("marker_inscription", Text),
    Column("location", JSON),
    Column("grave_type", String(ENUM), nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("minimum_individuals", Integer),
    Column("estimated_individuals", Integer),
    Column("notes", Text, nullable=False),
    _row_version(),
)

exhumations = Table(
    "exhumations", metadata,
    _code("id", primary_key=True),
    _code("grave_id", ForeignKey("graves.id"), nullable=False, index=True),
    Column("started_on", Date, nullable=False),
    Column("ended_on", Date),
    Column("team", JSON, nullable=False),
    Column("supervising_authorities", JSON, nullable=False),
    Column("method", String(ENUM), nullable=False),
    Column("family_consultation", Text),
    Column("notes", Text, nullable=False),
    _row_version(),
)

incidents = Table(
    "incidents", metadata,
    _code("id", primary_key=True),
    Column("occurred_on", Date, nullable=False),
    Column("occurred_until", Date),
    Column("place", Text, nullable=False),
    Column("location", JSON),
    Column("weapon_class", String(ENUM), nullable=False),
    Column("description", Text, nullable=False),
    Column("source", Text),
    _row_version(),
)

remains = Table(
    "remains", metadata,
    _code("code", primary_key=True),
    Column("kind", String(ENUM), nullable=False),
    _code("grave_id", ForeignKey("graves.id"), index=True),
    _code("incident_id", ForeignKey("incidents.id"), index=True),
    Column("recovered_on", Date),
    Column("position", Text),
    Column("location", JSON),
    Column("depth_m", Float),
    Column("condition", String(ENUM), nullable=False),
    Column("effects", JSON, nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("storage_location", Text),
    Column("notes", Text, nullable=False),
    _row_version(),
)

examinations = Table(
    "examinations", metadata,
    _code("id", primary_key=True),
    _code("remains_code", ForeignKey("remains.code"), nullable=False, index=True),
    Column("examined_on", Date, nullable=False),
    Column("prosector", Text, nullable=False),
    Column("persons_present", JSON, nullable=False),
    Column("sex", String(ENUM), nullable=False),
    Column("age", JSON),
    Column("stature", JSON),
    Column("injuries", JSON, nullable=False),
    Column("cause_of_death", JSON, nullable=False),
    Column("mechanism", String(ENUM), nullable=False),
    Column("manner", String(ENUM), nullable=False),
    Column("torture_signs", Boolean, nullable=False),
    Column("hands_bound", Boolean, nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("specimens_retained", JSON, nullable=False),
    Column("notes", Text, nullable=False),
    _row_version(),
)

missing_persons = Table(
    "missing_persons", metadata,
    _code("id", primary_key=True),
    Column("surname", String(NAME), nullable=False, index=True),
    Column("given_name", String(NAME), nullable=False),
    Column("patronymic", String(NAME)),
    Column("birth_date", Date),
    Column("birth_place", Text),
    Column("sex", String(ENUM), nullable=False),
    Column("height_cm", Float),
    Column("last_seen_place", Text),
    Column("last_seen_on", Date),
    Column("circumstances", Text, nullable=False),
    Column("distinguishing_marks", Text, nullable=False),
    Column("dental_notes", Text, nullable=False),
    Column("clothing", Text, nullable=False),
    Column("status", String(ENUM), nullable=False),
    Column("military_unit", Text),
    _code("incident_id", ForeignKey("incidents.id"), index=True),
    Column("reported_by", Text, nullable=False),
    Column("reported_on", Date, nullable=False),
    Column("sharing_level", String(ENUM), nullable=False),
    Column("notes", Text, nullable=False),
    _row_version(),
)

donors = Table(
    "donors", metadata,
    _code("id", primary_key=True),
    _code("missing_person_id", ForeignKey("missing_persons.id"), nullable=False, index=True),
    Column("full_name", String(NAME), nullable=False),
    Column("sex", String(ENUM), nullable=False),
    Column("birth_date", Date),
    Column("relationship", String(ENUM), nullable=False),
    _code("family_id"),
    _code("pedigree_id"),
    _code("pedigree_father"),
    _code("pedigree_mother"),
    Column("consent", String(ENUM), nullable=False),
    Column("consent_on", Date),
    Column("sharing_level", String(ENUM), nullable=False),
    Column("contact", Text),
    Column("collection_place", Text),
    Column("notes", Text, nullable=False),
    _row_version(),
)

samples = Table(
    "samples", metadata,
    _code("barcode", primary_key=True),
    Column("source", String(ENUM), nullable=False),
    _code("remains_code", ForeignKey("remains.code"), index=True),
    _code("donor_id", ForeignKey("donors.id"), index=True),
    Column("element", String(ENUM), nullable=False),
    Column("collected_on", Date, nullable=False),
    Column("laboratory", Text),
    Column("ordered_by", Text),
    Column("result_status", String(ENUM), nullable=False),
    Column("notes", Text, nullable=False),
    _row_version(),
    CheckConstraint(
        "(source = 'remains' AND remains_code IS NOT NULL AND donor_id IS NULL) OR "
        "(source = 'donor' AND donor_id IS NOT NULL AND remains_code IS NULL)",
        name="one_origin"),
)

custody_events = Table(
    "custody_events", metadata,
    _code("id", primary_key=True),
    Column("item_kind", String(ENUM), nullable=False),
    _code("item_id", nullable=False, index=True),
    Column("from_party", Text, nullable=False),
    Column("to_party", Text, nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("location", Text),
    Column("sha256", String(64)),
    _row_version(),
)

#: DNA profiles: keyed by sample bar-code; no names here (genetic data kept apart).
profiles = Table(
    "profiles", metadata,
    _code("sample_barcode", ForeignKey("samples.barcode"), primary_key=True),
    Column("genotypes", JSON, nullable=False),
    Column("kit", Text),
    Column("laboratory", Text),
    Column("quality", String(ENUM), nullable=False),
    Column("typed_on", Date),
    _row_version(),
)

#: pairwise screening results worth a closer look
candidates = Table(
    "candidates", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _code("pm_barcode", ForeignKey("samples.barcode"), nullable=False, index=True),
    _code("ref_barcode", ForeignKey("samples.barcode"), nullable=False, index=True),
    Column("relationship", String(ENUM), nullable=False),
    Column("log10_lr", Float, nullable=False),
    Column("provenance", JSON, nullable=False),
    UniqueConstraint("pm_barcode", "ref_barcode", "relationship", name="uq_candidates_pair"),
)

#: elimination (staff) profiles: keyed by a staff code, never a name (migration 0002)
staff_profiles = Table(
    "staff_profiles", metadata,
    _code("staff_code", primary_key=True),
    Column("genotypes", JSON, nullable=False),
    Column("kit", Text),
    Column("laboratory", Text),
    Column("quality", String(ENUM), nullable=False),
    Column("typed_on", Date),
    _row_version(),
)

#: PM profiles included in a staff profile: possible contamination (migration 0002)
elimination_flags = Table(
    "elimination_flags", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _code("pm_barcode", ForeignKey("samples.barcode"), nullable=False, index=True),
    _code("staff_code", ForeignKey("staff_profiles.staff_code"), nullable=False, index=True),
    Column("compared_loci", Integer, nullable=False),
    Column("mismatches", Integer, nullable=False),
    Column("log10_lr", Float),
    Column("provenance", JSON, nullable=False),
    UniqueConstraint("pm_barcode", "staff_code", name="uq_elimination_flags_pair"),
)

#: append-only: the migrations add triggers that refuse UPDATE and DELETE on this table. A hash
#: chain since migration 0006 (``homecoming.storage.audit_chain``): entry ``seq`` commits to
#: ``prev_hash`` (the hash of entry seq - 1) and to ``record_sha256``, the digest of the record
#: as written; ``db_role`` is the database role that wrote it.
audit_log = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("seq", Integer, nullable=False, unique=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("user_name", String(NAME), nullable=False),
    Column("table_name", String(CODE), nullable=False),
    Column("record_key", String(3 * CODE + 2), nullable=False),
    Column("action", String(8), nullable=False),
    Column("before", JSON),
    Column("after", JSON),
    Column("prev_hash", String(64), nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("record_sha256", String(64)),
    Column("db_role", String(NAME)),
    Column("reason", Text),
    CheckConstraint("action IN ('insert', 'update', 'delete', 'read', 'export')",
                    name="action"),
)

#: the tables that hold casework records (everything but the audit trail)
RECORD_TABLES: tuple[Table, ...] = (sites, hazard_areas, graves, exhumations, incidents, remains,
                                    examinations, missing_persons, donors, samples,
                                    custody_events, profiles, candidates, staff_profiles,
                                    elimination_flags)

# tables of other areas, on the same metadata (one import line each)
from homecoming.storage import tables_identifications  # noqa: E402,F401
from homecoming.storage import tables_web  # noqa: E402,F401
from homecoming.storage import tables_consent  # noqa: E402,F401
from homecoming.storage import tables_lineage  # noqa: E402,F401
from homecoming.storage import tables_speed  # noqa: E402,F401
