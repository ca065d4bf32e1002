"""Stage progress of solve() and the tqdm adapter (the core never prints)."""

from __future__ import annotations

import io

from homecoming.formats.dvi_dataset import dataset_from_json
from homecoming.identification import IdentificationConfig, solve
from homecoming.identification.progress import tqdm_stages
from homecoming.identification.solver import STAGES

from .test_hand_computed import dataset_a


def test_every_stage_is_reported_in_order_and_completes(capsys):
    seen: list[tuple[str, int, int]] = []
    ds = dataset_from_json(dataset_a())
    solve(ds, config=IdentificationConfig(posterior_threshold=None),
          stage_progress=lambda s, d, t: seen.append((s, d, t)))
    order = []
    for s, _, _ in seen:
        if not order or order[-1] != s:
            order.append(s)
    assert order == list(STAGES)
    for stage in STAGES:
        last = [x for x in seen if x[0] == stage][-1]
        assert last[1] == last[2]            # every stage ends at its total
    out = capsys.readouterr()
    assert out.out == "" and out.err == ""   # the core prints nothing


def test_tqdm_stages_draws_bars_only_for_slow_stages():
    buf = io.StringIO()
    with tqdm_stages(file=buf, delay=0.0) as cb:
        cb("pairwise", 0, 10)
        cb("pairwise", 10, 10)
        cb("joint", 1, 2)
    assert "Pairwise LRs" in buf.getvalue() and "Joint search" in buf.getvalue()
    quiet = io.StringIO()
    with tqdm_stages(file=quiet, delay=60.0) as cb:
        cb("pairwise", 0, 10)
        cb("pairwise", 10, 10)
    assert quiet.getvalue() == ""
