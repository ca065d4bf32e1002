"""Familias ``.fam`` files: read, write, and convert to kinship cases and DVI datasets.

Familias (Egeland, Mostad, Kling) stores a case as line-oriented text. The layout below was
reverse-engineered from real files written by Familias 3.2.9-3.3.1 and by R/pedsuite
(``/work/shared/data/familias``) and checked against the description in
``docs/background/kinship-software.md`` §3.3. Strings are written in double quotes, booleans as
``#TRUE#``/``#FALSE#``, numbers in C notation (``1e-006`` is valid), one value per line.

Main part::

    "Output from Familias, version 3.3"     header (quoted)
    "DO NOT EDIT!"                          header (quoted)
    3.3 (DVI)                               version; "(DVI)" when the DVI module was used
    ""                                      optional quoted comment line (absent in old files)
    3                                       number of individuals (excluding "extras")
    per individual:
      "AF"                                  name
      #FALSE#                               (undocumented flag, kept as read)
      -1                                    (undocumented number, kept) + " (Consider dropouts)"
      #FALSE#                               (undocumented flag, kept as read)
      #TRUE#                                sex: #TRUE# = male
      10                                    number of typed markers, then per marker three
      7 / 7 / 0                             lines: allele index 1, allele index 2, marker index
                                            (all 0-based into the database below)
    "Known relations"
    0 / 0                                   extra females, extra males shared by all pedigrees
    0                                       number of shared parent->child relations, then
                                            pairs of lines: parent index, child index
    2                                       number of pedigrees, then per pedigree:
      0 / "H1"                              pedigree index, name
      0 / 0                                 extra females, extra males of this pedigree
      2 / 0 / 2 / 1 / 2                     number of relations, then parent/child index pairs
    #FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 0 )
                                            #TRUE# would mean precomputed probabilities follow
    10                                      number of loci
    #TRUE# / "unknown"                      database has a name / the name
    per locus:
      "D3S1358"                             name
      0.001 / 0.002                         female, male mutation rate
      4 / 4                                 female, male mutation model code (0-4)
      12                                    number of alleles including a silent allele
      0.1 / 0.1                             female, male range (stepwise)
      1e-006 / 1e-006                       female, male rate2 (microvariants)
      #FALSE# / 0                           silent allele present / its frequency
      12<TAB>(DatabaseSize = 1000 , Dropout probability = 0 , Minor allele frequency = 0 )
      "10" / 5.21594e-005 ...               allele name / frequency, one pair per allele

Individuals are indexed 0..n-1, then the shared extras (females first, then males), then the
extras of the pedigree being read. An extra person has no name in the file; we name it
``"extra female 1"``, ``"extra male 1"`` ... (numbered across shared and pedigree extras).
A relation line may instead read ``<index> Direct`` (identical twins); it is kept when
reading and writing, and refused when converting to a kinship case.

The rest of the file is INI-like: ``[Section]``, ``[[Subsection]]`` ... with ``Key= value``
lines. ``[DVI]`` holds ``[[Unidentified persons]]`` (Name, Gender and ``[[[[DNA data]]]]``
with SystemName/Allele1/Allele2 triples; alleles are names, not indices),
``[[Notes]]`` (one line per family) and ``[[Reference Families]]`` -> ``[[[Family i ]]]`` with
``[[[[Persons]]]]`` and ``[[[[Pedigrees]]]]`` (``Parent=``/``Child=`` pairs by name). A
pedigree may name the built-in person ``Missing person``, who is not in the person list and
whose sex is not recorded. ``[Prior]`` and ``[Advanced]`` (dropin, dropout, error, display and
simulation options) are kept as read and written back unchanged.

Mutation models: Familias' five codes are mapped to ours as pedFamilias does
(pedFamilias ``readFam``/``writeFam``; kinship-software.md §3.1):

====  ============================  ==================================================
code  Familias                      Homecoming (kinship-case@1)
====  ============================  ==================================================
0     Equal                         ``equal`` (rate)
1     Proportional                  ``proportional`` (rate)
2     Stepwise (unstationary)       ``stepwise`` (rate, rate2, range)
3     Stepwise (stationary)         ``stepwise`` (rate, rate2, range) with ``matrix``: the
                                    stepwise matrix made stationary by the "PM" method of
                                    Simonsson & Mostad (2016), as Familias does; if no PM
                                    matrix exists, the plain stepwise one (reported)
4     Extended stepwise             ``stepwise`` (rate, rate2, range)
====  ============================  ==================================================

A stepwise code on a locus with an allele that is not a repeat number ("Rest allele", "0",
"9.15") falls back to ``equal`` with the same rate, reported as a fix (as pedFamilias does).
When writing, ``equal``/``proportional`` become codes 0/1 and ``stepwise`` code 4 (2 when it
has no ``rate2``); ``onestep`` and ``custom`` matrices cannot be written to a ``.fam`` file.
Familias' ``Custom`` model is not stored in ``.fam`` files; a custom matrix must be passed
separately.

Conversions (documented choices):

* :meth:`FamiliasFile.to_kinship_case` — every pedigree becomes a hypothesis over all
  individuals, the shared extras and its own extras. Familias does not store which pedigree
  is the reference (it is chosen in the program when computing), so the reference is the one
  pedigree with no relations at all ("unrelated"); if there is none or more than one, the last
  pedigree; if the file has a single pedigree, an ``"unrelated"`` hypothesis is added as the
  reference. A child with one parent gets the other parent as an added untyped founder
  (``"added father of X"`` / ``"added mother of X"``). Markers that nobody is typed for are
  left out unless ``all_markers=True`` (their LR is exactly 1).
* :meth:`FamiliasFile.to_dvi_dataset` — victims are the unidentified persons; each reference
  family uses its last pedigree (Familias writes the "Reference pedigree" first and the
  template pedigree with the missing person last); untyped people not connected to anybody in
  that pedigree are left out (reported); missing persons are ``Missing person`` and everybody
  whose name starts with ``Missing`` (dvir's ``familias2dvir`` convention). The sex of
  ``Missing person`` is taken as the opposite of a co-parent's (see below when there is
  none). Person names used in more than one family are qualified as
  ``"<name> [<family>]"`` so that ids are unique across the dataset (and a missing person's
  name keeps its ``Missing`` prefix).
  When nothing decides a person's sex (``Missing person`` with no co-parent), the file leaves
  it open (Familias' DVI module adds this person without a sex). By default
  (``undecided_sex="unknown"``) the person keeps sex ``"unknown"`` (the dvi-dataset@1
  extension for persons without children), so it pairs with victims of either sex and no
  pairing is lost to a guess; a warning names each such person. ``"female"`` reproduces
  pedFamilias/dvir, which read these persons as female (dvir's ``exclusionExample`` has 13
  male and 2 female missing persons for that reason, and its ``planecrash`` data had to make
  all victims female); ``"male"`` and ``"auto"`` (the more common sex among the victims,
  female on a tie) are also offered. An undecided person who is a parent (one-parent child
  in the file) takes the sex its role in the pedigree gives it. On ``solution3-3.fam`` (6
  male and 2 female victims) "female" leaves only weak pairings, while with "unknown" the
  best joint assignment places five victims (joint LR 10^23.7; three are undisputed at the
  default thresholds).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from homecoming.errors import FormatError, InputError
from homecoming.formats.checks import check_text
from homecoming.formats.report import ImportReport

#: Familias mutation model codes (0-4) and their names in Familias.
FAMILIAS_MODELS: dict[int, str] = {
    0: "equal",
    1: "proportional",
    2: "stepwise (unstationary)",
    3: "stepwise (stationary)",
    4: "extended stepwise",
}
#: Familias code -> our model name (kinship-case@1).
MODEL_FROM_CODE: dict[int, str] = {0: "equal", 1: "proportional", 2: "stepwise",
                                   3: "stepwise", 4: "stepwise"}

#: At most this many unnamed "extra" persons per pedigree (guards against corrupt counts).
MAX_EXTRAS = 1000

#: The name of the person Familias' DVI module adds to every reference family.
MISSING_PERSON = "Missing person"

KINSHIP_CASE_FORMAT = "homecoming/kinship-case@1"
DVI_DATASET_FORMAT = "homecoming/dvi-dataset@1"

_TRUE, _FALSE = "#TRUE#", "#FALSE#"
_DB_HEADER = re.compile(
    r"^(#TRUE#|#FALSE#)\s*\(#Databases:\s*(\d+)\s*;\s*Theta/Kinship/Fst:\s*([^\s)]+)\s*\)\s*$")
_LOCUS_INFO = re.compile(
    r"^\s*(\d+)\s*(?:\(\s*DatabaseSize\s*=\s*([^\s,]+)\s*,\s*Dropout probability\s*=\s*"
    r"([^\s,]+)\s*,\s*Minor allele frequency\s*=\s*([^\s)]+)\s*\))?\s*$")
_HEADER = re.compile(r"^(\[+)([^\[\]]*?)(\]+)\s*$")
_REPEAT = re.compile(r"^\d+(\.\d)?$")


# ==========================================================================================
# Data model
# ==========================================================================================

@dataclass
class FamiliasLocus:
    """One locus of the frequency database, with its mutation models (Familias codes)."""

    name: str
    alleles: list[str]
    frequencies: list[float]
    female_rate: float = 0.0
    male_rate: float = 0.0
    female_model: int = 0
    male_model: int = 0
    female_range: float = 0.1
    male_range: float = 0.1
    female_rate2: float = 0.0
    male_rate2: float = 0.0
    has_silent: bool = False
    silent_frequency: float = 0.0
    database_size: float | None = 1000
    dropout_probability: float | None = 0.0
    minor_allele_frequency: float | None = 0.0


@dataclass
class FamiliasPerson:
    """An individual of the main part: name, sex and genotypes (allele names)."""

    name: str
    male: bool
    genotypes: dict[str, tuple[str, str]] = field(default_factory=dict)
    consider_dropout: bool = False
    #: the three undocumented lines after the name (dropout note stripped), kept as read
    raw_flags: tuple[str, str, str] = (_FALSE, "-1", _FALSE)


@dataclass
class FamiliasRelation:
    """parent -> child (``kind="parent"``) or identical twins (``kind="direct"``)."""

    parent: str
    child: str
    kind: str = "parent"
    #: for ``direct``: the text after the first index, as read (e.g. ``"Direct"``)
    raw: str | None = None


@dataclass
class FamiliasPedigree:
    name: str
    extra_females: list[str] = field(default_factory=list)
    extra_males: list[str] = field(default_factory=list)
    relations: list[FamiliasRelation] = field(default_factory=list)


@dataclass
class DviPerson:
    """A person in the DVI section: an unidentified person or a reference-family member."""

    name: str
    gender: str  # "Male", "Female" or as written
    genotypes: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def sex(self) -> str:
        return {"male": "male", "female": "female"}.get(self.gender.strip().lower(), "unknown")


@dataclass
class DviPedigree:
    name: str
    relations: list[tuple[str, str]] = field(default_factory=list)  # (parent, child) by name


@dataclass
class DviFamily:
    name: str
    persons: list[DviPerson] = field(default_factory=list)
    pedigrees: list[DviPedigree] = field(default_factory=list)


@dataclass
class IniEntry:
    """A ``Key= value`` line of the INI-like tail."""

    key: str
    value: str
    line: int | None = field(default=None, compare=False)


@dataclass
class IniText:
    """A free text line of the INI-like tail (e.g. a DVI note)."""

    text: str
    line: int | None = field(default=None, compare=False)


@dataclass
class IniSection:
    """A ``[Section]`` of the INI-like tail, kept as read (entries and subsections in order)."""

    name: str
    depth: int
    items: list = field(default_factory=list)  # IniEntry | IniText | IniSection, in order
    line: int | None = field(default=None, compare=False)

    def entries(self) -> dict[str, str]:
        return {i.key: i.value for i in self.items if isinstance(i, IniEntry)}

    def subsection(self, name: str) -> "IniSection | None":
        for i in self.items:
            if isinstance(i, IniSection) and i.name == name:
                return i
        return None


@dataclass
class FamiliasDvi:
    unidentified: list[DviPerson] = field(default_factory=list)
    families: list[DviFamily] = field(default_factory=list)
    #: one note per family as written in ``[[Notes]]``; ``None`` when the section is absent
    notes: list[str] | None = None
    #: other subsections of ``[DVI]``, kept as read
    other: list[IniSection] = field(default_factory=list)


@dataclass
class FamiliasFile:
    """Everything in a ``.fam`` file. Compare two with ``==`` (the path and report are not
    compared)."""

    version: str = "3.3"
    header: tuple[str, str] = ("Output from Familias, version 3.3", "Written by Homecoming")
    comment: str | None = ""
    persons: list[FamiliasPerson] = field(default_factory=list)
    known_extra_females: list[str] = field(default_factory=list)
    known_extra_males: list[str] = field(default_factory=list)
    known_relations: list[FamiliasRelation] = field(default_factory=list)
    pedigrees: list[FamiliasPedigree] = field(default_factory=list)
    theta: float = 0.0
    database_name: str | None = "unknown"
    loci: list[FamiliasLocus] = field(default_factory=list)
    dvi: FamiliasDvi | None = None
    #: top-level INI sections other than ``[DVI]`` (``[Prior]``, ``[Advanced]``), as read
    sections: list[IniSection] = field(default_factory=list)
    path: str | None = field(default=None, compare=False)
    report: ImportReport = field(default_factory=ImportReport, compare=False, repr=False)
    #: text encoding the file was read in (``utf-8``, or ``cp1252`` for Windows ANSI files);
    #: :func:`write_fam` writes in the same encoding by default
    encoding: str = field(default="utf-8", compare=False)

    # --------------------------------------------------------------------------------------
    @property
    def is_dvi(self) -> bool:
        return self.dvi is not None

    def locus(self, name: str) -> FamiliasLocus:
        for loc in self.loci:
            if loc.name == name:
                return loc
        raise InputError(f"locus {name!r} is not in the Familias database", field="locus",
                         value=name)

    def person(self, name: str) -> FamiliasPerson:
        for p in self.persons:
            if p.name == name:
                return p
        raise InputError(f"person {name!r} is not in the Familias file", field="person",
                         value=name)

    @property
    def dropout(self) -> dict[str, float]:
        """Per-marker dropout probability for persons marked "Consider dropouts"."""
        return {loc.name: loc.dropout_probability or 0.0 for loc in self.loci}

    # --------------------------------------------------------------------------------------
    def markers_json(self, names: Iterable[str] | None = None, *,
                     chromosome: str = "autosomal",
                     report: ImportReport | None = None) -> list[dict]:
        """The database as kinship-case@1 ``markers`` items (all loci, or those named)."""
        report = report if report is not None else self.report
        wanted = None if names is None else set(names)
        return [_locus_json(loc, chromosome, report) for loc in self.loci
                if wanted is None or loc.name in wanted]

    def to_kinship_case(self, *, reference: str | None = None, all_markers: bool = False,
                        chromosome: str = "autosomal") -> dict:
        """The pedigrees of the main part as a kinship-case@1 JSON dict (see module doc).

        :param reference: name of the reference pedigree (default: see module doc).
        :param all_markers: keep markers that nobody is typed for.
        :param chromosome: ``"autosomal"`` or ``"X"`` for every marker (``.fam`` does not say).
        """
        report = self.report
        where = self.path or "Familias file"
        if not self.persons and not self.known_extra_females and not self.known_extra_males:
            raise InputError(f"{where}: has no individuals (a database-only or DVI file); "
                             "expected individuals and pedigrees for a kinship case (Tip: use "
                             "to_dvi_dataset() for a DVI file)", field="individuals")
        self._check_person_names()
        genotypes = {p.name: {m: list(g) for m, g in p.genotypes.items()}
                     for p in self.persons if p.genotypes}
        typed = {m for g in genotypes.values() for m in g}
        loci = [loc.name for loc in self.loci if all_markers or loc.name in typed]
        pedigrees = list(self.pedigrees)
        if not pedigrees:
            pedigrees = [FamiliasPedigree("Known relations")]
            report.note("the file defines no pedigrees; the known relations form one hypothesis")
        hypotheses = []
        for ped in pedigrees:
            hypotheses.append({"name": ped.name, "pedigree": self._pedigree_json(ped)})
        names = [h["name"] for h in hypotheses]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise FormatError(f"pedigree names {dup} are used more than once; expected unique "
                              "names", path=self.path, value=dup)
        if reference is None:
            unrelated = [h["name"] for h, ped in zip(hypotheses, pedigrees)
                         if not ped.relations and not self.known_relations]
            if len(hypotheses) == 1:
                if unrelated:
                    reference = unrelated[0]
                else:
                    ref_name = "unrelated"
                    while ref_name in names:
                        ref_name += "_"
                    hypotheses.append({"name": ref_name, "pedigree": [
                        {"id": p.name, "father": None, "mother": None,
                         "sex": "male" if p.male else "female"} for p in self.persons]})
                    reference = ref_name
                    report.note(f"one pedigree only; added the reference hypothesis "
                                f"{ref_name!r} (everybody unrelated)")
            elif len(unrelated) == 1:
                reference = unrelated[0]
            else:
                reference = names[-1]
            report.note(f"reference hypothesis: {reference!r}")
        elif reference not in names:
            raise InputError(f"reference {reference!r} is not a pedigree of {where}; expected "
                             f"one of {names}", field="reference", value=reference)
        case = {
            "format": KINSHIP_CASE_FORMAT,
            "theta": self.theta,
            "markers": self.markers_json(loci, chromosome=chromosome, report=report),
            "genotypes": {pid: {m: g for m, g in gt.items() if m in loci}
                          for pid, gt in genotypes.items()},
            "hypotheses": hypotheses,
            "reference": reference,
        }
        dropout = self._dropout_json(loci)
        if dropout:
            case["dropout"] = dropout
        return case

    def _dropout_json(self, loci: Sequence[str]) -> dict[str, float] | None:
        """``{person: d}`` for persons marked "Consider dropouts" (kinship-case extension).

        Familias gives one dropout probability per marker; our format has one per person, so
        this works when all markers used share one nonzero value (the usual case), and is
        reported as not representable otherwise.
        """
        marked = [p.name for p in self.persons if p.consider_dropout]
        if not marked:
            return None
        values = {loc.dropout_probability or 0.0 for loc in self.loci if loc.name in loci}
        nonzero = sorted(v for v in values if v > 0)
        if not nonzero:
            return None
        if len(values) > 1:
            self.report.warn(f"per-marker dropout probabilities differ ({sorted(values)}); "
                             "kinship-case@1 has one dropout value per person, so dropout is "
                             "left out")
            return None
        self.report.note(f"dropout {nonzero[0]:g} for {len(marked)} persons marked "
                         "'Consider dropouts'")
        return {name: nonzero[0] for name in marked}

    def to_dvi_dataset(self, *, missing_prefix: str = "Missing", undecided_sex: str = "unknown",
                       all_markers: bool = False, chromosome: str = "autosomal") -> dict:
        """The ``[DVI]`` section as a dvi-dataset@1 JSON dict (see module doc).

        :param missing_prefix: names starting with this are missing persons.
        :param undecided_sex: sex given to people whose sex the file does not decide:
            ``"unknown"`` (default: pairs with victims of either sex), ``"auto"`` (the more
            common sex among the victims, female on a tie), ``"female"`` (as
            pedFamilias/dvir) or ``"male"``.
        """
        if undecided_sex not in ("auto", "male", "female", "unknown"):
            raise InputError(f"undecided_sex {undecided_sex!r}; expected 'auto', 'male', "
                             "'female' or 'unknown'", field="undecided_sex",
                             value=undecided_sex)
        where = self.path or "Familias file"
        if self.dvi is None:
            raise InputError(f"{where}: has no [DVI] section; expected a Familias DVI file "
                             "(Tip: use to_kinship_case() for a pedigree file)", field="[DVI]")
        report = self.report
        dvi = self.dvi
        victims = []
        for v in dvi.unidentified:
            victims.append({"id": v.name, "sex": v.sex,
                            "genotypes": {m: list(g) for m, g in v.genotypes.items()}})
        victim_ids = [v["id"] for v in victims]
        if len(set(victim_ids)) != len(victim_ids):
            dup = sorted({n for n in victim_ids if victim_ids.count(n) > 1})
            raise FormatError(f"unidentified persons {dup} are named more than once; expected "
                              "unique names", path=self.path, value=dup)
        if undecided_sex == "auto":
            n_male = sum(1 for v in victims if v["sex"] == "male")
            n_female = sum(1 for v in victims if v["sex"] == "female")
            undecided_sex = "male" if n_male > n_female else "female"
        built = []
        for fam in dvi.families:
            built.append(self._dvi_family(fam, missing_prefix, undecided_sex, report))
        # qualify ids that are not unique across the dataset
        seen: dict[str, int] = {}
        for vid in victim_ids:
            seen[vid] = seen.get(vid, 0) + 1
        for fam_name, ped, _missing, _gt in built:
            for p in ped:
                seen[p["id"]] = seen.get(p["id"], 0) + 1
        clashes = {i for i, n in seen.items() if n > 1}
        families = []
        family_names = [b[0] for b in built]
        if len(set(family_names)) != len(family_names):
            dup = sorted({n for n in family_names if family_names.count(n) > 1})
            raise FormatError(f"reference families {dup} are named more than once; expected "
                              "unique names", path=self.path, value=dup)
        qualified_any = False
        for fam_name, ped, missing, gt in built:
            def q(pid: str | None, fam_name: str = fam_name) -> str | None:
                if pid is None or pid not in clashes:
                    return pid
                return f"{pid} [{fam_name}]"
            if any(p["id"] in clashes for p in ped):
                qualified_any = True
            families.append({
                "name": fam_name,
                "pedigree": [{"id": q(p["id"]), "father": q(p["father"]),
                              "mother": q(p["mother"]), "sex": p["sex"]} for p in ped],
                "missing": [q(m) for m in missing],
                "genotypes": {q(pid): g for pid, g in gt.items()},
            })
        if qualified_any:
            report.note("person names used in more than one family (or by a victim) are "
                        "qualified as '<name> [<family>]'")
        typed = {m for v in victims for m in v["genotypes"]}
        typed |= {m for f in families for g in f["genotypes"].values() for m in g}
        loci = [loc.name for loc in self.loci if all_markers or loc.name in typed]
        unknown = sorted(typed - {loc.name for loc in self.loci})
        if unknown:
            raise FormatError(f"DVI genotypes use markers {unknown} that are not in the "
                              "database; expected database loci", path=self.path, value=unknown)
        return {
            "format": DVI_DATASET_FORMAT,
            "theta": self.theta,
            "markers": self.markers_json(loci, chromosome=chromosome, report=report),
            "victims": [{**v, "genotypes": {m: g for m, g in v["genotypes"].items()
                                            if m in loci}} for v in victims],
            "families": families,
        }

    # --- helpers --------------------------------------------------------------------------
    def _check_person_names(self) -> None:
        names = [p.name for p in self.persons] + self.known_extra_females + self.known_extra_males
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise FormatError(f"individual names {dup} are used more than once; expected "
                              "unique names", path=self.path, value=dup)

    def _pedigree_json(self, ped: FamiliasPedigree) -> list[dict]:
        sex = {p.name: ("male" if p.male else "female") for p in self.persons}
        for n in self.known_extra_females + ped.extra_females:
            sex[n] = "female"
        for n in self.known_extra_males + ped.extra_males:
            sex[n] = "male"
        father: dict[str, str] = {}
        mother: dict[str, str] = {}
        for rel in list(self.known_relations) + list(ped.relations):
            if rel.kind != "parent":
                raise FormatError(f"pedigree {ped.name!r}: identical twins ('Direct' relation "
                                  f"between {rel.parent!r} and {rel.child!r}) are not "
                                  "supported; expected parent-child relations only",
                                  path=self.path, value=rel.parent)
            for n in (rel.parent, rel.child):
                if n not in sex:
                    raise FormatError(f"pedigree {ped.name!r}: relation names unknown person "
                                      f"{n!r}", path=self.path, value=n)
            role = father if sex[rel.parent] == "male" else mother
            if rel.child in role and role[rel.child] != rel.parent:
                raise FormatError(f"pedigree {ped.name!r}: {rel.child!r} has two "
                                  f"{'fathers' if role is father else 'mothers'} "
                                  f"({role[rel.child]!r}, {rel.parent!r}); expected one",
                                  path=self.path, value=rel.child)
            role[rel.child] = rel.parent
        return _complete_pedigree(list(sex), sex, father, mother, self.report,
                                  f"pedigree {ped.name!r}")

    def _dvi_family(self, fam: DviFamily, missing_prefix: str, undecided_sex: str,
                    report: ImportReport):
        if not fam.pedigrees:
            raise FormatError(f"reference family {fam.name!r} has no pedigree; expected at "
                              "least one", path=self.path, value=fam.name)
        ped = fam.pedigrees[-1]
        if len(fam.pedigrees) > 2:
            report.note(f"family {fam.name!r}: {len(fam.pedigrees)} pedigrees; the last one, "
                        f"{ped.name!r}, is used")
        sex: dict[str, str] = {}
        for p in fam.persons:
            if p.name in sex:
                raise FormatError(f"family {fam.name!r}: person {p.name!r} listed twice; "
                                  "expected unique names", path=self.path, value=p.name)
            sex[p.name] = p.sex
        genotypes = {p.name: {m: list(g) for m, g in p.genotypes.items()}
                     for p in fam.persons if p.genotypes}
        extras = []
        for parent, child in ped.relations:
            for n in (parent, child):
                if n not in sex:
                    sex[n] = "unknown"
                    extras.append(n)
        # decide the sex of parents whose sex is not recorded (e.g. "Missing person")
        parents_of: dict[str, list[str]] = {}
        for parent, child in ped.relations:
            parents_of.setdefault(child, [])
            if parent not in parents_of[child]:
                parents_of[child].append(parent)
        for child, pars in parents_of.items():
            if len(pars) > 2:
                raise FormatError(f"family {fam.name!r}, pedigree {ped.name!r}: {child!r} has "
                                  f"{len(pars)} parents; expected at most two",
                                  path=self.path, value=child)
        for _ in range(3):
            for child, pars in parents_of.items():
                if len(pars) == 2:
                    a, b = pars
                    if sex[a] == "unknown" and sex[b] in ("male", "female"):
                        sex[a] = "female" if sex[b] == "male" else "male"
                    elif sex[b] == "unknown" and sex[a] in ("male", "female"):
                        sex[b] = "female" if sex[a] == "male" else "male"
        for n in extras:
            report.note(f"family {fam.name!r}: {n!r} is not in the person list; added")
        for n in list(sex):
            if sex[n] == "unknown" and undecided_sex != "unknown":
                sex[n] = undecided_sex
                report.warn(f"family {fam.name!r}: the file does not record the sex of {n!r} "
                            f"and no co-parent decides it; taken as {undecided_sex!r}")

        father: dict[str, str] = {}
        mother: dict[str, str] = {}
        for child, pars in parents_of.items():
            if len(pars) == 2:
                a, b = pars
                if sex[a] == "female" or sex[b] == "male":
                    a, b = b, a
                if sex[a] == "female" or sex[b] == "male":
                    raise FormatError(f"family {fam.name!r}, pedigree {ped.name!r}: parents of "
                                      f"{child!r} ({a!r}, {b!r}) have the same sex; expected a "
                                      "father and a mother", path=self.path, value=child)
                father[child], mother[child] = a, b
            else:
                (a,) = pars
                if sex[a] == "female":
                    mother[child] = a
                else:
                    father[child] = a
        # an undecided parent takes the sex of its role (a father is male, a mother female)
        for role, parent_of, role_sex in (("father", father, "male"),
                                          ("mother", mother, "female")):
            for child, a in parent_of.items():
                if sex[a] == "unknown":
                    sex[a] = role_sex
                    report.warn(f"family {fam.name!r}: the file does not record the sex of "
                                f"{a!r}; taken as {role_sex!r} as the {role} of {child!r}")
        for n in [p.name for p in fam.persons] + extras:
            if sex.get(n) == "unknown":
                report.warn(f"family {fam.name!r}: the file does not record the sex of {n!r} "
                            "and no co-parent decides it; kept as 'unknown' (pairs with "
                            "victims of either sex)")
        # keep people connected by at least one relation (all, if there are no relations)
        connected = {n for rel in ped.relations for n in rel}
        order = [p.name for p in fam.persons] + extras
        if connected:
            dropped = [n for n in order if n not in connected]
            for n in dropped:
                what = "typed" if n in genotypes else "untyped"
                report.note(f"family {fam.name!r}: {what} person {n!r} is not connected in "
                            f"pedigree {ped.name!r}; left out")
            order = [n for n in order if n in connected]
        persons = _complete_pedigree(order, sex, father, mother, report, f"family {fam.name!r}")
        ids = {p["id"] for p in persons}
        missing = [n for n in order
                   if n == MISSING_PERSON or n.startswith(missing_prefix)]
        missing = [m for m in missing if m in ids]
        if not missing:
            report.warn(f"family {fam.name!r}: no missing person (nobody named "
                        f"{MISSING_PERSON!r} or starting with {missing_prefix!r})")
        typed_missing = [m for m in missing if m in genotypes]
        if typed_missing:
            raise FormatError(f"family {fam.name!r}: missing persons {typed_missing} have DNA "
                              "data; expected untyped missing persons", path=self.path,
                              value=typed_missing)
        genotypes = {k: v for k, v in genotypes.items() if k in ids}
        return fam.name, persons, missing, genotypes


def _complete_pedigree(order: Sequence[str], sex: Mapping[str, str], father: dict[str, str],
                       mother: dict[str, str], report: ImportReport, what: str) -> list[dict]:
    """Pedigree JSON items; a child with one parent gets the other as an added founder."""
    out = []
    added = []
    taken = set(order)
    for n in order:
        f, m = father.get(n), mother.get(n)
        if (f is None) != (m is None):
            role = "father" if f is None else "mother"
            new = f"added {role} of {n}"
            while new in taken:
                new += "_"
            taken.add(new)
            added.append({"id": new, "father": None, "mother": None,
                          "sex": "male" if role == "father" else "female"})
            if f is None:
                f = new
            else:
                m = new
            report.fix(f"{what}: {n!r} has one parent; added the other, untyped, as {new!r}")
        out.append({"id": n, "father": f, "mother": m, "sex": sex[n]})
    return added + out


def _is_repeat_number(allele: str) -> bool:
    if not _REPEAT.match(allele):
        return False
    return float(allele) >= 1


def _locus_json(loc: FamiliasLocus, chromosome: str, report: ImportReport) -> dict:
    item: dict = {"name": loc.name, "chromosome": chromosome, "alleles": list(loc.alleles),
                  "frequencies": list(loc.frequencies)}
    if loc.has_silent and loc.silent_frequency > 0:
        item["silent_frequency"] = loc.silent_frequency
    codes = {"female": loc.female_model, "male": loc.male_model}
    stepwise = any(c >= 2 for c in codes.values())
    fallback = False
    if stepwise and not all(_is_repeat_number(a) for a in loc.alleles):
        bad = next(a for a in loc.alleles if not _is_repeat_number(a))
        fallback = True
        report.fix(f"locus {loc.name}: allele name {bad!r} is not a repeat number, so a "
                   "stepwise model cannot be used; changed to the 'equal' model with the same "
                   "rate")
    if loc.female_rate == 0 and loc.male_rate == 0:
        item["mutation"] = None
        return item
    mutation = {}
    for sex, code, rate, rate2, rng in (
            ("female", loc.female_model, loc.female_rate, loc.female_rate2, loc.female_range),
            ("male", loc.male_model, loc.male_rate, loc.male_rate2, loc.male_range)):
        if fallback and code >= 2:
            code = 0
        model = MODEL_FROM_CODE[code]
        spec: dict = {"model": model, "rate": rate}
        if model == "stepwise":
            spec["rate2"] = rate2
            spec["range"] = rng
            if code == 3 and rate > 0:
                matrix = _stationary_stepwise(loc, spec, sex, report)
                if matrix is not None:
                    spec["matrix"] = matrix
        mutation[sex] = spec
    item["mutation"] = mutation
    return item


def pm_stationary(matrix, frequencies):
    """The "PM" stationary version of a mutation matrix (Simonsson & Mostad, *Stationary
    mutation models*, FSI: Genetics 2016), or ``None`` when it does not exist.

    With R = 1 - sum_i p_i M_ii (the expected mutation rate under ``frequencies`` p) and v the
    stationary distribution of M, d_i = R v_i / ((1 - sum_j v_j M_jj) p_i) and
    P = diag(d) (M - I) + I. P has p as its stationary distribution and the same expected
    mutation rate R; it exists when every d_i (1 - M_ii) <= 1.
    """
    import numpy as np

    m = np.asarray(matrix, dtype=float)
    p = np.asarray(frequencies, dtype=float)
    n = m.shape[0]
    if n < 2 or np.any(p <= 0):
        return None
    r = 1.0 - float(np.sum(np.diag(m) * p))
    x = m.T - np.eye(n)
    x[n - 1, :] = 1.0
    rhs = np.zeros(n)
    rhs[n - 1] = 1.0
    try:
        v = np.linalg.solve(x, rhs)
    except np.linalg.LinAlgError:
        return None
    denom = 1.0 - float(np.sum(np.diag(m) * v))
    if denom <= 0:
        return None
    d = r * v / (denom * p)
    if np.any(d * (1.0 - np.diag(m)) > 1.0 + 1e-12) or np.any(d < -1e-12):
        return None
    out = np.diag(d) @ (m - np.eye(n)) + np.eye(n)
    if np.any(out < -1e-12):
        return None
    return np.clip(out, 0.0, 1.0)


def _stationary_stepwise(loc: FamiliasLocus, spec: dict, sex: str,
                         report: ImportReport) -> list[list[float]] | None:
    from homecoming.genetics.markers import MutationSpec
    from homecoming.genetics.mutation import mutation_matrix

    if loc.has_silent and loc.silent_frequency > 0:
        report.warn(f"locus {loc.name}: stationary stepwise model ({sex}) with a silent allele; "
                    "the plain stepwise matrix is used")
        return None
    try:
        m = mutation_matrix(MutationSpec("stepwise", rate=spec["rate"], rate2=spec["rate2"],
                                         range=spec["range"]), loc.alleles, loc.frequencies,
                            marker=loc.name, sex=sex)
    except InputError as exc:
        raise FormatError(f"locus {loc.name}: {exc}", expected="a valid stepwise model") \
            from None
    p = pm_stationary(m, loc.frequencies)
    if p is None:
        report.warn(f"locus {loc.name}: no stationary (PM) version of the {sex} stepwise model "
                    "exists; the plain stepwise matrix is used")
        return None
    # rows renormalised against rounding so they sum to 1 exactly enough for the validator
    rows = p / p.sum(axis=1, keepdims=True)
    return [[float(x) for x in row] for row in rows]


# ==========================================================================================
# Reading
# ==========================================================================================

class _Lines:
    """A cursor over the lines of a file that raises FormatError naming path and line."""

    def __init__(self, lines: list[str], path: str | None) -> None:
        self.lines = lines
        self.path = path
        self.i = 0

    @property
    def lineno(self) -> int:
        return self.i + 1

    def error(self, message: str, *, line: int | None = None, value: object = None,
              expected: str | None = None) -> FormatError:
        return FormatError(message, path=self.path, line=line or self.lineno, value=value,
                           expected=expected)

    def at_end(self) -> bool:
        return self.i >= len(self.lines)

    def peek(self) -> str | None:
        return None if self.at_end() else self.lines[self.i]

    def take(self, what: str) -> str:
        if self.at_end():
            raise self.error(f"file ends early; expected {what}", line=len(self.lines) + 1,
                             expected=what)
        line = self.lines[self.i]
        self.i += 1
        return line

    def text(self, what: str) -> str:
        line = self.take(what).strip()
        if len(line) >= 2 and line[0] == '"' and line[-1] == '"':
            return line[1:-1]
        raise self.error(f"found {_show(line)}; expected {what} in double quotes",
                         line=self.lineno - 1, value=line, expected=what)

    def integer(self, what: str, *, minimum: int | None = 0, maximum: int | None = None) -> int:
        line = self.take(what).strip()
        try:
            value = int(line)
        except ValueError:
            raise self.error(f"found {_show(line)}; expected {what} (an integer)",
                             line=self.lineno - 1, value=line, expected=what) from None
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            rng = f"{minimum if minimum is not None else '-inf'}..{maximum if maximum is not None else 'inf'}"
            raise self.error(f"found {value}; expected {what} in {rng}", line=self.lineno - 1,
                             value=value, expected=what)
        return value

    def count(self, what: str, *, lines_each: int = 1) -> int:
        """A count of items that follow, each taking at least ``lines_each`` lines: bounded by
        what the rest of the file can hold (a count from a file never sizes memory alone)."""
        room = max(len(self.lines) - self.i - 1, 0) // max(lines_each, 1)
        line = self.lineno
        value = self.integer(what)
        if value > room:
            raise self.error(f"found {value}; expected {what}, at most {room} (what the rest "
                             "of the file can hold)", line=line, value=value, expected=what)
        return value

    def number(self, what: str, *, minimum: float | None = None,
               maximum: float | None = None) -> float:
        line = self.take(what).strip()
        value = _parse_float(line)
        if value is None:
            raise self.error(f"found {_show(line)}; expected {what} (a number)",
                             line=self.lineno - 1, value=line, expected=what)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            raise self.error(f"found {line}; expected {what} between {minimum} and {maximum}",
                             line=self.lineno - 1, value=value, expected=what)
        return value

    def boolean(self, what: str) -> bool:
        line = self.take(what).strip()
        if line == _TRUE:
            return True
        if line == _FALSE:
            return False
        raise self.error(f"found {_show(line)}; expected {what} (#TRUE# or #FALSE#)",
                         line=self.lineno - 1, value=line, expected=what)


def _show(s: str, limit: int = 60) -> str:
    s = s if len(s) <= limit else s[:limit] + "..."
    return repr(s)


def _parse_float(text: str) -> float | None:
    text = text.strip()
    if not text or text.lower() in ("nan", "inf", "-inf", "+inf", "infinity", "-infinity"):
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _decode(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (BOM allowed), else Windows ANSI (cp1252) as Familias writes."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def read_fam(path: str | os.PathLike[str]) -> FamiliasFile:
    """Read a Familias ``.fam`` file.

    Structural faults raise :class:`~homecoming.errors.FormatError` naming the file, the line
    and what was expected; what was fixed or needs a caveat is in ``result.report``.
    """
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror or exc}); expected a readable "
                          "Familias .fam file", path=str(path)) from None
    text, encoding = _decode(data)
    fam = parse_fam(text, path=str(path))
    fam.encoding = encoding
    return fam


def parse_fam(text: str, *, path: str | None = None) -> FamiliasFile:
    """Parse the text of a ``.fam`` file (see :func:`read_fam`)."""
    if "\x00" in text:
        raise FormatError("the file contains NUL bytes; expected a Familias text file",
                          path=path, line=text[: text.index("\x00")].count("\n") + 1)
    check_text(text, path=path, expected="a Familias text file")
    lines = text.splitlines()
    cur = _Lines(lines, path)
    report = ImportReport(source=path, format="familias")
    fam = FamiliasFile(path=path, report=report)

    h1 = cur.text("the header line 'Output from Familias, version ...'")
    if "familias" not in h1.lower():
        raise cur.error(f"found {_show(h1)}; expected a header naming Familias", line=1,
                        value=h1, expected="Output from Familias")
    h2 = cur.text("the second header line")
    fam.header = (h1, h2)
    fam.version = cur.take("the Familias version").strip()
    if not fam.version or not fam.version[0].isdigit():
        raise cur.error(f"found {_show(fam.version)}; expected a Familias version such as "
                        "'3.3' or '3.3 (DVI)'", line=3, value=fam.version)
    nxt = cur.peek()
    if nxt is not None and nxt.strip().startswith('"'):
        fam.comment = cur.text("a comment line")
    else:
        fam.comment = None
    n_persons = cur.count("the number of individuals", lines_each=6)

    # --- individuals ------------------------------------------------------------------
    pending: list[tuple[FamiliasPerson, list[tuple[int, int, int, int]]]] = []
    seen_names: dict[str, int] = {}
    for k in range(n_persons):
        name = cur.text(f"the name of individual {k + 1}")
        if name in seen_names:
            raise cur.error(f"individual {name!r} appears again (first on line "
                            f"{seen_names[name]}); expected unique names", line=cur.lineno - 1,
                            value=name)
        seen_names[name] = cur.lineno - 1
        f1 = cur.take(f"a flag line of individual {name!r}").strip()
        dl = cur.take(f"the dropout line of individual {name!r}").strip()
        consider = "(Consider dropouts)" in dl
        dnum = dl.replace("(Consider dropouts)", "").strip()
        f3 = cur.take(f"a flag line of individual {name!r}").strip()
        male = cur.boolean(f"the sex of individual {name!r} (#TRUE# = male)")
        n_geno = cur.count(f"the number of typed markers of individual {name!r}",
                           lines_each=3)
        triples = []
        for _ in range(n_geno):
            line = cur.lineno
            a1 = cur.integer(f"an allele index of individual {name!r}", minimum=-1)
            a2 = cur.integer(f"an allele index of individual {name!r}", minimum=-1)
            mi = cur.integer(f"a marker index of individual {name!r}")
            triples.append((a1, a2, mi, line))
        person = FamiliasPerson(name=name, male=male, consider_dropout=consider,
                                raw_flags=(f1, dnum, f3))
        pending.append((person, triples))
    persons = [p for p, _ in pending]
    fam.persons = persons

    # --- known relations and pedigrees --------------------------------------------------
    kr = cur.take('"Known relations"').strip()
    if kr != '"Known relations"':
        raise cur.error(f"found {_show(kr)}; expected \"Known relations\" after "
                        f"{n_persons} individuals", line=cur.lineno - 1, value=kr,
                        expected='"Known relations"')
    nf = cur.integer("the number of extra females (known relations)", maximum=MAX_EXTRAS)
    nm = cur.integer("the number of extra males (known relations)", maximum=MAX_EXTRAS)
    names = [p.name for p in persons]
    fam.known_extra_females = [f"extra female {i + 1}" for i in range(nf)]
    fam.known_extra_males = [f"extra male {i + 1}" for i in range(nm)]
    fam.known_extra_females = _unique_names(fam.known_extra_females, names)
    fam.known_extra_males = _unique_names(fam.known_extra_males, names + fam.known_extra_females)
    shared = names + fam.known_extra_females + fam.known_extra_males
    n_rel = cur.count("the number of known relations", lines_each=2)
    fam.known_relations = [_read_relation(cur, shared, "known relations") for _ in range(n_rel)]
    n_ped = cur.count("the number of pedigrees", lines_each=5)
    slots: list[FamiliasPedigree | None] = [None] * n_ped
    for k in range(n_ped):
        line = cur.lineno
        idx = cur.integer("the pedigree index", maximum=max(n_ped - 1, 0))
        if slots[idx] is not None:
            raise cur.error(f"pedigree index {idx} appears twice; expected each of "
                            f"0..{n_ped - 1} once", line=line, value=idx)
        pname = cur.text("the pedigree name")
        pf = cur.integer(f"the number of extra females of pedigree {pname!r}",
                         maximum=MAX_EXTRAS)
        pm = cur.integer(f"the number of extra males of pedigree {pname!r}", maximum=MAX_EXTRAS)
        ef = _unique_names([f"extra female {nf + i + 1}" for i in range(pf)], shared)
        em = _unique_names([f"extra male {nm + i + 1}" for i in range(pm)], shared + ef)
        everyone = shared + ef + em
        n = cur.count(f"the number of relations of pedigree {pname!r}", lines_each=2)
        rels = [_read_relation(cur, everyone, f"pedigree {pname!r}") for _ in range(n)]
        slots[idx] = FamiliasPedigree(pname, ef, em, rels)
    fam.pedigrees = [s for s in slots if s is not None]

    # --- database ---------------------------------------------------------------------
    line = cur.lineno
    dbh = cur.take("the database line '#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: 0 )'")
    m = _DB_HEADER.match(dbh.strip())
    if not m:
        raise cur.error(f"found {_show(dbh)}; expected the database line "
                        "'#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: <theta> )'", line=line,
                        value=dbh)
    if m.group(1) == _TRUE:
        raise cur.error("the file holds precomputed probabilities (#TRUE#), which Homecoming "
                        "does not read; expected #FALSE# (save the case again without results)",
                        line=line, value=dbh)
    if m.group(2) != "1":
        raise cur.error(f"found {m.group(2)} databases; expected exactly 1", line=line,
                        value=m.group(2))
    theta = _parse_float(m.group(3))
    if theta is None or not 0 <= theta < 1:
        raise cur.error(f"found theta {m.group(3)!r}; expected a number in [0, 1)", line=line,
                        value=m.group(3))
    fam.theta = theta
    n_loci = cur.count("the number of loci")
    has_name = cur.boolean("whether the database has a name")
    fam.database_name = cur.text("the database name") if has_name else None
    loci = []
    for _ in range(n_loci):
        loci.append(_read_locus(cur, report))
    locus_names = [loc.name for loc in loci]
    if len(set(locus_names)) != len(locus_names):
        dup = sorted({n for n in locus_names if locus_names.count(n) > 1})
        raise cur.error(f"loci {dup} appear more than once in the database; expected unique "
                        "locus names", line=cur.lineno - 1, value=dup)
    fam.loci = loci

    # genotypes of individuals (indices into the database)
    for person, triples in pending:
        for a1, a2, mi, line in triples:
            if mi >= len(loci):
                raise cur.error(f"individual {person.name!r}: marker index {mi}; expected "
                                f"0..{len(loci) - 1} (the database has {len(loci)} loci)",
                                line=line + 2, value=mi)
            loc = loci[mi]
            alleles = []
            for a, off in ((a1, 0), (a2, 1)):
                if not 0 <= a < len(loc.alleles):
                    raise cur.error(f"individual {person.name!r}, locus {loc.name}: allele "
                                    f"index {a}; expected 0..{len(loc.alleles) - 1}",
                                    line=line + off, value=a)
                alleles.append(loc.alleles[a])
            if loc.name in person.genotypes:
                raise cur.error(f"individual {person.name!r}: locus {loc.name} typed twice; "
                                "expected once", line=line + 2, value=loc.name)
            person.genotypes[loc.name] = (alleles[0], alleles[1])

    # --- INI-like tail --------------------------------------------------------------------
    tail = _read_ini(cur)
    for section in tail:
        if section.name == "DVI":
            if fam.dvi is not None:
                raise cur.error("a second [DVI] section; expected one", line=section.line)
            fam.dvi = _interpret_dvi(section, fam, cur)
        else:
            fam.sections.append(section)

    report.counts.update({"individuals": len(persons), "pedigrees": len(fam.pedigrees),
                          "loci": len(loci)})
    if fam.dvi is not None:
        report.counts.update({"unidentified persons": len(fam.dvi.unidentified),
                              "reference families": len(fam.dvi.families)})
    return fam


def _unique_names(candidates: list[str], taken: Sequence[str]) -> list[str]:
    seen = set(taken)
    out = []
    for c in candidates:
        while c in seen:
            c += "_"
        seen.add(c)
        out.append(c)
    return out


def _read_relation(cur: _Lines, everyone: Sequence[str], what: str) -> FamiliasRelation:
    line = cur.lineno
    first = cur.take(f"a parent index ({what})").strip()
    kind, raw = "parent", None
    m = re.match(r"^(-?\d+)\s*(.*)$", first)
    if not m:
        raise cur.error(f"found {_show(first)}; expected a parent index ({what})", line=line,
                        value=first)
    idx = int(m.group(1))
    if m.group(2):
        if "direct" not in m.group(2).lower():
            raise cur.error(f"found {_show(first)}; expected a parent index ({what})",
                            line=line, value=first)
        kind, raw = "direct", m.group(2)
    child = cur.integer(f"a child index ({what})", maximum=len(everyone) - 1)
    if not 0 <= idx < len(everyone):
        raise cur.error(f"parent index {idx}; expected 0..{len(everyone) - 1} ({what})",
                        line=line, value=idx)
    if idx == child:
        raise cur.error(f"person {everyone[idx]!r} is related to themself ({what})",
                        line=line, value=idx)
    return FamiliasRelation(everyone[idx], everyone[child], kind, raw)


def _read_locus(cur: _Lines, report: ImportReport) -> FamiliasLocus:
    name = cur.text("a locus name")
    if not name.strip():
        raise cur.error("empty locus name; expected a name", line=cur.lineno - 1)
    fr = cur.number(f"the female mutation rate of locus {name}", minimum=0, maximum=1)
    mr = cur.number(f"the male mutation rate of locus {name}", minimum=0, maximum=1)
    fm = cur.integer(f"the female mutation model code (0-4) of locus {name}", maximum=4)
    mm = cur.integer(f"the male mutation model code (0-4) of locus {name}", maximum=4)
    n_with_silent = cur.integer(f"the number of alleles (with silent) of locus {name}",
                                maximum=100000)
    frange = cur.number(f"the female mutation range of locus {name}", minimum=0)
    mrange = cur.number(f"the male mutation range of locus {name}", minimum=0)
    frate2 = cur.number(f"the female rate2 of locus {name}", minimum=0, maximum=1)
    mrate2 = cur.number(f"the male rate2 of locus {name}", minimum=0, maximum=1)
    has_silent = cur.boolean(f"the silent-allele flag of locus {name}")
    silent = cur.number(f"the silent allele frequency of locus {name}", minimum=0, maximum=1)
    info_line = cur.lineno
    info = cur.take(f"the allele count line of locus {name}")
    m = _LOCUS_INFO.match(info.replace("\t", " "))
    if not m:
        raise cur.error(f"found {_show(info)}; expected '<number of alleles>\\t(DatabaseSize = "
                        "..., Dropout probability = ..., Minor allele frequency = ...)' "
                        f"for locus {name}", line=info_line, value=info)
    n_all = int(m.group(1))
    room = max(len(cur.lines) - cur.i, 0) // 2
    if n_all > room:
        raise cur.error(f"locus {name}: {n_all} alleles; expected at most {room} (what the rest "
                        "of the file can hold)", line=info_line, value=n_all)
    extras = []
    for g, what in ((2, "DatabaseSize"), (3, "Dropout probability"),
                    (4, "Minor allele frequency")):
        if m.group(g) is None:
            extras.append(None)
            continue
        v = _parse_float(m.group(g))
        if v is None or v < 0 or (g == 3 and v > 1):
            raise cur.error(f"locus {name}: {what} = {m.group(g)!r}; expected a non-negative "
                            "number" + (" at most 1" if g == 3 else ""), line=info_line,
                            value=m.group(g))
        extras.append(v)
    if n_with_silent != n_all + (1 if has_silent else 0):
        report.warn(f"locus {name}: allele count with silent allele is {n_with_silent}, "
                    f"but {n_all} alleles are listed" + (" plus a silent one" if has_silent
                                                         else ""), line=info_line - 7)
    alleles, freqs = [], []
    for _ in range(n_all):
        a = cur.text(f"an allele name of locus {name}")
        line = cur.lineno - 1
        f = cur.number(f"the frequency of allele {a!r} of locus {name}", minimum=0, maximum=1)
        if a in alleles:
            raise cur.error(f"locus {name}: allele {a!r} listed twice; expected unique alleles",
                            line=line, value=a)
        alleles.append(a)
        freqs.append(f)
    if not alleles:
        raise cur.error(f"locus {name} has no alleles; expected at least one", line=info_line)
    return FamiliasLocus(
        name=name, alleles=alleles, frequencies=freqs, female_rate=fr, male_rate=mr,
        female_model=fm, male_model=mm, female_range=frange, male_range=mrange,
        female_rate2=frate2, male_rate2=mrate2, has_silent=has_silent, silent_frequency=silent,
        database_size=extras[0], dropout_probability=extras[1],
        minor_allele_frequency=extras[2])


def _read_ini(cur: _Lines) -> list[IniSection]:
    roots: list[IniSection] = []
    stack: list[IniSection] = []
    while not cur.at_end():
        line_no = cur.lineno
        raw = cur.take("a section line")
        line = raw.strip()
        m = _HEADER.match(line)
        if m:
            depth = len(m.group(1))
            if len(m.group(3)) != depth:
                raise cur.error(f"found {_show(raw)}; expected a section header with matching "
                                "brackets", line=line_no, value=raw)
            while stack and stack[-1].depth >= depth:
                stack.pop()
            if (stack[-1].depth if stack else 0) != depth - 1:
                raise cur.error(f"found {_show(raw)} at nesting depth {depth}; expected depth "
                                f"{(stack[-1].depth if stack else 0) + 1}", line=line_no,
                                value=raw)
            sec = IniSection(m.group(2).strip(), depth, [], line_no)
            (stack[-1].items if stack else roots).append(sec)
            stack.append(sec)
            continue
        if not stack:
            if line == "":
                continue
            raise cur.error(f"found {_show(raw)}; expected the end of the file or a "
                            "[Section] header", line=line_no, value=raw)
        if "=" in line and not line.startswith("="):
            key, value = line.split("=", 1)
            stack[-1].items.append(IniEntry(key.strip(), value.strip(), line_no))
        else:
            stack[-1].items.append(IniText(raw.rstrip(), line_no))
    return roots


def _entries(sec: IniSection) -> list[tuple[str, str, int]]:
    return [(i.key, i.value, i.line) for i in sec.items if isinstance(i, IniEntry)]


def _texts(sec: IniSection) -> list[tuple[str, int]]:
    return [(i.text, i.line) for i in sec.items if isinstance(i, IniText)]


def _subs(sec: IniSection) -> list[IniSection]:
    return [i for i in sec.items if isinstance(i, IniSection)]


def _count(cur: _Lines, sec: IniSection, key: str) -> int:
    for k, v, line in _entries(sec):
        if k == key:
            try:
                n = int(v)
            except ValueError:
                raise cur.error(f"[{sec.name}]: {key}= {v!r}; expected an integer", line=line,
                                value=v) from None
            if n < 0:
                raise cur.error(f"[{sec.name}]: {key}= {n}; expected a non-negative integer",
                                line=line, value=n)
            if n > len(cur.lines):
                raise cur.error(f"[{sec.name}]: {key}= {n}; expected at most {len(cur.lines)} "
                                "(the lines in the file)", line=line, value=n)
            return n
    raise cur.error(f"[{sec.name}] has no '{key}=' line; expected one", line=sec.line)


def _value(cur: _Lines, sec: IniSection, key: str) -> str:
    for k, v, _line in _entries(sec):
        if k == key:
            return v
    raise cur.error(f"[{sec.name}] has no '{key}=' line; expected one", line=sec.line)


def _read_dna(cur: _Lines, sec: IniSection | None, owner: str,
              fam: FamiliasFile) -> dict[str, tuple[str, str]]:
    if sec is None:
        return {}
    n = _count(cur, sec, "nSystems")
    entries = [e for e in _entries(sec) if e[0] != "nSystems"]
    if len(entries) != 3 * n:
        raise cur.error(f"{owner}: DNA data has {len(entries)} value lines; expected "
                        f"3 x nSystems = {3 * n} (SystemName, Allele1, Allele2)", line=sec.line)
    loci = {loc.name: loc for loc in fam.loci}
    out: dict[str, tuple[str, str]] = {}
    for k in range(n):
        (k1, system, l1), (k2, a1, l2), (k3, a2, l3) = entries[3 * k: 3 * k + 3]
        for key, want, line in ((k1, "SystemName", l1), (k2, "Allele1", l2),
                                (k3, "Allele2", l3)):
            if key != want:
                raise cur.error(f"{owner}: found '{key}='; expected '{want}='", line=line,
                                value=key)
        if system not in loci:
            raise cur.error(f"{owner}: marker {system!r} is not in the database; expected one "
                            "of the database loci", line=l1, value=system)
        if system in out:
            raise cur.error(f"{owner}: marker {system!r} typed twice; expected once", line=l1,
                            value=system)
        for a, line in ((a1, l2), (a2, l3)):
            if a not in loci[system].alleles:
                raise cur.error(f"{owner}, marker {system}: allele {a!r} is not in the "
                                "database; expected one of its alleles", line=line, value=a)
        out[system] = (a1, a2)
    return out


def _read_dvi_person(cur: _Lines, sec: IniSection, owner: str, fam: FamiliasFile) -> DviPerson:
    name = _value(cur, sec, "Name")
    gender = _value(cur, sec, "Gender")
    if not name:
        raise cur.error(f"{owner}: empty Name; expected a name", line=sec.line)
    dna = [s for s in _subs(sec) if s.name == "DNA data"]
    if len(dna) > 1:
        raise cur.error(f"{owner} ({name!r}) has {len(dna)} DNA data sections; expected one",
                        line=dna[1].line)
    return DviPerson(name, gender, _read_dna(cur, dna[0] if dna else None,
                                             f"{owner} ({name!r})", fam))


def _interpret_dvi(sec: IniSection, fam: FamiliasFile, cur: _Lines) -> FamiliasDvi:
    dvi = FamiliasDvi()
    for sub in _subs(sec):
        if sub.name == "Unidentified persons":
            n = _count(cur, sub, "nPersons")
            people = _subs(sub)
            if len(people) != n:
                raise cur.error(f"[[Unidentified persons]]: nPersons= {n} but {len(people)} "
                                "persons follow; expected equal counts", line=sub.line)
            dvi.unidentified = [_read_dvi_person(cur, p, f"unidentified person {k + 1}", fam)
                                for k, p in enumerate(people)]
        elif sub.name == "Notes":
            n = _count(cur, sub, "nFamilies")
            texts = [t for t, _ in _texts(sub)]
            while len(texts) > n and texts and texts[-1].strip() == "":
                texts.pop()
            dvi.notes = texts + [""] * max(0, n - len(texts))
        elif sub.name == "Reference Families":
            n = _count(cur, sub, "nFamilies")
            fams = _subs(sub)
            if len(fams) != n:
                raise cur.error(f"[[Reference Families]]: nFamilies= {n} but {len(fams)} "
                                "families follow; expected equal counts", line=sub.line)
            for k, fsec in enumerate(fams):
                dvi.families.append(_read_family(cur, fsec, k + 1, fam))
        else:
            dvi.other.append(sub)
    return dvi


def _read_family(cur: _Lines, sec: IniSection, k: int, fam: FamiliasFile) -> DviFamily:
    name = _value(cur, sec, "Name")
    family = DviFamily(name)
    owner = f"reference family {k} ({name!r})"
    psec = sec.subsection("Persons")
    if psec is None:
        raise cur.error(f"{owner} has no [[[[Persons]]]] section; expected one", line=sec.line)
    n = _count(cur, psec, "nPersons")
    people = _subs(psec)
    if len(people) != n:
        raise cur.error(f"{owner}: nPersons= {n} but {len(people)} persons follow; expected "
                        "equal counts", line=psec.line)
    family.persons = [_read_dvi_person(cur, p, f"{owner}, person {j + 1}", fam)
                      for j, p in enumerate(people)]
    gsec = sec.subsection("Pedigrees")
    if gsec is None:
        raise cur.error(f"{owner} has no [[[[Pedigrees]]]] section; expected one",
                        line=sec.line)
    n = _count(cur, gsec, "nPedigrees")
    peds = _subs(gsec)
    if len(peds) != n:
        raise cur.error(f"{owner}: nPedigrees= {n} but {len(peds)} pedigrees follow; expected "
                        "equal counts", line=gsec.line)
    for ps in peds:
        pname = _value(cur, ps, "Name")
        nrel = _count(cur, ps, "nRelations")
        rel_entries = [e for e in _entries(ps) if e[0] not in ("Name", "nRelations")]
        if len(rel_entries) != 2 * nrel:
            raise cur.error(f"{owner}, pedigree {pname!r}: nRelations= {nrel} but "
                            f"{len(rel_entries)} Parent/Child lines; expected {2 * nrel}",
                            line=ps.line)
        rels = []
        for j in range(nrel):
            (kp, parent, lp), (kc, child, lc) = rel_entries[2 * j: 2 * j + 2]
            if kp != "Parent":
                raise cur.error(f"found '{kp}='; expected 'Parent='", line=lp, value=kp)
            if kc != "Child":
                raise cur.error(f"found '{kc}='; expected 'Child='", line=lc, value=kc)
            if not parent or not child or parent == child:
                raise cur.error(f"{owner}, pedigree {pname!r}: relation {parent!r} -> "
                                f"{child!r}; expected two different names", line=lp)
            rels.append((parent, child))
        family.pedigrees.append(DviPedigree(pname, rels))
    return family


# ==========================================================================================
# Writing
# ==========================================================================================

def _fmt(x: float | int | None) -> str:
    if x is None:
        return "0"
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return repr(x)


def _q(s: str) -> str:
    if '"' in s or "\n" in s or "\r" in s:
        raise InputError(f"name {s!r} contains a double quote or a line break; Familias cannot "
                         "store it", field="name", value=s)
    return f'"{s}"'


def _ini_value(s: str, what: str) -> str:
    if "\n" in s or "\r" in s or s.strip().startswith("["):
        raise InputError(f"{what} {s!r} contains a line break or starts with '['; Familias "
                         "cannot store it", field=what, value=s)
    return s


def format_fam(fam: FamiliasFile) -> str:
    """The text of a ``.fam`` file (see :func:`write_fam`)."""
    out: list[str] = []
    add = out.append
    add(_q(fam.header[0]))
    add(_q(fam.header[1]))
    add(fam.version)
    if fam.comment is not None:
        add(_q(fam.comment))
    add(str(len(fam.persons)))
    loc_index = {loc.name: k for k, loc in enumerate(fam.loci)}
    for p in fam.persons:
        add(_q(p.name))
        add(p.raw_flags[0])
        add(p.raw_flags[1] + (" (Consider dropouts)" if p.consider_dropout else ""))
        add(p.raw_flags[2])
        add(_TRUE if p.male else _FALSE)
        add(str(len(p.genotypes)))
        for marker, (a1, a2) in p.genotypes.items():
            if marker not in loc_index:
                raise InputError(f"person {p.name!r}: marker {marker!r} is not in the "
                                 "database", field="genotypes", value=marker)
            loc = fam.loci[loc_index[marker]]
            for a in (a1, a2):
                if a not in loc.alleles:
                    raise InputError(f"person {p.name!r}, marker {marker}: allele not in the "
                                     "database", field="genotypes", value=marker)
            add(str(loc.alleles.index(a1)))
            add(str(loc.alleles.index(a2)))
            add(str(loc_index[marker]))
    add('"Known relations"')
    add(str(len(fam.known_extra_females)))
    add(str(len(fam.known_extra_males)))
    shared = [p.name for p in fam.persons] + fam.known_extra_females + fam.known_extra_males
    add(str(len(fam.known_relations)))
    for rel in fam.known_relations:
        out.extend(_relation_lines(rel, shared, "known relations"))
    add(str(len(fam.pedigrees)))
    for k, ped in enumerate(fam.pedigrees):
        add(str(k))
        add(_q(ped.name))
        add(str(len(ped.extra_females)))
        add(str(len(ped.extra_males)))
        add(str(len(ped.relations)))
        everyone = shared + ped.extra_females + ped.extra_males
        for rel in ped.relations:
            out.extend(_relation_lines(rel, everyone, f"pedigree {ped.name!r}"))
    add(f"#FALSE# (#Databases: 1 ;Theta/Kinship/Fst: {_fmt(fam.theta)} )")
    add(str(len(fam.loci)))
    if fam.database_name is None:
        add(_FALSE)
    else:
        add(_TRUE)
        add(_q(fam.database_name))
    for loc in fam.loci:
        add(_q(loc.name))
        for v in (loc.female_rate, loc.male_rate):
            add(_fmt(v))
        for c in (loc.female_model, loc.male_model):
            if c not in FAMILIAS_MODELS:
                raise InputError(f"locus {loc.name}: mutation model code {c}; expected 0-4",
                                 field="model", value=c)
            add(str(c))
        add(str(len(loc.alleles) + (1 if loc.has_silent else 0)))
        for v in (loc.female_range, loc.male_range, loc.female_rate2, loc.male_rate2):
            add(_fmt(v))
        add(_TRUE if loc.has_silent else _FALSE)
        add(_fmt(loc.silent_frequency))
        if loc.database_size is None:
            add(str(len(loc.alleles)))
        else:
            add(f"{len(loc.alleles)}\t(DatabaseSize = {_fmt(loc.database_size)} , Dropout "
                f"probability = {_fmt(loc.dropout_probability)} , Minor allele frequency = "
                f"{_fmt(loc.minor_allele_frequency)} )")
        if len(loc.alleles) != len(loc.frequencies):
            raise InputError(f"locus {loc.name}: {len(loc.alleles)} alleles but "
                             f"{len(loc.frequencies)} frequencies", field="frequencies")
        for a, f in zip(loc.alleles, loc.frequencies):
            add(_q(a))
            add(_fmt(f))
    if fam.dvi is not None:
        add("")
        out.extend(_dvi_lines(fam.dvi))
    for sec in fam.sections:
        out.extend(_ini_lines(sec))
    return "\n".join(out) + "\n"


def _relation_lines(rel: FamiliasRelation, everyone: list[str], what: str) -> list[str]:
    for n in (rel.parent, rel.child):
        if n not in everyone:
            raise InputError(f"{what}: relation names unknown person {n!r}", field="relations",
                             value=n)
    a, b = everyone.index(rel.parent), everyone.index(rel.child)
    if rel.kind == "direct":
        return [f"{a} {rel.raw or 'Direct'}", str(b)]
    return [str(a), str(b)]


def _ini_lines(sec: IniSection) -> list[str]:
    out = ["[" * sec.depth + sec.name + "]" * sec.depth]
    for item in sec.items:
        if isinstance(item, IniSection):
            out.extend(_ini_lines(item))
        elif isinstance(item, IniEntry):
            out.append(f"{item.key}= {item.value}")
        else:
            out.append(item.text)
    return out


def _dna_lines(genotypes: Mapping[str, tuple[str, str]], depth: int) -> list[str]:
    out = ["[" * depth + "DNA data" + "]" * depth, f"nSystems= {len(genotypes)}"]
    for m, (a1, a2) in genotypes.items():
        out += [f"SystemName= {_ini_value(m, 'marker')}", f"Allele1= {_ini_value(a1, 'allele')}",
                f"Allele2= {_ini_value(a2, 'allele')}"]
    return out


def _dvi_lines(dvi: FamiliasDvi) -> list[str]:
    out = ["[DVI]", "[[Unidentified persons]]", f"nPersons= {len(dvi.unidentified)}"]
    for k, p in enumerate(dvi.unidentified):
        out += [f"[[[Person {k + 1} ]]]", f"Name= {_ini_value(p.name, 'name')}",
                f"Gender= {_ini_value(p.gender, 'gender')}"]
        out += _dna_lines(p.genotypes, 4)
    if dvi.notes is not None:
        out += ["[[Notes]]", f"nFamilies= {len(dvi.notes)}"]
        out += [_ini_value(n, "note") for n in dvi.notes]
    out += ["[[Reference Families]]", f"nFamilies= {len(dvi.families)}"]
    for k, f in enumerate(dvi.families):
        out += [f"[[[Family {k + 1} ]]]", f"Name= {_ini_value(f.name, 'family name')}",
                "[[[[Persons]]]]", f"nPersons= {len(f.persons)}"]
        for j, p in enumerate(f.persons):
            out += [f"[[[[[Person {j + 1}]]]]]", f"Name= {_ini_value(p.name, 'name')}",
                    f"Gender= {_ini_value(p.gender, 'gender')}"]
            out += _dna_lines(p.genotypes, 6)
        out += ["[[[[Pedigrees]]]]", f"nPedigrees= {len(f.pedigrees)}"]
        for j, ped in enumerate(f.pedigrees):
            out += [f"[[[[[Pedigree {j + 1}]]]]]", f"Name= {_ini_value(ped.name, 'name')}",
                    f"nRelations= {len(ped.relations)}"]
            for parent, child in ped.relations:
                out += [f"Parent= {_ini_value(parent, 'name')}",
                        f"Child= {_ini_value(child, 'name')}"]
    for sec in dvi.other:
        out.extend(_ini_lines(sec))
    return out


def write_fam(fam: FamiliasFile | Mapping, path: str | os.PathLike[str], *,
              encoding: str | None = None) -> Path:
    """Write a :class:`FamiliasFile` (or a kinship-case@1 / dvi-dataset@1 dict, converted
    with :func:`familias_from_kinship_case` / :func:`familias_from_dvi_dataset`) to ``path``.

    The whole text is built first and written through a temporary file renamed into place,
    so an error leaves no partial file. Lines end in CRLF, as Familias (Windows) writes them;
    the encoding is the one the file was read in (UTF-8 for new files) unless given.
    """
    from homecoming.formats.registry import atomic_write_text

    if isinstance(fam, Mapping):
        kind = fam.get("format")
        if kind == KINSHIP_CASE_FORMAT:
            fam = familias_from_kinship_case(fam)
        elif kind == DVI_DATASET_FORMAT:
            fam = familias_from_dvi_dataset(fam)
        else:
            raise InputError(f"format {kind!r}; expected {KINSHIP_CASE_FORMAT!r} or "
                             f"{DVI_DATASET_FORMAT!r}", field="format", value=kind)
    if not isinstance(fam, FamiliasFile):
        raise InputError(f"cannot write a {type(fam).__name__} as a Familias file; expected a "
                         "FamiliasFile or a kinship-case/dvi-dataset dict", field="data")
    encoding = encoding or fam.encoding
    text = format_fam(fam)
    try:
        text.encode(encoding)
    except UnicodeEncodeError:
        encoding = "utf-8"  # a name the ANSI code page cannot hold
    return atomic_write_text(path, text, encoding=encoding, newline="\r\n")


# ==========================================================================================
# From our formats to Familias
# ==========================================================================================

def _code_for(spec: Mapping | None, marker: str, sex: str) -> tuple[int, float, float, float]:
    """(code, rate, rate2, range) for one sex's mutation spec (kinship-case@1 JSON)."""
    if spec is None:
        return 0, 0.0, 0.0, 0.1
    model = spec.get("model")
    rate = float(spec.get("rate") or 0.0)
    if model == "equal":
        return 0, rate, 0.0, 0.1
    if model == "proportional":
        return 1, rate, 0.0, 0.1
    if model == "stepwise":
        rate2 = spec.get("rate2")
        rng = float(spec.get("range") if spec.get("range") is not None else 0.1)
        return (2 if rate2 is None else 4), rate, float(rate2 or 0.0), rng
    raise InputError(f"marker {marker}: {sex} mutation model {model!r} cannot be written to a "
                     "Familias .fam file; expected 'equal', 'proportional' or 'stepwise'",
                     field="mutation", value=model)


