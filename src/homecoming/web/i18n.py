"""Languages of the web application: gettext catalogues (Babel), Ukrainian by default.

The catalogues are the committed ``locale/<lang>/LC_MESSAGES/messages.po`` files; they are
compiled in memory when this module is imported (Babel's ``read_po`` / ``write_mo``), so there
is no build step and no compiled ``.mo`` file in the repository. Message ids are English, so
the English catalogue may leave a message untranslated (the id is shown).

The language of the request being answered lives in a context variable (:func:`use`); the
Jinja2 templates' ``_()`` / ``ngettext()`` and the formatting filters (:func:`format_date`,
:func:`format_number`, ...) read it. To add or update a message: write it in a template as
``{{ _("Text") }}`` (or ``_("Text")`` in Python through :func:`gettext`), then update the
catalogues with Babel::

    pybabel extract -F src/homecoming/web/babel.cfg -o /tmp/messages.pot src/homecoming/web
    pybabel update -i /tmp/messages.pot -d src/homecoming/web/locale

and translate the new entries of ``uk/LC_MESSAGES/messages.po``. A test checks that every
message in the templates and in Python has a Ukrainian translation.
"""

from __future__ import annotations

import datetime as _dt
import gettext as _gettext
import io
import math
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _babel_date
from babel.dates import format_datetime as _babel_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

from homecoming.services.web_queries import alphabetical_key

__all__ = ["LANGUAGES", "DEFAULT_LANGUAGE", "LOCALE_DIR", "translations", "use", "current",
           "gettext", "ngettext", "lazy", "format_date", "format_datetime", "format_number",
           "format_percentage", "format_scientific", "format_iso_datetime", "normalize",
           "sort_key"]

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
#: language code -> its own name (shown in the language switch)
LANGUAGES: dict[str, str] = {"uk": "Українська", "en": "English"}
DEFAULT_LANGUAGE = "uk"


def _load(language: str) -> _gettext.NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


_TRANSLATIONS: dict[str, _gettext.NullTranslations] = {code: _load(code) for code in LANGUAGES}
_LOCALES: dict[str, Locale] = {code: Locale.parse(code) for code in LANGUAGES}
_current: ContextVar[str] = ContextVar("homecoming_web_language", default=DEFAULT_LANGUAGE)


def normalize(language: str | None) -> str | None:
    """A supported language code from ``language`` (``"en-GB"`` -> ``"en"``), else None."""
    if not language:
        return None
    code = str(language).strip().lower().replace("_", "-").split("-")[0]
    return code if code in LANGUAGES else None


def translations(language: str) -> _gettext.NullTranslations:
    return _TRANSLATIONS[normalize(language) or DEFAULT_LANGUAGE]


@contextmanager
def use(language: str | None) -> Iterator[str]:
    """Answer in ``language`` inside the block (the default language if unsupported)."""
    code = normalize(language) or DEFAULT_LANGUAGE
    token = _current.set(code)
    try:
        yield code
    finally:
        _current.reset(token)


def current() -> str:
    """The language of the request being answered."""
    return _current.get()


def gettext(message: str) -> str:
    return _TRANSLATIONS[_current.get()].gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _TRANSLATIONS[_current.get()].ngettext(singular, plural, n)


def lazy(message: str) -> str:
    """Mark ``message`` for extraction without translating it now (translate when shown)."""
    return message


def format_date(value: _dt.date | None, form: str = "medium") -> str:
    """A date written the way the current language writes it ("" for None)."""
    if value is None:
        return ""
    if isinstance(value, _dt.datetime):
        value = value.date()
    return _babel_date(value, format=form, locale=_LOCALES[_current.get()])


def format_datetime(value: _dt.datetime | None, form: str = "medium") -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.UTC)
    return _babel_datetime(value, format=form, tzinfo=_dt.UTC, locale=_LOCALES[_current.get()])


def format_number(value: float | int | None, digits: int | None = None) -> str:
    """A number with the current language's digit grouping and decimal sign."""
    if value is None:
        return ""
    if digits is not None:
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=_LOCALES[_current.get()])
    return format_decimal(value, locale=_LOCALES[_current.get()])


def format_scientific(value: float | None) -> str:
    """A large or small number as m × 10^e (e.g. LRs), with the language's decimal sign."""
    if value is None:
        return ""
    if value == 0 or 1e-3 <= abs(value) < 1e6:
        return format_number(value, 3 if abs(value) < 10 else 1)
    exponent = int(math.floor(math.log10(abs(value))))
    mantissa = value / 10 ** exponent
    return f"{format_number(mantissa, 3)} × 10^{exponent}"


def format_iso_datetime(value: str | _dt.datetime | None) -> str:
    """A date-time given as ISO text (as the services return it), formatted."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = _dt.datetime.fromisoformat(value)
    return format_datetime(value, "short")


def format_percentage(value: float | None) -> str:
    if value is None:
        return ""
    return format_percent(value, locale=_LOCALES[_current.get()])


def sort_key(text: str) -> str:
    """A key that sorts Ukrainian and Latin names alphabetically (see
    :func:`homecoming.services.web_queries.alphabetical_key`)."""
    return alphabetical_key(text)
