"""The PostgreSQL test fixture finds the server binaries, or fails with advice."""

import importlib.util
import sys
from pathlib import Path

import pytest

CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


@pytest.fixture
def suite_conftest(monkeypatch):
    spec = importlib.util.spec_from_file_location("homecoming_suite_conftest", CONFTEST)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look the module up
    spec.loader.exec_module(module)
    return module


def test_missing_binaries_give_the_install_advice(suite_conftest, monkeypatch):
    monkeypatch.setattr(suite_conftest.shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(suite_conftest.glob, "glob", lambda pattern: [])
    assert suite_conftest._pg_bindir() is None
    assert "scripts/ensure-postgres" in suite_conftest._PG_HINT
    assert "initdb" in suite_conftest._PG_HINT


def test_newest_debian_version_is_chosen(suite_conftest, monkeypatch):
    monkeypatch.setattr(suite_conftest.shutil, "which", lambda *a, **k: None)
    monkeypatch.setattr(suite_conftest.glob, "glob", lambda pattern: [
        "/usr/lib/postgresql/9.6/bin/initdb", "/usr/lib/postgresql/16/bin/initdb",
        "/usr/lib/postgresql/15/bin/initdb"])
    assert suite_conftest._pg_bindir() == Path("/usr/lib/postgresql/16/bin")


def test_root_runs_the_server_as_postgres(suite_conftest, monkeypatch):
    monkeypatch.setattr(suite_conftest.os, "geteuid", lambda: 0)
    argv = suite_conftest._as_postgres(["initdb", "-D", "x"])
    assert argv[-5:] == ["postgres", "--", "initdb", "-D", "x"]
    assert Path(argv[0]).name == "runuser" and argv[1] == "-u"
    monkeypatch.setattr(suite_conftest.os, "geteuid", lambda: 1000)
    assert suite_conftest._as_postgres(["initdb"]) == ["initdb"]
