"""Shared building blocks of the casework records: the base model, errors, common value types.

Every casework record is a frozen pydantic model. Construction validates every field; a bad
value raises :class:`CaseworkError` (an :class:`~homecoming.errors.InputError`, hence also a
``ValueError``) whose message is one line naming the record and field, the bad value and what
was expected, e.g.::

    Grave.minimum_individuals: -1 is not valid; expected a whole number >= 0

The value is left out (of the message and of ``CaseworkError.value``) for genetic data
(a record's ``hidden_fields``) and for personal data (:data:`PERSONAL_FIELDS`: names,
birth date and place, contact, free-text descriptions of a person), e.g.
``Donor.birth_date: not valid; expected a date not in the future (...)``.

Records are immutable; :meth:`Record.evolve` returns a validated copy with some fields changed.
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic import model_validator

from homecoming.errors import InputError
from homecoming.pedigree.pedigree import Sex

__all__ = [
    "CaseworkError",
    "StatusTransitionError",
    "Value",
    "Record",
    "Geometry",
    "Range",
    "PastDate",
    "PastDateTime",
    "Code",
    "Text",
    "CombatantStatus",
    "SharingLevel",
    "Sex",
]


class CaseworkError(InputError):
    """A casework value that fails validation (names record.field, value and expectation)."""


class StatusTransitionError(CaseworkError):
    """A life-cycle status change that is not allowed (e.g. a grave from reported to closed)."""


def _short(value: object, limit: int = 60) -> str:
    if isinstance(value, (_dt.date, _dt.datetime)):
        value = value.isoformat()
    elif isinstance(value, enum.Enum):
        value = value.value
    text = repr(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text.replace("\n", " ")


def _expectation(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", "a valid value"))
    ctx = err.get("ctx") or {}
    if kind == "value_error":
        # our own validators raise ValueError("expected ...")
        msg = msg.removeprefix("Value error, ")
        return msg.removeprefix("expected ")
    if kind == "missing":
        return "a value (the field is required)"
    if kind == "extra_forbidden":
        return "no such field"
    if kind == "enum":
        return f"one of {ctx.get('expected', '')}".strip()
    if kind == "literal_error":
        return f"one of {ctx.get('expected', '')}".strip()
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sym = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=",
               "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "") if ctx else ""
        return f"a number {sym} {bound}"
    if kind == "string_too_short":
        return "a non-empty text"
    if kind == "string_too_long":
        return f"a text of at most {ctx.get('max_length')} characters"
    if kind == "string_pattern_mismatch":
        return f"a text matching {ctx.get('pattern')}"
    if kind.startswith("date") or kind.startswith("datetime"):
        return "an ISO date (YYYY-MM-DD)" if kind.startswith("date_") else \
            "an ISO date-time (YYYY-MM-DDTHH:MM[:SS][+00:00])"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return "a whole number"
    if kind in ("float_parsing", "float_type"):
        return "a number"
    if kind in ("bool_parsing", "bool_type"):
        return "true or false"
    if kind in ("too_short", "too_long"):
        return msg[0].lower() + msg[1:]
    return msg[0].lower() + msg[1:] if msg else "a valid value"


def _convert(model: type[BaseModel], exc: ValidationError) -> CaseworkError:
    err = exc.errors()[0]
    loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
    inner = (err.get("ctx") or {}).get("error")
    if isinstance(inner, CaseworkError):
        # raised by a nested value's own __init__ (pydantic calls it while validating)
        if not loc or inner.field == f"{model.__name__}.{loc}":
            return inner
        field = f"{model.__name__}.{loc}"
        value = err.get("input")
        if inner.field and "." in inner.field:   # e.g. PersonalEffect.id -> Remains.effects.0.id
            field += "." + inner.field.split(".", 1)[1]
            value = inner.value
        expected = inner.expected or str(inner)
        return type(inner)(f"{field}: {_short(value)} is not valid; expected {expected}",
                           field=field, value=value, expected=expected)
    field = f"{model.__name__}.{loc}" if loc else model.__name__
    value = err.get("input")
    expected = _expectation(err)
    top = loc.split(".")[0]
    if err.get("type") != "missing" and (
            top in getattr(model, "hidden_fields", ()) or
            top in PERSONAL_FIELDS.get(model.__name__, ())):   # genetic/personal: never shown
        return CaseworkError(f"{field}: not valid; expected {expected}", field=field,
                             expected=expected)
    if err.get("type") == "missing":
        message = f"{field}: missing; expected {expected}"
    elif not loc:
        message = f"{field}: expected {expected}"
    else:
        message = f"{field}: {_short(value)} is not valid; expected {expected}"
    extra = len(exc.errors()) - 1
    if extra:
        message += f" (and {extra} more problem{'s' if extra > 1 else ''})"
    cls = StatusTransitionError if "status change" in expected else CaseworkError
    return cls(message, field=field, value=value, expected=expected)


# --- text at the boundary: lengths shared with the database columns, no control characters

#: identifiers and bar-codes (``Code``); the storage columns are String(CODE_LENGTH)
CODE_LENGTH = 64
#: one-line names; the storage columns of :data:`NAME_FIELDS` are String(NAME_LENGTH)
NAME_LENGTH = 200
#: enumeration values; storage String(ENUM_LENGTH)
ENUM_LENGTH = 32
#: a ``Text`` field
TEXT_LENGTH = 10_000
#: any other text value (free text in Text columns, nested values)
LONG_TEXT_LENGTH = 100_000

#: record class -> one-line name fields kept in String(NAME_LENGTH) columns
NAME_FIELDS: dict[str, frozenset[str]] = {
    "Site": frozenset({"name"}),
    "Grave": frozenset({"label"}),
    "MissingPerson": frozenset({"surname", "given_name", "patronymic"}),
    "Donor": frozenset({"full_name"}),
    "Account": frozenset({"name", "display_name"}),
}

#: record class -> fields holding personal data of a person (a missing person, a donor):
#: a validation error names the field and what was expected, never the value
PERSONAL_FIELDS: dict[str, frozenset[str]] = {
    "MissingPerson": frozenset({"surname", "given_name", "patronymic", "birth_date",
                                "birth_place", "last_seen_place", "last_seen_on",
                                "circumstances", "distinguishing_marks", "dental_notes",
                                "clothing", "notes"}),
    "Donor": frozenset({"full_name", "birth_date", "contact", "notes"}),
    # names of the people who dug, supervised or were present
    "Exhumation": frozenset({"team", "supervising_authorities"}),
    "Examination": frozenset({"persons_present"}),
}

#: characters refused everywhere: C0/C1 controls (but tab, line feed and carriage return in
#: free text), DEL, line/paragraph separators and the bidirectional overrides that make a
#: terminal or a report show text other than what is stored
_FREE_TEXT_OK = frozenset("\t\n\r")
_BIDI = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A),
                                   0x2028, 0x2029, 0x200E, 0x200F, 0x061C))


def _character_class(allowed: frozenset[str]) -> re.Pattern[str]:
    refused = [chr(c) for c in (*range(0x20), *range(0x7F, 0xA0)) if chr(c) not in allowed]
    return re.compile("[" + re.escape("".join(refused + sorted(_BIDI))) + "]")


#: the characters :func:`check_text` refuses in one line of text, and in free text
_BAD_ONE_LINE = _character_class(frozenset())
_BAD_FREE_TEXT = _character_class(_FREE_TEXT_OK)


def _bad_character(text: str, one_line: bool) -> tuple[int, str] | None:
    """The position and code point of the first refused character, or None (every record
    read or written passes here: one regular-expression search, not a loop in Python)."""
    found = (_BAD_ONE_LINE if one_line else _BAD_FREE_TEXT).search(text)
    if found is None:
        return None
    return found.start(), f"U+{ord(found.group()):04X}"


def check_text(field: str, value: str, *, limit: int = LONG_TEXT_LENGTH,
               one_line: bool = False) -> None:
    """Raise :class:`CaseworkError` if ``value`` holds a control character or is longer than
    ``limit``; the message names the field, the position and the character's code point,
    never the text itself (it may be a name)."""
    text = value.strip() if one_line else value
    bad = _bad_character(text, one_line)
    if bad is not None:
        expected = ("one line of text without control characters" if one_line
                    else "text without control characters (tab and line breaks allowed)")
        raise CaseworkError(f"{field}: control character {bad[1]} at position {bad[0] + 1} is "
                            f"not valid; expected {expected}", field=field, expected=expected)
    if len(text) > limit:
        expected = f"a text of at most {limit} characters"
        raise CaseworkError(f"{field}: {len(text)} characters is too long; expected {expected}",
                            field=field, expected=expected)


def _check_texts(where: str, value: Any, limit: int = LONG_TEXT_LENGTH,
                 one_line: bool = False, depth: int = 0) -> None:
    if isinstance(value, str):
        check_text(where, value, limit=limit, one_line=one_line)
    elif depth > 8:
        return
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if isinstance(key, str):
                check_text(f"{where} key", key, limit=NAME_LENGTH, one_line=True)
            _check_texts(f"{where}.{key}", item, depth=depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_texts(f"{where}.{i}", item, depth=depth + 1)


def _check_fields(model: type[BaseModel], data: Any) -> None:
    """The boundary check of a record's raw values (before pydantic sees them)."""
    if not isinstance(data, Mapping):
        return
    names = NAME_FIELDS.get(model.__name__, frozenset())
    for key, value in data.items():
        if value is None:
            continue
        if type(value) is str:     # the common case, checked here without building messages
            one_line = key in names
            text = value.strip() if one_line else value
            if (len(text) <= (NAME_LENGTH if one_line else LONG_TEXT_LENGTH) and
                    (_BAD_ONE_LINE if one_line else _BAD_FREE_TEXT).search(text) is None):
                continue
        field = f"{model.__name__}.{key}"
        if key in names:
            _check_texts(field, value, limit=NAME_LENGTH, one_line=True)
        else:
            _check_texts(field, value)


