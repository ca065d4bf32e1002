"""One set of locus/allele checks for every profile importer (issue 13, failure 1), the
allele grammar, GeneMapper without a quote character (failure 2), and bounded, escaped input
(failures 4, 5). All data SYNTHETIC."""

from __future__ import annotations

import pytest

from homecoming.errors import FormatError, InputError
from homecoming.formats.codis import parse_cmf
from homecoming.formats.csv_import import read_profiles_csv
from homecoming.formats.genemapper import parse_genemapper
from homecoming.genetics.alleles import (
    AlleleError,
    canonical_locus,
    is_amelogenin,
    parse_allele,
    parse_amelogenin,
)
from homecoming.services.format_store import import_profiles

HEAD = "Sample Name\tMarker\tAllele 1\tAllele 2\n"
GOOD = "PM-000001\tD3S1358\t15\t16\nPM-000001\tTH01\t9.3\t\n"

# (marker, allele 1, allele 2, column named in the error)
BAD = [
    ("D99S999", "15", "16", "Marker"),
    ("D3S1358", "0", "16", "Allele 1"),
    ("D3S1358", "15", "999", "Allele 2"),
    ("D3S1358", "15.55", "16", "Allele 1"),
    ("D3S1358", "9.15", "16", "Allele 1"),
    ("D3S1358", "X", "Y", "Allele 1"),
    ("AMEL", "Q", "", "Allele 1"),
]


# --- grammar -------------------------------------------------------------------------------

@pytest.mark.parametrize("text,locus,expected", [
    ("15", None, "15"), ("9.3", "TH01", "9.3"), ("15.2", None, "15.2"), ("9.1", None, "9.1"),
    ("15.0", None, "15"), ("09", None, "9"), (" 22.2 ", "FGA", "22.2"), ("1", None, "1"),
    ("99", None, "99"), ("12.4", "Penta D", "12.4"), ("214", "D11S554", "214"), (17, None, "17"),
])
def test_allele_grammar_accepts(text, locus, expected):
    assert parse_allele(text, locus) == expected


@pytest.mark.parametrize("text,locus", [
    ("0", None), ("999", "D3S1358"), ("100", None), ("15.55", None), ("9.15", "TH01"),
    ("9.5", None), ("X", "D3S1358"), ("Y", None), ("OL", None), ("", None), ("9.", None),
    (".3", None), ("-1", None), ("1e3", None), ("15,2", None), (True, None), (None, None),
    ("1000", "D11S554"),
])
def test_allele_grammar_refuses_without_echo(text, locus):
    with pytest.raises(AlleleError) as err:
        parse_allele(text, locus)
    assert "expected" in str(err.value)
    if isinstance(text, str) and text.strip():
        assert repr(text) not in str(err.value)


def test_amelogenin_and_locus_names():
    assert parse_amelogenin(" x ") == "X" and parse_amelogenin("Y") == "Y"
    with pytest.raises(AlleleError):
        parse_amelogenin("Q")
    assert all(is_amelogenin(n) for n in ("AMEL", "Amelogenin", "AM", "AMEL_XY", "amel"))
    assert not is_amelogenin("D3S1358")
    assert canonical_locus("Penta D") == canonical_locus("PENTA_D") == "PENTAD"
    assert canonical_locus("vWA") == canonical_locus("VWA") == "VWA"
    assert canonical_locus("ACTBP2") == "SE33" and canonical_locus("THO1") == "TH01"


def test_one_canonical_locus_function():
    from homecoming.genetics import alleles, frequencies, markers

    assert frequencies.canonical_locus is alleles.canonical_locus
    assert markers.canonical_locus is alleles.canonical_locus


def test_shipped_tables_fit_the_grammar():
    from homecoming.genetics.frequencies import list_databases, load_database

    n = 0
    for info in list_databases():
        db = load_database(info.name)
        for locus in db.loci:
            for a in list(db.frequencies(locus)) + list(db.pseudo_alleles(locus)):
                assert parse_allele(a, locus) == a
                n += 1
    assert n > 5000


