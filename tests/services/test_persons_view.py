"""persons.view (issue 12 item 3): the records that name people (missing persons, donors) are
read only by accounts whose role holds it; a lab account reads samples, never names."""

import pytest

from homecoming.casework.accounts import PERMISSIONS, Role
from homecoming.errors import PermissionDenied
from homecoming.services import accounts, demo
from homecoming.services.database import init_database, open_database
from homecoming.services.records import list_records, show_record


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('persons') / 's.db'}"
    init_database(url)
    database = open_database(url)
    demo.load_demo(database, seed=7, bodies=6, identify=False)
    with database.session() as session:
        accounts.add_user(session, "chief", ["admin"], actor="chief")
        for role in ("lab", "field", "pathologist", "monitor", "liaison", "analyst", "board",
                     "investigator"):
            accounts.add_user(session, f"{role}.x", [role], actor="chief")
    return database


def test_the_table_gives_names_to_the_people_who_work_with_families_and_cases():
    assert {r.value for r in PERMISSIONS["persons.view"]} == {
        "analyst", "board", "liaison", "investigator", "admin"}
    assert Role.LAB not in PERMISSIONS["persons.view"]
    assert Role.MONITOR not in PERMISSIONS["persons.view"]


@pytest.mark.parametrize("role", ["lab", "field", "pathologist"])
@pytest.mark.parametrize("kind", ["missing-persons", "donors"])
def test_codes_only_roles_are_refused_names(db, role, kind):
    with db.session() as session:
        key = list_records(session, kind, actor="chief")[0]["id"]
        with pytest.raises(PermissionDenied, match="may not persons.view"):
            list_records(session, kind, actor=f"{role}.x")
        with pytest.raises(PermissionDenied, match="may not persons.view"):
            show_record(session, kind, key, actor=f"{role}.x")
        # their own records stay readable: the lab reads samples by bar-code
        samples = list_records(session, "samples", actor=f"{role}.x")
        assert samples and all(s["barcode"].startswith("SYN-") for s in samples)


@pytest.mark.parametrize("role", ["liaison", "analyst", "board", "investigator"])
def test_people_work_roles_read_names(db, role):
    with db.session() as session:
        people = list_records(session, "missing-persons", actor=f"{role}.x")
        assert people and all(p["surname"] for p in people)
        donor = list_records(session, "donors", actor=f"{role}.x")[0]
        assert show_record(session, "donors", donor["id"], actor=f"{role}.x")["full_name"]
