"""`homecoming identify --screen-min-log10-lr X --screen-top K`: the stored case's screening
rule (which remains become candidates of a family, and so which families and remains are
solved together) from the command line, for the whole case and for `--only-new`. SYNTHETIC
demonstration data."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.services.case_identification import identify_stored_case
from homecoming.services.demo import load_demo
from homecoming.services.identifications import get_identification, list_identifications
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories

STRICT = ("--screen-min-log10-lr", "5", "--screen-top", "0")
UNSCREENED = "no remains passed the pairwise screening for this family"


def _run(*args: str) -> dict:
    res = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def _pairs(doc: dict) -> set[tuple[str, str]]:
    """(missing person, remains) solved together: the members of each group."""
    return {(m, r) for c in doc["components"] for m in c["missing_persons"]
            for r in c["remains"]}


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('screen') / 'case.db'}"
    load_demo(Database(url), seed=5, bodies=40, identify=False)
    return url


def test_a_strict_rule_leaves_a_weak_pair_out_and_the_loose_one_keeps_it(stored):
    loose = _run("--database", stored, "identify", "--json", "--no-store", "--quiet")
    strict = _run("--database", stored, "identify", "--json", "--no-store", "--quiet", *STRICT)
    top1 = _run("--database", stored, "identify", "--json", "--no-store", "--quiet",
                "--screen-min-log10-lr", "5", "--screen-top", "1")
    # the rule is recorded with the thresholds (default: LR 100 or a family's 2 best)
    assert (loose["thresholds"]["screening_min_log10_lr"],
            loose["thresholds"]["screening_top"]) == (2.0, 2)
    assert (strict["thresholds"]["screening_min_log10_lr"],
            strict["thresholds"]["screening_top"]) == (5.0, 0)
    assert strict["provenance"]["thresholds"] == strict["thresholds"]
    # the weak pairs: kept by the default rule, solved as a candidate; left out by LR 10^5
    weak = _pairs(loose) - _pairs(strict)
    assert weak and _pairs(strict) < _pairs(loose)
    assert strict["summary"]["candidate_pairs"] == (loose["summary"]["candidate_pairs"]
                                                    - len(weak))
    before = {r["missing"]: r for r in loose["missing_persons"]}
    after = {r["missing"]: r for r in strict["missing_persons"]}
    for mp, remains in weak:
        assert before[mp]["victim"] == remains and before[mp]["conclusion"] == "probable"
        assert 0 < before[mp]["lr"] < 1e5
        assert (after[mp]["victim"], after[mp]["conclusion"], after[mp]["comment"]) == (
            None, "no match", UNSCREENED)
    # each weak pair is its family's best positive score: --screen-top 1 keeps it again
    assert _pairs(top1) == _pairs(loose)
    assert {(m, r["victim"], r["conclusion"]) for m, r in before.items()} == {
        (r["missing"], r["victim"], r["conclusion"]) for r in top1["missing_persons"]}


def test_the_rule_is_printed_and_stored(stored, tmp_path):
    res = CliRunner().invoke(cli, ["--database", stored, "identify", "--quiet", *STRICT],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert "screening_min_log10_lr=5.0, screening_top=0" in res.stdout
    # every stored version records the rule in its model's thresholds
    with Database(stored).session() as session:
        rows = list_identifications(session, latest_only=True)
        models = [get_identification(session, r["id"])["model"] for r in rows]
    assert len(models) == 38
    assert {(m["thresholds"]["screening_min_log10_lr"], m["thresholds"]["screening_top"])
            for m in models} == {(5.0, 0)}


@pytest.mark.parametrize(("args", "message"), [
    (("--screen-min-log10-lr", "0"), "expected a finite log10 LR above 0"),
    (("--screen-min-log10-lr", "-1"), "expected a finite log10 LR above 0"),
    (("--screen-min-log10-lr", "nan"), "expected a finite log10 LR above 0"),
    (("--screen-min-log10-lr", "inf"), "expected a finite log10 LR above 0"),
    (("--screen-min-log10-lr", "five"), "'five' is not a valid float"),
    (("--screen-top", "-1"), "-1 is not in the range x>=0"),
    (("--screen-top", "1.5"), "'1.5' is not a valid integer"),
])
def test_bad_values_are_refused(args, message, tmp_path):
    url = f"sqlite:///{tmp_path / 'never.db'}"
    res = CliRunner().invoke(cli, ["--database", url, "identify", *args])
    assert res.exit_code == 2, res.output
    assert f"Invalid value for '{args[0]}'" in res.output and message in res.output
    assert not (tmp_path / "never.db").exists()      # refused before the database is opened


@pytest.mark.parametrize("option", [("--screen-min-log10-lr", "5"), ("--screen-top", "0")])
def test_refused_with_a_dataset(option, tmp_path):
    ds = tmp_path / "ds.json"
    ds.write_text("{}")
    res = CliRunner().invoke(cli, ["identify", str(ds), *option])
    assert res.exit_code == 2
    assert f"Invalid value for {option[0]}: applies to the stored case only" in res.output


def test_only_new_screens_with_the_given_rule(tmp_path):
    """A strict full run without one post-mortem profile, then the profile back with
    --only-new: the same rule gives what a strict full run gives; no rule given takes the
    stored run's; another rule given warns."""
    url = f"sqlite:///{tmp_path / 'inc.db'}"
    db = Database(url)
    load_demo(db, seed=7, bodies=12, identify=False)
    remains = sorted(identify_stored_case(db, store=False).result.identified.values())[0]
    with db.session() as session:
        repos = Repositories(session)
        barcode = next(s.barcode for s in repos.samples.list(remains_code=remains)
                       if repos.profiles.find(s.barcode) is not None)
        profile = repos.profiles.delete(barcode)
    _run("--database", url, "identify", "--json", "--quiet", *STRICT)
    with db.session() as session:
        Repositories(session).profiles.add(profile)

    other = _run("--database", url, "identify", "--only-new", barcode, "--json", "--no-store",
                 "--screen-min-log10-lr", "2", "--screen-top", "2")
    assert (other["thresholds"]["screening_min_log10_lr"],
            other["thresholds"]["screening_top"]) == (2.0, 2)
    assert any("screened with min_log10_lr 5, top 0; this run uses min_log10_lr 2, top 2"
               in w for w in other["warnings"])
    # no rule given: the stored run's rule, no warning
    stored = _run("--database", url, "identify", "--only-new", barcode, "--json", "--no-store")
    assert (stored["thresholds"]["screening_min_log10_lr"],
            stored["thresholds"]["screening_top"]) == (5.0, 0)
    assert not any("screened with" in w for w in stored["warnings"])

    inc = _run("--database", url, "identify", "--only-new", barcode, "--json", *STRICT)
    assert inc["full_run"] is None and inc["new_remains"] == [remains]
    assert (inc["thresholds"]["screening_min_log10_lr"],
            inc["thresholds"]["screening_top"]) == (5.0, 0)
    assert not any("screened with" in w for w in inc["warnings"])
    full = _run("--database", url, "identify", "--json", "--no-store", "--quiet", *STRICT)
    want = {r["missing"]: (r["victim"], r["conclusion"]) for r in full["missing_persons"]}
    assert remains in {d["victim"] for d in inc["identifications"]}
    for d in inc["identifications"]:
        assert (d["victim"], d["conclusion"]) == want[d["missing"]], d["missing"]
    with db.session() as session:
        got = {r["missing_person"]: (r["remains"], r["conclusion"])
               for r in list_identifications(session, latest_only=True)}
    assert got == {m: w for m, w in want.items() if m in got}
    text = CliRunner().invoke(cli, ["--database", url, "identify", "--only-new", barcode,
                                    "--no-store", "--quiet", *STRICT], catch_exceptions=False)
    assert "Screening rule: log10 LR >= 5 (--screen-min-log10-lr, --screen-top)." in text.stdout
