"""CODIS CMF (Common Message Format) XML: import and export of DNA profiles.

We read and write a documented subset of CMF 3.2 — the elements a profile exchange needs::

    <?xml version="1.0" encoding="UTF-8"?>
    <CODISImportFile>
      <HEADERVERSION>3.2</HEADERVERSION>
      <MESSAGETYPE>Import</MESSAGETYPE>
      <SOURCELAB>lab ORI</SOURCELAB>                      (optional)
      <SUBMITDATETIME>2026-11-25T06:00:00</SUBMITDATETIME> (optional)
      <SPECIMEN>
        <SPECIMENID>PM-000001</SPECIMENID>
        <SPECIMENCATEGORY>Unidentified Human (Remains)</SPECIMENCATEGORY>  (optional)
        <LOCUS>
          <LOCUSNAME>D3S1358</LOCUSNAME>
          <ALLELE><ALLELEVALUE>15</ALLELEVALUE></ALLELE>
          <ALLELE><ALLELEVALUE>16</ALLELEVALUE></ALLELE>
        </LOCUS>
      </SPECIMEN>
    </CODISImportFile>

Other CMF elements and attributes (``DESTINATIONORI``, ``BATCHID``, ``KIT``, ``READINGBY``,
``SOURCEID`` …) are accepted and ignored when reading; an XML namespace on the root is
accepted. One ``ALLELE`` in a ``LOCUS`` is a homozygote; more than two mark a mixture (the
locus is left out and the specimen is not imported as a single-source profile, as for
GeneMapper tables). Files with a ``DOCTYPE`` or entity declarations are refused (no entity
expansion is ever performed). Errors name the file and the line of the element.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat
from xml.sax.saxutils import escape

from homecoming.errors import FormatError, InputError
from homecoming.formats.checks import (
    MAX_FIELD,
    check_alleles,
    check_locus,
    find_control,
    known_loci,
    show,
)
from homecoming.formats.genemapper import GeneMapperSample, GeneMapperTable, _refusal, _valid
from homecoming.formats.report import ImportReport
from homecoming.genetics.alleles import canonical_locus, is_off_ladder

CMF_VERSION = "3.2"
ROOT = "CODISImportFile"


@dataclass
class _Element:
    tag: str
    line: int
    children: list[_Element] = field(default_factory=list)
    text: str = ""

    def find_all(self, tag: str) -> list[_Element]:
        return [c for c in self.children if c.tag == tag]

    def find(self, tag: str) -> _Element | None:
        for c in self.children:
            if c.tag == tag:
                return c
        return None


def _local(name: str) -> str:
    # expat with namespace_separator gives "uri tag"; without, "prefix:tag" is possible
    name = name.rsplit(" ", 1)[-1]
    return name.rsplit(":", 1)[-1]


def _parse_xml(data: bytes, path: str | None) -> _Element:
    head = data[:4096].decode("utf-8", errors="replace").upper()
    if "<!DOCTYPE" in head or "<!ENTITY" in data.decode("utf-8", errors="replace").upper():
        raise FormatError("the XML declares a DOCTYPE or entities; expected a plain CMF file "
                          "without them", path=path, line=1)
    parser = expat.ParserCreate(namespace_separator=" ")
    root: list[_Element] = []
    stack: list[_Element] = []

    def start(name: str, attrs: dict) -> None:
        el = _Element(_local(name), parser.CurrentLineNumber)
        if stack:
            stack[-1].children.append(el)
        else:
            root.append(el)
        stack.append(el)

    def end(name: str) -> None:
        el = stack.pop()
        el.text = el.text.strip()

    def chars(text: str) -> None:
        if find_control(text) is not None:
            i = find_control(text)
            raise FormatError(f"the control character U+{ord(text[i]):04X} in "
                              f"<{stack[-1].tag if stack else ROOT}>; expected printable text",
                              path=path, line=parser.CurrentLineNumber)
        if stack:
            el = stack[-1]
            if len(el.text) + len(text) > MAX_FIELD:
                raise FormatError(f"<{el.tag}> holds more than {MAX_FIELD} characters; expected "
                                  "a short value", path=path, line=el.line, column=el.tag)
            el.text += text

    def no_entities(*args: object) -> None:
        raise FormatError("the XML declares entities; expected a plain CMF file", path=path,
                          line=parser.CurrentLineNumber)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = no_entities
    parser.StartDoctypeDeclHandler = no_entities
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise FormatError(f"not well-formed XML ({expat.ErrorString(exc.code)}); expected a "
                          "CMF XML file", path=path, line=exc.lineno, column=exc.offset) from None
    if not root:
        raise FormatError("no XML element; expected a <CODISImportFile> root", path=path, line=1)
    return root[0]


def read_cmf(path: str | os.PathLike[str], *, loci: Mapping[str, str] | None = None,
             loci_label: str = "the shipped frequency tables") -> GeneMapperTable:
    """Read a CMF file into profiles by specimen id (see module doc)."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise FormatError(f"cannot read the file ({exc.strerror or exc}); expected a CODIS CMF "
                          "XML file", path=str(path)) from None
    return parse_cmf(data, path=str(path), loci=loci, loci_label=loci_label)