def test_casework_profile_uses_the_grammar():
    from homecoming.casework import CaseworkError, DnaProfile, StaffProfile

    p = DnaProfile(sample_barcode="PM-1", genotypes={"TH01": ("9.3", "09"), "AMEL": ("x", "Y")})
    assert p.genotypes == {"TH01": ("9.3", "9"), "AMEL": ("X", "Y")}
    for bad in ({"TH01": ("9.15", "9")}, {"TH01": ("X", "9")}, {"AMEL": ("Q", "X")},
                {"TH01": ("OL", "9")}):
        with pytest.raises(CaseworkError):
            DnaProfile(sample_barcode="PM-1", genotypes=bad)
        with pytest.raises(CaseworkError):
            StaffProfile(staff_code="ST-1", genotypes=bad)


def test_staff_profile_importable_from_both_places():
    from homecoming.casework import GenotypedRecord, StaffProfile
    from homecoming.storage.repositories.staff import StaffProfile as Old

    assert Old is StaffProfile and issubclass(StaffProfile, GenotypedRecord)


# --- GeneMapper ------------------------------------------------------------------------------

@pytest.mark.parametrize("marker,a1,a2,column", BAD)
def test_genemapper_refuses_bad_records_with_file_line_column(marker, a1, a2, column):
    text = HEAD + GOOD + f"PM-000002\t{marker}\t{a1}\t{a2}\n"
    with pytest.raises(FormatError) as err:
        parse_genemapper(text, path="gm.txt")
    e = err.value
    assert (e.path, e.line, e.column) == ("gm.txt", 4, column)
    assert str(e).startswith("gm.txt, line 4, column " + column)
    for allele in (a1, a2):       # alleles (genetic data) never in the message
        if allele and allele not in ("X", "Y", "0", "15", "16"):
            assert allele not in str(e)


def test_genemapper_refusal_counts_every_bad_row():
    text = HEAD + GOOD + "A\tD3S1358\t0\t1\nB\tD99S999\t1\t2\nC\tTH01\t9.15\t9\n"
    with pytest.raises(FormatError, match=r"3 rows refused") as err:
        parse_genemapper(text, path="gm.txt")
    assert err.value.line == 4


def test_genemapper_refusal_writes_nothing(casework_db, tmp_path):
    from homecoming.formats.genemapper import read_genemapper
    from homecoming.storage.repositories import ProfileRepository

    path = tmp_path / "gm.txt"
    path.write_text(HEAD + GOOD + "PM-000001\tD99S999\t15\t16\n")
    with pytest.raises(FormatError):
        with casework_db.session() as session:
            import_profiles(session, read_genemapper(path))
    with casework_db.session() as session:
        assert ProfileRepository(session).count() == 0


def test_genemapper_stray_quote_does_not_swallow_rows():
    text = (HEAD + 'PM-000001\tD3S1358\t"15\t16\n' + "PM-000001\tTH01\t9.3\t\n"
            + "PM-000002\tD3S1358\t14\t15\n")
    with pytest.raises(FormatError) as err:
        parse_genemapper(text, path="gm.txt")
    assert err.value.line == 2 and err.value.column == "Allele 1"
    # a quote in an ignored column is just text: every row is read
    text = ("Sample File\t" + HEAD + 'a"b.fsa\tPM-000001\tD3S1358\t15\t16\n'
            + "x.fsa\tPM-000001\tTH01\t9.3\t\n" + "x.fsa\tPM-000002\tD3S1358\t14\t15\n")
    t = parse_genemapper(text)
    assert t.profiles() == {"PM-000001": {"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3")},
                            "PM-000002": {"D3S1358": ("14", "15")}}
    assert t.report.counts["rows"] == 3 and t.report.counts["rows skipped"] == 0


def test_genemapper_counts_every_row():
    text = (HEAD + GOOD + "PM-000001\tAMEL\tX\tY\n" + "PM-000001\tFGA\tOL\t22\n"
            + "PM-000001\tD8S1179\t\t\n" + "PM-000001\tD3S1358\t15\t16\n"
            + "PM-000002\tD3S1358\t14\t15\n")
    t = parse_genemapper(text, path="gm.txt")
    c = t.report.counts
    assert c["rows"] == 7 and c["rows skipped"] == 4
    assert c["rows"] == c["rows skipped"] + 3
    assert "7 rows" in t.report.summary() and "4 rows skipped" in t.report.summary()
    notes = [e.message for e in t.report.notes]
    assert ("rows skipped: 1 amelogenin (sex, not stored as a genotype), 1 off-ladder, "
            "1 no allele, 1 exact repeat") in notes


