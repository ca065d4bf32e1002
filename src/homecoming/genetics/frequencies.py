"""Published STR allele-frequency databases shipped with Homecoming, and the policies that turn a
published table into :class:`~homecoming.genetics.markers.Marker` values.

The tables live in ``homecoming/genetics/data/allele-frequencies`` (package data, read with
:mod:`importlib.resources`); ``SOURCES.md`` there gives, for every file, the original source, the
publication to cite, the licence and every transformation made. ``index.csv`` lists the files and
``sample-sizes.csv`` gives the number of alleles typed (2N) per file and locus.

:func:`FrequencyDatabase.frequencies` returns a table **exactly as published**. The
:meth:`FrequencyDatabase.markers` view applies three documented policies, each recorded in the
``Marker.source`` string and in :meth:`FrequencyDatabase.provenance` (never silently):

1. **STRidER pseudo-alleles.** STRidER tables (``strider2015_*``) contain alleles ``1`` and
   ``99``. They are not repeat numbers but bins for alleles below / above STRidER's allele
   category range (SOURCES.md §3; an inference from STRidER's published ranges). Homecoming
   **drops them and renormalises the locus** (their mass is at most 0.0025 per locus). Kept as
   alleles they would be matched by nothing real, would double-count an out-of-range allele that
   is later added by the rare-allele policy, and would be read as repeat numbers 1 and 99 by a
   stepwise mutation model. An observed out-of-range allele gets the rare-allele frequency below.
2. **Frequency sums.** Every locus is divided by its sum, so markers sum to 1 exactly.
   Count-based sources sum to 1 within 1e-11 already; STRidER publishes six significant digits
   and 28 of its 312 locus tables are off by 1e-6 to 1.9e-6. A shipped table whose sum is off by
   more than :data:`PUBLISHED_SUM_TOLERANCE` (1e-5, the rounding bound for six significant digits
   over up to 20 alleles) is refused with :class:`~homecoming.errors.FrequencyError`; a table
   read with :meth:`FrequencyDatabase.from_csv` is refused beyond 1e-6 unless the caller passes
   a larger ``sum_tolerance``. Every locus whose published sum differs from 1 by more than 1e-12
   is listed with its sum in the provenance.
3. **Rare alleles.** An allele named in ``extra_alleles`` (an allele observed in a case but
   absent from the table) gets the minimum frequency ``5 / (2N)`` (Budowle et al. 1991; NRC II
   1996, recommendation 4.3 / §5), N = the number of individuals typed at that locus
   (``n_alleles_typed / 2`` from sample-sizes.csv). When a table gives no N (norSTR), N =
   :data:`DEFAULT_N` = 2500, i.e. a minimum frequency of 0.001, which is the floor norSTR states
   it applied upstream. The locus is then renormalised (divided by ``1 + m * 5/(2N)`` for ``m``
   added alleles). ``strict=True`` refuses instead (:class:`~homecoming.errors.FrequencyError`
   naming the locus and the allele).

:func:`combine` fills loci missing from one database (e.g. STRidER Poland) from another (e.g.
NIST 1036 Caucasian); which locus came from which database is recorded.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:   # importlib.resources (and tempfile, shutil) only when a table is read
    from importlib.resources.abc import Traversable

from homecoming.errors import FrequencyError, NotFoundError
from homecoming.genetics.alleles import canonical_locus
from homecoming.genetics.markers import Marker, MutationSpec

#: Package-data folder holding the shipped tables.
DATA_PACKAGE = "homecoming.genetics"
DATA_FOLDER = ("data", "allele-frequencies")

#: Number of individuals assumed by the rare-allele policy when a table gives none (norSTR):
#: 5 / (2 * 2500) = 0.001, the frequency floor norSTR documents for its published tables.
DEFAULT_N = 2500

#: Minimum-frequency rule for alleles missing from a table: ``RARE_ALLELE_COUNT / (2N)``.
RARE_ALLELE_COUNT = 5

#: A shipped table whose locus sum differs from 1 by more than this is refused (six significant
#: digits over up to 20 alleles cannot be off by more).
PUBLISHED_SUM_TOLERANCE = 1e-5

#: Default tolerance for tables read with :meth:`FrequencyDatabase.from_csv`.
USER_SUM_TOLERANCE = 1e-6

#: STRidER pseudo-allele labels: ``1`` = below the allele category range, ``99`` = above it.
STRIDER_PSEUDO_ALLELES = {"1": "below range", "99": "above range"}

#: Sums closer to 1 than this are not reported as "normalised" in the provenance.
_REPORT_SUM = 1e-12


def attribution_notice(licence: str) -> str | None:
    """The attribution a table's licence requires wherever it is shown or redistributed."""
    if "Open Government Licence" in licence:
        return ("Contains public sector information licensed under the Open Government "
                "Licence v3.0.")
    if "MIT" in licence:
        return "Copyright (c) 2025 norSTR authors, MIT licence (see LICENSE-norSTR.md)."
    if "no explicit licence" in licence:
        return ("Cite Bodner et al. 2016, doi:10.1016/j.fsigen.2016.06.008; redistribution terms "
                "of the STRidER data are unconfirmed (see SOURCES.md).")
    return None




