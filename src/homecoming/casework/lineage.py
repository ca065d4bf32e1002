"""Lineage-marker profiles as casework records: a Y-STR haplotype and an mtDNA haplotype per
sample bar-code.

Like :class:`~homecoming.casework.profiles.DnaProfile`, a haplotype knows its sample bar-code,
never a name; validation errors never show the alleles or variants (``hidden_fields``).

**Y-STR haplotype** (:class:`YHaplotype`): locus -> allele labels. Locus names are Y-STR names
as the kits write them (``DYS19``, ``DYS389I``, ``DYS389II``, ``DYS385``, ``DYF387S1``,
``Y-GATA-H4``, ``YGATAH4``); they are kept as given after the canonical spelling of
:func:`canonical_y_locus` (upper case, ``Y-GATA-H4`` -> ``YGATAH4``). A multi-copy locus
(``DYS385``, ``DYF387S1``, ``DYS464``, ...) holds its copies in one tuple (``"11,14"`` or
``"11-14"`` in a CSV cell; sorted ascending); ``DYS385a``/``DYS385b`` given as two loci are
merged into ``DYS385``. An allele is a repeat number with an optional one-digit
microvariant (``14``, ``13.2``), at most 99.

**mtDNA haplotype** (:class:`MtdnaHaplotype`): the differences to the revised Cambridge
Reference Sequence (rCRS, Andrews et al. 1999, Nat. Genet. 23:147) in the usual notation
(Parson et al. 2014, FSI Genetics 13:134–142): position + base (``16519C``, ``263G``),
an insertion as position.n + base (``309.1C``, ``315.1C``), a deletion as position + ``d``,
``del`` or ``DEL`` (``249d``, ``249DEL``; stored as ``249DEL``), a point heteroplasmy as an
IUPAC ambiguity code (``16093Y``). ``typed_range`` lists the rCRS ranges typed
(``[(16024, 16569), (1, 576)]``, the control region, by default).
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from pydantic import Field, field_validator

from homecoming.casework._base import Code, PastDate, Record

__all__ = ["YHaplotype", "MtdnaHaplotype", "canonical_y_locus", "normalise_mt_variant",
           "CONTROL_REGION", "MULTI_COPY_LOCI"]

#: the mtDNA control region in rCRS positions (16024–16569 and 1–576)
CONTROL_REGION: tuple[tuple[int, int], ...] = ((16024, 16569), (1, 576))
#: length of the rCRS (NC_012920.1)
RCRS_LENGTH = 16569

#: Y-STR loci with more than one copy, typed as one locus with several alleles
MULTI_COPY_LOCI = frozenset({"DYS385", "DYF387S1", "DYS464", "DYS527", "DYF404S1",
                             "DYS459", "DYF403S1", "DYS724", "DYF399S1"})

_Y_LOCUS = re.compile(r"^(DYS|DYF|DXYS|Y-?GATA-?)[A-Z0-9.\-]{1,16}$")
_Y_ALLELE = re.compile(r"^\d{1,2}(\.\d)?$")
_COPY_SUFFIX = re.compile(r"^(?P<base>.+?)(?P<copy>[A-Da-d])$")
_MT = re.compile(r"^(?P<pos>\d{1,5})(?:\.(?P<ins>\d{1,2}))?"
                 r"(?P<base>[ACGTRYMKSWHBVDN]|d|del|DEL|Del|-)$")


def canonical_y_locus(name: str) -> str:
    """The canonical spelling of a Y-STR locus name: upper case, no spaces, ``Y-GATA-H4``
    (and ``GATA-H4``, ``GATA H4.1``) -> ``YGATAH4``. Not a check (see :class:`YHaplotype`)."""
    text = re.sub(r"\s+", "", str(name)).upper()
    if text in ("Y-GATA-H4", "YGATAH4", "GATA-H4", "GATAH4", "GATAH4.1", "Y-GATA-H4.1"):
        return "YGATAH4"
    return text


def _split_copies(locus: str) -> tuple[str, str | None]:
    """``DYS385a`` -> (``DYS385``, ``a``) when the base is a multi-copy locus."""
    m = _COPY_SUFFIX.match(locus)
    if m and canonical_y_locus(m.group("base")) in MULTI_COPY_LOCI:
        return canonical_y_locus(m.group("base")), m.group("copy").lower()
    return locus, None


def _repeat_key(allele: str) -> float:
    return float(allele)


def check_haplotype(value: Any) -> Any:
    """Locus -> one or more allele labels, by the Y-STR grammar (module docstring)."""
    if not isinstance(value, dict):
        return value
    out: dict[str, list[str]] = {}
    for raw_locus, alleles in value.items():
        if not isinstance(raw_locus, str) or len(raw_locus) > 40 or not raw_locus.isprintable():
            raise ValueError("expected a Y-STR locus name such as DYS19, DYS385 or YGATAH4, "
                             "got a name that is not one")
        locus = canonical_y_locus(raw_locus)
        if locus != "YGATAH4" and not _Y_LOCUS.match(locus):
            raise ValueError(f"expected a Y-STR locus name (DYS…, DYF…, YGATAH4), got "
                             f"{raw_locus[:40]!r}")
        base, _copy = _split_copies(locus)
        if isinstance(alleles, str):
            alleles = [a for a in re.split(r"[,/ ;]+|(?<=\d)-(?=\d)", alleles.strip()) if a]
        if not isinstance(alleles, (list, tuple)) or not alleles:
            raise ValueError(f"expected at least one allele at locus {locus}")
        clean = []
        for a in alleles:
            text = str(a).strip()
            if not _Y_ALLELE.match(text):
                raise ValueError(f"expected repeat numbers such as 14 or 13.2 at locus {locus}")
            clean.append(text)
        if len(clean) > 1 and base not in MULTI_COPY_LOCI:
            raise ValueError(f"expected one allele at the single-copy locus {locus} (multi-copy "
                             f"loci: {', '.join(sorted(MULTI_COPY_LOCI))})")
        if len(clean) > 6:
            raise ValueError(f"expected at most 6 copies at locus {locus}")
        out.setdefault(base, []).extend(clean)
    return {locus: tuple(sorted(alleles, key=_repeat_key)) for locus, alleles in out.items()}


def normalise_mt_variant(text: str) -> str:
    """One variant in the canonical notation (``249d`` -> ``249DEL``, ``16519c`` -> ``16519C``).

    :raises ValueError: not rCRS notation, or a position outside 1–16569.
    """
    raw = str(text).strip()
    m = _MT.match(raw) or _MT.match(raw[:-1] + raw[-1].upper() if raw else raw)
    if m is None or not 1 <= int(m.group("pos")) <= RCRS_LENGTH:
        raise ValueError("expected mtDNA variants in rCRS notation such as 16519C, 315.1C, "
                         "249d or 16093Y")
    base = m.group("base")
    base = "DEL" if base in ("d", "del", "DEL", "Del", "-") else base
    if base == "DEL" and m.group("ins"):
        raise ValueError("expected a deletion at a reference position (249d), not at an "
                         "insertion")
    ins = f".{int(m.group('ins'))}" if m.group("ins") else ""
    return f"{int(m.group('pos'))}{ins}{base}"


def _position(variant: str) -> tuple[int, int]:
    m = re.match(r"^(\d+)(?:\.(\d+))?", variant)
    assert m is not None
    return int(m.group(1)), int(m.group(2) or 0)


class YHaplotype(Record):
    """The Y-STR haplotype of one sample: locus -> allele labels (a tuple; several for a
    multi-copy locus), kit, laboratory, typing date."""

    key_field = "sample_barcode"
    hidden_fields: ClassVar[frozenset[str]] = frozenset({"haplotype"})

    sample_barcode: Code
    haplotype: dict[str, tuple[str, ...]] = Field(min_length=1)
    kit: str | None = Field(default=None, max_length=200)
    laboratory: str | None = Field(default=None, max_length=200)
    typed_on: PastDate | None = None

    @field_validator("haplotype", mode="before")
    @classmethod
    def _haplotype(cls, value: Any) -> Any:
        return check_haplotype(value)

    def alleles(self) -> dict[str, str]:
        """Locus -> one allele label per copy, the way :func:`homecoming.kinship.lineage.y_lr`
        compares them: single-copy loci as they are, multi-copy loci split into
        ``DYS385a``, ``DYS385b``, … in ascending order."""
        out: dict[str, str] = {}
        for locus, alleles in self.haplotype.items():
            if len(alleles) == 1 and locus not in MULTI_COPY_LOCI:
                out[locus] = alleles[0]
            else:
                for i, a in enumerate(alleles):
                    out[f"{locus}{'abcdef'[i]}"] = a
        return out


class MtdnaHaplotype(Record):
    """The mtDNA haplotype of one sample: differences to the rCRS (canonical notation,
    sorted by position), the typed range(s), laboratory, typing date.

    An empty variant list is a valid haplotype: the sample equals the rCRS in its range."""

    key_field = "sample_barcode"
    hidden_fields: ClassVar[frozenset[str]] = frozenset({"variants"})

    sample_barcode: Code
    variants: tuple[str, ...] = ()
    typed_range: tuple[tuple[int, int], ...] = CONTROL_REGION
    laboratory: str | None = Field(default=None, max_length=200)
    typed_on: PastDate | None = None

    @field_validator("variants", mode="before")
    @classmethod
    def _variants(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in re.split(r"[\s,;]+", value.strip()) if v]
        if not isinstance(value, (list, tuple)):
            return value
        clean = [normalise_mt_variant(str(v)) for v in value]
        if len(set(clean)) != len(clean):
            raise ValueError("expected each variant once")
        if len(clean) > 500:
            raise ValueError("expected at most 500 variants")
        return tuple(sorted(clean, key=lambda v: (_position(v), v)))

    @field_validator("typed_range", mode="before")
    @classmethod
    def _range(cls, value: Any) -> Any:
        if value is None or value == "":
            return CONTROL_REGION
        if isinstance(value, str):
            parts = [p for p in re.split(r"[\s,;]+", value.strip()) if p]
            pairs = []
            for p in parts:
                m = re.match(r"^(\d{1,5})-(\d{1,5})$", p)
                if m is None:
                    raise ValueError("expected ranges of rCRS positions such as "
                                     "'16024-16569 1-576'")
                pairs.append((int(m.group(1)), int(m.group(2))))
            value = pairs
        if isinstance(value, (list, tuple)):
            for pair in value:
                if (not isinstance(pair, (list, tuple)) or len(pair) != 2
                        or not all(isinstance(x, int) and 1 <= x <= RCRS_LENGTH for x in pair)
                        or pair[0] > pair[1]):
                    raise ValueError("expected ranges start-end of rCRS positions (1-16569, "
                                     "start <= end)")
            if not value:
                raise ValueError("expected at least one typed range")
        return value

    def in_range(self, position: int) -> bool:
        return any(lo <= position <= hi for lo, hi in self.typed_range)

    def model_post_init(self, __context: Any) -> None:
        outside = [v for v in self.variants if not self.in_range(_position(v)[0])]
        if outside:
            from homecoming.casework._base import CaseworkError

            raise CaseworkError(f"MtdnaHaplotype.variants: {len(outside)} variant(s) outside "
                                "the typed range; expected variants inside typed_range",
                                field="MtdnaHaplotype.variants")
