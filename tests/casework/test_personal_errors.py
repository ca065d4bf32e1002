"""Validation errors of casework records name the record and field, never a person's name or
birth date (SYNTHETIC values)."""

from __future__ import annotations

import datetime as dt

import pytest

import homecoming.casework as cw

DONOR = dict(id="D-1", missing_person_id="MP-1", full_name="SYNTHETIC Petrenko Olena",
             relationship="mother")
MP = dict(id="MP-1", surname="SYNTHETIC-Petrenko", given_name="Olena", reported_by="R",
          reported_on="2022-04-01")
FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def test_donor_future_birth_date_is_not_shown():
    with pytest.raises(cw.CaseworkError) as e:
        cw.Donor(**DONOR, birth_date=FUTURE)
    msg = str(e.value)
    assert msg.startswith("Donor.birth_date: not valid; expected a date not in the future")
    assert FUTURE not in msg and "Olena" not in msg
    assert e.value.value is None and e.value.field == "Donor.birth_date"


def test_bad_birth_date_text_is_not_shown():
    with pytest.raises(cw.CaseworkError) as e:
        cw.MissingPerson(**MP, birth_date="01/05/1970")
    assert str(e.value) == "MissingPerson.birth_date: not valid; expected an ISO date (YYYY-MM-DD)"
    assert e.value.value is None


def test_name_of_wrong_type_is_not_shown():
    with pytest.raises(cw.CaseworkError) as e:
        cw.Donor(**{**DONOR, "full_name": 19700501})
    assert str(e.value).startswith("Donor.full_name: not valid; expected")
    assert "19700501" not in str(e.value) and e.value.value is None


def test_too_long_name_states_the_length_not_the_name():
    long_name = "SYNTHETIC " + "Petrenko" * 30
    with pytest.raises(cw.CaseworkError) as e:
        cw.Donor(**{**DONOR, "full_name": long_name})
    assert str(e.value) == (f"Donor.full_name: {len(long_name)} characters is too long; "
                            "expected a text of at most 200 characters")
    assert e.value.value is None


def test_date_order_rule_names_fields_not_dates():
    with pytest.raises(cw.CaseworkError) as e:
        cw.MissingPerson(**MP, birth_date="1970-05-01", last_seen_on="1969-01-01")
    assert str(e.value) == "MissingPerson: expected last_seen_on on or after birth_date"


def test_non_personal_field_still_shows_its_value():
    with pytest.raises(cw.CaseworkError) as e:
        cw.MissingPerson(**MP, height_cm=999)
    assert str(e.value) == "MissingPerson.height_cm: 999 is not valid; expected a number <= 250.0"
