"""Friction found when the README and how-to guides were followed literally: each now gets one
line that says what to do (no traceback), and long lists say when they are cut."""

import zipfile

import pytest

from homecoming.cli.main import main
from tests.paths import DVI_EXAMPLES, FAMILIAS


def _run(argv, capsys):
    try:
        main(argv)
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(err):
    assert err.count("\n") == 1 and err.startswith("Error: ") and "Traceback" not in err
    return err


@pytest.mark.parametrize("extra", [[], ["--elimination"]])
def test_screen_on_a_database_never_initialised(tmp_path, capsys, extra):
    missing = tmp_path / "never.db"
    code, _, err = _run(["--database", f"sqlite:///{missing}", "screen", *extra], capsys)
    assert code == 1
    assert _one_line_error(err) == (f"Error: database file {missing} does not exist; run "
                                    "`homecoming init` first (or check --database / "
                                    "HOMECOMING_DATABASE_URL)\n")
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    empty.touch()
    code, _, err = _run(["--database", f"sqlite:///{empty}", "screen", *extra], capsys)
    assert code == 1
    assert "has no Homecoming schema; run `homecoming init` first" in _one_line_error(err)


def test_identify_given_a_csv_names_the_import_command(tmp_path, capsys):
    profiles = tmp_path / "profiles.csv"
    profiles.write_text("barcode,locus,allele1,allele2\nS1,D3S1358,15,16\n")
    code, _, err = _run(["identify", str(profiles)], capsys)
    assert code == 1
    err = _one_line_error(err)
    assert f"{profiles}" in err and "is not a DVI dataset" in err
    assert "homecoming import profiles" in err and "`homecoming identify` with no FILE" in err


@pytest.fixture
def database(tmp_path, capsys):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    assert _run(["--database", url, "init"], capsys)[0] == 0
    return url


def test_import_profiles_names_the_separator_or_the_command(tmp_path, capsys, database):
    semicolon = tmp_path / "semicolon.csv"
    semicolon.write_text("barcode;locus;allele1;allele2\nS1;D3S1358;15;16\n")
    code, _, err = _run(["--database", database, "import", "profiles", str(semicolon)], capsys)
    assert code == 1
    assert "is semicolon-separated (separator ';'" in _one_line_error(err)
    assert "expected a comma-separated CSV (separator ',')" in err

    workbook = tmp_path / "profiles.xlsx"
    with zipfile.ZipFile(workbook, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    code, _, err = _run(["--database", database, "import", "profiles", str(workbook)], capsys)
    assert code == 1
    assert "is an Excel workbook, not a CSV file" in _one_line_error(err)
    assert "CSV UTF-8 (Comma delimited)" in err

    genemapper = tmp_path / "run1.txt"
    genemapper.write_text("Sample Name\tMarker\tAllele 1\tAllele 2\nS1\tD3S1358\t15\t16\n")
    code, _, err = _run(["--database", database, "import", "profiles", str(genemapper)], capsys)
    assert code == 1
    assert "is a GeneMapper allele table" in _one_line_error(err)
    assert "`homecoming import genemapper FILE`" in err


def test_import_familias_says_it_wrote_the_frequencies(tmp_path, capsys):
    out = tmp_path / "freq.csv"
    code, stdout, _ = _run(["import", "familias", str(FAMILIAS / "paternity.fam"),
                            "--frequencies", str(out)], capsys)
    assert code == 0
    assert out.read_text().startswith("locus,allele,frequency")
    assert (f"Wrote the frequency database to {out} (locus,allele,frequency CSV)."
            in stdout.splitlines())


def test_follow_up_says_when_it_shows_only_the_first_50(capsys):
    argv = ["screen", "--dataset", str(DVI_EXAMPLES / "icmp.json"), "--quiet", "--min-lr",
            "1e-3", "--follow-up"]
    code, out, _ = _run(argv, capsys)
    assert code == 0
    assert "Exact follow-up: 60 (victim, missing person) pairs." in out
    rows = [line for line in out.splitlines() if "exact log10 LR" in line]
    assert len(rows) == 50
    assert ("  ... showing the first 50 of 60; 10 more (--all prints every one, --output FILE "
            "writes them)") in out.splitlines()
    code, out, _ = _run([*argv, "--all"], capsys)
    assert code == 0
    assert len([line for line in out.splitlines() if "exact log10 LR" in line]) == 60
    assert "showing the first" not in out
