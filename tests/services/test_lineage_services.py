"""Lineage markers through the application (homecoming.services.lineage): import refuses a
bad row with file and line and writes nothing; Y-STR and mtDNA haplotypes round-trip through
storage (SQLite and PostgreSQL) and export; the stored-case identify multiplies the Y-STR LR
of a paternal uncle into the autosomal LR, and only with it the missing person is
identified. All data SYNTHETIC (tests/services/lineage_case.py)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from scipy.stats import beta

from homecoming.casework import Sample
from homecoming.errors import FormatError
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories

sys.path.insert(0, str(Path(__file__).parent))
from lineage_case import build  # noqa: E402

Y_CSV = """barcode,locus,alleles,kit
S-1,DYS19,14,Y23
S-1,DYS385a,11,Y23
S-1,DYS385b,14,Y23
S-1,Y-GATA-H4,12,Y23
S-2,DYS19,15,
"""
MT_CSV = """barcode,variants,range
S-1,16069T 16126C 263G 315.1C 249d 16093Y,16024-16569 1-576
S-2,,
"""


@pytest.fixture
def stored(database_url, tmp_path):
    """A database with two remains samples S-1, S-2."""
    from homecoming.casework.remains import Remains

    db = Database(database_url)
    db.upgrade()
    with db.session() as s:
        repos = Repositories(s, user="t")
        repos.remains.add_all([Remains(code="R-1"), Remains(code="R-2")])
        repos.samples.add_all([Sample(barcode=f"S-{i}", source="remains",
                                      remains_code=f"R-{i}", element="bone",
                                      collected_on="2023-01-01") for i in (1, 2)])
    yield db
    db.dispose()


def test_round_trip_and_export(stored, tmp_path):
    from homecoming.services.lineage import (
        MtdnaHaplotypeRepository,
        YHaplotypeRepository,
        export_lineage,
        import_lineage,
    )

    (tmp_path / "y.csv").write_text(Y_CSV)
    (tmp_path / "m.csv").write_text(MT_CSV)
    assert import_lineage(stored, "ystr", tmp_path / "y.csv").count == 2
    assert import_lineage(stored, "mtdna", tmp_path / "m.csv").count == 2
    with stored.session() as s:
        y = YHaplotypeRepository(s).get("S-1")
        m = MtdnaHaplotypeRepository(s).get("S-1")
        empty = MtdnaHaplotypeRepository(s).get("S-2")
    assert y.haplotype == {"DYS19": ("14",), "DYS385": ("11", "14"), "YGATAH4": ("12",)}
    assert y.kit == "Y23"
    assert m.variants == ("249DEL", "263G", "315.1C", "16069T", "16093Y", "16126C")
    assert m.typed_range == ((16024, 16569), (1, 576))
    assert empty.variants == ()
    n = export_lineage(stored, "ystr", tmp_path / "out.csv")
    assert n == 2
    assert (tmp_path / "out.csv").read_text().splitlines()[:3] == [
        "barcode,locus,alleles,kit,laboratory,typed_on", "S-1,DYS19,14,Y23,,",
        "S-1,DYS385,11-14,Y23,,"]
    # the audit trail holds a digest, never an allele
    from homecoming.storage.repositories import audit_records

    with stored.session() as s:
        entry = audit_records(s, table="y_haplotypes", key="S-1")[0]
    assert entry.after["loci"] == ["DYS19", "DYS385", "YGATAH4"]
    assert "haplotype" not in entry.after and len(entry.after["haplotype_sha256"]) == 64


def test_import_refuses_a_bad_row_and_writes_nothing(stored, tmp_path):
    from homecoming.services.lineage import YHaplotypeRepository, import_lineage

    bad = tmp_path / "bad.csv"
    bad.write_text("barcode,locus,alleles\nS-1,DYS19,14\nS-2,DYS390,2x\n")
    with pytest.raises(FormatError) as err:
        import_lineage(stored, "ystr", bad)
    assert str(err.value).startswith(f"{bad}, line 3, column alleles:")
    assert "2x" not in str(err.value)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("barcode,variants\nS-1,263G\nS-9,263G\n")
    with pytest.raises(FormatError, match=r"line 3, column barcode: 'S-9' is not a stored"):
        import_lineage(stored, "mtdna", unknown)
    mt_bad = tmp_path / "mt.csv"
    mt_bad.write_text("barcode,variants\nS-1,263G 16519Q\n")
    with pytest.raises(FormatError, match="line 2, column variants: .*rCRS notation"):
        import_lineage(stored, "mtdna", mt_bad)
    with stored.session() as s:
        assert YHaplotypeRepository(s).count() == 0


def test_cli_import_and_export(stored, tmp_path):
    from homecoming.cli.main import cli

    url = str(stored.engine.url.render_as_string(hide_password=False))
    (tmp_path / "y.csv").write_text(Y_CSV)
    r = CliRunner().invoke(cli, ["--database", url, "import", "ystr", str(tmp_path / "y.csv")])
    assert r.exit_code == 0, r.output
    assert "Imported 2 Y-STR haplotypes" in r.output
    r = CliRunner().invoke(cli, ["--database", url, "export", "ystr", str(tmp_path / "o.csv")])
    assert r.exit_code == 0 and "Wrote 2 Y-STR haplotypes" in r.output


@pytest.mark.parametrize("with_y", [False, True])
def test_identify_paternal_uncle_y_reaches_the_threshold(tmp_path, with_y):
    """Seed 1 of the SYNTHETIC case: the uncle's autosomal LR alone leaves MP-1 'probable';
    with his Y haplotype (the remains match it at 15 loci, 16 copies; 3 meioses) the LR
    multiplies by P(no change)/f with f the Clopper–Pearson bound of 1 in 40 references, and
    MP-1 is identified."""
    from homecoming.genetics.frequencies import load_database
    from homecoming.kinship.lineage import rate_for, step_change_probability, y_mutation_rates
    from homecoming.services.case_identification import identify_stored_case
    from homecoming.services.identifications import get_identification, list_identifications

    fdb = load_database("nist1036_all")
    markers = fdb.markers(list(fdb.loci)[:30])
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    db.upgrade()
    with db.session() as s:
        build(Repositories(s, user="t"), markers, 1, with_y=with_y)
    run = identify_stored_case(db, store=True)
    detail = run.result.details["MP-1"]
    assert detail["victim"] == "R-1"
    with db.session() as s:
        ident = next(r for r in list_identifications(s) if r["missing_person"] == "MP-1")
        full = get_identification(s, ident["id"])
    if not with_y:
        assert detail["conclusion"] == "probable"
        assert "Y haplotype" not in full["per_marker"]
        assert "lineage" not in run.document
        db.dispose()
        return
    assert detail["conclusion"] in ("identified", "undisputed")
    rates = y_mutation_rates()
    from lineage_case import UNCLE_Y

    copies = [k for k in UNCLE_Y if k != "DYS385"] + ["DYS385a", "DYS385b"]
    p_h1 = math.prod(step_change_probability(0, 3, rate_for(k, rates)) for k in copies)
    f = float(beta.ppf(0.95, 2, 39))
    assert full["per_marker"]["Y haplotype"] == pytest.approx(p_h1 / f, rel=1e-9)
    lineage = full["model"]["lineage"]
    assert lineage["y"]["count"] == 1 and lineage["y"]["database_size"] == 40
    assert lineage["y"]["meioses"] == 3 and lineage["y"]["reference"] == "D-U"
    assert full["lr"] == pytest.approx(lineage["autosomal_lr"] * p_h1 / f, rel=1e-9)
    assert "independently" in lineage["combination"]
    assert run.document["lineage"]["pairs"] >= 1
    from homecoming.cli.main import cli

    r = CliRunner().invoke(cli, ["--database", str(db.engine.url), "identify", "--quiet",
                                 "--no-store"])
    assert r.exit_code == 0, r.output
    assert "Lineage markers (Y-STR, mtDNA) compared on" in r.output
    assert "inherited independently" in r.output and "Clopper-Pearson" in r.output
    db.dispose()


def test_advice_asks_the_typed_paternal_uncle_for_his_y(tmp_path):
    """MP-1 (male) cannot reach the threshold with his uncle's autosomal profile: the advice
    asks the uncle (3 meioses on the paternal line) for Y-STRs; once his Y haplotype is stored
    it no longer does. Candidates who share the missing man's Y (his father) are told so."""
    from homecoming.genetics.frequencies import load_database
    from homecoming.services.advice import family_advice

    fdb = load_database("nist1036_all")
    markers = fdb.markers(list(fdb.loci)[:30])
    for with_y in (False, True):
        db = Database(f"sqlite:///{tmp_path / f'a{with_y}.db'}")
        db.upgrade()
        with db.session() as s:
            build(Repositories(s, user="t"), markers, 1, with_y=with_y)
        family = family_advice(db, "MP-1")["families"][0]
        db.dispose()
        father = next(c for c in family["candidates"] if c["relation"] == "father")
        assert father["lineages"] == ["Y"]
        if with_y:
            assert family["lineage_requests"] == []
            assert "Y-STR" not in father["ask_for"]
        else:
            assert family["reaches_threshold"] is False
            assert family["lineage_requests"] == [
                {"donor": "D-U", "relationship": "uncle", "ask_for": "Y-STR", "meioses": 3}]
            assert "Y-STR" in father["ask_for"]


