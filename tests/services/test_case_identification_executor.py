"""identify_stored_case on an executor: the groups' solves go in batches of consecutive groups
(one task each), with the one-process run's results (issue 15). SYNTHETIC demonstration data.

The executor here runs each task at once in this process after a cloudpickle round trip (what
a Dask worker receives); tests/distributed runs the same on a real LocalCluster."""

from __future__ import annotations

import math
from typing import Any

import pytest

from homecoming.services import case_identification as ci
from homecoming.services.case_identification import (
    group_batch_size,
    identify_stored_case,
)
from homecoming.services.demo import load_demo
from homecoming.storage import Database


class _Done:
    def __init__(self, value: Any) -> None:
        self.value = value

    def result(self) -> Any:
        return self.value


class InlineExecutor:
    """The part of ``distributed.Client`` identify_stored_case uses, run in this process."""

    def __init__(self, threads: int) -> None:
        self.threads = threads
        self.submitted: list[str] = []
        self.pickle = pytest.importorskip(
            "cloudpickle", reason="cloudpickle (the 'distributed' extra) is missing")

    def nthreads(self) -> dict[str, int]:
        return {f"worker-{i}": 1 for i in range(self.threads)}

    def scatter(self, data: Any, broadcast: bool = False) -> Any:
        return self.pickle.loads(self.pickle.dumps(data))

    def submit(self, fn: Any, *args: Any, pure: bool = True, **kwargs: Any) -> _Done:
        self.submitted.append(fn.__name__)
        args, kwargs = self.pickle.loads(self.pickle.dumps((args, kwargs)))
        return _Done(self.pickle.loads(self.pickle.dumps(fn(*args, **kwargs))))

    def gather(self, futures: list[_Done]) -> list[Any]:
        return [f.result() for f in futures]


@pytest.mark.parametrize(("groups", "threads", "expected"), [
    (7575, 2, 474), (1486, 2, 93), (16, 2, 1), (17, 2, 2), (10, 2, 1), (0, 2, 1), (5, 0, 1),
    (100, 1, 13)])
def test_group_batch_size(groups, threads, expected):
    assert ci.GROUP_TASKS_PER_THREAD == 8
    assert group_batch_size(groups, threads) == expected


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('case') / 'case.db'}")
    load_demo(db, seed=3, bodies=20, identify=False)
    return db


def _groups(run: Any) -> list[tuple[Any, ...]]:
    return [(c["component"], c["missing_persons"], c["remains"])
            for c in run.components_provenance]


def _without_time(provenance: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in provenance.items() if k != "created"}


def test_groups_are_solved_in_batches_with_the_one_process_results(demo_db, monkeypatch):
    one = identify_stored_case(demo_db, store=False).result
    assert one.components >= 4 and len(one.identified) >= 5
    monkeypatch.setattr(ci, "GROUP_TASKS_PER_THREAD", 2)
    executor = InlineExecutor(threads=1)
    many = identify_stored_case(demo_db, store=False, executor=executor).result
    per_task = group_batch_size(one.components, 1)
    assert per_task == math.ceil(one.components / 2) and per_task > 1
    assert executor.submitted.count("_solve_groups") == 2      # not one task per group
    assert "_screen_block" in executor.submitted
    assert many.details == one.details
    assert many.identified == one.identified and many.conclusions == one.conclusions
    assert many.candidate_pairs == one.candidate_pairs and many.components == one.components
    assert _groups(many) == _groups(one)
    # what a task sends back is the conclusions and the provenance, not the whole DviResult
    assert [_without_time(c["provenance"]) for c in many.components_provenance] == [
        _without_time(c["provenance"]) for c in one.components_provenance]


def test_one_group_per_task_when_there_are_few_groups(demo_db):
    executor = InlineExecutor(threads=2)
    many = identify_stored_case(demo_db, store=False, executor=executor).result
    assert group_batch_size(many.components, 2) == 1
    assert executor.submitted.count("_solve_groups") == many.components
