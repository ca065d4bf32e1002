"""The kinship case file ``homecoming/kinship-case@1`` and result ``homecoming/kinship-result@1``.

The format is specified in ``docs/reference/formats/kinship-case.md``. This module reads it
exactly, validating every field; an error is one line that starts with the JSON field path
(``markers[2].frequencies``, ``genotypes.CH.D3S1358``, ``hypotheses[1].name``), gives the bad
value and says what was expected.

Compatible extensions (optional; files without them are plain kinship-case@1):

* ``markers[i].silent_frequency`` — frequency of a silent (null) allele at the marker
  (Familias). The listed ``frequencies`` plus ``silent_frequency`` must sum to 1.
* ``dropout`` at the top level — ``{person: d}``, the per-allele dropout probability of that
  person's sample (see docs/explanation/methods.md for the model).

Building blocks reused by other readers (the DVI dataset format): :func:`markers_from_json`,
:func:`pedigree_from_json`, :func:`genotypes_from_json`.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from homecoming.errors import (
    FormatError,
    FrequencyError,
    GenotypeError,
    HypothesisError,
    InputError,
    MutationModelError,
    PedigreeError,
)
from homecoming.formats.checks import find_control
from homecoming.genetics.alleles import canonical_locus
from homecoming.genetics.markers import FREQUENCY_SUM_TOLERANCE, Marker, MutationSpec
from homecoming.genetics.mutation import mutation_matrix
from homecoming.pedigree.pedigree import Pedigree, Person, Sex
from homecoming.provenance import sha256_json, software

CASE_FORMAT = "homecoming/kinship-case@1"
RESULT_FORMAT = "homecoming/kinship-result@1"

__all__ = ["CASE_FORMAT", "RESULT_FORMAT", "CaseHypothesis", "KinshipCase", "markers_from_json",
           "pedigree_from_json", "genotypes_from_json", "hypotheses_from_json",
           "load_kinship_case", "kinship_result_json"]

Genotype = tuple[str | None, ...]


@dataclass(frozen=True)
class CaseHypothesis:
    """One hypothesis of a case file: a name, a pedigree and optional founder inbreeding."""

    name: str
    pedigree: Pedigree
    founder_inbreeding: Mapping[str, float] | None = None


@dataclass(frozen=True)
class KinshipCase:
    """A parsed, validated kinship case."""

    markers: list[Marker]
    genotypes: dict[str, dict[str, Genotype]]
    hypotheses: list[CaseHypothesis]
    reference: str
    theta: float = 0.0
    dropout: dict[str, float] | None = None
    sha256: str = ""
    source: str | None = field(default=None, compare=False)

    def hypothesis(self, name: str) -> CaseHypothesis:
        for h in self.hypotheses:
            if h.name == name:
                return h
        raise HypothesisError(f"hypothesis {name!r} is not in the case", field="hypotheses",
                              value=name)

    def engine_hypotheses(self) -> list[Any]:
        """The hypotheses as ``homecoming.kinship.lr.Hypothesis`` values (imported lazily)."""
        from homecoming.kinship.lr import Hypothesis

        return [Hypothesis(h.name, h.pedigree, founder_inbreeding=h.founder_inbreeding)
                for h in self.hypotheses]


# --- small checks -----------------------------------------------------------------------------

def _show(value: object) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _kind(value: object) -> str:
    """What ``value`` is, without the value: for messages about genotypes, whose values
    are genetic data and never go into an error."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)}"
    return f"a {type(value).__name__}"


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number(value: object, where: str, *, lo: float = 0.0, hi: float = 1.0, hi_open: bool = False,
            error: type[InputError] = InputError, what: str = "a number") -> float:
    if not _is_number(value):
        raise error(f"{where}: {_show(value)} is not a number; expected {what}", field=where,
                    value=value)
    v = float(value)  # type: ignore[arg-type]
    if v < lo or v > hi or (hi_open and v >= hi):
        rng = f"[{lo:g}, {hi:g}{')' if hi_open else ']'}"
        raise error(f"{where}: {_show(value)} is out of range; expected {what} in {rng}",
                    field=where, value=value)
    return v


