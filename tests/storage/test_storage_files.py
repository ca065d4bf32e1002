"""Owner-only files (issue 13, failure 8): the default SQLite folder 0700 and file 0600 (its
-wal/-shm too), files a command writes 0600; the PostgreSQL password from a file, never the
URL."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from homecoming import settings
from homecoming.cli.main import cli
from homecoming.storage import Database, DatabaseError

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes only")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_default_database_folder_and_file_are_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("HOMECOMING_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    old = os.umask(0o022)  # a usual umask: what was 0755/0644 before
    try:
        db = Database(settings.database_url())
        db.upgrade()
        db.dispose()
    finally:
        os.umask(old)
    folder = tmp_path / "data" / "homecoming"
    assert _mode(folder) == 0o700
    files = sorted(folder.iterdir())
    assert [f.name for f in files][0] == "homecoming.db"
    assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}


def test_files_written_by_commands_are_owner_only(tmp_path):
    url = f"sqlite:///{tmp_path / 'h.db'}"
    old = os.umask(0o022)
    try:
        assert CliRunner().invoke(cli, ["--database", url, "demo", "--bodies", "3",
                                        "--no-identify", "--json"]).exit_code == 0
        out = tmp_path / "profiles.csv"
        result = CliRunner().invoke(cli, ["--database", url, "export", "profiles", str(out)])
        assert result.exit_code == 0, result.output
        after = os.umask(0o022)
    finally:
        os.umask(old)
    assert after == 0o022          # the command restored the caller's umask
    assert _mode(out) == 0o600 and out.stat().st_size > 0
    assert _mode(tmp_path / "h.db") == 0o600


def test_private_open_creates_0600_and_tightens_existing(tmp_path):
    path = tmp_path / "result.json"
    path.write_text("old")
    path.chmod(0o644)
    with settings.private_open(path, "w", encoding="utf-8") as f:
        f.write("new")
    assert path.read_text() == "new" and _mode(path) == 0o600
    fresh = tmp_path / "fresh.txt"
    with settings.private_open(fresh, "x") as f:
        f.write("x")
    assert _mode(fresh) == 0o600


def test_password_file(tmp_path, monkeypatch):
    secret = tmp_path / "pw"
    secret.write_text("s3cret-SYNTHETIC\n")
    secret.chmod(0o600)
    monkeypatch.setenv("HOMECOMING_DATABASE_PASSWORD_FILE", str(secret))
    db = Database("postgresql+psycopg://app@db.example/homecoming")
    assert db.engine.url.password == "s3cret-SYNTHETIC"
    assert "s3cret" not in db.masked_url and "s3cret" not in repr(db)
    secret.chmod(0o644)
    with pytest.raises(DatabaseError, match="can be read by others"):
        Database("postgresql+psycopg://app@db.example/homecoming")
