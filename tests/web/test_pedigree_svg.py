"""The pedigree drawing's layout: generations top to bottom, parents joined to children."""

from __future__ import annotations

from homecoming.web.pedigree_svg import layout


def test_missing_mother_with_spouse_and_daughter():
    drawing = layout([
        {"id": "MP", "father": None, "mother": None, "sex": "female", "typed": False,
         "missing": True},
        {"id": "SP", "father": None, "mother": None, "sex": "male", "typed": False},
        {"id": "CH1", "father": "SP", "mother": "MP", "sex": "female", "typed": True},
    ])
    where = {p["id"]: (p["x"], p["y"]) for p in drawing.people}
    assert where["MP"][1] == where["SP"][1] < where["CH1"][1]   # parents above the child
    assert where["CH1"][0] == (where["MP"][0] + where["SP"][0]) / 2  # centred under them
    assert len(drawing.lines) == 2
    flags = {p["id"]: (p["typed"], p["missing"], p["sex"]) for p in drawing.people}
    assert flags == {"MP": (False, True, "female"), "SP": (False, False, "male"),
                     "CH1": (True, False, "female")}


def test_three_generations_and_unknown_parents_ignored():
    drawing = layout([
        {"id": "GF", "sex": "male"}, {"id": "GM", "sex": "female"},
        {"id": "F", "father": "GF", "mother": "GM", "sex": "male"},
        {"id": "MP", "father": "F", "mother": "NOT-IN-PEDIGREE", "sex": "male",
         "missing": True},
    ])
    levels = {p["id"]: p["y"] for p in drawing.people}
    assert levels["GF"] == levels["GM"] < levels["F"] < levels["MP"]
    assert len(drawing.lines) == 3
    assert drawing.width >= 2 * 80 + 160 and drawing.height > levels["MP"]
