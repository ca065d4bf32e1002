"""The identification problem: victims (PM), reference families (AM), markers.

A :class:`DviDataset` is a frozen, validated snapshot of one identification problem as
described in ``docs/formats/dvi-dataset.md`` (``homecoming/dvi-dataset@1``). Building one checks
the things that would make the answer wrong rather than merely slow:

- a missing-person id used in two families, a missing person not in its family's pedigree, a
  duplicated victim id or family name, a genotyped person not in the pedigree -> ``InputError``;
- markers typed only on one side (only in victims, or only in the families) carry no information
  about who is who: the dataset keeps the *intersection* (markers typed in at least one victim
  and in at least one reference family) and records the dropped ones in :attr:`DviDataset.warnings`
  and :attr:`DviDataset.dropped_markers`;
- a victim with no usable marker is kept (it is reported, it cannot be identified by DNA);
- a family with no typed member is kept and its missing persons are *non-identifiable*
  (not an error);
- sex ``unknown`` (victim or missing person) pairs with either sex.

The optional non-DNA fields (``age_range``, ``stature_range``, ``found_date``, ``category`` on
victims; ``missing_info`` per family) are described in ``docs/explanation/non-dna-evidence.md``.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from homecoming.errors import InputError
from homecoming.genetics.markers import Marker
from homecoming.genetics.profiles import Genotype
from homecoming.pedigree.pedigree import Pedigree, Sex

GenotypeTable = Mapping[str, Mapping[str, Genotype]]


def _typed(genotype: Genotype | None) -> bool:
    """A genotype carries information when at least one allele is known."""
    return genotype is not None and any(a is not None for a in genotype)


def _freeze_table(table: Mapping[str, Mapping[str, Genotype]]) -> Mapping[str, Mapping[str, Genotype]]:
    return MappingProxyType({str(p): MappingProxyType({str(m): tuple(g) for m, g in gts.items()})
                             for p, gts in table.items()})


@dataclass(frozen=True)
class MissingInfo:
    """Non-DNA ante-mortem information about one missing person (all optional).

    :param age_missing: age in years when last seen alive.
    :param birth_date: date of birth (used with ``date_last_seen`` when ``age_missing`` is absent).
    :param date_last_seen: date the person was last seen alive.
    :param height: reported stature in cm.
    :param category: e.g. ``"civilian"`` or ``"military"``.
    :param lineage_lr: victim id -> the LR of the lineage markers (Y-STR, mtDNA;
        :mod:`homecoming.services.lineage`) for "this victim is this missing person"; it
        multiplies into the pairing's LR (independent inheritance) whether or not non-DNA
        evidence is enabled.
    """

    age_missing: float | None = None
    birth_date: _dt.date | None = None
    date_last_seen: _dt.date | None = None
    height: float | None = None
    category: str | None = None
    lineage_lr: Mapping[str, float] = field(default_factory=dict)

    def age_when_missing(self) -> float | None:
        if self.age_missing is not None:
            return float(self.age_missing)
        if self.birth_date is not None and self.date_last_seen is not None:
            return (self.date_last_seen - self.birth_date).days / 365.25
        return None


@dataclass(frozen=True)
class Victim:
    """Post-mortem sample of unidentified remains.

    ``age_range`` (years at death) and ``stature_range`` (cm) are anthropological estimates as
    ``(low, high)``; ``found_date`` is the burial/finding date; ``category`` e.g. "military".
    """

    id: str
    sex: Sex
    genotypes: Mapping[str, Genotype]
    age_range: tuple[float, float] | None = None
    stature_range: tuple[float, float] | None = None
    found_date: _dt.date | None = None
    category: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "sex", Sex.parse(self.sex, field=f"victim {self.id!r} sex"))
        object.__setattr__(self, "genotypes",
                           MappingProxyType({str(m): tuple(g) for m, g in self.genotypes.items()}))
        for name in ("age_range", "stature_range"):
            rng = getattr(self, name)
            if rng is None:
                continue
            lo, hi = (float(x) for x in rng)
            if not lo <= hi:
                raise InputError(f"victim {self.id!r} {name}: [{lo}, {hi}] has low > high; "
                                 "expected [low, high]", field=name, value=rng)
            object.__setattr__(self, name, (lo, hi))

    def typed_markers(self) -> frozenset[str]:
        return frozenset(m for m, g in self.genotypes.items() if _typed(g))


@dataclass(frozen=True)
class Family:
    """A reference family: its pedigree, the missing persons in it, the typed relatives."""

    name: str
    pedigree: Pedigree
    missing: tuple[str, ...]
    genotypes: GenotypeTable
    missing_info: Mapping[str, MissingInfo] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "missing", tuple(str(m) for m in self.missing))
        object.__setattr__(self, "genotypes", _freeze_table(self.genotypes))
        object.__setattr__(self, "missing_info", MappingProxyType(dict(self.missing_info)))
        where = f"family {self.name!r}"
        if not self.missing:
            raise InputError(f"{where}: 'missing' is empty; expected at least one missing person",
                             field="missing", value=[])
        if len(set(self.missing)) != len(self.missing):
            raise InputError(f"{where}: missing persons {list(self.missing)} contain a duplicate; "
                             "expected unique ids", field="missing", value=list(self.missing))
        for m in self.missing:
            if m not in self.pedigree:
                raise InputError(f"{where}: missing person {m!r} is not in the family's pedigree",
                                 field="missing", value=m)
            if m in self.genotypes and any(_typed(g) for g in self.genotypes[m].values()):
                raise InputError(f"{where}: missing person {m!r} has reference genotypes; "
                                 "expected a missing person to be untyped", field="genotypes",
                                 value=m)
        for pid in self.genotypes:
            if pid not in self.pedigree:
                raise InputError(f"{where}: genotyped person {pid!r} is not in the pedigree",
                                 field="genotypes", value=pid)
        for m in self.missing_info:
            if m not in self.missing:
                raise InputError(f"{where}: missing_info for {m!r}, who is not one of its missing "
                                 f"persons {list(self.missing)}", field="missing_info", value=m)

    def typed_members(self) -> tuple[str, ...]:
        return tuple(p for p, gts in self.genotypes.items() if any(_typed(g) for g in gts.values()))

    def typed_markers(self) -> frozenset[str]:
        return frozenset(m for gts in self.genotypes.values() for m, g in gts.items() if _typed(g))

    def sex_of(self, missing: str) -> Sex:
        return self.pedigree[missing].sex

    def identifiable(self, missing: str) -> bool:
        """True if the missing person is connected (by blood or marriage) to a typed member."""
        typed = set(self.typed_members())
        if not typed:
            return False
        # connected component of `missing` through parent-child links
        adjacent: dict[str, set[str]] = {p.id: set() for p in self.pedigree}
        for p in self.pedigree:
            for parent in (p.father, p.mother):
                if parent is not None:
                    adjacent[p.id].add(parent)
                    adjacent[parent].add(p.id)
        seen = {missing}
        stack = [missing]
        while stack:
            for nxt in adjacent[stack.pop()]:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append(nxt)
        return bool(seen & typed)


def sexes_compatible(a: Sex, b: Sex) -> bool:
    """Unknown sex pairs with either sex."""
    return a is Sex.UNKNOWN or b is Sex.UNKNOWN or a is b


class DviDataset:
    """A validated DVI problem.

    :param markers: the markers with frequencies (all of them; see :attr:`markers` for the
        ones actually used).
    :param victims: PM samples.
    :param families: AM reference families.
    :param theta: Balding–Nichols θ (kinship-case convention).

    Attributes after validation: :attr:`markers` (used markers, input order),
    :attr:`all_markers`, :attr:`dropped_markers` (name -> reason), :attr:`warnings` (plain
    sentences), :attr:`victims`, :attr:`families`.
    """

    def __init__(self, markers: Sequence[Marker], victims: Iterable[Victim],
                 families: Iterable[Family], theta: float = 0.0, *,
                 intersect_markers: bool = True) -> None:
        self.all_markers: tuple[Marker, ...] = tuple(markers)
        self.victims: tuple[Victim, ...] = tuple(victims)
        self.families: tuple[Family, ...] = tuple(families)
        self.theta = float(theta)
        self.warnings: list[str] = []
        self.dropped_markers: dict[str, str] = {}
        #: set by readers: SHA-256 of the input and where it came from (for provenance)
        self.input_sha256: str | None = None
        self.source: str | None = None
        if not 0.0 <= self.theta < 1.0:
            raise InputError(f"theta: {theta!r}; expected a number in [0, 1)", field="theta",
                             value=theta)
        names = [m.name for m in self.all_markers]
        if len(set(names)) != len(names):
            dup = sorted({n for n in names if names.count(n) > 1})
            raise InputError(f"markers: duplicated marker names {dup}; expected unique names",
                             field="markers", value=dup)
        known = set(names)
        seen_v: set[str] = set()
        for v in self.victims:
            if v.id in seen_v:
                raise InputError(f"victims: duplicated victim id {v.id!r}; expected unique ids",
                                 field="victims", value=v.id)
            seen_v.add(v.id)
            unknown = sorted(set(v.genotypes) - known)
            if unknown:
                raise InputError(f"victim {v.id!r}: genotypes for markers {unknown} that are not in "
                                 "'markers'; expected only listed markers", field="genotypes",
                                 value=unknown)
        seen_f: set[str] = set()
        owner: dict[str, str] = {}
        for f in self.families:
            if f.name in seen_f:
                raise InputError(f"families: duplicated family name {f.name!r}; expected unique "
                                 "names", field="families", value=f.name)
            seen_f.add(f.name)
            for m in f.missing:
                if m in owner:
                    raise InputError(f"missing person {m!r} is in family {owner[m]!r} and in family "
                                     f"{f.name!r}; expected missing-person ids unique across "
                                     "families", field="missing", value=m)
                owner[m] = f.name
            for pid, gts in f.genotypes.items():
                unknown = sorted(set(gts) - known)
                if unknown:
                    raise InputError(f"family {f.name!r} person {pid!r}: genotypes for markers "
                                     f"{unknown} that are not in 'markers'; expected only listed "
                                     "markers", field="genotypes", value=unknown)
        self._family_of = owner

        self.victims = tuple(self._infer_x_sex(v) for v in self.victims)

        pm: set[str] = set().union(*(v.typed_markers() for v in self.victims)) if self.victims else set()
        am: set[str] = set().union(*(f.typed_markers() for f in self.families)) if self.families else set()
        used: list[Marker] = []
        for mk in self.all_markers:
            if not intersect_markers or (mk.name in pm and mk.name in am):
                used.append(mk)
                continue
            if mk.name not in pm and mk.name not in am:
                reason = "typed in no victim and no reference"
            elif mk.name not in am:
                reason = "typed in victims only (no reference family typed it)"
            else:
                reason = "typed in references only (no victim typed it)"
            self.dropped_markers[mk.name] = reason
        self.markers: tuple[Marker, ...] = tuple(used)
        if self.dropped_markers:
            self.warnings.append(
                "markers not typed on both the PM and the AM side were left out: "
                + ", ".join(f"{k} ({v})" for k, v in self.dropped_markers.items()))
        used_names = {m.name for m in self.markers}
        self._usable = {v.id: sorted(v.typed_markers() & used_names) for v in self.victims}
        for v in self.victims:
            if not self._usable[v.id]:
                self.warnings.append(f"victim {v.id!r} has no usable marker: it is kept but "
                                     "cannot be identified by DNA")
        for f in self.families:
            if not f.typed_members():
                self.warnings.append(f"family {f.name!r} has no typed member: its missing persons "
                                     f"{list(f.missing)} are non-identifiable")

    def _infer_x_sex(self, v: Victim) -> Victim:
        """A victim of unknown sex typed on X markers: a heterozygous X genotype means female,
        a single X allele means male (kinship-case convention); with neither, the X markers
        cannot be read without a sex and are left out for that victim."""
        if v.sex is not Sex.UNKNOWN:
            return v
        xnames = {m.name for m in self.all_markers if m.chromosome == "X"}
        xg = {m: g for m, g in v.genotypes.items() if m in xnames and _typed(g)}
        if not xg:
            return v
        female = sorted(m for m, g in xg.items() if len(g) == 2 and None not in g and g[0] != g[1])
        male = sorted(m for m, g in xg.items() if len(g) == 1)
        if female and male:
            raise InputError(f"victim {v.id!r}: heterozygous on X markers {female} (female) but "
                             f"one X allele on {male} (male); expected a consistent X profile",
                             field="genotypes", value=v.id)
        if female or male:
            sex = Sex.FEMALE if female else Sex.MALE
            self.warnings.append(f"victim {v.id!r}: sex 'unknown' read as {sex.value!r} from its "
                                 f"X markers {female or male}")
            return Victim(v.id, sex, v.genotypes, v.age_range, v.stature_range, v.found_date,
                          v.category)
        kept = {m: g for m, g in v.genotypes.items() if m not in xnames}
        self.warnings.append(f"victim {v.id!r}: sex unknown and X markers {sorted(xg)} cannot be "
                             "read without it; they are left out for this victim")
        return Victim(v.id, v.sex, kept, v.age_range, v.stature_range, v.found_date, v.category)

    # --- access ---------------------------------------------------------------------------
    @property
    def missing(self) -> tuple[str, ...]:
        """All missing-person ids, family order."""
        return tuple(m for f in self.families for m in f.missing)

    def family_of(self, missing: str) -> Family:
        name = self._family_of[missing]
        return next(f for f in self.families if f.name == name)

    def victim(self, vid: str) -> Victim:
        for v in self.victims:
            if v.id == vid:
                return v
        raise InputError(f"victim {vid!r} is not in the dataset", field="victims", value=vid)

    def usable_markers(self, vid: str) -> list[str]:
        """Names of the used markers typed in victim ``vid``."""
        return list(self._usable[vid])

    def summary(self) -> dict[str, Any]:
        return {"victims": len(self.victims), "families": len(self.families),
                "missing": len(self.missing), "markers": len(self.markers),
                "dropped_markers": dict(self.dropped_markers)}

    def __repr__(self) -> str:
        return (f"DviDataset({len(self.victims)} victims, {len(self.families)} families, "
                f"{len(self.missing)} missing, {len(self.markers)} markers, theta={self.theta})")
