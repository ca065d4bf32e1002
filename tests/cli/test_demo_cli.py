"""`homecoming demo` on a temporary SQLite database, then `homecoming stats --json`."""

import json

from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories, audit_records


def _run(*args):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def _stats(url):
    result = _run("--database", url, "stats", "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_full_demo_then_stats_shows_the_izium_scale(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = _run("--database", url, "demo", "--no-identify")
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC" in result.output
    assert ("447 (215 women, 194 men, 5 children, 22 military, 11 of undetermined sex)"
            in result.output)
    stats = _stats(url)
    assert stats["sites"] == 1
    assert stats["remains"] == 447
    assert stats["graves"] == 440
    assert stats["missing_persons"] >= 300
    assert stats["donors"] >= stats["missing_persons"]
    assert stats["profiles"] >= 1200
    assert stats["samples"] == stats["remains"] + stats["donors"]
    # every insert was audited (the record tables; not the per-status counts)
    stored = ("sites", "hazard_areas", "graves", "exhumations", "incidents", "remains",
              "examinations", "missing_persons", "donors", "samples", "custody_events",
              "profiles")
    assert stats["audit_records"] == sum(stats[k] for k in stored)


def test_demo_refuses_to_load_twice_and_replace_reloads(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = _run("--database", url, "demo", "--bodies", "30", "--no-identify", "--json")
    assert first.exit_code == 0
    summary = json.loads(first.stdout)
    assert summary["synthetic"] is True and summary["counts"]["remains"] == 30
    before = _stats(url)
    again = CliRunner().invoke(cli, ["--database", url, "demo", "--bodies", "30"])
    assert again.exit_code != 0
    assert "already loaded" in str(again.exception) and "--replace" in str(again.exception)
    assert _stats(url) == before          # nothing written by the refused run
    third = _run("--database", url, "demo", "--bodies", "25", "--seed", "3", "--replace",
                 "--no-identify", "--json")
    assert third.exit_code == 0
    assert json.loads(third.stdout)["records_removed"] == summary["records_stored"]
    after = _stats(url)
    assert after["remains"] == 25 and after["sites"] == 1
    with Database(url).session() as session:
        deletes = audit_records(session, table="remains", action="delete")
        assert len(deletes) == 30
        assert Repositories(session).remains.count() == 25


def test_demo_identifies_against_the_ground_truth(tmp_path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = _run("--database", url, "demo", "--bodies", "40", "--seed", "5", "--json")
    assert result.exit_code == 0
    ident = json.loads(result.stdout)["identification"]
    assert ident is not None
    assert ident["wrong"] == 0
    assert ident["identifiable"] >= 25
    assert ident["correct"] >= 0.85 * ident["identifiable"]
    assert ident["identified"] == ident["correct"]


def test_same_seed_same_database_content(tmp_path):
    urls = [f"sqlite:///{tmp_path / f'd{i}.db'}" for i in range(2)]
    for url in urls:
        assert _run("--database", url, "demo", "--bodies", "20", "--seed", "9",
                    "--no-identify", "--json").exit_code == 0
    snapshots = []
    for url in urls:
        with Database(url).session() as session:
            repos = Repositories(session)
            snapshots.append((repos.profiles.list(), repos.missing_persons.list(),
                              repos.donors.list()))
    assert snapshots[0] == snapshots[1]


def test_demo_on_sqlite_and_postgresql(database_url):
    result = _run("--database", database_url, "demo", "--bodies", "25", "--seed", "4", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)
    stats = _stats(database_url)
    for key in ("sites", "graves", "remains", "missing_persons", "donors", "samples", "profiles"):
        assert stats[key] == summary["counts"][key], key
    assert summary["identification"]["wrong"] == 0
    again = _run("--database", database_url, "demo", "--bodies", "25", "--seed", "4",
                 "--replace", "--no-identify", "--json")
    assert json.loads(again.stdout)["records_removed"] == summary["records_stored"]
    assert _stats(database_url)["remains"] == 25


def test_replace_never_deletes_records_that_are_not_synthetic(tmp_path):
    from homecoming.casework import MissingPerson

    url = f"sqlite:///{tmp_path / 'demo.db'}"
    assert _run("--database", url, "demo", "--bodies", "10", "--no-identify",
                "--json").exit_code == 0
    with Database(url).session() as session:
        Repositories(session).missing_persons.add(MissingPerson(
            id="SYN-REAL-1", surname="Kept", given_name="Record", reported_by="a clerk",
            reported_on="2023-01-01"))
    before = _stats(url)
    result = CliRunner().invoke(cli, ["--database", url, "demo", "--replace", "--bodies", "10"])
    assert result.exit_code != 0
    assert "missing_persons 'SYN-REAL-1' has a demonstration key but no SYNTHETIC label" \
        in str(result.exception)
    assert _stats(url) == before
