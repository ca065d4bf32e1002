"""The identification report from plain data (no database): the PDF's text, SYNTHETIC on
every page, the family version without genotypes or technical tables, the HTML version, and a
page rendered to PNG."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from homecoming.reports.identification import fmt_lr, render_html, render_pdf

pypdf = pytest.importorskip("pypdf", reason="pypdf (test extra) reads the report's text")

LR = 4.123356307156e15


def _data(*, family: bool = False, synthetic: bool = True) -> dict:
    ident = {
        "id": "IDN-SYN-MP-0002-v1", "missing_person": "SYN-MP-0002", "remains": "SYN-IZ-0013",
        "status": "confirmed", "conclusion": "undisputed", "lr": LR, "log10_lr": 15.6153,
        "posterior": 0.999999999, "prior": 1 / 38, "version": 1, "run_id": "RUN-1",
        "run_by": "ana", "created_at": "2026-12-07T09:00:00+00:00", "glr": None,
        "per_marker": {"D3S1358": 3.3, "vWA": 0.51, "FGA": 85.2},
        "references": [{"donor": "SYN-D-00002", "relationship": "brother",
                        "pedigree_person": "B", "typed": True},
                       {"donor": "SYN-D-00003", "relationship": "son",
                        "pedigree_person": "CH1", "typed": True}],
        "pedigree": [{"id": "FA", "father": None, "mother": None, "sex": "male",
                      "typed": False, "missing": False},
                     {"id": "MO", "father": None, "mother": None, "sex": "female",
                      "typed": False, "missing": False},
                     {"id": "SYN-MP-0002", "father": "FA", "mother": "MO", "sex": "male",
                      "typed": False, "missing": True},
                     {"id": "B", "father": "FA", "mother": "MO", "sex": "male",
                      "typed": True, "missing": False},
                     {"id": "SP", "father": None, "mother": None, "sex": "female",
                      "typed": False, "missing": False},
                     {"id": "CH1", "father": "SYN-MP-0002", "mother": "SP", "sex": "male",
                      "typed": True, "missing": False}],
        "runner_ups": [{"remains": "SYN-IZ-0040", "screening_log10_lr": 1.25}],
        "model": {"frequencies": {"name": "nist1036_all", "sha256": "ab" * 32},
                  "mutation": {"model": "stepwise", "rate": 0.002}, "theta": 0.0,
                  "dropout": None, "thresholds": {"lr": 1e4}, "loci_left_out": ["PentaQ"],
                  "rare_allele_rule": "5/(2N) from the profiles compared"},
        "provenance": {"software": "homecoming 0.1.0", "input_sha256": "cd" * 32,
                       "engine_lr": 4.14e15},
        "comment": "", "changes": {"new": True}, "supersedes": None,
        "review": [{"action": "accept", "from": "proposed", "to": "reviewed", "actor": "bea",
                    "at": "2026-12-07T09:10:00+00:00", "note": "pedigree checked"},
                   {"action": "confirm", "from": "reviewed", "to": "confirmed",
                    "actor": "carl", "at": "2026-12-08T10:00:00+00:00", "note": ""}],
        "notifications": [], "releases": []}
    return {"identification": ident, "family_version": family, "software": "0.1.0",
            "missing_person": {"surname": "SYNTHETIC-0002", "given_name": "Volodymyr",
                               "sex": "male", "birth_date": "1992-07-21"},
            "remains": {"code": "SYN-IZ-0013", "recovered_on": "2022-09-18"},
            "grave": {"label": "13", "marker_inscription": "Cross No. 13"},
            "site": {"name": "SYNTHETIC forest burial site"}, "exhumations": [],
            "examinations": [], "synthetic": synthetic,
            "genotypes": {} if family else {"remains SYN-IZ-0013": {"vWA": ["17", "18"]}}}


def _pages(path) -> list[str]:
    return [re.sub(r"\s+", " ", p.extract_text()) for p in pypdf.PdfReader(str(path)).pages]


def test_technical_pdf_text(tmp_path):
    path = render_pdf(_data(), tmp_path / "r.pdf")
    pages = _pages(path)
    text = " ".join(pages)
    assert fmt_lr(LR) == "4.123 x 10^15" and "4.123 x 10^15" in text
    assert all("SYNTHETIC: demonstration data" in p for p in pages)
    for expected in ("extremely strong support", "ENFSI Guideline for Evaluative Reporting",
                     "nist1036_all", "ab" * 32, "stepwise", "Per-marker likelihood ratios",
                     "85.2", "Genotypes", "17/18", "PentaQ", "bea", "carl", "2026-12-08",
                     "Runner-up", "SYN-IZ-0040", "1 - 1e-09", "0.0263"):
        assert expected in text, expected


def test_family_pdf_leaves_out_technical_parts(tmp_path):
    pages = _pages(render_pdf(_data(family=True), tmp_path / "f.pdf"))
    text = " ".join(pages)
    assert "for the family" in text and "4.123 x 10^15" in text
    assert "has been reviewed and confirmed by the identification board" in text
    for left_out in ("Genotypes", "Per-marker", "SHA-256", "17/18", "Thresholds", "Runner-up"):
        assert left_out not in text, left_out


def test_not_synthetic_has_no_banner(tmp_path):
    text = " ".join(_pages(render_pdf(_data(synthetic=False), tmp_path / "n.pdf")))
    assert "demonstration data" not in text


def test_html_version(tmp_path):
    page = render_html(_data(), tmp_path / "r.html")
    assert (tmp_path / "r.html").read_text(encoding="utf-8") == page
    assert page.count("SYNTHETIC: demonstration data") == 2 and "<svg" in page
    assert "4.123 x 10^15" in page and "<td>17/18</td>" in page


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm (poppler-utils) renders the page to PNG")
def test_first_page_renders_to_png(tmp_path):
    path = render_pdf(_data(), tmp_path / "r.pdf")
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path),
                    str(tmp_path / "page")], check=True, timeout=60)
    png = next(tmp_path.glob("page*.png")).read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000