def _mapping(value: object, where: str, what: str, error: type[InputError] = InputError, *,
             private: bool = False) -> Mapping:
    """``private``: the value is genetic data; the message says what it is, not its value."""
    if not isinstance(value, Mapping):
        shown = _kind(value) if private else _show(value)
        raise error(f"{where}: {shown} is not an object; expected {what}", field=where,
                    value=None if private else value)
    return value


def _list(value: object, where: str, what: str, error: type[InputError] = InputError, *,
          private: bool = False) -> list:
    if not isinstance(value, list):
        shown = _kind(value) if private else _show(value)
        raise error(f"{where}: {shown} is not a list; expected {what}", field=where,
                    value=None if private else value)
    return value


def _label(value: object, where: str, what: str, error: type[InputError] = InputError, *,
           private: bool = False) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        shown = _kind(value) if private else _show(value)
        raise error(f"{where}: {shown} is not a string; expected {what}", field=where,
                    value=None if private else value)
    text = str(value)
    if not text.strip():
        raise error(f"{where}: empty string; expected {what}", field=where, value=value)
    i = find_control(text)
    if i is not None:
        raise error(f"{where}: the control character U+{ord(text[i]):04X}; expected {what} "
                    "(printable text)", field=where, value=f"U+{ord(text[i]):04X}")
    if len(text) > MAX_LABEL:
        raise error(f"{where}: a label of {len(text)} characters; expected {what} of at most "
                    f"{MAX_LABEL}", field=where, value=len(text))
    return text


# --- markers ----------------------------------------------------------------------------------

#: the longest label (person id, marker name, allele) a case file may hold
MAX_LABEL = 200

_MODEL_KEYS = {"model", "rate", "rate2", "range", "matrix"}


def _mutation_spec(obj: object, where: str, alleles: tuple[str, ...], freqs: np.ndarray,
                   marker: str, sex: str) -> MutationSpec | None:
    if obj is None:
        return None
    obj = _mapping(obj, where, "a mutation model such as {\"model\": \"equal\", \"rate\": 0.001}",
                   MutationModelError)
    unknown = sorted(set(obj) - _MODEL_KEYS)
    if unknown:
        raise MutationModelError(f"{where}: unknown key {unknown[0]!r}; expected keys among "
                                 f"{sorted(_MODEL_KEYS)}", field=where, value=unknown[0])
    model = obj.get("model")
    if not isinstance(model, str):
        raise MutationModelError(f"{where}.model: {_show(model)}; expected one of equal, "
                                 "proportional, stepwise, onestep, custom", field=f"{where}.model",
                                 value=model)
    params: dict[str, Any] = {}
    for key in ("rate", "rate2", "range"):
        if obj.get(key) is not None:
            params[key] = _number(obj[key], f"{where}.{key}", hi=math.inf,
                                  error=MutationModelError, what="a number >= 0")
    matrix = obj.get("matrix")
    mat_tuple = None
    if matrix is not None:
        rows = _list(matrix, f"{where}.matrix", "a list of rows", MutationModelError)
        if len(rows) != len(alleles):
            raise MutationModelError(
                f"{where}.matrix: {len(rows)} rows; expected {len(alleles)} (one per allele, in "
                "'alleles' order)", field=f"{where}.matrix", value=len(rows))
        out_rows = []
        for i, row in enumerate(rows):
            row = _list(row, f"{where}.matrix[{i}]", "a list of numbers", MutationModelError)
            if len(row) != len(alleles):
                raise MutationModelError(
                    f"{where}.matrix[{i}]: {len(row)} entries; expected {len(alleles)} (one per "
                    "allele)", field=f"{where}.matrix[{i}]", value=len(row))
            for j, x in enumerate(row):
                _number(x, f"{where}.matrix[{i}][{j}]", error=MutationModelError,
                        what="a probability")
            s = float(sum(row))
            if abs(s - 1.0) > 1e-6:
                raise MutationModelError(
                    f"{where}.matrix[{i}]: row sums to {s:.9g}; expected 1 within 1e-6 "
                    f"(row of parent allele {alleles[i]!r})", field=f"{where}.matrix[{i}]",
                    value=s)
            out_rows.append(tuple(float(x) for x in row))
        mat_tuple = tuple(out_rows)
    spec = MutationSpec(model=model, rate=params.get("rate"), rate2=params.get("rate2"),
                        range=params.get("range"), matrix=mat_tuple)
    try:
        mutation_matrix(spec, alleles, freqs, marker=marker, sex=sex)
    except MutationModelError as exc:
        raise MutationModelError(f"{where}: {exc}", field=where, value=exc.value) from None
    return spec


