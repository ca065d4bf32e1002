"""Importing a profile can identify it (issue 11 item 6): `import profiles --identify`, the
format importers' refusals, `identify --only-new --export-dataset` and `--dropout`. SYNTHETIC
demonstration data."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.services.case_identification import identify_stored_case
from homecoming.services.demo import load_demo
from homecoming.services.identifications import list_identifications
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories

SEED, BODIES = 7, 12


def _latest(db):
    with db.session() as session:
        return {r["missing_person"]: r for r in list_identifications(session, latest_only=True)}


@pytest.fixture()
def taken_out(tmp_path):
    """A demo case identified without one post-mortem profile, and that profile as a CSV."""
    url = f"sqlite:///{tmp_path / 'case.db'}"
    db = Database(url)
    load_demo(db, seed=SEED, bodies=BODIES, identify=False)
    identified = sorted(identify_stored_case(db, store=False).result.identified.values())
    with db.session() as session:
        repos = Repositories(session)
        # the first identified remains whose profile has no unknown allele (CSV-writable)
        remains, barcode = next(
            (r, s.barcode) for r in identified for s in repos.samples.list(remains_code=r)
            if (p := repos.profiles.find(s.barcode)) is not None
            and all(a is not None for g in p.genotypes.values() for a in g))
        profile = repos.profiles.delete(barcode)
    identify_stored_case(db)
    path = tmp_path / "profile.csv"
    rows = ["barcode,locus,allele1,allele2"] + [
        f"{barcode},{locus},{g[0]},{g[1] if len(g) > 1 else g[0]}"
        for locus, g in profile.genotypes.items()]
    path.write_text("\n".join(rows) + "\n")
    return url, db, barcode, remains, path, tmp_path


def test_import_profiles_identify(taken_out):
    url, db, barcode, remains, path, tmp = taken_out
    res = CliRunner().invoke(cli, ["--database", url, "import", "profiles", str(path),
                                   "--identify"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert f"Imported 1 profiles from {path}" in res.output
    assert "Identify (incremental):" in res.output
    assert f"New profile(s): {barcode} (new remains: {remains})" in res.output
    assert "group(s) solved again" in res.output and remains in res.output
    assert "new identification version(s)" in res.output
    # the stored identifications now equal a full run's on the whole case
    full = Database(f"sqlite:///{tmp / 'full.db'}")
    load_demo(full, seed=SEED, bodies=BODIES, identify=False)
    identify_stored_case(full)
    got, want = _latest(db), _latest(full)
    assert set(got) == set(want)
    for mp, row in want.items():
        assert (got[mp]["remains"], got[mp]["conclusion"]) == (row["remains"],
                                                               row["conclusion"]), mp
        if row["lr"] is not None:
            assert math.isclose(got[mp]["lr"], row["lr"], rel_tol=1e-9), mp
    assert remains in {r["remains"] for r in got.values()}


def test_import_identify_refusals(taken_out):
    url, _, _, _, path, _ = taken_out
    dry = CliRunner().invoke(cli, ["--database", url, "import", "profiles", str(path),
                                   "--identify", "--dry-run"])
    assert dry.exit_code == 2 and "nothing to identify" in dry.output
    for fmt in ("genemapper", "codis"):
        res = CliRunner().invoke(cli, ["--database", url, "import", fmt, str(path),
                                       "--identify", "--replace"])
        assert res.exit_code == 2 and "expected no --replace" in res.output, res.output


def test_only_new_exports_the_dataset(taken_out):
    url, db, barcode, remains, path, tmp = taken_out
    CliRunner().invoke(cli, ["--database", url, "import", "profiles", str(path)],
                       catch_exceptions=False)     # put the profile back, no identification
    out = tmp / "case.json"
    res = CliRunner().invoke(cli, ["--database", url, "identify", "--only-new", barcode,
                                   "--export-dataset", str(out), "--quiet"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    assert f"Wrote the stored case as dvi-dataset@1 to {out}." in res.output
    doc = json.loads(out.read_text())
    assert doc["format"] == "homecoming/dvi-dataset@1"
    assert remains in {v["id"] for v in doc["victims"]}
    # the same file as the full run's export of the same case
    full = tmp / "full.json"
    CliRunner().invoke(cli, ["--database", url, "identify", "--no-store", "--quiet",
                             "--export-dataset", str(full)], catch_exceptions=False)
    assert json.loads(full.read_text()) == doc


def test_only_new_with_dropout_on_the_command_line(taken_out):
    """--dropout with --only-new: the incremental run models the drop-out as the full run
    does (tests/services/test_incremental.py compares every identification); its JSON says
    so (``model``); a probability outside [0, 1) is refused."""
    url, barcode, path = taken_out[0], taken_out[2], taken_out[4]
    CliRunner().invoke(cli, ["--database", url, "import", "profiles", str(path)],
                       catch_exceptions=False)
    res = CliRunner().invoke(cli, ["--database", url, "identify", "--dropout", "0.05",
                                   "--only-new", barcode, "--no-store", "--quiet", "--json"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert doc["format"] == "homecoming/incremental-identification@1"
    assert doc["groups"] and doc["model"]["dropout"] == 0.05
    assert doc["model"]["dropout_applies_to"]
    bad = CliRunner().invoke(cli, ["--database", url, "identify", "--dropout", "1.5",
                                   "--only-new", barcode, "--no-store", "--quiet"])
    assert bad.exit_code != 0 and "1.5" in bad.output
    ok = CliRunner().invoke(cli, ["--database", url, "identify", "--dropout", "0",
                                  "--no-store", "--quiet", "--json"], catch_exceptions=False)
    assert ok.exit_code == 0 and json.loads(ok.stdout)["format"] == \
        "homecoming/case-identification@1"