def familias_from_kinship_case(case: Mapping, *, database_name: str = "Homecoming",
                               version: str = "3.3", validate: bool = True) -> FamiliasFile:
    """A :class:`FamiliasFile` for a kinship-case@1 dict (each hypothesis a pedigree).

    Everybody who appears in any hypothesis becomes an individual (sex from the first
    hypothesis that names them); the relations of each hypothesis become its pedigree.
    """
    if not isinstance(case, Mapping) or case.get("format") != KINSHIP_CASE_FORMAT:
        got = case.get("format") if isinstance(case, Mapping) else type(case).__name__
        raise InputError(f"format {got!r}; expected {KINSHIP_CASE_FORMAT!r}",
                         field="format", value=got)
    if validate:
        from homecoming.formats.kinship_case import load_kinship_case

        load_kinship_case(case)  # every field checked before anything is converted
    for h in case.get("hypotheses", []):
        if h.get("founder_inbreeding"):
            raise InputError(f"hypothesis {h.get('name')!r}: founder inbreeding cannot be "
                             "written to a Familias .fam file", field="founder_inbreeding")
    for m in case.get("markers", []):
        if m.get("chromosome", "autosomal") != "autosomal":
            raise InputError(f"marker {m.get('name')}: chromosome {m.get('chromosome')!r}; a "
                             "Familias .fam file holds autosomal markers only",
                             field="chromosome", value=m.get("chromosome"))
    fam = FamiliasFile(version=version,
                       header=(f"Output from Familias, version {version}",
                               "Written by Homecoming"),
                       comment="", theta=float(case.get("theta") or 0.0),
                       database_name=database_name)
    for m in case.get("markers", []):
        mut = m.get("mutation") or {}
        fc, fr, fr2, frg = _code_for(mut.get("female"), m["name"], "female")
        mc, mr, mr2, mrg = _code_for(mut.get("male"), m["name"], "male")
        silent = float(m.get("silent_frequency") or 0.0)
        fam.loci.append(FamiliasLocus(
            name=str(m["name"]), alleles=[str(a) for a in m["alleles"]],
            frequencies=[float(f) for f in m["frequencies"]], female_rate=fr, male_rate=mr,
            female_model=fc, male_model=mc, female_range=frg, male_range=mrg,
            female_rate2=fr2, male_rate2=mr2, has_silent=silent > 0, silent_frequency=silent))
    sexes: dict[str, str] = {}
    for h in case.get("hypotheses", []):
        for p in h["pedigree"]:
            sexes.setdefault(p["id"], p.get("sex", "unknown"))
    genotypes = case.get("genotypes", {})
    for pid, sex in sexes.items():
        if sex not in ("male", "female"):
            raise InputError(f"person {pid!r} has sex {sex!r}; Familias needs 'male' or "
                             "'female'", field="sex", value=sex)
        gt = {m: (str(g[0]), str(g[1])) for m, g in genotypes.get(pid, {}).items()
              if len(g) == 2 and None not in g}
        partial = [m for m, g in genotypes.get(pid, {}).items() if len(g) != 2 or None in g]
        if partial:
            raise InputError(f"person {pid!r}: partial or one-allele genotypes at {partial} "
                             "cannot be written to a Familias .fam file", field="genotypes",
                             value=partial)
        fam.persons.append(FamiliasPerson(pid, sex == "male", gt))
    dropout = case.get("dropout") or {}
    values = {float(v) for v in dropout.values() if float(v) > 0}
    if len(values) > 1:
        raise InputError(f"dropout probabilities {sorted(values)} differ between persons; a "
                         "Familias .fam file has one per marker", field="dropout")
    if values:
        (d,) = values
        for loc in fam.loci:
            loc.dropout_probability = d
        for person in fam.persons:
            person.consider_dropout = float(dropout.get(person.name, 0) or 0) > 0
    for h in case.get("hypotheses", []):
        rels = []
        for p in h["pedigree"]:
            for parent in (p.get("father"), p.get("mother")):
                if parent is not None:
                    rels.append(FamiliasRelation(parent, p["id"]))
        fam.pedigrees.append(FamiliasPedigree(h["name"], [], [], rels))
    return fam