def markers_from_json(items: object, *, where: str = "markers") -> list[Marker]:
    """Parse the ``markers`` list of kinship-case@1 into validated :class:`Marker` values."""
    items = _list(items, where, "a list of markers", FrequencyError)
    markers: list[Marker] = []
    seen: dict[str, int] = {}
    for k, item in enumerate(items):
        w = f"{where}[{k}]"
        item = _mapping(item, w, "a marker object", FrequencyError)
        name = _label(item.get("name"), f"{w}.name", "a marker name", FrequencyError)
        if name in seen:
            raise FrequencyError(f"{w}.name: marker {name!r} is listed twice (also "
                                 f"{where}[{seen[name]}]); expected unique names",
                                 field=f"{w}.name", value=name)
        seen[name] = k
        chrom = item.get("chromosome", "autosomal")
        if chrom not in ("autosomal", "X"):
            raise FrequencyError(f"{w}.chromosome: {_show(chrom)}; expected \"autosomal\" or "
                                 "\"X\"", field=f"{w}.chromosome", value=chrom)
        raw_alleles = _list(item.get("alleles"), f"{w}.alleles", "a list of allele labels",
                            FrequencyError)
        alleles = tuple(_label(a, f"{w}.alleles[{i}]", "an allele label (string)",
                               FrequencyError) for i, a in enumerate(raw_alleles))
        if not alleles:
            raise FrequencyError(f"{w}.alleles: empty list; expected at least one allele",
                                 field=f"{w}.alleles", value=[])
        dups = sorted({a for a in alleles if alleles.count(a) > 1})
        if dups:
            raise FrequencyError(f"{w}.alleles: allele {dups[0]!r} is listed twice; expected "
                                 "unique labels", field=f"{w}.alleles", value=dups[0])
        raw_freqs = _list(item.get("frequencies"), f"{w}.frequencies",
                          "a list of frequencies", FrequencyError)
        if len(raw_freqs) != len(alleles):
            raise FrequencyError(f"{w}.frequencies: {len(raw_freqs)} values for {len(alleles)} "
                                 "alleles; expected one frequency per allele",
                                 field=f"{w}.frequencies", value=len(raw_freqs))
        freqs = np.array([_number(x, f"{w}.frequencies[{i}]", error=FrequencyError,
                                  what="a frequency") for i, x in enumerate(raw_freqs)])
        silent = 0.0
        if item.get("silent_frequency") is not None:
            silent = _number(item["silent_frequency"], f"{w}.silent_frequency", hi=1.0,
                             hi_open=True, error=FrequencyError, what="a frequency")
        total = float(freqs.sum()) + silent
        if abs(total - 1.0) > FREQUENCY_SUM_TOLERANCE:
            extra = " plus silent_frequency" if silent else ""
            raise FrequencyError(
                f"{w}.frequencies: sum{extra} is {total:.9g}; expected 1 within "
                f"{FREQUENCY_SUM_TOLERANCE:g} (never renormalised silently)",
                field=f"{w}.frequencies", value=total)
        mut = item.get("mutation")
        female = male = None
        if mut is not None:
            mut = _mapping(mut, f"{w}.mutation", "null or {\"female\": ..., \"male\": ...}",
                           MutationModelError)
            unknown = sorted(set(mut) - {"female", "male"})
            if unknown or "female" not in mut or "male" not in mut:
                raise MutationModelError(
                    f"{w}.mutation: keys {sorted(mut)}; expected exactly \"female\" and \"male\"",
                    field=f"{w}.mutation", value=sorted(mut))
            vis = freqs / freqs.sum() if silent and freqs.sum() > 0 else freqs
            female = _mutation_spec(mut["female"], f"{w}.mutation.female", alleles, vis, name,
                                    "female")
            male = _mutation_spec(mut["male"], f"{w}.mutation.male", alleles, vis, name, "male")
        markers.append(Marker(name=name, alleles=alleles, frequencies=freqs, chromosome=chrom,
                              mutation_female=female, mutation_male=male,
                              silent_frequency=silent, source=CASE_FORMAT))
    return markers