def test_genemapper_import_reports_rows(casework_db):
    text = (HEAD + "PM-000001\tD3S1358\t15\t16\nPM-000001\tAMEL\tX\t\n"
            + "AM-000001\tD3S1358\t14\t15\t\nAM-000001\tTH01\t6\t7\n")
    t = parse_genemapper(text, path="gm.txt")
    with casework_db.session() as session:
        report = import_profiles(session, t)
    c = report.counts
    assert (c["rows"], c["rows imported"], c["rows skipped"]) == (4, 3, 1)
    assert (c["added"], c["skipped"]) == (2, 0)


@pytest.mark.parametrize("text,what", [
    (HEAD, "no data rows"),
    (HEAD + "\n\n", "no data rows"),
    ("\n", "empty"),
])
def test_genemapper_header_only_is_an_error(text, what):
    with pytest.raises(FormatError, match=what):
        parse_genemapper(text, path="gm.txt")


def test_genemapper_oversized_cell_and_control_characters():
    big = "A" * 131072
    with pytest.raises(FormatError) as err:
        parse_genemapper(HEAD + f"{big}\tD3S1358\t15\t16\n", path="gm.txt")
    assert "131072 characters" in str(err.value) and big[:100] not in str(err.value)
    assert len(str(err.value)) < 200
    for ch in ("\x00", "\x07", "\x1b", "\x85", "\u202e"):
        with pytest.raises(FormatError) as err:
            parse_genemapper(HEAD + f"PM{ch}1\tD3S1358\t15\t16\n", path="gm.txt")
        assert ch not in str(err.value) and err.value.line == 2


def test_genemapper_unknown_sample_names_file_and_line(casework_db):
    text = HEAD + "PM-000001\tD3S1358\t15\t16\nXX-000009\tD3S1358\t15\t16\n"
    t = parse_genemapper(text, path="gm.txt")
    assert [s.first_line for s in t.samples] == [2, 3]
    with pytest.raises(FormatError, match=r"gm.txt, line 3, column Sample Name: 'XX-000009' "
                                          "is not a stored sample"):
        with casework_db.session() as session:
            import_profiles(session, t)


# --- CODIS -----------------------------------------------------------------------------------

def _cmf(loci: str, sid: str = "PM-000001") -> bytes:
    return (f"""<?xml version="1.0" encoding="UTF-8"?>
<CODISImportFile>
  <SPECIMEN>
    <SPECIMENID>{sid}</SPECIMENID>
    <LOCUS><LOCUSNAME>vWA</LOCUSNAME><ALLELE><ALLELEVALUE>15</ALLELEVALUE></ALLELE></LOCUS>
{loci}
  </SPECIMEN>
</CODISImportFile>
""").encode()


def _locus(name: str, *alleles: str) -> str:
    values = "".join(f"<ALLELE><ALLELEVALUE>{a}</ALLELEVALUE></ALLELE>" for a in alleles if a)
    return f"    <LOCUS><LOCUSNAME>{name}</LOCUSNAME>\n      {values}</LOCUS>"


@pytest.mark.parametrize("marker,a1,a2,column", BAD)
def test_codis_refuses_bad_records_with_file_and_line(marker, a1, a2, column):
    with pytest.raises(FormatError) as err:
        parse_cmf(_cmf(_locus(marker, a1, a2)), path="c.xml")
    e = err.value
    assert e.path == "c.xml"
    assert e.line == (6 if column == "Marker" else 7)
    assert e.column == ("LOCUSNAME" if column == "Marker" else "ALLELEVALUE")