def test_blind_screening_adds_the_y_lr_of_candidate_pairs(tmp_path):
    """`screen` on the SYNTHETIC case: candidate pairs whose two samples carry Y haplotypes,
    under a relationship that shares the Y (direct 0 meioses, parent_child 1, full_sibling
    2), get the Y LR, and the combined log10 LR is the autosomal one plus log10 LR_Y. By
    hand: the remains match the uncle's haplotype, so LR_Y = Π_loci P(0 | m, μ) / f with
    f = B⁻¹(0.95; 2, 39) (1 of the 40 stored references carries it); a haplotype 2 repeats
    away in one or two meioses only through two steps, 3 repeats away in two meioses never
    (LR 0, combined LR 0, written null). Half siblings are not compared (which parent is
    shared is unknown)."""
    from homecoming.genetics.frequencies import load_database
    from homecoming.kinship.lineage import rate_for, step_change_probability, y_mutation_rates
    from homecoming.services.screening import screen

    fdb = load_database("nist1036_all")
    markers = fdb.markers(list(fdb.loci)[:30])
    db = Database(f"sqlite:///{tmp_path / 's.db'}")
    db.upgrade()
    with db.session() as s:
        build(Repositories(s, user="t"), markers, 1, with_y=True)
    result = screen(db, min_lr=1e-6, store=False)
    db.dispose()
    autosomal = {(c["pm"], c["reference"], c["relationship"]): c["log10_lr"]
                 for c in result.candidates.records()}
    rows = {(r["pm"], r["reference"], r["relationship"]): r for r in result.lineage}
    assert not [k for k in rows if k[2] == "half_sibling"]
    from lineage_case import UNCLE_Y

    rates = y_mutation_rates()
    copies = [k for k in UNCLE_Y if k != "DYS385"] + ["DYS385a", "DYS385b"]
    f = float(beta.ppf(0.95, 2, 39))
    for rel, m in (("parent_child", 1), ("full_sibling", 2)):
        row = rows[("S-R-1", "S-D-U", rel)]
        same = math.prod(step_change_probability(0, m, rate_for(k, rates)) for k in copies)
        assert row["y"]["meioses"] == m
        assert row["y"]["lr"] == pytest.approx(same / f, rel=1e-9)
    assert any(r["y"]["lr"] == 0.0 for r in rows.values())
    for key, row in rows.items():
        assert row["y"]["database_size"] == 40 and row["y"]["count"] == 1
        if row["y"]["lr"] == 0.0:
            assert row["combined_log10_lr"] is None
        else:
            assert row["combined_log10_lr"] == pytest.approx(
                autosomal[key] + math.log10(row["y"]["lr"]), rel=1e-12)


