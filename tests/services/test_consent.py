"""Issue 13, Build 4 and failure 1 (second half): consent is enforced, and the engines carry
on past a stored profile they cannot use (SYNTHETIC demo data, SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import datetime as dt
import json

import pytest
from click.testing import CliRunner
from sqlalchemy import update

from homecoming.casework.donors import ConsentScope
from homecoming.cli.main import cli, main
from homecoming.errors import InputError, NotFoundError
from homecoming.services.accounts import add_user
from homecoming.services.audit import verify
from homecoming.services.case_identification import identify_stored_case
from homecoming.services.consent import (
    list_withdrawals,
    unusable_reason,
    withdraw_consent,
    withdrawn_barcodes,
)
from homecoming.services.exports import export_profiles, export_records
from homecoming.services.screening import screen
from homecoming.storage import Database, tables
from homecoming.storage.repositories import Repositories, audit_records
from homecoming.storage.repositories.identifications import IdentificationRepository


def _demo(url: str, bodies: int = 8) -> Database:
    result = CliRunner().invoke(cli, ["--database", url, "demo", "--bodies", str(bodies),
                                      "--no-identify"])
    assert result.exit_code == 0, result.output
    return Database(url)


@pytest.fixture
def demo(database_url):
    db = _demo(database_url)
    yield db
    db.dispose()


@pytest.fixture
def demo_sqlite(tmp_path):
    db = _demo(f"sqlite:///{tmp_path / 'c.db'}")
    yield db
    db.dispose()


def _reference_used(db: Database) -> tuple[str, str, list[str]]:
    """(identification id, donor id, the donor's sample bar-codes) of an identification run
    whose conclusion used a typed reference; the identification is marked reviewed."""
    run = identify_stored_case(db, store=True, actor="SYNTHETIC analyst")
    ident_id = run.stored.stored[0]
    with db.session() as s:
        repo = IdentificationRepository(s, user="SYNTHETIC analyst")
        for ident_id in sorted(run.stored.stored):
            row = repo.get(ident_id)
            typed = [r["donor"] for r in row["references"] if r["typed"]]
            if row["status"] == "proposed" and typed:
                break
        repo.set_status(ident_id, "reviewed", why="SYNTHETIC test")
        donor = typed[0]
        barcodes = sorted(x.barcode for x in Repositories(s).samples.list(donor_id=donor))
    return ident_id, donor, barcodes


def test_withdrawal_is_recorded_audited_and_takes_the_profile_out(demo):
    ident_id, donor, barcodes = _reference_used(demo)
    today = dt.datetime.now(dt.UTC).date()
    with demo.session() as s:
        result = withdraw_consent(s, donor, on=today, reason="SYNTHETIC family asked",
                                  actor="SYNTHETIC liaison")
    assert result.stale == [ident_id]
    assert result.profiles == barcodes and barcodes
    with demo.session() as s:
        assert IdentificationRepository(s).get(ident_id)["status"] == "stale"
        entries = audit_records(s, table="consent_withdrawals", key=donor)
        assert [(e.action, e.user_name) for e in entries] == [("insert", "SYNTHETIC liaison")]
        assert entries[0].record_sha256 is not None
        assert verify(s).ok
        assert list_withdrawals(s)[0]["donor"] == donor
        assert set(withdrawn_barcodes(s)) == set(barcodes)
        # not in effect the day before
        assert withdrawn_barcodes(s, on=today - dt.timedelta(days=1)) == {}
    run = identify_stored_case(demo, store=False)
    left = {x["record"]: x["reason"] for x in run.document["profiles_left_out"]}
    assert set(left) == set(barcodes)
    assert all(f"consent of donor {donor} withdrawn" in r for r in left.values())
    assert all(donor not in f.profiles for f in run.families)
    assert any(barcodes[0] in w for w in run.result.warnings)
    screened = screen(demo, store=False, relationships=["parent_child"])
    assert not set(barcodes) & set(screened.candidates.ref_ids)
    assert {x["record"] for x in screened.left_out} == set(barcodes)
    assert screened.provenance["profiles_left_out"] == screened.left_out


def test_withdrawal_refusals(demo_sqlite):
    with demo_sqlite.session() as s:
        donor = Repositories(s).donors.list()[0].id
    future = dt.datetime.now(dt.UTC).date() + dt.timedelta(days=3)
    with demo_sqlite.session() as s, pytest.raises(InputError, match="in the future"):
        withdraw_consent(s, donor, on=future, reason="SYNTHETIC")
    with demo_sqlite.session() as s, pytest.raises(InputError, match="no reason"):
        withdraw_consent(s, donor, reason="  ")
    with demo_sqlite.session() as s, pytest.raises(InputError, match="YYYY-MM-DD"):
        withdraw_consent(s, donor, on="yesterday", reason="SYNTHETIC")
    with demo_sqlite.session() as s, pytest.raises(NotFoundError):
        withdraw_consent(s, "D-NOBODY", reason="SYNTHETIC")
    with demo_sqlite.session() as s:
        withdraw_consent(s, donor, reason="SYNTHETIC")
    with demo_sqlite.session() as s, pytest.raises(InputError, match="already withdrawn"):
        withdraw_consent(s, donor, reason="SYNTHETIC again")
    with demo_sqlite.session() as s:
        assert len(audit_records(s, table="consent_withdrawals")) == 1


def _court_split(db: Database) -> tuple[set[str], set[str]]:
    """(donor ids, their sample bar-codes) without court consent."""
    with db.session() as s:
        repos = Repositories(s)
        donors = {d.id for d in repos.donors.list() if d.consent is not ConsentScope.ALSO_COURT}
        barcodes = {x.barcode for x in repos.samples.list(source="donor")
                    if x.donor_id in donors}
    return donors, barcodes


def _csv_column(path, name: str) -> set[str]:
    with open(path, newline="", encoding="utf-8") as fh:
        return {row[name] for row in csv.DictReader(fh) if row[name]}


def test_court_export_withholds_identification_only_references(demo, tmp_path):
    donors, barcodes = _court_split(demo)
    assert donors and barcodes   # the demo has identification-only donors
    stats: dict[str, int] = {}
    n_all = export_profiles(demo, tmp_path / "all.csv", stats=stats)
    assert stats["withheld"] == 0
    assert barcodes <= _csv_column(tmp_path / "all.csv", "barcode")
    n = export_profiles(demo, tmp_path / "court.csv", audience="court", stats=stats)
    assert stats["withheld"] == len(barcodes) and n == n_all - len(barcodes)
    assert not barcodes & _csv_column(tmp_path / "court.csv", "barcode")
    n = export_records(demo, "donors", tmp_path / "d.csv", audience="court", stats=stats)
    assert stats["withheld"] == len(donors)
    assert not donors & _csv_column(tmp_path / "d.csv", "id") and n > 0
    export_records(demo, "samples", tmp_path / "s.csv", audience="court", stats=stats)
    assert stats["withheld"] == len(barcodes)
    assert not barcodes & _csv_column(tmp_path / "s.csv", "barcode")
    with pytest.raises(InputError, match="audience"):
        export_profiles(demo, tmp_path / "x.csv", audience="press")


def test_investigator_account_gets_the_court_export_by_default(demo_sqlite, tmp_path):
    _, barcodes = _court_split(demo_sqlite)
    with demo_sqlite.session() as s:
        add_user(s, "admin", ["admin"])
        add_user(s, "ivan", ["investigator"], actor="admin")
    stats: dict[str, int] = {}
    export_profiles(demo_sqlite, tmp_path / "i.csv", actor="ivan", stats=stats)
    assert stats["withheld"] == len(barcodes) > 0
    export_profiles(demo_sqlite, tmp_path / "a.csv", actor="admin", stats=stats)
    assert stats["withheld"] == 0
    result = CliRunner().invoke(cli, ["--database", demo_sqlite.url, "export", "profiles",
                                      str(tmp_path / "c.csv")], env={"HOMECOMING_USER": "ivan"})
    assert result.exit_code == 0, result.output
    assert f"{len(barcodes)} withheld (consent)" in result.output


def test_withdrawn_profiles_are_left_out_of_every_profile_export(demo_sqlite, tmp_path):
    with demo_sqlite.session() as s:
        donor = next(x.donor_id for x in Repositories(s).samples.list(source="donor"))
        withdraw_consent(s, donor, reason="SYNTHETIC")
        mine = set(withdrawn_barcodes(s))
    stats: dict[str, int] = {}
    export_profiles(demo_sqlite, tmp_path / "p.csv", stats=stats)
    assert stats["withheld"] == len(mine) > 0
    assert not mine & _csv_column(tmp_path / "p.csv", "barcode")


def test_cli_consent_withdraw_and_list(demo_sqlite, capsys):
    with demo_sqlite.session() as s:
        donor = next(x.donor_id for x in Repositories(s).samples.list(source="donor"))
    url = str(demo_sqlite.url)
    run = CliRunner().invoke
    result = run(cli, ["--database", url, "consent", "withdraw", donor, "--on", "2023-01-05",
                       "--reason", "SYNTHETIC reason"])
    assert result.exit_code == 0, result.output
    assert f"donor {donor} withdrew consent from 2023-01-05" in result.output
    listed = json.loads(run(cli, ["--database", url, "consent", "list", "--json"]).output)
    assert [(r["donor"], r["withdrawn_on"], r["reason"]) for r in listed] == \
        [(donor, "2023-01-05", "SYNTHETIC reason")]
    with pytest.raises(SystemExit) as exit_info:
        main(["--database", url, "consent", "withdraw", donor, "--reason", "x"])
    assert exit_info.value.code != 0
    err = capsys.readouterr().err
    assert "already withdrawn" in err and "Traceback" not in err


# --- the engines carry on past a profile they cannot use (failure 1, second half) ---------

BAD = {"D3S1358": ["0", "999"], "vWA": ["15.55", "X"], "AMEL": ["Q", "X"]}


def _spoil(db: Database, source: str, genotypes) -> str:
    """Write unusable genotypes straight into one stored profile (bypassing importers and
    the record model, as an old database or a direct write could); returns its bar-code."""
    with db.session() as s:
        barcode = next(x.barcode for x in Repositories(s).samples.list(source=source)
                       if Repositories(s).profiles.find(x.barcode) is not None)
        s.execute(update(tables.profiles).where(tables.profiles.c.sample_barcode == barcode)
                  .values(genotypes=genotypes))
    return barcode


@pytest.mark.parametrize("genotypes", [{"D3S1358": ["0", "999"]}, {"vWA": ["15.55", "16"]},
                                       {"TH01": ["X", "Y"]}, {"AMEL": ["Q"]},
                                       {"D3S1358": ["14", "15", "16"]}, {"D3S1358": "14"}])
def test_unusable_reason_names_the_locus_never_the_allele(genotypes):
    reason = unusable_reason(genotypes)
    assert reason is not None
    for alleles in genotypes.values():
        for a in alleles if isinstance(alleles, list) else [alleles]:
            if a not in ("X", "Y", "14", "16"):
                assert repr(a) not in reason and f" {a} " not in reason
    assert unusable_reason({"D3S1358": ["14", "15.2"], "AMEL": ["X", "Y"]}) is None


def test_identify_and_screen_name_the_bad_profile_and_carry_on(demo):
    pm = _spoil(demo, "remains", BAD)
    ref = _spoil(demo, "donor", {"D99S999": ["12", "13"], "TPOX": ["0", "8"]})
    run = identify_stored_case(demo, store=True, actor="SYNTHETIC analyst")
    left = {x["record"]: x["reason"] for x in run.document["profiles_left_out"]}
    assert set(left) == {pm, ref}
    assert "an allele is not valid at" in left[pm]
    assert run.result.identified   # the rest of the case was still solved
    assert all(v.id and v.genotypes for v in run.victims)
    text = json.dumps(run.document)
    assert "15.55" not in text and '"999"' not in text
    screened = screen(demo, store=True, relationships=["parent_child"])
    assert {x["record"] for x in screened.left_out} == {pm, ref}
    assert pm not in screened.candidates.pm_ids and ref not in screened.candidates.ref_ids
    assert screened.stored is not None and len(screened.candidates) > 0


def test_cli_identify_and_screen_report_the_left_out_profile(demo_sqlite):
    pm = _spoil(demo_sqlite, "remains", BAD)
    url = str(demo_sqlite.url)
    run = CliRunner().invoke
    out = run(cli, ["--database", url, "screen", "--relationship", "parent_child", "--quiet"])
    assert out.exit_code == 0, out.output
    assert f"Warning: profile {pm} left out: an allele is not valid at" in out.output
    out = run(cli, ["--database", url, "identify", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert [x["record"] for x in doc["profiles_left_out"]] == [pm]
    text = run(cli, ["--database", url, "identify"])
    assert text.exit_code == 0 and f"profile {pm} left out" in text.output
    line = next(x for x in text.output.splitlines() if f"profile {pm} left out" in x)
    assert "999" not in line and "15.55" not in line and "'Q'" not in line