def test_codis_good_file_and_header_only():
    t = parse_cmf(_cmf(_locus("TH01", "9.3", "10")), path="c.xml")
    assert t.profiles() == {"PM-000001": {"vWA": ("15", "15"), "TH01": ("9.3", "10")}}
    empty = b'<?xml version="1.0"?>\n<CODISImportFile><HEADERVERSION>3.2</HEADERVERSION>' \
            b"</CODISImportFile>\n"
    with pytest.raises(FormatError, match="no <SPECIMEN>"):
        parse_cmf(empty, path="c.xml")


def test_codis_oversized_id_and_control_characters():
    big = "A" * (1 << 20)
    with pytest.raises(FormatError) as err:
        parse_cmf(_cmf("", sid=big), path="c.xml")
    assert "characters" in str(err.value) and len(str(err.value)) < 200
    with pytest.raises(FormatError) as err:
        parse_cmf(_cmf("", sid="PM\u00851"), path="c.xml")
    assert "\u0085" not in str(err.value) and err.value.line == 4


# --- every importer: export profiles re-imports -----------------------------------------------

def test_genemapper_import_then_export_profiles_reimports(casework_db, tmp_path):
    from homecoming.formats.csv_records import format_profiles_csv
    from homecoming.storage.repositories import ProfileRepository

    text = (HEAD + "PM-000001\tD3S1358\t15\t16\nPM-000001\tTH01\t09.3\t\n"
            + "PM-000001\tPenta D\t12.4\t13\nPM-000001\tAMEL\tX\tY\n")
    with casework_db.session() as session:
        import_profiles(session, parse_genemapper(text, path="gm.txt"))
    with casework_db.session() as session:
        stored = ProfileRepository(session).list()
    out = tmp_path / "profiles.csv"
    out.write_text(format_profiles_csv(stored))
    back = read_profiles_csv(out)
    assert back[0].genotypes == {"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3"),
                                 "PentaD": ("12.4", "13")}


def test_profile_csv_refuses_the_same_records(tmp_path):
    for marker, a1, a2, _column in BAD:
        path = tmp_path / "p.csv"
        a2 = a2 or a1
        path.write_text(f"barcode,locus,allele1,allele2\nPM-1,D3S1358,15,16\n"
                        f"PM-1,{marker},{a1},{a2}\n")
        with pytest.raises(FormatError) as err:
            read_profiles_csv(path)
        assert err.value.line == 3, marker


def test_reports_never_hold_bad_values_raw():
    with pytest.raises(InputError) as err:
        parse_genemapper(HEAD + "PM\x1b[31m\tD3S1358\t15\t16\n", path="gm.txt")
    assert "\x1b" not in str(err.value)


# --- kinship-case@1 labels -------------------------------------------------------------------

def test_kinship_case_labels_refuse_control_characters_and_match_loci_canonically():
    from homecoming.errors import GenotypeError
    from homecoming.formats.kinship_case import genotypes_from_json, markers_from_json

    markers = markers_from_json([{"name": "vWA", "alleles": ["14", "15"],
                                  "frequencies": [0.5, 0.5]}])
    g = genotypes_from_json({"P1": {"VWA": ["14", "15"]}}, markers)
    assert g == {"P1": {"vWA": ("14", "15")}}
    with pytest.raises(GenotypeError, match="given twice"):
        genotypes_from_json({"P1": {"VWA": ["14", "15"], "vWA": ["14", "14"]}}, markers)
    with pytest.raises(InputError, match="U\\+001B") as err:
        markers_from_json([{"name": "v\x1bWA", "alleles": ["14"], "frequencies": [1.0]}])
    assert "\x1b" not in str(err.value)


def test_dvi_dataset_ids_refuse_control_characters():
    import json
    from pathlib import Path

    from homecoming.formats.dvi_dataset import load_dvi_dataset

    data = json.loads((Path(__file__).resolve().parents[1] / "data" / "dvi-examples"
                       / "example1.json").read_text(encoding="utf-8"))
    assert len(load_dvi_dataset(data).victims) == len(data["victims"])
    data["victims"][0]["id"] = "V\x1b[2J1"
    with pytest.raises(InputError, match=r"victims\[0\]\.id: the control character U\+001B") \
            as err:
        load_dvi_dataset(data)
    assert "\x1b" not in str(err.value)
