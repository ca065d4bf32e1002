"""Lineage markers in the application: store, import and export Y-STR and mtDNA haplotypes,
and compare the remains' haplotypes with the paternal- and maternal-line references of each
family (the LRs multiply into the autosomal LR of ``identify``).

The rules (docs/explanation/lineage-markers.md; the math is :mod:`homecoming.kinship.lineage`):

* **Who is on the line.** The family pedigree (as ``identify`` rebuilds it from the donor
  records: :func:`~homecoming.services.case_identification.family_pedigree`) says who shares
  the missing person's paternal line (father, brother, son, paternal uncle, father's
  brother's son, … through fathers only) and maternal line (through mothers only). Y-STRs
  are compared only when the missing person is not recorded as female and the reference is
  male; of several typed references on a line the closest (fewest meioses) is used, the others
  carry no independent information about the line.
* **Y-STRs**: per locus the single-step model over the meioses between the missing person and
  the reference, with the shipped per-locus rates
  (:func:`~homecoming.kinship.lineage.y_mutation_rates`; loci without a rate are skipped and
  listed).
* **mtDNA**: compared over the range typed in both; length variants in the C-stretches
  ignored, heteroplasmy shared is no difference; 0 differences *cannot exclude*, 1
  *inconclusive* (no LR), ≥ 2 *excluded* (LR 0).
* **Haplotype frequency.** Homecoming ships no haplotype database: the count comes from the
  **stored reference haplotypes of the case** (the donors' haplotypes): ``x`` of the ``N``
  references typed at the compared loci (Y) / whose mtDNA cannot be excluded from the tested
  haplotype (mtDNA) carry the tested haplotype, and the LR uses the one-sided 95%
  Clopper–Pearson upper bound of ``x/N`` (:func:`~homecoming.kinship.lineage.haplotype_frequency`).
  Every LR states ``x``, ``N`` and the bound.
* **Combination**: ``LR = LR_autosomal × LR_Y × LR_mtDNA`` (independent inheritance: the Y
  chromosome, mtDNA and the autosomes; an inconclusive mtDNA comparison is left out).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from homecoming.casework.lineage import MtdnaHaplotype, YHaplotype
from homecoming.errors import InputError
from homecoming.services._common import _authorize
from homecoming.storage.repositories._base import Repository, genotypes_digest
from homecoming.storage.tables_lineage import mtdna_haplotypes, y_haplotypes

__all__ = ["YHaplotypeRepository", "MtdnaHaplotypeRepository", "LINEAGE_KINDS",
           "import_lineage", "export_lineage", "LineageCase", "LineageMatch", "load_lineage",
           "lineage_matches", "COMBINATION_NOTE", "FREQUENCY_NOTE", "CONFIDENCE"]

#: the stated rule of the combination (output and provenance)
COMBINATION_NOTE = ("LR = autosomal LR x Y-STR LR x mtDNA LR: the Y chromosome, mtDNA and the "
                    "autosomes are inherited independently (an inconclusive mtDNA comparison "
                    "is left out)")
#: the stated source of the haplotype frequencies
FREQUENCY_NOTE = ("haplotype frequency: count among the stored reference haplotypes of this "
                  "case (no haplotype database ships), one-sided 95% Clopper-Pearson upper "
                  "bound")
#: confidence of the Clopper–Pearson bound
CONFIDENCE = 0.95


class YHaplotypeRepository(Repository[YHaplotype]):
    model = YHaplotype
    table = y_haplotypes
    noun = "Y-STR haplotype"

    def audit_view(self, record: YHaplotype) -> dict[str, Any]:
        """Loci and a SHA-256 of the haplotype, never the alleles."""
        view = record.to_dict()
        haplotype = view.pop("haplotype")
        view["loci"] = sorted(haplotype)
        view["haplotype_sha256"] = genotypes_digest(haplotype)
        return view


class MtdnaHaplotypeRepository(Repository[MtdnaHaplotype]):
    model = MtdnaHaplotype
    table = mtdna_haplotypes
    noun = "mtDNA haplotype"

    def audit_view(self, record: MtdnaHaplotype) -> dict[str, Any]:
        """The typed range, the number of variants and a SHA-256 of them, never a variant."""
        view = record.to_dict()
        variants = view.pop("variants")
        view["variant_count"] = len(variants)
        view["variants_sha256"] = genotypes_digest({"variants": variants})
        return view


#: kind -> (noun, repository, reader, writer)
LINEAGE_KINDS: dict[str, tuple[str, type[Repository[Any]], str, str]] = {
    "ystr": ("Y-STR haplotypes", YHaplotypeRepository, "read_ystr_csv", "format_ystr_csv"),
    "mtdna": ("mtDNA haplotypes", MtdnaHaplotypeRepository, "read_mtdna_csv",
              "format_mtdna_csv"),
}


def _kind(kind: str) -> tuple[str, type[Repository[Any]], str, str]:
    if kind not in LINEAGE_KINDS:
        raise InputError(f"lineage kind {kind!r}; expected one of {', '.join(LINEAGE_KINDS)}",
                         field="kind", value=kind)
    return LINEAGE_KINDS[kind]


def import_lineage(db: Any, kind: str, path: str | Path, *, dry_run: bool = False,
                   actor: str | None = None) -> Any:
    """Validate a Y-STR (``kind="ystr"``) or mtDNA (``"mtdna"``) CSV against the stored
    samples and store it in one transaction, every insert audited (nothing when ``dry_run``).

    Each bar-code must be a stored sample without a haplotype of that kind. Needs
    ``records.import`` and ``profiles.write``. Returns the
    :class:`~homecoming.services.imports.ImportResult`.

    :raises FormatError: a bad cell (file, line, column; never the allele or variant).
    """
    from homecoming.formats import lineage_csv
    from homecoming.services.imports import PERMISSION_IMPORT, ImportResult, check_csv_file
    from homecoming.storage.repositories import SampleRepository

    noun, repo_class, reader, _ = _kind(kind)
    path = Path(path)
    check_csv_file(path, f"homecoming import {kind}")
    with db.session() as session:
        if not dry_run:
            _authorize(session, PERMISSION_IMPORT, actor, "profiles.write")
        repo = repo_class(session, user=actor)
        records = getattr(lineage_csv, reader)(
            path, existing=repo.keys(), sample_barcodes=SampleRepository(session).keys())
        if not dry_run:
            repo.add_all(records)
    return ImportResult(kind, noun, len(records), str(path), db.masked_url, dry_run)


def export_lineage(db: Any, kind: str, path: str | Path, *, actor: str | None = None) -> int:
    """Write the stored haplotypes of ``kind`` (``ystr`` / ``mtdna``) as the CSV the import
    reads; each exported record is audited (``records.export``). Haplotypes of donors whose
    consent withdrawal is in effect are left out. Returns how many."""
    from homecoming.formats import lineage_csv
    from homecoming.formats.registry import atomic_write_text
    from homecoming.services.audit import record_export
    from homecoming.services.consent import withdrawn_barcodes
    from homecoming.services.exports import PERMISSION_EXPORT

    _, repo_class, _, writer = _kind(kind)
    with db.session() as session:
        _authorize(session, PERMISSION_EXPORT, actor)
        withdrawn = set(withdrawn_barcodes(session))
        records = sorted((r for r in repo_class(session).list()
                          if r.sample_barcode not in withdrawn), key=lambda r: r.key)
        record_export(session, repo_class.table.name, [r.key for r in records],
                      destination=str(path), file_format="csv", actor=actor)
    atomic_write_text(path, getattr(lineage_csv, writer)(records))
    return len(records)


# --- comparison with the families ----------------------------------------------------------

@dataclass
class LineageCase:
    """The lineage haplotypes of a stored case: per remains code and per donor id (the first
    typed sample of each), and the reference (donor) haplotypes that form the count database."""

    y_remains: dict[str, YHaplotype] = field(default_factory=dict)
    y_donors: dict[str, YHaplotype] = field(default_factory=dict)
    mt_remains: dict[str, MtdnaHaplotype] = field(default_factory=dict)
    mt_donors: dict[str, MtdnaHaplotype] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool((self.y_remains and self.y_donors) or (self.mt_remains and self.mt_donors))


def load_lineage(session: Any) -> LineageCase:
    """The stored Y-STR and mtDNA haplotypes by remains code and donor id (donors whose
    consent withdrawal is in effect left out)."""
    from sqlalchemy import select

    from homecoming.services.consent import withdrawn_barcodes
    from homecoming.storage import tables

    s = tables.samples
    origin = {row.barcode: (row.remains_code, row.donor_id) for row in session.execute(
        select(s.c.barcode, s.c.remains_code, s.c.donor_id).order_by(s.c.barcode))}
    withdrawn = set(withdrawn_barcodes(session))
    case = LineageCase()
    for repo, remains, donors in (
            (YHaplotypeRepository(session), case.y_remains, case.y_donors),
            (MtdnaHaplotypeRepository(session), case.mt_remains, case.mt_donors)):
        for record in sorted(repo.list(), key=lambda r: r.key):
            if record.sample_barcode in withdrawn or record.sample_barcode not in origin:
                continue
            remains_code, donor_id = origin[record.sample_barcode]
            if remains_code is not None:
                remains.setdefault(remains_code, record)
            elif donor_id is not None:
                donors.setdefault(donor_id, record)
    return case


@dataclass
class LineageMatch:
    """The lineage evidence for "these remains are this missing person".

    ``y`` / ``mtdna``: what was compared (reference donor, meioses, loci or differences, the
    count ``x`` of ``N`` with its upper bound, the LR), or None when not compared.
    """

    remains: str
    missing: str
    y: dict[str, Any] | None = None
    mtdna: dict[str, Any] | None = None

    @property
    def y_lr(self) -> float | None:
        return None if self.y is None else self.y["lr"]

    @property
    def mtdna_lr(self) -> float | None:
        return None if self.mtdna is None else self.mtdna["lr"]

    @property
    def lr(self) -> float | None:
        """The product of the lineage LRs (None when none has a value)."""
        values = [v for v in (self.y_lr, self.mtdna_lr) if v is not None]
        if not values:
            return None
        return math.prod(values)

    def per_marker(self) -> dict[str, float]:
        """Rows for a per-marker table: ``"Y haplotype"`` and ``"mtDNA"`` (those with an LR)."""
        out: dict[str, float] = {}
        if self.y_lr is not None:
            out["Y haplotype"] = float(self.y_lr)
        if self.mtdna_lr is not None:
            out["mtDNA"] = float(self.mtdna_lr)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"remains": self.remains, "missing": self.missing, "y": self.y,
                "mtdna": self.mtdna, "lr": self.lr, "combination": COMBINATION_NOTE,
                "frequency": FREQUENCY_NOTE}


def _restrict(h: MtdnaHaplotype, ranges: Sequence[tuple[int, int]]) -> list[str]:
    import re

    out = []
    for v in h.variants:
        m = re.match(r"^(\d+)", v)
        assert m is not None
        pos = int(m.group(1))
        if any(lo <= pos <= hi for lo, hi in ranges):
            out.append(v)
    return out


def _overlap(a: Sequence[tuple[int, int]], b: Sequence[tuple[int, int]]
             ) -> list[tuple[int, int]]:
    out = []
    for lo1, hi1 in a:
        for lo2, hi2 in b:
            lo, hi = max(lo1, lo2), min(hi1, hi2)
            if lo <= hi:
                out.append((lo, hi))
    return out


def _mt_compare(a: MtdnaHaplotype, b: MtdnaHaplotype) -> Any:
    from homecoming.kinship.lineage import compare_mtdna

    common = _overlap(a.typed_range, b.typed_range)
    return compare_mtdna(_restrict(a, common), _restrict(b, common)), common


def _closest(pedigree: Any, mp: str, placed: Mapping[str, str], typed: Mapping[str, Any],
             line: Any) -> tuple[str, int] | None:
    best: tuple[int, str] | None = None
    for donor_id in sorted(typed):
        pid = placed.get(donor_id)
        if pid is None:
            continue
        meioses = line(pedigree, mp, pid)
        if meioses is None or meioses == 0:
            continue
        if best is None or meioses < best[0]:
            best = (meioses, donor_id)
    return None if best is None else (best[1], best[0])


def lineage_matches(victims: Sequence[Any], families: Sequence[Any], case: LineageCase, *,
                    rates: Mapping[str, float] | None = None,
                    confidence: float = CONFIDENCE) -> dict[tuple[str, str], LineageMatch]:
    """(remains code, missing person id) -> :class:`LineageMatch` for every pair where the
    remains and a paternal- or maternal-line reference of the family have a haplotype of the
    same kind (module docstring for the rules).

    :param victims: objects with ``id`` and ``sex`` (``VictimData``).
    :param families: objects with ``missing`` (a MissingPerson) and ``donors`` (``FamilyData``).
    :param rates: Y-STR locus -> mutation rate (default: the shipped rates).
    """
    from homecoming.kinship.lineage import (
        haplotype_frequency,
        maternal_line_meioses,
        mtdna_lr,
        paternal_line_meioses,
        rate_for,
        y_lr,
        y_mutation_rates,
    )
    from homecoming.pedigree.pedigree import Sex
    from homecoming.services.case_identification import family_pedigree

    out: dict[tuple[str, str], LineageMatch] = {}
    if not case:
        return out
    rates = dict(y_mutation_rates() if rates is None else rates)
    y_db = {d: h.alleles() for d, h in case.y_donors.items()}
    mt_db = list(case.mt_donors.values())
    for fam in families:
        mp = fam.missing
        family_donors = {d.id for d in fam.donors}
        ped, placed = family_pedigree(mp, fam.donors)
        y_ref = None
        if mp.sex is not Sex.FEMALE:
            typed_y = {d: h for d, h in case.y_donors.items() if d in family_donors}
            y_ref = _closest(ped, mp.id, placed, typed_y, paternal_line_meioses)
        typed_mt = {d: h for d, h in case.mt_donors.items() if d in family_donors}
        mt_ref = _closest(ped, mp.id, placed, typed_mt, maternal_line_meioses)
        if y_ref is None and mt_ref is None:
            continue
        for victim in victims:
            match = LineageMatch(victim.id, mp.id)
            tested_y = case.y_remains.get(victim.id)
            if y_ref is not None and tested_y is not None and victim.sex is not Sex.FEMALE:
                donor_id, meioses = y_ref
                tested = tested_y.alleles()
                reference = y_db[donor_id]
                shared = sorted(set(tested) & set(reference))
                compared = [x for x in shared if rate_for(x, rates) is not None]
                no_rate = [x for x in shared if rate_for(x, rates) is None]
                if compared:
                    n = sum(1 for h in y_db.values() if all(x in h for x in compared))
                    x_count = sum(1 for h in y_db.values()
                                  if all(h.get(x) == tested[x] for x in compared))
                    freq = haplotype_frequency(x_count, n, confidence=confidence)
                    result = y_lr({x: tested[x] for x in compared},
                                  {x: reference[x] for x in compared}, meioses=meioses,
                                  rates={x: rate_for(x, rates) or 0.0 for x in compared},
                                  frequency=freq.upper_bound)
                    match.y = {
                        "reference": donor_id, "meioses": meioses, "loci": len(compared),
                        "differences": {r.locus: r.difference for r in result.loci
                                        if r.difference != 0},
                        "skipped": sorted(set(result.skipped) | set(no_rate)
                                          | (set(tested) ^ set(reference))),
                        "count": x_count, "database_size": n, "confidence": confidence,
                        "frequency_estimate": freq.estimate,
                        "frequency_upper_bound": freq.upper_bound,
                        "probability_h1": result.probability_h1, "lr": result.lr}
            tested_mt = case.mt_remains.get(victim.id)
            if mt_ref is not None and tested_mt is not None:
                donor_id, meioses = mt_ref
                comparison, common = _mt_compare(tested_mt, case.mt_donors[donor_id])
                n = len(mt_db)
                x_count = sum(1 for h in mt_db
                              if _mt_compare(tested_mt, h)[0].conclusion == "cannot exclude")
                freq = haplotype_frequency(x_count, n, confidence=confidence)
                match.mtdna = {
                    "reference": donor_id, "meioses": meioses,
                    "compared_range": [list(r) for r in common],
                    "conclusion": comparison.conclusion,
                    "differences": len(comparison.differences),
                    "ignored_length_variants": len(comparison.ignored),
                    "count": x_count, "database_size": n, "confidence": confidence,
                    "frequency_estimate": freq.estimate,
                    "frequency_upper_bound": freq.upper_bound,
                    "lr": mtdna_lr(comparison, freq.upper_bound)}
            if match.y is not None or match.mtdna is not None:
                out[(victim.id, mp.id)] = match
    return out


# --- advice: when a lineage marker is the gain ------------------------------------------------

def typed_lineage_donors(db: Any) -> tuple[set[str], set[str]]:
    """(donor ids with a stored Y-STR haplotype, donor ids with a stored mtDNA haplotype)."""
    with db.session() as session:
        case = load_lineage(session)
    return set(case.y_donors), set(case.mt_donors)


def lines_typed(family: Any, y_donors: set[str] | frozenset[str],
                mt_donors: set[str] | frozenset[str]) -> tuple[bool, bool]:
    """Whether the family already has a Y-STR reference on the missing person's paternal line
    and an mtDNA reference on the maternal line (the pedigree as ``identify`` rebuilds it)."""
    from homecoming.kinship.lineage import maternal_line_meioses, paternal_line_meioses
    from homecoming.services.case_identification import family_pedigree

    if not (y_donors or mt_donors):
        return False, False
    ped, placed = family_pedigree(family.missing, family.donors)
    mp = family.missing.id

    def on(donors: set[str] | frozenset[str], line: Any) -> bool:
        return any(d.id in donors and d.id in placed and line(ped, mp, placed[d.id])
                   for d in family.donors)

    return on(y_donors, paternal_line_meioses), on(mt_donors, maternal_line_meioses)


def lineage_requests(family: Any, y_donors: set[str] | frozenset[str],
                     mt_donors: set[str] | frozenset[str]) -> list[dict[str, Any]]:
    """The family's donors on the missing person's paternal line (the missing person male,
    the donor male) without a stored Y-STR haplotype, and on the maternal line without an
    mtDNA haplotype, closest first: ``{"donor", "relationship", "ask_for", "meioses"}``.
    Asking such a donor for his Y (her/his mtDNA) needs no new person, only a new test of
    the sample or a new swab."""
    from homecoming.kinship.lineage import maternal_line_meioses, paternal_line_meioses
    from homecoming.pedigree.pedigree import Sex
    from homecoming.services.case_identification import family_pedigree

    ped, placed = family_pedigree(family.missing, family.donors)
    mp = family.missing.id
    out = []
    y_done, mt_done = lines_typed(family, y_donors, mt_donors)
    for d in family.donors:
        if d.id not in placed or d.id not in family.profiles:   # typed references only
            continue
        if family.missing.sex is Sex.MALE and not y_done and d.id not in y_donors \
                and d.sex is Sex.MALE:
            m = paternal_line_meioses(ped, mp, placed[d.id])
            if m:
                out.append({"donor": d.id, "relationship": d.relationship.value,
                            "ask_for": "Y-STR", "meioses": m})
        if not mt_done and d.id not in mt_donors:
            m = maternal_line_meioses(ped, mp, placed[d.id])
            if m:
                out.append({"donor": d.id, "relationship": d.relationship.value,
                            "ask_for": "mtDNA", "meioses": m})
    return sorted(out, key=lambda r: (r["meioses"], r["ask_for"], r["donor"]))


def annotate_advice(entry: dict[str, Any], *, y_typed: bool = False,
                    mt_typed: bool = False) -> dict[str, Any]:
    """Add to each candidate of an advice-result@1 family entry what to ask them for
    (``ask_for``: ``"Y-STR"``, ``"mtDNA"``, ``"autosomal STRs"``) and ``suggestion`` (one
    line), and to the entry ``best_lineage_donor`` (the best-ranked candidate whose lineage
    marker is new to the family, or None).

    A candidate's Y-STR haplotype is the gain when they share the missing person's Y (a man
    on a male missing person's paternal line: ``lineages`` has ``"Y"``, which the advice only
    gives a male missing person) and no Y reference is typed on that line yet; likewise mtDNA.
    When their autosomal profile would not reach the threshold, the suggestion puts the
    lineage marker first: it is what can carry the family over the threshold.
    """
    best = None
    for candidate in entry["candidates"]:
        lineage = []
        if "Y" in candidate["lineages"] and not y_typed:
            lineage.append("Y-STR")
        if "mtDNA" in candidate["lineages"] and not mt_typed:
            lineage.append("mtDNA")
        candidate["ask_for"] = ([*lineage, "autosomal STRs"]
                                if not candidate["reaches_threshold"]
                                else ["autosomal STRs", *lineage])
        if lineage and not candidate["reaches_threshold"]:
            candidate["suggestion"] = (f"ask for {' and '.join(lineage)} (shares the missing "
                                       f"person's {' and '.join(candidate['lineages'])} line) "
                                       "and autosomal STRs")
        elif lineage:
            candidate["suggestion"] = f"autosomal STRs, also {' and '.join(lineage)}"
        else:
            candidate["suggestion"] = "autosomal STRs"
        if lineage and best is None:
            best = candidate
    entry["best_lineage_donor"] = best
    return entry


# --- blind screening: lineage markers of the candidate pairs ----------------------------------

#: pairwise screening relationship -> (Y meioses when both are men, whether mtDNA is shared)
SCREENING_LINES: dict[str, tuple[int | None, bool]] = {
    "direct": (0, True), "parent_child": (1, False), "full_sibling": (2, True),
    "half_sibling": (None, False)}


def screening_lineage(session: Any, rows: Sequence[Mapping[str, Any]], *,
                      rates: Mapping[str, float] | None = None,
                      confidence: float = CONFIDENCE) -> list[dict[str, Any]]:
    """For the candidate pairs of a blind screening (``rows``: ``pm``, ``reference`` bar-codes,
    ``relationship``, ``log10_lr``), the lineage LRs where both samples have a haplotype of a
    kind the relationship shares: Y-STRs for ``direct`` (0 meioses), ``parent_child``
    (father–son, 1) and ``full_sibling`` (brothers, 2); mtDNA for ``direct`` and
    ``full_sibling`` (the same mother). A parent–child pair is not compared for mtDNA (the
    screening does not know which is the mother) nor a half-sibling pair at all (which parent
    is shared is unknown). Frequencies and combination as in :func:`lineage_matches`; each row
    gives ``combined_log10_lr`` (the autosomal log10 LR plus the lineage ones)."""
    from homecoming.kinship.lineage import (
        haplotype_frequency,
        mtdna_lr,
        rate_for,
        y_lr,
        y_mutation_rates,
    )

    ys = {r.sample_barcode: r for r in YHaplotypeRepository(session).list()}
    mts = {r.sample_barcode: r for r in MtdnaHaplotypeRepository(session).list()}
    if not ys and not mts:
        return []
    from sqlalchemy import select

    from homecoming.storage import tables

    s = tables.samples
    donor_samples = {b for (b,) in session.execute(
        select(s.c.barcode).where(s.c.source == "donor"))}
    y_db = [ys[b].alleles() for b in sorted(ys) if b in donor_samples]
    mt_db = [mts[b] for b in sorted(mts) if b in donor_samples]
    rates = dict(y_mutation_rates() if rates is None else rates)
    out = []
    for row in rows:
        pm, ref, rel = str(row["pm"]), str(row["reference"]), str(row["relationship"])
        meioses, shares_mt = SCREENING_LINES.get(rel, (None, False))
        item: dict[str, Any] = {"pm": pm, "reference": ref, "relationship": rel}
        if meioses is not None and pm in ys and ref in ys and y_db:
            tested, reference = ys[pm].alleles(), ys[ref].alleles()
            compared = [x for x in sorted(set(tested) & set(reference))
                        if rate_for(x, rates) is not None]
            if compared:
                n = sum(1 for h in y_db if all(x in h for x in compared))
                x_count = sum(1 for h in y_db if all(h.get(x) == tested[x] for x in compared))
                if n:
                    freq = haplotype_frequency(x_count, n, confidence=confidence)
                    result = y_lr({x: tested[x] for x in compared},
                                  {x: reference[x] for x in compared}, meioses=meioses,
                                  rates={x: rate_for(x, rates) or 0.0 for x in compared},
                                  frequency=freq.upper_bound)
                    item["y"] = {"meioses": meioses, "loci": len(compared), "count": x_count,
                                 "database_size": n,
                                 "frequency_upper_bound": freq.upper_bound, "lr": result.lr}
        if shares_mt and pm in mts and ref in mts and mt_db:
            comparison, _ = _mt_compare(mts[pm], mts[ref])
            x_count = sum(1 for h in mt_db
                          if _mt_compare(mts[pm], h)[0].conclusion == "cannot exclude")
            freq = haplotype_frequency(x_count, len(mt_db), confidence=confidence)
            item["mtdna"] = {"conclusion": comparison.conclusion, "count": x_count,
                             "database_size": len(mt_db),
                             "frequency_upper_bound": freq.upper_bound,
                             "lr": mtdna_lr(comparison, freq.upper_bound)}
        if "y" not in item and "mtdna" not in item:
            continue
        total = float(row["log10_lr"])
        for key in ("y", "mtdna"):
            value = item.get(key, {}).get("lr")
            if value is not None:
                total = total + math.log10(value) if value > 0 else -math.inf
        item["combined_log10_lr"] = total if math.isfinite(total) else None
        item["combination"] = COMBINATION_NOTE
        out.append(item)
    return out
