"""The one allele grammar and locus naming used by every reader and by the casework records.

**Locus names.** :func:`canonical_locus` is the comparison key for a locus name: case, spaces,
``_`` and ``-`` are ignored (``"Penta D"``, ``"PENTA_D"``, ``"PentaD"``; ``"VWA"``, ``"vWA"``),
and a few published synonyms are mapped to one name (:data:`LOCUS_ALIASES`, e.g. ``ACTBP2`` is
SE33, ``FIBRA`` is FGA, ``THO1`` with a letter O is TH01, ``Amelogenin`` / ``AM`` /
``AMEL_XY`` are AMEL).

**STR alleles** (:func:`parse_allele`) are written as a repeat number with an optional
microvariant of **one** decimal digit: ``15``, ``9.3``, ``22.2``, ``15.2``. The digit after the
point counts the bases of an incomplete repeat, so it is at most 3 for the common
tetranucleotide loci and at most 4 for pentanucleotide loci (Penta D, Penta E); one grammar for
all loci accepts ``.1`` to ``.4`` (ISFG recommendations, Bär et al. 1997,
doi:10.1007/s004140050130). Hence ``9.15`` is **not** "9 repeats and 15 bases": it is refused,
as is ``15.55``; ``15.0`` is read as ``15`` and leading zeros are dropped (``09`` is ``9``).
The repeat number is 1 to 99 (``1`` and ``99`` are also the STRidER "below/above range"
pseudo-alleles of the shipped tables). Three loci of the shipped norSTR tables label alleles
by fragment length in base pairs (:data:`FRAGMENT_LENGTH_LOCI`: D11S554, D17S906, APOAI1);
there the whole number may have three digits (1 to 999).

**Off-ladder** alleles are written ``OL`` (:data:`OFF_LADDER`): a reader recognises them
(:func:`is_off_ladder`) and leaves the locus out with a warning; they are never stored.

**Amelogenin** (:data:`AMELOGENIN`, :func:`is_amelogenin`) takes only ``X`` and ``Y``
(:func:`parse_amelogenin`); ``X`` or ``Y`` at an STR locus is refused.

Errors are :class:`AlleleError` (an :class:`~homecoming.errors.InputError`, hence a
``ValueError``) whose message says what was expected and never repeats the bad value: the
caller names the file, line and column.
"""

from __future__ import annotations

import re
from typing import Final

from homecoming.errors import InputError

__all__ = [
    "AMELOGENIN", "AMELOGENIN_ALLELES", "AMELOGENIN_NAMES", "AlleleError", "FRAGMENT_LENGTH_LOCI",
    "LOCUS_ALIASES", "MAX_MICROVARIANT", "OFF_LADDER", "REPEAT_RANGE", "FRAGMENT_RANGE",
    "allele_expectation", "allele_sort_key", "canonical_locus", "is_amelogenin",
    "is_off_ladder", "is_valid_allele", "parse_allele", "parse_amelogenin",
]


class AlleleError(InputError):
    """An allele label that the grammar refuses (the message says what was expected)."""


#: canonical key -> canonical key of the name it is a synonym of
LOCUS_ALIASES: Final[dict[str, str]] = {
    "AMELOGENIN": "AMEL",
    "AM": "AMEL",
    "AMELXY": "AMEL",
    "ACTBP2": "SE33",
    "FIBRA": "FGA",
    "THO1": "TH01",
    "FES": "FESFPS",
    "F13A1": "F13A01",
    "VWA31": "VWA",
    "VWA31A": "VWA",
}

#: the canonical key of amelogenin, the sex-typing marker
AMELOGENIN: Final = "AMEL"
#: spellings of amelogenin met in lab exports (all map to :data:`AMELOGENIN`)
AMELOGENIN_NAMES: Final = frozenset({"AMEL", "AMELOGENIN", "AM", "AMEL_XY"})
#: the only alleles amelogenin takes
AMELOGENIN_ALLELES: Final = frozenset({"X", "Y"})
#: the label of an off-ladder allele (GeneMapper, CODIS)
OFF_LADDER: Final = "OL"
#: inclusive range of a repeat number
REPEAT_RANGE: Final = (1, 99)
#: inclusive range of a fragment length (bp) at :data:`FRAGMENT_LENGTH_LOCI`
FRAGMENT_RANGE: Final = (1, 999)
#: largest microvariant digit (bases of an incomplete repeat; 4 for pentanucleotide loci)
MAX_MICROVARIANT: Final = 4
#: loci whose shipped tables label alleles by fragment length (canonical keys)
FRAGMENT_LENGTH_LOCI: Final = frozenset({"D11S554", "D17S906", "APOAI1"})

