"""Issue 13, Build 1 and 4: every read of personal or genetic data is one chained audit entry
per request (who, what, when, why) from the CLI (`list`/`show`) and the web's pages alike,
and an investigator's or prosecutor's view never shows a reference given for identification
only (SYNTHETIC demo data, SQLite and PostgreSQL)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from homecoming.casework.donors import ConsentScope
from homecoming.cli.main import cli
from homecoming.errors import NotFoundError, PermissionDenied
from homecoming.services import web_queries
from homecoming.services.accounts import add_user
from homecoming.services.audit import verify
from homecoming.services.consent import withdraw_consent
from homecoming.services.records import audit_log, list_records, show_record
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories, audit_records


@pytest.fixture
def demo(database_url):
    result = CliRunner().invoke(cli, ["--database", database_url, "demo", "--bodies", "6",
                                      "--no-identify"])
    assert result.exit_code == 0, result.output
    db = Database(database_url)
    with db.session() as s:
        add_user(s, "admin", ["admin"])
        add_user(s, "ana", ["analyst"], actor="admin")
        add_user(s, "ivan", ["investigator"], actor="admin")
        add_user(s, "lab1", ["lab"], actor="admin")
    yield db
    db.dispose()


def _reads(db: Database) -> list[tuple[str, str, str, list[str]]]:
    with db.session() as s:
        return [(e.user_name, e.table_name, e.record_key, (e.after or {}).get("records"))
                for e in audit_records(s, action="read")]


def _court(db: Database) -> tuple[set[str], set[str]]:
    with db.session() as s:
        repos = Repositories(s)
        donors = {d.id for d in repos.donors.list() if d.consent is not ConsentScope.ALSO_COURT}
        barcodes = {x.barcode for x in repos.samples.list(source="donor")
                    if x.donor_id in donors}
    return donors, barcodes


def test_cli_list_and_show_of_people_are_one_audit_entry_each(demo):
    run = CliRunner().invoke
    url = demo.url
    listed = run(cli, ["--database", url, "list", "missing-persons", "--json"],
                 env={"HOMECOMING_USER": "ana"})
    assert listed.exit_code == 0, listed.output
    ids = sorted(r["id"] for r in json.loads(listed.stdout))
    assert len(ids) > 1
    donor = json.loads(run(cli, ["--database", url, "list", "donors", "--json"],
                           env={"HOMECOMING_USER": "ana"}).output)[0]["id"]
    shown = run(cli, ["--database", url, "show", "donors", donor, "--json"],
                env={"HOMECOMING_USER": "ana"})
    assert shown.exit_code == 0, shown.output
    reads = _reads(demo)
    assert reads[0] == ("ana", "missing_persons", f"{len(ids)} records", ids)
    assert reads[1][:3] == ("ana", "donors", f"{len(reads[1][3])} records")
    assert reads[2] == ("ana", "donors", donor, [donor])
    assert len(reads) == 3          # one entry per request, not one per person
    with demo.session() as s:
        assert verify(s, actor="admin").ok
        trail = audit_log(s, record=ids[0], table="missing_persons", actor="admin")
        assert [(t["action"], t["after"]["purpose"]) for t in trail if t["action"] == "read"] \
            == [("read", "personal data shown (homecoming list missing-persons)")]
        # the entry names the records and the purpose, never a name
        entry = audit_records(s, action="read")[0]
        surname = Repositories(s).missing_persons.get(ids[0]).surname
        assert surname not in json.dumps(entry.after) + str(entry.get("reason"))


def test_genotype_reads_are_one_entry_per_request(demo):
    with demo.session() as s:
        rows = list_records(s, "profiles", genotypes=True, actor="lab1")
    barcodes = sorted(r["sample_barcode"] for r in rows)
    assert len(barcodes) > 5 and all(r["genotypes"] for r in rows)
    assert _reads(demo) == [("lab1", "profiles", f"{len(barcodes)} records", barcodes)]
    with demo.session() as s:       # listing without genotypes reads no genetic data
        list_records(s, "profiles", actor="lab1")
    assert len(_reads(demo)) == 1


def test_an_investigator_never_sees_an_identification_only_reference(demo):
    donors, barcodes = _court(demo)
    assert donors and barcodes
    with demo.session() as s:
        for kind, field, hidden in (("donors", "id", donors), ("samples", "barcode", barcodes),
                                    ("profiles", "sample_barcode", barcodes),
                                    ("custody-events", "item_id", barcodes)):
            seen = {r[field] for r in list_records(s, kind, actor="ivan")}
            everything = {r[field] for r in list_records(s, kind, actor="ana")}
            assert seen == everything - hidden, kind
            assert hidden & everything, kind
        donor, barcode = sorted(donors)[0], sorted(barcodes)[0]
        for kind, key in (("donors", donor), ("samples", barcode), ("profiles", barcode)):
            with pytest.raises(PermissionDenied, match="not shown to investigators"):
                show_record(s, kind, key, actor="ivan")
            assert show_record(s, kind, key, actor="ana")
        person = show_record(s, "donors", donor, actor="ana")["missing_person_id"]
        assert donor not in show_record(s, "missing-persons", person, actor="ivan")["donors"]


def test_a_withdrawn_donor_leaves_the_investigators_view(demo):
    with demo.session() as s:
        court = [d for d in Repositories(s).donors.list()
                 if d.consent is ConsentScope.ALSO_COURT]
        donor = court[0].id
        assert donor in {r["id"] for r in list_records(s, "donors", actor="ivan")}
        withdraw_consent(s, donor, reason="SYNTHETIC family asked", actor="admin")
    with demo.session() as s:
        assert donor not in {r["id"] for r in list_records(s, "donors", actor="ivan")}


def test_web_pages_of_people_are_audited_and_consent_filtered(demo):
    donors, barcodes = _court(demo)
    with demo.session() as s:
        page = web_queries.list_records(s, "donors", page_size=500, actor="ivan")
        assert not donors & {r["id"] for r in page.rows} and page.rows
        assert page.total == len(page.rows)
        full = web_queries.list_records(s, "donors", page_size=500, actor="ana")
        assert donors <= {r["id"] for r in full.rows}
        with pytest.raises(NotFoundError):
            web_queries.record_detail(s, "donors", sorted(donors)[0], actor="ivan")
        with pytest.raises(NotFoundError):
            web_queries.record_detail(s, "samples", sorted(barcodes)[0], actor="ivan")
        person = Repositories(s).donors.get(sorted(donors)[0]).missing_person_id
        detail = web_queries.record_detail(s, "missing-persons", person, actor="ivan")
        assert not donors & {d["id"] for d in detail.related["donors"]}
        # without an actor (internal use) nothing is filtered or audited
        web_queries.record_detail(s, "donors", sorted(donors)[0])
    reads = _reads(demo)
    assert [(r[0], r[1]) for r in reads[:3]] == [("ivan", "donors"), ("ana", "donors"),
                                                 ("ivan", "missing_persons")]
    assert reads[2][3] == [person] and reads[0][3] == sorted(r["id"] for r in page.rows)
    # the person's related donors shown on the page (those the investigator may see)
    assert [r[3] for r in reads[3:]] == ([sorted(d["id"] for d in detail.related["donors"])]
                                         if detail.related["donors"] else [])
    with demo.session() as s:
        assert verify(s, actor="admin").ok


def test_reports_and_the_death_registration_are_audited(tmp_path):
    """The identification report (both versions) reads a person; the death-registration CSV
    exports every confirmed identification; its page (rows) reads the people."""
    from homecoming.services import review
    from homecoming.services.identifications import list_identifications, report_data
    from homecoming.services.release import death_registration_csv, death_registration_rows

    url = f"sqlite:///{tmp_path / 'r.db'}"
    result = CliRunner().invoke(cli, ["--database", url, "demo", "--bodies", "6",
                                      "--no-identify"])
    assert result.exit_code == 0, result.output
    db = Database(url)
    from homecoming.services.case_identification import identify_stored_case

    identify_stored_case(db, store=True, actor="SYNTHETIC analyst")
    with db.session() as s:
        ident = next(r for r in list_identifications(s, status="proposed", latest_only=True)
                     if r["remains"])
    with db.session() as s:
        review.accept(s, ident["id"], note="SYNTHETIC", actor="SYNTHETIC analyst 2")
    with db.session() as s:
        review.confirm(s, ident["id"], note="SYNTHETIC", actor="SYNTHETIC board")
    with db.session() as s:
        before = len(audit_records(s, action="read"))
        report_data(s, ident["id"], family=True, actor="SYNTHETIC liaison")
        text, n = death_registration_csv(s, actor="SYNTHETIC liaison", destination="dr.csv")
        rows = death_registration_rows(s, actor="SYNTHETIC liaison")
    assert n == len(rows) >= 1
    with db.session() as s:
        reads = audit_records(s, action="read")[before:]
        assert [(e.user_name, e.table_name, e.get("reason")) for e in reads] == [
            ("SYNTHETIC liaison", "missing_persons",
             f"identification report {ident['id']} (family version)"),
            ("SYNTHETIC liaison", "missing_persons", "death registration (shown)")]
        assert reads[0].after == {"records": [ident["missing_person"]]}
        exports = audit_records(s, table="identifications", action="export")
        assert [(e.after["records"], e.after["destination"]) for e in exports] == \
            [(sorted(r["identification_id"] for r in rows), "dr.csv")]
        assert verify(s).ok
    db.dispose()


def test_the_register_pages_are_audited(demo):
    from homecoming.services.register import families_waiting, person_file, register_page

    with demo.session() as s:
        page = register_page(s, actor="ana")
        person = page.rows[0]["id"]
        shown = person_file(s, person, actor="ana")
        assert families_waiting(s, actor="ana") == []       # none confirmed: no read
    reads = _reads(demo)
    assert reads[0] == ("ana", "missing_persons", f"{len(page.rows)} records",
                        sorted(r["id"] for r in page.rows))
    assert reads[1] == ("ana", "missing_persons", person, [person])
    assert reads[2][:2] == ("ana", "donors")
    assert reads[2][3] == sorted(d["id"] for d in shown["donors"])
    assert len(reads) == 3


def test_an_investigator_sees_no_identification_only_reference_of_an_identification(demo):
    from homecoming.services.case_identification import identify_stored_case
    from homecoming.services.identifications import get_identification, list_identifications

    identify_stored_case(demo, store=True, actor="ana")
    donors, _ = _court(demo)
    with demo.session() as s:
        used = None
        for row in list_identifications(s, actor="ana"):
            full = get_identification(s, row["id"], actor="ana")
            refs = {r["donor"] for r in full["references"] if r.get("donor")}
            if refs & donors:
                used = full
                break
        assert used is not None
        seen = get_identification(s, used["id"], actor="ivan")
        kept = [r for r in used["references"] if r.get("donor") not in donors]
        assert seen["references"] == kept
        assert seen["references_withheld"] == len(used["references"]) - len(kept) > 0
        assert "references_withheld" not in get_identification(s, used["id"], actor="ana")
