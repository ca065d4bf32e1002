"""Repositories: casework records in and out of the database, one class per aggregate.

Each repository takes a session (``with db.session() as session: ...``) and casework records::

    graves = GraveRepository(session)
    graves.add(Grave(id="G-1", site_id="S-1", label="17"))
    graves.get("G-1"); graves.list(site_id="S-1"); graves.count(status="reported")
    graves.update("G-1", status="verified")      # status changes follow GRAVE_TRANSITIONS
    graves.delete("G-1")

``Repositories(session)`` bundles them (``repos.graves.add(...)``). Every insert, update and
delete writes an append-only audit record (user from ``HOMECOMING_USER`` or the OS user) in the
same transaction; :func:`audit_records` reads them back.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from homecoming.storage.repositories._base import (
    AuditRecord,
    Repository,
    audit_records,
    genotypes_digest,
    mentioned,
    write_audit,
)
from homecoming.storage.repositories.candidates import (
    add_candidates,
    candidate_key,
    delete_candidates,
    list_candidates,
)
from homecoming.storage.repositories.graves import ExhumationRepository, GraveRepository
from homecoming.storage.repositories.incidents import IncidentRepository
from homecoming.storage.repositories.missing_persons import (
    DonorRepository,
    MissingPersonRepository,
    ReferenceSample,
    donors_with_missing_person,
    reference_samples,
)
from homecoming.storage.repositories.profiles import ProfileRepository, profiles_for
from homecoming.storage.repositories.remains import ExaminationRepository, RemainsRepository
from homecoming.storage.repositories.samples import CustodyEventRepository, SampleRepository
from homecoming.storage.repositories.sites import HazardAreaRepository, SiteRepository
from homecoming.storage.repositories.staff import (
    EliminationFlag,
    StaffProfile,
    StaffProfileRepository,
    add_elimination_flags,
    delete_elimination_flags,
    list_elimination_flags,
    staff_profiles,
)

__all__ = [
    "Repository", "Repositories",
    "SiteRepository", "HazardAreaRepository", "GraveRepository", "ExhumationRepository",
    "IncidentRepository", "RemainsRepository", "ExaminationRepository",
    "MissingPersonRepository", "DonorRepository", "SampleRepository", "CustodyEventRepository",
    "ProfileRepository",
    "profiles_for", "donors_with_missing_person", "reference_samples", "ReferenceSample",
    "add_candidates", "list_candidates", "delete_candidates", "candidate_key",
    "audit_records", "AuditRecord", "mentioned", "write_audit", "genotypes_digest",
    "StaffProfile", "StaffProfileRepository", "staff_profiles", "EliminationFlag",
    "add_elimination_flags", "list_elimination_flags", "delete_elimination_flags",
]


class Repositories:
    """Every repository on one session: ``repos.sites``, ``repos.graves``, …,
    ``repos.profiles``."""

    def __init__(self, session: Session, *, user: str | None = None) -> None:
        self.session = session
        self.sites = SiteRepository(session, user=user)
        self.hazard_areas = HazardAreaRepository(session, user=user)
        self.graves = GraveRepository(session, user=user)
        self.exhumations = ExhumationRepository(session, user=user)
        self.incidents = IncidentRepository(session, user=user)
        self.remains = RemainsRepository(session, user=user)
        self.examinations = ExaminationRepository(session, user=user)
        self.missing_persons = MissingPersonRepository(session, user=user)
        self.donors = DonorRepository(session, user=user)
        self.samples = SampleRepository(session, user=user)
        self.custody_events = CustodyEventRepository(session, user=user)
        self.profiles = ProfileRepository(session, user=user)
        self.staff_profiles = StaffProfileRepository(session, user=user)
