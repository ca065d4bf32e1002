"""The format registry and import reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from homecoming.errors import InputError, NotFoundError
from homecoming.formats.registry import FileFormat, FormatRegistry, Imported
from homecoming.formats.report import ImportReport


def _toy_registry() -> FormatRegistry:
    reg = FormatRegistry(modules=(), entry_points=False)

    def read(path: Path) -> Imported:
        rep = ImportReport(source=str(path), format="toy")
        rep.counts["lines"] = len(path.read_text().splitlines())
        return Imported(path.read_text().upper(), rep)

    def write(data: str, path: Path) -> Path:
        path.write_text(data)
        return path

    reg.register(FileFormat("toy", "toy text", (".toy", ".toy.txt"), "text", read, write))
    reg.register(FileFormat("txt", "plain text", (".txt",), "text", None, write))
    return reg


def test_register_read_write(tmp_path):
    reg = _toy_registry()
    p = reg.write("a\nb\n", tmp_path / "x.toy")
    got = reg.read(p)
    assert got.data == "A\nB\n" and got.report.counts == {"lines": 2}
    assert [f.name for f in reg.formats(kind="text")] == ["toy", "txt"]


def test_longest_suffix_wins_and_read_only_writers_are_skipped(tmp_path):
    reg = _toy_registry()
    assert reg.for_path("A.TOY.TXT").name == "toy"
    assert reg.for_path("a.txt", reading=False).name == "txt"
    with pytest.raises(NotFoundError, match="no reader"):
        reg.for_path("a.txt")  # 'txt' cannot be read
    with pytest.raises(NotFoundError, match="not registered"):
        reg.get("nope")


def test_duplicate_and_empty_formats_are_refused():
    reg = _toy_registry()
    with pytest.raises(InputError, match="already registered"):
        reg.register(FileFormat("toy", "again", (".t",), "text", None, lambda d, p: p))
    with pytest.raises(InputError, match="neither"):
        reg.register(FileFormat("none", "nothing", (".n",), "text"))
    reg.register(FileFormat("toy", "again", (".t",), "text", None, lambda d, p: p), replace=True)
    assert reg.get("toy").description == "again"


def test_builtins_are_registered_as_plugins():
    from homecoming.formats.registry import get_format, list_formats

    assert {f.kind for f in list_formats()} >= {"familias", "profiles", "frequencies",
                                                 "features", "records"}
    assert get_format("familias").module == "homecoming.formats.familias"
    assert get_format("csv-samples").reader is None  # export only


def test_report_entries_deduplicated_and_serialised():
    r = ImportReport(source="f.txt", format="toy")
    r.fix("changed X", line=3)
    r.fix("changed X", line=3)
    r.warn("careful")
    r.note("fyi")
    r.counts["rows"] = 4
    assert len(r.fixes) == 1 and not r.ok
    assert r.lines() == ["fix: f.txt, line 3: changed X", "warning: f.txt: careful",
                         "note: f.txt: fyi"]
    assert r.to_dict()["fixes"] == [{"level": "fix", "message": "changed X", "line": 3}]
    assert r.summary() == "f.txt (toy): read 4 rows; 1 fixed, 1 warnings"
    err = r.stop("bad header", line=1, expected="a header")
    assert str(err) == "f.txt, line 1: bad header" and err.line == 1