class Value(BaseModel):
    """Base of every casework value: frozen, no unknown fields, CaseworkError on bad values.

    Every text value is checked at this boundary first: no control characters (tab and line
    breaks only in free text; none in names and codes) and no value longer than its storage
    column (:data:`NAME_FIELDS`, :data:`NAME_LENGTH`, :data:`LONG_TEXT_LENGTH`), so that
    SQLite and PostgreSQL store exactly the same records."""

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True,
                              validate_default=True, use_enum_values=False)

    def __init__(self, /, **data: Any) -> None:
        _check_fields(type(self), data)
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _convert(type(self), exc) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:  # type: ignore[override]
        # the text checks run in __init__: pydantic validates a mapping by calling an
        # overridden __init__ with it (tests/casework check that model_validate refuses bad text)
        try:
            return super().model_validate(obj, *args, **kwargs)
        except ValidationError as exc:
            raise _convert(cls, exc) from None



class Record(Value):
    """Base of every casework record (something stored under its own key)."""

    #: name of the field that identifies the record (its key in storage)
    key_field: ClassVar[str] = "id"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build and validate a record from a mapping (e.g. parsed JSON or a CSV row)."""
        return cls.model_validate(dict(data))

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible dict (enums as their values, dates as ISO text)."""
        return self.model_dump(mode="json")

    def evolve(self, **changes: Any) -> Self:
        """A validated copy with ``changes`` applied (records are immutable)."""
        data = self.model_dump(mode="python")
        data.update(changes)
        return type(self).model_validate(data)

    @property
    def key(self) -> str:
        return str(getattr(self, self.key_field))


