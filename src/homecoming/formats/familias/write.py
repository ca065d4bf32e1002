"""Writing Familias ``.fam`` files (:func:`format_fam`, :func:`write_fam`)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from homecoming.errors import InputError
from homecoming.formats.familias.convert import (
    familias_from_dvi_dataset,
    familias_from_kinship_case,
)
from homecoming.formats.familias.model import (
    _FALSE,
    _TRUE,
    DVI_DATASET_FORMAT,
    FAMILIAS_MODELS,
    KINSHIP_CASE_FORMAT,
    FamiliasDvi,
    FamiliasFile,
    FamiliasRelation,
    IniEntry,
    IniSection,
)


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




__all__ = ["format_fam", "write_fam"]
