"""Storage fixtures: an upgraded database on both backends, and one linked set of records
(synthetic, labelled so) covering every aggregate."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from storage_records import make_records, store_all

from homecoming.storage import Database


@pytest.fixture
def db(database_url: str):
    database = Database(database_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def records() -> SimpleNamespace:
    return make_records()


@pytest.fixture
def filled(db, records):
    """The database with every record of ``records`` stored."""
    from homecoming.storage.repositories import Repositories

    with db.session() as session:
        store_all(Repositories(session), records)
    return db
