"""Create and edit use cases of the record forms (services.editing, issue 12 item 4): a record
created from form texts reads back equal and is audited under the acting person, the audit
chain still verifies, invalid values are named per field without echoing personal values, a
concurrent edit is refused (compare-and-set on the row version), a role without the write
permission is refused, custody transfers land on the timeline. SYNTHETIC records, on SQLite
and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming import casework as cw
from homecoming.errors import NotFoundError, PermissionDenied
from homecoming.services import accounts, editing
from homecoming.services.audit import verify
from homecoming.storage import Database
from homecoming.storage.database import ConcurrentChangeError
from homecoming.storage.repositories import Repositories, audit_records

USERS = {"admin1": ["admin"], "field1": ["field"], "path1": ["pathologist"], "lab1": ["lab"],
         "liaison1": ["liaison"], "analyst1": ["analyst"]}


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.upgrade()
    with database.session() as session:
        for name, roles in USERS.items():
            accounts.add_user(session, name, roles, actor="admin1")
    yield database
    database.dispose()


def _site_and_grave(db):
    with db.session() as session:
        site = editing.create_record(session, "sites", {
            "id": "S-1", "name": "SYNTHETIC forest site", "location": "49.2001, 37.2803",
            "reported_on": "2022-09-15", "personnel": "Team A\nTeam B\n",
            "verification_status": "unverified", "description": ""}, actor="field1")
        grave = editing.create_record(session, "graves", {
            "id": "G-1", "site_id": "S-1", "label": "17", "grave_type": "single",
            "minimum_individuals": "1", "notes": "SYNTHETIC"}, actor="field1")
    return site, grave


def test_created_records_read_back_equal_and_are_audited(db):
    site, grave = _site_and_grave(db)
    assert site.location.coordinates == (37.2803, 49.2001)  # GeoJSON order: lon, lat
    assert site.personnel == ("Team A", "Team B")
    assert grave.minimum_individuals == 1 and grave.status is cw.GraveStatus.REPORTED
    with db.session() as session:
        repos = Repositories(session)
        assert repos.sites.get("S-1") == site
        assert repos.graves.get("G-1") == grave
        entries = audit_records(session, table="graves", key="G-1")
        assert [(e.action, e.user_name) for e in entries] == [("insert", "field1")]
        assert entries[0].after["label"] == "17"
        result = verify(session, actor="admin1")
        assert result.ok, result.problems
        assert result.entries >= 2


def test_every_kind_round_trips_through_its_form_texts(db):
    """A stored record's form texts, sent back unchanged, change nothing (no audit entry)."""
    _site_and_grave(db)
    values = {
        "exhumations": {"id": "EX-1", "grave_id": "G-1", "started_on": "2022-09-16",
                        "ended_on": "2022-09-23", "method": "mixed",
                        "team": "Dr A; forensic archaeologist; SYNTHETIC institute\n"
                                "B; prosecutor's investigator",
                        "supervising_authorities": "C; prosecutor"},
        "remains": {"code": "R-1", "kind": "body", "grave_id": "G-1", "depth_m": "1,5",
                    "recovered_on": "2022-09-17", "condition": "skeletonised",
                    "effects": "E-1; clothing; blue jacket\nE-2; projectile; bullet"},
        "examinations": {"id": "X-1", "remains_code": "R-1", "examined_on": "2022-09-20",
                         "prosector": "Dr P", "sex": "male", "age": "30-45",
                         "stature": "170", "injuries": "gunshot wound; skull; gunshot; true",
                         "cause_of_death": "gunshot wound of the head", "mechanism": "gunshot",
                         "manner": "homicide", "hands_bound": "on", "status": "civilian"},
        "incidents": {"id": "INC-1", "occurred_on": "2022-03-20", "occurred_until": "2022-03-21",
                      "place": "SYNTHETIC village", "location": "49.21, 37.25",
                      "weapon_class": "explosive_wide_area"},
        "hazard-areas": {"id": "HZ-1", "site_id": "S-1", "hazard": "mines",
                         "area": '{"type": "Polygon", "coordinates": [[[37.28, 49.2], '
                                 '[37.29, 49.2], [37.29, 49.21], [37.28, 49.2]]]}',
                         "cleared": "on", "cleared_on": "2022-09-14", "cleared_by": "SES"},
        "samples": {"barcode": "PM-1", "source": "remains", "remains_code": "R-1",
                    "element": "bone", "collected_on": "2022-09-20"},
        "missing-persons": {"id": "MP-1", "surname": "Іваненко", "given_name": "Олена",
                            "birth_date": "1970-03-04", "sex": "female",
                            "reported_by": "SYNTHETIC", "reported_on": "2022-10-01",
                            "last_seen_on": "2022-03-10"},
        "donors": {"id": "D-1", "missing_person_id": "MP-1", "full_name": "Петро Іваненко",
                   "sex": "male", "relationship": "son", "consent": "also_court"},
    }
    actor = {"examinations": "path1", "missing-persons": "liaison1", "donors": "liaison1",
             "incidents": "admin1"}
    for kind, texts in values.items():
        with db.session() as session:
            record = editing.create_record(session, kind, texts,
                                           actor=actor.get(kind, "field1"))
        with db.session() as session:
            shown, version = editing.record_for_edit(session, kind, record.key,
                                                     actor="admin1")
            assert version == 1, kind
            again = editing.update_record(session, kind, record.key, shown, row_version=1,
                                          actor="admin1")
            assert again == record, kind
            table = getattr(Repositories(session), editing.FORM_KINDS[kind].repo).table.name
            # opening the form of a person's record is an audited read
            read = ["read"] if kind in ("missing-persons", "donors") else []
            assert [e.action for e in audit_records(session, table=table,
                                                    key=record.key)] == ["insert", *read], kind
    with db.session() as session:
        repos = Repositories(session)
        exam = repos.examinations.get("X-1")
        assert exam.age == cw.Range(minimum=30, maximum=45)
        assert exam.injuries[0].perimortem is True and exam.hands_bound is True
        assert exam.torture_signs is False
        assert repos.remains.get("R-1").depth_m == pytest.approx(1.5)
        assert [m.role for m in repos.exhumations.get("EX-1").team] == [
            "forensic archaeologist", "prosecutor's investigator"]
        assert repos.exhumations.get("EX-1").team[1].organisation is None
        assert repos.hazard_areas.get("HZ-1").area.type == "Polygon"
        assert repos.hazard_areas.get("HZ-1").cleared is True
        assert verify(session, actor="admin1").ok


