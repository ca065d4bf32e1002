"""A detail page lists the first RELATED_SHOWN related records and their number in all, with
the query of the related kind's list that shows all of them (issue 12, speed: a site's
hundreds of graves). SYNTHETIC rows inserted directly."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from homecoming.services.web_queries import RELATED_SHOWN, record_detail
from homecoming.storage import Database
from homecoming.storage import tables as t


@pytest.fixture
def db(database_url):  # SQLite and PostgreSQL
    database = Database(database_url)
    database.upgrade()
    with database.session() as s:
        for site in ("SITE-A", "SITE-B"):
            s.execute(insert(t.sites).values(
                id=site, name="SYNTHETIC", location={"type": "Point", "coordinates": [37, 49]},
                location_precision="exact", reported_via="field", reported_on=dt.date(2025, 1, 1),
                verification_status="reported", personnel=[], description=""))
        s.execute(insert(t.graves), [
            {"id": f"G-A-{i:03d}", "site_id": "SITE-A", "label": f"{i}",
             "grave_type": "individual", "status": "found", "notes": ""} for i in range(73)]
            + [{"id": f"G-B-{i:03d}", "site_id": "SITE-B", "label": f"{i}",
                "grave_type": "individual", "status": "found", "notes": ""} for i in range(7)])
    yield database
    database.dispose()


def test_related_list_capped_with_total_and_link(db):
    assert RELATED_SHOWN == 50
    with db.session() as s:
        big = record_detail(s, "sites", "SITE-A")
        small = record_detail(s, "sites", "SITE-B")
    assert [g["id"] for g in big.related["graves"]] == [f"G-A-{i:03d}" for i in range(50)]
    assert big.related_total["graves"] == 73
    assert big.related_query["graves"] == "site_id=SITE-A"  # the graves list's site filter
    assert big.related_total["hazard-areas"] == 0 and big.related["hazard-areas"] == []
    assert big.related_query["hazard-areas"] == "q=SITE-A"  # no site filter there: search
    assert len(small.related["graves"]) == small.related_total["graves"] == 7
