"""Stored identifications as versions: nothing overwritten, what changed reported, stale
marking, and LRs that do not depend on unrelated stored profiles (issue 11 items 2, 3, 8)."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from click.testing import CliRunner

from homecoming.casework.identifications import (
    ReviewAction,
    check_review,
    verbal_equivalent,
)
from homecoming.errors import InputError, PermissionDenied
from homecoming.services import review
from homecoming.services.identifications import (
    get_identification,
    list_identifications,
    store_case_identification,
)
from homecoming.storage import Database


def test_state_machine_and_four_eyes():
    assert check_review("accept", "proposed", actor="b", ident_id="I", run_by="a").value == \
        "reviewed"
    assert check_review("confirm", "reviewed", actor="c", ident_id="I", run_by="a",
                        accepted_by=["b"]).value == "confirmed"
    assert check_review("reject", "reviewed", actor="c", ident_id="I", run_by="a",
                        reason="wrong grave").value == "rejected"
    with pytest.raises(PermissionDenied, match="'a' ran identification I"):
        check_review("accept", "proposed", actor="a", ident_id="I", run_by="a")
    with pytest.raises(PermissionDenied, match="'b' reviewed identification I"):
        check_review("confirm", "reviewed", actor="b", ident_id="I", run_by="a",
                     accepted_by=["b"])
    with pytest.raises(PermissionDenied, match="'a' ran identification I"):
        check_review(ReviewAction.CONFIRM, "reviewed", actor="a", ident_id="I", run_by="a",
                     accepted_by=["b"])
    with pytest.raises(InputError, match="needs a reason"):
        check_review("reject", "proposed", actor="b", ident_id="I", run_by="a", reason=" ")
    with pytest.raises(InputError, match="cannot confirm it while it is proposed; expected "
                                         "accept or reject"):
        check_review("confirm", "proposed", actor="c", ident_id="I", run_by="a")
    with pytest.raises(InputError, match="cannot reject it while it is confirmed"):
        check_review("reject", "confirmed", actor="c", ident_id="I", run_by="a", reason="x")


@pytest.mark.parametrize(("lr", "words"), [
    (1.5, "no support"), (5, "weak support for the proposition that the remains"),
    (50, "moderate support"), (500, "moderately strong support"), (5e3, "strong support"),
    (5e5, "very strong support"), (2e6, "extremely strong support"),
    (1 / 50, "moderate support for the proposition that they are an unrelated person"),
    (0.0, "exclude")])
def test_verbal_scale_enfsi_2015(lr, words):
    assert words in verbal_equivalent(lr)


@pytest.fixture
def stored(tmp_path):
    """A small SYNTHETIC demo (SQLite) identified once and stored; returns (db, url, run)."""
    from homecoming.cli.main import cli
    from homecoming.identification.screening import default_mutation
    from homecoming.services.case_identification import identify_stored_case

    url = f"sqlite:///{tmp_path / 'v.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["--database", url, "init"]).exit_code == 0
    r = runner.invoke(cli, ["--database", url, "demo", "--bodies", "16", "--no-identify"])
    assert r.exit_code == 0, r.output
    db = Database(url)

    def run():
        done = identify_stored_case(db, store=False)
        return dict(result=done.result, markers=done.markers, victims=done.victims,
                    families=done.families, fdb=done.frequency_db, mutation=default_mutation())
    yield db, run
    db.dispose()


def test_new_run_versions_stale_and_unrelated_profiles(stored):
    db, run = stored
    first = run()
    with db.session() as s:
        rep1 = store_case_identification(s, **first, actor="ana")
    assert rep1.stored and not rep1.unchanged
    assert all(c == {"new": True} for c in rep1.changes.values())
    with db.session() as s:
        before = {r["id"]: r["lr"] for r in list_identifications(s)}
        proposed = [r for r in list_identifications(s, status="proposed")]
    target = proposed[0]
    with db.session() as s:
        review.accept(s, target["id"], actor="bea", note="ok")
        review.confirm(s, target["id"], actor="carl")

    # an unrelated set of remains with alleles missing from the frequency table: every stored
    # LR stays identical (the rare-allele rule uses only the profiles compared)
    from homecoming.casework import DnaProfile, Remains, Sample
    from homecoming.storage.repositories import Repositories

    with db.session() as s:
        repos = Repositories(s, user="lab")
        repos.remains.add(Remains(code="SYN-IZ-9999", status="sampled",
                                  notes="SYNTHETIC unrelated remains"))
        repos.samples.add(Sample(barcode="SYN-PM-9999", source="remains",
                                 remains_code="SYN-IZ-9999", element="bone",
                                 collected_on=dt.date(2022, 10, 1), notes="SYNTHETIC"))
        some = next(iter(first["victims"])).genotypes
        odd = {locus: ("99", "98") for locus in some}
        repos.profiles.add(DnaProfile(sample_barcode="SYN-PM-9999", genotypes=odd))
    second = run()
    with db.session() as s:
        rep2 = store_case_identification(s, **second, actor="ana")
        after = {r["id"]: r["lr"] for r in list_identifications(s)}
    assert rep2.stored == [] and sorted(rep2.unchanged) == sorted(before)
    assert after == before

    # a later run naming other remains for the confirmed person: a competing candidate -> the
    # confirmed version becomes stale, a new version is proposed, nothing is overwritten
    third = run()
    mp = target["missing_person"]
    other = next(v.id for v in third["victims"] if v.id != target["remains"] and v.genotypes)
    result = copy.deepcopy(third["result"])
    result.details[mp] = {**result.details[mp], "victim": other}
    with db.session() as s:
        rep3 = store_case_identification(s, **{**third, "result": result}, actor="ana")
    assert rep3.stale == [target["id"]]
    new_id = f"IDN-{mp}-v2"
    assert rep3.stored == [new_id]
    assert rep3.changes[new_id]["remains_code"] == [target["remains"], other]
    with db.session() as s:
        old = get_identification(s, target["id"])
        new = get_identification(s, new_id)
        queue = review.review_queue(s, actor="bea")
    assert old["status"] == "stale" and old["lr"] == target["lr"]  # kept, not overwritten
    assert [e["action"] for e in old["review"]] == ["accept", "confirm", "stale"]
    assert new["status"] == "proposed" and new["supersedes"] == target["id"]
    assert any(q["id"] == new_id and q.get("replaces_stale") == target["id"] for q in queue)
    with db.session() as s, pytest.raises(InputError, match="cannot accept it while it is "
                                                             "stale"):
        review.accept(s, target["id"], actor="dan")
