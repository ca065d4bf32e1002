"""`homecoming import genemapper|codis|familias|geojson|csv-update` and `homecoming export …`
on a temporary SQLite database (synthetic records)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from homecoming.cli.main import cli, main
from tests.paths import FAMILIAS, familias_files

FAM = FAMILIAS

MISSING = """id,surname,given_name,sex,birth_date,last_seen_on,reported_by,reported_on
MP-1,SYNTHETIC-A,Olena,female,1970-05-01,2022-03-10,SYNTHETIC daughter,2022-04-01
"""
DONORS = """id,missing_person_id,full_name,sex,relationship,consent,consent_on
D-1,MP-1,SYNTHETIC relative 1,female,daughter,also_court,2022-05-01
D-2,MP-1,SYNTHETIC relative 2,male,son,also_court,2022-05-01
"""
SAMPLES = """barcode,source,donor_id,element,collected_on,laboratory
AM-1,donor,D-1,buccal_swab,2022-05-01,SYNTHETIC lab
AM-2,donor,D-2,buccal_swab,2022-05-03,SYNTHETIC lab
"""
GENEMAPPER = ("Sample Name\tMarker\tAllele 1\tAllele 2\tAllele 3\n"
              "AM-1\tD3S1358\t15\t16\t\n"
              "AM-1\tTH01\t9.3\t\t\n"
              "AM-1\tAMEL\tX\t\t\n"
              "AM-2\tD3S1358\t15\t16\t17\n"
              "AM-2\tTH01\t6\t7\t\n")


def run(url: str, *args: str):
    result = CliRunner().invoke(cli, ["--database", url, *args], catch_exceptions=False)
    return result


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    assert run(url, "init").exit_code == 0
    for name, text in (("missing-persons", MISSING), ("donors", DONORS), ("samples", SAMPLES)):
        p = tmp_path / f"{name}.csv"
        p.write_text(text)
        r = run(url, "import", name, str(p))
        assert r.exit_code == 0, r.output
    return url


def test_import_genemapper_and_export_profiles(db, tmp_path):
    gm = tmp_path / "gm.txt"
    gm.write_text(GENEMAPPER)
    r = run(db, "import", "genemapper", str(gm), "--kit", "SYNTHETIC kit")
    assert r.exit_code == 0, r.output
    assert "3 alleles (mixture or contamination)" in r.output
    out = tmp_path / "p.csv"
    r = run(db, "export", "profiles", str(out))
    assert r.exit_code == 0 and "Wrote 1 profiles" in r.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert [(x["barcode"], x["locus"], x["allele1"], x["allele2"]) for x in rows] == [
        ("AM-1", "D3S1358", "15", "16"), ("AM-1", "TH01", "9.3", "9.3")]
    assert rows[0]["kit"] == "SYNTHETIC kit"
    cmf = tmp_path / "p.xml"
    assert run(db, "export", "profiles", str(cmf), "--format", "codis").exit_code == 0
    gm2 = tmp_path / "p.txt"
    assert run(db, "export", "profiles", str(gm2), "--format", "genemapper").exit_code == 0
    from homecoming.formats.codis import read_cmf
    from homecoming.formats.genemapper import read_genemapper
    assert read_cmf(cmf).profiles() == read_genemapper(gm2).profiles() == {
        "AM-1": {"D3S1358": ("15", "16"), "TH01": ("9.3", "9.3")}}


def test_import_codis_dry_run_writes_nothing(db, tmp_path):
    from homecoming.formats.codis import write_cmf

    path = write_cmf({"AM-2": {"D3S1358": ("15", "17")}}, tmp_path / "c.xml")
    r = run(db, "import", "codis", str(path), "--dry-run")
    assert r.exit_code == 0 and "Dry run" in r.output
    out = tmp_path / "p.csv"
    run(db, "export", "profiles", str(out))
    assert out.read_text().count("\n") == 1  # header only
    r = run(db, "import", "codis", str(path), "--report-json")
    assert json.loads(r.stdout)["counts"]["added"] == 1


def test_bad_genemapper_exits_with_one_line(db, tmp_path, capsys):
    gm = tmp_path / "bad.txt"
    gm.write_text("Sample\tMarker\tAllele 1\n")
    with pytest.raises(SystemExit) as exc:
        main(["--database", db, "import", "genemapper", str(gm)])
    assert exc.value.code == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: ") and "line 1" in err and "'Sample Name'" in err
    assert "\n" not in err


def test_csv_update_dry_run_and_apply(db, tmp_path):
    upd = tmp_path / "u.csv"
    upd.write_text("id,given_name,birth_place\nMP-1,,Izium\n")
    r = run(db, "import", "csv-update", "missing-persons", str(upd), "--dry-run")
    assert r.exit_code == 0
    assert "MP-1: birth_place: (empty) -> Izium" in r.output and "dry run" in r.output
    out = tmp_path / "mp.csv"
    run(db, "export", "missing-persons", str(out))
    assert list(csv.DictReader(io.StringIO(out.read_text())))[0]["birth_place"] == ""
    r = run(db, "import", "csv-update", "missing-persons", str(upd), "--json")
    assert json.loads(r.stdout)["records_changed"] == 1
    run(db, "export", "missing-persons", str(out))
    assert list(csv.DictReader(io.StringIO(out.read_text())))[0]["birth_place"] == "Izium"


def test_export_records_csv(db, tmp_path):
    for kind, n in (("donors", 2), ("samples", 2), ("remains", 0)):
        out = tmp_path / f"{kind}.csv"
        r = run(db, "export", kind, str(out))
        assert r.exit_code == 0 and f"Wrote {n}" in r.output
        assert len(list(csv.DictReader(io.StringIO(out.read_text())))) == n


def test_geojson_import_export(db, tmp_path):
    site = {"type": "Feature", "id": "S-1",
            "geometry": {"type": "Point", "coordinates": [37.2, 49.2]},
            "properties": {"record_type": "site", "name": "SYNTHETIC site",
                           "reported_via": "official", "reported_on": "2022-09-10",
                           "reported_by": "SYNTHETIC police",
                           "legal_authority": "SYNTHETIC order",
                           "responsible_agency": "SYNTHETIC office"}}
    grave = {"type": "Feature", "id": "G-1",
             "geometry": {"type": "Point", "coordinates": [37.21, 49.21]},
             "properties": {"record_type": "grave", "site_id": "S-1", "label": "1"}}
    src = tmp_path / "in.geojson"
    src.write_text(json.dumps({"type": "FeatureCollection", "features": [site, grave]}))
    r = run(db, "import", "geojson", str(src))
    assert r.exit_code == 0, r.output
    out = tmp_path / "out.geojson"
    r = run(db, "export", "geojson", str(out), "--type", "grave")
    assert r.exit_code == 0 and "Wrote 1 features" in r.output
    fc = json.loads(out.read_text())
    assert [f["id"] for f in fc["features"]] == ["G-1"]
    assert fc["features"][0]["geometry"]["coordinates"] == [37.21, 49.21]


def test_import_familias_converts_and_export_familias_round_trips(tmp_path):
    runner = CliRunner()
    out = tmp_path / "case.json"
    r = runner.invoke(cli, ["import", "familias", str(FAM / "paternity.fam"), "-o", str(out)],
                      catch_exceptions=False)
    assert r.exit_code == 0 and "valid kinship case" in r.output
    case = json.loads(out.read_text())
    assert case["reference"] == "H2" and len(case["markers"]) == 10
    fam = tmp_path / "back.fam"
    r = runner.invoke(cli, ["export", "familias", str(out), str(fam)], catch_exceptions=False)
    assert r.exit_code == 0
    r1 = runner.invoke(cli, ["kinship", str(FAM / "paternity.fam"), "--json"])
    r2 = runner.invoke(cli, ["kinship", str(fam), "--json"])
    assert r1.exit_code == 0 and r2.exit_code == 0, (r1.output, r2.output)
    lr1 = json.loads(r1.stdout)["hypotheses"]["H1"]["log10_lr"]
    lr2 = json.loads(r2.stdout)["hypotheses"]["H1"]["log10_lr"]
    assert lr2 == pytest.approx(lr1, rel=1e-12)


def test_import_familias_dvi_and_identify(tmp_path):
    out = tmp_path / "ds.json"
    r = CliRunner().invoke(cli, ["import", "familias", str(FAM / "dvi-example.fam"), "-o",
                                 str(out), "--frequencies", str(tmp_path / "f.csv")],
                           catch_exceptions=False)
    assert r.exit_code == 0 and "valid DVI dataset" in r.output
    assert json.loads(out.read_text())["format"] == "homecoming/dvi-dataset@1"
    assert (tmp_path / "f.csv").read_text().startswith("locus,allele,frequency\nL1,1,0.05\n")
    r = CliRunner().invoke(cli, ["identify", str(FAM / "dvi-example.fam"), "--json"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output
    best = json.loads(r.stdout)["joint"][0]
    assert best["lr"] == pytest.approx(2000, rel=1e-9)


def test_formats_registry_lists_builtins():
    from homecoming.formats.registry import registry

    names = registry.names()
    for n in ("familias", "genemapper", "codis", "frequency-csv", "familias-database",
              "strider", "geojson", "csv-missing-persons"):
        assert n in names
    assert registry.for_path("x.FAM").name == "familias"
    assert registry.for_path("sites.geojson").name == "geojson"


FAM_FILES = familias_files()


@pytest.mark.parametrize("path", FAM_FILES, ids=lambda p: p.name)
def test_every_real_fam_file_runs_through_kinship_or_identify(path):
    from homecoming.formats.familias import read_fam

    fam = read_fam(path)
    command = "identify" if fam.is_dvi else "kinship"
    r = CliRunner().invoke(cli, [command, str(path), "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    if fam.is_dvi:
        assert out["format"] == "homecoming/dvi-result@1"
        victims = {c["victim"] for c in out["conclusions"]["victims"]}
        assert victims == {v.name for v in fam.dvi.unidentified}
    else:
        assert out["format"] == "homecoming/kinship-result@1"
        assert set(out["hypotheses"]) | {out["reference"]} >= {p.name for p in fam.pedigrees}


def test_exported_profile_csv_imports_again(db, tmp_path):
    gm = tmp_path / "gm.txt"
    gm.write_text(GENEMAPPER)
    assert run(db, "import", "genemapper", str(gm)).exit_code == 0
    out = tmp_path / "p.csv"
    assert run(db, "export", "profiles", str(out)).exit_code == 0
    other = f"sqlite:///{tmp_path / 'other.db'}"
    assert run(other, "init").exit_code == 0
    for name, text in (("missing-persons", MISSING), ("donors", DONORS), ("samples", SAMPLES)):
        p = tmp_path / f"o-{name}.csv"
        p.write_text(text)
        assert run(other, "import", name, str(p)).exit_code == 0
    r = run(other, "import", "profiles", str(out))
    assert r.exit_code == 0, r.output
    again = tmp_path / "again.csv"
    run(other, "export", "profiles", str(again))
    assert again.read_text() == out.read_text()


def test_import_familias_database_only_file(tmp_path):
    from homecoming.formats.familias import FamiliasFile, FamiliasLocus, write_fam

    f = FamiliasFile(loci=[FamiliasLocus("L1", ["1", "2"], [0.4, 0.6])])
    src = write_fam(f, tmp_path / "db.fam")
    out = tmp_path / "f.csv"
    r = CliRunner().invoke(cli, ["import", "familias", str(src), "--frequencies", str(out)],
                           catch_exceptions=False)
    assert r.exit_code == 0 and "valid frequency database" in r.output
    assert out.read_text() == "locus,allele,frequency\nL1,1,0.4\nL1,2,0.6\n"
    r = CliRunner().invoke(cli, ["import", "familias", str(src), "-o", str(tmp_path / "x.json")])
    # bad content, not bad usage: the one-line error and exit code 1 of every input fault
    from homecoming.errors import InputError

    assert isinstance(r.exception, InputError)
    assert "only a frequency database" in str(r.exception)
    assert not (tmp_path / "x.json").exists()


def test_genemapper_loci_must_be_known_loci(db, tmp_path):
    gm = tmp_path / "gm.txt"
    gm.write_text(GENEMAPPER)
    r = run(db, "import", "genemapper", str(gm), "--loci", "D3S1358,...", "--dry-run")
    assert r.exit_code == 2 and "'...' is not a known STR locus" in r.output
    r = run(db, "import", "genemapper", str(gm), "--loci", "D3S1358,TH01,vWA,AMEL",
            "--dry-run")
    assert r.exit_code == 0, r.output
    assert "vWA" in r.output      # the kit's locus that the sample lacks is reported
