"""One session is one transaction: an error rolls back every record and audit record."""

import pytest
from storage_records import store_all

from homecoming.errors import IntegrityError
from homecoming.storage.repositories import Repositories


def test_error_rolls_back_everything(db, records):
    with pytest.raises(IntegrityError, match="^Sample.barcode: 'PM-000001' already exists"):
        with db.session() as session:
            repos = Repositories(session)
            store_all(repos, records)
            assert repos.remains.count() == 1             # visible inside the transaction
            repos.samples.add(records.pm_sample)          # duplicate: the whole block fails
    assert set(db.counts().values()) == {0}               # nothing, not even audit records


def test_any_exception_rolls_back(db, records):
    with pytest.raises(RuntimeError, match="power cut"):
        with db.session() as session:
            Repositories(session).sites.add(records.site)
            raise RuntimeError("power cut")
    assert db.counts()["sites"] == 0 and db.counts()["audit_records"] == 0


TABLE_COUNTS = {"sites", "hazard_areas", "graves", "exhumations", "incidents", "remains",
                "examinations", "missing_persons", "donors", "samples", "custody_events",
                "profiles", "candidates", "staff_profiles", "elimination_flags", "audit_records"}


def test_success_commits(db, records):
    with db.session() as session:
        store_all(Repositories(session), records)
    counts = db.counts()
    assert {k: counts[k] for k in counts if k in TABLE_COUNTS} == {
                      "sites": 1, "hazard_areas": 1, "graves": 1, "exhumations": 1,
                      "incidents": 1, "remains": 1, "examinations": 1, "missing_persons": 1,
                      "donors": 1, "samples": 2, "custody_events": 1, "profiles": 2,
                      "candidates": 0, "staff_profiles": 0, "elimination_flags": 0,
                      "audit_records": 14}