def parse_cmf(data: bytes | str, *, path: str | None = None,
              loci: Mapping[str, str] | None = None,
              loci_label: str = "the shipped frequency tables") -> GeneMapperTable:
    """Read CMF XML (see module doc).

    :param loci: accepted loci, canonical key -> name (default: every locus of the shipped
        frequency tables).
    :raises FormatError: naming the file, the line and the element of the first refused
        locus or allele (and how many were refused in all); nothing is returned.
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    report = ImportReport(source=path, format="codis")
    accepted = dict(loci) if loci is not None else known_loci()
    root = _parse_xml(data, path)
    if root.tag != ROOT:
        raise FormatError(f"root element <{show(root.tag)}>; expected <{ROOT}>", path=path,
                          line=root.line, value=root.tag)
    version = root.find("HEADERVERSION")
    if version is not None and version.text and not version.text.startswith("3"):
        report.warn(f"CMF header version {show(version.text)}; written for 3.x",
                    line=version.line)
    specimens = root.find_all("SPECIMEN")
    if not specimens:
        raise FormatError(f"no <SPECIMEN> in <{ROOT}>; expected at least one specimen",
                          path=path, line=root.line)
    samples: list[GeneMapperSample] = []
    seen: dict[str, int] = {}
    homozygous = False
    refused: list[FormatError] = []
    n_loci = skipped = 0

    def refuse(message: str, line: int, column: str) -> None:
        refused.append(FormatError(message, path=path, line=line, column=column))

    reasons: dict[str, int] = {}

    def skip(s: GeneMapperSample, message: str, line: int, reason: str) -> None:
        nonlocal skipped
        skipped += 1
        reasons[reason] = reasons.get(reason, 0) + 1
        s.rows_skipped += 1
        if message:
            report.warn(message, line=line)

    for sp in specimens:
        sid_el = sp.find("SPECIMENID")
        if sid_el is None or not sid_el.text:
            raise FormatError("<SPECIMEN> without a <SPECIMENID>; expected one", path=path,
                              line=sp.line)
        sid = sid_el.text
        if sid in seen:
            raise FormatError(f"specimen {show(sid)} appears again (first on line {seen[sid]}); "
                              "expected unique SPECIMENID values", path=path, line=sid_el.line,
                              value=sid)
        seen[sid] = sid_el.line
        s = GeneMapperSample(sid, first_line=sid_el.line)
        names: set[str] = set()
        for loc in sp.find_all("LOCUS"):
            n_loci += 1
            name_el = loc.find("LOCUSNAME")
            if name_el is None or not name_el.text:
                raise FormatError(f"specimen {show(sid)}: <LOCUS> without a <LOCUSNAME>; "
                                  "expected one", path=path, line=loc.line)
            name = name_el.text
            if canonical_locus(name) in names:
                raise FormatError(f"specimen {show(sid)}: locus {show(name)} appears twice; "
                                  "expected once", path=path, line=name_el.line, value=name)
            names.add(canonical_locus(name))
            try:
                locus = check_locus(name, accepted, loci_label)
            except ValueError as exc:
                refuse(f"specimen {show(sid)}: {exc}", name_el.line, "LOCUSNAME")
                continue
            values: list[tuple[str, int]] = []
            for al in loc.find_all("ALLELE"):
                v = al.find("ALLELEVALUE")
                if v is None or not v.text:
                    raise FormatError(f"specimen {show(sid)}, locus {show(name)}: <ALLELE> "
                                      "without an <ALLELEVALUE>; expected one", path=path,
                                      line=al.line)
                values.append((v.text, v.line))
            bad = next(((a, line) for a, line in values
                        if not (is_off_ladder(a) and locus != "AMEL") and not _valid(locus, a)),
                       None)
            if bad is not None:
                try:
                    check_alleles(locus, [bad[0]])
                except ValueError as exc:
                    refuse(f"specimen {show(sid)}, locus {show(name)}: {exc}", bad[1],
                           "ALLELEVALUE")
                continue
            alleles = [a for a, _ in values]
            if locus == "AMEL":
                s.amelogenin = check_alleles(locus, alleles) or None
                skip(s, "", loc.line, "amelogenin (sex, not stored as a genotype)")
                continue
            if not alleles:
                s.missing_loci.append(name)
                skip(s, "", loc.line, "no allele")
                continue
            if len(alleles) > 2:
                s.mixture_loci.append(name)
                skip(s, f"specimen {show(sid)}, locus {show(name)}: {len(alleles)} alleles "
                        "(mixture); locus left out", loc.line, "more than two alleles")
                continue
            if any(is_off_ladder(a) for a in alleles):
                s.off_ladder_loci.append(name)
                skip(s, f"specimen {show(sid)}, locus {show(name)}: off-ladder allele (OL); "
                        "locus left out", loc.line, "off-ladder")
                continue
            clean = check_alleles(locus, alleles)
            if len(clean) == 1:
                clean = clean * 2
                homozygous = True
            s.genotypes[name] = (clean[0], clean[1])
            s.genotype_rows += 1
        if s.is_mixture:
            report.warn(f"specimen {show(sid)}: more than two alleles at {len(s.mixture_loci)} "
                        "loci; not imported as a single-source profile", line=sp.line)
        samples.append(s)
    if refused:
        raise _refusal(refused)
    if homozygous:
        report.note("a single ALLELE at a locus was read as a homozygote")
    if reasons:
        report.note("loci skipped: " + ", ".join(f"{k} {why}" for why, k in reasons.items()))
    report.counts.update({"specimens": len(samples),
                          "mixtures": sum(1 for s in samples if s.is_mixture),
                          "rows": n_loci, "rows skipped": skipped})
    return GeneMapperTable(samples, report)


def format_cmf(profiles: Mapping[str, Mapping[str, Sequence[str | None]]], *,
               source_lab: str | None = None, category: str | None = None,
               submitted: _dt.datetime | None = None) -> str:
    """CMF XML for ``{specimen id: {locus: alleles}}`` (a homozygote as one ALLELE; unknown
    alleles are left out)."""
    def el(tag: str, text: str, indent: int) -> str:
        return " " * indent + f"<{tag}>{escape(_clean(text, tag))}</{tag}>"

    out = ['<?xml version="1.0" encoding="UTF-8"?>', f"<{ROOT}>",
           el("HEADERVERSION", CMF_VERSION, 2), el("MESSAGETYPE", "Import", 2)]
    if source_lab:
        out.append(el("SOURCELAB", source_lab, 2))
    if submitted is not None:
        out.append(el("SUBMITDATETIME", submitted.replace(microsecond=0).isoformat(), 2))
    for sid, genotypes in profiles.items():
        out.append("  <SPECIMEN>")
        out.append(el("SPECIMENID", sid, 4))
        if category:
            out.append(el("SPECIMENCATEGORY", category, 4))
        for locus, alleles in genotypes.items():
            known = [str(a) for a in alleles if a is not None]
            if len(known) == 2 and known[0] == known[1]:
                known = known[:1]
            out.append("    <LOCUS>")
            out.append(el("LOCUSNAME", locus, 6))
            for a in known:
                out.append("      <ALLELE>" + f"<ALLELEVALUE>{escape(_clean(a, 'ALLELEVALUE'))}"
                           "</ALLELEVALUE></ALLELE>")
            out.append("    </LOCUS>")
        out.append("  </SPECIMEN>")
    out.append(f"</{ROOT}>")
    return "\n".join(out) + "\n"


def _clean(text: str, tag: str) -> str:
    text = str(text)
    if not text.strip() or any(ord(c) < 32 and c not in "\t" for c in text):
        # the value may be an allele (genetic data): name the element, not the value
        raise InputError(f"<{tag}>: a value that is empty or has control characters; "
                         "expected printable text", field=tag)
    return text


def write_cmf(profiles: Mapping[str, Mapping[str, Sequence[str | None]]],
              path: str | os.PathLike[str], **options: object) -> Path:
    from homecoming.formats.registry import atomic_write_text

    return atomic_write_text(path, format_cmf(profiles, **options))  # type: ignore[arg-type]


def _registry_reader(path: Path, **options: object):
    from homecoming.formats.registry import Imported

    table = read_cmf(path)
    return Imported(table, table.report)


def _formats() -> list:
    from homecoming.formats.registry import FileFormat

    return [FileFormat("codis", "CODIS CMF 3.2 XML (SPECIMEN, LOCUS, ALLELE subset)",
                       (".cmf", ".xml"), "profiles", _registry_reader, write_cmf,
                       module=__name__)]


FORMATS = _formats()

__all__ = ["CMF_VERSION", "format_cmf", "parse_cmf", "read_cmf", "write_cmf", "FORMATS"]
