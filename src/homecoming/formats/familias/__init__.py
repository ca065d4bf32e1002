"""Familias ``.fam`` files: read, write, and convert to kinship cases and DVI datasets.

The package has four parts: :mod:`.model` (the data classes), :mod:`.read` (:func:`read_fam`,
:func:`parse_fam`), :mod:`.write` (:func:`format_fam`, :func:`write_fam`) and :mod:`.convert`
(to and from kinship-case@1 and dvi-dataset@1). Everything public is importable from
``homecoming.formats.familias``.

Familias (Egeland, Mostad, Kling) stores a case as line-oriented text. The layout below was
reverse-engineered from real files written by Familias 3.2.9-3.3.1 and by R/pedsuite (the
example files in ``tests/data/familias``, see its SOURCES.md) and checked against the
published description of the format (pedFamilias ``readFam``). Strings are written in double
quotes, booleans as ``#TRUE#``/``#FALSE#``, numbers in C notation (``1e-006`` is valid), one
value per line.

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

from pathlib import Path

from homecoming.formats.familias.convert import (
    familias_from_dvi_dataset,
    familias_from_kinship_case,
)
from homecoming.formats.familias.model import (
    DVI_DATASET_FORMAT,
    FAMILIAS_MODELS,
    KINSHIP_CASE_FORMAT,
    MAX_EXTRAS,
    MISSING_PERSON,
    MODEL_FROM_CODE,
    DviFamily,
    DviPedigree,
    DviPerson,
    FamiliasDvi,
    FamiliasFile,
    FamiliasLocus,
    FamiliasPedigree,
    FamiliasPerson,
    FamiliasRelation,
    IniEntry,
    IniSection,
    IniText,
)
from homecoming.formats.familias.read import parse_fam, read_fam
from homecoming.formats.familias.write import format_fam, write_fam
from homecoming.genetics.mutation import pm_stationary

__all__ = [
    "DVI_DATASET_FORMAT",
    "KINSHIP_CASE_FORMAT",
    "MAX_EXTRAS",
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
