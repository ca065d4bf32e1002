"""Long operations of the web application, run in the background with their progress.

A :class:`Job` runs in a thread of the server process; the operation reports its progress
through the callbacks :class:`Job` offers (``groups(done, total)`` and the identification
engine's ``stage(stage, done, total)`` of :mod:`homecoming.identification.progress`), and the
page polls the job's state (htmx). A job belongs to the account that started it. Only one
job of a kind runs at a time per server (two identification runs of the same stored case would
compete to store versions): starting another returns the running one.

Errors are kept as one line (a :class:`~homecoming.errors.HomecomingError`'s message) or,
for anything else, only the exception's type: genetic and personal data never reach the page.
"""

from __future__ import annotations

import datetime as _dt
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from homecoming.errors import HomecomingError, NotFoundError

__all__ = ["Job", "JobRunner"]

log = logging.getLogger(__name__)


@dataclass
class Job:
    id: str
    kind: str
    owner: str
    started: _dt.datetime
    state: str = "running"              # running, done, failed
    #: the engine's current stage (identification.progress.STAGE_LABELS key) and its count
    stage: str | None = None
    stage_done: int = 0
    stage_total: int = 0
    #: the stages seen, in order (a stage repeats for every group; listed once)
    stages: list[str] = field(default_factory=list)
    groups_done: int = 0
    groups_total: int = 0
    finished: _dt.datetime | None = None
    result: dict[str, Any] | None = None
    error: str | None = None

    # --- the callbacks the operation reports through ---------------------------------
    def on_stage(self, stage: str, done: int, total: int) -> None:
        self.stage, self.stage_done, self.stage_total = stage, int(done), int(total)
        if stage not in self.stages:
            self.stages.append(stage)

    def on_groups(self, done: int, total: int) -> None:
        self.groups_done, self.groups_total = int(done), int(total)

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def percent(self) -> int | None:
        """Groups solved, in percent (None before the number of groups is known)."""
        if self.state == "done":
            return 100
        if self.groups_total <= 0:
            return None
        return min(100, int(100 * self.groups_done / self.groups_total))


class JobRunner:
    """The jobs of one server process (thread-safe; finished jobs are kept, newest 50)."""

    KEEP = 50

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, kind: str, owner: str, work: Callable[[Job], dict[str, Any]]) -> Job:
        """Run ``work(job)`` in a thread (its return value becomes ``job.result``), or
        return the job of ``kind`` already running."""
        with self._lock:
            for job in self._jobs.values():
                if job.kind == kind and job.running:
                    return job
            job = Job(secrets.token_urlsafe(12), kind, owner, _dt.datetime.now(_dt.UTC))
            self._jobs[job.id] = job
            finished = sorted((j for j in self._jobs.values() if not j.running),
                              key=lambda j: j.started)
            while len(self._jobs) > self.KEEP and finished:
                del self._jobs[finished.pop(0).id]
        thread = threading.Thread(target=self._run, args=(job, work), daemon=True,
                                  name=f"homecoming-{kind}-{job.id}")
        thread.start()
        return job

    @staticmethod
    def _run(job: Job, work: Callable[[Job], dict[str, Any]]) -> None:
        try:
            job.result = work(job)
            job.state = "done"
        except HomecomingError as exc:
            job.error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            job.state = "failed"
        except Exception as exc:  # never the message: it might hold data
            log.error("background %s job failed: %s", job.kind, type(exc).__name__)
            job.error = type(exc).__name__
            job.state = "failed"
        finally:
            job.finished = _dt.datetime.now(_dt.UTC)

    def get(self, job_id: str, *, owner: str | None = None) -> Job:
        """The job ``job_id`` (of ``owner``, when given); NotFoundError otherwise."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None or (owner is not None and job.owner != owner):
            raise NotFoundError("this run is not known to the server (it may have been "
                                "restarted); expected a run started from this page")
        return job

    def latest(self, kind: str, *, owner: str | None = None) -> Job | None:
        with self._lock:
            jobs = [j for j in self._jobs.values() if j.kind == kind
                    and (owner is None or j.owner == owner)]
        return max(jobs, key=lambda j: j.started) if jobs else None
