"""`homecoming import …` on a temporary SQLite database: valid files are stored; every bad
input stops with a one-line error (file, line, column, value, expectation) and writes nothing."""

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli, main

FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()

MISSING = """id,surname,given_name,patronymic,sex,birth_date,last_seen_on,reported_by,reported_on
MP-1,SYNTHETIC-A,Olena,Petrivna,female,1970-05-01,2022-03-10,SYNTHETIC daughter,2022-04-01
MP-2,SYNTHETIC-B,Ivan,Mykolaiovych,male,1981-02-11,2022-04-02,SYNTHETIC brother,2022-04-20
"""
DONORS = """id,missing_person_id,full_name,sex,relationship,consent,consent_on
D-1,MP-1,SYNTHETIC relative 1,female,daughter,also_court,2022-05-01
D-2,MP-2,SYNTHETIC relative 2,male,brother,identification_only,2022-05-03
"""
SAMPLES = """barcode,source,donor_id,element,collected_on,laboratory
AM-1,donor,D-1,buccal_swab,2022-05-01,SYNTHETIC lab
AM-2,donor,D-2,buccal_swab,2022-05-03,SYNTHETIC lab
"""
PROFILES = """barcode,locus,allele1,allele2,kit
AM-1,D3S1358,15,16,SYNTHETIC kit
AM-1,TH01,9.3,6,
AM-2,D3S1358,17,17,SYNTHETIC kit
"""


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    assert CliRunner().invoke(cli, ["--database", url, "init"]).exit_code == 0
    return url


def files(tmp_path, **texts):
    out = {}
    for name, text in texts.items():
        out[name] = tmp_path / f"{name}.csv"
        out[name].write_text(text, encoding="utf-8")
    return out