def test_field_errors_are_named_per_field(db):
    _site_and_grave(db)
    with db.session() as session, pytest.raises(editing.FormErrors) as caught:
        editing.create_record(session, "graves", {
            "id": "G 2", "site_id": "S-1", "label": "", "minimum_individuals": "two",
            "location": "north of the road"}, actor="field1")
    errors = caught.value.errors
    assert set(errors) == {"id", "label", "minimum_individuals", "location"}
    assert caught.value.codes["label"] == "missing"
    assert errors["minimum_individuals"] == "a whole number"
    assert errors["location"].startswith("latitude, longitude")
    # a rule between fields is named on the field it is about
    with db.session() as session, pytest.raises(editing.FormErrors) as caught:
        editing.create_record(session, "graves", {"id": "G-2", "site_id": "S-1",
                                                  "label": "2", "minimum_individuals": "3"},
                              actor="field1")
    assert list(caught.value.errors) == ["minimum_individuals"]
    # a reference to a record not stored, and a key already taken
    with db.session() as session, pytest.raises(editing.FormErrors) as caught:
        editing.create_record(session, "graves", {"id": "G-2", "site_id": "S-9",
                                                  "label": "2"}, actor="field1")
    assert caught.value.codes == {"site_id": "not_found"}
    with db.session() as session, pytest.raises(editing.FormErrors) as caught:
        editing.create_record(session, "graves", {"id": "G-1", "site_id": "S-1",
                                                  "label": "2"}, actor="field1")
    assert caught.value.codes == {"id": "exists"}
    # a problem inside one line of a list of nested values names the line and the part
    with db.session() as session, pytest.raises(editing.FormErrors) as caught:
        editing.create_record(session, "remains", {
            "code": "R-9", "grave_id": "G-1",
            "effects": "E-1; clothing; jacket\nE-2; weapon; knife"}, actor="field1")
    assert caught.value.errors["effects"].endswith("(line 2, category)")
    assert caught.value.errors["effects"].startswith("one of 'clothing'")
    with db.session() as session, pytest.raises(editing.FormErrors) as caught:
        editing.create_record(session, "exhumations", {
            "id": "EX-9", "grave_id": "G-1", "started_on": "2022-09-16",
            "team": "Dr A; archaeologist\nB"}, actor="field1")
    assert caught.value.errors == {"team": "a value (the field is required) (line 2, role)"}
    with db.session() as session:
        assert Repositories(session).graves.count() == 1  # nothing was stored
        assert Repositories(session).remains.count() == 0


