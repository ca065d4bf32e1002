"""The templates' ``number`` filter is Babel's format_decimal for the page's language (issue 12
item 5): the per-marker LR table's ``lr|number(3)`` in Ukrainian groups digits with Babel's
separator for uk and writes a decimal comma; in English with a comma and a point."""

from __future__ import annotations

import pytest
from babel.numbers import format_decimal

from homecoming.web import i18n
from homecoming.web.app import _env


@pytest.mark.parametrize("value", [570980, 570.98, 570980.5, 0.0123, 1234567.891])
def test_number_filter_is_babel_per_language(value):
    template = _env.from_string("{{ lr|number(3) }}|{{ lr|number }}")
    for language in ("uk", "en"):
        with i18n.use(language):
            shown = template.render(lr=value)
        assert shown == (format_decimal(value, format="#,##0.000", locale=language) + "|"
                         + format_decimal(value, locale=language))
    with i18n.use("uk"):
        assert _env.from_string("{{ 570980|number(3) }}").render() == \
            "570" + format_decimal(1000, locale="uk")[1] + "980,000"
        # 570.98 in Ukrainian is "570,980" (decimal comma), not five hundred seventy thousand
        assert _env.from_string("{{ 570.98|number(3) }}").render() == "570,980"
    with i18n.use("en"):
        assert _env.from_string("{{ 570980|number(3) }}").render() == "570,980.000"
        assert _env.from_string("{{ 570.98|number(3) }}").render() == "570.980"