_SEPARATORS = re.compile(r"[\s_\-]")
_ALLELE = re.compile(r"^(\d{1,3})(?:\.(\d))?$")


def canonical_locus(name: str) -> str:
    """A comparison key for locus names: ``"Penta D"``, ``"PENTA_D"`` and ``"PentaD"`` agree,
    as do ``"VWA"`` and ``"vWA"``; synonyms in :data:`LOCUS_ALIASES` map to one key."""
    key = _SEPARATORS.sub("", str(name)).upper()
    return LOCUS_ALIASES.get(key, key)


def is_amelogenin(locus: str) -> bool:
    """Whether ``locus`` names amelogenin (any spelling in :data:`AMELOGENIN_NAMES`)."""
    return canonical_locus(locus) == AMELOGENIN


def is_off_ladder(text: str) -> bool:
    """Whether ``text`` is the off-ladder label ``OL`` (any case)."""
    return str(text).strip().upper() == OFF_LADDER


def allele_expectation(locus: str | None = None) -> str:
    """What :func:`parse_allele` accepts at ``locus``, for error messages."""
    if locus is not None and is_amelogenin(locus):
        return "X or Y"
    if locus is not None and canonical_locus(locus) in FRAGMENT_LENGTH_LOCI:
        low, high = FRAGMENT_RANGE
        return (f"a fragment length {low}-{high} with an optional microvariant .1-"
                f".{MAX_MICROVARIANT} (e.g. 214)")
    low, high = REPEAT_RANGE
    return (f"an STR allele: a repeat number {low}-{high} with an optional microvariant "
            f".1-.{MAX_MICROVARIANT} (e.g. 15, 9.3)")


def parse_allele(text: object, locus: str | None = None) -> str:
    """An STR allele label, normalised (``"15.0"`` -> ``"15"``, ``"09"`` -> ``"9"``).

    :param locus: the locus the allele was typed at; at a fragment-length locus
        (:data:`FRAGMENT_LENGTH_LOCI`) three-digit numbers are accepted.
    :raises AlleleError: if ``text`` is not an STR allele (``OL``, ``X``/``Y``, ``0``,
        ``999``, ``15.55``, ``9.15`` ...). The message does not repeat the value.
    """
    if not isinstance(text, (str, int)) or isinstance(text, bool):
        raise AlleleError(f"expected {allele_expectation(locus)}", field="allele",
                          expected=allele_expectation(locus))
    m = _ALLELE.match(str(text).strip())
    low, high = REPEAT_RANGE
    if locus is not None and canonical_locus(locus) in FRAGMENT_LENGTH_LOCI:
        low, high = FRAGMENT_RANGE
    if m is not None:
        number, variant = int(m.group(1)), m.group(2)
        if low <= number <= high and (variant is None or int(variant) <= MAX_MICROVARIANT):
            return str(number) if variant in (None, "0") else f"{number}.{variant}"
    raise AlleleError(f"expected {allele_expectation(locus)}", field="allele",
                      expected=allele_expectation(locus))


def is_valid_allele(text: object, locus: str | None = None) -> bool:
    """Whether :func:`parse_allele` accepts ``text`` (at ``locus``)."""
    try:
        parse_allele(text, locus)
    except AlleleError:
        return False
    return True


def parse_amelogenin(text: object) -> str:
    """``"X"`` or ``"Y"`` (any case, surrounding spaces ignored).

    :raises AlleleError: for anything else (the message does not repeat the value).
    """
    value = str(text).strip().upper() if isinstance(text, str) else None
    if value not in AMELOGENIN_ALLELES:
        raise AlleleError("expected X or Y at amelogenin", field="allele", expected="X or Y")
    return value


def allele_sort_key(label: str) -> tuple[float, str]:
    """Numeric order of allele labels (``9.3`` before ``10``); other labels after, by text."""
    try:
        return (float(label), label)
    except ValueError:
        return (float("inf"), label)