@dataclass(frozen=True)
class DatabaseInfo:
    """One row of the shipped index: what a database is and where it comes from."""

    name: str
    source: str
    population: str
    region: str
    n_individuals: int | None
    n_loci: int
    loci: tuple[str, ...]
    licence: str
    reference: str
    file: str

    @property
    def citation(self) -> str:
        ref = self.reference
        if re.match(r"^10\.\d{4,}/", ref):
            ref = f"doi:{ref}"
        return f"{self.source}; {ref}"


@dataclass
class _Locus:
    """A locus table as published, plus where it came from."""

    name: str
    alleles: tuple[str, ...]
    frequencies: tuple[float, ...]
    n_alleles_typed: int | None
    database: str  # name of the database the table comes from
    strider: bool = False

    @property
    def published_sum(self) -> float:
        return float(np.sum(self.frequencies, dtype=np.float64))

    @property
    def n_individuals(self) -> float | None:
        return None if self.n_alleles_typed is None else self.n_alleles_typed / 2


def _data_dir() -> Traversable:
    from importlib import resources

    node = resources.files(DATA_PACKAGE)
    for part in DATA_FOLDER:
        node = node.joinpath(part)
    return node


def _read_text(name: str) -> str:
    return _data_dir().joinpath(name).read_text(encoding="utf-8")


def _index_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(_read_text("index.csv"))))


def _info_from_row(row: Mapping[str, str]) -> DatabaseInfo:
    n = row.get("n_individuals_max") or ""
    return DatabaseInfo(
        name=row["file"].removesuffix(".csv"), source=row["source"], population=row["population"],
        region=row["region"], n_individuals=int(n) if n.strip() else None,
        n_loci=int(row["n_loci"]), loci=tuple(row["loci"].split()), licence=row["licence"],
        reference=row["reference"], file=row["file"])


def list_databases() -> list[DatabaseInfo]:
    """Every shipped database, in the order of the shipped index."""
    return [_info_from_row(r) for r in _index_rows()]


def _sample_sizes() -> dict[tuple[str, str], int | None]:
    out: dict[tuple[str, str], int | None] = {}
    for row in csv.DictReader(io.StringIO(_read_text("sample-sizes.csv"))):
        n = (row.get("n_alleles_typed") or "").strip()
        out[(row["file"], row["locus"])] = int(n) if n else None
    return out


def _parse_table(text: str, *, where: str) -> dict[str, list[tuple[str, float]]]:
    """``locus,allele,frequency`` rows -> {locus: [(allele, frequency), ...]} (file order)."""
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None or [h.strip() for h in header] != ["locus", "allele", "frequency"]:
        raise FrequencyError(f"{where}, line 1: header {header!r}; expected "
                             "'locus,allele,frequency'", field="header", value=header)
    tables: dict[str, list[tuple[str, float]]] = {}
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(row) != 3:
            raise FrequencyError(f"{where}, line {lineno}: {len(row)} columns; expected 3 "
                                 "(locus, allele, frequency)", field="row", value=row)
        locus, allele, value = (c.strip() for c in row)
        try:
            freq = float(value)
        except ValueError:
            raise FrequencyError(f"{where}, line {lineno}, column frequency: {value!r} is not a "
                                 "number; expected a frequency in [0, 1]", field="frequency",
                                 value=value) from None
        if not (0.0 <= freq <= 1.0) or not np.isfinite(freq):
            raise FrequencyError(f"{where}, line {lineno}, column frequency: {value!r}; expected "
                                 "a frequency in [0, 1]", field="frequency", value=value)
        entries = tables.setdefault(locus, [])
        if any(a == allele for a, _ in entries):
            raise FrequencyError(f"{where}, line {lineno}: allele {allele!r} of locus {locus!r} "
                                 "listed twice; expected one row per allele", field="allele",
                                 value=allele)
        entries.append((allele, freq))
    if not tables:
        raise FrequencyError(f"{where}: no frequency rows; expected at least one locus",
                             field="rows")
    return tables


