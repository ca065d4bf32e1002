"""CSV readers: valid files give validated records; every bad input gives a one-line error
naming the file, the line, the column, the bad value and what was expected."""

import datetime as dt

import pytest

from homecoming.casework import ProfileQuality, Relationship, SampleSource, Sex
from homecoming.errors import FormatError
from homecoming.formats.csv_import import (
    known_loci,
    parse_allele,
    read_donors_csv,
    read_missing_persons_csv,
    read_profiles_csv,
    read_samples_csv,
)

FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


PROFILES = """barcode,locus,allele1,allele2,kit,laboratory,quality
PM-1,D3S1358,16,15,PowerPlex Fusion 6C,Lab A,full
PM-1,TH01,9.3,9.3,,,
PM-1,vwa,17,18,,,
PM-1,Penta D,12,13.0,,,
PM-1,AMEL,X,Y,,,
PM-2,FGA,22.2,24,,,partial
"""


def test_profiles_long_format(tmp_path):
    path = write(tmp_path, "profiles.csv", PROFILES)
    p1, p2 = read_profiles_csv(path)
    assert p1.sample_barcode == "PM-1"
    # sorted numerically, locus names canonical (vWA, PentaD), 13.0 -> 13, AMEL skipped
    assert p1.genotypes == {"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3"),
                            "vWA": ("17", "18"), "PentaD": ("12", "13")}
    assert p1.kit == "PowerPlex Fusion 6C" and p1.laboratory == "Lab A"
    assert p1.quality is ProfileQuality.FULL
    assert p2.genotypes == {"FGA": ("22.2", "24")} and p2.quality is ProfileQuality.PARTIAL


def test_known_loci_come_from_the_shipped_tables():
    loci = known_loci()
    assert loci["VWA"] == "vWA" and loci["PENTAD"] == "PentaD"
    assert {"D3S1358", "SE33", "CSF1PO", "D22S1045"} <= set(loci.values())


@pytest.mark.parametrize("text, expected", [("15", "15"), ("9.3", "9.3"), (" 22.2 ", "22.2"),
                                            ("15.0", "15"), ("16.4", "16.4")])
def test_parse_allele_accepts_str_labels(text, expected):
    assert parse_allele(text) == expected


@pytest.mark.parametrize("text", ["0", "150", "-3", "abc", "9.7", "15.33", "", "1e3"])
def test_parse_allele_refuses_impossible_alleles(text):
    with pytest.raises(ValueError, match="expected an STR allele"):
        parse_allele(text)


HEAD = "barcode,locus,allele1,allele2\n"


@pytest.mark.parametrize("body, line, column, fragment", [
    ("PM-1,D99S999,15,16\n", 2, "locus", "'D99S999' is not a known STR locus; expected a locus of the shipped"),
    ("PM-1,D3S1358,15,16\nPM-1,TH01,150,9\n", 3, "allele1", "the allele at TH01 is not a repeat number of the STR grammar; expected an STR allele"),
    ("PM-1,D3S1358,15,x7\n", 2, "allele2", "the allele at D3S1358 is not a repeat number of the STR grammar"),
    ("PM-1,D3S1358,15,\n", 2, "allele2", "empty; expected an STR allele at D3S1358"),
    ("PM-1,D3S1358,15,16\nPM-1,D3S1358,15,17\n", 3, "locus", "D3S1358 of 'PM-1' appears twice (first on line 2)"),
    ("PM 1,D3S1358,15,16\n", 2, "barcode", "'PM 1' is not a bar-code"),
    ("PM-1,AMEL,X,Z\n", 2, "allele2", "the allele at AMEL is not an amelogenin allele; expected X or Y"),
    ("PM-1,D3S1358,15\n", 2, None, "3 cells; expected 4"),
])
def test_bad_profile_rows(tmp_path, body, line, column, fragment):
    path = write(tmp_path, "p.csv", HEAD + body)
    with pytest.raises(FormatError) as info:
        read_profiles_csv(path)
    err = info.value
    assert err.path == str(path) and err.line == line and err.column == column
    assert fragment in str(err)
    assert str(err).startswith(f"{path}, line {line}")
    assert "\n" not in str(err)
    if column in ("allele1", "allele2"):  # the place, never the allele (genetic data)
        assert err.value is None
        for allele in ("150", "x7", "'Z'"):
            assert allele not in str(err)


