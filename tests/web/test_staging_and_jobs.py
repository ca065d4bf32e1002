"""The kept uploads (web.staging) and the background jobs (web.jobs), without a server."""

from __future__ import annotations

import hashlib
import stat
import threading
import time

import pytest

from homecoming.errors import InputError, NotFoundError
from homecoming.web.jobs import JobRunner
from homecoming.web.staging import UploadStore, owner_key, safe_filename


def test_kept_upload_is_private_bound_to_its_session_and_expires(tmp_path):
    store = UploadStore(tmp_path / "kept")
    me, other = owner_key("lab", "secret-1"), owner_key("lab", "secret-2")
    assert me != other and "secret-1" not in me
    item = store.put(b"Sample Name\tMarker\n", owner=me, kind="genemapper",
                     filename="../../etc/run 1.txt")
    assert item.sha256 == hashlib.sha256(b"Sample Name\tMarker\n").hexdigest()
    assert item.filename == "run_1.txt" and item.path.read_bytes() == b"Sample Name\tMarker\n"
    assert stat.S_IMODE(item.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(item.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700
    assert store.get(item.token, owner=me) is item
    with pytest.raises(NotFoundError):
        store.get(item.token, owner=other)      # another session of the same account
    with pytest.raises(NotFoundError):
        store.get("not-a-token", owner=me)
    store.discard(item.token)
    assert not item.path.exists()
    with pytest.raises(NotFoundError):
        store.get(item.token, owner=me)
    short = UploadStore(tmp_path / "short", lifetime=0.05)
    old = short.put(b"x", owner=me, kind="codis", filename="a.xml")
    time.sleep(0.1)
    with pytest.raises(NotFoundError):
        short.get(old.token, owner=me)
    assert not old.path.exists()
    assert safe_filename("") == "upload" and safe_filename("C:\\lab\\plate.txt") == "plate.txt"


def test_a_job_reports_progress_and_only_one_of_a_kind_runs():
    runner = JobRunner()
    go = threading.Event()

    def work(job):
        job.on_stage("pairwise", 1, 4)
        job.on_groups(1, 2)
        go.wait(10)
        job.on_stage("conclusions", 2, 2)
        job.on_stage("pairwise", 4, 4)
        job.on_groups(2, 2)
        return {"stored": ["IDN-1"]}

    job = runner.start("identify", "analyst", work)
    deadline = time.monotonic() + 10
    while job.groups_total == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.running and job.percent == 50 and job.stage == "pairwise"
    assert runner.start("identify", "analyst2", work) is job    # the running one
    assert runner.get(job.id) is job and runner.latest("identify") is job
    with pytest.raises(NotFoundError):
        runner.get(job.id, owner="analyst2")
    go.set()
    while job.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.state == "done" and job.percent == 100 and job.result == {"stored": ["IDN-1"]}
    assert job.stages == ["pairwise", "conclusions"]            # each stage listed once
    assert job.finished is not None


@pytest.mark.parametrize(("error", "shown"), [
    (InputError("database x: no remains have a typed sample\nmore"),
     "database x: no remains have a typed sample"),
    (RuntimeError("genotype 15/16 of Іваненко"), "RuntimeError"),
])
def test_a_failed_job_keeps_one_line_and_never_data(error, shown):
    runner = JobRunner()

    def work(job):
        raise error

    job = runner.start("identify", "analyst", work)
    deadline = time.monotonic() + 10
    while job.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert job.state == "failed" and job.error == shown
