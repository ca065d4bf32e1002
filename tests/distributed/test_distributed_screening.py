"""Dask path == single-process path, on a real LocalCluster of 2 worker processes."""

from __future__ import annotations

import numpy as np
import pytest

from homecoming.errors import InputError
from homecoming.identification.screening import screen_codes

pytest.importorskip("distributed", reason="dask[distributed] (the 'distributed' extra) is missing")

from dask.distributed import Client, LocalCluster  # noqa: E402

from homecoming.distributed import screen_distributed  # noqa: E402

L, G = 14, 8

# the scheduler's (dashboard-less) HTTP server falls back to a free port when 8787 is taken
pytestmark = pytest.mark.filterwarnings("ignore:Port 8787 is already in use")


class TableModel:
    """PairwiseModel interface stand-in (synthetic per-locus log-LR tables); defined here so
    that the spawned workers (which inherit sys.path) can unpickle it."""

    relationship = "full_sibling"
    theta = 0.0

    def __init__(self, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        t = rng.normal(-0.4, 1.2, size=(L, G, G))
        self.tables = (t + t.transpose(0, 2, 1)) / 2

    def log_lr(self, codes_a: np.ndarray, codes_b: np.ndarray) -> np.ndarray:
        out = np.zeros((codes_a.shape[0], codes_b.shape[0]))
        for k, t in enumerate(self.tables):
            a = codes_a[:, k][:, None]
            b = codes_b[:, k][None, :]
            out += np.where((a >= 0) & (b >= 0), t[np.maximum(a, 0), np.maximum(b, 0)], 0.0)
        return out


def _codes(n, seed):
    rng = np.random.default_rng(seed)
    c = rng.integers(0, G, size=(n, L)).astype(np.int32)
    c[rng.random((n, L)) < 0.15] = -1
    return c


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=40) as cl:
        yield cl


@pytest.fixture(scope="module")
def client(cluster):
    with Client(cluster) as c:
        yield c


def test_scheduler_address_connects_to_a_running_cluster(cluster):
    address = cluster.scheduler_address
    assert address.startswith("tcp://127.0.0.1:")
    model = TableModel(5)
    pm, ref = _codes(60, 7), _codes(70, 8)
    kw = dict(min_log10_lr=0.3, min_common=8, pm_block=16, ref_block=32)
    got = screen_distributed(pm, ref, model, scheduler=address, **kw)
    want = screen_codes(pm, ref, model, **kw)
    assert len(want) > 10
    assert np.array_equal(got.table, want.table)
    assert got.provenance["dask"] == {"scheduler": address, "workers": 2, "blocks_per_task": 1}


def test_two_worker_processes_give_exactly_the_single_process_result(client):
    assert len(client.scheduler_info()["workers"]) == 2
    model = TableModel(3)
    pm, ref = _codes(150, 1), _codes(230, 2)
    kw = dict(min_log10_lr=0.5, min_common=9, pm_block=32, ref_block=50)
    single = screen_codes(pm, ref, model, **kw)
    seen = []
    dist = screen_distributed(pm, ref, model, client=client, blocks_per_task=2,
                              progress=lambda d, t: seen.append((d, t)), **kw)
    assert len(single) > 100
    assert dist.table.dtype == single.table.dtype
    assert np.array_equal(dist.table, single.table)  # same rows, same order, same bits
    assert dist == single
    assert seen[-1] == (150 * 230, 150 * 230)
    assert dist.provenance["dask"]["workers"] == 2
    # both workers did some of the work
    # self-join (PM-PM) path too
    s1 = screen_codes(pm, pm, model, self_join=True, **kw)
    s2 = screen_distributed(pm, pm, model, client=client, self_join=True, **kw)
    assert np.array_equal(s1.table, s2.table) and len(s1) > 10


def test_default_local_cluster_is_started_and_closed():
    model = TableModel(4)
    pm, ref = _codes(40, 5), _codes(60, 6)
    kw = dict(min_log10_lr=0.0, min_common=8, pm_block=16, ref_block=16)
    got = screen_distributed(pm, ref, model, n_workers=2, **kw)
    assert np.array_equal(got.table, screen_codes(pm, ref, model, **kw).table)
    assert got.provenance["dask"]["scheduler"].startswith("LocalCluster(2")


def test_bad_scheduler_address_is_a_clear_error():
    with pytest.raises(InputError, match="tcp://host:8786"):
        screen_distributed(_codes(2, 1), _codes(2, 2), TableModel(), scheduler="localhost")


def test_cli_refuses_a_malformed_scheduler_address_before_reading_anything():
    from click.testing import CliRunner

    from homecoming.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["screen", "--scheduler", "my-cluster:8786", "--quiet"])
    assert exc.value.code == 1
    res = CliRunner().invoke(__import__("homecoming.cli.main", fromlist=["cli"]).cli,
                             ["screen", "--scheduler", "my-cluster:8786"])
    assert res.exit_code != 0
    assert "tcp://host:8786" in str(res.exception) + res.output


def test_screen_codes_takes_the_client_as_executor(client):
    """The one screening path: screen_codes(executor=client) equals the single-process run."""
    model = TableModel(6)
    pm, ref = _codes(70, 11), _codes(90, 12)
    kw = dict(min_log10_lr=0.3, min_common=8, pm_block=16, ref_block=32)
    single = screen_codes(pm, ref, model, **kw)
    dist = screen_codes(pm, ref, model, executor=client, blocks_per_task=3, **kw)
    assert len(single) > 10
    assert np.array_equal(dist.table, single.table)
    assert dist.provenance["dask"]["workers"] == 2
    assert dist.provenance["dask"]["blocks_per_task"] == 3
