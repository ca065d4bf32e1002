"""GeneMapper allele tables (synthetic examples)."""

from __future__ import annotations

import pytest

from homecoming.errors import FormatError, InputError
from homecoming.formats.genemapper import (
    format_genemapper,
    parse_genemapper,
    read_genemapper,
    write_genemapper,
)
from homecoming.services.format_store import import_profiles

# synthetic GeneMapper ID-X export (extra columns as GeneMapper writes them)
TABLE = (
    "Sample File\tSample Name\tPanel\tMarker\tAllele 1\tAllele 2\tAllele 3\tSize 1\n"
    "a.fsa\tPM-000001\tGlobalFiler\tD3S1358\t15\t16\t\t120.1\n"
    "a.fsa\tPM-000001\tGlobalFiler\tTH01\t9.3\t\t\t180.2\n"
    "a.fsa\tPM-000001\tGlobalFiler\tAMEL\tX\t\t\t100\n"
    "a.fsa\tPM-000001\tGlobalFiler\tFGA\tOL\t22\t\t\n"
    "a.fsa\tPM-000001\tGlobalFiler\tD8S1179\t\t\t\t\n"
    "b.fsa\tAM-000001\tGlobalFiler\tD3S1358\t15\t17\t\t\n"
    "b.fsa\tAM-000001\tGlobalFiler\tTH01\t6\t9.3\t\t\n"
    "b.fsa\tAM-000001\tGlobalFiler\tAMEL\tX\tY\t\t\n"
    "c.fsa\tPM-000002\tGlobalFiler\tD3S1358\t14\t15\t16\t\n"
    "c.fsa\tPM-000002\tGlobalFiler\tTH01\t7\t8\t\t\n"
)


def test_parses_profiles_and_flags():
    t = parse_genemapper(TABLE, path="gm.txt", expected_loci=["D3S1358", "TH01", "FGA",
                                                              "D8S1179", "vWA"])
    assert [s.barcode for s in t.samples] == ["PM-000001", "AM-000001", "PM-000002"]
    pm = t.sample("PM-000001")
    assert pm.genotypes == {"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3")}
    assert pm.amelogenin == ("X",) and pm.sex_from_amelogenin == "female"
    assert pm.off_ladder_loci == ["FGA"]
    assert pm.missing_loci == ["D8S1179", "vWA"]
    assert pm.quality == "partial"
    am = t.sample("AM-000001")
    assert am.sex_from_amelogenin == "male" and am.quality == "partial"  # FGA... missing
    mix = t.sample("PM-000002")
    assert mix.mixture_loci == ["D3S1358"] and mix.is_mixture and mix.quality == "low"
    assert mix.genotypes == {"TH01": ("7", "8")}
    assert set(t.profiles()) == {"PM-000001", "AM-000001"}  # the mixture is not imported
    assert "PM-000002" in t.profiles(include_mixtures=True)
    msgs = [e.message for e in t.report.warnings]
    assert any("off-ladder" in m and "FGA" in m for m in msgs)
    assert any("3 alleles" in m for m in msgs)
    assert t.report.counts == {"samples": 3, "mixtures": 1, "rows": 10, "rows skipped": 5}
    # allele values never appear in the report
    assert not any("9.3" in m for m in t.report.lines())


def test_round_trip(tmp_path):
    profiles = {"S1": {"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3")},
                "S2": {"FGA": ("22", "24.2")}}
    path = write_genemapper(profiles, tmp_path / "out.txt")
    back = read_genemapper(path)
    assert back.profiles() == profiles
    assert b"\tTH01\t9.3\t\r\n" in path.read_bytes()


def test_exact_repeat_is_dropped_and_conflict_stops():
    rep = TABLE + "a.fsa\tPM-000001\tGlobalFiler\tD3S1358\t15\t16\t\t120.1\n"
    t = parse_genemapper(rep)
    assert len(t.report.fixes) == 1 and t.report.fixes[0].line == 12
    bad = TABLE + "a.fsa\tPM-000001\tGlobalFiler\tD3S1358\t15\t17\t\t\n"
    with pytest.raises(FormatError, match="appears again") as err:
        parse_genemapper(bad, path="x.txt")
    assert err.value.line == 12 and err.value.path == "x.txt"


@pytest.mark.parametrize("text,line,what", [
    ("Name\tMarker\tAllele 1\n", 1, "Sample Name"),
    ("Sample Name\tMarker\tAllele 1\tAllele 2\n\tD3\t1\t2\n", 2, "empty 'Sample Name'"),
    ("Sample Name\tMarker\tAllele 1\tAllele 2\nS\tD3\t1\t2\t3\t4\n", 2, "cells"),
    ("", 1, "empty"),
])
def test_structural_faults_name_line(text, line, what):
    with pytest.raises(FormatError, match=what) as err:
        parse_genemapper(text, path="t.txt")
    assert err.value.line == line


def test_import_into_samples(casework_db):
    from homecoming.storage.repositories import ProfileRepository

    t = parse_genemapper(TABLE, path="gm.txt")
    with casework_db.session() as session:
        report = import_profiles(session, t, kit="GlobalFiler", laboratory="lab A (synthetic)")
    assert report.counts["added"] == 2 and report.counts["skipped"] == 1
    with casework_db.session() as session:
        p = ProfileRepository(session).get("PM-000001")
        assert p.genotypes == {"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3")}
        assert p.kit == "GlobalFiler" and p.quality.value == "partial"
    # a second import without replace stops and writes nothing
    with pytest.raises(InputError, match="line 2, column Sample Name: sample 'PM-000001' "
                                         "already has a profile"):
        with casework_db.session() as session:
            import_profiles(session, t)


def test_unknown_barcode_stops_without_writing(casework_db):
    from homecoming.storage.repositories import ProfileRepository

    t = parse_genemapper(TABLE.replace("AM-000001", "AM-999999"))
    with pytest.raises(InputError, match="AM-999999"):
        with casework_db.session() as session:
            import_profiles(session, t)
    with casework_db.session() as session:
        assert ProfileRepository(session).count() == 0


def test_format_refuses_tabs_in_names():
    with pytest.raises(InputError):
        format_genemapper({"a\tb": {"D3": ("1", "2")}})


def test_flag_missing_loci_after_reading():
    from homecoming.formats.genemapper import flag_missing_loci

    t = parse_genemapper(TABLE)
    flag_missing_loci(t, ["D3S1358", "TH01", "vWA", "AMEL"])
    assert t.sample("AM-000001").missing_loci == ["vWA"]
    assert t.sample("PM-000001").missing_loci == ["D8S1179", "vWA"]
    assert t.sample("AM-000001").quality == "partial"
