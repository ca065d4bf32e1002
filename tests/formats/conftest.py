"""Fixtures for the format tests: a small SQLite casework database (synthetic records)."""

from __future__ import annotations

import pytest
from formats_fixtures import make_casework


@pytest.fixture
def casework_db(tmp_path):
    from homecoming.storage import Database
    from homecoming.storage.repositories import Repositories

    db = Database(f"sqlite:///{tmp_path / 'casework.sqlite'}")
    db.upgrade()
    r = make_casework()
    with db.session() as session:
        repos = Repositories(session)
        repos.sites.add(r.site)
        repos.hazard_areas.add(r.hazard)
        repos.graves.add(r.grave)
        repos.remains.add(r.remains)
        repos.missing_persons.add(r.missing_person)
        repos.donors.add(r.donor)
        repos.samples.add_all([r.pm_sample, r.ref_sample])
    yield db
    db.dispose()
