"""Issue 14 item 5, ancestry-robust LRs: a stored identification's LR recomputed with several
shipped frequency databases, reported as the range and the conservative value (the minimum),
through the service and `homecoming identifications show --ancestry`. SYNTHETIC case
(tests/services/lineage_case.py: the paternal uncle's autosomal profile and Y haplotype)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from homecoming.storage import Database
from homecoming.storage.repositories import Repositories

sys.path.insert(0, str(Path(__file__).parent))
from lineage_case import build  # noqa: E402


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    from homecoming.genetics.frequencies import load_database
    from homecoming.services.case_identification import identify_stored_case
    from homecoming.services.identifications import list_identifications

    fdb = load_database("nist1036_all")
    path = tmp_path_factory.mktemp("anc") / "a.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    with db.session() as s:
        build(Repositories(s, user="t"), fdb.markers(list(fdb.loci)[:30]), 1, with_y=True)
    identify_stored_case(db, store=True)
    with db.session() as s:
        ident = next(r for r in list_identifications(s) if r["missing_person"] == "MP-1")
    yield db, ident
    db.dispose()


def test_range_and_conservative_value(stored):
    from homecoming.services.identifications import ancestry_lrs

    db, ident = stored
    names = ["nist1036_all", "nist1036_caucasian", "nist1036_african_american",
             "strider2015_europe_all"]
    got = ancestry_lrs(db, ident["id"], databases=names)
    rows = {r["database"]: r for r in got["databases"]}
    # the stored database reproduces the stored LR (autosomal x Y haplotype)
    assert rows["nist1036_all"]["lr"] == pytest.approx(ident["lr"], rel=1e-9)
    assert got["lineage_lr"] > 1
    # a table without every locus of the stored LR is listed, not compared
    europe = rows["strider2015_europe_all"]
    assert not europe["comparable"] and "TPOX" in europe["missing_loci"]
    lrs = [rows[n]["lr"] for n in names[:3]]
    assert got["range"] == [min(lrs), max(lrs)]
    assert got["conservative_lr"] == min(lrs)
    assert rows[got["conservative_database"]]["lr"] == min(lrs)
    assert len(set(lrs)) == 3     # the populations really differ


def test_cli_show_ancestry(stored):
    from homecoming.cli.main import cli

    db, ident = stored
    url = db.engine.url.render_as_string(hide_password=False)
    r = CliRunner().invoke(cli, ["--database", url, "identifications", "show", ident["id"],
                                 "--ancestry", "--databases",
                                 "nist1036_all,nist1036_asian,strider2015_poland"])
    assert r.exit_code == 0, r.output
    assert "LR by frequency database (ancestry-robust: range" in r.output
    assert "conservative" in r.output and "not compared" in r.output
    assert "Y haplotype" in r.output and "lineage         autosomal LR" in r.output
