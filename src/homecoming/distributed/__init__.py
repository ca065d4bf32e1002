"""Running the blind screening on Dask (local cluster by default, a scheduler address for a
real cluster). Needs the ``distributed`` extra (dask[distributed]).

``screen_distributed(pm_codes, ref_codes, model, *, scheduler=None, n_workers=2, ...)``
"""

from __future__ import annotations

from typing import Any

__all__ = ["screen_distributed", "local_cluster"]


def __getattr__(name: str) -> Any:  # lazy: importing dask costs a second
    if name in __all__:
        from homecoming.distributed import screening

        return getattr(screening, name)
    raise AttributeError(name)
