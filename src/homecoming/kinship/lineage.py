"""Lineage markers: Y-STR haplotypes along the paternal line, mitochondrial DNA along the
maternal line, their likelihood ratios, and the combination with the autosomal LR.

Y-STR haplotypes
----------------
A Y haplotype is passed from father to son unchanged except for mutation. The tested person
(e.g. remains) and a reference on the missing person's paternal line (father, brother,
paternal uncle, a son, …) are ``meioses`` father-to-son transmissions apart under H1
(2 for brothers, 3 for a paternal uncle). Per locus the model is the symmetric single-step
stepwise model: in one meiosis the repeat number stays with probability ``1 − μ`` and moves
one repeat up or down with ``μ/2`` each; over ``m`` meioses the net change ``d`` has the
distribution of the ``m``-fold convolution (computed exactly). ``μ`` is the locus's mutation
probability per meiosis, supplied by the caller: Homecoming ships no rates. Use the published
per-locus estimates — the YHRD mutation-rate tables (https://yhrd.org) or Ballantyne et al.
2010, "Mutability of Y-chromosomal microsatellites: rates, characteristics, molecular bases,
and forensic implications", Am. J. Hum. Genet. 87:341–353 (doi:10.1016/j.ajhg.2010.08.006).
Loci are compared one by one: a multi-copy locus (DYS385a/b) is given as separate loci; a
locus missing in either haplotype is skipped; a non-numeric allele label, or a difference
that is not a whole number of repeats (an intermediate allele), can only match exactly.

``LR_Y = Π_loci P(d_l | m, μ_l) / f`` where ``f`` is the frequency of the tested person's
haplotype (H2: the tested person is an unrelated man; for a full match it is the reference's
haplotype too).

Shipped per-locus rates: :func:`y_mutation_rates` reads ``lineage_data/ystr_mutation_rates.csv``
(YHRD release 61 rates as tabulated in Genes 2020, 11(5):566, doi:10.3390/genes11050566,
Table 1; DYS385, DYS549 and DYF387S1 from Sci. Rep. 2019, 9:9032,
doi:10.1038/s41598-019-45398-3, Table 1; see ``lineage_data/SOURCES.md``). The rate of a
multi-copy locus applies to each copy (``DYS385a``, ``DYS385b``: :func:`rate_for`).

Who is on the paternal line: :func:`paternal_line_meioses` walks the fathers of both persons
in a pedigree up to their nearest common paternal-line ancestor (father 1, brother 2,
paternal uncle 3, father's brother's son 4, …); :func:`maternal_line_meioses` does the same
through the mothers (mtDNA).

Mitochondrial DNA
-----------------
A haplotype is a set of control-region differences to the rCRS in the usual notation
(``"16519C"``, ``"263G"``, ``"315.1C"``, ``"16189Y"``). Comparison rule (:func:`compare_mtdna`),
following the SWGDAM *Interpretation Guidelines for Mitochondrial DNA Analysis by Forensic DNA
Testing Laboratories* (2019) and the ISFG recommendations (Parson et al. 2014, FSI Genetics
13:134–142):

* length variants in the homopolymeric C-stretches of HV1 (16184–16193) and HV2 (303–315),
  insertions there included (``"309.1C"``, ``"315.1C"``), are ignored;
* a deletion is written ``249d``, ``249del`` or ``249DEL`` (lower-case ``d``: a deletion;
  upper-case ``D`` is the IUPAC code A/G/T);
* a position where either haplotype shows point heteroplasmy (an IUPAC ambiguity code such as
  ``Y`` = C/T) is not a difference when the other haplotype shows one of its bases (or the
  rCRS base, when absent from the other list, is one of them);
* then: 0 differences — *cannot exclude*; 1 difference — *inconclusive*; 2 or more —
  *excluded*. Only the compared range counts (positions typed in both; the caller restricts
  the lists to it).

``LR_mt = 1 / f`` for *cannot exclude*, 0 for *excluded*, and no value (``None``) for
*inconclusive* (a single difference can be a mutation or heteroplasmy between maternal
relatives; report it without an LR).

Haplotype frequencies
---------------------
Counting method: a haplotype seen ``x`` times in a database of ``N`` haplotypes has the
frequency estimate ``x / N`` and the one-sided upper confidence bound of Clopper & Pearson
(1934, Biometrika 26:404–413), ``B⁻¹(c; x + 1, N − x)`` (``1 − (1 − c)^(1/N)`` for
``x = 0``), with ``c`` the confidence (default 0.95), as the SWGDAM Y-STR and mtDNA guidelines
recommend for haplotype statistics. The LR uses the upper bound (conservative).

Combination
-----------
Autosomal STRs, the Y chromosome and mtDNA are inherited independently (different
chromosomes; mtDNA maternally), so given the pedigree the LRs multiply:
``LR = LR_autosomal · LR_Y · LR_mt`` (:func:`combine_lrs`). This assumes the haplotype
frequency and the autosomal allele frequencies are independent in the population (no
substructure beyond what θ covers); a caller that doubts it should report the LRs apart.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

from scipy.stats import beta as _beta  # type: ignore[import-untyped]

from homecoming.errors import InputError
from homecoming.pedigree.pedigree import Pedigree, Sex

__all__ = ["HaplotypeFrequency", "MtComparison", "YLocusResult", "YResult",
           "combine_lrs", "compare_mtdna", "haplotype_frequency", "mtdna_lr",
           "step_change_probability", "y_lr", "y_mutation_rates", "rate_for",
           "paternal_line_meioses", "maternal_line_meioses", "Y_RATES_SOURCE"]

#: HV1 and HV2 homopolymeric C-stretches whose length variants are ignored.
C_STRETCHES = ((16184, 16193), (303, 315))

#: IUPAC ambiguity codes for point heteroplasmy.
IUPAC = {"R": "AG", "Y": "CT", "M": "AC", "K": "GT", "S": "CG", "W": "AT",
         "H": "ACT", "B": "CGT", "V": "ACG", "D": "AGT", "N": "ACGT"}


# --- haplotype frequency -------------------------------------------------------------------

@dataclass(frozen=True)
class HaplotypeFrequency:
    """``count`` of ``database_size``: the estimate and the one-sided ``confidence`` upper
    bound (Clopper–Pearson)."""

    count: int
    database_size: int
    confidence: float
    estimate: float
    upper_bound: float


def haplotype_frequency(count: int, database_size: int, *, confidence: float = 0.95
                        ) -> HaplotypeFrequency:
    """Counting-method frequency with its Clopper–Pearson upper bound (module docstring).

    :raises InputError: a negative count, a count above the database size, an empty
        database, or a confidence outside (0, 1).
    """
    if isinstance(database_size, bool) or not isinstance(database_size, int) \
            or database_size < 1:
        raise InputError(f"database size {database_size!r}; expected a whole number >= 1",
                         field="database_size", value=database_size)
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= database_size:
        raise InputError(f"haplotype count {count!r}; expected a whole number from 0 to the "
                         f"database size {database_size}", field="count", value=count)
    if not 0 < confidence < 1:
        raise InputError(f"confidence {confidence!r}; expected a number between 0 and 1",
                         field="confidence", value=confidence)
    if count == database_size:
        upper = 1.0
    elif count == 0:
        upper = 1.0 - (1.0 - confidence) ** (1.0 / database_size)
    else:
        upper = float(_beta.ppf(confidence, count + 1, database_size - count))
    return HaplotypeFrequency(count, database_size, confidence, count / database_size, upper)


# --- Y-STR ---------------------------------------------------------------------------------

def step_change_probability(difference: int, meioses: int, rate: float) -> float:
    """P(net change of ``difference`` repeats after ``meioses`` father-to-son transmissions)
    under the symmetric single-step model (stay ``1 − μ``, ±1 with ``μ/2`` each), exact."""
    if meioses < 0:
        raise InputError(f"meioses {meioses!r}; expected a whole number >= 0", field="meioses",
                         value=meioses)
    if not 0 <= rate <= 1:
        raise InputError(f"mutation rate {rate!r}; expected a probability", field="rate",
                         value=rate)
    dist = {0: 1.0}
    step = {0: 1.0 - rate, 1: rate / 2, -1: rate / 2}
    for _ in range(meioses):
        nxt: dict[int, float] = {}
        for d, p in dist.items():
            for s, q in step.items():
                if q > 0:
                    nxt[d + s] = nxt.get(d + s, 0.0) + p * q
        dist = nxt
    return dist.get(difference, 0.0)


@dataclass(frozen=True)
class YLocusResult:
    """One locus: the repeat difference (``None``: non-numeric or not whole repeats, compared
    for equality only) and its probability under H1."""

    locus: str
    difference: int | None
    probability: float


@dataclass(frozen=True)
class YResult:
    """The Y-STR comparison: per locus, the loci skipped (missing in either haplotype), the
    product of the per-locus probabilities under H1, the frequency used and the LR."""

    loci: list[YLocusResult]
    skipped: list[str]
    probability_h1: float
    frequency: float
    lr: float

    @property
    def log10_lr(self) -> float | None:
        return math.log10(self.lr) if self.lr > 0 else None


_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def _repeat_difference(a: str, b: str) -> int | None:
    if not (_NUMBER.match(a) and _NUMBER.match(b)):
        return None
    diff = float(b) - float(a)
    return int(round(diff)) if abs(diff - round(diff)) < 1e-9 else None


def y_lr(tested: Mapping[str, str | None], reference: Mapping[str, str | None], *,
         meioses: int, rates: Mapping[str, float], frequency: float) -> YResult:
    """The LR of a Y-STR comparison along the paternal line (module docstring).

    :param tested: the tested person's haplotype (locus -> allele label).
    :param reference: the paternal-line reference's haplotype.
    :param meioses: father-to-son transmissions between them under H1.
    :param rates: mutation probability per meiosis of every compared locus.
    :param frequency: the haplotype frequency (e.g. :attr:`HaplotypeFrequency.upper_bound`).
    :raises InputError: a compared locus without a rate, or a frequency outside (0, 1].
    """
    if not 0 < frequency <= 1:
        raise InputError(f"haplotype frequency {frequency!r}; expected a number in (0, 1]",
                         field="frequency", value=frequency)
    results: list[YLocusResult] = []
    skipped: list[str] = []
    total = 1.0
    for locus in sorted(set(tested) | set(reference)):
        a, b = tested.get(locus), reference.get(locus)
        if a is None or b is None:
            skipped.append(locus)
            continue
        if locus not in rates:
            raise InputError(f"Y-STR locus {locus!r} has no mutation rate; expected a rate per "
                             "compared locus (e.g. from YHRD)", field="rates", value=locus)
        diff = _repeat_difference(str(a), str(b))
        rate = float(rates[locus])
        if diff is None:
            p = step_change_probability(0, meioses, rate) if str(a) == str(b) else 0.0
        else:
            p = step_change_probability(diff, meioses, rate)
        results.append(YLocusResult(locus, diff, p))
        total *= p
    return YResult(results, skipped, total, frequency, total / frequency)


# --- mtDNA ---------------------------------------------------------------------------------

_VARIANT = re.compile(r"^(\d+)(?:\.(\d+))?([A-Za-z-]+)$")


_DELETION = {"d", "del", "Del", "DEL", "-"}


def _parse(variant: str) -> tuple[int, int, str]:
    match = _VARIANT.match(variant.strip())
    if match is None:
        raise InputError(f"mtDNA variant {variant!r}; expected rCRS notation such as 16519C, "
                         "315.1C, 249d or 16189Y", field="mtdna", value=variant)
    base = match.group(3)
    base = "DEL" if base in _DELETION else base.upper()
    return int(match.group(1)), int(match.group(2) or 0), base


def _in_c_stretch(position: int) -> bool:
    return any(lo <= position <= hi for lo, hi in C_STRETCHES)


def _bases(code: str) -> set[str]:
    return set(IUPAC.get(code, code))


@dataclass(frozen=True)
class MtComparison:
    """The outcome of comparing two mtDNA haplotypes (module docstring)."""

    conclusion: Literal["cannot exclude", "inconclusive", "excluded"]
    differences: list[str]
    ignored: list[str]


def compare_mtdna(first: Iterable[str], second: Iterable[str], *,
                  reference_bases: Mapping[int, str] | None = None) -> MtComparison:
    """Compare two haplotypes given as differences to the rCRS (module docstring).

    ``reference_bases`` (position -> rCRS base) lets a heteroplasmy in one haplotype match the
    rCRS base of the other at a position the other does not list; without it such a
    position counts as a difference.
    """
    def table(variants: Iterable[str]) -> tuple[dict[tuple[int, int], str], list[str]]:
        kept: dict[tuple[int, int], str] = {}
        dropped: list[str] = []
        for v in variants:
            pos, ins, base = _parse(v)
            if _in_c_stretch(pos):
                dropped.append(v)
                continue
            kept[(pos, ins)] = base
        return kept, dropped

    a, dropped_a = table(first)
    b, dropped_b = table(second)
    rcrs = reference_bases or {}
    differences: list[str] = []
    for key in sorted(set(a) | set(b)):
        x, y = a.get(key), b.get(key)
        if x == y:
            continue
        pos, ins = key
        label = f"{pos}{'.' + str(ins) if ins else ''}"
        if x is None or y is None:
            shown = x if x is not None else y
            assert shown is not None
            other = rcrs.get(pos) if ins == 0 else None
            if other is not None and len(_bases(shown)) > 1 and other.upper() in _bases(shown):
                continue
            differences.append(f"{label}{shown}")
            continue
        if len(_bases(x)) > 1 or len(_bases(y)) > 1:
            if _bases(x) & _bases(y):
                continue
        differences.append(f"{label}{x}/{y}")
    n = len(differences)
    conclusion: Literal["cannot exclude", "inconclusive", "excluded"] = (
        "cannot exclude" if n == 0 else "inconclusive" if n == 1 else "excluded")
    return MtComparison(conclusion, differences, sorted(set(dropped_a) | set(dropped_b)))


def mtdna_lr(comparison: MtComparison, frequency: float) -> float | None:
    """``1/f`` when the haplotypes cannot be excluded, 0 when excluded, ``None`` when
    inconclusive (module docstring)."""
    if not 0 < frequency <= 1:
        raise InputError(f"haplotype frequency {frequency!r}; expected a number in (0, 1]",
                         field="frequency", value=frequency)
    if comparison.conclusion == "cannot exclude":
        return 1.0 / frequency
    if comparison.conclusion == "excluded":
        return 0.0
    return None


# --- combination ---------------------------------------------------------------------------

def combine_lrs(autosomal: float, *lineage: float | None) -> float:
    """``LR_autosomal × Π LR_lineage`` (independent inheritance; module docstring); a lineage
    LR of ``None`` (inconclusive) is left out."""
    total = float(autosomal)
    for value in lineage:
        if value is not None:
            total *= float(value)
    return total


# --- shipped Y-STR mutation rates ------------------------------------------------------------

#: where the shipped rates come from (one line, for provenance and reports)
Y_RATES_SOURCE = ("YHRD release 61 per-locus rates as tabulated in Genes 2020 11(5):566 "
                  "(doi:10.3390/genes11050566) Table 1; DYS385, DYS549, DYF387S1 from "
                  "Sci Rep 2019 9:9032 (doi:10.1038/s41598-019-45398-3) Table 1")


def y_mutation_rates() -> dict[str, float]:
    """The shipped per-locus Y-STR mutation probabilities per meiosis (locus -> rate), read
    from ``lineage_data/ystr_mutation_rates.csv`` (sources: ``lineage_data/SOURCES.md``)."""
    import csv
    from importlib import resources

    text = (resources.files("homecoming.kinship") / "lineage_data" /
            "ystr_mutation_rates.csv").read_text(encoding="utf-8")
    return {row["locus"]: float(row["rate"]) for row in csv.DictReader(text.splitlines())}


_COPY = re.compile(r"^(.+?)[a-f]$")


def rate_for(locus: str, rates: Mapping[str, float]) -> float | None:
    """The rate of ``locus``; a copy of a multi-copy locus (``DYS385a``) takes the rate of
    its locus (``DYS385``); ``None`` when there is none."""
    if locus in rates:
        return float(rates[locus])
    match = _COPY.match(locus)
    if match is not None and match.group(1) in rates:
        return float(rates[match.group(1)])
    return None


# --- who is on the same line ---------------------------------------------------------------

def _line(pedigree: Pedigree, pid: str, parent: Literal["father", "mother"]) -> dict[str, int]:
    """Person -> generations up the ``parent`` line from ``pid`` (``pid`` itself: 0)."""
    out: dict[str, int] = {}
    current: str | None = pid
    depth = 0
    while current is not None and current not in out:
        out[current] = depth
        person = pedigree[current]
        current = person.father if parent == "father" else person.mother
        depth += 1
    return out


def _common(pedigree: Pedigree, a: str, b: str,
            parent: Literal["father", "mother"]) -> int | None:
    up_a, up_b = _line(pedigree, a, parent), _line(pedigree, b, parent)
    shared = [up_a[x] + up_b[x] for x in up_a if x in up_b]
    return min(shared) if shared else None


def paternal_line_meioses(pedigree: Pedigree, a: str, b: str) -> int | None:
    """Father-to-son transmissions between ``a`` and ``b`` through their nearest common
    paternal-line ancestor, or ``None`` when they are not on one paternal line or either is
    not male (a person of unknown sex counts as male: the caller checks what it knows)."""
    for pid in (a, b):
        if pedigree[pid].sex is Sex.FEMALE:
            return None
    return _common(pedigree, a, b, "father")


def maternal_line_meioses(pedigree: Pedigree, a: str, b: str) -> int | None:
    """Mother-to-child transmissions between ``a`` and ``b`` through their nearest common
    maternal-line ancestor (mtDNA), or ``None`` when they are not on one maternal line."""
    return _common(pedigree, a, b, "mother")