# --- common value types -----------------------------------------------------------------

def _today() -> _dt.date:
    return _dt.datetime.now(_dt.timezone.utc).date()


def _not_future_date(value: _dt.date) -> _dt.date:
    if isinstance(value, _dt.datetime):
        value = value.date()
    # one day of grace: "today" differs between time zones
    if value > _today() + _dt.timedelta(days=1):
        raise ValueError(f"expected a date not in the future (today is {_today()})")
    if value.year < 1850:
        raise ValueError("expected a date after 1850")
    return value


def _not_future_datetime(value: _dt.datetime) -> _dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=_dt.timezone.utc)
    value = value.astimezone(_dt.timezone.utc)
    now = _dt.datetime.now(_dt.timezone.utc)
    if value > now + _dt.timedelta(minutes=5):
        raise ValueError(f"expected a date-time not in the future (now is {now:%Y-%m-%dT%H:%M}Z)")
    return value


#: a date that is not in the future
PastDate = Annotated[_dt.date, AfterValidator(_not_future_date)]
#: an aware (UTC) date-time that is not in the future; naive values are taken as UTC
PastDateTime = Annotated[_dt.datetime, AfterValidator(_not_future_datetime)]

_CODE = r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$"
#: an identifier/code: letters, digits and . _ : / - (no spaces), at most 64 characters
Code = Annotated[str, Field(min_length=1, max_length=CODE_LENGTH, pattern=_CODE)]
#: a non-empty one-line-or-more text
Text = Annotated[str, Field(min_length=1, max_length=TEXT_LENGTH)]


class CombatantStatus(enum.Enum):
    """Civilian or military status of a dead or missing person."""

    CIVILIAN = "civilian"
    MILITARY = "military"
    UNKNOWN = "unknown"