def ok(url, *args):
    result = CliRunner().invoke(cli, ["--database", url, *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def counts(url):
    return json.loads(ok(url, "stats", "--json"))


def fails(url, capsys, *args):
    """Run through main() as a user would: exit status 1 and one line on stderr."""
    capsys.readouterr()
    with pytest.raises(SystemExit) as info:
        main(["--database", url, *args])
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: ") and err.count("\n") == 1
    return err.strip()


def load_all(url, f):
    ok(url, "import", "missing-persons", str(f["missing"]))
    ok(url, "import", "donors", str(f["donors"]))
    ok(url, "import", "samples", str(f["samples"]))
    return ok(url, "import", "profiles", str(f["profiles"]))


def test_valid_files_are_stored(db, tmp_path):
    f = files(tmp_path, missing=MISSING, donors=DONORS, samples=SAMPLES, profiles=PROFILES)
    out = load_all(db, f)
    assert out == f"Imported 2 profiles from {f['profiles']} into {db}.\n"
    c = counts(db)
    assert (c["missing_persons"], c["donors"], c["samples"], c["profiles"]) == (2, 2, 2, 2)
    from homecoming.storage import Database
    from homecoming.storage.repositories import Repositories
    with Database(db).session() as session:
        prof = Repositories(session).profiles.get("AM-1")
        assert prof.genotypes == {"D3S1358": ("15", "16"), "TH01": ("6", "9.3")}
        assert Repositories(session).missing_persons.get("MP-1").patronymic == "Petrivna"


def test_dry_run_writes_nothing(db, tmp_path):
    f = files(tmp_path, missing=MISSING)
    out = ok(db, "import", "missing-persons", "--dry-run", str(f["missing"]))
    assert "2 missing persons are valid (dry run: nothing written)" in out
    assert counts(db)["missing_persons"] == 0


def test_unknown_locus(db, tmp_path, capsys):
    f = files(tmp_path, missing=MISSING, donors=DONORS, samples=SAMPLES,
              profiles=PROFILES + "AM-2,D99S999,11,12,\n")
    ok(db, "import", "missing-persons", str(f["missing"]))
    ok(db, "import", "donors", str(f["donors"]))
    ok(db, "import", "samples", str(f["samples"]))
    before = counts(db)
    err = fails(db, capsys, "import", "profiles", str(f["profiles"]))
    assert err.startswith(f"Error: {f['profiles']}, line 5, column locus: 'D99S999' is not a "
                          "known STR locus; expected a locus of the shipped frequency tables")
    assert counts(db) == before and before["profiles"] == 0


def _with_samples(db, tmp_path):
    f = files(tmp_path, missing=MISSING, donors=DONORS, samples=SAMPLES)
    ok(db, "import", "missing-persons", str(f["missing"]))
    ok(db, "import", "donors", str(f["donors"]))
    ok(db, "import", "samples", str(f["samples"]))
    return counts(db)


@pytest.mark.parametrize("body, message", [
    ("AM-1,D3S1358,15,16\nAM-2,TH01,150,9\n",
     "line 3, column allele1: the allele at TH01 is not a repeat number of the STR grammar; "
     "expected an STR allele"),
    ("AM-1,D3S1358,15,16\nAM-1,D3S1358,15,17\n",
     "line 3, column locus: D3S1358 of 'AM-1' appears twice (first on line 2)"),
    ("AM-1,D3S1358,15,16\nAM-7,TH01,6,7\n",
     "line 3, column barcode: 'AM-7' is not a stored sample"),
    ("AM-1,D3S1358,15,16\nAM-2,vWA,17,x\n",
     "line 3, column allele2: the allele at vWA is not a repeat number of the STR grammar; "
     "expected an STR allele"),
])
def test_bad_profiles_write_nothing(db, tmp_path, capsys, body, message):
    before = _with_samples(db, tmp_path)
    path = tmp_path / "p.csv"
    path.write_text("barcode,locus,allele1,allele2\n" + body)
    err = fails(db, capsys, "import", "profiles", str(path))
    assert err.startswith(f"Error: {path}, {message}")
    assert "150" not in err and "'x'" not in err  # never the allele itself
    assert counts(db) == before


def test_profile_for_a_barcode_that_already_has_one(db, tmp_path, capsys):
    before = _with_samples(db, tmp_path)
    path = tmp_path / "p.csv"
    path.write_text("barcode,locus,allele1,allele2\nAM-1,TH01,6,7\n")
    ok(db, "import", "profiles", str(path))
    err = fails(db, capsys, "import", "profiles", str(path))
    assert err == (f"Error: {path}, line 2, column barcode: 'AM-1' already has a stored profile; "
                   "expected a bar-code without one (an import never overwrites)")
    assert counts(db)["profiles"] == before["profiles"] + 1


def test_duplicate_sample_barcodes_in_file_and_in_database(db, tmp_path, capsys):
    before = _with_samples(db, tmp_path)
    dup = tmp_path / "dup.csv"
    dup.write_text("barcode,source,donor_id,element,collected_on\n"
                   "AM-5,donor,D-1,blood,2022-06-01\nAM-5,donor,D-2,blood,2022-06-02\n")
    err = fails(db, capsys, "import", "samples", str(dup))
    assert err == (f"Error: {dup}, line 3, column barcode: 'AM-5' appears twice (first on line 2); "
                   "expected a unique barcode")
    again = tmp_path / "again.csv"
    again.write_text("barcode,source,donor_id,element,collected_on\n"
                     "AM-6,donor,D-1,blood,2022-06-01\nAM-1,donor,D-1,blood,2022-06-01\n")
    err = fails(db, capsys, "import", "samples", str(again))
    assert err == (f"Error: {again}, line 3, column barcode: 'AM-1' already exists in the "
                   "database; expected a new barcode")
    assert counts(db) == before


def test_donor_of_a_missing_person_that_does_not_exist(db, tmp_path, capsys):
    f = files(tmp_path, missing=MISSING,
              donors=DONORS + "D-3,MP-404,SYNTHETIC relative 3,male,son,also_court,2022-05-01\n")
    ok(db, "import", "missing-persons", str(f["missing"]))
    before = counts(db)
    err = fails(db, capsys, "import", "donors", str(f["donors"]))
    assert err == (f"Error: {f['donors']}, line 4, column missing_person_id: 'MP-404' is not a "
                   "stored missing person; expected the id of an existing missing person")
    assert counts(db) == before and before["donors"] == 0


@pytest.mark.parametrize("column, old",
                         [("birth_date", "1981-02-11"), ("reported_on", "2022-04-20")])
def test_dates_in_the_future(db, tmp_path, capsys, column, old):
    f = files(tmp_path, missing=MISSING.replace(old, FUTURE))
    err = fails(db, capsys, "import", "missing-persons", str(f["missing"]))
    # a birth date is personal: named by its place, never repeated
    shown = "the value" if column == "birth_date" else f"'{FUTURE}'"
    assert err.startswith(f"Error: {f['missing']}, line 3, column {column}: {shown} is in the "
                          "future; expected a date not after today")
    assert column != "birth_date" or FUTURE not in err
    assert counts(db)["missing_persons"] == 0


def test_missing_person_already_stored(db, tmp_path, capsys):
    f = files(tmp_path, missing=MISSING)
    ok(db, "import", "missing-persons", str(f["missing"]))
    err = fails(db, capsys, "import", "missing-persons", str(f["missing"]))
    assert err == (f"Error: {f['missing']}, line 2, column id: 'MP-1' already exists in the "
                   "database; expected a new id")
    assert counts(db)["missing_persons"] == 2


def test_import_needs_an_initialised_database(tmp_path, capsys):
    (tmp_path / "empty.db").touch()   # a file without a schema (a missing file: test_database_cli)
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    f = files(tmp_path, missing=MISSING)
    err = fails(url, capsys, "import", "missing-persons", str(f["missing"]))
    assert "has no Homecoming schema" in err and "homecoming init" in err


def test_howto_example_files_import_in_order(db):
    from pathlib import Path

    examples = Path(__file__).resolve().parents[2] / "docs" / "howto" / "examples"
    for kind in ("missing-persons", "donors", "remains", "examinations", "samples",
                 "profiles"):
        ok(db, "import", kind, str(examples / f"{kind}.csv"))
    c = counts(db)
    assert c["missing_persons"] == 3 and c["remains"] == c["examinations"] == 3
    assert c["samples"] == c["profiles"] == c["donors"] + c["remains"]
    # the how-to then identifies the stored case: the SYNTHETIC truth, and nothing else
    truth = json.loads((examples / "examples-truth.json").read_text())
    got = {r["missing"]: r["victim"] for r in json.loads(ok(db, "identify", "--json"))
           ["missing_persons"] if r["conclusion"] == "undisputed"}
    assert got == {m: v for v, m in truth.items() if m is not None}


def test_imports_on_sqlite_and_postgresql(database_url, tmp_path, capsys):
    from pathlib import Path

    ok(database_url, "init")
    examples = Path(__file__).resolve().parents[2] / "docs" / "howto" / "examples"
    for kind in ("missing-persons", "donors", "remains", "examinations", "samples"):
        ok(database_url, "import", kind, str(examples / f"{kind}.csv"))
    before = counts(database_url)
    bad = tmp_path / "bad.csv"
    good_rows = (examples / "profiles.csv").read_text()
    bad.write_text(good_rows + "EX-AM-000001,D99S999,11,12,,\n")
    err = fails(database_url, capsys, "import", "profiles", str(bad))
    assert "column locus: 'D99S999' is not a known STR locus" in err
    assert counts(database_url) == before
    ok(database_url, "import", "profiles", str(examples / "profiles.csv"))
    assert counts(database_url)["profiles"] == before["samples"]


def test_round_trip_export_then_import(tmp_path):
    """What `homecoming export` writes, `homecoming import` reads back unchanged."""
    from homecoming.storage import Database
    from homecoming.storage.repositories import Repositories

    source = f"sqlite:///{tmp_path / 'src.db'}"
    target = f"sqlite:///{tmp_path / 'dst.db'}"
    ok(source, "demo", "--bodies", "12", "--seed", "8", "--no-identify", "--json")
    ok(target, "init")
    for kind in ("missing-persons", "donors"):
        path = tmp_path / f"{kind}.csv"
        ok(source, "export", kind, str(path))
        ok(target, "import", kind, str(path))
    # donor samples only: samples from remains need the remains in the target
    samples = tmp_path / "samples.csv"
    ok(source, "export", "samples", str(samples))
    lines = samples.read_text().splitlines(keepends=True)
    donor_only = tmp_path / "donor-samples.csv"
    donor_only.write_text(lines[0] + "".join(ln for ln in lines[1:] if ",donor," in ln))
    ok(target, "import", "samples", str(donor_only))
    profiles = tmp_path / "profiles.csv"
    ok(source, "export", "profiles", "--source", "donor", str(profiles))
    ok(target, "import", "profiles", str(profiles))
    with Database(source).session() as a, Database(target).session() as b:
        ra, rb = Repositories(a), Repositories(b)
        assert rb.missing_persons.list() == ra.missing_persons.list()
        assert rb.donors.list() == ra.donors.list()
        donor_barcodes = [s.barcode for s in ra.samples.list(source="donor")]
        assert [rb.profiles.get(x) for x in donor_barcodes] == \
            [ra.profiles.get(x) for x in donor_barcodes]


def test_profiles_restricted_to_one_frequency_database(db, tmp_path, capsys):
    before = _with_samples(db, tmp_path)
    path = tmp_path / "p.csv"
    # CSF1PO is in NIST 1036 but not in STRidER Poland
    path.write_text("barcode,locus,allele1,allele2\nAM-1,D3S1358,15,16\nAM-1,CSF1PO,10,12\n")
    err = fails(db, capsys, "import", "profiles", "--frequencies", "strider2015_poland", str(path))
    assert err.startswith(f"Error: {path}, line 3, column locus: 'CSF1PO' is not a known STR "
                          "locus; expected a locus of frequency database 'strider2015_poland' "
                          "(e.g. D10S1248")
    assert counts(db) == before
    ok(db, "import", "profiles", "--frequencies", "nist1036_all", str(path))
    assert counts(db)["profiles"] == 1