def _pair(pid: str, marker: str, g: Sequence) -> tuple[str, str]:
    if len(g) != 2 or None in g:
        raise InputError(f"person {pid!r}, marker {marker}: a partial or one-allele genotype "
                         "cannot be written to a Familias .fam file", field="genotypes",
                         value=marker)
    return str(g[0]), str(g[1])


def familias_from_dvi_dataset(dataset: Mapping, *, database_name: str = "Homecoming",
                              version: str = "3.3 (DVI)", validate: bool = True) -> FamiliasFile:
    """A :class:`FamiliasFile` with a ``[DVI]`` section for a dvi-dataset@1 dict.

    Each family is written with one pedigree. Familias and dvir recognise missing persons by
    name, so a missing person whose id does not start with ``Missing`` is written as
    ``"Missing <id>"`` (and a non-missing person must not be named ``Missing ...``).
    """
    if not isinstance(dataset, Mapping) or dataset.get("format") != DVI_DATASET_FORMAT:
        got = dataset.get("format") if isinstance(dataset, Mapping) else type(dataset).__name__
        raise InputError(f"format {got!r}; expected {DVI_DATASET_FORMAT!r}",
                         field="format", value=got)
    if validate:
        from homecoming.formats.dvi_dataset import load_dvi_dataset

        load_dvi_dataset(dataset)
    case = {"format": KINSHIP_CASE_FORMAT, "theta": dataset.get("theta", 0.0),
            "markers": dataset.get("markers", []), "genotypes": {}, "hypotheses": []}
    fam = familias_from_kinship_case(case, database_name=database_name, version=version,
                                     validate=False)
    fam.header = (f"Output from Familias, version {version.split()[0]}", "Written by Homecoming")
    gender = {"male": "Male", "female": "Female"}
    dvi = FamiliasDvi()
    # Familias (and dvir) recognise missing persons by name: 'Missing person' or 'Missing ...'
    rename: dict[tuple[str, str], str] = {}
    for f in dataset.get("families", []):
        taken = {p["id"] for p in f["pedigree"]}
        for m in f.get("missing", []):
            if m != MISSING_PERSON and not m.startswith("Missing"):
                new = f"Missing {m}"
                while new in taken:
                    new += "_"
                taken.add(new)
                rename[(f["name"], m)] = new
    for v in dataset.get("victims", []):
        dvi.unidentified.append(DviPerson(
            v["id"], gender.get(v.get("sex", "unknown"), "Unknown"),
            {m: _pair(v["id"], m, g) for m, g in v.get("genotypes", {}).items()}))
    for f in dataset.get("families", []):
        fam_gt = f.get("genotypes", {})

        def nm(pid: str, fam_name: str = f["name"]) -> str:
            return rename.get((fam_name, pid), pid)
        persons = [DviPerson(nm(p["id"]), gender.get(p.get("sex", "unknown"), "Unknown"),
                             {m: _pair(p["id"], m, g) for m, g in fam_gt.get(p["id"], {}).items()})
                   for p in f["pedigree"]]
        rels = [(nm(parent), nm(p["id"])) for p in f["pedigree"]
                for parent in (p.get("father"), p.get("mother")) if parent is not None]
        dvi.families.append(DviFamily(f["name"], persons, [DviPedigree("Reference pedigree",
                                                                       rels)]))
    dvi.notes = [""] * len(dvi.families)
    fam.dvi = dvi
    return fam


__all__ = [
    "FAMILIAS_MODELS",
    "MODEL_FROM_CODE",
    "MISSING_PERSON",
    "DviFamily",
    "DviPedigree",
    "DviPerson",
    "FamiliasDvi",
    "FamiliasFile",
    "FamiliasLocus",
    "FamiliasPedigree",
    "FamiliasPerson",
    "FamiliasRelation",
    "IniEntry",
    "IniSection",
    "IniText",
    "familias_from_dvi_dataset",
    "familias_from_kinship_case",
    "format_fam",
    "pm_stationary",
    "parse_fam",
    "read_fam",
    "write_fam",
]


def _registry_reader(path: Path, **options: object):
    from homecoming.formats.registry import Imported

    fam = read_fam(path)
    return Imported(fam, fam.report)


def _registry_writer(data: object, path: Path, **options: object) -> Path:
    return write_fam(data, path, **options)  # type: ignore[arg-type]


def _formats() -> list:
    from homecoming.formats.registry import FileFormat

    return [FileFormat("familias", "Familias .fam: individuals, pedigrees, frequency database, "
                       "DVI section", (".fam",), "familias", _registry_reader, _registry_writer,
                       module=__name__)]


FORMATS = _formats()
