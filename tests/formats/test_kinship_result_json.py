"""kinship-result@1 output: exact field set, LR 0 → 0/null, undefined and overflowing LRs."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field

import numpy as np
import pytest

from homecoming.formats.kinship_case import kinship_result_json


@dataclass
class FakeResult:
    reference: str
    markers: tuple
    log_likelihoods: dict
    provenance: dict = field(default_factory=dict)


def test_fields_and_values():
    res = FakeResult("H0", ("M1", "M2"), {
        "H0": np.log(np.array([0.01, 0.02])),
        "H1": np.log(np.array([0.05, 0.01])),
        "H2": np.array([math.log(0.03), -math.inf]),
    })
    out = kinship_result_json(res, input_sha256="ab" * 32)
    assert list(out) == ["format", "reference", "hypotheses", "provenance"]
    assert out["format"] == "homecoming/kinship-result@1" and out["reference"] == "H0"
    assert set(out["hypotheses"]) == {"H1", "H2"}
    h1 = out["hypotheses"]["H1"]
    assert list(h1) == ["lr", "log10_lr", "log10_likelihood", "per_marker_lr"]
    assert h1["lr"] == pytest.approx(2.5, rel=1e-12)
    assert h1["log10_lr"] == pytest.approx(math.log10(2.5), abs=1e-12)
    assert h1["log10_likelihood"] == pytest.approx(math.log10(0.0005), abs=1e-12)
    assert h1["per_marker_lr"] == pytest.approx({"M1": 5.0, "M2": 0.5}, rel=1e-12)
    h2 = out["hypotheses"]["H2"]
    assert h2["lr"] == 0 and type(h2["lr"]) is int
    assert h2["log10_lr"] is None and h2["log10_likelihood"] is None
    assert h2["per_marker_lr"]["M2"] == 0 and h2["per_marker_lr"]["M1"] == pytest.approx(3.0)
    assert out["provenance"]["input_sha256"] == "ab" * 32
    assert out["provenance"]["software"].startswith("homecoming ")
    text = json.dumps(out, allow_nan=False)
    assert '"lr": 0,' in text


def test_undefined_and_huge_lrs_are_null_not_nan():
    res = FakeResult("H0", ("M1", "M2"), {
        "H0": np.array([-math.inf, math.log(1e-300)]),
        "H1": np.array([-math.inf, math.log(1e-2)]),
        "H2": np.array([math.log(0.5), math.log(1e-300)]) + np.array([0.0, 0.0]),
    })
    out = kinship_result_json(res, input_sha256="0" * 64)
    h1 = out["hypotheses"]["H1"]
    assert h1["lr"] is None and h1["log10_lr"] is None       # 0/0
    assert h1["per_marker_lr"]["M1"] is None
    assert h1["per_marker_lr"]["M2"] == pytest.approx(1e298, rel=1e-9)
    h2 = out["hypotheses"]["H2"]
    assert h2["lr"] is None and h2["log10_lr"] is None       # x/0: infinite LR
    assert h2["per_marker_lr"]["M2"] == pytest.approx(1.0)
    json.dumps(out, allow_nan=False)  # never NaN or Infinity in the JSON


def test_large_but_finite_lr():
    res = FakeResult("H0", ("M1",), {"H0": np.array([-800.0]), "H1": np.array([-10.0])})
    out = kinship_result_json(res, input_sha256="0" * 64)
    h1 = out["hypotheses"]["H1"]
    assert h1["lr"] is None                                  # e^790 overflows a double
    assert h1["log10_lr"] == pytest.approx(790 / math.log(10), abs=1e-9)
