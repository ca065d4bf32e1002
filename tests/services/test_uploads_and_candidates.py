"""services.uploads (the lab's dry run then import, one code path) and services.analysis
(stored screening candidates, per-marker LRs that multiply to the stored LR). SYNTHETIC
demonstration data on SQLite."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from homecoming.casework import Sample
from homecoming.errors import InputError, NotFoundError, PermissionDenied
from homecoming.services import accounts
from homecoming.services.analysis import candidate_detail, candidate_rows
from homecoming.services.demo import load_demo
from homecoming.services.screening import screen
from homecoming.services.uploads import run_upload
from homecoming.storage import Database
from homecoming.storage.repositories import Repositories

TABLE = ("Sample Name\tMarker\tAllele 1\tAllele 2\tAllele 3\n"
         "UPL-1\tD3S1358\t15\t16\t\n"
         "UPL-1\tvWA\t17\t\t\n"
         "UPL-2\tD3S1358\t14\t15\t16\n")


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("uploads")
    database = Database(f"sqlite:///{folder / 'u.db'}")
    database.upgrade()
    load_demo(database, seed=5, bodies=12, identify=False)
    with database.session() as session:
        repos = Repositories(session, user="tests")
        remains = sorted(repos.remains.keys())[0]
        for barcode in ("UPL-1", "UPL-2"):
            repos.samples.add(Sample(barcode=barcode, source="remains", remains_code=remains,
                                     element="bone", collected_on=dt.date(2023, 1, 2)))
        accounts.add_user(session, "admin", ["admin"], actor="admin")
        accounts.add_user(session, "lab1", ["lab"], actor="admin")
        accounts.add_user(session, "analyst1", ["analyst"], actor="admin")
    yield database
    database.dispose()


def _profiles(db) -> set[str]:
    with db.session() as session:
        return set(Repositories(session).profiles.keys())


def test_dry_run_then_import_of_the_same_file(db, tmp_path):
    path = tmp_path / "gm.txt"
    path.write_text(TABLE, encoding="utf-8")
    before = _profiles(db)
    dry = run_upload(db, "genemapper", path, filename="plate 3.txt", actor="lab1")
    assert dry.ok and dry.dry_run
    assert (dry.added, dry.replaced, dry.samples_skipped) == (1, 0, 1)
    assert (dry.rows_imported, dry.rows_skipped) == (2, 1)
    assert dry.keys == ["UPL-1"] and dry.filename == "plate 3.txt"
    assert _profiles(db) == before
    with pytest.raises(InputError, match="not the one that was checked"):
        run_upload(db, "genemapper", path, dry_run=False, expected_sha256="0" * 64,
                   actor="lab1")
    done = run_upload(db, "genemapper", path, dry_run=False, expected_sha256=dry.sha256,
                      actor="lab1")
    assert done.ok and done.added == 1 and not done.dry_run
    assert _profiles(db) - before == {"UPL-1"}
    # the same file again: refused by the importer (a profile exists), nothing written
    again = run_upload(db, "genemapper", path, filename="plate 3.txt", actor="lab1")
    assert not again.ok and again.refusal.file == "plate 3.txt"
    assert again.refusal.line == 2 and again.refusal.column == "Sample Name"
    assert "already has a profile" in again.refusal.reason
    assert str(tmp_path) not in again.refusal.reason


def test_upload_permissions(db, tmp_path):
    path = tmp_path / "gm.txt"
    path.write_text(TABLE, encoding="utf-8")
    with pytest.raises(PermissionDenied):
        run_upload(db, "genemapper", path, actor="analyst1")  # the dry run is checked too
    with pytest.raises(InputError, match="upload kind"):
        run_upload(db, "familias", path, actor="lab1")


def test_candidates_and_per_marker_lrs(db):
    result = screen(db, relationships=["parent_child", "full_sibling"], actor="analyst1")
    rows = _rows(db, actor="analyst1")
    assert len(rows) == result.stored > 0
    assert [r["log10_lr"] for r in rows] == sorted((r["log10_lr"] for r in rows), reverse=True)
    top = rows[0]
    assert top["remains_code"] and top["donor_id"]
    detail = candidate_detail(db, top["pm"], top["reference"], top["relationship"],
                              actor="analyst1")
    assert math.isclose(detail["recomputed_log10_lr"], top["log10_lr"], abs_tol=1e-6)
    typed = [m for m in detail["markers"] if m["typed"]]
    assert len(typed) >= 10
    assert all(m["log10_lr"] == 0.0 for m in detail["markers"] if not m["typed"])
    assert math.isclose(math.prod(m["lr"] for m in typed), 10 ** top["log10_lr"], rel_tol=1e-6)
    with pytest.raises(NotFoundError):
        candidate_detail(db, "NOPE", top["reference"], top["relationship"], actor="analyst1")
    with pytest.raises(PermissionDenied):
        _rows(db, actor="admin")  # screen.run: analysts and the lab
    assert _rows(db, search=top["pm"].lower(), actor="lab1")[0]["pm"] == top["pm"]


def _rows(db, **kw):
    with db.session() as session:
        return candidate_rows(session, **kw)
