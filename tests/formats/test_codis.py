"""CODIS CMF XML (synthetic examples)."""

from __future__ import annotations

import datetime as dt

import pytest

from homecoming.errors import FormatError, InputError
from homecoming.formats.codis import format_cmf, parse_cmf, read_cmf, write_cmf

CMF = b"""<?xml version="1.0" encoding="UTF-8"?>
<CODISImportFile xmlns="urn:CODISImportFile-schema">
  <HEADERVERSION>3.2</HEADERVERSION>
  <MESSAGETYPE>Import</MESSAGETYPE>
  <DESTINATIONORI>XX0000000</DESTINATIONORI>
  <SPECIMEN SOURCEID="No" PARTIAL="false">
    <SPECIMENID>PM-000001</SPECIMENID>
    <SPECIMENCATEGORY>Unidentified Human (Remains)</SPECIMENCATEGORY>
    <LOCUS BATCHID="B1" KIT="GlobalFiler">
      <LOCUSNAME>D3S1358</LOCUSNAME>
      <READINGBY>analyst</READINGBY>
      <ALLELE ALLELEREQUIRED="false"><ALLELEVALUE>15</ALLELEVALUE></ALLELE>
      <ALLELE><ALLELEVALUE>16</ALLELEVALUE></ALLELE>
    </LOCUS>
    <LOCUS><LOCUSNAME>TH01</LOCUSNAME><ALLELE><ALLELEVALUE>9.3</ALLELEVALUE></ALLELE></LOCUS>
    <LOCUS><LOCUSNAME>AMEL</LOCUSNAME><ALLELE><ALLELEVALUE>X</ALLELEVALUE></ALLELE>
      <ALLELE><ALLELEVALUE>Y</ALLELEVALUE></ALLELE></LOCUS>
  </SPECIMEN>
  <SPECIMEN>
    <SPECIMENID>PM-000002</SPECIMENID>
    <LOCUS><LOCUSNAME>FGA</LOCUSNAME>
      <ALLELE><ALLELEVALUE>20</ALLELEVALUE></ALLELE><ALLELE><ALLELEVALUE>21</ALLELEVALUE></ALLELE>
      <ALLELE><ALLELEVALUE>22</ALLELEVALUE></ALLELE></LOCUS>
  </SPECIMEN>
</CODISImportFile>
"""


def test_reads_specimens():
    t = parse_cmf(CMF, path="c.xml")
    a = t.sample("PM-000001")
    assert a.genotypes == {"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3")}
    assert a.sex_from_amelogenin == "male"
    b = t.sample("PM-000002")
    assert b.mixture_loci == ["FGA"] and b.genotypes == {}
    assert t.profiles() == {"PM-000001": a.genotypes}
    assert t.report.counts == {"specimens": 2, "mixtures": 1, "rows": 4, "rows skipped": 2}


def test_round_trip(tmp_path):
    profiles = {"S1": {"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3")},
                "S&2": {"FGA": ("22", "24.2")}}
    path = write_cmf(profiles, tmp_path / "o.xml", source_lab="LAB1",
                     submitted=dt.datetime(2026, 1, 2, 3, 4, 5))
    back = read_cmf(path)
    assert back.profiles() == profiles
    text = path.read_text()
    assert "<SPECIMENID>S&amp;2</SPECIMENID>" in text
    assert "<SUBMITDATETIME>2026-01-02T03:04:05</SUBMITDATETIME>" in text


@pytest.mark.parametrize("data,line,what", [
    (b"<CODISImportFile><SPECIMEN>\n<LOCUS></SPECIMEN>", 2, "not well-formed"),
    (b"<Other/>", 1, "expected <CODISImportFile>"),
    (b"<CODISImportFile>\n<SPECIMEN>\n<LOCUS><LOCUSNAME>D3</LOCUSNAME></LOCUS></SPECIMEN>"
     b"</CODISImportFile>", 2, "SPECIMENID"),
    (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]><CODISImportFile/>', 1, "DOCTYPE"),
])
def test_faults_name_line(data, line, what):
    with pytest.raises(FormatError, match=what) as err:
        parse_cmf(data, path="bad.xml")
    assert err.value.line == line and err.value.path == "bad.xml"


def test_duplicate_specimen_stops():
    dup = CMF.replace(b"PM-000002", b"PM-000001")
    with pytest.raises(FormatError, match="appears again"):
        parse_cmf(dup)


def test_export_refuses_empty_ids():
    with pytest.raises(InputError):
        format_cmf({"": {"D3": ("1", "2")}})
