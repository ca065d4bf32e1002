"""Status changes through storage follow the casework transition rules."""

import pytest

from homecoming import casework as cw
from homecoming.storage.repositories import Repositories


def test_grave_life_cycle(filled):
    with filled.session() as session:
        graves = Repositories(session).graves
        for status in ("verified", "protected", "excavated", "closed"):
            assert graves.set_status("G-17", status).status is cw.GraveStatus(status)
    with filled.session() as session:
        assert Repositories(session).graves.get("G-17").status is cw.GraveStatus.CLOSED


def test_grave_skipping_a_step_is_refused_and_nothing_changes(filled):
    with pytest.raises(cw.StatusTransitionError) as info:
        with filled.session() as session:
            Repositories(session).graves.update("G-17", status="excavated")
    assert str(info.value) == ("Grave.status of grave 'G-17': 'reported' -> 'excavated' is not "
                               "an allowed status change; expected one of 'verified'")
    with filled.session() as session:
        assert Repositories(session).graves.get("G-17").status is cw.GraveStatus.REPORTED


def test_remains_status(filled):
    with filled.session() as session:
        remains = Repositories(session).remains
        remains.set_status("IZM-0001", "examined")
        remains.set_status("IZM-0001", "sampled")
        remains.set_status("IZM-0001", "unidentified")
        remains.set_status("IZM-0001", "identified")
        with pytest.raises(cw.StatusTransitionError,
                           match="'identified' -> 'sampled' is not an allowed status change; "
                                 "expected one of 'released'"):
            remains.set_status("IZM-0001", "sampled")
        assert remains.set_status("IZM-0001", "released").status is cw.RemainsStatus.RELEASED
