"""Burial sites (areas of interest / scenes) and the hazard areas field teams must see first.

Fields follow docs/background/casework-standards.md §4.1: location at the best precision
available [H8], how and when the site was reported [M3][B2-p16], verification status and
method [B2-p16][M8], legal authority [B2-p16], responsible agency and personnel, and the
hazard / UXO survey (demining preceded the work at Izium) [Z2][X3].
"""

from __future__ import annotations

import datetime as _dt
import enum
from typing import Self

from pydantic import model_validator

from homecoming.casework._base import Code, Geometry, PastDate, Record, Text

__all__ = ["ReportChannel", "LocationPrecision", "VerificationStatus", "VerificationMethod",
           "Site", "HazardType", "HazardArea"]


class ReportChannel(enum.Enum):
    """How a site came to be known."""

    WITNESS = "witness"
    SITE_LOCATOR = "site_locator"     # an online report form such as ICMP's Site Locator
    ANONYMOUS = "anonymous"
    OFFICIAL = "official"             # police, prosecutor, military, local authority
    IMAGERY = "imagery"               # aerial or satellite imagery analysis
    OTHER = "other"


class LocationPrecision(enum.Enum):
    GPS = "gps"
    APPROXIMATE = "approximate"
    SETTLEMENT = "settlement"         # village / town level only
    REGION = "region"


class VerificationStatus(enum.Enum):
    UNVERIFIED = "unverified"
    VERIFIED = "verified"
    NOT_CONFIRMED = "not_confirmed"   # checked, no grave found


class VerificationMethod(enum.Enum):
    MULTISOURCE_INTELLIGENCE = "multisource_intelligence"
    AERIAL_IMAGERY = "aerial_imagery"
    SATELLITE_IMAGERY = "satellite_imagery"
    GEOPHYSICS = "geophysics"
    SITE_INSPECTION = "site_inspection"
    TEST_EXCAVATION = "test_excavation"


class Site(Record):
    """A burial site: a point or polygon, reported, verified, under a legal authority."""

    id: Code
    name: Text
    location: Geometry
    location_precision: LocationPrecision = LocationPrecision.GPS
    reported_via: ReportChannel = ReportChannel.OTHER
    reported_on: PastDate
    reported_by: str | None = None            # None for anonymous reports
    verification_status: VerificationStatus = VerificationStatus.UNVERIFIED
    verification_method: VerificationMethod | None = None
    verified_on: PastDate | None = None
    legal_authority: str | None = None        # court order / prosecutor's decision reference
    responsible_agency: str | None = None
    personnel: tuple[str, ...] = ()
    description: str = ""

    @model_validator(mode="after")
    def _verification(self) -> Self:
        if self.verification_status is VerificationStatus.VERIFIED:
            if self.verification_method is None:
                raise ValueError("expected a verification_method for a verified site")
        elif self.verified_on is not None:
            raise ValueError("expected no verified_on date unless verification_status is "
                             "'verified'")
        if self.verified_on is not None and self.verified_on < self.reported_on:
            raise ValueError(f"expected verified_on ({self.verified_on}) on or after "
                             f"reported_on ({self.reported_on})")
        if self.reported_via is ReportChannel.ANONYMOUS and self.reported_by:
            raise ValueError("expected no reported_by for an anonymous report")
        return self


class HazardType(enum.Enum):
    MINES = "mines"
    UXO = "uxo"                       # unexploded ordnance
    BOOBY_TRAP = "booby_trap"
    WHITE_PHOSPHORUS = "white_phosphorus"
    OTHER = "other"


class HazardArea(Record):
    """A mined / UXO area at a site: where, what, and whether (and when, by whom) cleared."""

    id: Code
    site_id: Code
    hazard: HazardType
    area: Geometry
    cleared: bool = False
    cleared_on: PastDate | None = None
    cleared_by: str | None = None
    surveyed_on: PastDate | None = None
    notes: str = ""

    @model_validator(mode="after")
    def _clearance(self) -> Self:
        if not self.cleared and (self.cleared_on is not None or self.cleared_by):
            raise ValueError("expected cleared=true when cleared_on or cleared_by is given")
        return self

    @property
    def blocks_work(self) -> bool:
        """True while the area is not cleared: field teams must not enter."""
        return not self.cleared


_ = _dt
