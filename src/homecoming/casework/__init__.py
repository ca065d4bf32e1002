"""Casework records: what happened in the field and the morgue, as plain validated values.

Every record is a frozen pydantic model; a bad value raises :class:`CaseworkError` (an
:class:`~homecoming.errors.InputError`, hence a ``ValueError``) whose one-line message names
``Record.field``, the bad value and what was expected. Dates in the future are refused.
Nothing here touches a database: ``homecoming.storage`` maps these values to tables.

Sources for the fields: the INTERPOL DVI Guide, ICRC, ICMP, Bournemouth and Minnesota Protocols.
"""

from homecoming.casework._base import (
    CaseworkError,
    CombatantStatus,
    Geometry,
    Range,
    Record,
    SharingLevel,
    StatusTransitionError,
    Value,
)
from homecoming.casework.donors import PAIRWISE_RELATIONSHIP, ConsentScope, Donor, Relationship
from homecoming.casework.examinations import (
    MECHANISM_WEAPON_CLASS,
    Examination,
    Injury,
    Manner,
    MechanismClass,
)
from homecoming.casework.exhumations import Exhumation, ExhumationMethod, TeamMember
from homecoming.casework.graves import (
    GRAVE_TRANSITIONS,
    Grave,
    GraveStatus,
    GraveType,
    check_grave_transition,
)
from homecoming.casework.incidents import Incident, WeaponClass
from homecoming.casework.missing_persons import MissingPerson
from homecoming.casework.profiles import DnaProfile, GenotypedRecord, ProfileQuality, StaffProfile
from homecoming.casework.remains import (
    REMAINS_TRANSITIONS,
    Condition,
    EffectCategory,
    PersonalEffect,
    Remains,
    RemainsKind,
    RemainsStatus,
    check_remains_transition,
)
from homecoming.casework.samples import (
    CustodyEvent,
    CustodyItemKind,
    ResultStatus,
    Sample,
    SampleElement,
    SampleSource,
)
from homecoming.casework.screening import SCREENING_RELATIONSHIPS, Candidate
from homecoming.casework.sites import (
    HazardArea,
    HazardType,
    LocationPrecision,
    ReportChannel,
    Site,
    VerificationMethod,
    VerificationStatus,
)
from homecoming.pedigree.pedigree import Sex

__all__ = [
    # errors and building blocks
    "CaseworkError", "StatusTransitionError", "Value", "Record", "Geometry", "Range", "Sex",
    "CombatantStatus", "SharingLevel",
    # sites and hazards
    "Site", "ReportChannel", "LocationPrecision", "VerificationStatus", "VerificationMethod",
    "HazardArea", "HazardType",
    # graves and exhumations
    "Grave", "GraveType", "GraveStatus", "GRAVE_TRANSITIONS", "check_grave_transition",
    "Exhumation", "ExhumationMethod", "TeamMember",
    # remains and examinations
    "Remains", "RemainsKind", "RemainsStatus", "REMAINS_TRANSITIONS", "Condition",
    "PersonalEffect", "EffectCategory", "check_remains_transition",
    "Examination", "Injury", "MechanismClass", "Manner", "MECHANISM_WEAPON_CLASS",
    "Incident", "WeaponClass",
    # samples, custody, profiles
    "Sample", "SampleSource", "SampleElement", "ResultStatus", "CustodyEvent",
    "CustodyItemKind", "DnaProfile", "ProfileQuality", "StaffProfile", "GenotypedRecord",
    # missing persons and their families
    "MissingPerson", "Donor", "Relationship", "ConsentScope", "PAIRWISE_RELATIONSHIP",
    # screening
    "Candidate", "SCREENING_RELATIONSHIPS",
]
