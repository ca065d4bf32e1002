"""Missing persons and their reference donors; the donor ↔ missing person view for matching."""

from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from homecoming.casework import Donor, MissingPerson, Relationship, Sex
from homecoming.storage import tables
from homecoming.storage.repositories._base import Repository

__all__ = ["MissingPersonRepository", "DonorRepository", "ReferenceSample",
           "donors_with_missing_person", "reference_samples"]


class MissingPersonRepository(Repository[MissingPerson]):
    model = MissingPerson
    table = tables.missing_persons
    noun = "missing person"


class DonorRepository(Repository[Donor]):
    model = Donor
    table = tables.donors
    noun = "donor"


def donors_with_missing_person(session: Session, *, missing_person_id: str | None = None
                               ) -> list[tuple[Donor, MissingPerson]]:
    """Every donor with the missing person they are a relative of (``donor.relationship``),
    ordered by missing person then donor id."""
    d, m = tables.donors, tables.missing_persons
    query = select(d, m).join(m, d.c.missing_person_id == m.c.id)
    if missing_person_id is not None:
        query = query.where(d.c.missing_person_id == missing_person_id)
    query = query.order_by(d.c.missing_person_id, d.c.id)
    donors, people = DonorRepository(session), MissingPersonRepository(session)
    out = []
    for row in session.execute(query):
        values = list(row)
        donor_row = dict(zip([c.name for c in d.columns], values[:len(d.columns)]))
        person_row = dict(zip([c.name for c in m.columns], values[len(d.columns):]))
        out.append((donors.from_row(donor_row), people.from_row(person_row)))
    return out


class ReferenceSample(NamedTuple):
    """A reference sample bar-code with whom it belongs to: no names, no genotypes."""

    barcode: str
    donor_id: str
    missing_person_id: str
    relationship: Relationship
    sex: Sex
    family_id: str | None
    pedigree_id: str | None
    pedigree_father: str | None
    pedigree_mother: str | None


def reference_samples(session: Session, *, missing_person_id: str | None = None,
                      with_profile: bool = False) -> list[ReferenceSample]:
    """Samples from donors with their donor, missing person and relationship, by bar-code."""
    s, d = tables.samples, tables.donors
    query = (select(s.c.barcode, d.c.id, d.c.missing_person_id, d.c.relationship, d.c.sex,
                    d.c.family_id, d.c.pedigree_id, d.c.pedigree_father, d.c.pedigree_mother)
             .join(d, s.c.donor_id == d.c.id))
    if with_profile:
        query = query.join(tables.profiles, tables.profiles.c.sample_barcode == s.c.barcode)
    if missing_person_id is not None:
        query = query.where(d.c.missing_person_id == missing_person_id)
    query = query.order_by(s.c.barcode)
    return [ReferenceSample(r[0], r[1], r[2], Relationship(r[3]), Sex(r[4]), *r[5:])
            for r in session.execute(query)]