# --- pedigrees --------------------------------------------------------------------------------

def pedigree_from_json(items: object, *, where: str,
                       allow_unknown_sex: bool = False) -> Pedigree:
    """Parse a list of ``{id, father, mother, sex}`` objects into a validated pedigree.

    :param allow_unknown_sex: also accept ``"unknown"`` for a person who is nobody's parent
        (dvi-dataset@1 families: a missing person whose sex was never recorded). A parent's
        sex must always be given.
    """
    items = _list(items, where, "a list of persons", PedigreeError)
    persons = []
    seen: dict[str, int] = {}
    for k, item in enumerate(items):
        w = f"{where}[{k}]"
        item = _mapping(item, w, "a person {\"id\", \"father\", \"mother\", \"sex\"}",
                        PedigreeError)
        pid = _label(item.get("id"), f"{w}.id", "a person id", PedigreeError)
        if pid in seen:
            raise PedigreeError(f"{w}.id: person {pid!r} is listed twice (also {where}"
                                f"[{seen[pid]}]); expected unique ids", field=f"{w}.id", value=pid)
        seen[pid] = k
        parents = []
        for role in ("father", "mother"):
            v = item.get(role)
            parents.append(None if v is None else _label(v, f"{w}.{role}", "a person id or null",
                                                         PedigreeError))
        sex = item.get("sex")
        allowed = ("male", "female", "unknown") if allow_unknown_sex else ("male", "female")
        if sex not in allowed:
            expected = ('"male", "female" or "unknown" (unknown only for a person without '
                        'children)' if allow_unknown_sex else '"male" or "female"')
            raise PedigreeError(f"{w}.sex: {_show(sex)}; expected {expected}",
                                field=f"{w}.sex", value=sex)
        persons.append(Person(pid, parents[0], parents[1], Sex(sex)))
    if allow_unknown_sex:
        parent_ids = {x for p in persons for x in (p.father, p.mother) if x is not None}
        for k, p in enumerate(persons):
            if p.sex is Sex.UNKNOWN and p.id in parent_ids:
                raise PedigreeError(f"{where}[{k}].sex: \"unknown\" for {p.id!r}, who is a "
                                    "parent in this pedigree; expected \"male\" or \"female\" "
                                    "(unknown sex is accepted only for a person without "
                                    "children)", field=f"{where}[{k}].sex", value="unknown")
    try:
        return Pedigree(persons)
    except PedigreeError as exc:
        raise PedigreeError(f"{where}: {exc}", field=where, value=exc.value) from None


# --- genotypes --------------------------------------------------------------------------------