def test_lineage_matches_mtdna_along_the_maternal_line():
    """A mother's mtDNA against the remains (maternal line, 1 meiosis), 10 references in the
    count database: same haplotype up to a 309.1C length variant -> cannot exclude, LR =
    1/B⁻¹(0.95; x+1, N−x) with x = 1 (only the mother's of the 10 is compatible); two real
    differences -> excluded, LR 0; a father is not on the maternal line (not compared);
    the range compared is the overlap of the typed ranges."""
    from homecoming.casework import Donor, MissingPerson, Relationship, Sex
    from homecoming.casework.lineage import MtdnaHaplotype
    from homecoming.services.case_identification import FamilyData, VictimData
    from homecoming.services.lineage import LineageCase, lineage_matches

    mp = MissingPerson(id="MP-1", surname="SYNTHETIC", given_name="A", sex=Sex.FEMALE,
                       reported_by="SYNTHETIC", reported_on="2023-01-01")
    donors = (Donor(id="D-M", missing_person_id="MP-1", full_name="SYNTHETIC", sex=Sex.FEMALE,
                    relationship=Relationship.MOTHER),
              Donor(id="D-F", missing_person_id="MP-1", full_name="SYNTHETIC", sex=Sex.MALE,
                    relationship=Relationship.FATHER))
    family = FamilyData(mp, donors, {})
    base = "16069T 16126C 263G 295T"

    def hap(code, variants, rng="16024-16569 1-576"):
        return MtdnaHaplotype(sample_barcode=code, variants=variants, typed_range=rng)

    case = LineageCase(
        mt_remains={"R-1": hap("S-1", base + " 309.1C", "16024-16365 73-340"),
                    "R-2": hap("S-2", base + " 16311C 195C")},
        mt_donors={"D-M": hap("S-M", base), "D-F": hap("S-F", "16311C 195C"),
                   **{f"D-X{i}": hap(f"S-X{i}", f"16{300 + i}T 73G") for i in range(8)}})
    victims = [VictimData("R-1", Sex.FEMALE, {}), VictimData("R-2", Sex.FEMALE, {})]
    got = lineage_matches(victims, [family], case)
    same, other = got[("R-1", "MP-1")].mtdna, got[("R-2", "MP-1")].mtdna
    assert same["reference"] == "D-M" and same["meioses"] == 1
    assert same["conclusion"] == "cannot exclude" and same["ignored_length_variants"] == 1
    assert same["compared_range"] == [[16024, 16365], [73, 340]]
    assert (same["count"], same["database_size"]) == (1, 10)
    assert same["lr"] == pytest.approx(1 / float(beta.ppf(0.95, 2, 9)), rel=1e-12)
    assert other["conclusion"] == "excluded" and other["lr"] == 0.0
    assert got[("R-1", "MP-1")].y is None       # a woman: no Y line
    assert got[("R-1", "MP-1")].per_marker() == {"mtDNA": same["lr"]}
