"""Shipped frequency databases and the policies that make markers from them."""

from __future__ import annotations

import csv
import hashlib
import io
from importlib import resources
from pathlib import Path

import numpy as np
import pytest

from homecoming.errors import FrequencyError, NotFoundError
from homecoming.genetics.frequencies import (
    DEFAULT_N,
    FrequencyDatabase,
    canonical_locus,
    combine,
    list_databases,
    load_database,
)
from homecoming.genetics.markers import MutationSpec

DATA = resources.files("homecoming.genetics").joinpath("data", "allele-frequencies")


def test_every_indexed_file_is_shipped_with_sources():
    infos = list_databases()
    assert len(infos) == 50
    names = {i.name for i in infos}
    assert {"nist1036_all", "strider2015_poland", "norstr2023_norway", "ukdna17_white_ea1_ea2",
            "fbi2015_caucasian"} <= names
    for info in infos:
        assert DATA.joinpath(info.file).is_file()
    sources = DATA.joinpath("SOURCES.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in sources
    assert "10.1016/j.fsigen.2017.08.011" in sources


def test_nist_all_values_n_and_hash():
    db = load_database("nist1036_all")
    assert db.name == "nist1036_all"
    assert len(db.loci) == 29 and "SE33" in db.loci
    f = db.frequencies("CSF1PO")
    assert f["10"] == pytest.approx(0.232142857143, abs=1e-12)
    assert f["7"] == pytest.approx(48 / 2072, abs=1e-11)
    assert db.n_alleles_typed("CSF1PO") == 2072
    assert db.sample_size("TPOX") == 1035
    data = DATA.joinpath("nist1036_all.csv").read_bytes()
    assert db.sha256 == hashlib.sha256(data).hexdigest()
    assert "10.1016/j.fsigen.2017.08.011" in db.citation


def test_locus_aliases_and_unknown_locus():
    db = load_database("strider2015_poland.csv")
    assert db.locus_name("VWA") == "vWA"
    assert canonical_locus("Penta D") == canonical_locus("PentaD") == canonical_locus("PENTA_D")
    with pytest.raises(FrequencyError, match="'CSF1PO' is not in frequency database "
                                             "'strider2015_poland'"):
        db.frequencies("CSF1PO")
    with pytest.raises(NotFoundError, match="'ukraine_2020' is not shipped"):
        load_database("ukraine_2020")


def test_every_shipped_table_makes_valid_markers_summing_to_one():
    for info in list_databases():
        db = load_database(info.name)
        markers = db.markers()
        assert [m.name for m in markers] == list(db.loci)
        for m in markers:
            assert abs(m.frequencies.sum() - 1.0) < 1e-12, (info.name, m.name)
            assert "1" not in m.alleles or not info.name.startswith("strider")
            assert "99" not in m.alleles or not info.name.startswith("strider")


def test_strider_pseudo_alleles_dropped_and_renormalised_and_recorded():
    db = load_database("strider2015_germany")
    published = db.frequencies("D19S433")
    assert published["1"] == pytest.approx(0.000755287)
    assert published["99"] == pytest.approx(0.000755287)
    assert db.pseudo_alleles("D19S433") == {"1": 0.000755287, "99": 0.000755287}
    (m,) = db.markers(["D19S433"])
    assert "1" not in m.alleles and "99" not in m.alleles
    real = {a: f for a, f in published.items() if a not in ("1", "99")}
    s = sum(real.values())
    for a, f in real.items():
        assert m.frequencies[m.index(a)] == pytest.approx(f / s, rel=1e-12)
    assert "pseudo-allele(s) 1 (below range" in m.source and "99 (above range" in m.source
    prov = db.provenance()
    assert prov["adjustments"]["D19S433"]["pseudo_alleles_dropped"] == {"1": 0.000755287,
                                                                      "99": 0.000755287}
    assert prov["pseudo_alleles"]["D2S1338"] == {"1": 0.000755287}
    # an observed "1" is not a real allele in a STRidER table
    with pytest.raises(FrequencyError, match="STRidER pseudo-allele"):
        db.markers(["D19S433"], extra_alleles={"D19S433": ["1"]})
    # other sources keep their alleles untouched
    assert db.pseudo_alleles("D3S1358") == {}
    assert load_database("nist1036_all").pseudo_alleles("D19S433") == {}


def test_strider_sum_off_by_more_than_1e6_is_normalised_and_stated():
    db = load_database("strider2015_germany")
    published = db.frequencies("D18S51")
    total = sum(published.values())
    assert abs(total - 1) > 1e-6  # as published (1.00000161)
    (m,) = db.markers(["D18S51"])
    assert m.frequencies.sum() == pytest.approx(1.0, abs=1e-14)
    assert m.frequencies[m.index("14")] == pytest.approx(published["14"] / total, rel=1e-12)
    assert "normalised from sum 1.00000161 to 1" in m.source
    assert db.provenance()["published_sums"]["D18S51"] == pytest.approx(total, abs=1e-15)


def test_rare_allele_policy_5_over_2n_and_renormalisation():
    db = load_database("nist1036_all")
    pub = db.frequencies("D21S11")
    assert "36.2" not in pub
    (m,) = db.markers(["D21S11"], extra_alleles={"D21S11": ["36.2", "29"]})  # 29 is in table
    fmin = 5 / 2072
    scale = 1 + fmin
    assert m.alleles[-1] == "36.2"
    assert m.frequencies[-1] == pytest.approx(fmin / scale, rel=1e-12)
    assert m.frequencies[m.index("29")] == pytest.approx(pub["29"] / scale, rel=1e-12)
    assert m.frequencies.sum() == pytest.approx(1.0, abs=1e-12)
    assert "rare allele(s) 36.2 added at 5/(2N)=0.00241313 (N=1036)" in m.source
    adj = db.provenance()["adjustments"]["D21S11"]
    assert adj["rare_alleles"] == {"36.2": pytest.approx(fmin)}
    assert adj["renormalised_by"] == pytest.approx(1 / scale)


def test_rare_allele_default_n_when_table_has_no_sample_size():
    db = load_database("norstr2023_norway")
    assert db.sample_size("TH01") is None
    assert db.rare_allele_frequency("TH01") == pytest.approx(5 / (2 * DEFAULT_N)) == 0.001
    (m,) = db.markers(["TH01"], extra_alleles={"TH01": ["13.3"]})
    assert m.frequencies[m.index("13.3")] == pytest.approx(0.001 / 1.001, rel=1e-12)
    assert "N unknown, default N=2500" in m.source


def test_strict_mode_refuses_missing_allele_naming_locus_and_allele():
    db = load_database("nist1036_caucasian")
    with pytest.raises(FrequencyError, match=r"locus 'TH01': allele '13\.3' is not in frequency "
                                             r"database 'nist1036_caucasian' \(strict mode\)"):
        db.markers(["TH01"], extra_alleles={"TH01": ["13.3"]}, strict=True)
    # strict is fine when every allele is known
    (m,) = db.markers(["TH01"], extra_alleles={"TH01": ["9.3"]}, strict=True)
    assert m.frequencies[m.index("9.3")] == pytest.approx(db.frequencies("TH01")["9.3"])


def test_mutation_specs_are_attached_per_sex():
    db = load_database("nist1036_all")
    f = MutationSpec("proportional", rate=0.001)
    m_ = MutationSpec("stepwise", rate=0.002, rate2=1e-6, range=0.1)
    (both,) = db.markers(["TH01"], mutation=f)
    assert both.mutation_female is f and both.mutation_male is f
    (split,) = db.markers(["TH01"], mutation={"female": f, "male": m_})
    assert split.mutation_female is f and split.mutation_male is m_
    (pair,) = db.markers(["TH01"], mutation=(f, None))
    assert pair.mutation_male is None
    with pytest.raises(FrequencyError, match="mutation: keys"):
        db.markers(["TH01"], mutation={"father": f})


def test_combine_fills_missing_loci_and_records_origin():
    pl = load_database("strider2015_poland")
    us = load_database("nist1036_caucasian")
    both = combine(pl, us)
    assert both.loci[: len(pl.loci)] == pl.loci
    assert "CSF1PO" in both.loci and "SE33" in both.loci
    assert both.origin("vWA") == "strider2015_poland"
    assert both.origin("CSF1PO") == "nist1036_caucasian"
    assert both.frequencies("TH01") == pl.frequencies("TH01")
    assert both.frequencies("TPOX") == us.frequencies("TPOX")
    assert both.sample_size("TPOX") == 361 and both.sample_size("TH01") == 206
    prov = both.provenance()
    assert prov["locus_origin"]["CSF1PO"] == "nist1036_caucasian"
    assert [p["name"] for p in prov["parts"]] == ["strider2015_poland", "nist1036_caucasian"]
    assert both.sha256 == hashlib.sha256(f"{pl.sha256}+{us.sha256}".encode()).hexdigest()
    (m,) = both.markers(["TPOX"], extra_alleles={"TPOX": ["14"]})
    assert m.frequencies[m.index("14")] == pytest.approx((5 / 722) / (1 + 5 / 722))
    assert m.source.startswith("nist1036_caucasian")


def test_from_csv_refuses_bad_sum_and_reads_good(tmp_path: Path):
    good = tmp_path / "lab.csv"
    good.write_text("locus,allele,frequency\nTH01,6,0.25\nTH01,9.3,0.75\n", encoding="utf-8")
    db = FrequencyDatabase.from_csv(good, n_individuals=100, population="synthetic")
    assert db.frequencies("TH01") == {"6": 0.25, "9.3": 0.75}
    assert db.rare_allele_frequency("TH01") == pytest.approx(5 / 200)
    bad = tmp_path / "bad.csv"
    bad.write_text("locus,allele,frequency\nTH01,6,0.25\nTH01,9.3,0.7499\n", encoding="utf-8")
    with pytest.raises(FrequencyError, match=r"locus 'TH01' frequencies sum to 0\.9999; "
                                             r"expected 1 within 1e-06"):
        FrequencyDatabase.from_csv(bad)
    worse = tmp_path / "worse.csv"
    worse.write_text("locus,allele,frequency\nTH01,6,abc\n", encoding="utf-8")
    with pytest.raises(FrequencyError, match="line 2, column frequency: 'abc'"):
        FrequencyDatabase.from_csv(worse)


def test_sample_sizes_file_matches_database_view():
    text = DATA.joinpath("sample-sizes.csv").read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(text)) if r["file"] == "ukdna17_chinese_ea5.csv"]
    db = load_database("ukdna17_chinese_ea5")
    assert len(rows) == len(db.loci) == 16
    for r in rows:
        assert db.n_alleles_typed(r["locus"]) == int(r["n_alleles_typed"])
        assert sum(db.frequencies(r["locus"]).values()) == pytest.approx(
            float(r["frequency_sum"]), abs=1e-6)
    assert np.isclose(db.sample_size("vWA"), 203)


def test_exactly_the_28_strider_locus_tables_are_off_by_more_than_1e6():
    off = []
    for info in list_databases():
        db = load_database(info.name)
        sums = db.provenance()["published_sums"]
        for locus in db.loci:
            s = sum(db.frequencies(locus).values())
            if abs(s - 1) > 1e-6:
                off.append((info.name, locus))
                assert sums[locus] == pytest.approx(s, abs=1e-15)
            assert abs(s - 1) < 2e-6
    assert len(off) == 28  # SOURCES.md: 28 of STRidER's 312 locus tables
    assert all(name.startswith("strider2015_") for name, _ in off)
