"""Reading Familias ``.fam`` files (:func:`read_fam`, :func:`parse_fam`): structural faults
raise :class:`~homecoming.errors.FormatError` naming the file and line; every count read
from the file is bounded by what the rest of the file can hold."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from pathlib import Path

from homecoming.errors import FormatError
from homecoming.formats.checks import check_text
from homecoming.formats.familias.model import (
    _DB_HEADER,
    _FALSE,
    _HEADER,
    _LOCUS_INFO,
    _TRUE,
    MAX_EXTRAS,
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
from homecoming.formats.report import ImportReport


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
            low = minimum if minimum is not None else "-inf"
            high = maximum if maximum is not None else "inf"
            rng = f"{low}..{high}"
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
    # a line with letters may be a person's name (names are lines of their own): not shown
    if any(c.isalpha() for c in s):
        return f"a line of {len(s)} characters with letters (not shown: it may be a name)"
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
            raise cur.error(f"the name of individual {k + 1} appears again (first on line "
                            f"{seen_names[name]}); expected unique names", line=cur.lineno - 1)
        seen_names[name] = cur.lineno - 1
        f1 = cur.take(f"a flag line of individual {k + 1}").strip()
        dl = cur.take(f"the dropout line of individual {k + 1}").strip()
        consider = "(Consider dropouts)" in dl
        dnum = dl.replace("(Consider dropouts)", "").strip()
        f3 = cur.take(f"a flag line of individual {k + 1}").strip()
        male = cur.boolean(f"the sex of individual {k + 1} (#TRUE# = male)")
        n_geno = cur.count(f"the number of typed markers of individual {k + 1}",
                           lines_each=3)
        triples = []
        for _ in range(n_geno):
            line = cur.lineno
            a1 = cur.integer(f"an allele index of individual {k + 1}", minimum=-1)
            a2 = cur.integer(f"an allele index of individual {k + 1}", minimum=-1)
            mi = cur.integer(f"a marker index of individual {k + 1}")
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
    for _ in range(n_ped):
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
    for number, (person, triples) in enumerate(pending, 1):
        for a1, a2, mi, line in triples:
            if mi >= len(loci):
                raise cur.error(f"individual {number}: marker index {mi}; expected "
                                f"0..{len(loci) - 1} (the database has {len(loci)} loci)",
                                line=line + 2, value=mi)
            loc = loci[mi]
            alleles = []
            for a, off in ((a1, 0), (a2, 1)):
                if not 0 <= a < len(loc.alleles):
                    raise cur.error(f"individual {number}, locus {loc.name}: allele "
                                    f"index {a}; expected 0..{len(loc.alleles) - 1}",
                                    line=line + off, value=a)
                alleles.append(loc.alleles[a])
            if loc.name in person.genotypes:
                raise cur.error(f"individual {number}: locus {loc.name} typed twice; "
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
        raise cur.error(f"person {idx + 1} is related to themself ({what})",
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
                # genetic data: the place (owner, marker, line), never the allele
                raise cur.error(f"{owner}, marker {system}: an allele that is not in the "
                                "database; expected one of its alleles", line=line)
        out[system] = (a1, a2)
    return out


def _read_dvi_person(cur: _Lines, sec: IniSection, owner: str, fam: FamiliasFile) -> DviPerson:
    name = _value(cur, sec, "Name")
    gender = _value(cur, sec, "Gender")
    if not name:
        raise cur.error(f"{owner}: empty Name; expected a name", line=sec.line)
    dna = [s for s in _subs(sec) if s.name == "DNA data"]
    if len(dna) > 1:
        raise cur.error(f"{owner} has {len(dna)} DNA data sections; expected one",
                        line=dna[1].line)
    return DviPerson(name, gender, _read_dna(cur, dna[0] if dna else None,
                                             owner, fam))


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
    owner = f"reference family {k}"
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
                # names are free text (maybe real names): the relation's number, not them
                raise cur.error(f"{owner}, pedigree {pname!r}, relation {j + 1}: an empty "
                                "name or a person as their own parent; expected two different "
                                "names", line=lp)
            rels.append((parent, child))
        family.pedigrees.append(DviPedigree(pname, rels))
    return family




__all__ = ["parse_fam", "read_fam"]
