"""Progress bars for :func:`homecoming.identification.solve`, drawn by the caller.

The core never prints: :func:`~homecoming.identification.solve` reports
``stage_progress(stage, done, total)``. :func:`tqdm_stages` turns that into one ``tqdm`` bar per
stage on stderr, shown only for a stage that lasts longer than ``delay`` seconds (1 s by
default), so a small dataset prints nothing::

    with tqdm_stages(disable=quiet) as on_stage:
        result = solve(dataset, stage_progress=on_stage)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["STAGE_LABELS", "tqdm_stages"]

#: stage -> (bar label, unit)
STAGE_LABELS: dict[str, tuple[str, str]] = {
    "pairwise": ("Pairwise LRs", "pairing"),
    "options": ("Family sub-assignments", "family"),
    "joint": ("Joint search", "component"),
    "marginals": ("Marginal posteriors", "pairing"),
    "conclusions": ("Conclusions", "family"),
}


def _no_progress(stage: str, done: int, total: int) -> None:
    """The ``stage_progress`` callback of a disabled :func:`tqdm_stages`."""


@contextmanager
def tqdm_stages(*, disable: bool = False, delay: float = 1.0, file: Any = None
                ) -> Iterator[Callable[[str, int, int], None]]:
    """A ``stage_progress`` callback drawing one tqdm bar per stage (closed on exit)."""
    if disable:    # nothing to draw: tqdm is not even imported (~25 ms of start-up)
        yield _no_progress
        return
    from tqdm import tqdm  # type: ignore[import-untyped]

    bars: dict[str, Any] = {}
    out = file if file is not None else sys.stderr

    def on_stage(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            for other in bars.values():   # a new stage ends the previous ones
                other.close()
            label, unit = STAGE_LABELS.get(stage, (stage, "step"))
            bar = tqdm(total=total, desc=label, unit=unit, leave=False, delay=delay,
                       disable=disable, file=out)
            bars[stage] = bar
        if total != bar.total:
            bar.total = total
        bar.update(done - bar.n)

    try:
        yield on_stage
    finally:
        for bar in bars.values():
            bar.close()