def test_personal_values_are_never_echoed(db):
    with db.session() as session, pytest.raises(editing.FormErrors) as caught:
        editing.create_record(session, "missing-persons", {
            "id": "MP-1", "surname": "Кова\x07ль", "given_name": "Олена",
            "birth_date": "2099-01-02", "reported_by": "SYNTHETIC",
            "reported_on": "2022-10-01"}, actor="liaison1")
    errors = caught.value.errors
    assert set(errors) == {"surname", "birth_date"}
    text = " ".join(errors.values()) + str(caught.value)
    assert "2099" not in text and "Кова" not in text
    with db.session() as session, pytest.raises(editing.FormErrors) as caught:
        editing.create_record(session, "missing-persons", {
            "id": "MP-1", "surname": "Коваль", "given_name": "Олена",
            "birth_date": "1980-05-06", "last_seen_on": "1979-01-01",
            "reported_by": "SYNTHETIC", "reported_on": "2022-10-01"}, actor="liaison1")
    assert list(caught.value.errors) == ["last_seen_on"]
    assert "1980" not in caught.value.errors["last_seen_on"]


def test_concurrent_edit_is_refused_not_lost(db):
    _site_and_grave(db)
    with db.session() as session:
        first_form, version = editing.record_for_edit(session, "graves", "G-1",
                                                      actor="field1")
    with db.session() as session:  # a second person opens the same form
        second_form, second_version = editing.record_for_edit(session, "graves", "G-1",
                                                              actor="admin1")
    assert version == second_version == 1
    with db.session() as session:
        editing.update_record(session, "graves", "G-1", {**first_form, "label": "17a"},
                              row_version=version, actor="field1")
    with db.session() as session, pytest.raises(ConcurrentChangeError) as caught:
        editing.update_record(session, "graves", "G-1", {**second_form, "label": "17b"},
                              row_version=second_version, actor="admin1")
    assert "changed by someone else" in str(caught.value)
    with db.session() as session:
        assert Repositories(session).graves.get("G-1").label == "17a"
        assert editing.record_for_edit(session, "graves", "G-1", actor="field1")[1] == 2
        updates = audit_records(session, table="graves", key="G-1", action="update")
        assert [(e.user_name, e.before["label"], e.after["label"]) for e in updates] == [
            ("field1", "17", "17a")]
        assert verify(session, actor="admin1").ok


def test_status_change_follows_the_life_cycle(db):
    _site_and_grave(db)
    with db.session() as session, pytest.raises(editing.FormErrors) as caught:
        editing.update_record(session, "graves", "G-1", {"status": "closed"}, row_version=1,
                              actor="field1")
    assert caught.value.codes == {"status": "transition"}
    with db.session() as session:
        grave = editing.update_record(session, "graves", "G-1", {"status": "verified"},
                                      row_version=1, actor="field1")
    assert grave.status is cw.GraveStatus.VERIFIED and grave.label == "17"


