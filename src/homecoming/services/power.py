"""Exclusion and identification power of a missing-person case: the use case behind
``homecoming power CASE.json --missing ID`` and the web application's power page.

:func:`case_power` reads a ``homecoming/kinship-case@1`` case (a path, a decoded JSON object or
a parsed :class:`~homecoming.formats.kinship_case.KinshipCase`), takes the pedigree of one of
its hypotheses (the first unless ``hypothesis`` names another) as the missing-person pedigree,
its typed members as the references, and returns a ``homecoming/power-result@1`` document
(docs/reference/formats/power-result.md). The mathematics is in
:mod:`homecoming.kinship.power`.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from homecoming.errors import HypothesisError, InputError
from homecoming.formats.kinship_case import KinshipCase, load_kinship_case

__all__ = ["DEFAULT_SIMULATIONS", "DEFAULT_THRESHOLD", "POWER_FORMAT", "case_power"]

POWER_FORMAT = "homecoming/power-result@1"
#: LR threshold of the identification power when none is given.
DEFAULT_THRESHOLD = 10_000.0
#: simulations per hypothesis when none are given.
DEFAULT_SIMULATIONS = 1000


def _number(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return float(value)


def _lr_distribution(dist: Any) -> dict[str, Any]:
    return {
        "p_lr_at_least_threshold": dist.p_at_least_threshold,
        "p_lr_at_least_threshold_se": dist.p_at_least_threshold_se,
        "p_excluded": dist.p_excluded,
        "mean_log10_lr": _number(dist.mean_log10_lr),
        "mean_log10_lr_se": _number(dist.mean_log10_lr_se),
        "expected_log10_lr": _number(dist.expected_log10_lr),
        "expected_log10_lr_not_excluded": _number(dist.expected_log10_lr_not_excluded),
        "per_marker_expected_log10_lr": {k: _number(v) for k, v in
                                         dist.per_marker_expected_log10_lr.items()},
    }


def case_power(source: str | Path | Mapping[str, Any] | KinshipCase, *, missing: str,
               hypothesis: str | None = None, simulations: int = DEFAULT_SIMULATIONS,
               threshold: float = DEFAULT_THRESHOLD, seed: int | None = None
               ) -> dict[str, Any]:
    """The ``homecoming/power-result@1`` document of a kinship case.

    The references are the typed persons of the missing person's family (connected
    component) in the chosen pedigree; the genotypes of everyone else (e.g. a victim who is
    unrelated in that pedigree) and of the missing person are listed under
    ``ignored_genotypes``. ``simulations = 0`` skips the
    identification power; ``seed`` ``None`` draws one (recorded in the result).

    :raises HypothesisError: the hypothesis or the missing person is not in the case.
    :raises InputError: a bad number of simulations, threshold or seed.
    """
    from homecoming.kinship.power import exclusion_power, identification_power, power_tables
    from homecoming.provenance import record

    if isinstance(simulations, bool) or not isinstance(simulations, int) or simulations < 0:
        raise InputError(f"simulations {simulations!r}; expected a whole number >= 0",
                         field="simulations", value=simulations)
    if not isinstance(threshold, (int, float)) or not (threshold > 0) or not math.isfinite(
            threshold):
        raise InputError(f"threshold {threshold!r}; expected a positive LR",
                         field="threshold", value=threshold)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise InputError(f"seed {seed!r}; expected a whole number >= 0", field="seed",
                         value=seed)
    case = source if isinstance(source, KinshipCase) else load_kinship_case(source)
    chosen = case.hypothesis(hypothesis) if hypothesis is not None else case.hypotheses[0]
    pedigree = chosen.pedigree
    if missing not in pedigree:
        raise HypothesisError(f"missing person {missing!r} is not in hypothesis "
                              f"{chosen.name!r}; expected the id of its untyped missing person",
                              field="missing", value=missing)
    family = pedigree.connected(missing)
    references = {pid: g for pid, g in case.genotypes.items()
                  if pid in family and pid != missing and g}
    ignored = sorted(pid for pid, g in case.genotypes.items()
                     if g and pid not in references)
    dropout = {pid: d for pid, d in (case.dropout or {}).items() if pid in references}
    tables = power_tables(pedigree, case.markers, references, missing, theta=case.theta,
                          founder_inbreeding=chosen.founder_inbreeding, dropout=dropout)
    exclusion = exclusion_power(tables)
    identification: dict[str, Any] | None = None
    used_seed = seed
    if simulations > 0:
        used_seed = secrets.randbits(32) if seed is None else seed
        power = identification_power(tables, simulations=simulations,
                                     threshold=float(threshold), seed=used_seed)
        identification = {
            "simulations": power.simulations,
            "seed": power.seed,
            "threshold": power.threshold,
            "missing_person": _lr_distribution(power.related),
            "unrelated": _lr_distribution(power.unrelated),
        }
    return {
        "format": POWER_FORMAT,
        "missing": missing,
        "hypothesis": chosen.name,
        "references": sorted(references),
        "ignored_genotypes": ignored,
        "exclusion_power": exclusion.total,
        "per_marker_exclusion_power": exclusion.per_marker,
        "mutation_kept": sorted(k for k, v in exclusion.mutation_used.items() if v),
        "identification_power": identification,
        "provenance": record(
            parameters={"missing": missing, "hypothesis": chosen.name,
                        "simulations": simulations, "threshold": float(threshold)},
            input_sha256=case.sha256 or None, theta=case.theta, dropout=dropout or None,
            seed=used_seed if simulations > 0 else None,
            mutation_model="per marker, as in the case file"),
    }
