"""The thresholds a stored identification run reads back from the solver's record
(IdentificationConfig.thresholds: ``lr``, ``probable``, ``prior`` "1/N"): the prior's N of the
whole case and the run's own 'probable' threshold, not fallbacks."""

from __future__ import annotations

from homecoming.identification.config import IdentificationConfig
from homecoming.services.identifications import _prior_missing


def test_prior_is_the_solvers_n_not_the_families_passed():
    recorded = IdentificationConfig(lr_threshold=1e6, prior_missing=425).thresholds(425)
    assert recorded["prior"] == "1/425"
    # an incremental run passes only the 3 families it touches
    assert _prior_missing(recorded, 3) == 425
    assert _prior_missing({}, 3) == 3
    assert _prior_missing({"prior": "1/x"}, 7) == 7
    assert _prior_missing({"prior": "1/0"}, 7) == 1


def test_probable_threshold_key_is_recorded():
    recorded = IdentificationConfig(lr_threshold=1e6, probable_threshold=1e5).thresholds(10)
    # store_case_identification reads these two keys (it looked up 'probable_threshold' and
    # 'lr_threshold', which are never recorded, and always fell back to 1e3)
    assert recorded["probable"] == 1e5 and recorded["lr"] == 1e6
    assert "probable_threshold" not in recorded and "lr_threshold" not in recorded
