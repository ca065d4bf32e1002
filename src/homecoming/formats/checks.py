"""The one set of checks every profile importer applies, and safe text at the format boundary.

Every reader of DNA profiles (profile CSV, GeneMapper, CODIS CMF, staff profiles) checks each
locus and allele here, with the grammar of :mod:`homecoming.genetics.alleles`:

* the locus must be a locus of the accepted frequency tables (default: every shipped table,
  :func:`known_loci`), compared with :func:`~homecoming.genetics.alleles.canonical_locus`;
  amelogenin (any spelling) is the sex marker and takes only ``X``/``Y``;
* an STR allele is a repeat number 1-99 with an optional one-digit microvariant (``9.3``);
  ``0``, ``999``, ``15.55``, ``X``/``Y`` at an STR locus are refused.

A refused value makes the reader stop with a :class:`~homecoming.errors.FormatError` naming
the file, the line and the column or element; nothing is written.

**Control characters** (C0 except tab and line ends, DEL, C1, and the Unicode bidirectional
overrides that can disguise text on a terminal) are refused in every file at the boundary
(:func:`check_text`); messages show values only through :func:`show`, which escapes them and
shortens long values, and oversized fields are refused by size without showing them
(:func:`check_size`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from homecoming.errors import FormatError
from homecoming.genetics.alleles import (
    AlleleError,
    allele_expectation,
    canonical_locus,
    is_amelogenin,
    parse_allele,
    parse_amelogenin,
)

__all__ = ["CONTROL_CHARACTERS", "MAX_FIELD", "check_alleles", "check_locus", "check_size",
           "check_text", "find_control", "known_loci", "show"]

#: characters refused in any text file we read: C0 controls other than tab/CR/LF, DEL, C1
#: controls, and the bidirectional overrides/isolates (U+202A-U+202E, U+2066-U+2069)
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

#: the longest single field (cell, element text) a lab file may hold, in characters
MAX_FIELD = 1024


def show(value: object, limit: int = 60) -> str:
    """``repr`` of a value for an error message: control characters escaped, at most
    ``limit`` characters."""
    text = repr(value)
    text = CONTROL_CHARACTERS.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def find_control(text: str) -> int | None:
    """Index of the first refused control character in ``text``, or ``None``."""
    m = CONTROL_CHARACTERS.search(text)
    return None if m is None else m.start()


def check_text(text: str, *, path: str | None, expected: str = "printable text") -> None:
    """Refuse ``text`` (a whole file) if it holds a control character: the error names the
    line and column and the character as ``U+XXXX``, never the raw character."""
    i = find_control(text)
    if i is None:
        return
    line = text.count("\n", 0, i) + 1
    column = i - (text.rfind("\n", 0, i) + 1) + 1
    code = f"U+{ord(text[i]):04X}"
    what = "a NUL byte" if text[i] == "\x00" else f"the control character {code}"
    raise FormatError(f"{what} at character {column}; expected {expected}", path=path,
                      line=line, value=code, expected=expected)


def check_size(value: str, *, path: str | None, line: int | None, column: str | int | None,
               limit: int = MAX_FIELD) -> None:
    """Refuse a field longer than ``limit`` characters, without showing it."""
    if len(value) > limit:
        raise FormatError(f"a field of {len(value)} characters; expected at most {limit}",
                          path=path, line=line, column=column, value=len(value),
                          expected=f"at most {limit} characters")


def known_loci() -> dict[str, str]:
    """Loci of every shipped frequency table: canonical key -> the name used in the tables."""
    from homecoming.genetics.frequencies import list_databases

    out: dict[str, str] = {}
    for info in list_databases():
        for locus in info.loci:
            out.setdefault(canonical_locus(locus), locus)
    return out


def check_locus(name: str, accepted: Mapping[str, str],
                label: str = "the shipped frequency tables") -> str:
    """The accepted name of locus ``name`` (amelogenin: ``"AMEL"``).

    :raises ValueError: naming the locus (escaped) and what was expected.
    """
    if is_amelogenin(name):
        return "AMEL"
    key = canonical_locus(name)
    if key not in accepted:
        examples = ", ".join(sorted(accepted.values())[:5])
        raise ValueError(f"{show(name)} is not a known STR locus; expected a locus of "
                         f"{label} (e.g. {examples}, ...)")
    return accepted[key]


def check_alleles(locus: str, values: Sequence[str]) -> tuple[str, ...]:
    """The alleles of one locus, normalised; ``X``/``Y`` only at amelogenin.

    :raises ValueError: saying what was expected at ``locus`` (never the allele itself:
        alleles are genetic data).
    """
    out = []
    for value in values:
        try:
            out.append(parse_amelogenin(value) if is_amelogenin(locus)
                       else parse_allele(value, locus))
        except AlleleError:
            raise ValueError(f"an allele is not valid at {locus}; expected "
                             f"{allele_expectation(locus)}") from None
    return tuple(out)
