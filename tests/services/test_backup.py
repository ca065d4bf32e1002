"""Encrypted backups (issue 13, Build 5): a SQLite case backed up and restored into SQLite and
PostgreSQL; a wrong key, a changed file, a backup whose audit trail or records were altered
(even re-encrypted with the right key), or a non-empty target are refused, writing nothing.
Records are SYNTHETIC."""

from __future__ import annotations

import gzip
import json

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from homecoming.cli.main import cli
from homecoming.errors import InputError
from homecoming.services import backup as service
from homecoming.services.audit import verify
from homecoming.storage import Database


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A small demonstration case in SQLite, backed up (with a new key)."""
    root = tmp_path_factory.mktemp("backup")
    url = f"sqlite:///{root / 'source.db'}"
    run = CliRunner().invoke
    assert run(cli, ["--database", url, "demo", "--bodies", "4", "--json"]).exit_code == 0
    result = run(cli, ["--database", url, "backup", str(root / "b.enc"), "--key-file",
                       str(root / "key"), "--new-key"])
    assert result.exit_code == 0, result.output
    counts = json.loads(run(cli, ["--database", url, "stats", "--json"]).output)
    return root, url, counts


def _stats(url):
    return json.loads(CliRunner().invoke(cli, ["--database", url, "stats", "--json"]).output)


def test_restore_into_an_empty_database(made, database_url):
    root, _, counts = made
    run = CliRunner().invoke
    assert run(cli, ["--database", database_url, "init"]).exit_code == 0
    result = run(cli, ["--database", database_url, "restore", str(root / "b.enc"),
                       "--key-file", str(root / "key")])
    assert result.exit_code == 0, result.output
    assert "audit trail intact" in result.output
    assert _stats(database_url) == counts and counts["audit_records"] > 50
    db = Database(database_url)
    with db.session() as session:   # the restored database keeps working and chaining
        from homecoming.storage.repositories import Repositories

        Repositories(session).graves.update(Repositories(session).graves.list()[0].id,
                                            notes="SYNTHETIC note after restore")
    with db.session() as session:
        assert verify(session).ok
    db.dispose()


def _rewrite(root, change):
    key = (root / "key").read_bytes().strip()
    data = json.loads(gzip.decompress(Fernet(key).decrypt((root / "b.enc").read_bytes())))
    change(data)
    out = root / "changed.enc"
    out.write_bytes(Fernet(key).encrypt(gzip.compress(json.dumps(data).encode())))
    return out


def _surname(data):
    data["tables"]["missing_persons"][0]["surname"] = "Changed"


def _drop_entry(data):
    del data["tables"]["audit_log"][3]


@pytest.mark.parametrize("change, message", [
    (_surname, "was changed outside the application"),
    (_drop_entry, "deleted"),
])
def test_an_altered_backup_is_refused_even_with_the_right_key(made, tmp_path, change,
                                                              message):
    root, _, _ = made
    altered = _rewrite(root, change)
    db = Database(f"sqlite:///{tmp_path / 't.db'}")
    db.upgrade()
    with pytest.raises(InputError, match="does not verify") as info:
        service.restore(db, altered, root / "key")
    assert message in str(info.value)
    assert set(db.counts().values()) == {0}
    db.dispose()


def test_wrong_key_changed_bytes_and_non_empty_target_are_refused(made, tmp_path):
    root, url, _ = made
    db = Database(f"sqlite:///{tmp_path / 't.db'}")
    db.upgrade()
    other = service.new_key(tmp_path / "other.key")
    with pytest.raises(InputError, match="does not open with this key"):
        service.restore(db, root / "b.enc", other)
    flipped = tmp_path / "flipped.enc"
    blob = bytearray((root / "b.enc").read_bytes())
    blob[200] ^= 1
    flipped.write_bytes(bytes(blob))
    with pytest.raises(InputError, match="does not open with this key, or it was changed"):
        service.restore(db, flipped, root / "key")
    with pytest.raises(InputError, match="already there"):
        service.new_key(root / "key")
    with pytest.raises(InputError, match="is not empty"):
        service.restore(Database(url), root / "b.enc", root / "key")
    assert set(db.counts().values()) == {0}
    db.dispose()
