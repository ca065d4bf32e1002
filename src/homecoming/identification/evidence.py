"""Non-DNA evidence as likelihood ratios or exclusions for a pairing "victim V is missing person M".

Each item compares a post-mortem observation on the victim with ante-mortem information on the
missing person and returns either an *exclusion* (the two cannot be the same person) or a
likelihood ratio. The model is deliberately simple and stated in full in
``docs/explanation/non-dna-evidence.md``:

- **Age.** The victim's estimated age at death ``[lo, hi]`` (widened by ``age_tolerance``) must
  overlap the interval of possible ages at death of the missing person, ``[a0, a0 + Δ]`` where
  ``a0`` is the age when last seen and ``Δ`` the years between last seen and the finding/burial
  date (unbounded when a date is unknown). No overlap → exclusion.
- **Stature.** The reported height must fall in the victim's stature estimate ``[lo, hi]``
  (widened by ``stature_tolerance``). Outside → exclusion.
- **Dates.** A person seen alive *after* the date the remains were found or buried is excluded.
- **Category** (e.g. civilian / military): a mismatch multiplies the LR by
  ``category_mismatch_lr`` (a policy value, default 0.1: uniforms and papers can be wrong;
  0 makes a mismatch an exclusion, 1 ignores it).

For a compatible age, stature or category the LR is ``1/f``: the observation is certain if the
victim is M (the anthropological range is taken to contain the truth) and has probability ``f``
for a missing person drawn at random, where ``f`` is the fraction of the dataset's missing persons
with that item recorded whose information is compatible with the victim. With a single missing
person recorded, ``f = 1`` and the item carries no weight beyond the exclusion.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from homecoming.identification.dataset import MissingInfo, Victim


@dataclass(frozen=True)
class EvidenceConfig:
    """Switches and tolerances for non-DNA evidence (all recorded in the output provenance)."""

    enabled: bool = True
    age: bool = True
    stature: bool = True
    dates: bool = True
    category: bool = True
    age_tolerance: float = 0.0
    stature_tolerance: float = 0.0
    category_mismatch_lr: float = 0.1

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class EvidenceResult:
    """Combined non-DNA evidence for one pairing."""

    log_lr: float = 0.0
    excluded: bool = False
    items: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, lr: float, note: str) -> None:
        self.items.append({"evidence": kind, "lr": lr, "note": note})
        if lr == 0.0:
            self.excluded = True
            self.log_lr = -math.inf
        elif not self.excluded:
            self.log_lr += math.log(lr)


def _years_between(a: Any, b: Any) -> float:
    return float((b - a).days) / 365.25


def _age_compatible(victim: Victim, info: MissingInfo, tol: float) -> bool | None:
    if victim.age_range is None:
        return None
    a0 = info.age_when_missing()
    if a0 is None:
        return None
    upper = math.inf
    if info.date_last_seen is not None and victim.found_date is not None:
        upper = a0 + max(0.0, _years_between(info.date_last_seen, victim.found_date))
    lo, hi = victim.age_range
    return (hi + tol) >= a0 and (lo - tol) <= upper


def _stature_compatible(victim: Victim, info: MissingInfo, tol: float) -> bool | None:
    if victim.stature_range is None or info.height is None:
        return None
    lo, hi = victim.stature_range
    return lo - tol <= info.height <= hi + tol


def _category_compatible(victim: Victim, info: MissingInfo) -> bool | None:
    if victim.category is None or info.category is None:
        return None
    return victim.category.strip().lower() == info.category.strip().lower()


def pairing_evidence(victim: Victim, info: MissingInfo | None,
                     population: Sequence[MissingInfo], config: EvidenceConfig) -> EvidenceResult:
    """Evidence for "victim is the missing person described by ``info``".

    :param population: the ante-mortem information of all missing persons of the dataset (the
        reference population for the random-match fraction ``f``).
    """
    res = EvidenceResult()
    lineage = info.lineage_lr.get(victim.id) if info is not None else None
    if lineage is not None:   # DNA evidence: applies even with non-DNA evidence disabled
        res.add("lineage markers", float(lineage), "Y-STR / mtDNA LR along the paternal or "
                "maternal line (independent of the autosomal markers: multiplied in)")
    if not config.enabled or info is None:
        return res

    def fraction(test: Callable[[MissingInfo], bool | None]) -> float:
        recorded = [r for r in (test(p) for p in population) if r is not None]
        if not recorded:
            return 1.0
        return float(max(sum(recorded), 1)) / len(recorded)

    if config.dates and info.date_last_seen is not None and victim.found_date is not None:
        if info.date_last_seen > victim.found_date:
            res.add("dates", 0.0, f"seen alive on {info.date_last_seen.isoformat()}, after the "
                                  f"remains were found/buried on {victim.found_date.isoformat()}")
        else:
            res.add("dates", 1.0, "last seen before the finding/burial date")
    if config.age:
        ok = _age_compatible(victim, info, config.age_tolerance)
        if ok is False:
            res.add("age", 0.0, "age when missing incompatible with the estimated age at death")
        elif ok:
            f = fraction(lambda p: _age_compatible(victim, p, config.age_tolerance))
            res.add("age", 1.0 / f, f"compatible; fraction of missing persons compatible {f:.3g}")
    if config.stature:
        ok = _stature_compatible(victim, info, config.stature_tolerance)
        if ok is False:
            res.add("stature", 0.0, "reported height outside the estimated stature range")
        elif ok:
            f = fraction(lambda p: _stature_compatible(victim, p, config.stature_tolerance))
            res.add("stature", 1.0 / f,
                    f"compatible; fraction of missing persons compatible {f:.3g}")
    if config.category:
        ok = _category_compatible(victim, info)
        if ok is False:
            res.add("category", float(config.category_mismatch_lr),
                    f"victim {victim.category!r} vs missing person {info.category!r}")
        elif ok:
            f = fraction(lambda p: _category_compatible(victim, p))
            res.add("category", 1.0 / f,
                    f"same category; fraction of missing persons in it {f:.3g}")
    return res


def has_evidence(victims: Sequence[Victim], infos: Mapping[str, MissingInfo]) -> bool:
    """True if the dataset carries any non-DNA information at all."""
    pm = any(v.age_range or v.stature_range or v.found_date or v.category for v in victims)
    return pm and bool(infos)
