"""Samples (from remains or from a reference donor) and their chain of custody.

Fields follow docs/background/casework-standards.md §4.6 and §4.11: the sample id is a bar-code,
identity anonymised on receipt [M1]; element (bone or tooth from remains; blood or buccal swab
from donors) and date taken [M6][M8]; ordering authority [M7]; laboratory and a custody log per
transfer [K1]; result status (profile obtained / no usable DNA) [M8]. Every custody event says
who handed what to whom, when and why; a digital item carries its SHA-256 taken at capture
[K1][K2].
"""

from __future__ import annotations

import enum
from typing import Self

from pydantic import model_validator

from homecoming.casework._base import SHA256_RE, Code, PastDate, PastDateTime, Record, Text

__all__ = ["SampleSource", "SampleElement", "ResultStatus", "Sample", "CustodyItemKind",
           "CustodyEvent"]


class SampleSource(enum.Enum):
    """Where a sample comes from: post-mortem remains or a living reference donor."""

    REMAINS = "remains"
    DONOR = "donor"


class SampleElement(enum.Enum):
    BONE = "bone"
    TOOTH = "tooth"
    BLOOD = "blood"
    BUCCAL_SWAB = "buccal_swab"


class ResultStatus(enum.Enum):
    """Laboratory result of a sample."""

    PENDING = "pending"
    PROFILE_OBTAINED = "profile_obtained"
    PARTIAL_PROFILE = "partial_profile"
    NO_USABLE_DNA = "no_usable_dna"


class Sample(Record):
    """A DNA sample under its bar-code; linked to exactly one set of remains or one donor."""

    key_field = "barcode"

    barcode: Code
    source: SampleSource
    remains_code: Code | None = None
    donor_id: Code | None = None
    element: SampleElement
    collected_on: PastDate
    laboratory: str | None = None
    ordered_by: str | None = None      # ordering authority (investigator's/prosecutor's order)
    result_status: ResultStatus = ResultStatus.PENDING
    notes: str = ""

    @model_validator(mode="after")
    def _link(self) -> Self:
        if self.source is SampleSource.REMAINS:
            if self.remains_code is None or self.donor_id is not None:
                raise ValueError("expected remains_code (and no donor_id) for a sample from "
                                 "remains")
        elif self.donor_id is None or self.remains_code is not None:
            raise ValueError("expected donor_id (and no remains_code) for a sample from a donor")
        return self


class CustodyItemKind(enum.Enum):
    SAMPLE = "sample"
    REMAINS = "remains"
    EFFECT = "effect"                  # a personal effect or foreign object
    DIGITAL = "digital"                # photo, video, scan, lab data file


class CustodyEvent(Record):
    """One transfer in a chain of custody: item, from whom, to whom, when, why."""

    id: Code
    item_kind: CustodyItemKind
    item_id: Code                      # sample bar-code, body code, effect id or file id
    from_party: Text
    to_party: Text
    occurred_at: PastDateTime
    reason: Text
    location: str | None = None
    sha256: str | None = None          # lower-case hex, required for digital items

    @model_validator(mode="after")
    def _hash(self) -> Self:
        if self.sha256 is not None:
            object.__setattr__(self, "sha256", self.sha256.lower())
            if not SHA256_RE.match(self.sha256):
                raise ValueError(f"expected sha256 as 64 hexadecimal digits, got "
                                 f"{self.sha256!r}")
        if self.item_kind is CustodyItemKind.DIGITAL and self.sha256 is None:
            raise ValueError("expected a sha256 for a digital item (hash at capture)")
        return self
