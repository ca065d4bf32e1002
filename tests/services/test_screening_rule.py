"""The stored case's screening rule (``min_log10_lr``, ``top``) is checked before anything
is read: a finite log10 LR above 0 and a whole number of best candidates >= 0."""

from __future__ import annotations

import math

import numpy as np
import pytest

from homecoming.errors import InputError
from homecoming.services.case_identification import identify_stored_case
from homecoming.services.incremental import identify_incrementally
from homecoming.services.screening import check_screening_rule


def test_good_rules_come_back_as_float_and_int():
    assert check_screening_rule(2, 2) == (2.0, 2)
    assert check_screening_rule(5.0, 0) == (5.0, 0)
    got = check_screening_rule(np.float64(0.5), np.int64(3))
    assert got == (0.5, 3) and type(got[0]) is float and type(got[1]) is int


@pytest.mark.parametrize(("min_log10_lr", "top", "field"), [
    (0, 2, "min_log10_lr"), (-1.0, 2, "min_log10_lr"), (math.nan, 2, "min_log10_lr"),
    (math.inf, 2, "min_log10_lr"), ("five", 2, "min_log10_lr"), (None, 2, "min_log10_lr"),
    (2, -1, "top"), (2, 1.5, "top"), (2, True, "top"), (2, "2", "top"),
])
def test_bad_rules_are_refused(min_log10_lr, top, field):
    with pytest.raises(InputError) as err:
        check_screening_rule(min_log10_lr, top)
    assert err.value.field == field
    expected = {"min_log10_lr": "expected a finite log10 LR above 0",
                "top": "expected a whole number >= 0"}[field]
    assert expected in str(err.value)


def test_the_runs_refuse_a_bad_rule_before_reading_the_database():
    with pytest.raises(InputError, match="screening min_log10_lr nan"):
        identify_incrementally(None, profile_ids=["SYN-S-1"], min_log10_lr=math.nan)
    with pytest.raises(InputError, match="screening top -2"):
        identify_incrementally(None, profile_ids=["SYN-S-1"], top=-2)
    with pytest.raises(InputError, match="screening min_log10_lr 0"):
        identify_stored_case(None, min_log10_lr=0)
    with pytest.raises(InputError, match="screening top 1.5"):
        identify_stored_case(None, top=1.5)
