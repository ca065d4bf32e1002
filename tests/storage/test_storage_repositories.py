"""Repositories: every aggregate round-trips its casework record; checks give clear errors."""

import pytest

from homecoming import casework as cw
from homecoming.errors import InputError, IntegrityError, NotFoundError
from homecoming.storage.repositories import Repositories

#: attribute of Repositories, attribute of the records fixture, a field and a new value
AGGREGATES = [
    ("sites", "site", "legal_authority", "court order 2/2022 (synthetic)"),
    ("hazard_areas", "hazard", "cleared", True),
    ("graves", "grave", "marker_inscription", "№ 17a"),
    ("exhumations", "exhumation", "method", cw.ExhumationMethod.MIXED),
    ("incidents", "incident", "weapon_class", cw.WeaponClass.MINES_ERW),
    ("remains", "remains", "condition", cw.Condition.SKELETONISED),
    ("examinations", "examination", "hands_bound", True),
    ("missing_persons", "missing_person", "dental_notes", "crowns 36, 46"),
    ("donors", "donor", "consent", cw.ConsentScope.IDENTIFICATION_ONLY),
    ("samples", "pm_sample", "result_status", cw.ResultStatus.NO_USABLE_DNA),
    ("custody_events", "custody", "location", "Kyiv"),
    ("profiles", "pm_profile", "quality", cw.ProfileQuality.LOW),
]


@pytest.mark.parametrize("repo_name, record_name, field, value", AGGREGATES,
                         ids=[a[0] for a in AGGREGATES])
def test_round_trip_update_delete(filled, records, repo_name, record_name, field, value):
    record = getattr(records, record_name)
    with filled.session() as session:
        repo = getattr(Repositories(session), repo_name)
        stored = repo.get(record.key)
        assert stored == record                      # every field survives the database
        assert stored.to_dict() == record.to_dict()
        assert record in repo.list()
        changed = repo.update(record.key, **{field: value})
        assert getattr(changed, field) == value
    with filled.session() as session:
        repo = getattr(Repositories(session), repo_name)
        again = repo.get(record.key)
        assert getattr(again, field) == value
        assert again == record.evolve(**{field: value})
    if repo_name in ("profiles", "custody_events", "examinations", "exhumations",
                     "hazard_areas"):  # nothing refers to these
        with filled.session() as session:
            repo = getattr(Repositories(session), repo_name)
            assert repo.delete(record.key) == record.evolve(**{field: value})
            assert repo.find(record.key) is None
            with pytest.raises(NotFoundError, match=f"^{type(record).__name__} "
                                                     f"'{record.key}' not found$"):
                repo.get(record.key)


def test_dates_datetimes_and_nested_values_survive(filled, records):
    with filled.session() as session:
        repos = Repositories(session)
        custody = repos.custody_events.get("CU-1")
        assert custody.occurred_at == records.custody.occurred_at
        assert repos.remains.get("IZM-0001").effects[1].id == "IZM-0001-E2"
        assert repos.sites.get("S-IZM").location.type == "Polygon"
        assert repos.profiles.get("PM-000001").genotypes["FGA"] == ("22", None)
        assert repos.examinations.get("PM-IZM-0001").age == cw.Range(minimum=40, maximum=55)


def test_list_filters_and_count(filled, records):
    with filled.session() as session:
        repos = Repositories(session)
        repos.graves.add(cw.Grave(id="G-18", site_id="S-IZM", label="18"))
        assert [g.id for g in repos.graves.list(site_id="S-IZM")] == ["G-17", "G-18"]
        assert [g.id for g in repos.graves.list(grave_type=cw.GraveType.SINGLE)] == ["G-18"]
        assert repos.graves.count() == 2 and repos.graves.count(grave_type="mass") == 1
        assert [g.id for g in repos.graves.list(limit=1, offset=1)] == ["G-18"]
        assert repos.graves.keys() == {"G-17", "G-18"}
        assert repos.graves.exists("G-18") and not repos.graves.exists("G-19")
        assert [h.id for h in repos.hazard_areas.uncleared("S-IZM")] == ["H-1"]
        with pytest.raises(InputError, match="unknown filter 'colour'"):
            repos.graves.list(colour="red")