def test_a_role_without_the_write_permission_is_refused(db):
    _site_and_grave(db)
    attempts = [
        ("lab1", lambda s: editing.create_record(s, "graves", {"id": "G-9", "site_id": "S-1",
                                                               "label": "9"}, actor="lab1")),
        ("liaison1", lambda s: editing.update_record(s, "graves", "G-1", {"label": "x"},
                                                     row_version=1, actor="liaison1")),
        ("field1", lambda s: editing.record_for_edit(s, "graves", "G-1", actor="analyst1")),
        ("field1", lambda s: editing.create_record(s, "missing-persons", {"id": "MP-9"},
                                                   actor="field1")),
        ("analyst1", lambda s: editing.record_transfer(s, "G-1", {}, actor="analyst1")),
    ]
    for _who, attempt in attempts:
        with db.session() as session, pytest.raises(PermissionDenied):
            attempt(session)
    with db.session() as session:
        repos = Repositories(session)
        assert repos.graves.count() == 1 and repos.graves.get("G-1").label == "17"
        assert repos.missing_persons.count() == 0


def test_custody_transfers_land_on_the_timeline(db):
    _site_and_grave(db)
    with db.session() as session:
        editing.create_record(session, "remains", {"code": "R-1", "grave_id": "G-1"},
                              actor="field1")
        item = editing.custody_item(session, "R-1", actor="lab1")
        assert (item.item_kind, item.events, item.last_holder) == ("remains", [], None)
        editing.record_transfer(session, "R-1", {
            "from_party": "Field team A", "to_party": "Morgue Kharkiv",
            "occurred_at": "2022-09-17 18:30", "reason": "transport"}, actor="field1")
        editing.record_transfer(session, "R-1", {
            "from_party": "Courier B", "to_party": "Morgue Kharkiv",
            "occurred_at": "2022-09-18 09:00", "reason": "storage", "final": ""},
            actor="path1")
    with db.session() as session, pytest.raises(editing.FormErrors) as caught:
        editing.record_transfer(session, "R-1", {
            "from_party": "", "to_party": "Lab", "occurred_at": "2099-01-01 10:00",
            "reason": "analysis", "final": "eaten"}, actor="field1")
    assert set(caught.value.errors) == {"from_party", "occurred_at", "final"}
    with db.session() as session:
        item = editing.custody_item(session, "R-1", actor="lab1")
        assert [e["id"] for e in item.events] == ["CE-R-1-001", "CE-R-1-002"]
        assert item.events[0]["occurred_at"] == "2022-09-17T18:30:00Z"
        assert item.last_holder == "Morgue Kharkiv"
        assert [b["kind"] for b in item.breaks["CE-R-1-002"]] == ["unreceived"]
        assert [e.user_name for e in audit_records(session, table="custody_events")] == [
            "field1", "path1"]
        with pytest.raises(NotFoundError):
            editing.custody_item(session, "G-1", actor="lab1")


def test_form_texts_and_blank_forms():
    fields = {f.name: f for f in editing.form_fields("examinations")}
    assert fields["id"].is_key and fields["id"].required
    assert fields["injuries"].widget == "nested"
    assert fields["injuries"].parts[:3] == ("description", "body_region", "mechanism")
    assert fields["age"].widget == "range" and fields["torture_signs"].widget == "checkbox"
    assert fields["sex"].choices == ("male", "female", "unknown")
    assert editing.parse_value(fields["age"], "30 – 45") == {"minimum": 30.0, "maximum": 45.0}
    assert editing.form_text(fields["age"], cw.Range(minimum=30, maximum=30)) == "30"
    site = {f.name: f for f in editing.form_fields("sites")}
    assert editing.parse_value(site["location"], "49,2001; 37,2803") == {
        "type": "Point", "coordinates": [37.2803, 49.2001]}
    blank = editing.blank_values("remains", {"grave_id": "G-1", "nonsense": "x"})
    assert blank["grave_id"] == "G-1" and "nonsense" not in blank
    assert blank["status"] == "recovered" and blank["effects"] == ""
    moment = dt.datetime(2022, 9, 17, 18, 30, tzinfo=dt.UTC)
    transfer = {f.name: f for f in editing.form_fields("samples")}
    assert editing.form_text(transfer["collected_on"], dt.date(2022, 9, 1)) == "2022-09-01"
    assert editing.form_text(editing.FormField("t", "datetime", True), moment) == \
        "2022-09-17T18:30"
