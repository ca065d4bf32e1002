"""A whole case moves between databases through the exported files, and nothing changes.

A SYNTHETIC demonstration is stored in database A, exported with `homecoming export`
(GeoJSON for sites, graves and hazard areas; CSV for incidents, missing persons, donors,
remains, examinations, samples and profiles), imported with `homecoming import` into an empty
database B, and exported again: every file is byte-for-byte the same, and `homecoming
identify` on B gives exactly the conclusions it gives on A.
"""

import json

from click.testing import CliRunner

from homecoming.cli.main import cli
from homecoming.errors import FormatError

# (export command, import command, file name) in the order records refer to each other
STEPS = [
    (["geojson"], ["geojson"], "sites.geojson"),
    (["incidents"], ["incidents"], "incidents.csv"),
    (["missing-persons"], ["missing-persons"], "missing-persons.csv"),
    (["donors"], ["donors"], "donors.csv"),
    (["remains"], ["remains"], "remains.csv"),
    (["examinations"], ["examinations"], "examinations.csv"),
    (["samples"], ["samples"], "samples.csv"),
    (["profiles"], ["profiles"], "profiles.csv"),
]


def _run(*args):
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def test_case_moves_between_databases_unchanged(tmp_path):
    a = f"sqlite:///{tmp_path / 'a.db'}"
    b = f"sqlite:///{tmp_path / 'b.db'}"
    _run("--database", a, "demo", "--bodies", "30", "--seed", "8", "--no-identify", "--json")
    _run("--database", b, "init")
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    for export, imp, name in STEPS:
        _run("--database", a, "export", *export, str(tmp_path / "a" / name))
        _run("--database", b, "import", *imp, str(tmp_path / "a" / name))
        _run("--database", b, "export", *export, str(tmp_path / "b" / name))
        assert (tmp_path / "b" / name).read_bytes() == (tmp_path / "a" / name).read_bytes(), name
    stats = [json.loads(_run("--database", u, "stats", "--json").output) for u in (a, b)]
    for key in ("sites", "hazard_areas", "graves", "incidents", "remains", "examinations",
                "missing_persons", "donors", "samples", "profiles"):
        assert stats[0][key] == stats[1][key] > 0, key
    results = [json.loads(_run("--database", u, "identify", "--json").output) for u in (a, b)]
    assert results[0]["missing_persons"] == results[1]["missing_persons"]
    assert results[0]["summary"]["identified"] >= 10


def test_bad_nested_cell_names_line_and_column_and_writes_nothing(tmp_path):
    a = f"sqlite:///{tmp_path / 'a.db'}"
    _run("--database", a, "demo", "--bodies", "5", "--seed", "8", "--no-identify", "--json")
    path = tmp_path / "ex.csv"
    _run("--database", a, "export", "examinations", str(path))
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    b = f"sqlite:///{tmp_path / 'b.db'}"
    _run("--database", b, "init")
    for export, imp, name in STEPS[:5]:       # everything an examination refers to
        _run("--database", a, "export", *export, str(tmp_path / name))
        _run("--database", b, "import", *imp, str(tmp_path / name))
    before = json.loads(_run("--database", b, "stats", "--json").output)
    # an age range whose minimum exceeds its maximum, on the third data line
    import csv
    import io
    rows = list(csv.reader(io.StringIO(path.read_text())))
    rows[3][header.index("age")] = '{"maximum":20,"minimum":40}'
    bad = tmp_path / "bad.csv"
    with bad.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    res = CliRunner().invoke(cli, ["--database", b, "import", "examinations", str(bad)])
    assert res.exit_code == 1 and isinstance(res.exception, FormatError)
    message = str(res.exception)
    assert message.startswith(f"{bad}, line 4, column age:") and "\n" not in message
    rows[3][header.index("age")] = "{not json"
    with bad.open("w", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    res = CliRunner().invoke(cli, ["--database", b, "import", "examinations", str(bad)])
    # the place and the rule, never the cell (a JSON cell may hold names)
    assert str(res.exception).startswith(f"{bad}, line 4, column age: not valid JSON")
    assert "{not json" not in str(res.exception)
    assert json.loads(_run("--database", b, "stats", "--json").output) == before
