"""Every user-facing message of the web application is in the Ukrainian catalogue; every
stored enumeration value the pages show has a translated label; numbers and dates follow the
language."""

from __future__ import annotations

import datetime as _dt
import enum
import importlib
import inspect
import io
import pkgutil

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import homecoming.casework
from homecoming.web import i18n, labels

KEYWORDS = {"_": None, "gettext": None, "lazy": None, "ngettext": (1, 2)}


def _extracted() -> set[str]:
    found = set()
    method_map = [("templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    for _, _, message, _, _ in extract_from_dir(str(i18n.LOCALE_DIR.parent), method_map,
                                                options, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalogue(language: str):
    path = i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    return read_po(io.BytesIO(path.read_bytes()), locale=language)


def test_every_message_has_a_ukrainian_translation():
    messages = _extracted()
    assert len(messages) > 250
    catalogue = _catalogue("uk")
    missing = []
    for message in sorted(messages):
        entry = catalogue.get(message)
        if entry is None:
            entry = next((m for m in catalogue if isinstance(m.id, tuple)
                          and m.id[0] == message), None)
        strings = entry.string if entry is not None else None
        if not strings or (isinstance(strings, tuple) and not all(strings)):
            missing.append(message)
    assert missing == [], "translate these in locale/uk/LC_MESSAGES/messages.po"


def test_every_casework_enumeration_value_has_a_label():
    values = set()
    for info in pkgutil.iter_modules(homecoming.casework.__path__):
        module = importlib.import_module(f"homecoming.casework.{info.name}")
        for _, obj in vars(module).items():
            if inspect.isclass(obj) and issubclass(obj, enum.Enum) \
                    and obj.__module__ == module.__name__ and obj.__name__ != "Role":
                values |= {v.value for v in obj if isinstance(v.value, str)}
    assert sorted(values - set(labels.VALUES)) == []
    with i18n.use("uk"):
        assert labels.value_label("buccal_swab") == "буккальний мазок"
        assert labels.value_label(True) == "так"
        assert labels.value_label("not-a-value") == "not-a-value"
    with i18n.use("en"):
        assert labels.value_label("buccal_swab") == "buccal swab"


def test_numbers_and_dates_per_language():
    day = _dt.date(2022, 9, 16)
    with i18n.use("uk"):
        assert i18n.format_number(1338) == "1\u00a0338"
        assert i18n.format_number(0.5, 3) == "0,500"
        assert i18n.format_date(day) == "16 вер. 2022\u202fр."
        assert i18n.format_scientific(2.8557e9) == "2,856 × 10^9"
        assert i18n.ngettext("%(num)s record", "%(num)s records", 3) == "%(num)s записи"
        assert i18n.ngettext("%(num)s record", "%(num)s records", 11) == "%(num)s записів"
    with i18n.use("en"):
        assert i18n.format_number(1338) == "1,338"
        assert i18n.format_date(day) == "Sep 16, 2022"
        assert i18n.format_scientific(2.8557e9) == "2.856 × 10^9"
    with i18n.use("de"):  # unsupported: the default language
        assert i18n.current() == "uk"


def test_ukrainian_names_sort_in_alphabet_order():
    names = ["Їжак", "Іваненко", "Бойко", "Ґалаґан", "Гнатюк", "Євтушенко", "Яковенко",
             "Ищенко", "Дорошенко", "Андрієнко"]
    assert sorted(names, key=i18n.sort_key) == [
        "Андрієнко", "Бойко", "Гнатюк", "Ґалаґан", "Дорошенко", "Євтушенко", "Ищенко",
        "Іваненко", "Їжак", "Яковенко"]
