"""write_dvi_result_json writes the same characters as json.dumps(dvi_result_json(...),
indent=1, allow_nan=False), one block of pairwise rows at a time."""

from __future__ import annotations

import dataclasses
import io
import json
import math
from pathlib import Path

import pytest

from homecoming.formats import dvi_dataset
from homecoming.formats.dvi_dataset import (
    dvi_result_json,
    load_dvi_dataset,
    write_dvi_result_json,
)
from homecoming.identification import solve
from homecoming.identification.evidence import EvidenceResult
from homecoming.identification.results import Pairing

EXAMPLES = Path(__file__).resolve().parent.parent / "data" / "dvi-examples"


def _streamed(result: object) -> str:
    buf = io.StringIO()
    write_dvi_result_json(result, buf)
    return buf.getvalue()


@pytest.mark.parametrize("name", ["example1", "exclusionExample", "planecrash", "icmp"])
def test_same_text_as_json_dumps(name: str) -> None:
    result = solve(load_dvi_dataset(EXAMPLES / f"{name}.json"))
    expected = json.dumps(dvi_result_json(result), indent=1, allow_nan=False)
    assert _streamed(result) == expected
    assert json.loads(_streamed(result))["pairwise"][0] == dvi_result_json(result)["pairwise"][0]


def test_edge_rows_and_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows with exclusion reasons (non-ASCII text, quotes), evidence items, LR 0 (log10
    null), an LR above the float range (lr null), a huge and a tiny log LR; written in blocks
    of 2 rows so that the block boundaries are crossed."""
    result = solve(load_dvi_dataset(EXAMPLES / "example1.json"))
    ev = EvidenceResult()
    ev.items.append({"evidence": "age", "lr": 0.5, "note": "ä \"q\"\nline"})
    ev.log_lr = math.log(0.5)
    rows = [
        Pairing("V1", "M1", "F1", -math.inf, 3, 15, True,
                ("LR = 0: «impossible» \"x\"", "prior weight 0")),
        Pairing("V\u00e9", "M\\2", "F/2", 800.0, 0, 15, False),
        Pairing("V3", "M3", "F3", -1e-300, 0, 0, False, (), ev),
        Pairing("V4", "M4", "F4", 12.345678901234567, 1, 23, True, ("one",), ev),
        Pairing("V5", "M5", "F5", 0.0, 0, 23, False),
    ]
    big = dataclasses.replace(result, pairwise=rows)
    monkeypatch.setattr(dvi_dataset, "_ROWS_PER_WRITE", 2)
    text = _streamed(big)
    assert text == json.dumps(dvi_result_json(big), indent=1, allow_nan=False)
    doc = json.loads(text)
    assert [r["lr"] for r in doc["pairwise"]] == [
        0, None, 1.0, pytest.approx(math.exp(12.345678901234567)), 1.0]
    assert doc["pairwise"][0]["log10_lr"] is None
    assert doc["pairwise"][0]["exclusion_reasons"] == ["LR = 0: «impossible» \"x\"",
                                                       "prior weight 0"]
    assert doc["pairwise"][3]["evidence"] == [{"evidence": "age", "lr": 0.5,
                                               "note": "ä \"q\"\nline"}]
    assert doc["pairwise"][1]["victim"] == "V\u00e9"


def test_no_pairwise_rows() -> None:
    result = solve(load_dvi_dataset(EXAMPLES / "example1.json"))
    empty = dataclasses.replace(result, pairwise=[])
    assert _streamed(empty) == json.dumps(dvi_result_json(empty), indent=1, allow_nan=False)
    assert json.loads(_streamed(empty))["pairwise"] == []


def test_non_finite_number_is_refused_as_before() -> None:
    result = solve(load_dvi_dataset(EXAMPLES / "example1.json"))
    bad = dataclasses.replace(result, pairwise=[
        dataclasses.replace(result.pairwise[0], inconsistent_markers=math.nan)])  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        json.dumps(dvi_result_json(bad), indent=1, allow_nan=False)
    with pytest.raises(ValueError):
        _streamed(bad)
