"""services.register: the missing-persons register's read functions (SYNTHETIC demo data,
SQLite and PostgreSQL) — what a withdrawal would do equals what it does, a person's file
(pedigree typed members, donors, withdrawal), the register's per-person columns, the liaison
work list, and the persons.view permission."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.errors import NotFoundError, PermissionDenied
from homecoming.services import release, review
from homecoming.services.accounts import add_user
from homecoming.services.case_identification import identify_stored_case
from homecoming.services.consent import withdraw_consent
from homecoming.services.register import (
    families_waiting,
    person_file,
    register_page,
    withdrawal_effects,
)
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories


def today() -> dt.date:
    """Today's date (UTC), read when used: a date read at import could precede a confirmation
    made after midnight, and the service refuses a family told before the confirmation."""
    return dt.datetime.now(dt.UTC).date()


@pytest.fixture
def case(database_url):
    """A small demo, identified and stored (no accounts: the operator at the server)."""
    result = CliRunner().invoke(cli, ["--database", database_url, "demo", "--bodies", "8",
                                      "--no-identify"])
    assert result.exit_code == 0, result.output
    db = Database(database_url)
    run = identify_stored_case(db, store=True, actor="SYNTHETIC analyst")
    yield db, sorted(run.stored.stored)
    db.dispose()


def _with_typed_reference(db: Database, stored: list[str]) -> dict:
    with db.session() as s:
        from homecoming.storage.repositories.identifications import IdentificationRepository

        repo = IdentificationRepository(s)
        for ident_id in stored:
            row = repo.get(ident_id)
            typed = [r for r in row["references"] if r["typed"]]
            if row["status"] == "proposed" and typed and row["remains_code"]:
                return {"id": ident_id, "person": row["missing_person_id"],
                        "donor": typed[0]["donor"], "remains": row["remains_code"],
                        "pedigree_person": typed[0]["pedigree_person"]}
    raise AssertionError("the demo stores a proposed identification with a typed reference")


def _confirm(db: Database, ident_id: str) -> None:
    with db.session() as s:
        review.accept(s, ident_id, actor="SYNTHETIC analyst 2")
    with db.session() as s:
        review.confirm(s, ident_id, actor="SYNTHETIC board")


def test_withdrawal_effects_are_what_the_withdrawal_does(case):
    db, stored = case
    ident = _with_typed_reference(db, stored)
    _confirm(db, ident["id"])
    with db.session() as s:
        before = person_file(s, ident["person"])
        effects = withdrawal_effects(s, ident["donor"])
        barcodes = sorted(x.barcode for x in Repositories(s).samples.list(
            donor_id=ident["donor"]))
    assert effects == {"profiles": barcodes, "stale": [ident["id"]], "proposed": []}
    donor = next(d for d in before["donors"] if d["id"] == ident["donor"])
    assert donor["effects"] == effects and donor["withdrawal"] is None
    assert donor["profiles"] == barcodes
    typed = {p["id"] for p in before["pedigree"] if p["typed"]}
    assert ident["pedigree_person"] in typed
    assert [p["id"] for p in before["pedigree"] if p["missing"]] == [ident["person"]]
    assert [i["id"] for i in before["identifications"]] == [ident["id"]]
    assert before["identifications"][0]["status"] == "confirmed"

    on = today()
    with db.session() as s:
        result = withdraw_consent(s, ident["donor"], on=on, reason="SYNTHETIC family asked",
                                  actor="SYNTHETIC liaison")
    assert result.profiles == effects["profiles"]
    assert result.stale == effects["stale"] and result.proposed == effects["proposed"]

    with db.session() as s:
        after = person_file(s, ident["person"])
    donor = next(d for d in after["donors"] if d["id"] == ident["donor"])
    assert donor["withdrawal"]["on"] == on and donor["effects"] is None
    assert donor["withdrawal"]["reason"] == "SYNTHETIC family asked"
    # the withdrawn donor no longer counts as typed in the drawing
    assert ident["pedigree_person"] not in {p["id"] for p in after["pedigree"] if p["typed"]}
    assert after["identifications"][0]["status"] == "stale"


def test_register_columns_and_the_liaison_work_list(case):
    db, stored = case
    ident = _with_typed_reference(db, stored)
    _confirm(db, ident["id"])
    with db.session() as s:
        page = register_page(s, search=ident["person"])
        n_donors = len(Repositories(s).donors.list(missing_person_id=ident["person"]))
        waiting = families_waiting(s)
    assert [r["id"] for r in page.rows] == [ident["person"]]
    row = page.rows[0]
    assert (row["donors"], row["withdrawn"], row["identification"]) == (n_donors, 0,
                                                                         "confirmed")
    mine = [w for w in waiting if w["id"] == ident["id"]]
    assert len(mine) == 1 and mine[0]["notified"] is None and mine[0]["released"] is None
    assert mine[0]["remains"] == ident["remains"]

    on = today()
    with db.session() as s:
        release.notify(s, ident["id"], contact=ident["donor"], method="letter", on=on,
                       actor="SYNTHETIC liaison")
    with db.session() as s:
        mine = [w for w in families_waiting(s) if w["id"] == ident["id"]]
    assert len(mine) == 1 and mine[0]["notified"] == on and mine[0]["released"] is None
    with db.session() as s:
        release.release(s, ident["id"], to=ident["donor"], on=on, actor="SYNTHETIC liaison")
    with db.session() as s:
        assert ident["id"] not in {w["id"] for w in families_waiting(s)}
        file = person_file(s, ident["person"])
    assert [n["method"] for n in file["notifications"]] == ["letter"]
    assert [r["remains_code"] for r in file["releases"]] == [ident["remains"]]


def test_names_need_persons_view(case):
    db, stored = case
    with db.session() as s:
        add_user(s, "SYN-admin", ["admin"], actor="SYN-admin")
        add_user(s, "SYN-lab", ["lab"], actor="SYN-admin")
        add_user(s, "SYN-liaison", ["liaison"], actor="SYN-admin")
    with db.session() as s:
        person = Repositories(s).missing_persons.list()[0].id
        for call in (lambda: register_page(s, actor="SYN-lab"),
                     lambda: person_file(s, person, actor="SYN-lab"),
                     lambda: families_waiting(s, actor="SYN-lab")):
            with pytest.raises(PermissionDenied):
                call()
        assert person_file(s, person, actor="SYN-liaison")["person"]["id"] == person
        with pytest.raises(NotFoundError):
            person_file(s, "NO-SUCH-PERSON", actor="SYN-liaison")
        with pytest.raises(NotFoundError):
            withdrawal_effects(s, "NO-SUCH-DONOR", actor="SYN-liaison")


def test_investigator_file_leaves_out_identification_only_references(case):
    """A court-audience reader (investigator) sees neither the donor given for identification
    only nor that donor as a typed member of the family pedigree; the liaison sees both."""
    from homecoming.casework.donors import ConsentScope

    db, stored = case
    ident = _with_typed_reference(db, stored)
    with db.session() as s:
        add_user(s, "SYN-admin", ["admin"], actor="SYN-admin")
        add_user(s, "SYN-investigator", ["investigator"], actor="SYN-admin")
        add_user(s, "SYN-liaison", ["liaison"], actor="SYN-admin")
        repos = Repositories(s)
        repos.donors.update(ident["donor"], consent=ConsentScope.IDENTIFICATION_ONLY)
        donors = repos.donors.list(missing_person_id=ident["person"])
        only_identification = {d.id for d in donors
                               if d.consent == ConsentScope.IDENTIFICATION_ONLY}
    assert ident["donor"] in only_identification
    with db.session() as s:
        liaison = person_file(s, ident["person"], actor="SYN-liaison")
        court = person_file(s, ident["person"], actor="SYN-investigator")
    assert {d["id"] for d in liaison["donors"]} == {d.id for d in donors}
    assert {d["id"] for d in court["donors"]} == {d.id for d in donors} - only_identification
    shown_typed = {p["id"] for p in court["pedigree"] if p["typed"]}
    hidden_people = {d["pedigree_person"] for d in liaison["donors"]
                     if d["id"] in only_identification}
    assert ident["pedigree_person"] in hidden_people
    assert not shown_typed & hidden_people
