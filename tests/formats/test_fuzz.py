"""Fuzzed malformed inputs (Hypothesis): mutated or truncated versions of valid files give a
clean HomecomingError naming the file (and, for structural faults, the line) — never another
exception — and nothing is written from a file that stops."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from homecoming.errors import FormatError, HomecomingError
from tests.paths import FAMILIAS

FAM = FAMILIAS
FAM_FILES = ["paternity.fam", "dvi-example.fam", "ch4-table-4-4.fam", "ketp-ex498.fam"]

FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.too_slow,
                                       HealthCheck.function_scoped_fixture])

_junk = st.one_of(st.sampled_from(["", "-1", "0", "99999", "#TRUE#", "#FALSE#", '"x"', "x",
                                   "1e309", "nan", "[DVI]", "[[Persons]]", "Name= ",
                                   "Parent= Missing person", "3\t(DatabaseSize = 1 )",
                                   '"Known relations"', "nSystems= 7", "Allele1= 99"]),
                  st.text(max_size=12))


@st.composite
def mutated_lines(draw, lines: list[str]) -> list[str]:
    """A valid file's lines with one to three edits: delete, replace, duplicate, swap,
    truncate."""
    out = list(lines)
    for _ in range(draw(st.integers(1, 3))):
        if not out:
            break
        i = draw(st.integers(0, len(out) - 1))
        op = draw(st.sampled_from(["delete", "replace", "duplicate", "swap", "truncate",
                                   "insert"]))
        if op == "delete":
            del out[i]
        elif op == "replace":
            out[i] = draw(_junk)
        elif op == "insert":
            out.insert(i, draw(_junk))
        elif op == "duplicate":
            out.insert(i, out[i])
        elif op == "swap":
            j = draw(st.integers(0, len(out) - 1))
            out[i], out[j] = out[j], out[i]
        else:
            out = out[:i]
    return out


def _check_error(exc: BaseException, path: str, *, need_line: bool = True) -> None:
    assert isinstance(exc, HomecomingError), f"{type(exc).__name__}: {exc}"
    if isinstance(exc, FormatError) and need_line:
        assert exc.path == path
        assert "\n" not in str(exc)


# --- Familias ----------------------------------------------------------------------------------

def _fam_lines(name: str) -> list[str]:
    return (FAM / name).read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("name", FAM_FILES)
@FUZZ
@given(data=st.data())
def test_mutated_fam_files(name, data):
    from homecoming.formats.dvi_dataset import load_dvi_dataset
    from homecoming.formats.familias import format_fam, parse_fam
    from homecoming.formats.kinship_case import load_kinship_case

    lines = data.draw(mutated_lines(_fam_lines(name)))
    path = f"fuzz/{name}"
    try:
        fam = parse_fam("\n".join(lines), path=path)
    except Exception as exc:  # noqa: BLE001 - the point of the test
        _check_error(exc, path)
        if isinstance(exc, FormatError):
            assert exc.line is not None
        return
    # what parses must convert cleanly or fail cleanly, and re-read identically
    assert parse_fam(format_fam(fam), path=path) == fam
    try:
        if fam.is_dvi:
            load_dvi_dataset(fam.to_dvi_dataset())
        if fam.pedigrees:
            load_kinship_case(fam.to_kinship_case())
    except Exception as exc:  # noqa: BLE001
        _check_error(exc, path, need_line=False)


@FUZZ
@given(cut=st.integers(0, 20000))
def test_truncated_fam_bytes(cut):
    from homecoming.formats.familias import parse_fam

    text = (FAM / "paternity.fam").read_text(encoding="utf-8")[:cut]
    try:
        parse_fam(text, path="t.fam")
    except Exception as exc:  # noqa: BLE001
        _check_error(exc, "t.fam")


# --- GeneMapper, CODIS, frequency tables, GeoJSON ----------------------------------------------

GENEMAPPER = ("Sample Name\tMarker\tAllele 1\tAllele 2\tAllele 3\n"
              "AM-1\tD3S1358\t15\t16\t\n"
              "AM-1\tTH01\t9.3\t\t\n"
              "AM-1\tAMEL\tX\tY\t\n"
              "AM-2\tD3S1358\t15\t17\t\n"
              "AM-2\tFGA\tOL\t22\t\n")

CMF = """<?xml version="1.0" encoding="UTF-8"?>
<CODISImportFile>
<HEADERVERSION>3.2</HEADERVERSION>
<SPECIMEN>
<SPECIMENID>AM-1</SPECIMENID>
<LOCUS>
<LOCUSNAME>D3S1358</LOCUSNAME>
<ALLELE><ALLELEVALUE>15</ALLELEVALUE></ALLELE>
<ALLELE><ALLELEVALUE>16</ALLELEVALUE></ALLELE>
</LOCUS>
</SPECIMEN>
</CODISImportFile>"""

FREQ_CSV = "locus,allele,frequency\nL1,1,0.25\nL1,2,0.75\nL2,9.3,1.0\n"
FREQ_FAMILIAS = "L1\n1\t0.25\n2\t0.75\n\nL2\n9.3\t1.0\n"
STRIDER = "Allele,L1,L2\n1,0.25,\n2,0.75,\n9.3,,1.0\nN,100,100\n"


@FUZZ
@given(data=st.data())
def test_mutated_genemapper(data):
    from homecoming.formats.genemapper import parse_genemapper

    lines = data.draw(mutated_lines(GENEMAPPER.splitlines()))
    try:
        parse_genemapper("\n".join(lines), path="g.txt")
    except Exception as exc:  # noqa: BLE001
        _check_error(exc, "g.txt")


@FUZZ
@given(data=st.data())
def test_mutated_cmf(data):
    from homecoming.formats.codis import parse_cmf

    lines = data.draw(mutated_lines(CMF.splitlines()))
    try:
        parse_cmf("\n".join(lines), path="c.xml")
    except Exception as exc:  # noqa: BLE001
        _check_error(exc, "c.xml")


@pytest.mark.parametrize("layout,text", [("csv", FREQ_CSV), ("familias", FREQ_FAMILIAS),
                                         ("strider", STRIDER)])
@FUZZ
@given(data=st.data())
def test_mutated_frequency_tables(layout, text, data):
    from homecoming.formats import frequency_tables as ft

    parse = {"csv": ft.parse_frequency_csv, "familias": ft.parse_familias_database,
             "strider": ft.parse_strider}[layout]
    lines = data.draw(mutated_lines(text.splitlines()))
    try:
        parse("\n".join(lines), path="f")
    except Exception as exc:  # noqa: BLE001
        _check_error(exc, "f")


@FUZZ
@given(data=st.data())
def test_mutated_geojson(data):
    from formats_fixtures import make_casework

    from homecoming.formats.geojson import format_geojson, parse_geojson

    r = make_casework()
    lines = data.draw(mutated_lines(format_geojson([r.site, r.grave, r.hazard]).splitlines()))
    try:
        parse_geojson("\n".join(lines), path="s.geojson")
    except Exception as exc:  # noqa: BLE001
        _check_error(exc, "s.geojson")


# --- nothing written from a file that stops ----------------------------------------------------

@FUZZ
@given(data=st.data())
def test_failed_imports_write_nothing(casework_db, data):
    """GeneMapper tables for the stored samples, mutated: either the import succeeds (and is
    rolled back here) or it fails and the database has no profile."""
    from homecoming.formats.genemapper import parse_genemapper
    from homecoming.services.format_store import import_profiles
    from homecoming.storage.repositories import ProfileRepository

    table_text = GENEMAPPER.replace("AM-1", "PM-000001").replace("AM-2", "AM-000001")
    lines = data.draw(mutated_lines(table_text.splitlines()))

    class Rollback(Exception):
        pass

    try:
        with casework_db.session() as session:
            table = parse_genemapper("\n".join(lines), path="g.txt")
            import_profiles(session, table)
            raise Rollback
    except Rollback:
        pass
    except Exception as exc:  # noqa: BLE001
        _check_error(exc, "g.txt", need_line=False)
    with casework_db.session() as session:
        assert ProfileRepository(session).count() == 0


@FUZZ
@given(data=st.data())
def test_failed_fam_export_leaves_no_file(tmp_path_factory, data):
    """A mutated kinship case either exports to .fam or fails without leaving any file."""
    from homecoming.formats.familias import read_fam, write_fam

    case = read_fam(FAM / "paternity.fam").to_kinship_case()
    text = json.dumps(case)
    i = data.draw(st.integers(0, len(text) - 1))
    j = data.draw(st.integers(i, min(len(text), i + 40)))
    mutated = text[:i] + data.draw(st.sampled_from(["", "null", '"x"', "-1", "[]", "{}"])) \
        + text[j:]
    try:
        obj = json.loads(mutated)
    except json.JSONDecodeError:
        return
    out_dir = tmp_path_factory.mktemp("out")
    target = out_dir / "x.fam"
    try:
        write_fam(obj, target)
    except HomecomingError:
        assert list(out_dir.iterdir()) == []
    except (KeyError, TypeError, AttributeError, ValueError, IndexError) as exc:
        pytest.fail(f"write_fam raised {type(exc).__name__}: {exc}")


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_cli_never_shows_a_traceback(tmp_path_factory, data, capsys):
    """`homecoming import familias` on a mutated file: exit 0, or exit 1 with one line."""
    from homecoming.cli.main import main

    lines = data.draw(mutated_lines(_fam_lines("dvi-example.fam")))
    d = tmp_path_factory.mktemp("cli")
    src = d / "m.fam"
    src.write_text("\n".join(lines))
    out = d / "out.json"
    capsys.readouterr()
    try:
        main(["import", "familias", str(src), "-o", str(out)])
        code = 0
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    if code == 0:
        assert out.exists()
    else:
        assert code == 1 and not out.exists()
        error_lines = [ln for ln in err.splitlines() if ln.startswith("Error: ")]
        assert len(error_lines) == 1 and "Traceback" not in err