class SharingLevel(enum.Enum):
    """How widely a record may be shared, as chosen by whoever reported it (ICMP OIC [M2])."""

    INSTITUTION_ONLY = "institution_only"   # the receiving institution (e.g. ICMP) only
    GOVERNMENT = "government"               # also the authorities of the country
    PARTNERS = "partners"                   # also partner organisations (ICRC, NGOs)
    PUBLIC = "public"                       # may be published (e.g. a public missing list)


def _check_position(pos: Any, where: str) -> tuple[float, float]:
    if not isinstance(pos, (list, tuple)) or len(pos) not in (2, 3):
        raise ValueError(f"expected {where} as [longitude, latitude]")
    try:
        lon, lat = float(pos[0]), float(pos[1])
    except (TypeError, ValueError):
        raise ValueError(f"expected {where} as [longitude, latitude] numbers") from None
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"expected a longitude in [-180, 180] at {where}, got {lon}")
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"expected a latitude in [-90, 90] at {where}, got {lat}")
    return (lon, lat)


class Geometry(Value):
    """A GeoJSON-like geometry in WGS 84: a Point or a Polygon, coordinates [longitude, latitude].

    ``Geometry.point(lon, lat)`` and ``Geometry.polygon([(lon, lat), ...])`` build them;
    ``to_geojson()`` gives the GeoJSON geometry object (RFC 7946 axis order).
    """

    type: Literal["Point", "Polygon"]
    coordinates: tuple[Any, ...]

    @model_validator(mode="after")
    def _check(self) -> Self:
        if self.type == "Point":
            pos = _check_position(list(self.coordinates), "the point")
            object.__setattr__(self, "coordinates", pos)
        else:
            rings = []
            for i, ring in enumerate(self.coordinates):
                if not isinstance(ring, (list, tuple)) or len(ring) < 4:
                    raise ValueError(f"expected polygon ring {i} to have at least 4 positions "
                                     "(closed: first == last)")
                pts = tuple(_check_position(p, f"ring {i} position {j}")
                            for j, p in enumerate(ring))
                if pts[0] != pts[-1]:
                    raise ValueError(f"expected polygon ring {i} to be closed (first position "
                                     "== last)")
                rings.append(pts)
            if not rings:
                raise ValueError("expected a polygon with at least one ring")
            object.__setattr__(self, "coordinates", tuple(rings))
        return self

    @classmethod
    def point(cls, longitude: float, latitude: float) -> "Geometry":
        return cls(type="Point", coordinates=(longitude, latitude))

    @classmethod
    def polygon(cls, ring: Sequence[tuple[float, float]]) -> "Geometry":
        """A polygon from one outer ring; the ring is closed for you if it is not."""
        pts = [tuple(p) for p in ring]
        if pts and pts[0] != pts[-1]:
            pts.append(pts[0])
        return cls(type="Polygon", coordinates=(tuple(pts),))

    @classmethod
    def from_geojson(cls, obj: Mapping[str, Any]) -> "Geometry":
        return cls.model_validate(dict(obj))

    def to_geojson(self) -> dict[str, Any]:
        if self.type == "Point":
            return {"type": "Point", "coordinates": list(self.coordinates)}
        return {"type": "Polygon",
                "coordinates": [[list(p) for p in ring] for ring in self.coordinates]}

    @property
    def longitude(self) -> float:
        """Longitude of the point, or of the outer ring's centroid (vertex mean) for a polygon."""
        return self.centroid[0]

    @property
    def latitude(self) -> float:
        return self.centroid[1]

    @property
    def centroid(self) -> tuple[float, float]:
        if self.type == "Point":
            return (float(self.coordinates[0]), float(self.coordinates[1]))
        ring = self.coordinates[0][:-1]
        return (sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring))


class Range(Value):
    """A closed numeric range [minimum, maximum] (e.g. age 30–45 years, stature 160–172 cm)."""

    minimum: float = Field(ge=0)
    maximum: float = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.minimum > self.maximum:
            raise ValueError(f"expected minimum <= maximum, got {self.minimum} > {self.maximum}")
        return self

    def __contains__(self, value: float) -> bool:
        return self.minimum <= value <= self.maximum


def no_duplicates(values: tuple[Any, ...], what: str) -> tuple[Any, ...]:
    seen: set[Any] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"expected unique {what}, {v!r} appears twice")
        seen.add(v)
    return values


SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

# keep linters quiet about re-exported helpers
_ = (field_validator,)
