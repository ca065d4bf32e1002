"""The SYNTHETIC example files of docs/howto are valid inputs and give the documented answers."""

import json
from pathlib import Path

from homecoming.formats.dvi_dataset import load_dvi_dataset
from homecoming.formats.kinship_case import load_kinship_case
from homecoming.identification import solve

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "howto" / "examples"


def test_dvi_example_identifies_the_ground_truth():
    dataset = load_dvi_dataset(EXAMPLES / "dvi-synthetic.json")
    truth = json.loads((EXAMPLES / "dvi-synthetic-truth.json").read_text())
    result = solve(dataset)
    found = {c.victim: c.missing for c in result.missing_conclusions if c.conclusion.identified}
    expected = {v: m for v, m in truth.items() if m is not None}
    assert found == expected
    assert len(expected) == 8


def test_kinship_example_loads_with_the_demo_kit():
    case = load_kinship_case(EXAMPLES / "paternity-synthetic.json")
    assert len(case.markers) == 23
