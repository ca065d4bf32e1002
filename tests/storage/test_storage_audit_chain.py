"""The audit trail is a hash chain (migration 0006): each entry commits to the previous one and
to the digest of the record as written; entries stored before 0006 are chained on upgrade."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text

from homecoming.storage import Database, audit_chain, tables  # noqa: F401
from homecoming.storage.repositories import Repositories, audit_records


def _check_chain(entries):
    prev = audit_chain.GENESIS
    for n, entry in enumerate(entries, start=1):
        assert entry.seq == n
        assert entry.prev_hash == prev
        assert entry.entry_hash == audit_chain.entry_hash(entry)
        prev = entry.entry_hash


def test_entries_form_a_chain_with_record_digests(filled, records):
    with filled.session() as session:
        Repositories(session).graves.update("G-17", label="17a")
    with filled.session() as session:
        entries = audit_records(session)
        _check_chain(entries)
        assert len(entries) == 15
        stored = audit_chain.read_digests(session, tables.graves)
        update = entries[-1]
        assert (update.action, update.record_key) == ("update", "G-17")
        assert update.record_sha256 == stored["G-17"]
        insert = next(e for e in entries if e.table_name == "graves")
        assert insert.record_sha256 != update.record_sha256   # the record as written then
        profiles = audit_chain.read_digests(session, tables.profiles)
        assert {e.record_key: e.record_sha256 for e in entries
                if e.table_name == "profiles"} == profiles
        assert all(e.db_role for e in entries)


def test_the_canonical_serialisation_is_sorted_compact_utf8():
    assert audit_chain.canonical({"b": 1, "a": ["Коваленко", dt.date(2022, 3, 15)]}) == \
        '{"a":["Коваленко","2022-03-15"],"b":1}'.encode()


def test_entries_stored_before_the_chain_are_chained_on_upgrade(database_url):
    db = Database(database_url)
    try:
        db.upgrade("0005")
        at = dt.datetime(2022, 9, 10, 12, 0, tzinfo=dt.UTC)
        site = {"id": "S-1", "name": "SYNTHETIC site", "location": json.dumps(
            {"type": "Point", "coordinates": [37.2, 49.1]}), "location_precision": "gps",
            "reported_via": "official", "reported_on": dt.date(2022, 9, 10),
            "verification_status": "unverified", "personnel": "[]", "description": ""}
        with db.engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO sites (id, name, location, location_precision, reported_via, "
                "reported_on, verification_status, personnel, description) VALUES (:id, "
                ":name, :location, :location_precision, :reported_via, :reported_on, "
                ":verification_status, :personnel, :description)"), site)
            for n, action in enumerate(["insert", "update"]):
                conn.execute(text(
                    "INSERT INTO audit_log (at, user_name, table_name, record_key, action, "
                    "before, after) VALUES (:at, 'SYNTHETIC user', 'sites', 'S-1', :action, "
                    "NULL, '{}')"), {"at": at + dt.timedelta(minutes=n), "action": action})
        db.upgrade()
        with db.session() as session:
            entries = audit_records(session)
            _check_chain(entries)
            assert [e.record_sha256 is None for e in entries] == [True, False]
            assert entries[1].record_sha256 == \
                audit_chain.read_digests(session, tables.sites)["S-1"]
            Repositories(session).sites.update("S-1", name="SYNTHETIC site 2")
        with db.session() as session:
            _check_chain(audit_records(session))
        db.downgrade("0005")
        db.upgrade()
        with db.session() as session:
            _check_chain(audit_records(session))
    finally:
        db.dispose()


def test_an_unusable_actor_name_is_refused_before_anything_is_written(db, records):
    import pytest

    from homecoming.errors import InputError

    with pytest.raises(InputError, match="acting person"):
        with db.session() as session:
            Repositories(session, user="x" * 201).sites.add(records.site)
    assert db.counts()["sites"] == 0