def test_profile_metadata_must_agree_and_dates_not_in_future(tmp_path):
    path = write(tmp_path, "p.csv", "barcode,locus,allele1,allele2,kit\nPM-1,TH01,6,7,A\n"
                                    "PM-1,FGA,20,21,B\n")
    with pytest.raises(FormatError, match=r"line 3, column kit: 'B' differs from 'A' on line 2"):
        read_profiles_csv(path)
    path = write(tmp_path, "q.csv", f"barcode,locus,allele1,allele2,typed_on\nPM-1,TH01,6,7,{FUTURE}\n")
    with pytest.raises(FormatError, match=rf"line 2, column typed_on: '{FUTURE}' is in the future"):
        read_profiles_csv(path)


def test_profile_header_and_database_checks(tmp_path):
    path = write(tmp_path, "p.csv", "barcode,marker,allele1,allele2\nPM-1,TH01,6,7\n")
    with pytest.raises(FormatError, match=r"line 1, column marker: unknown column 'marker'"):
        read_profiles_csv(path)
    path = write(tmp_path, "p.csv", "barcode,allele1,allele2\n")
    with pytest.raises(FormatError, match=r"line 1, column locus: required column 'locus' is missing"):
        read_profiles_csv(path)
    path = write(tmp_path, "p.csv", HEAD + "PM-1,TH01,6,7\nPM-2,TH01,6,7\n")
    with pytest.raises(FormatError, match=r"line 3, column barcode: 'PM-2' already has a stored profile"):
        read_profiles_csv(path, existing_profiles={"PM-2"})
    with pytest.raises(FormatError, match=r"line 2, column barcode: 'PM-1' is not a stored sample"):
        read_profiles_csv(path, sample_barcodes={"PM-2"})


MP_HEAD = "id,surname,given_name,patronymic,sex,birth_date,last_seen_on,reported_by,reported_on\n"
MP_ROW = "MP-1,SYNTHETIC-A,Olena,Petrivna,F,1970-05-01,2022-03-10,SYNTHETIC daughter,2022-04-01\n"


def test_missing_persons(tmp_path):
    path = write(tmp_path, "mp.csv", MP_HEAD + MP_ROW)
    (mp,) = read_missing_persons_csv(path)
    assert mp.id == "MP-1" and mp.sex is Sex.FEMALE and mp.birth_date == dt.date(1970, 5, 1)
    assert mp.patronymic == "Petrivna"


@pytest.mark.parametrize("row, column, fragment", [
    # a birth date is personal: the place (line, column) and the rule, never the date
    (MP_ROW.replace("1970-05-01", FUTURE), "birth_date", "the value is in the future"),
    (MP_ROW.replace("1970-05-01", "01/05/1970"), "birth_date", "the value is not a date; expected an ISO date"),
    (MP_ROW.replace(",F,", ",X,"), "sex", "'X' is not valid; expected male, female or unknown"),
    (MP_ROW.replace("SYNTHETIC-A", ""), "surname", "missing; expected a value"),
    (MP_ROW.replace("2022-03-10", "2022-05-10"), "reported_on", "expected reported_on on or after last_seen_on"),
    (MP_ROW + MP_ROW.replace("Olena", "Iryna"), "id", "'MP-1' appears twice (first on line 2)"),
])
def test_bad_missing_person_rows(tmp_path, row, column, fragment):
    path = write(tmp_path, "mp.csv", MP_HEAD + row)
    with pytest.raises(FormatError) as info:
        read_missing_persons_csv(path)
    assert info.value.column == column
    assert fragment in str(info.value)
    assert str(info.value).startswith(f"{path}, line ")
    for personal in ("1970-05-01", "01/05/1970", FUTURE, "Olena", "Petrivna", "2022-03-10"):
        assert personal not in str(info.value)
    if column in ("birth_date", "surname"):
        assert info.value.value is None


