"""The boundary check of stored text (``casework._base.check_text``) finds the first refused
character with a regular expression; here it is compared with the character-by-character
definition (C0/C1 controls, DEL, the line/paragraph separators and bidirectional controls;
tab, line feed and carriage return allowed in free text only) on random texts."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.casework import _base

BIDI = {*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x2028, 0x2029, 0x200E, 0x200F, 0x061C}


def first_bad(text: str, one_line: bool):
    for i, ch in enumerate(text):
        code = ord(ch)
        if (code < 0x20 or 0x7F <= code < 0xA0) and (one_line or ch not in "\t\n\r"):
            return i, f"U+{code:04X}"
        if code in BIDI:
            return i, f"U+{code:04X}"
    return None


TRICKY = st.sampled_from([chr(c) for c in (0, 7, 9, 10, 13, 27, 0x1F, 0x20, 0x7E, 0x7F, 0x85,
                                           0x9F, 0xA0, 0x200D, 0x200E, 0x200F, 0x2027, 0x2028,
                                           0x2029, 0x202A, 0x202E, 0x202F, 0x2065, 0x2066,
                                           0x2069, 0x206A, 0x061C, 0x0416, 0x0456)])


@settings(max_examples=400)
@given(st.lists(st.one_of(TRICKY, st.characters()), max_size=30).map("".join), st.booleans())
def test_the_first_refused_character_is_the_definitions(text, one_line):
    assert _base._bad_character(text, one_line) == first_bad(text, one_line)


def test_cyrillic_names_and_free_text_pass():
    assert _base._bad_character("Шевченко-Іваненко Ольга", True) is None
    assert _base._bad_character("рядок 1\n\tрядок 2\r\n", False) is None
    assert _base._bad_character("рядок 1\nрядок 2", True) == (7, "U+000A")
