"""Helpers for the matching engines: profiles by source, reference samples, candidates."""

import pytest

from homecoming import casework as cw
from homecoming.errors import IntegrityError
from homecoming.storage import Database, DatabaseNotReadyError
from homecoming.storage.repositories import (
    Repositories,
    add_candidates,
    audit_records,
    delete_candidates,
    donors_with_missing_person,
    list_candidates,
    profiles_for,
    reference_samples,
)


def test_profiles_for_source(filled):
    with filled.session() as session:
        assert profiles_for(session, "remains") == [
            ("PM-000001", {"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3"),
                           "FGA": ("22", None)})]
        assert profiles_for(session, source="donor") == [
            ("AM-000001", {"D3S1358": ("15", "17"), "TH01": ("6", "9.3")})]
        with pytest.raises(ValueError):
            profiles_for(session, "elsewhere")


def test_donors_with_missing_person_and_reference_samples(filled, records):
    with filled.session() as session:
        ((donor, person),) = donors_with_missing_person(session)
        assert donor == records.donor and person == records.missing_person
        assert donor.relationship is cw.Relationship.SON
        assert donors_with_missing_person(session, missing_person_id="MP-404") == []
        (ref,) = reference_samples(session, with_profile=True)
        assert ref.barcode == "AM-000001" and ref.missing_person_id == "MP-1"
        assert ref.relationship is cw.Relationship.SON and ref.sex is cw.Sex.MALE
        assert (ref.family_id, ref.pedigree_id, ref.pedigree_mother) == ("FAM-1", "son", "MP-1")


def test_candidates(filled):
    c = cw.Candidate(pm_barcode="PM-000001", ref_barcode="AM-000001",
                     relationship="parent_child", log10_lr=4.25,
                     provenance={"software": "homecoming", "theta": 0.01})
    with filled.session() as session:
        assert add_candidates(session, [c]) == 1
        assert list_candidates(session) == [c]
        assert list_candidates(session, min_log10_lr=5) == []
        with pytest.raises(IntegrityError, match="already stored"):
            with session.begin_nested():
                add_candidates(session, [c])
    with filled.session() as session:
        with pytest.raises(IntegrityError, match="^Candidate: sample 'PM-404' does not exist"):
            add_candidates(session, [c.model_copy(update={"pm_barcode": "PM-404"})])
        assert delete_candidates(session, pm_barcode="PM-000001") == 1
        assert [a.action for a in audit_records(session, table="candidates")] == [
            "insert", "delete"]
        assert audit_records(session, table="candidates")[0].record_key == \
            "PM-000001|AM-000001|parent_child"
    assert filled.counts()["candidates"] == 0


def test_counts_need_an_initialised_database(database_url):
    db = Database(database_url)
    try:
        with pytest.raises(DatabaseNotReadyError, match="has no Homecoming schema; run "
                                                        "`homecoming init` first"):
            db.counts()
    finally:
        db.dispose()


def test_counts_after_more_records(filled):
    with filled.session() as session:
        repos = Repositories(session)
        repos.graves.add_all(cw.Grave(id=f"G-{i}", site_id="S-IZM", label=str(i))
                             for i in range(100, 130))
    counts = filled.counts()
    assert counts["graves"] == 31 and counts["sites"] == 1
    assert counts["audit_records"] == 14 + 30
