"""Blind screening on Dask: the same blocks as the single-process path, one task each.

:func:`screen_distributed` scatters the PM codes, the reference codes and the pairwise model
to every worker **once**, submits one task per group of blocks (``pm_block × ref_block``
pairs each, in the fixed order of
:func:`homecoming.identification.screening.iter_blocks`), gathers the candidates as tasks
finish and sorts them into the canonical order. Each block is computed by the very same
:func:`~homecoming.identification.screening.screen_block`, so the result equals
:func:`~homecoming.identification.screening.screen_codes` exactly.

Cluster: by default a ``LocalCluster`` of ``n_workers`` worker **processes** (one thread each)
on 127.0.0.1 with the dashboard off, started and closed around the call; a scheduler address
(``"tcp://host:8786"``) connects to a running cluster instead (its workers need Homecoming
installed); a ``distributed.Client`` may be passed as ``client=``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from typing import Any

import numpy as np

from homecoming.errors import InputError
from homecoming.identification.screening import (
    CANDIDATE_DTYPE,
    DEFAULT_MIN_COMMON,
    DEFAULT_PM_BLOCK,
    DEFAULT_REF_BLOCK,
    Candidates,
    Progress,
    _database_info,
    _relationship_of,
    _threshold,
    _upper_pairs,
    iter_blocks,
    screen_block,
    screening_provenance,
    sort_table,
)

__all__ = ["screen_distributed", "local_cluster", "run_blocks", "check_scheduler_address",
           "connect"]

_SCHEMES = ("tcp://", "tls://", "inproc://", "ucx://", "ws://", "wss://")


def check_scheduler_address(scheduler: str) -> str:
    """The address if it names a Dask scheduler (``tcp://host:8786``), else InputError."""
    text = str(scheduler).strip()
    if not text.startswith(_SCHEMES) or len(text.split("://", 1)[1]) == 0:
        raise InputError(f"scheduler {scheduler!r}; expected an address such as "
                         "'tcp://host:8786'", field="scheduler", value=scheduler)
    return text


def connect(scheduler: str, *, timeout: str = "20s") -> Any:
    """A ``distributed.Client`` on a running scheduler; a clear error if it cannot be reached."""
    from dask.distributed import Client

    address = check_scheduler_address(scheduler)
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError) as exc:
        raise OSError(f"Dask scheduler {address} could not be reached within {timeout}: "
                      f"{exc}") from exc


def _blocks_task(model: Any, pm_codes: np.ndarray, ref_codes: np.ndarray,
                 blocks: Sequence[tuple[int, int, int, int]], rel: str, thr: float,
                 min_common: int, self_join: bool) -> np.ndarray:
    parts = [screen_block(model, pm_codes[a0:a1], ref_codes[b0:b1], relationship=rel,
                          min_log10_lr=thr, min_common=min_common, pm_offset=a0,
                          ref_offset=b0, upper_only=self_join)
             for a0, a1, b0, b1 in blocks]
    return np.concatenate(parts)


def local_cluster(n_workers: int = 2, *, threads_per_worker: int = 1,
                  memory_limit: str | int | None = "auto") -> Any:
    """A ``LocalCluster`` of worker processes on loopback, dashboard off."""
    from dask.distributed import LocalCluster

    return LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                        processes=True, host="127.0.0.1", dashboard_address=None,
                        memory_limit=memory_limit, silence_logs=40)


def run_blocks(client: Any, pm_codes: np.ndarray, ref_codes: np.ndarray, model: Any, *,
               rel: str, thr: float, min_common: int, pm_block: int, ref_block: int,
               self_join: bool = False, blocks_per_task: int = 1,
               progress: Progress | None = None) -> np.ndarray:
    """Submit the blocks to ``client`` and return the sorted candidate table."""
    from dask.distributed import as_completed

    n_pm, n_ref = pm_codes.shape[0], ref_codes.shape[0]
    blocks = list(iter_blocks(n_pm, n_ref, pm_block, ref_block, upper_only=self_join))
    total = n_pm * (n_pm - 1) // 2 if self_join else n_pm * n_ref
    if not blocks:
        return sort_table(np.empty(0, dtype=CANDIDATE_DTYPE))
    # scatter once; broadcast so every worker holds its own copy
    [model_f, pm_f, ref_f] = client.scatter([model, pm_codes, ref_codes], broadcast=True,
                                            hash=False)
    groups = [blocks[k:k + blocks_per_task] for k in range(0, len(blocks), blocks_per_task)]
    futures = {}
    for g in groups:
        fut = client.submit(_blocks_task, model_f, pm_f, ref_f, g, rel, thr, min_common,
                            self_join, pure=False)
        futures[fut] = g
    parts = []
    done = 0
    for fut in as_completed(list(futures)):
        parts.append(fut.result())
        g = futures.pop(fut)
        if self_join:
            done += sum(_upper_pairs(*b) for b in g)
        else:
            done += sum((a1 - a0) * (b1 - b0) for a0, a1, b0, b1 in g)
        if progress is not None:
            progress(done, total)
        fut.release()
    return sort_table(np.concatenate(parts))