def _check_sums(loci: Mapping[str, _Locus], tolerance: float, where: str) -> None:
    for locus in loci.values():
        s = locus.published_sum
        if abs(s - 1.0) > tolerance:
            raise FrequencyError(
                f"{where}: locus {locus.name!r} frequencies sum to {s:.9g}; expected 1 within "
                f"{tolerance:g}", field="frequencies", value=s, expected="sum 1")


class FrequencyDatabase:
    """One population's allele-frequency tables (one or more loci) with their attribution.

    Use :func:`load_database` for a shipped table, :meth:`from_csv` for your own file and
    :func:`combine` to fill loci from a second database.
    """

    def __init__(self, name: str, loci: Mapping[str, _Locus], *, source: str, population: str,
                 reference: str, licence: str, sha256: str, region: str = "",
                 parts: Sequence[Mapping[str, Any]] = ()) -> None:
        self.name = name
        self.source = source
        self.population = population
        self.region = region
        self.reference = reference
        self.licence = licence
        self.sha256 = sha256
        self._loci: dict[str, _Locus] = dict(loci)
        self._keys = {canonical_locus(k): k for k in self._loci}
        self._parts = [dict(p) for p in parts]
        self._adjustments: dict[str, dict[str, Any]] = {}

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_csv(cls, path: str | Path, *, name: str | None = None, population: str = "",
                 source: str = "", reference: str = "", licence: str = "",
                 n_individuals: int | Mapping[str, int] | None = None,
                 sum_tolerance: float = USER_SUM_TOLERANCE) -> FrequencyDatabase:
        """Read a ``locus,allele,frequency`` CSV (the shipped layout).

        ``n_individuals`` (one number or per locus) is the N of the rare-allele policy.
        A locus whose frequencies sum to 1 ± more than ``sum_tolerance`` is refused.
        """
        path = Path(path)
        data = path.read_bytes()
        tables = _parse_table(data.decode("utf-8-sig"), where=str(path))
        name = name or path.stem
        loci = {}
        for locus, entries in tables.items():
            if isinstance(n_individuals, Mapping):
                n = n_individuals.get(locus)
            else:
                n = n_individuals
            loci[locus] = _Locus(locus, tuple(a for a, _ in entries), tuple(f for _, f in entries),
                                 None if n is None else 2 * int(n), name)
        _check_sums(loci, sum_tolerance, str(path))
        sha = _sha256(data)
        return cls(name, loci, source=source or str(path), population=population,
                   reference=reference, licence=licence, sha256=sha,
                   parts=[{"name": name, "file": str(path), "sha256": sha}])

    # -- published view -------------------------------------------------------------------

    @property
    def loci(self) -> tuple[str, ...]:
        """Locus names in table order."""
        return tuple(self._loci)

    @property
    def citation(self) -> str:
        ref = self.reference
        if re.match(r"^10\.\d{4,}/", ref):
            ref = f"doi:{ref}"
        return f"{self.source}; {ref}" if ref else self.source

    def _locus(self, locus: str) -> _Locus:
        key = self._keys.get(canonical_locus(locus))
        if key is None:
            raise FrequencyError(
                f"locus {locus!r} is not in frequency database {self.name!r}; expected one of "
                f"{', '.join(self.loci)}", field="locus", value=locus)
        return self._loci[key]

    def locus_name(self, locus: str) -> str:
        """The table's own spelling of ``locus`` (``"VWA"`` -> ``"vWA"``)."""
        return self._locus(locus).name

    def __contains__(self, locus: object) -> bool:
        return isinstance(locus, str) and canonical_locus(locus) in self._keys

    def frequencies(self, locus: str) -> dict[str, float]:
        """The table for ``locus`` exactly as published (STRidER pseudo-alleles included)."""
        t = self._locus(locus)
        return dict(zip(t.alleles, t.frequencies))

    def n_alleles_typed(self, locus: str) -> int | None:
        """2N for ``locus`` as published, ``None`` where the source gives no sample size."""
        return self._locus(locus).n_alleles_typed

    def sample_size(self, locus: str) -> float | None:
        """N (individuals typed) for ``locus``, ``None`` where unknown."""
        return self._locus(locus).n_individuals

    def rare_allele_frequency(self, locus: str) -> float:
        """The frequency given to an allele missing from the table: 5 / (2N)."""
        n2 = self._locus(locus).n_alleles_typed
        return RARE_ALLELE_COUNT / (n2 if n2 else 2 * DEFAULT_N)

    def pseudo_alleles(self, locus: str) -> dict[str, float]:
        """STRidER ``1``/``99`` bins present in this locus table (empty for other sources)."""
        t = self._locus(locus)
        if not t.strider:
            return {}
        return {a: f for a, f in zip(t.alleles, t.frequencies) if a in STRIDER_PSEUDO_ALLELES}

    def origin(self, locus: str) -> str:
        """Name of the database a locus table comes from (differs after :func:`combine`)."""
        return self._locus(locus).database

    # -- markers --------------------------------------------------------------------------

    def markers(self, names: Iterable[str] | None = None, *,
                mutation: MutationSpec | tuple[MutationSpec | None, MutationSpec | None]
                | Mapping[str, MutationSpec | None] | None = None,
                extra_alleles: Mapping[str, Iterable[str]] | None = None,
                strict: bool = False) -> list[Marker]:
        """Markers for ``names`` (all loci when ``None``), with the policies of the module doc.

        ``mutation``: one :class:`MutationSpec` for both sexes, a ``(female, male)`` pair, or a
        mapping ``{"female": ..., "male": ...}``. ``extra_alleles``: locus -> alleles observed
        in the case; those missing from the table get ``5/(2N)`` and the locus is renormalised
        (``strict=True`` refuses instead). Added alleles come last in ``Marker.alleles``,
        after the table's alleles in table order.
        """
        female, male = _split_mutation(mutation)
        wanted = list(self.loci) if names is None else [self.locus_name(n) for n in names]
        extra: dict[str, list[str]] = {}
        for locus, alleles in (extra_alleles or {}).items():
            if locus not in self:
                if names is None:
                    raise FrequencyError(
                        f"extra_alleles: locus {locus!r} is not in frequency database "
                        f"{self.name!r}; expected one of {', '.join(self.loci)}",
                        field="extra_alleles", value=locus)
                continue
            extra.setdefault(self.locus_name(locus), []).extend(str(a) for a in alleles)
        out = []
        for locus in wanted:
            out.append(self._marker(locus, extra.get(locus, ()), female, male, strict))
        return out

    def _marker(self, locus: str, extra: Iterable[str], female: MutationSpec | None,
                male: MutationSpec | None, strict: bool) -> Marker:
        t = self._locus(locus)
        notes: list[str] = []
        record: dict[str, Any] = {"database": t.database}
        alleles = list(t.alleles)
        freqs = np.array(t.frequencies, dtype=np.float64)
        published = float(freqs.sum())
        if t.strider:
            drop = [i for i, a in enumerate(alleles) if a in STRIDER_PSEUDO_ALLELES]
            if drop:
                mass = float(freqs[drop].sum())
                dropped = {alleles[i]: float(freqs[i]) for i in drop}
                notes.append("STRidER pseudo-allele(s) " + ", ".join(
                    f"{a} ({STRIDER_PSEUDO_ALLELES[a]}, {f:g})" for a, f in dropped.items())
                    + " dropped")
                record["pseudo_alleles_dropped"] = dropped
                record["pseudo_allele_mass"] = mass
                keep = [i for i in range(len(alleles)) if i not in drop]
                alleles = [alleles[i] for i in keep]
                freqs = freqs[keep]
        total = float(freqs.sum())
        if abs(published - 1.0) > _REPORT_SUM or abs(total - published) > 0:
            record["published_sum"] = published
        if abs(total - 1.0) > _REPORT_SUM:
            notes.append(f"normalised from sum {total:.9g} to 1")
            record["normalised_from_sum"] = total
        freqs = freqs / total
        added = []
        for allele in extra:
            if allele in alleles or allele in added:
                continue
            if allele in STRIDER_PSEUDO_ALLELES and t.strider:
                raise FrequencyError(
                    f"locus {t.name!r}: allele {allele!r} is a STRidER pseudo-allele "
                    f"({STRIDER_PSEUDO_ALLELES[allele]}) in {t.database!r}, not an observable "
                    "allele; expected a repeat number", field="allele", value=allele)
            if strict:
                raise FrequencyError(
                    f"locus {t.name!r}: allele {allele!r} is not in frequency database "
                    f"{t.database!r} (strict mode); expected one of {', '.join(alleles)}, or "
                    "strict=False to apply the rare-allele policy 5/(2N)",
                    field="allele", value=allele)
            added.append(allele)
        if added:
            fmin = self.rare_allele_frequency(t.name)
            n = t.n_individuals
            nsrc = f"N={n:g}" if n is not None else f"N unknown, default N={DEFAULT_N}"
            scale = 1.0 + fmin * len(added)
            alleles = alleles + added
            freqs = np.concatenate([freqs, np.full(len(added), fmin)]) / scale
            notes.append(f"rare allele(s) {', '.join(added)} added at 5/(2N)={fmin:.6g} ({nsrc}); "
                         f"locus renormalised by 1/{scale:.9g}")
            record["rare_alleles"] = {a: fmin for a in added}
            record["rare_allele_rule"] = f"5/(2N), {nsrc}"
            record["renormalised_by"] = 1.0 / scale
        if notes:
            prev = self._adjustments.setdefault(t.name, {})
            rare = {**prev.get("rare_alleles", {}), **record.get("rare_alleles", {})}
            prev.update(record)
            if rare:
                prev["rare_alleles"] = rare
        source = f"{t.database} (sha256 {self._sha_of(t.database)[:12]})"
        if notes:
            source += ": " + "; ".join(notes)
        return Marker(name=t.name, alleles=tuple(alleles), frequencies=freqs,
                      mutation_female=female, mutation_male=male, source=source)

    def _sha_of(self, database: str) -> str:
        for p in self._parts:
            if p.get("name") == database:
                return str(p.get("sha256", ""))
        return self.sha256

    # -- provenance -----------------------------------------------------------------------

    def provenance(self) -> dict[str, Any]:
        """Attribution, hashes and every adjustment made by :meth:`markers` on this object."""
        sums = {}
        pseudo = {}
        for t in self._loci.values():
            if abs(t.published_sum - 1.0) > _REPORT_SUM:
                sums[t.name] = t.published_sum
            if t.strider:
                p = {a: f for a, f in zip(t.alleles, t.frequencies) if a in STRIDER_PSEUDO_ALLELES}
                if p:
                    pseudo[t.name] = p
        return {
            "database": self.name,
            "sha256": self.sha256,
            "source": self.source,
            "population": self.population,
            "reference": self.reference,
            "licence": self.licence,
            "parts": [dict(p) for p in self._parts],
            "locus_origin": {t.name: t.database for t in self._loci.values()},
            "policies": {
                "strider_pseudo_alleles": "alleles 1 (below range) and 99 (above range) of "
                                          "STRidER tables are dropped and the locus renormalised",
                "normalisation": "every locus is divided by its sum; published sums that differ "
                                 "from 1 are listed in published_sums",
                "rare_alleles": f"alleles missing from a table get {RARE_ALLELE_COUNT}/(2N), N = "
                                f"individuals typed at the locus (default N={DEFAULT_N} when "
                                "unknown); the locus is then renormalised",
            },
            "published_sums": sums,
            "pseudo_alleles": pseudo,
            "adjustments": {k: dict(v) for k, v in self._adjustments.items()},
        }

    def __repr__(self) -> str:
        return f"FrequencyDatabase({self.name!r}, {len(self._loci)} loci)"