def genotypes_from_json(obj: object, markers: Sequence[Marker], *, where: str = "genotypes",
                        sexes: Mapping[str, Sex] | None = None) -> dict[str, dict[str, Genotype]]:
    """Parse ``{person: {marker: [a, b]}}``.

    Alleles must be in the marker's allele list; ``null`` is an unknown allele; a marker left
    out (or ``null``, or ``[null, null]``) is untyped. Autosomal genotypes have two alleles;
    on X a male has one (``sexes`` gives the sex of each person when known: a male with two X
    alleles is an error) and a female two.
    """
    obj = _mapping(obj, where, "an object {person: {marker: [allele, allele]}}", GenotypeError)
    by_name = {m.name: m for m in markers}
    by_key = {canonical_locus(m.name): m for m in markers}
    out: dict[str, dict[str, Genotype]] = {}
    for pid, per_marker in obj.items():
        wp = f"{where}.{pid}"
        if per_marker is None:
            out[str(pid)] = {}
            continue
        per_marker = _mapping(per_marker, wp, "an object {marker: [allele, allele]}",
                              GenotypeError, private=True)
        table: dict[str, Genotype] = {}
        sex = None if sexes is None else sexes.get(str(pid))
        for mname, gt in per_marker.items():
            w = f"{wp}.{mname}"
            marker = by_name.get(mname) or by_key.get(canonical_locus(mname))
            if marker is None:
                raise GenotypeError(f"{w}: marker {mname!r} is not in markers; expected one of "
                                    f"{_show(sorted(by_name))}", field=w, value=mname)
            if gt is None:
                continue
            gt = _list(gt, w, "a list of one or two alleles", GenotypeError, private=True)
            if marker.chromosome == "X" and sex is Sex.MALE and len(gt) != 1:
                raise GenotypeError(f"{w}: {len(gt)} alleles for a male on X marker {mname!r}; "
                                    "expected one allele (males carry one X)", field=w,
                                    value=len(gt))
            allowed = (1, 2) if marker.chromosome == "X" and sex is None else \
                      (1,) if marker.chromosome == "X" and sex is Sex.MALE else (2,)
            if len(gt) not in allowed:
                exp = " or ".join(str(n) for n in allowed)
                why = " (a female on X has two)" if marker.chromosome == "X" else ""
                raise GenotypeError(f"{w}: {len(gt)} alleles; expected {exp}{why}",
                                    field=w, value=len(gt))
            alleles: list[str | None] = []
            for i, a in enumerate(gt):
                if a is None:
                    alleles.append(None)
                    continue
                label = _label(a, f"{w}[{i}]", "an allele label or null", GenotypeError,
                               private=True)
                if label not in marker.alleles:
                    raise GenotypeError(
                        f"{w}[{i}]: the allele is not in the allele list of marker "
                        f"{mname!r}; expected one of {_show(list(marker.alleles))}",
                        field=f"{w}[{i}]")
                alleles.append(label)
            if all(a is None for a in alleles):
                continue
            if marker.name in table:
                raise GenotypeError(f"{w}: marker {marker.name!r} is given twice for {pid!r}; "
                                    "expected each marker once", field=w, value=mname)
            table[marker.name] = tuple(alleles)
        out[str(pid)] = table
    return out


# --- hypotheses and the whole case ------------------------------------------------------------

def hypotheses_from_json(items: object, *, where: str = "hypotheses") -> list[CaseHypothesis]:
    items = _list(items, where, "a list of hypotheses", HypothesisError)
    if not items:
        raise HypothesisError(f"{where}: empty list; expected at least one hypothesis",
                              field=where, value=[])
    out: list[CaseHypothesis] = []
    seen: dict[str, int] = {}
    for k, item in enumerate(items):
        w = f"{where}[{k}]"
        item = _mapping(item, w, "{\"name\": ..., \"pedigree\": [...]}", HypothesisError)
        name = _label(item.get("name"), f"{w}.name", "a hypothesis name", HypothesisError)
        if name in seen:
            raise HypothesisError(f"{w}.name: {name!r} is used twice (also {where}[{seen[name]}]."
                                  "name); expected unique hypothesis names", field=f"{w}.name",
                                  value=name)
        seen[name] = k
        ped = pedigree_from_json(item.get("pedigree"), where=f"{w}.pedigree")
        fi = item.get("founder_inbreeding")
        inbreeding = None
        if fi is not None:
            fi = _mapping(fi, f"{w}.founder_inbreeding", "an object {founder id: f}",
                          HypothesisError)
            inbreeding = {}
            for pid, f in fi.items():
                wf = f"{w}.founder_inbreeding.{pid}"
                if pid not in ped:
                    raise HypothesisError(f"{wf}: person {pid!r} is not in the pedigree; expected "
                                          "a founder of this hypothesis", field=wf, value=pid)
                if not ped[pid].is_founder:
                    raise HypothesisError(f"{wf}: person {pid!r} has parents; expected a founder "
                                          "(inbreeding of non-founders follows from the pedigree)",
                                          field=wf, value=pid)
                inbreeding[str(pid)] = _number(f, wf, error=HypothesisError,
                                               what="an inbreeding coefficient")
        out.append(CaseHypothesis(name, ped, inbreeding))
    return out


