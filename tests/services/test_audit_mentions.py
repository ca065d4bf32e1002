"""The index of records named by multi-record audit entries (``audit_mentions``, migration
0010): written with the entry, read for one record's trail, checked by ``audit verify``, and
built for entries stored before the migration. SQLite and PostgreSQL; records are SYNTHETIC."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select, text

from homecoming import casework as cw
from homecoming.services.audit import record_export, record_read, verify
from homecoming.services.records import audit_log
from homecoming.storage import Database, audit_chain
from homecoming.storage.repositories import Repositories
from homecoming.storage.tables_speed import audit_mentions
from tests.services.test_audit_verify import tampering


def _people(db: Database, n: int) -> None:
    with db.session() as session:
        repos = Repositories(session, user="SYNTHETIC clerk")
        for k in range(1, n + 1):
            repos.missing_persons.add(cw.MissingPerson(
                id=f"MP-{k}", surname=f"SYNTHETIC-{k}", given_name="Test", sex="female",
                reported_by="SYNTHETIC relative", reported_on="2022-04-01"))


def _index(db: Database) -> list[tuple[str, str, int]]:
    with db.session() as session:
        return sorted((r.table_name, r.record_key, r.seq)
                      for r in session.execute(select(audit_mentions)))


def _seqs(db: Database, key: str) -> list[tuple[int, str, str]]:
    with db.session() as session:
        return [(e["id"], e["action"], e["record"])
                for e in audit_log(session, record=key, table="missing_persons")]


@pytest.fixture
def people(database_url):
    """An upgraded database with three SYNTHETIC missing persons, MP-1 to MP-3."""
    db = Database(database_url)
    db.upgrade()
    _people(db, 3)
    yield db
    db.dispose()


def test_a_multi_record_read_is_indexed_and_found_from_each_record(people):
    db = people
    with db.session() as session:
        assert record_read(session, "missing_persons", ["MP-1", "MP-2"],
                           purpose="list shown") == 2
        assert record_read(session, "missing_persons", ["MP-3"], purpose="one shown") == 1
        assert record_export(session, "missing_persons", ["MP-3", "MP-1", "MP-2"],
                             destination="all.csv", file_format="csv") == 3
    with db.session() as session:
        seqs = [r[0] for r in session.execute(text(
            "SELECT seq FROM audit_log WHERE action IN ('read', 'export') ORDER BY seq"))]
    read_many, read_one, export = seqs
    # the single-record read is found by its own key, not through the index
    assert _index(db) == sorted([("missing_persons", "MP-1", read_many),
                                 ("missing_persons", "MP-2", read_many),
                                 ("missing_persons", "MP-1", export),
                                 ("missing_persons", "MP-2", export),
                                 ("missing_persons", "MP-3", export)])
    assert [a for _, a, _ in _seqs(db, "MP-1")] == ["insert", "read", "export"]
    assert [(a, r) for _, a, r in _seqs(db, "MP-3")] == [
        ("insert", "MP-3"), ("read", "MP-3"), ("export", "3 records")]
    with db.session() as session:
        assert verify(session).ok


def test_verify_names_an_index_row_deleted_or_added(people):
    db = people
    with db.session() as session:
        record_read(session, "missing_persons", ["MP-1", "MP-2"], purpose="list shown")
    seq = _index(db)[0][2]
    with tampering(db) as conn:
        conn.execute(text("DELETE FROM audit_mentions WHERE record_key = 'MP-2'"))
        conn.execute(text("INSERT INTO audit_mentions (table_name, record_key, seq) "
                          "VALUES ('missing_persons', 'MP-9', :seq)"), {"seq": seq})
    with db.session() as session:
        found = [(p.kind, p.seq, p.key) for p in verify(session).problems]
    assert found == [("index_missing", seq, "MP-2"), ("index_extra", seq, "MP-9")]


def test_the_migration_indexes_entries_stored_before_it(database_url):
    """Entries written at revision 0009 (no index yet) are indexed by the upgrade to 0010;
    one-record and non-read entries are not."""
    db = Database(database_url)
    try:
        db.upgrade("0009")
        prev = audit_chain.GENESIS
        rows = [("read", "5 records", {"records": ["MP-1", "MP-2"]}),
                ("read", "MP-7", {"records": ["MP-7"]}),
                ("export", "2 records", {"destination": "x.csv", "format": "csv",
                                         "records": ["MP-2", "MP-3"]}),
                ("insert", "MP-1", {"id": "MP-1"})]
        with db.engine.begin() as conn:
            for seq, (action, key, after) in enumerate(rows, start=1):
                entry = {"seq": seq, "at": "2026-12-07 10:00:00", "user_name": "SYNTHETIC",
                         "db_role": None, "table_name": "missing_persons",
                         "record_key": key, "action": action, "before": None,
                         "after": after, "reason": None, "record_sha256": None,
                         "prev_hash": prev}
                entry["entry_hash"] = prev = "0" * 64
                conn.execute(text(
                    "INSERT INTO audit_log (seq, at, user_name, table_name, record_key, "
                    "action, after, prev_hash, entry_hash) VALUES (:seq, :at, :user_name, "
                    ":table_name, :record_key, :action, :after, :prev_hash, :entry_hash)"),
                    {**entry, "after": json.dumps(after)})
        db.upgrade()
        assert _index(db) == [("missing_persons", "MP-1", 1), ("missing_persons", "MP-2", 1),
                              ("missing_persons", "MP-2", 3), ("missing_persons", "MP-3", 3)]
        db.downgrade("0009")
        assert "audit_mentions" not in db.table_names()
    finally:
        db.dispose()