def _split_mutation(mutation: Any) -> tuple[MutationSpec | None, MutationSpec | None]:
    if mutation is None or isinstance(mutation, MutationSpec):
        return mutation, mutation
    if isinstance(mutation, Mapping):
        unknown = set(mutation) - {"female", "male"}
        if unknown:
            raise FrequencyError(f"mutation: keys {sorted(unknown)}; expected 'female' and/or "
                                 "'male'", field="mutation", value=sorted(unknown))
        return mutation.get("female"), mutation.get("male")
    if isinstance(mutation, tuple) and len(mutation) == 2:
        return mutation[0], mutation[1]
    raise FrequencyError(f"mutation: {mutation!r}; expected a MutationSpec, a (female, male) pair "
                         "or {'female': ..., 'male': ...}", field="mutation", value=repr(mutation))


_CACHE: dict[str, tuple[dict[str, _Locus], DatabaseInfo, str]] = {}


def load_database(name: str) -> FrequencyDatabase:
    """A shipped database by name (``"nist1036_all"``; ``.csv`` may be given).

    Raises :class:`~homecoming.errors.NotFoundError` for an unknown name.
    """
    key = str(name).strip().removesuffix(".csv").lower()
    if key not in _CACHE:
        infos = {i.name.lower(): i for i in list_databases()}
        info = infos.get(key)
        if info is None:
            raise NotFoundError(f"frequency database {name!r} is not shipped; expected one of "
                                f"{', '.join(sorted(i.name for i in infos.values()))}")
        data = _data_dir().joinpath(info.file).read_bytes()
        sha = _sha256(data)
        tables = _parse_table(data.decode("utf-8"), where=info.file)
        sizes = _sample_sizes()
        strider = info.name.startswith("strider")
        loci = {locus: _Locus(locus, tuple(a for a, _ in e), tuple(f for _, f in e),
                              sizes.get((info.file, locus)), info.name, strider)
                for locus, e in tables.items()}
        _check_sums(loci, PUBLISHED_SUM_TOLERANCE, info.file)
        _CACHE[key] = (loci, info, sha)
    loci, info, sha = _CACHE[key]
    return FrequencyDatabase(
        info.name, {k: _Locus(v.name, v.alleles, v.frequencies, v.n_alleles_typed, v.database,
                              v.strider) for k, v in loci.items()},
        source=info.source, population=info.population, reference=info.reference,
        licence=info.licence, sha256=sha, region=info.region,
        parts=[{"name": info.name, "file": info.file, "sha256": sha,
                "reference": info.reference, "licence": info.licence}])


