"""Blind screening on Dask: cluster helpers around the one screening path.

The screening itself is :func:`homecoming.identification.screening.screen_codes` with
``executor=client`` (it scatters the codes and the model to every worker once, submits one task
per group of blocks and sorts the candidates into the canonical order, so the result equals the
single-process one exactly). This module only starts or connects the cluster:
:func:`screen_distributed` is ``screen_codes`` on a cluster it opens and closes around the call.

Cluster: by default a ``LocalCluster`` of ``n_workers`` worker **processes** (one thread each)
on 127.0.0.1 with the dashboard off, started and closed around the call; a scheduler address
(``"tcp://host:8786"``) connects to a running cluster instead (its workers need Homecoming
installed); a ``distributed.Client`` may be passed as ``client=``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from typing import Any

import numpy as np

from homecoming.errors import InputError
from homecoming.identification.screening import (
    DEFAULT_MIN_COMMON,
    DEFAULT_PM_BLOCK,
    DEFAULT_REF_BLOCK,
    Candidates,
    Progress,
    screen_codes,
)

__all__ = ["screen_distributed", "local_cluster", "check_scheduler_address", "connect"]

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


def local_cluster(n_workers: int = 2, *, threads_per_worker: int = 1,
                  memory_limit: str | int | None = "auto") -> Any:
    """A ``LocalCluster`` of worker processes on loopback, dashboard off."""
    from dask.distributed import LocalCluster

    return LocalCluster(n_workers=n_workers, threads_per_worker=threads_per_worker,
                        processes=True, host="127.0.0.1", dashboard_address=None,
                        memory_limit=memory_limit, silence_logs=40)


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
    """:func:`homecoming.identification.screening.screen_codes` on a Dask cluster (kept for
    callers that want the cluster opened and closed for them); same arguments and result.

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
        out = screen_codes(pm_codes, ref_codes, model, relationship=relationship,
                           min_log10_lr=min_log10_lr, min_common=min_common, pm_block=pm_block,
                           ref_block=ref_block, progress=progress, pm_ids=pm_ids,
                           ref_ids=ref_ids, frequency_db=frequency_db, self_join=self_join,
                           executor=client, blocks_per_task=blocks_per_task)
    out.provenance["dask"]["scheduler"] = where
    return out
