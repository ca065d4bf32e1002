"""Issue 13, Build 6: Hypothesis fuzzing of every importer through the services layer, on
SQLite and PostgreSQL.

Each example takes a valid file (exported from the SYNTHETIC demo, or a SYNTHETIC test file),
damages it (a cell replaced by a hostile value, a line dropped or repeated, bytes inserted,
the file cut short) and imports it. Properties: the only exception is a HomecomingError
subclass (0 crashes, no traceback), a refused import writes nothing (every table's row count
and the audit trail unchanged), and the message never holds a genotype pair of the file nor a
name from it. The number of examples is small (``max_examples``) so the suite stays fast; the
``explore`` Hypothesis profile may raise it through ``HOMECOMING_FUZZ_EXAMPLES``.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from homecoming.cli.main import cli
from homecoming.errors import HomecomingError
from homecoming.storage import Database, tables

DATA = Path(__file__).resolve().parents[1] / "data"
EXAMPLES = int(os.environ.get("HOMECOMING_FUZZ_EXAMPLES", "12"))

#: hostile cell values: genotype-like pairs, personal-looking names, control characters,
#: formula prefixes, huge numbers, quotes, long fields, odd Unicode
HOSTILE = st.one_of(
    st.sampled_from(["", " ", '"', "'", '""', "\t", "\x00", "\x1b[31m", "\u202e", "=SUM(A1)",
                     "+cmd|' /C calc'!A0", "@x", "0", "999", "15.55", "X", "Y", "Q", "-1",
                     "1e18", "NaN", "inf", "9" * 40, "D99S999", "AMEL",
                     "2099-01-01", "1800-02-30", "null", "{}", "[]", "<x/>", "\\", "%s%n",
                     "x" * 5000]),
    st.text(max_size=12),
)
#: a personal value put in a personal column (names, contact): never to be echoed
PERSON = "Kovalenko-SYNTHETIC"
PERSONAL = {"surname", "given_name", "full_name", "patronymic", "contact", "birth_place",
            "last_seen_place", "military_unit", "reported_by"}


def _fuzzed(text: str, data: st.DataObject) -> str:
    """One damage done to ``text``."""
    lines = text.splitlines(keepends=True) or [""]
    how = data.draw(st.sampled_from(["cell", "cell", "cell", "drop", "repeat", "insert",
                                     "cut", "header", "personal"]), label="how")
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    if how == "personal":     # a name in a personal column, and a damaged cell in its row
        header = lines[0].rstrip("\r\n").split(",")
        personal = [k for k, c in enumerate(header) if c in PERSONAL]
        if not personal or len(lines) < 2:
            how = "cell"
        else:
            i = data.draw(st.integers(1, len(lines) - 1), label="row")
            cells = next(csv.reader([lines[i]]))
            cells += [""] * (len(header) - len(cells))
            cells[data.draw(st.sampled_from(personal), label="column")] = PERSON
            j = data.draw(st.integers(0, len(cells) - 1), label="cell")
            if cells[j] != PERSON:
                cells[j] = data.draw(HOSTILE, label="value")
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerow(cells)
            lines[i] = out.getvalue()
    if how in ("cell", "header"):
        i = 0 if how == "header" else i
        sep = "\t" if "\t" in lines[i] else ","
        cells = lines[i].rstrip("\r\n").split(sep)
        j = data.draw(st.integers(0, len(cells) - 1), label="cell")
        cells[j] = data.draw(HOSTILE, label="value")
        lines[i] = sep.join(cells) + "\n"
    elif how == "drop":
        del lines[i]
    elif how == "repeat":
        lines.insert(i, lines[i])
    elif how == "insert":
        at = data.draw(st.integers(0, max(len(lines[i]), 0)), label="at")
        lines[i] = lines[i][:at] + data.draw(HOSTILE, label="value") + lines[i][at:]
    else:
        whole = "".join(lines)
        return whole[:data.draw(st.integers(0, len(whole)), label="cut")]
    return "".join(lines)


def _counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {t.name: s.execute(select(func.count()).select_from(t)).scalar_one()
                for t in tables.metadata.sorted_tables}


def _secrets(seeds: dict[str, str]) -> set[str]:
    """Genotype pairs and names in the seed files: never to appear in a message."""
    out: set[str] = set()
    for name, text in seeds.items():
        if not name.endswith(".csv"):
            continue
        for row in csv.DictReader(io.StringIO(text)):
            a1, a2 = row.get("allele1") or "", row.get("allele2") or ""
            if a1 and a2 and a1 != a2:
                out |= {f"{a1}, {a2}", f"{a1},{a2}", f"{a1}/{a2}", f"'{a1}', '{a2}'"}
            for key in ("surname", "given_name", "full_name", "patronymic"):
                if (row.get(key) or "").strip():
                    out.add(row[key].strip())
    out.add(PERSON)
    return out


@pytest.fixture(scope="module")
def seeds(tmp_path_factory) -> dict[str, str]:
    """Valid files exported from a small SYNTHETIC demo (read as text)."""
    where = tmp_path_factory.mktemp("seeds")
    url = f"sqlite:///{where / 'seed.db'}"
    run = CliRunner().invoke
    assert run(cli, ["--database", url, "demo", "--bodies", "3", "--no-identify"]).exit_code == 0
    exports = {"profiles.csv": ["profiles", "--format", "csv"],
               "genemapper.txt": ["profiles", "--format", "genemapper"],
               "codis.xml": ["profiles", "--format", "codis"],
               "missing-persons.csv": ["missing-persons"], "donors.csv": ["donors"],
               "samples.csv": ["samples"], "remains.csv": ["remains"],
               "examinations.csv": ["examinations"], "incidents.csv": ["incidents"],
               "sites.geojson": ["geojson"]}
    out = {}
    for name, args in exports.items():
        result = run(cli, ["--database", url, "export", args[0], str(where / name), *args[1:]])
        assert result.exit_code == 0, result.output
        out[name] = (where / name).read_text(encoding="utf-8")
    # exhumations, custody transfers, hazard-area clearance: new records on the demo's own
    db = Database(url)
    with db.session() as s:
        grave = s.execute(select(tables.graves.c.id).order_by(tables.graves.c.id)).scalar()
        sample = s.execute(select(tables.samples.c.barcode)
                           .order_by(tables.samples.c.barcode)).scalar()
        area = s.execute(select(tables.hazard_areas.c.id)
                         .where(tables.hazard_areas.c.cleared.is_(False))).scalar()
    db.dispose()
    out["exhumations.csv"] = (
        "id,grave_id,started_on,ended_on,method,team\n"
        f'FZ-EX-1,{grave},2022-09-16,2022-09-17,manual,"[{{""name"":""{PERSON}"",'
        '""role"":""forensic archaeologist""}]"\n')
    out["custody-events.csv"] = (
        "id,item_kind,item_id,from_party,to_party,occurred_at,reason,location\n"
        f"FZ-CE-1,sample,{sample},morgue,lab A,2022-09-21T09:30:00+00:00,DNA analysis,Kyiv\n"
        f"FZ-CE-2,sample,{sample},lab A,archive,2022-09-25T10:00:00+00:00,storage,Kyiv\n")
    out["hazard-clearance.csv"] = (f"id,cleared_on,cleared_by,notes\n{area},2022-10-01,"
                                   "SYNTHETIC demining unit,checked\n")
    # csv-update: the same record files, keyed by id, change stored records
    for kind in ("missing-persons", "donors", "remains", "samples"):
        out[f"update-{kind}.csv"] = out[f"{kind}.csv"]
    return out


def _import(db: Database, name: str, path: Path) -> None:
    from homecoming.services import imports

    if name == "profiles.csv":
        imports.import_csv(db, "profiles", path)
    elif name.startswith("update-"):
        imports.update_records(db, name.removeprefix("update-").removesuffix(".csv"), path)
    elif name.endswith(".csv"):
        imports.import_csv(db, name.removesuffix(".csv"), path)
    elif name == "genemapper.txt":
        imports.import_lab_profiles(db, path, fmt="genemapper", replace=True)
    elif name == "codis.xml":
        imports.import_lab_profiles(db, path, fmt="codis", replace=True)
    elif name == "sites.geojson":
        imports.import_geojson(db, path, replace=True)
    else:
        raise AssertionError(name)


def _check_message(exc: BaseException, secrets: set[str]) -> None:
    text = str(exc)
    assert isinstance(exc, HomecomingError), f"{type(exc).__name__}: {text[:200]}"
    assert "Traceback" not in text and "\n" not in text.strip()
    leaked = [s for s in secrets if s in text]
    assert not leaked, f"message shows data of the file: {text[:300]}"


@pytest.fixture
def demo_db(database_url):
    run = CliRunner().invoke
    result = run(cli, ["--database", database_url, "demo", "--bodies", "3", "--no-identify"])
    assert result.exit_code == 0, result.output
    db = Database(database_url)
    yield db
    db.dispose()


def test_every_database_importer_survives_damaged_files(demo_db, seeds, tmp_path):
    secrets = _secrets(seeds)
    names = sorted(seeds)
    outcomes: dict[str, int] = {"refused": 0, "stored": 0}

    @settings(max_examples=EXAMPLES * len(names), deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(names), label="importer")
        path = tmp_path / name
        path.write_text(_fuzzed(seeds[name], data), encoding="utf-8", newline="")
        before = _counts(demo_db)
        try:
            _import(demo_db, name, path)
        except HomecomingError as exc:
            _check_message(exc, secrets)
            assert _counts(demo_db) == before, f"{name}: a refused import wrote rows"
            outcomes["refused"] += 1
        except Exception as exc:  # a crash: report it as a failure, with its kind
            _check_message(exc, secrets)
        else:
            outcomes["stored"] += 1

    check()
    # the damage was noticed, and some damaged files were still valid and stored
    assert outcomes["refused"] > 0 and outcomes["stored"] > 0, outcomes


def test_file_only_importers_survive_damaged_files(tmp_path):
    """Familias files and frequency tables (read, nothing stored)."""
    from homecoming.formats.familias import read_fam
    from homecoming.formats.frequency_tables import read_frequency_table
    from homecoming.services.imports import convert_familias

    fam = {}
    for p in sorted((DATA / "familias").glob("*.fam")):
        text = p.read_text(encoding="utf-8", errors="replace")
        persons = read_fam(p).persons
        if persons:   # the first person's name becomes a name never to be echoed
            text = text.replace(f'\n"{persons[0].name}"\n', f'\n"{PERSON}"\n', 1)
            assert PERSON in text, p.name
        fam[p.name] = text
    freq = (DATA / "familias" / "codis-frequencies.txt").read_text(encoding="utf-8")
    seeds = {**fam, "freq.csv": "locus,allele,frequency\nD3S1358,14,0.1\nD3S1358,15,0.25\n"
                                "D3S1358,16,0.65\nTH01,6,0.3\nTH01,9.3,0.7\n",
             "codis-frequencies.txt": freq}
    names = sorted(seeds)

    @settings(max_examples=EXAMPLES * 3, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.data())
    def check(data: st.DataObject) -> None:
        name = data.draw(st.sampled_from(names), label="file")
        path = tmp_path / name
        path.write_text(_fuzzed(seeds[name], data), encoding="utf-8", newline="")
        try:
            if name.endswith(".fam"):
                convert_familias(path, output=tmp_path / "out.json")
            else:
                read_frequency_table(path)
        except Exception as exc:
            _check_message(exc, {PERSON})

    check()
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_secrets_detector_catches_a_pair():
    """The leak check itself can fail (a message holding a pair of the file)."""
    secrets = _secrets({"p.csv": "barcode,locus,allele1,allele2\nB1,D3S1358,15,17\n"})
    with pytest.raises(AssertionError, match="shows data"):
        _check_message(HomecomingError("bad alleles ('15', '17') at line 2"), secrets)
    _check_message(HomecomingError("line 2, column allele1: expected 1-99"), secrets)
    assert re.search("15, 17", "x 15, 17") and "15, 17" in secrets
