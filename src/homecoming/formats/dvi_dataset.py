"""The DVI dataset file ``homecoming/dvi-dataset@1`` and result ``homecoming/dvi-result@1``.

Specified in ``docs/reference/formats/dvi-dataset.md``; markers, pedigrees and genotypes are
read with the kinship-case building blocks (:mod:`homecoming.formats.kinship_case`), so errors
carry the same JSON field paths (``victims[2].genotypes.V3.D3S1358``, ``families[1].missing``).

Compatible extension (optional; documented in docs/explanation/non-dna-evidence.md):

* ``victims[i]``: ``age_range: [lo, hi]`` (years at death), ``stature_range: [lo, hi]`` (cm),
  ``found_date: "YYYY-MM-DD"`` (finding or burial date), ``category: "civilian" | "military" | …``;
* ``families[i].missing_info: {missing id: {age_missing, birth_date, date_last_seen, height,
  category}}``;
* ``families[i].pedigree[j].sex`` may be ``"unknown"`` for a person without children (a missing
  person whose sex was never recorded, as Familias' DVI "Missing person"): such a missing
  person pairs with victims of either sex, and on X markers the placed victim's genotype
  decides hemizygosity. A parent's sex must still be given.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import math
from collections.abc import Mapping
from json.encoder import encode_basestring_ascii as _encode_str  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from homecoming import provenance as _provenance
from homecoming.errors import FormatError, InputError
from homecoming.formats.kinship_case import (
    _label,
    genotypes_from_json,
    markers_from_json,
    pedigree_from_json,
)
from homecoming.identification.dataset import DviDataset, Family, MissingInfo, Victim
from homecoming.pedigree.pedigree import Sex

DATASET_FORMAT = "homecoming/dvi-dataset@1"
RESULT_FORMAT = "homecoming/dvi-result@1"

__all__ = ["DATASET_FORMAT", "RESULT_FORMAT", "load_dvi_dataset", "dataset_from_json",
           "dvi_result_json", "write_dvi_result_json"]

_VICTIM_KEYS = {"id", "sex", "genotypes", "age_range", "stature_range", "found_date", "category"}
_FAMILY_KEYS = {"name", "pedigree", "missing", "genotypes", "missing_info"}
_INFO_KEYS = {"age_missing", "birth_date", "date_last_seen", "height", "category"}


def _show(value: object) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _need(obj: Mapping, key: str, where: str) -> Any:
    if key not in obj:
        raise InputError(f"{where}: field {key!r} is missing; expected it to be present",
                         field=f"{where}.{key}")
    return obj[key]


def _mapping(value: object, where: str, what: str) -> Mapping:
    if not isinstance(value, Mapping):
        raise InputError(f"{where}: {_show(value)} is not an object; expected {what}",
                         field=where, value=value)
    return value


def _list(value: object, where: str, what: str) -> list:
    if not isinstance(value, list):
        raise InputError(f"{where}: {_show(value)} is not a list; expected {what}", field=where,
                         value=value)
    return value


def _text(value: object, where: str, what: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
        raise InputError(f"{where}: {_show(value)} is not a non-empty string; expected {what}",
                         field=where, value=value)
    return _label(value, where, what)   # no control characters, bounded length


def _num(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{where}: {_show(value)} is not a number; expected a finite number",
                         field=where, value=value)
    return float(value)


def _range(value: object, where: str) -> tuple[float, float]:
    items = _list(value, where, "[low, high]")
    if len(items) != 2:
        raise InputError(f"{where}: {_show(value)} has {len(items)} values; expected [low, high]",
                         field=where, value=value)
    lo, hi = _num(items[0], f"{where}[0]"), _num(items[1], f"{where}[1]")
    if lo > hi:
        raise InputError(f"{where}: {_show(value)} has low > high; expected [low, high]",
                         field=where, value=value)
    return lo, hi


def _date(value: object, where: str) -> _dt.date:
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        # a birth date is a personal datum: name the field, never the value
        raise InputError(f"{where}: not a date; expected \"YYYY-MM-DD\"", field=where) \
            from None


def _unknown_keys(obj: Mapping, allowed: set[str], where: str) -> None:
    extra = sorted(set(obj) - allowed)
    if extra:
        raise InputError(f"{where}: unknown field {extra[0]!r}; expected only {sorted(allowed)}",
                         field=f"{where}.{extra[0]}", value=extra[0])


def _missing_info(obj: object, where: str) -> MissingInfo:
    obj = _mapping(obj, where, "an object of missing-person information")
    _unknown_keys(obj, _INFO_KEYS, where)
    return MissingInfo(
        age_missing=None if obj.get("age_missing") is None else _num(obj["age_missing"],
                                                                      f"{where}.age_missing"),
        birth_date=None if obj.get("birth_date") is None else _date(obj["birth_date"],
                                                                     f"{where}.birth_date"),
        date_last_seen=None if obj.get("date_last_seen") is None else _date(
            obj["date_last_seen"], f"{where}.date_last_seen"),
        height=None if obj.get("height") is None else _num(obj["height"], f"{where}.height"),
        category=None if obj.get("category") is None else _text(obj["category"],
                                                                 f"{where}.category", "a category"),
    )


def dataset_from_json(obj: object, *, intersect_markers: bool = True) -> DviDataset:
    """Build a :class:`DviDataset` from a decoded ``homecoming/dvi-dataset@1`` object."""
    obj = _mapping(obj, "dataset", "a dvi-dataset object")
    fmt = obj.get("format")
    if fmt != DATASET_FORMAT:
        raise InputError(f"format: {_show(fmt)}; expected {DATASET_FORMAT!r}", field="format",
                         value=fmt)
    theta = obj.get("theta", 0.0)
    if theta is None:
        theta = 0.0
    theta = _num(theta, "theta")
    if not 0.0 <= theta < 1.0:
        raise InputError(f"theta: {theta}; expected a number in [0, 1)", field="theta",
                         value=theta)
    markers = markers_from_json(_need(obj, "markers", "dataset"), where="markers")
    victims = []
    for i, item in enumerate(_list(_need(obj, "victims", "dataset"), "victims",
                                   "a list of victims")):
        w = f"victims[{i}]"
        item = _mapping(item, w, "a victim object")
        _unknown_keys(item, _VICTIM_KEYS, w)
        vid = _text(_need(item, "id", w), f"{w}.id", "a victim id")
        sex_raw = item.get("sex", "unknown")
        if sex_raw not in ("male", "female", "unknown"):
            raise InputError(f"{w}.sex: {_show(sex_raw)}; expected \"male\", \"female\" or "
                             "\"unknown\"", field=f"{w}.sex", value=sex_raw)
        sex = Sex(sex_raw)
        raw_gt = item.get("genotypes") or {}
        gts = genotypes_from_json({vid: raw_gt}, markers, where=f"{w}.genotypes",
                                  sexes={vid: sex} if sex is not Sex.UNKNOWN else None)
        victims.append(Victim(
            vid, sex, gts.get(vid, {}),
            age_range=None if item.get("age_range") is None else _range(item["age_range"],
                                                                         f"{w}.age_range"),
            stature_range=None if item.get("stature_range") is None else _range(
                item["stature_range"], f"{w}.stature_range"),
            found_date=None if item.get("found_date") is None else _date(item["found_date"],
                                                                          f"{w}.found_date"),
            category=None if item.get("category") is None else _text(
                item["category"], f"{w}.category", "a category")))
    families = []
    for i, item in enumerate(_list(_need(obj, "families", "dataset"), "families",
                                   "a list of families")):
        w = f"families[{i}]"
        item = _mapping(item, w, "a family object")
        _unknown_keys(item, _FAMILY_KEYS, w)
        name = _text(_need(item, "name", w), f"{w}.name", "a family name")
        ped = pedigree_from_json(_need(item, "pedigree", w), where=f"{w}.pedigree",
                                 allow_unknown_sex=True)
        missing = [_text(m, f"{w}.missing[{k}]", "a person id")
                   for k, m in enumerate(_list(_need(item, "missing", w), f"{w}.missing",
                                               "a list of missing-person ids"))]
        sexes = {p.id: p.sex for p in ped}
        gts = genotypes_from_json(item.get("genotypes") or {}, markers, where=f"{w}.genotypes",
                                  sexes=sexes)
        info_raw = item.get("missing_info") or {}
        info = {str(k): _missing_info(v, f"{w}.missing_info.{k}")
                for k, v in _mapping(info_raw, f"{w}.missing_info",
                                     "an object {missing id: {...}}").items()}
        try:
            families.append(Family(name, ped, tuple(missing), gts, info))
        except InputError as exc:
            raise InputError(f"{w}: {exc}", field=exc.field, value=exc.value) from None
    ds = DviDataset(markers, victims, families, theta, intersect_markers=intersect_markers)
    return ds


def load_dvi_dataset(source: str | Path | Mapping) -> DviDataset:
    """Read and validate a dvi-dataset@1 file (path) or decoded JSON object.

    The returned dataset carries ``input_sha256`` (SHA-256 of the file's bytes, or of the
    canonical JSON of a mapping) and ``source``.
    """
    if isinstance(source, Mapping):
        ds = dataset_from_json(source)
        ds.input_sha256 = _provenance.sha256_json(source)
        ds.source = None
        return ds
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
        ds = dataset_from_json(obj)
    except FormatError:
        raise
    except InputError as exc:
        raise InputError(f"{path}: {exc}", field=exc.field, value=exc.value) from None
    ds.input_sha256 = hashlib.sha256(data).hexdigest()
    ds.source = str(path)
    return ds


# --- result -----------------------------------------------------------------------------------

def _num_out(x: float | None) -> float | int | None:
    """JSON number: exactly 0 → 0; infinite or NaN → None."""
    if x is None:
        return None
    if x == 0:
        return 0
    if not math.isfinite(x):
        return None
    return float(x)


def _log10(log_x: float) -> float | None:
    return log_x / math.log(10) if math.isfinite(log_x) else None


def _pairing_row(p: Any) -> dict[str, Any]:
    """One ``pairwise`` row of ``homecoming/dvi-result@1`` for a
    :class:`~homecoming.identification.results.Pairing`."""
    row: dict[str, Any] = {
        "victim": p.victim, "missing": p.missing, "family": p.family,
        "lr": _num_out(p.lr), "log10_lr": _log10(p.log_lr),
        "inconsistent_markers": p.inconsistent_markers,
        "markers_compared": p.markers_compared,
        "excluded": p.excluded,
    }
    if p.exclusion_reasons:
        row["exclusion_reasons"] = list(p.exclusion_reasons)
    if p.evidence is not None:
        row["evidence_lr"] = _num_out(math.exp(p.evidence_log_lr)
                                      if p.evidence_log_lr > -math.inf else 0.0)
        row["combined_lr"] = _num_out(math.exp(p.combined_log_lr)
                                      if p.combined_log_lr > -math.inf else 0.0)
        row["evidence"] = [dict(it) for it in p.evidence.items]
    return row


def dvi_result_json(result: Any) -> dict:
    """``homecoming/dvi-result@1`` for a :class:`~homecoming.identification.solver.DviResult`.

    LRs are plain numbers (``0`` for exactly zero, ``null`` when not representable, e.g. above
    ~1e308); every LR also comes as ``log10_lr`` (``null`` for LR 0).

    A large result (2,000 victims × 2,000 missing persons: millions of pairwise rows) is
    better written by :func:`write_dvi_result_json`, which never holds the whole document.
    """
    return _result_document(result, [_pairing_row(p) for p in result.pairwise])


def _result_document(result: Any, pairwise: list[dict[str, Any]]) -> dict:
    joint = [{"assignment": dict(a.assignment), "loglik": a.loglik,
              "lr": _num_out(a.lr), "log10_lr": _log10(a.log_lr),
              "posterior": a.posterior} for a in result.joint]

    def conc_m(c: Any) -> dict:
        d = {"missing": c.missing, "family": c.family, "victim": c.victim,
             "lr": _num_out(c.lr), "conclusion": c.conclusion.value}
        if c.glr is not None:
            d["glr"] = _num_out(c.glr)
        if c.posterior is not None:
            d["posterior"] = c.posterior
        if c.joint_posterior is not None:
            d["joint_posterior"] = c.joint_posterior
        if c.comment:
            d["comment"] = c.comment
        return d

    def conc_v(c: Any) -> dict:
        d = {"victim": c.victim, "missing": c.missing, "family": c.family,
             "lr": _num_out(c.lr), "conclusion": c.conclusion.value}
        if c.glr is not None:
            d["glr"] = _num_out(c.glr)
        if c.comment:
            d["comment"] = c.comment
        return d

    marginals = [{"victim": v, "missing": m, "posterior": p}
                 for (v, m), p in sorted(result.marginals.items())]
    prov = dict(result.provenance)
    out = {
        "format": RESULT_FORMAT,
        "pairwise": pairwise,
        "joint": joint,
        "posterior_exact": result.posterior_exact,
        "null_loglik": result.null_loglik,
        "log10_total_lr": _log10(result.log_z),
        "marginal_posteriors": marginals,
        "marginals_exact": result.marginals_exact,
        "conclusions": {"missing": [conc_m(c) for c in result.missing_conclusions],
                        "victims": [conc_v(c) for c in result.victim_conclusions]},
        "thresholds": dict(result.thresholds),
        "theta": result.theta,
        "warnings": list(result.warnings),
        "search": dict(result.search),
        "provenance": prov,
    }
    if result.theta_approximation:
        out["theta_approximation"] = result.theta_approximation
    return out


#: pairwise rows written per ``write`` call by :func:`write_dvi_result_json`
_ROWS_PER_WRITE = 2048
_PAIRWISE_KEY = '"pairwise": []'


def write_dvi_result_json(result: Any, fp: Any) -> None:
    """Write ``json.dumps(dvi_result_json(result), indent=1, allow_nan=False)`` to the text
    stream ``fp``, the same characters, one block of pairwise rows at a time.

    The document of 2,000 victims × 2,000 missing persons holds millions of pairwise rows: as
    one dict and one string it took gigabytes on top of the result; here only the result and
    a block of rows are in memory. No newline is written after the closing brace.
    """
    text = json.dumps(_result_document(result, []), indent=1, allow_nan=False)
    # "format" (a constant) comes first, then "pairwise": the first match is that key
    head, key, tail = text.partition(_PAIRWISE_KEY)
    if not key:   # pragma: no cover - the document always has the key
        raise AssertionError("dvi-result document without its pairwise key")
    fp.write(head)
    fp.write('"pairwise": [')
    block: list[str] = []
    sep = "\n  "
    for p in result.pairwise:
        block.append(sep)
        block.append(_row_text(_pairing_row(p)))
        sep = ",\n  "
        if len(block) >= 2 * _ROWS_PER_WRITE:
            fp.write("".join(block))
            block.clear()
    fp.write("".join(block))
    fp.write("\n ]" if result.pairwise else "]")
    fp.write(tail)


def _scalar_text(value: Any) -> str | None:
    """``value`` as ``json.dumps(..., allow_nan=False)`` writes it, for str, int, float, bool
    and None; ``None`` for anything else (the caller falls back to ``json.dumps``)."""
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if value is None:
        return "null"
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return int.__repr__(value)
    if kind is float and math.isfinite(value):
        return float.__repr__(value)
    return None


def _row_text(row: dict[str, Any]) -> str:
    """One pairwise row as ``json.dumps`` with ``indent=1`` writes it at depth 2 (inside the
    document's ``pairwise`` list): flat values and lists of flat values are formatted here,
    anything else (evidence items, a non-finite number) by ``json.dumps`` itself."""
    parts: list[str] = []
    for key, value in row.items():
        text = _scalar_text(value)
        if text is None and type(value) is list:
            items = [_scalar_text(x) for x in value]
            if value and None not in items:
                text = "[\n    " + ",\n    ".join(items) + "\n   ]"  # type: ignore[arg-type]
            elif not value:
                text = "[]"
        if text is None or type(key) is not str:
            return json.dumps(row, indent=1, allow_nan=False).replace("\n", "\n  ")
        parts.append(_encode_str(key) + ": " + text)
    return "{\n   " + ",\n   ".join(parts) + "\n  }" if parts else "{}"
