"""Frequency tables: our CSV, Familias text database, STRidER-style matrix, .fam database."""

from __future__ import annotations

from pathlib import Path

import pytest

from homecoming.errors import FormatError
from homecoming.formats.frequency_tables import (
    FrequencyTable,
    parse_familias_database,
    parse_frequency_csv,
    parse_strider,
    read_frequency_table,
    write_frequency_table,
)
from tests.paths import FAMILIAS

CODIS = FAMILIAS / "codis-frequencies.txt"
GENETICS = Path(__file__).resolve().parents[2] / "src/homecoming/genetics/data/allele-frequencies"


def test_reads_familias_text_database():
    t = read_frequency_table(CODIS)
    assert list(t.loci) == ["CSF1PO", "D3S1358", "D5S818", "D7S820", "D8S1179", "D13S317",
                            "D16S539", "D18S51", "D21S11", "FGA", "TH01", "TPOX", "vWA"]
    assert t.loci["CSF1PO"][0] == ("7", 0.0008875742)
    assert t.frequencies("CSF1PO")["11.3"] == 0.0005917161
    assert t.loci["vWA"][-1] == ("21", 0.0020521798)
    assert t.check_sums() == {}


@pytest.mark.parametrize("layout", ["csv", "familias", "strider"])
def test_round_trip_each_layout(layout, tmp_path):
    t = read_frequency_table(CODIS)
    path = write_frequency_table(t, tmp_path / f"t.{layout}", layout=layout)
    back = read_frequency_table(path, layout=layout)
    assert back.loci == t.loci


def test_reads_the_database_of_a_fam_file():
    fam = FAMILIAS / "paternity.fam"
    t = read_frequency_table(fam)
    assert t.name == "unknown" and len(t.loci) == 10
    assert t.frequencies("TH01")["9.3"] == 0.3404967867
    assert t.sample_sizes["TH01"] == 1000


def test_reads_a_shipped_database_csv():
    path = GENETICS / "nist1036_all.csv"
    t = read_frequency_table(path)
    assert len(t.loci) == 29 and "SE33" in t.loci


def test_strider_matrix_with_sample_sizes():
    text = ("Allele;D3S1358;TH01\n"
            "6;;0,2\n9.3;;0,8\n15;0,25;\n16;0,75;\nN;206;206\n")
    t = parse_strider(text, path="s.csv")
    assert t.loci == {"D3S1358": [("15", 0.25), ("16", 0.75)],
                      "TH01": [("6", 0.2), ("9.3", 0.8)]}
    assert t.sample_sizes == {"D3S1358": 206, "TH01": 206}


def test_sum_off_is_reported_not_renormalised():
    t = parse_frequency_csv("locus,allele,frequency\nL,1,0.5\nL,2,0.4\n", path="x.csv")
    assert t.loci["L"] == [("1", 0.5), ("2", 0.4)]
    assert len(t.report.warnings) == 1 and "0.9" in t.report.warnings[0].message


@pytest.mark.parametrize("parse,text,line", [
    (parse_frequency_csv, "locus,allele\n", 1),
    (parse_frequency_csv, "locus,allele,frequency\nL,1,0.5\nL,1,0.5\n", 3),
    (parse_frequency_csv, "locus,allele,frequency\nL,1,abc\n", 2),
    (parse_familias_database, "L1\n1\t0.5\n2\t0.5\t9\n", 3),
    (parse_familias_database, "L1\n1\t1.5\n", 2),
    (parse_strider, "Locus,A\n", 1),
])
def test_faults_name_line(parse, text, line):
    with pytest.raises(FormatError) as err:
        parse(text, path="f")
    assert err.value.line == line and err.value.path == "f"


def test_markers_json_loads_as_kinship_markers():
    from homecoming.formats.kinship_case import markers_from_json

    t = FrequencyTable({"L": [("1", 0.25), ("2", 0.75)]})
    (m,) = markers_from_json(t.markers_json(mutation={"female": {"model": "equal", "rate": 0.001},
                                                      "male": {"model": "equal", "rate": 0.002}}))
    assert m.alleles == ("1", "2") and list(m.frequencies) == [0.25, 0.75]
    assert m.mutation_male.rate == 0.002
