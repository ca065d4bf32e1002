"""The audit trail: one record per insert/update/delete with before/after; append-only."""

import datetime as dt

import pytest
from sqlalchemy import delete, text, update

from homecoming.storage import tables
from homecoming.storage.repositories import Repositories, audit_records, genotypes_digest


def test_insert_update_delete_are_audited(db, records, monkeypatch):
    monkeypatch.setenv("HOMECOMING_USER", "a.kovalenko")
    started = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)
    with db.session() as session:
        repos = Repositories(session)
        repos.sites.add(records.site)
        repos.hazard_areas.add(records.hazard)
        repos.hazard_areas.update("H-1", cleared=True, cleared_on="2022-09-14",
                                  cleared_by="State Emergency Service (synthetic)")
        repos.hazard_areas.delete("H-1")
    with db.session() as session:
        trail = audit_records(session, table="hazard_areas", key="H-1")
        assert [a.action for a in trail] == ["insert", "update", "delete"]
        insert_, update_, delete_ = trail
        assert insert_.before is None and insert_.after == records.hazard.to_dict()
        assert update_.before == records.hazard.to_dict()
        assert update_.after["cleared"] is True
        assert update_.after["cleared_on"] == "2022-09-14"
        assert delete_.before == update_.after and delete_.after is None
        assert {a.user_name for a in trail} == {"a.kovalenko"}
        assert all(started <= a.at <= dt.datetime.now(dt.UTC) for a in trail)
        assert [a.record_key for a in audit_records(session, table="sites")] == ["S-IZM"]


def test_an_update_that_changes_nothing_is_not_audited(filled):
    with filled.session() as session:
        Repositories(session).graves.update("G-17", label="17")
        assert audit_records(session, table="graves", action="update") == []


def test_profile_audit_keeps_a_digest_not_alleles(filled, records):
    with filled.session() as session:
        (entry,) = audit_records(session, table="profiles", key="PM-000001")
    assert "genotypes" not in entry.after
    assert entry.after["loci"] == ["D3S1358", "FGA", "TH01"]
    assert entry.after["genotypes_sha256"] == genotypes_digest(records.pm_profile.genotypes)
    assert "9.3" not in str(entry.after)


@pytest.mark.parametrize("statement", [
    update(tables.audit_log).values(user_name="someone else"),
    delete(tables.audit_log),
])
def test_audit_records_cannot_be_changed_or_deleted(filled, statement):
    with pytest.raises(Exception, match="audit_log is append-only"):
        with filled.session() as session:
            session.execute(statement)
    with filled.session() as session:
        assert {a.user_name for a in audit_records(session)} != {"someone else"}
        assert len(audit_records(session)) == 14


@pytest.mark.postgres
def test_audit_log_cannot_be_truncated_on_postgresql(postgres_server, records):
    """TRUNCATE exists only on PostgreSQL; its own trigger refuses it."""
    from homecoming.storage import Database

    postgres_server.admin('CREATE DATABASE "truncate_test"')
    db = Database(postgres_server.url("truncate_test"))
    try:
        db.upgrade()
        with db.session() as session:
            Repositories(session).sites.add(records.site)
        with pytest.raises(Exception, match="audit_log is append-only"):
            with db.session() as session:
                session.execute(text("TRUNCATE audit_log"))
        assert db.counts()["audit_records"] == 1
    finally:
        db.dispose()
        postgres_server.admin('DROP DATABASE "truncate_test" WITH (FORCE)')
