"""Stated units: a quantity said in another unit, written in the unit its description states."""

from __future__ import annotations

from decimal import Decimal

import pytest

from funcall_lib.stated_units import restate_unit, restate_units, said_quantities, stated_unit


@pytest.mark.parametrize("description, unit", [
    ("Focal length in millimeters (mm)", "mm"),
    ("Frequency of the sound in hertz (Hz)", "Hz"),
    ("Panel power in kW", "kW"),
    ("The inductance in henries", "H"),
    ("Mass (kg) of the body", "kg"),
    ("The distance in m", "m"),
    ("Mass of the body", None),
    ("Time in minutes", None),              # not a unit the rule converts
    ("Pressure in MH", None),               # symbols are case-sensitive
    ("", None),
])
def test_the_unit_a_description_states(description, unit):
    assert stated_unit(description) == unit


def test_the_quantities_the_user_said():
    said = "a focal length of 374 cm and 1.9 m, 19 kilohertz, 2.2 Megawatts, 1 meter, 50mH, 5 minutes, 3 mph"
    assert said_quantities(said) == [(Decimal("374"), "cm"), (Decimal("1.9"), "m"), (Decimal("19"), "kHz"),
                                     (Decimal("2.2"), "MW"), (Decimal("1"), "m"), (Decimal("50"), "mH")]


@pytest.mark.parametrize("value, unit, said, written", [
    (374, "mm", "a focal length of 374 cm and an eyepiece of 46 mm", 3740),     # the point not moved
    (3.74, "mm", "a focal length of 374 cm and an eyepiece of 46 mm", 3740.0),  # moved the wrong way
    (46, "mm", "a focal length of 374 cm and an eyepiece of 46 mm", 46),        # right already
    (2000000, "Hz", "a frequency of 2 kHz", 2000),
    (220000, "W", "panels rated at 2.2 megawatts", 2200000),
    (40, "mm", "an eyepiece of 4 centimeters", 40),
    (0.05, "H", "an inductance of 50 mH", 0.05),
    (5, "H", "an inductance of 50 mH", 0.05),
    (7, "mm", "a focal length of 374 cm", 7),                 # not the user's digits
    (374, None, "a focal length of 374 cm", 374),             # no stated unit
    (374, "kg", "a focal length of 374 cm", 374),             # another dimension
    (30, "mm", "3 cm here and 30 cm there", 30),              # right for 3 cm
    (3000, "mm", "3 cm here and 30 cm there", 3000),          # the point moved from 3 or 30: ambiguous
    (True, "mm", "1 cm", True),
])
def test_a_value_is_written_in_the_stated_unit(value, unit, said, written):
    out = restate_unit(value, unit, said_quantities(said))
    assert out == written and type(out) is type(written)


SCOPE = {"name": "magnification", "description": "Magnification of a telescope.", "parameters": {
    "type": "object",
    "properties": {
        "focal_length": {"type": "integer", "description": "Focal length in millimeters (mm)."},
        "eyepiece": {"type": "number", "description": "Eyepiece focal length in millimeters (mm)."},
        "barlow": {"type": "integer", "description": "Barlow factor."},
        "lengths": {"type": "array", "items": {"type": "number", "description": "A length in meters (m)."}},
    },
    "required": ["focal_length", "eyepiece"]}}


def test_calls_are_restated_by_the_units_their_descriptions_state():
    said = "A focal length of 142 cm and an eyepiece of 3.8 cm with a 2x Barlow lens; also 250 cm and 4 m"
    calls = [{"name": "magnification", "arguments": {"focal_length": 142, "eyepiece": 3.8, "barlow": 2,
                                                      "lengths": [250, 4]}}]
    assert restate_units(calls, [SCOPE], said) == [{"name": "magnification", "arguments": {
        "focal_length": 1420, "eyepiece": 38.0, "barlow": 2, "lengths": [2.5, 4]}}]
    assert calls[0]["arguments"]["focal_length"] == 142                    # the calls given are untouched
    assert restate_units(calls, [SCOPE], "no units said") is calls
