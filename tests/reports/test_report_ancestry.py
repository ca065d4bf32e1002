"""Issue 14 item 5 in the identification report: the LR by frequency database (range,
conservative value, the verbal equivalent at it) in the technical PDF and HTML, one plain
sentence in the family's version, ``--no-ancestry``, and the web application's report
download, on a SYNTHETIC stored case (tests/services/lineage_case.py: a missing man whose
paternal uncle is typed, his remains among unrelated remains)."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from homecoming.reports.identification import (
    _ancestry_family,
    _ancestry_technical,
    fmt_lr,
    render_html,
    render_pdf,
)
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories

pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) reads the report's text")

sys.path.insert(0, str(Path(__file__).parents[1] / "services"))
from lineage_case import build  # noqa: E402

NAMES = ["nist1036_all", "nist1036_caucasian", "nist1036_african_american",
         "nist1036_asian", "strider2015_europe_all"]
FAMILY_HOLDS = "the conclusion holds whichever population's frequencies are used"


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    from homecoming.genetics.frequencies import load_database
    from homecoming.services.case_identification import identify_stored_case
    from homecoming.services.identifications import list_identifications

    fdb = load_database("nist1036_all")
    path = tmp_path_factory.mktemp("rep-anc") / "a.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    with db.session() as s:
        build(Repositories(s, user="t"), fdb.markers(list(fdb.loci)[:30]), 1, with_y=False)
    identify_stored_case(db, store=True)
    with db.session() as s:
        ident = next(r for r in list_identifications(s) if r["missing_person"] == "MP-1")
    assert ident["remains"] == "R-1" and ident["lr"] > 1e4
    yield db, ident
    db.dispose()


def _text(path) -> str:
    return " ".join(re.sub(r"\s+", " ", p.extract_text())
                    for p in pypdf.PdfReader(path if hasattr(path, "read")
                                             else str(path)).pages)


def test_technical_pdf_and_html_hold_range_and_conservative_value(stored, tmp_path):
    from homecoming.casework.identifications import verbal_equivalent
    from homecoming.services.identifications import ancestry_lrs, identification_report_data

    db, ident = stored
    want = ancestry_lrs(db, ident["id"], databases=NAMES)
    data = identification_report_data(db, ident["id"], databases=NAMES)
    anc = data["ancestry"]
    assert anc["range"] == want["range"] and anc["conservative_lr"] == want["conservative_lr"]
    low, high = want["range"]
    assert low == min(r["lr"] for r in want["databases"] if r["comparable"]) and low < high
    assert anc["compared"] == 4 and anc["threshold_lr"] == pytest.approx(1e4)
    assert anc["same_verbal"] == (verbal_equivalent(low) == verbal_equivalent(ident["lr"]))
    expected = [f"ranges from {fmt_lr(low)} to {fmt_lr(high)}",
                f"conservative value (the minimum): {fmt_lr(low)} "
                f"({want['conservative_database']})",
                "At the conservative value the verbal equivalent is "
                + ("the same: " if anc["same_verbal"] else "")
                + verbal_equivalent(low),
                "Frequency database", "lacks CSF1PO"]
    text = _text(render_pdf(data, tmp_path / "r.pdf"))
    page = render_html(data)
    for item in expected:
        assert item in text, item
        assert item.replace("'", "&#x27;") in page, item
    for row in want["databases"]:
        if row["comparable"]:
            assert f"<td>{fmt_lr(row['lr'])}</td><td>{row['log10_lr']:.2f}</td>" in page
    assert FAMILY_HOLDS not in text


def test_family_version_has_one_sentence_and_no_table(stored, tmp_path):
    from homecoming.services.identifications import ancestry_lrs, identification_report_data

    db, ident = stored
    want = ancestry_lrs(db, ident["id"], databases=NAMES)
    data = identification_report_data(db, ident["id"], family=True, databases=NAMES)
    # a database's LR that differs from the stored one (the family reads only the stored LR)
    other = next(fmt_lr(r["lr"]) for r in want["databases"]
                 if r["comparable"] and fmt_lr(r["lr"]) != fmt_lr(ident["lr"]))
    text = _text(render_pdf(data, tmp_path / "f.pdf"))
    page = render_html(data)
    assert data["ancestry"]["same_verbal"] is True   # very strong support at every population
    sentence = ("This result was checked with the DNA frequencies of 4 different "
                f"populations: {FAMILY_HOLDS}.")
    for out in (text, page.replace("&#x27;", "'")):
        assert sentence in out
        for left_out in ("Frequency database", "ancestry-robust", "conservative",
                         other, "Population", "lacks"):
            assert left_out not in out, left_out


def test_no_ancestry_and_cli(stored, tmp_path):
    from homecoming.cli.main import cli
    from homecoming.services.identifications import ancestry_lrs, identification_report_data

    db, ident = stored
    assert identification_report_data(db, ident["id"], ancestry=False)["ancestry"] is None
    url = str(db.engine.url)
    runner = CliRunner()
    on, off = tmp_path / "on.pdf", tmp_path / "off.pdf"
    for out, extra in ((on, []), (off, ["--no-ancestry"])):
        r = runner.invoke(cli, ["--database", url, "report", "identification", ident["id"],
                                "-o", str(out), *extra])
        assert r.exit_code == 0, r.output
    low, high = ancestry_lrs(db, ident["id"])["range"]      # the default databases
    assert f"ranges from {fmt_lr(low)} to {fmt_lr(high)}" in _text(on)
    assert "LR by frequency database" not in _text(off)


def test_web_report_download_uses_the_same_function(stored):
    import io

    from homecoming.services.identifications import ancestry_lrs
    from homecoming.web.views.liaison import report_pdf

    db, ident = stored
    want = ancestry_lrs(db, ident["id"])
    low = want["conservative_lr"]
    other = next(fmt_lr(r["lr"]) for r in want["databases"]
                 if r["comparable"] and fmt_lr(r["lr"]) != fmt_lr(ident["lr"]))
    body = report_pdf(db, ident["id"], family=False, actor=None)
    assert f"conservative value (the minimum): {fmt_lr(low)}" in _text(io.BytesIO(body))
    family = _text(io.BytesIO(report_pdf(db, ident["id"], family=True, actor=None)))
    assert FAMILY_HOLDS in family and other not in family


def _anc(low: float, *, verbal_low: str, threshold_met: bool) -> dict:
    return {"available": True, "range": [low, 1e9], "conservative_lr": low,
            "conservative_database": "db_low", "compared": 3, "rule": "RULE",
            "lineage_lr": None, "verbal": "extremely strong support for X",
            "conservative_verbal": verbal_low, "same_verbal": False, "threshold_lr": 1e4,
            "conservative_meets_threshold": threshold_met,
            "databases": [{"database": "db_low", "population": "P", "lr": low,
                           "log10_lr": 4.5, "comparable": True, "missing_loci": []},
                          {"database": "db_short", "population": "Q", "lr": 3.0,
                           "log10_lr": 0.48, "comparable": False,
                           "missing_loci": ["TPOX", "FGA"]}]}


def test_sentences_when_the_population_matters():
    a = _anc(3.2e4, verbal_low="very strong support for X", threshold_met=True)
    pars, tables = _ancestry_technical(a)
    assert ("At the conservative value the verbal equivalent is very strong support for X, "
            "not extremely strong support for X: the verbal conclusion depends on the choice "
            "of population; it is at or above the identification threshold LR 10000.") in pars
    assert tables[0]["rows"][1] == ["db_short", "Q", "-", "-", "lacks TPOX, FGA"]
    assert tables[0]["rows"][0][2:4] == [fmt_lr(3.2e4), "4.50"]
    assert "still reaches the level required for an identification" in _ancestry_family(a)[0]
    b = _anc(500.0, verbal_low="moderately strong support for X", threshold_met=False)
    assert "below the identification threshold LR 10000" in _ancestry_technical(b)[0][1]
    assert "depends on which population's frequencies are used" in _ancestry_family(b)[0]
    assert _ancestry_family({"available": False, "reason": "gone"}) == []
    assert _ancestry_technical({"available": False, "reason": "gone"})[0] == [
        "LR by frequency database (ancestry-robust LR): not computed: gone"]