_TOP_KEYS = {"format", "theta", "markers", "genotypes", "hypotheses", "reference", "dropout"}


def _case_from_mapping(obj: Mapping, *, sha256: str, source: str | None) -> KinshipCase:
    obj = _mapping(obj, "(top level)", "a kinship-case@1 object", FormatError)
    fmt = obj.get("format")
    if fmt != CASE_FORMAT:
        raise InputError(f"format: {_show(fmt)}; expected \"{CASE_FORMAT}\"", field="format",
                         value=fmt)
    unknown = sorted(set(obj) - _TOP_KEYS)
    if unknown:
        raise InputError(f"{unknown[0]}: unknown top-level field; expected fields among "
                         f"{sorted(_TOP_KEYS)}", field=unknown[0], value=unknown[0])
    theta = 0.0
    if obj.get("theta") is not None:
        theta = _number(obj["theta"], "theta", hi=1.0, hi_open=True, what="θ")
    markers = markers_from_json(obj.get("markers"), where="markers")
    hypotheses = hypotheses_from_json(obj.get("hypotheses"), where="hypotheses")
    # sex of each person across hypotheses (a person's sex must agree between hypotheses)
    sexes: dict[str, Sex] = {}
    for k, h in enumerate(hypotheses):
        for p in h.pedigree:
            if p.id in sexes and sexes[p.id] is not p.sex:
                raise HypothesisError(
                    f"hypotheses[{k}].pedigree: person {p.id!r} is {p.sex.value} here but "
                    f"{sexes[p.id].value} in an earlier hypothesis; expected the same sex",
                    field=f"hypotheses[{k}].pedigree", value=p.id)
            sexes.setdefault(p.id, p.sex)
    genotypes = genotypes_from_json(obj.get("genotypes", {}), markers, where="genotypes",
                                    sexes=sexes)
    for k, h in enumerate(hypotheses):
        for pid in genotypes:
            if pid not in h.pedigree:
                raise HypothesisError(
                    f"hypotheses[{k}].pedigree: genotyped person {pid!r} is missing from "
                    f"hypothesis {h.name!r}; expected every genotyped person in every hypothesis",
                    field=f"hypotheses[{k}].pedigree", value=pid)
    ref = obj.get("reference")
    names = [h.name for h in hypotheses]
    if not isinstance(ref, str) or ref not in names:
        raise HypothesisError(f"reference: {_show(ref)} is not a hypothesis name; expected one "
                              f"of {_show(names)}", field="reference", value=ref)
    dropout = None
    if obj.get("dropout") is not None:
        d = _mapping(obj["dropout"], "dropout", "an object {person: probability}")
        dropout = {}
        for pid, v in d.items():
            if pid not in sexes:
                raise HypothesisError(f"dropout.{pid}: person {pid!r} is in no hypothesis; "
                                      "expected a person of the case", field=f"dropout.{pid}",
                                      value=pid)
            dropout[str(pid)] = _number(v, f"dropout.{pid}", hi=1.0, hi_open=True,
                                        what="a dropout probability")
    return KinshipCase(markers=markers, genotypes=genotypes, hypotheses=hypotheses,
                       reference=ref, theta=theta, dropout=dropout, sha256=sha256, source=source)