def test_duplicate_key_is_refused(filled, records):
    with pytest.raises(IntegrityError) as info:
        with filled.session() as session:
            Repositories(session).samples.add(records.pm_sample)
    assert str(info.value) == ("Sample.barcode: 'PM-000001' already exists; expected a new "
                               "barcode")
    with pytest.raises(IntegrityError, match="^Sample.barcode: 'X-1' appears twice"):
        with filled.session() as session:
            s = records.pm_sample.evolve(barcode="X-1")
            Repositories(session).samples.add_all([s, s])


def test_reference_to_missing_record_is_refused(db, records):
    with pytest.raises(IntegrityError) as info:
        with db.session() as session:
            Repositories(session).donors.add(records.donor)
    assert str(info.value) == ("Donor.missing_person_id: 'MP-1' does not exist; expected the id "
                               "of a stored record in missing_persons")
    assert db.counts()["donors"] == 0


def test_foreign_keys_are_enforced_by_the_database_too(db):
    from sqlalchemy import insert

    from homecoming.storage import tables

    with pytest.raises(Exception, match="(?i)foreign key"):
        with db.session() as session:
            session.execute(insert(tables.graves).values(
                id="G-X", site_id="nowhere", label="1", grave_type="single",
                status="reported", notes=""))
    assert db.counts()["graves"] == 0


def test_delete_of_referenced_record_is_refused(filled):
    with pytest.raises(IntegrityError, match="^Site 'S-IZM' cannot be deleted: 1 record\\(s\\) "
                                             "in graves refer to it$"):
        with filled.session() as session:
            Repositories(session).sites.delete("S-IZM")


def test_update_cannot_change_key_or_break_validation(filled):
    with filled.session() as session:
        repos = Repositories(session)
        with pytest.raises(InputError, match="key of a stored record cannot change"):
            repos.graves.update("G-17", id="G-99")
        with pytest.raises(cw.CaseworkError, match="^Grave.minimum_individuals: -2"):
            repos.graves.update("G-17", minimum_individuals=-2)
        with pytest.raises(NotFoundError, match="^Grave 'G-404' not found$"):
            repos.graves.update("G-404", label="x")
        with pytest.raises(IntegrityError, match="^Remains.grave_id: 'G-404' does not exist"):
            repos.remains.update("IZM-0001", grave_id="G-404")


def test_wrong_record_type_is_refused(db, records):
    with db.session() as session:
        with pytest.raises(InputError, match="expected a Grave, got Site"):
            Repositories(session).graves.add(records.site)


def test_uncleared_hazards_before_an_exhumation(filled):
    with filled.session() as session:
        repos = Repositories(session)
        assert [h.id for h in repos.exhumations.uncleared_hazards("G-17")] == ["H-1"]
        repos.hazard_areas.update("H-1", cleared=True, cleared_on="2022-09-14")
        assert repos.exhumations.uncleared_hazards("G-17") == []
        assert repos.exhumations.uncleared_hazards("G-404") == []


def test_delete_many(filled):
    with filled.session() as session:
        graves = Repositories(session).graves
        graves.add_all(cw.Grave(id=f"G-{i}", site_id="S-IZM", label=str(i)) for i in range(3))
        with pytest.raises(IntegrityError, match="^Grave 'G-17' cannot be deleted: records in "
                                                 "(exhumations|remains) refer to it$"):
            graves.delete_many(["G-0", "G-17"])
        with pytest.raises(NotFoundError, match="^Grave 'G-9' not found$"):
            graves.delete_many(["G-0", "G-9"])
        assert graves.delete_many(["G-0", "G-1", "G-2"]) == 3
        assert [g.id for g in graves.list()] == ["G-17"]
        from homecoming.storage.repositories import audit_records

        deleted = audit_records(session, table="graves", action="delete")
        assert [a.record_key for a in deleted] == ["G-0", "G-1", "G-2"]
        assert deleted[0].before["label"] == "0" and deleted[0].after is None