def test_bad_number_and_quoted_multiline_text(tmp_path):
    head = "id,surname,given_name,height_cm,circumstances,reported_by,reported_on\n"
    path = write(tmp_path, "mp.csv", head + 'MP-1,S,A,tall,"left home,\nnever returned",R,2022-04-01\n')
    with pytest.raises(FormatError) as info:
        read_missing_persons_csv(path)
    assert str(info.value) == (f"{path}, line 2, column height_cm: 'tall' is not valid; "
                               "expected a number")
    path = write(tmp_path, "ok.csv", head + 'MP-1,S,A,171,"left home,\nnever returned",R,2022-04-01\n')
    path.write_text(path.read_text() + "MP-1,S,B,170,x,R,2022-04-01\n")
    with pytest.raises(FormatError, match=r"line 4, column id: 'MP-1' appears twice \(first on line 2\)"):
        read_missing_persons_csv(path)
    path = write(tmp_path, "ok.csv", head + 'MP-1,S,A,171,"left home,\nnever returned",R,2022-04-01\n')
    (mp,) = read_missing_persons_csv(path)
    assert mp.height_cm == 171.0 and mp.circumstances == "left home,\nnever returned"


def test_missing_person_already_stored(tmp_path):
    path = write(tmp_path, "mp.csv", MP_HEAD + MP_ROW)
    with pytest.raises(FormatError, match=r"line 2, column id: 'MP-1' already exists in the database"):
        read_missing_persons_csv(path, existing_ids={"MP-1"})


DONOR_HEAD = "id,missing_person_id,full_name,sex,relationship,consent,consent_on\n"


def test_donors_must_name_a_stored_missing_person(tmp_path):
    path = write(tmp_path, "d.csv", DONOR_HEAD +
                 "D-1,MP-1,SYNTHETIC relative,female,daughter,also_court,2022-05-01\n"
                 "D-2,MP-9,SYNTHETIC relative,male,son,identification_only,2022-05-01\n")
    with pytest.raises(FormatError) as info:
        read_donors_csv(path, missing_person_ids={"MP-1"})
    assert info.value.line == 3 and info.value.column == "missing_person_id"
    assert "'MP-9' is not a stored missing person; expected the id of an existing missing person" in str(info.value)
    (donor,) = read_donors_csv(write(tmp_path, "ok.csv", DONOR_HEAD +
                               "D-1,MP-1,SYNTHETIC relative,female,Daughter,also_court,2022-05-01\n"),
                               missing_person_ids={"MP-1"})
    assert donor.relationship is Relationship.DAUGHTER


def test_donor_bad_relationship(tmp_path):
    path = write(tmp_path, "d.csv", DONOR_HEAD + "D-1,MP-1,SYNTHETIC,female,niece-in-law,also_court,\n")
    with pytest.raises(FormatError, match=r"line 2, column relationship: 'niece-in-law' is not valid; expected one of self, father"):
        read_donors_csv(path, missing_person_ids={"MP-1"})


def test_samples(tmp_path):
    head = "barcode,source,remains_code,donor_id,element,collected_on\n"
    path = write(tmp_path, "s.csv", head + "PM-1,remains,B-1,,bone,2022-10-01\n"
                                          "AM-1,donor,,D-1,buccal_swab,2022-10-02\n")
    pm, am = read_samples_csv(path, remains_codes={"B-1"}, donor_ids={"D-1"})
    assert pm.source is SampleSource.REMAINS and am.donor_id == "D-1"
    with pytest.raises(FormatError, match=r"line 3, column donor_id: 'D-1' is not a stored donor"):
        read_samples_csv(path, remains_codes={"B-1"}, donor_ids=set())
    with pytest.raises(FormatError, match=r"line 2, column barcode: 'PM-1' already exists"):
        read_samples_csv(path, existing_barcodes={"PM-1"}, remains_codes={"B-1"}, donor_ids={"D-1"})
