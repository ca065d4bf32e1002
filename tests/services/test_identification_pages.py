"""The identification list and the review queue chosen in SQL (issue 12, speed): the newest
version per missing person, the status filter and the page in SQL, with the number matching;
the unpaginated service (the CLI's ``identifications list``) gives the same rows. SYNTHETIC
rows inserted directly; on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import insert

from homecoming.services.identifications import identification_page, list_identifications
from homecoming.services.review import review_queue, review_queue_page
from homecoming.storage import Database
from homecoming.storage import tables as t
from homecoming.storage.repositories.identifications import IdentificationRepository

N = 60  # missing persons; every third has two versions


def _ident(mp: str, version: int, status: str, run_by: str = "ana") -> dict:
    return {"id": f"{mp}-v{version}", "missing_person_id": mp, "version": version,
            "remains_code": None, "run_id": f"RUN-{version}", "status": status,
            "conclusion": "undisputed", "lr": 10.0 ** version, "log10_lr": float(version),
            "glr": None, "posterior": 0.99, "prior": 0.5, "per_marker": {"D3S1358": 2.5},
            "references": [], "pedigree": {}, "runner_ups": [], "model": {},
            "provenance": {}, "comment": "SYNTHETIC", "changes": {},
            "supersedes": f"{mp}-v{version - 1}" if version > 1 else None, "run_by": run_by,
            "created_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)}


@pytest.fixture
def db(database_url):  # SQLite and PostgreSQL
    database = Database(database_url)
    database.upgrade()
    with database.session() as s:
        s.execute(insert(t.missing_persons), [
            {"id": f"MP-{i:03d}", "surname": "SYNTHETIC", "given_name": "X", "sex": "M",
             "circumstances": "", "distinguishing_marks": "", "dental_notes": "",
             "clothing": "", "status": "missing", "reported_by": "x",
             "reported_on": dt.date(2025, 1, 1), "sharing_level": "internal", "notes": ""}
            for i in range(N)])
        repo = IdentificationRepository(s, user="ana")
        for i in range(N):
            mp = f"MP-{i:03d}"
            if i % 3 == 0:  # an older version, superseded (or stale) by a newer one
                repo.add(_ident(mp, 1, "stale" if i % 2 else "superseded"))
                repo.add(_ident(mp, 2, "proposed" if i % 2 else "reviewed"))
            else:
                repo.add(_ident(mp, 1, "proposed" if i % 4 else "confirmed"))
    yield database
    database.dispose()


def test_page_of_newest_versions_and_total(db):
    with db.session() as s:
        every = list_identifications(s, latest_only=True)
        assert len(every) == N
        assert [r["missing_person"] for r in every] == [f"MP-{i:03d}" for i in range(N)]
        assert all(r["version"] == (2 if int(r["missing_person"][3:]) % 3 == 0 else 1)
                   for r in every)
        first = identification_page(s, page=1, page_size=25)
        third = identification_page(s, page=3, page_size=25)
        assert first.total == N and first.pages == 3
        assert [r["id"] for r in first.rows] == [r["id"] for r in every[:25]]
        assert [r["id"] for r in third.rows] == [r["id"] for r in every[50:]]
        assert len(third.rows) == 10
        # the CLI's list, paginated by parameter, is the same slice
        assert list_identifications(s, latest_only=True, limit=25, offset=25) == every[25:50]
        # all versions (not only the newest): 60 + 20 older
        assert len(list_identifications(s)) == N + N // 3


def test_status_filter_in_sql(db):
    with db.session() as s:
        every = list_identifications(s, latest_only=True)
        proposed = [r for r in every if r["status"] == "proposed"]
        page = identification_page(s, status="proposed", page=1, page_size=25)
        assert page.total == len(proposed) == 40
        assert [r["id"] for r in page.rows] == [r["id"] for r in proposed[:25]]
        assert page.filters == {"status": "proposed"}
        # a status of an older version only does not list that missing person
        assert identification_page(s, status="stale").total == 0
        assert list_identifications(s, status="stale", latest_only=True) == []
        assert len(list_identifications(s, status="stale")) == 10


def test_review_queue_page(db):
    with db.session() as s:  # no accounts stored: analyst and board; 'bob' ran none
        queue = review_queue(s, actor="bob")
        waiting = [r for r in list_identifications(s, latest_only=True)
                   if r["status"] in ("proposed", "reviewed")]
        assert [r["id"] for r in queue] == [r["id"] for r in waiting]
        assert {r["waiting_for"] for r in queue if r["status"] == "proposed"} == {"accept"}
        assert {r["waiting_for"] for r in queue if r["status"] == "reviewed"} == {"confirm"}
        stale_replaced = [r for r in queue if "replaces_stale" in r]
        assert [r["replaces_stale"] for r in stale_replaced] == [
            r["id"].replace("-v2", "-v1") for r in stale_replaced]
        assert len(stale_replaced) == 10
        second = review_queue_page(s, page=2, page_size=25, actor="bob")
        assert second.total == len(queue) and [r["id"] for r in second.rows] == [
            r["id"] for r in queue[25:50]]
        # the person who ran them waits for nothing
        assert review_queue(s, actor="ana") == []
    with db.session() as s:  # who accepted a reviewed one does not confirm it (four eyes)
        IdentificationRepository(s, user="bob").add_review_event(
            {"identification_id": "MP-000-v2", "action": "accept", "from_status": "proposed",
             "to_status": "reviewed", "actor": "bob",
             "at": dt.datetime(2026, 1, 2, tzinfo=dt.UTC), "note": ""})
    with db.session() as s:
        assert [r["id"] for r in review_queue(s, actor="bob")] == [
            r["id"] for r in queue if r["id"] != "MP-000-v2"]
        assert "MP-000-v2" in [r["id"] for r in review_queue(s, actor="cid")]


def test_latest_naming_a_donor_in_sql(db):
    """The register's withdrawal effects: the newest versions whose references name a donor
    (a superset chosen in SQL by the JSON text; D-1 must not be taken for D-10 in the end)."""
    with db.session() as s:
        repo = IdentificationRepository(s, user="ana")
        refs = {"MP-001": [{"donor": "D-10", "typed": True}],
                "MP-002": [{"donor": "D-1", "typed": True}, {"donor": "Д-1", "typed": True}]}
        for mp, references in refs.items():
            row = _ident(mp, 2, "confirmed")
            row["references"] = references
            repo.add(row)
        old = _ident("MP-004", 2, "proposed")  # an older version naming D-1, then a newer
        old["references"] = [{"donor": "D-1", "typed": True}]
        repo.add(old)
        repo.add(_ident("MP-004", 3, "proposed"))
    with db.session() as s:
        repo = IdentificationRepository(s)
        assert [r["id"] for r in repo.latest_naming("D-1")] == ["MP-002-v2"]
        assert [r["id"] for r in repo.latest_naming("D-10")] == ["MP-001-v2"]
        assert [r["id"] for r in repo.latest_naming("Д-1")] == ["MP-002-v2"]
        assert repo.latest_naming("D-%") == []
        assert repo.latest_naming("D-1")[0]["references"][0] == {"donor": "D-1", "typed": True}