def screen_distributed(pm_codes: np.ndarray, ref_codes: np.ndarray, model: Any, *,
                       scheduler: str | None = None, n_workers: int = 2,
                       client: Any = None, relationship: str | None = None,
                       min_log10_lr: float | Mapping[str, float] | None = None,
                       min_common: int = DEFAULT_MIN_COMMON,
                       pm_block: int = DEFAULT_PM_BLOCK, ref_block: int = DEFAULT_REF_BLOCK,
                       blocks_per_task: int = 1, progress: Progress | None = None,
                       pm_ids: Sequence[str] | None = None,
                       ref_ids: Sequence[str] | None = None, frequency_db: Any = None,
                       self_join: bool = False) -> Candidates:
    """Blind screening of encoded profiles on Dask; same arguments and result as
    :func:`homecoming.identification.screening.screen_codes`.

    :param scheduler: ``None`` for a local cluster of ``n_workers`` processes, or a scheduler
        address such as ``"tcp://10.0.0.5:8786"``.
    :param client: an existing ``distributed.Client`` (``scheduler``/``n_workers`` ignored).
    :param blocks_per_task: blocks computed by one task (fewer, larger tasks on big runs).
    """
    pm_codes = np.ascontiguousarray(pm_codes)
    ref_codes = np.ascontiguousarray(ref_codes)
    if pm_codes.ndim != 2 or ref_codes.ndim != 2 or pm_codes.shape[1] != ref_codes.shape[1]:
        raise InputError(f"codes: shapes {pm_codes.shape} and {ref_codes.shape}; expected two "
                         "(profiles, loci) arrays with the same number of loci", field="codes")
    if client is None and n_workers < 1:
        raise InputError(f"n_workers {n_workers}; expected at least 1", field="n_workers",
                         value=n_workers)
    if blocks_per_task < 1:
        raise InputError(f"blocks_per_task {blocks_per_task}; expected at least 1",
                         field="blocks_per_task", value=blocks_per_task)
    if scheduler is not None:
        scheduler = check_scheduler_address(scheduler)
    rel = _relationship_of(model, relationship)
    thr = _threshold(min_log10_lr, rel)
    started = time.perf_counter()
    with ExitStack() as stack:
        if client is None:
            from dask.distributed import Client

            if scheduler is None:
                cluster = stack.enter_context(local_cluster(n_workers))
                client = stack.enter_context(Client(cluster))
                where = f"LocalCluster({n_workers} processes, 127.0.0.1)"
            else:
                client = stack.enter_context(connect(scheduler))
                where = str(scheduler)
        else:
            where = str(getattr(client, "scheduler_info", lambda: {})().get("address", "client"))
        n = len(client.scheduler_info().get("workers", {}))
        table = run_blocks(client, pm_codes, ref_codes, model, rel=rel, thr=thr,
                           min_common=min_common, pm_block=pm_block, ref_block=ref_block,
                           self_join=self_join, blocks_per_task=blocks_per_task,
                           progress=progress)
    prov = screening_provenance(
        relationship=rel, min_log10_lr=thr, min_common=min_common, n_pm=pm_codes.shape[0],
        n_ref=ref_codes.shape[0], frequency_db=_database_info(frequency_db),
        theta=getattr(model, "theta", None), pm_block=pm_block, ref_block=ref_block,
        elapsed_s=round(time.perf_counter() - started, 3), self_join=self_join,
        dask={"scheduler": where, "workers": n, "blocks_per_task": blocks_per_task})
    return Candidates(table, prov, tuple(pm_ids) if pm_ids is not None else None,
                      tuple(ref_ids) if ref_ids is not None else None)
