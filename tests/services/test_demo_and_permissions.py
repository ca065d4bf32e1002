"""The application layer's write services: demo removal through the audited repository
functions (candidates included), the acting person in the audit trail, and the permission
check every write service makes once accounts exist."""

import pytest

from homecoming.errors import PermissionDenied
from homecoming.services import accounts, demo, imports, screening
from homecoming.services.database import init_database, open_database
from homecoming.storage.repositories import Repositories, audit_records, list_candidates


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 's.db'}"
    init_database(url)
    return open_database(url)


def test_replacing_the_demo_deletes_its_candidates_audited_under_the_actor(db):
    first = demo.load_demo(db, seed=3, bodies=12, identify=False, actor="ops.one")
    assert first["records_removed"] == 0
    result = screening.screen(db, relationships=["parent_child"], min_lr=1e-3,
                              actor="analyst.a")
    with db.session() as session:
        n = len(list_candidates(session))
    assert n == result.stored and n > 0
    again = demo.load_demo(db, seed=4, bodies=10, identify=False, replace=True,
                           actor="ops.two")
    assert again["records_removed"] == first["records_stored"]
    with db.session() as session:
        assert list_candidates(session) == []
        deleted = audit_records(session, table="candidates", action="delete")
        assert len(deleted) == n and {r.user_name for r in deleted} == {"ops.two"}
        inserted = audit_records(session, table="candidates", action="insert")
        assert {r.user_name for r in inserted} == {"analyst.a"}
        removed = audit_records(session, table="remains", action="delete")
        assert len(removed) == 12 and {r.user_name for r in removed} == {"ops.two"}
        assert Repositories(session).remains.count() == 10


def test_write_services_check_the_permission_table_once_accounts_exist(db, tmp_path):
    missing = tmp_path / "missing.csv"
    missing.write_text("id,surname,given_name,reported_by,reported_on\n"
                       "MP-1,Example,Test,a clerk,2023-01-02\n")
    # no account yet: everyone may write (the operator at the server)
    assert imports.import_csv(db, "missing-persons", missing, dry_run=True).count == 1
    with db.session() as session:
        accounts.add_user(session, "chief", ["admin"], actor="chief")
        accounts.add_user(session, "lab.l", ["lab"], actor="chief")
    with pytest.raises(PermissionDenied, match="'nobody' has no account"):
        imports.import_csv(db, "missing-persons", missing, actor="nobody")
    with pytest.raises(PermissionDenied, match="may not missing_persons.write"):
        imports.import_csv(db, "missing-persons", missing, actor="lab.l")
    with pytest.raises(PermissionDenied, match="may not database.admin"):
        demo.load_demo(db, bodies=5, identify=False, actor="lab.l")
    # a dry run writes nothing and needs no write permission
    assert imports.import_csv(db, "missing-persons", missing, dry_run=True,
                              actor="lab.l").count == 1
    done = imports.import_csv(db, "missing-persons", missing, actor="chief")
    assert done.count == 1 and not done.dry_run
    with db.session() as session:
        [row] = audit_records(session, table="missing_persons", action="insert")
        assert row.user_name == "chief"


def test_replacing_the_demo_after_the_workflow_removes_its_identifications_audited(db):
    from homecoming.services.review import demo_workflow
    from homecoming.storage.repositories.identifications import IdentificationRepository

    demo.load_demo(db, seed=5, bodies=20, identify=False)
    done = demo_workflow(db, release_count=2, notify_count=2)
    with db.session() as session:
        stored = IdentificationRepository(session).list()
        releases = IdentificationRepository(session).releases()
    assert stored and len(releases) == 2, done
    again = demo.load_demo(db, seed=5, bodies=20, identify=False, replace=True,
                           actor="syn-admin")
    # the demo's records plus the two custody events that closed the released remains' chain
    assert again["records_removed"] == again["records_stored"] + 2
    with db.session() as session:
        assert IdentificationRepository(session).list() == []
        deleted = audit_records(session, table="identifications", action="delete")
        assert len(deleted) == len(stored)
        assert {r.user_name for r in deleted} == {"syn-admin"}
        assert len(audit_records(session, table="releases", action="delete")) == 2
