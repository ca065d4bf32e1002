"""One error hierarchy for Homecoming.

Every error a user can cause is an :class:`InputError` (also a :class:`ValueError`), and its
message is one sentence that names the field, the bad value and what was expected. Errors in
files are :class:`FormatError` and also carry the path, line and column.
"""

from __future__ import annotations

from os import PathLike


class HomecomingError(Exception):
    """Root of every error Homecoming raises on purpose."""


class InputError(HomecomingError, ValueError):
    """Bad input: the message names the field, the value and what was expected."""

    def __init__(self, message: str, *, field: str | None = None, value: object = None,
                 expected: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.value = value
        self.expected = expected


class FormatError(InputError):
    """A structural fault in a file: names the path, the line and the column or field."""

    def __init__(self, message: str, *, path: str | PathLike[str] | None = None,
                 line: int | None = None, column: str | int | None = None,
                 value: object = None, expected: str | None = None) -> None:
        where = []
        if path is not None:
            where.append(str(path))
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        prefix = ", ".join(where)
        full = f"{prefix}: {message}" if prefix else message
        super().__init__(full, field=None if column is None else str(column), value=value,
                         expected=expected)
        self.path = None if path is None else str(path)
        self.line = line
        self.column = column
        self.reason = message


class PedigreeError(InputError):
    """A pedigree that cannot exist: unknown parent, wrong-sex parent, cycle, duplicate id."""


class FrequencyError(InputError):
    """An allele-frequency table or value that cannot be used as given."""


class MutationModelError(InputError):
    """A mutation model or matrix that is not a valid transition matrix."""


class GenotypeError(InputError):
    """A genotype that does not fit its marker or person (unknown allele, X male with two)."""


class HypothesisError(InputError):
    """A kinship hypothesis that is malformed (duplicate name, missing genotyped person)."""


class NotFoundError(HomecomingError, LookupError):
    """A record or named resource that does not exist."""


class IntegrityError(InputError):
    """A write that would break the consistency of stored casework (duplicate barcode, ...)."""


class PermissionDenied(HomecomingError):
    """The acting person may not do this (no account, inactive, role not allowed, four-eyes
    rule); the message is one line naming the person, the permission and who may."""


__all__ = [
    "HomecomingError",
    "InputError",
    "FormatError",
    "PedigreeError",
    "FrequencyError",
    "MutationModelError",
    "GenotypeError",
    "HypothesisError",
    "NotFoundError",
    "IntegrityError",
    "PermissionDenied",
]
