"""The data model of a Familias ``.fam`` file (see :mod:`homecoming.formats.familias` for the
layout) and the constants shared by reading, writing and converting."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from homecoming.errors import InputError
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

    def subsection(self, name: str) -> IniSection | None:
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
    # conversions (implemented in homecoming.formats.familias.convert)
    def markers_json(self, names: Iterable[str] | None = None, *,
                     chromosome: str = "autosomal",
                     report: ImportReport | None = None) -> list[dict]:
        """The database as kinship-case@1 ``markers`` items (all loci, or those named)."""
        from homecoming.formats.familias.convert import markers_json

        return markers_json(self, names, chromosome=chromosome, report=report)

    def to_kinship_case(self, *, reference: str | None = None, all_markers: bool = False,
                        chromosome: str = "autosomal") -> dict:
        """The pedigrees of the main part as a kinship-case@1 JSON dict (see
        :func:`homecoming.formats.familias.convert.to_kinship_case`)."""
        from homecoming.formats.familias.convert import to_kinship_case

        return to_kinship_case(self, reference=reference, all_markers=all_markers,
                               chromosome=chromosome)

    def to_dvi_dataset(self, *, missing_prefix: str = "Missing", undecided_sex: str = "unknown",
                       all_markers: bool = False, chromosome: str = "autosomal") -> dict:
        """The ``[DVI]`` section as a dvi-dataset@1 JSON dict (see
        :func:`homecoming.formats.familias.convert.to_dvi_dataset`)."""
        from homecoming.formats.familias.convert import to_dvi_dataset

        return to_dvi_dataset(self, missing_prefix=missing_prefix, undecided_sex=undecided_sex,
                              all_markers=all_markers, chromosome=chromosome)

__all__ = ["DVI_DATASET_FORMAT", "FAMILIAS_MODELS", "KINSHIP_CASE_FORMAT", "MAX_EXTRAS",
           "MISSING_PERSON", "MODEL_FROM_CODE", "DviFamily", "DviPedigree", "DviPerson",
           "FamiliasDvi", "FamiliasFile", "FamiliasLocus", "FamiliasPedigree", "FamiliasPerson",
           "FamiliasRelation", "IniEntry", "IniSection", "IniText"]