def load_kinship_case(source: str | Path | Mapping) -> KinshipCase:
    """Read and validate a kinship-case@1 file (path) or an already-decoded JSON object.

    ``KinshipCase.sha256`` is the SHA-256 of the file's bytes, or of the canonical JSON
    (sorted keys, no spaces) of a mapping.
    """
    if isinstance(source, Mapping):
        return _case_from_mapping(source, sha256=sha256_json(source), source=None)
    path = Path(source)
    data = path.read_bytes()
    try:
        obj = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise FormatError(f"not UTF-8 text ({exc.reason})", path=path) from None
    except json.JSONDecodeError as exc:
        raise FormatError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno,
                          column=exc.colno) from None
    try:
        return _case_from_mapping(obj, sha256=hashlib.sha256(data).hexdigest(),
                                  source=str(path))
    except FormatError:
        raise
    except InputError as exc:   # name the file, keep the error's type, field and value
        raise type(exc)(f"{path}: {exc}", field=exc.field, value=exc.value,
                        expected=exc.expected) from None


# --- result -----------------------------------------------------------------------------------

_LN10 = math.log(10.0)


def _lr_value(log_lr: float) -> float | int | None:
    """LR from a natural-log LR: exactly 0 → ``0`` (int), NaN or overflow → ``None``."""
    if math.isnan(log_lr):
        return None
    if log_lr == -math.inf:
        return 0
    if log_lr > 709.0:
        return None
    return math.exp(log_lr)


def kinship_result_json(result: Any, *, input_sha256: str) -> dict:
    """kinship-result@1 for a ``KinshipResult`` (every hypothesis except the reference).

    ``lr`` is ``0`` (an integer) when the LR is exactly 0, and then ``log10_lr`` is ``null``;
    ``lr`` is ``null`` when it is not representable (above ~1e308 or undefined 0/0), in which
    case ``log10_lr`` still carries the value when it is finite. ``log10_likelihood`` is the
    hypothesis' total log10 likelihood (``null`` if the data are impossible under it).
    """
    ref = result.reference
    ref_ll = np.asarray(result.log_likelihoods[ref], dtype=float)
    hyps: dict[str, dict] = {}
    for name, ll in result.log_likelihoods.items():
        if name == ref:
            continue
        ll = np.asarray(ll, dtype=float)
        with np.errstate(invalid="ignore"):
            total_h = float(ll.sum())
            total_ref = float(ref_ll.sum())
            log_lr = total_h - total_ref if not (math.isinf(total_h) and math.isinf(total_ref)
                                                 and total_h == total_ref) else math.nan
        per_marker = {}
        for mname, a, b in zip(result.markers, ll, ref_ll):
            x = float(a) - float(b) if not (a == -np.inf and b == -np.inf) else math.nan
            per_marker[str(mname)] = _lr_value(x)
        log10_lr = log_lr / _LN10 if math.isfinite(log_lr) else None
        hyps[name] = {
            "lr": _lr_value(log_lr),
            "log10_lr": log10_lr,
            "log10_likelihood": total_h / _LN10 if math.isfinite(total_h) else None,
            "per_marker_lr": per_marker,
        }
    return {
        "format": RESULT_FORMAT,
        "reference": ref,
        "hypotheses": hyps,
        "provenance": _result_provenance(result, input_sha256),
    }


def _result_provenance(result: Any, input_sha256: str) -> dict[str, Any]:
    """The result's provenance (schema of :mod:`homecoming.provenance`) with the input's hash;
    a case carries its own frequencies and mutation models, so ``input_sha256`` covers them."""
    from homecoming.provenance import record

    prov = dict(getattr(result, "provenance", None) or {})
    if "schema_version" not in prov:
        prov = {**record(), **prov}
    prov.update(software=software(), input_sha256=input_sha256)
    return prov
