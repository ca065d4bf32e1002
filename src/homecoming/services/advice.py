"""Which relative to ask next: the use cases behind ``homecoming advise`` (and, later, the web
application's worklist page).

* :func:`case_advice` — a ``homecoming/kinship-case@1`` file: the pedigree of one hypothesis
  (the first unless ``hypothesis`` names another) holds the untyped missing person and the
  typed references (the typed members of the missing person's family);
* :func:`family_advice` — one family of the stored case (the missing person's id): the family
  pedigree is rebuilt from the donor records
  (:func:`homecoming.services.case_identification.family_pedigree`), the references are the
  donors' profiles, the markers those of the frequency database typed anywhere in the stored
  case, with the default mutation model, as ``homecoming identify`` uses them;
* :func:`register_advice` — every family of the stored case; the families whose current
  references **cannot reach the identification threshold** are listed, each with its
  candidates, best first: the worklist for the people who collect reference samples.

Criterion: a family cannot reach the threshold ``T`` when the exact expected log10 LR of the
missing person's true remains against the references (H1), ``E₁[log10 LR]``, is below
``log10 T``: even the typical LR of the right remains falls short of ``T``. (The median LR
under H1 is near ``10^E₁[log10 LR]``; a family above the criterion can still miss ``T`` for
some remains, which ``homecoming power`` quantifies by simulation.) A candidate
``reaches_threshold`` when the expected log10 LR with their sample is at least ``log10 T``.

The mathematics (exact expectations over the candidate's unknown genotype) is in
:mod:`homecoming.kinship.advice`; the result is a ``homecoming/advice-result@1`` document
(docs/reference/formats/advice-result.md). No genotype is in it.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from homecoming.errors import HypothesisError, InputError
from homecoming.formats.kinship_case import KinshipCase, load_kinship_case

__all__ = ["ADVICE_FORMAT", "CRITERION", "DEFAULT_THRESHOLD", "PERMISSION_ADVICE",
           "advice_entry", "case_advice", "family_advice", "register_advice"]

ADVICE_FORMAT = "homecoming/advice-result@1"
#: LR threshold when none is given (as ``homecoming power``).
DEFAULT_THRESHOLD = 10_000.0
#: the criterion of "cannot reach the threshold", as written in every result.
CRITERION = "expected log10 LR of the true remains (H1, exact) below log10(threshold)"
#: reading the stored references for the advice needs what screening needs (analyst, lab).
PERMISSION_ADVICE = "screen.run"

Progress = Callable[[int, int], None]


def _check_threshold(threshold: float) -> float:
    if (isinstance(threshold, bool) or not isinstance(threshold, (int, float))
            or not (threshold > 0) or not math.isfinite(threshold)):
        raise InputError(f"threshold {threshold!r}; expected a positive LR", field="threshold",
                         value=threshold)
    return float(threshold)


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 12) + 0.0        # + 0.0: never -0.0


def advice_entry(advice: Any, *, threshold: float,
                 donors: Mapping[str, str] | None = None) -> dict[str, Any]:
    """One family of an advice-result@1 document from a
    :class:`homecoming.kinship.advice.Advice` (``donors``: person id -> donor id)."""
    donors = donors or {}
    log_t = math.log10(threshold)
    candidates = []
    for rank, c in enumerate(advice.candidates, start=1):
        candidates.append({
            "rank": rank,
            "person": c.candidate.person,
            "donor": donors.get(c.candidate.person),
            "relation": c.candidate.relation,
            "added": c.candidate.added,
            "lineages": list(c.candidate.lineages),
            "exclusion_power": _num(c.exclusion_power),
            "exclusion_power_gain": _num(c.exclusion_power_gain),
            "expected_log10_lr": _num(c.expected_log10_lr),
            "expected_log10_lr_gain": _num(c.expected_log10_lr_gain),
            "reaches_threshold": c.expected_log10_lr >= log_t,
        })
    return {
        "missing": advice.missing,
        "references": advice.references,
        "reference_donors": sorted(donors[p] for p in advice.references if p in donors),
        "exclusion_power": _num(advice.exclusion_power),
        "expected_log10_lr": _num(advice.expected_log10_lr),
        "reaches_threshold": advice.expected_log10_lr >= log_t,
        "per_marker": {m: {"exclusion_power": _num(ep),
                           "expected_log10_lr": _num(advice.per_marker_expected_log10_lr[m])}
                       for m, ep in advice.per_marker_exclusion_power.items()},
        "best_next_donor": candidates[0] if candidates else None,
        "candidates": candidates,
    }


def _document(families: list[dict[str, Any]], *, threshold: float, source: dict[str, Any],
              provenance: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"format": ADVICE_FORMAT, "threshold": threshold, "criterion": CRITERION,
            "source": source, **extra, "families": families, "provenance": provenance}


def case_advice(source: str | Path | Mapping[str, Any] | KinshipCase, *, missing: str,
                hypothesis: str | None = None, threshold: float = DEFAULT_THRESHOLD
                ) -> dict[str, Any]:
    """The advice-result@1 document of a kinship-case@1 file (module docstring).

    :raises HypothesisError: the hypothesis or the missing person is not in the case, or the
        missing person is typed.
    :raises InputError: a bad threshold.
    """
    from homecoming.kinship.advice import advise, family_of
    from homecoming.provenance import record

    threshold = _check_threshold(threshold)
    case = source if isinstance(source, KinshipCase) else load_kinship_case(source)
    chosen = case.hypothesis(hypothesis) if hypothesis is not None else case.hypotheses[0]
    pedigree = chosen.pedigree
    if missing not in pedigree:
        raise HypothesisError(f"missing person {missing!r} is not in hypothesis "
                              f"{chosen.name!r}; expected the id of its untyped missing person",
                              field="missing", value=missing)
    family = family_of(pedigree, missing)
    references = {pid: g for pid, g in case.genotypes.items()
                  if pid in family and pid != missing and g}
    if case.genotypes.get(missing):
        raise HypothesisError(f"missing person {missing!r} is typed in the case; expected an "
                              "untyped missing person", field="missing", value=missing)
    dropout = {pid: d for pid, d in (case.dropout or {}).items() if pid in references}
    advice = advise(pedigree, case.markers, references, missing, theta=case.theta,
                    founder_inbreeding=chosen.founder_inbreeding, dropout=dropout or None)
    from homecoming.services.lineage import annotate_advice

    return _document(
        [annotate_advice(advice_entry(advice, threshold=threshold))], threshold=threshold,
        source={"kind": "kinship-case", "hypothesis": chosen.name},
        provenance=record(parameters={"missing": missing, "hypothesis": chosen.name,
                                      "threshold": threshold},
                          input_sha256=case.sha256 or None, theta=case.theta,
                          dropout=dropout or None, seed=None,
                          mutation_model="per marker, as in the case file"))


# --- the stored case ---------------------------------------------------------------------

def _stored(db: Any, actor: str | None) -> tuple[list[Any], list[Any]]:
    from homecoming.services._common import _authorize
    from homecoming.services.case_identification import load_stored_case

    with db.session() as session:
        _authorize(session, PERMISSION_ADVICE, actor)
        return load_stored_case(session)


def _markers(victims: Sequence[Any], families: Sequence[Any], frequencies: str | None,
             mutation: Any) -> tuple[list[Any], Any, Any]:
    from homecoming.identification.screening import default_mutation
    from homecoming.services.screening import DEFAULT_FREQUENCIES, markers_from_frequencies

    profiles = [v.genotypes for v in victims] + [g for f in families
                                                 for g in f.profiles.values()]
    markers, fdb = markers_from_frequencies(frequencies or DEFAULT_FREQUENCIES, profiles)
    spec = default_mutation() if isinstance(mutation, str) and mutation == "default" else mutation
    markers = [dataclasses.replace(m, mutation_female=spec, mutation_male=spec)
               for m in markers]
    return markers, fdb, spec


def _family_entry(family: Any, markers: Sequence[Any], threshold: float, *,
                  only_below: bool = False,
                  lineage_donors: tuple[set[str], set[str]] | None = None) -> dict[str, Any]:
    """The family's entry; with ``only_below`` the candidates are not scored when the current
    references reach the threshold (their ``candidates`` list is then empty).
    ``lineage_donors``: donors with a stored (Y-STR, mtDNA) haplotype, for what to ask each
    candidate for (:func:`homecoming.services.lineage.annotate_advice`)."""
    from homecoming.kinship.advice import advise
    from homecoming.services.case_identification import family_pedigree

    pedigree, placed = family_pedigree(family.missing, family.donors)
    names = {m.name for m in markers}
    genotypes = {placed[d.id]: {m: g for m, g in family.profiles[d.id].items() if m in names}
                 for d in family.donors if d.id in family.profiles and d.id in placed}
    advice = None
    if only_below:
        current = advise(pedigree, markers, genotypes, family.missing.id, candidates=[])
        if current.expected_log10_lr >= math.log10(threshold):
            advice = current
    if advice is None:
        advice = advise(pedigree, markers, genotypes, family.missing.id)
    entry = advice_entry(advice, threshold=threshold,
                         donors={pid: did for did, pid in placed.items()})
    entry["donors_not_placed"] = sorted(d.id for d in family.donors if d.id not in placed)
    from homecoming.services.lineage import annotate_advice, lineage_requests, lines_typed

    y_typed, mt_typed = lines_typed(family, *(lineage_donors or (set(), set())))
    annotate_advice(entry, y_typed=y_typed, mt_typed=mt_typed)
    entry["lineage_requests"] = lineage_requests(family, *(lineage_donors or (set(), set())))
    return entry


def _provenance(fdb: Any, spec: Any, threshold: float, **params: Any) -> dict[str, Any]:
    from homecoming.provenance import record

    mutation = None if spec is None else {k: getattr(spec, k) for k in
                                          ("model", "rate", "rate2", "range")}
    return record(parameters={"threshold": threshold, **params}, frequency_database=fdb,
                  mutation_model=mutation, theta=0.0, dropout=None, seed=None)


def family_advice(db: Any, missing_id: str, *, threshold: float = DEFAULT_THRESHOLD,
                  frequencies: str | None = None, mutation: Any = "default",
                  actor: str | None = None) -> dict[str, Any]:
    """The advice-result@1 document for one stored family (module docstring).

    :raises InputError: no missing person ``missing_id`` is stored, or a bad threshold.
    :raises PermissionDenied: the actor may not ``screen.run``.
    """
    threshold = _check_threshold(threshold)
    victims, families = _stored(db, actor)
    family = next((f for f in families if f.missing.id == missing_id), None)
    if family is None:
        raise InputError(f"database {db.masked_url}: no missing person {missing_id!r}; expected "
                         "the id of a stored missing person (homecoming list missing-persons)",
                         field="missing", value=missing_id)
    markers, fdb, spec = _markers(victims, families, frequencies, mutation)
    from homecoming.services.lineage import typed_lineage_donors

    entry = _family_entry(family, markers, threshold, lineage_donors=typed_lineage_donors(db))
    return _document([entry], threshold=threshold,
                     source={"kind": "stored case", "database": db.masked_url},
                     provenance=_provenance(fdb, spec, threshold, missing=missing_id),
                     markers=[m.name for m in markers])


def register_advice(db: Any, *, threshold: float = DEFAULT_THRESHOLD,
                    frequencies: str | None = None, mutation: Any = "default",
                    progress: Progress | None = None, actor: str | None = None
                    ) -> dict[str, Any]:
    """The worklist: every stored family whose references cannot reach ``threshold``
    (module docstring), each with its candidates best first; families in id order.

    :param progress: called with (families done, number of families).
    :raises InputError: no missing person is stored, or a bad threshold.
    """
    threshold = _check_threshold(threshold)
    victims, families = _stored(db, actor)
    if not families:
        raise InputError(f"database {db.masked_url}: no missing persons are stored; expected "
                         "missing persons with reference donors", field="missing_persons")
    markers, fdb, spec = _markers(victims, families, frequencies, mutation)
    below: list[dict[str, Any]] = []
    families = sorted(families, key=lambda f: f.missing.id)
    from homecoming.services.lineage import typed_lineage_donors

    lineage_donors = typed_lineage_donors(db)
    for done, family in enumerate(families, start=1):
        entry = _family_entry(family, markers, threshold, only_below=True,
                              lineage_donors=lineage_donors)
        if not entry["reaches_threshold"]:
            below.append(entry)
        if progress is not None:
            progress(done, len(families))
    return _document(below, threshold=threshold,
                     source={"kind": "stored case", "database": db.masked_url},
                     provenance=_provenance(fdb, spec, threshold, all=True),
                     markers=[m.name for m in markers], families_checked=len(families),
                     families_below_threshold=len(below))
