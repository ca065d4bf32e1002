"""`homecoming audit verify` (issue 13, Build 1): the chain and the records, tampered with
directly in the database in each way, on SQLite and PostgreSQL; verify names every one.
Records are SYNTHETIC."""

from __future__ import annotations

import contextlib

import pytest
from click.testing import CliRunner
from sqlalchemy import text, update

from homecoming import casework as cw
from homecoming.cli.main import cli
from homecoming.services.audit import anchor, record_export, record_reads, verify
from homecoming.storage import Database, audit_chain, tables
from homecoming.storage.repositories import Repositories, audit_records


@pytest.fixture
def db(database_url):
    database = Database(database_url)
    database.upgrade()
    with database.session() as session:
        repos = Repositories(session, user="SYNTHETIC clerk")
        repos.sites.add(cw.Site(id="S-1", name="SYNTHETIC site",
                                location=cw.Geometry.point(37.2, 49.2),
                                location_precision="gps", reported_via="official",
                                reported_on="2022-09-10"))
        repos.graves.add(cw.Grave(id="G-1", site_id="S-1", label="1"))
        repos.graves.add(cw.Grave(id="G-2", site_id="S-1", label="2"))
        repos.missing_persons.add(cw.MissingPerson(
            id="MP-1", surname="SYNTHETIC-Kovalenko", given_name="Olena", sex="female",
            reported_by="SYNTHETIC son", reported_on="2022-04-01"))
        repos.graves.update("G-1", label="1a")
    yield database
    database.dispose()


@contextlib.contextmanager
def tampering(db):
    """A connection with the append-only triggers out of the way (as an owner could)."""
    with db.engine.begin() as conn:
        if db.backend == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_update")
            conn.exec_driver_sql("DROP TRIGGER audit_log_no_delete")
        else:
            conn.exec_driver_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
        yield conn


def _problems(db, **kw):
    with db.session() as session:
        return [(p.kind, p.seq if p.table is None else f"{p.table}/{p.key}")
                for p in verify(session, **kw).problems]


def test_an_untouched_trail_is_intact(db):
    with db.session() as session:
        result = verify(session)
        assert result.ok and result.entries == 5 and result.head_seq == 5
        assert result.records == 4


def test_a_modified_entry_is_named(db):
    with tampering(db) as conn:
        conn.execute(text("UPDATE audit_log SET user_name = 'someone else' WHERE seq = 2"))
    assert _problems(db) == [("modified", 2)]


def test_a_modified_before_value_is_named(db):
    with tampering(db) as conn:
        conn.execute(text("UPDATE audit_log SET record_sha256 = :d WHERE seq = 5"),
                     {"d": "0" * 64})
    problems = _problems(db)
    assert ("modified", 5) in problems and ("record_changed", "graves/G-1") in problems


def test_a_deleted_entry_is_named(db):
    with tampering(db) as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 3"))
    problems = _problems(db)
    assert ("deleted", 3) in problems
    # the record it audited now has no entry: it looks inserted outside the application
    assert ("record_inserted", "graves/G-2") in problems
    assert len(problems) == 2


def test_an_inserted_entry_is_named(db):
    with db.session() as session:
        entries = audit_records(session)
    forged = dict(entries[1])
    forged.pop("id")
    forged.update(seq=6, action="delete", record_key="G-2", prev_hash=entries[2].entry_hash,
                  before=None, after=None)
    forged["entry_hash"] = audit_chain.entry_hash(forged)   # a well-formed but forked entry
    with tampering(db) as conn:
        conn.execute(text(
            "INSERT INTO audit_log (seq, at, user_name, db_role, table_name, record_key, "
            "action, reason, before, after, record_sha256, prev_hash, entry_hash) VALUES "
            "(:seq, :at, :user_name, :db_role, :table_name, :record_key, :action, :reason, "
            "NULL, NULL, :record_sha256, :prev_hash, :entry_hash)"), forged)
    problems = _problems(db)
    assert ("inserted", 6) in problems
    assert ("record_inserted", "graves/G-2") in problems   # "deleted" by the forged entry


def test_reordered_entries_are_named(db):
    with db.session() as session:
        entries = audit_records(session)
    a, b = entries[1], entries[2]
    log = tables.audit_log

    def put(conn, row_id, source, seq):
        values = {c: v for c, v in source.items() if c != "id"}
        conn.execute(update(log).where(log.c.id == row_id).values(**{**values, "seq": seq}))

    with tampering(db) as conn:
        put(conn, a.id, b, -1)
        put(conn, b.id, a, a.seq)
        put(conn, a.id, b, b.seq)
    problems = _problems(db)
    assert ("reordered", 2) in problems
    assert all(kind == "reordered" for kind, _ in problems)


def test_records_changed_outside_the_application_are_named(db):
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE missing_persons SET surname = 'Other' WHERE id = 'MP-1'"))
        conn.execute(text("DELETE FROM graves WHERE id = 'G-2'"))
        conn.execute(text(
            "INSERT INTO graves (id, site_id, label, grave_type, status, notes) VALUES "
            "('G-9', 'S-1', '9', 'single', 'reported', '')"))
    assert sorted(_problems(db)) == [("record_changed", "missing_persons/MP-1"),
                                     ("record_deleted", "graves/G-2"),
                                     ("record_inserted", "graves/G-9")]


def test_the_anchor_finds_a_chain_cut_short_or_rewritten(db):
    with db.session() as session:
        head = anchor(session)
    assert head["count"] == 5 and len(head["head_hash"]) == 64
    assert _problems(db, anchor=f"{head['count']}:{head['head_hash']}") == []
    with tampering(db) as conn:   # remove the last entry: the chain alone still looks whole
        conn.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    assert ("anchor", 5) in _problems(db, anchor=f"{head['count']}:{head['head_hash']}")


def test_reads_and_exports_are_chained_entries(db):
    with db.session() as session:
        assert record_reads(session, "missing_persons", ["MP-1"], purpose="family liaison",
                            actor="SYNTHETIC liaison") == 1
        assert record_export(session, "missing_persons", ["MP-1"], destination="mp.csv",
                             file_format="csv", actor="SYNTHETIC liaison") == 1
    with db.session() as session:
        entries = audit_records(session)
        assert [(e.action, e.user_name, e.reason) for e in entries[-2:]] == [
            ("read", "SYNTHETIC liaison", "family liaison"),
            ("export", "SYNTHETIC liaison", "export to mp.csv")]
        assert verify(session).ok


def test_cli_verify_names_the_entry_and_exits_1(db, database_url):
    runner = CliRunner()
    ok = runner.invoke(cli, ["--database", database_url, "audit", "verify"])
    assert ok.exit_code == 0 and "5 entries" in ok.output and "intact" in ok.output
    head = runner.invoke(cli, ["--database", database_url, "audit", "anchor"])
    assert head.exit_code == 0 and head.output.startswith("5:")
    with tampering(db) as conn:
        conn.execute(text("UPDATE audit_log SET record_key = 'G-7' WHERE seq = 3"))
    bad = runner.invoke(cli, ["--database", database_url, "audit", "verify"])
    assert bad.exit_code == 1
    assert "TAMPERED: entry 3 (id" in bad.output and "was modified" in bad.output
    log = runner.invoke(cli, ["--database", database_url, "audit", "log", "--record", "G-1",
                              "--json"])
    assert log.exit_code == 0 and '"action": "update"' in log.output