def _sha256(data: bytes) -> str:
    import hashlib  # here, not at the top: most commands that import this module hash nothing

    return hashlib.sha256(data).hexdigest()


def combine(primary: FrequencyDatabase, fallback: FrequencyDatabase, *,
            name: str | None = None) -> FrequencyDatabase:
    """Loci of ``primary``, plus the loci of ``fallback`` that ``primary`` lacks.

    Which database every locus comes from is in ``provenance()["locus_origin"]``; the
    ``sha256`` is that of the two parts' hashes joined by ``+``.
    """
    loci = dict(primary._loci)
    keys = {canonical_locus(k) for k in loci}
    for locus, table in fallback._loci.items():
        if canonical_locus(locus) not in keys:
            loci[locus] = table
    parts = [*primary._parts, *[p for p in fallback._parts if p not in primary._parts]]
    sha = _sha256(f"{primary.sha256}+{fallback.sha256}".encode())
    return FrequencyDatabase(
        name or f"{primary.name}+{fallback.name}", loci,
        source=f"{primary.source}; loci missing there from {fallback.source}",
        population=f"{primary.population} (fallback: {fallback.population})",
        reference="; ".join(r for r in (primary.reference, fallback.reference) if r),
        licence="; ".join(dict.fromkeys(x for x in (primary.licence, fallback.licence) if x)),
        sha256=sha, region=primary.region, parts=parts)


__all__ = [
    "DEFAULT_N", "RARE_ALLELE_COUNT", "PUBLISHED_SUM_TOLERANCE", "USER_SUM_TOLERANCE",
    "STRIDER_PSEUDO_ALLELES", "DatabaseInfo", "FrequencyDatabase", "attribution_notice",
    "canonical_locus",
    "combine", "list_databases", "load_database",
]
