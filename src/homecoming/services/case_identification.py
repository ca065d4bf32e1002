"""Identify the stored case (and DVI datasets): casework records cut into parts and solved.

The identification engine (:func:`homecoming.identification.solve`) computes exact pedigree
likelihoods for every victim × missing-person pairing of the dataset it is given. For a case
the size of the demonstration (447 remains, 425 families) that is ~190,000 pedigree
likelihoods, so the case is cut first:

1. **Pairwise screening.** Every post-mortem profile is compared with every reference profile
   under the donor's recorded relationship (identity, parent–child, full or half sibling) with
   :class:`homecoming.kinship.pairwise.PairwiseModel` (exact two-person LRs, theta = 0, the
   markers' mutation models; with a drop-out probability ``d`` the post-mortem profile is an
   observation, P(obs | g) of the kinship engine, and the references are observed exactly).
   A victim is a candidate for a family
   when the sum of its log10 LRs against that family's donors reaches ``min_log10_lr``
   (default 2) or it is among the family's ``top`` best scores with a positive sum.
2. **Components.** Families and candidate victims are grouped into connected components
   (a victim that is a candidate for two families puts them in one component), and each
   component is solved jointly by :func:`~homecoming.identification.solve` (dvir's default
   thresholds; the posterior threshold with the prior 1/N of the whole case, N = number of
   missing persons).
3. **Scoring.** When a ground truth is given (the synthetic demonstration keeps one), each
   identification is checked against it.

Family pedigrees are rebuilt from the donor records (:func:`family_pedigree`): the donor's
``pedigree_id``, ``pedigree_father`` and ``pedigree_mother``, with the missing person under
their own id; donors without pedigree ids are placed by their ``relationship``.

:func:`load_stored_case` reads the records from the database and :func:`identify_stored_case`
runs the whole use case (``homecoming identify`` without a dataset, and the web application):
load, screen, solve, store the results as identification versions
(:mod:`homecoming.services.identifications`), and the JSON result
(``homecoming/case-identification@1``). :func:`identify_dataset` solves a dvi-dataset@1 file
or a Familias ``.fam`` file. :func:`identify_case` itself is pure (no database).

Drop-out (``dropout``, ``homecoming identify --dropout D``): one probability ``d`` for every
post-mortem profile (degraded remains lose alleles), the kinship engine's observation model
(each allele copy fails to show with probability ``d``; a homozygous call means "only this
allele seen"). It applies to the post-mortem side only — references are taken as good quality
and observed exactly — in every stage: the pairwise screening (``PairwiseModel(dropout_a=d)``),
the per-family genotype tables and the joint likelihoods of the solve
(:class:`homecoming.identification.tables.DropoutLikelihood`), the stored per-marker LRs and
the runner-ups; it is recorded in the model and the provenance. ``d = 0`` (or none) gives the
same numbers as without it. The incremental identification (``--only-new``) models it the same
way (:func:`homecoming.services.incremental.identify_incrementally`).

Limits: one family per missing person (a donor record names one missing person), so two
missing persons of one family are solved as two families that share their donors' profiles.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from homecoming.errors import InputError
from homecoming.genetics.markers import Marker
from homecoming.genetics.profiles import Genotype
from homecoming.identification.groups import groups_sharing
from homecoming.kinship.pairwise import RELATIONSHIPS, PairwiseModel
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

# a dataset file is solved by a light module of its own (``homecoming identify FILE`` does not
# import this one); re-exported here, where they were
from homecoming.services.dataset_identification import identify_dataset, load_dataset

if TYPE_CHECKING:  # the casework models (pydantic) cost ~0.25 s to import: a dataset file
    # needs none of them
    from homecoming.casework import (
        DnaProfile,
        Donor,
        Examination,
        MissingPerson,
        Relationship,
        Sample,
    )

__all__ = ["family_pedigree", "placed_donors", "pairwise_log10_lr", "CaseIdentification",
           "VictimData", "FamilyData", "case_from_records", "identify_case", "dvi_dataset_json",
           "CASE_FORMAT", "load_stored_case", "StoredCaseResult", "identify_stored_case",
           "load_dataset", "identify_dataset", "screen_candidates", "read_stored_case",
           "StoredCaseRows", "pairwise_model", "dropout_probability",
           "DROPOUT_APPLIES_TO"]

#: the JSON format of a stored-case identification result
CASE_FORMAT = "homecoming/case-identification@1"
PERMISSION_IDENTIFY = "identify.run"


# --- family pedigrees from donor records -------------------------------------------------

# by the value of casework.Relationship (not imported here: see TYPE_CHECKING above)
_PARENT = {"father": "father", "mother": "mother"}
_SIBLING = {"brother", "sister"}
_CHILD = {"son", "daughter"}
_MALE_REL = {"father", "son", "brother"}
_SPOUSE = "spouse"


def family_pedigree(missing: MissingPerson, donors: Sequence[Donor],
                    ) -> tuple[Pedigree, dict[str, str]]:
    """The pedigree of a missing person's family, rebuilt from the donor records.

    :returns: the pedigree (the missing person's id is ``missing.id``) and donor id -> person
        id in the pedigree. Donors whose relationship cannot be placed (grandparents, cousins,
        … without pedigree ids) are left out of the mapping.
    """
    mp = missing.id
    persons: dict[str, dict[str, Any]] = {}
    placed: dict[str, str] = {}

    def person(pid: str, sex: Sex = Sex.UNKNOWN) -> dict[str, Any]:
        entry = persons.setdefault(pid, {"father": None, "mother": None, "sex": Sex.UNKNOWN})
        if sex is not Sex.UNKNOWN:
            entry["sex"] = sex
        return entry

    person(mp, missing.sex)
    mp_parents: dict[str, str | None] = {"father": None, "mother": None}
    explicit = [d for d in donors if d.pedigree_id]
    for d in explicit:
        rel = d.relationship.value
        entry = person(d.pedigree_id, d.sex)
        entry["father"], entry["mother"] = d.pedigree_father, d.pedigree_mother
        placed[d.id] = d.pedigree_id
        if rel in _PARENT:
            mp_parents[_PARENT[rel]] = d.pedigree_id
        elif rel in _SIBLING:
            mp_parents["father"] = mp_parents["father"] or d.pedigree_father
            mp_parents["mother"] = mp_parents["mother"] or d.pedigree_mother
    for d in donors:
        if d.pedigree_id:
            continue
        pid = d.id
        rel = d.relationship.value
        sex = d.sex if d.sex is not Sex.UNKNOWN else (
            Sex.MALE if rel in _MALE_REL else Sex.FEMALE
            if rel in _PARENT or rel in _SIBLING | _CHILD else Sex.UNKNOWN)
        if rel in _PARENT:
            person(pid, sex)
            mp_parents[_PARENT[rel]] = pid
        elif rel in _SIBLING:
            mp_parents["father"] = mp_parents["father"] or f"{mp}:father"
            mp_parents["mother"] = mp_parents["mother"] or f"{mp}:mother"
            entry = person(pid, sex)
            entry["father"], entry["mother"] = mp_parents["father"], mp_parents["mother"]
        elif rel in _CHILD:
            # the other parent: a typed spouse without pedigree ids, else an untyped partner
            spouse = next((x.id for x in donors if x.relationship.value == _SPOUSE
                           and not x.pedigree_id), None)
            other = spouse or f"{mp}:partner"
            entry = person(pid, sex)
            if missing.sex is Sex.FEMALE:
                entry["father"], entry["mother"] = other, mp
            else:
                entry["father"], entry["mother"] = mp, other
        elif rel == _SPOUSE:
            person(pid, sex)
        else:
            continue
        placed[d.id] = pid
    if mp_parents["father"] or mp_parents["mother"]:
        persons[mp]["father"] = mp_parents["father"] or f"{mp}:father"
        persons[mp]["mother"] = mp_parents["mother"] or f"{mp}:mother"
    # every referenced parent exists; a parent's sex follows its role
    for pid, entry in list(persons.items()):
        if (entry["father"] is None) != (entry["mother"] is None):
            entry["father"] = entry["father"] or f"{pid}:father"
            entry["mother"] = entry["mother"] or f"{pid}:mother"
        for role, sex in (("father", Sex.MALE), ("mother", Sex.FEMALE)):
            parent = entry[role]
            if parent is not None:
                p = person(parent)
                if p["sex"] is Sex.UNKNOWN:
                    p["sex"] = sex
    ped = Pedigree(Person(pid, e["father"], e["mother"], e["sex"]) for pid, e in persons.items())
    return ped, placed


def placed_donors(missing: MissingPerson, donors: Sequence[Donor]) -> set[str]:
    """The donors :func:`family_pedigree` places in the pedigree (the keys of its second
    value), without building the pedigree: a donor with a pedigree id, or a parent,
    sibling, child or spouse of the missing person."""
    return {d.id for d in donors if d.pedigree_id or d.relationship.value in _PARENT
            or d.relationship.value in _SIBLING or d.relationship.value in _CHILD
            or d.relationship.value == _SPOUSE}


# --- pairwise screening ------------------------------------------------------------------

#: PairwiseModel per (relationship, markers): building one takes ~0.3-1 s (its LR tables), and
#: one run builds the same models for the screening and for the runner-ups
_MODELS: dict[tuple[Any, ...], PairwiseModel] = {}


def pairwise_model(markers: Sequence[Marker], relationship: str, dropout: float = 0.0
                   ) -> PairwiseModel:
    """A :class:`~homecoming.kinship.pairwise.PairwiseModel` of ``relationship`` over
    ``markers`` (θ = 0), shared by the calls of this process with equal markers.
    ``dropout``: drop-out probability of the post-mortem side (``codes_a``)."""
    key = (relationship, float(dropout or 0.0), tuple((m.name, tuple(m.alleles),
                                np.asarray(m.frequencies, dtype=float).tobytes(), m.chromosome,
                                m.mutation_female, m.mutation_male, m.silent_frequency)
                               for m in markers))
    model = _MODELS.get(key)
    if model is None:
        if len(_MODELS) >= 16:
            _MODELS.clear()
        model = _MODELS[key] = (PairwiseModel(markers, relationship, dropout_a=dropout)
                                if dropout else PairwiseModel(markers, relationship))
    return model


def pairwise_log10_lr(markers: Sequence[Marker], a: Sequence[Mapping[str, Genotype]],
                      b: Sequence[Mapping[str, Genotype]], relationships: Sequence[str],
                      dropout: float = 0.0) -> np.ndarray:
    """log10 LR (related as ``relationships[j]`` vs unrelated) of every a[i] with b[j].

    A thin wrapper over :class:`homecoming.kinship.pairwise.PairwiseModel` (one model per
    relationship; the markers' mutation models apply, theta = 0): summed over loci typed in
    both profiles; alleles missing from the frequency table count as untyped. ``dropout``:
    drop-out probability of the profiles ``a`` (post-mortem), ``b`` observed exactly.
    """
    for rel in relationships:
        if rel not in RELATIONSHIPS:
            raise InputError(f"relationship {rel!r}; expected one of {', '.join(RELATIONSHIPS)}",
                             field="relationship", value=rel)
    total = np.zeros((len(a), len(b)))
    rels = np.asarray(relationships, dtype=object)
    models: dict[str, PairwiseModel] = {}
    codes_a = None
    for rel in dict.fromkeys(relationships):
        model = models.setdefault(rel, pairwise_model(markers, rel, dropout))
        if codes_a is None:
            codes_a = model.encode(a, unknown="untyped")
        cols = np.flatnonzero(rels == rel)
        codes_b = model.encode([b[j] for j in cols], unknown="untyped")
        total[:, cols] = model.log_lr(codes_a, codes_b) / np.log(10.0)
    return total


# --- the screening of the stored case, in blocks of victims ------------------------------------

def _screen_block(start: int, vic_codes: np.ndarray, layers: Sequence[Any], n_fam: int,
                  extra: Sequence[tuple[int, int, float]], min_log10_lr: float,
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The entries of one block of victims (rows ``start`` ...) that can make a candidate:
    (victim index, family index, log10 score) where the score reaches ``min_log10_lr`` or is
    positive and finite. ``layers``: per relationship (model, reference codes, [(reference
    positions, their families)] with each family at most once per layer); scores summed in
    the order relationship, then reference in case order (the order of ``np.add.at``)."""
    scores = np.zeros((len(vic_codes), n_fam))
    for model, ref_codes, parts in layers:
        pair = model.log_lr(vic_codes, ref_codes) / np.log(10.0)
        for positions, owners in parts:
            scores[:, owners] += pair[:, positions]
        del pair
    for v, k, x in extra:
        scores[v - start, k] += x
    with np.errstate(invalid="ignore"):
        mask = (scores >= min_log10_lr) | (np.isfinite(scores) & (scores > 0))
    rows, cols = np.nonzero(mask)
    return rows + start, cols, scores[rows, cols]


def screen_candidates(markers: Sequence[Marker], victims: Sequence[VictimData],
                      refs: Sequence[tuple[str, int, Mapping[str, Genotype]]], n_fam: int, *,
                      extra: Mapping[tuple[int, int], float] | None = None,
                      min_log10_lr: float = 2.0, top: int = 2, block: int = 256,
                      executor: Any = None, dropout: float = 0.0) -> dict[int, set[int]]:
    """Candidate victims per family (index -> victim indices) of the pairwise screening.

    ``refs``: (relationship, family index, profile) of every reference in case order; a
    family's score is the sum of its references' log10 LRs (plus ``extra[(victim, family)]``,
    the lineage markers'). A victim is a candidate for a family when the score reaches
    ``min_log10_lr`` or is among the family's ``top`` positive finite scores (ties: the
    lower victim index first). The victims are screened in blocks of ``block`` and only the
    entries that can make a candidate are kept, so memory stays at a few blocks whatever the
    size of the case (10^4 victims x 10^5 families would be 8 GB as one matrix).
    ``executor``: a ``distributed.Client``; the blocks then run as its tasks. ``dropout``:
    drop-out probability of the victims' profiles (the references are observed exactly).
    """
    if not victims:
        return {}
    rel_order = list(dict.fromkeys(r for r, _, _ in refs))
    models = {rel: pairwise_model(markers, rel, dropout) for rel in rel_order}
    encoder = models[rel_order[0]] if rel_order else pairwise_model(markers, "direct", dropout)
    vic_codes = encoder.encode([v.genotypes for v in victims], unknown="untyped")
    layers = []
    for rel in rel_order:
        mine = [(k, p) for r, k, p in refs if r == rel]
        owners = np.asarray([k for k, _ in mine], dtype=np.intp)
        seen: dict[int, int] = {}
        depth = np.empty(len(owners), dtype=np.intp)
        for i, k in enumerate(owners.tolist()):
            depth[i] = seen.get(k, 0)
            seen[k] = depth[i] + 1
        parts = []
        for d in range(int(depth.max()) + 1 if len(depth) else 0):
            positions = np.flatnonzero(depth == d)
            parts.append((positions, owners[positions]))
        layers.append((models[rel], encoder.encode([p for _, p in mine], unknown="untyped"),
                       parts))
    by_block: dict[int, list[tuple[int, int, float]]] = {}
    for (v, k), x in (extra or {}).items():
        by_block.setdefault(v // block, []).append((v, k, x))
    starts = range(0, len(victims), block)
    if executor is None:
        found = [_screen_block(a, vic_codes[a:a + block], layers, n_fam,
                               by_block.get(a // block, []), min_log10_lr) for a in starts]
    else:
        shared = executor.scatter(layers, broadcast=True)
        futures = [executor.submit(_screen_block, a, vic_codes[a:a + block], shared, n_fam,
                                   by_block.get(a // block, []), min_log10_lr, pure=False)
                   for a in starts]
        found = executor.gather(futures)
    vid = np.concatenate([f[0] for f in found])
    fam = np.concatenate([f[1] for f in found])
    val = np.concatenate([f[2] for f in found])
    candidates: dict[int, set[int]] = {}
    for v, k in zip(vid[val >= min_log10_lr].tolist(), fam[val >= min_log10_lr].tolist(),
                    strict=True):
        candidates.setdefault(k, set()).add(v)
    positive = np.isfinite(val) & (val > 0)
    pv, pf, px = vid[positive], fam[positive], val[positive]
    order = np.lexsort((pv, -px, pf))      # by family, best score first, lower victim first
    sf = pf[order]
    first = np.r_[True, sf[1:] != sf[:-1]] if len(sf) else np.zeros(0, dtype=bool)
    group_start = np.maximum.accumulate(np.where(first, np.arange(len(sf)), 0))
    keep = order[np.arange(len(sf)) - group_start < top]
    for v, k in zip(pv[keep].tolist(), pf[keep].tolist(), strict=True):
        candidates.setdefault(k, set()).add(v)
    return {k: candidates[k] for k in sorted(candidates)}    # in family order


# --- identification ----------------------------------------------------------------------

@dataclass
class CaseIdentification:
    """What identification found in a case (and, with a ground truth, how well)."""

    victims: int
    families: int
    candidate_pairs: int
    components: int
    identified: dict[str, str] = field(default_factory=dict)     # missing id -> victim id
    conclusions: dict[str, str] = field(default_factory=dict)    # missing id -> conclusion
    #: missing id -> {"victim", "lr", "glr", "conclusion", "comment"} from the joint solution
    details: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the thresholds the conclusions used (IdentificationConfig as recorded by solve)
    thresholds: dict[str, Any] = field(default_factory=dict)
    correct: int | None = None
    wrong: int | None = None
    identifiable: int | None = None     # true pairs the data could identify (both typed)
    warnings: list[str] = field(default_factory=list)
    #: per solved component (1, 2, ...): its missing persons, remains and the solver's
    #: provenance record (``details[missing]["component"]`` names the component)
    components_provenance: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "victims": self.victims, "families": self.families,
            "candidate_pairs": self.candidate_pairs, "components": self.components,
            "identified": len(self.identified),
        }
        counts: dict[str, int] = {}
        for c in self.conclusions.values():
            counts[c] = counts.get(c, 0) + 1
        out["conclusions"] = dict(sorted(counts.items()))
        if self.correct is not None:
            out.update(correct=self.correct, wrong=self.wrong, identifiable=self.identifiable)
        return out


@dataclass(frozen=True)
class VictimData:
    """A post-mortem profile: remains code, sex from the examination, genotypes."""

    id: str
    sex: Sex
    genotypes: Mapping[str, Genotype]
    age_range: tuple[float, float] | None = None


@dataclass(frozen=True)
class FamilyData:
    """A missing person with their donors and the donors' profiles (donor id -> genotypes)."""

    missing: MissingPerson
    donors: tuple[Donor, ...]
    profiles: Mapping[str, Mapping[str, Genotype]]


def identify_case(markers: Sequence[Marker], victims: Sequence[VictimData],
                  families: Sequence[FamilyData], *, truth: Mapping[str, str | None] | None = None,
                  min_log10_lr: float = 2.0, top: int = 2, block: int = 256,
                  progress: Callable[[int, int], None] | None = None,
                  config: Any = None, theta: float = 0.0,
                  stage_progress: Callable[[str, int, int], None] | None = None,
                  lineage: Mapping[tuple[str, str], float | None] | None = None,
                  executor: Any = None, dropout: float = 0.0) -> CaseIdentification:
    """Screen, group into components and solve each with the identification engine.

    Genotypes at loci without a marker (absent from the frequency table) are left out.
    ``theta``: Balding–Nichols θ of the exact solve (the pairwise screening uses θ = 0).

    :param truth: victim id -> the missing person id it really is (or None); when given, the
        result counts correct and wrong identifications.
    :param block: victims screened at once (bounds memory).
    :param progress: called with (components solved so far, number of components).
    :param stage_progress: passed to every component's
        :func:`~homecoming.identification.solve` (``(stage, done, total)``; each component
        starts its stages again).
    :param config: an :class:`~homecoming.identification.IdentificationConfig` (thresholds);
        its ``prior_missing`` defaults to the number of missing persons of the whole case.
    :param lineage: (victim id, missing person id) -> the lineage-marker LR (Y-STR x mtDNA,
        :func:`homecoming.services.lineage.lineage_matches`); it adds to the screening score
        and multiplies into the pairing's LR in the solve (``MissingInfo.lineage_lr``).
    :param executor: a ``distributed.Client`` (:mod:`homecoming.distributed`): the screening
        blocks and the groups' solves run as its tasks, the groups in batches of
        :func:`group_batch_size` consecutive groups (same results).
    :param dropout: drop-out probability of every post-mortem profile (module doc), in the
        screening and in the solve; the references are observed exactly. 0: none.
    """
    import dataclasses

    from homecoming.identification import DviDataset, Family, IdentificationConfig, Victim, solve
    from homecoming.identification.dataset import MissingInfo

    warnings: list[str] = []
    by_marker = {m.name for m in markers}
    refs: list[tuple[str, int, Mapping[str, Genotype]]] = []
    typed_family: list[bool] = []
    for k, fam in enumerate(families):
        placed = placed_donors(fam.missing, fam.donors) if fam.profiles else set()
        typed = False
        for donor in fam.donors:
            if donor.id in fam.profiles and donor.id in placed:
                typed = True
                rel = donor.relationship.pairwise
                if rel is not None:
                    refs.append((rel, k, fam.profiles[donor.id]))
        typed_family.append(typed)

    def family_of(k: int) -> tuple[str, Pedigree, dict[str, dict[str, Genotype]]]:
        """(missing id, pedigree, typed person -> genotypes) of family ``k``."""
        fam = families[k]
        ped, placed = family_pedigree(fam.missing, fam.donors)
        genotypes = {placed[d.id]: {m: g for m, g in fam.profiles[d.id].items()
                                    if m in by_marker}
                     for d in fam.donors if d.id in fam.profiles and d.id in placed}
        return fam.missing.id, ped, genotypes

    n_fam = len(families)
    lineage_of: dict[str, dict[str, float]] = {}   # missing id -> victim id -> lineage LR
    extra: dict[tuple[int, int], float] = {}       # (victim, family) -> lineage log10 LR
    if lineage:
        victim_index = {v.id: i for i, v in enumerate(victims)}
        family_index = {fam.missing.id: k for k, fam in enumerate(families)}
        for (vid, mid), value in lineage.items():
            if value is None or vid not in victim_index or mid not in family_index:
                continue
            lineage_of.setdefault(mid, {})[vid] = float(value)
            extra[victim_index[vid], family_index[mid]] = (
                math.log10(value) if value > 0 else -math.inf)
    candidates = screen_candidates(markers, victims, refs, n_fam, extra=extra,
                                   min_log10_lr=min_log10_lr, top=top, block=block,
                                   executor=executor, dropout=dropout)

    # connected components: families that share a candidate victim are solved together
    with_candidates = list(candidates)
    groups = {n: [with_candidates[i] for i in group] for n, group in
              enumerate(groups_sharing(candidates[k] for k in with_candidates))}

    result = CaseIdentification(victims=len(victims), families=n_fam,
                                candidate_pairs=sum(len(v) for v in candidates.values()),
                                components=len(groups), warnings=warnings)
    # the posterior threshold uses the prior 1/N of the whole case, not of one component
    config = config if config is not None else IdentificationConfig()
    if config.prior_missing is None:
        config = dataclasses.replace(config, prior_missing=max(n_fam, 1))
    result.thresholds = {**config.thresholds(config.prior_missing),
                         "screening_min_log10_lr": min_log10_lr, "screening_top": top}
    fams = {k: family_of(k) for ks in groups.values() for k in ks}

    def dataset_of(ks: Sequence[int]) -> tuple[list[int], Any]:
        vids = sorted({v for k in ks for v in candidates[k]})
        ds_victims = [Victim(victims[v].id, victims[v].sex,
                             {m: g for m, g in victims[v].genotypes.items() if m in by_marker},
                             age_range=victims[v].age_range) for v in vids]
        ds_families = [Family(f"FAM:{fams[k][0]}", fams[k][1], (fams[k][0],), fams[k][2],
                              missing_info={fams[k][0]: MissingInfo(lineage_lr={
                                  v: x for v, x in lineage_of[fams[k][0]].items()
                                  if v in {victims[i].id for i in vids}})}
                              if fams[k][0] in lineage_of else {})
                       for k in ks]
        return vids, DviDataset(markers, ds_victims, ds_families, theta=theta)

    solve_kw: dict[str, Any] = {}
    if dropout:    # the victims' observations: placed on a missing person or alone
        from homecoming.identification.solver import VICTIM_NODE
        from homecoming.identification.tables import DropoutLikelihood

        solve_kw["loglik"] = DropoutLikelihood(
            dropout, [fam.missing.id for fam in families] + [VICTIM_NODE])
    # on an executor the groups go in batches of consecutive groups, one task each (about
    # GROUP_TASKS_PER_THREAD per worker thread): one task per group cost more in
    # serialisation, scheduling and round trips than the solve of a typical small group
    # (benchmarks/README.md, issue 15); results are taken in group order
    group_vids: list[list[int]] = []
    futures: list[Any] = []
    per_task = 1
    if executor is not None:
        keys = list(groups.values())
        per_task = group_batch_size(len(keys), _worker_threads(executor))
        for a in range(0, len(keys), per_task):
            made = [dataset_of(ks) for ks in keys[a:a + per_task]]
            group_vids.extend(vids for vids, _ in made)
            futures.append(executor.submit(_solve_groups, [ds for _, ds in made], config,
                                           solve_kw, pure=False))
    batch: list[GroupSolution] = []
    solved: Any     # a GroupSolution from a task, a DviResult in this process
    for done, ks in enumerate(groups.values(), start=1):
        if executor is not None:
            b, i = divmod(done - 1, per_task)
            if i == 0:
                batch = futures[b].result()
                futures[b] = None       # its results are released on the workers
            vids, solved = group_vids[done - 1], batch[i]
        else:
            vids, dataset = dataset_of(ks)
            solved = solve(dataset, config=config, stage_progress=stage_progress, **solve_kw)
        result.components_provenance.append({
            "component": done, "missing_persons": [fams[k][0] for k in ks],
            "remains": [victims[v].id for v in vids], "provenance": solved.provenance,
            **({"dropout": dropout} if dropout else {})})
        record_group(result, solved, done)
        if progress is not None:
            progress(done, len(groups))
    for k in range(n_fam):
        if families[k].missing.id not in result.details:
            record_unscreened(result, families[k].missing.id, typed=typed_family[k])

    if truth is not None:
        result.correct = sum(1 for mp, v in result.identified.items() if truth.get(v) == mp)
        result.wrong = len(result.identified) - result.correct
        typed_victims = {v.id for v in victims if v.genotypes}
        typed_families = {families[k].missing.id for k in range(n_fam) if typed_family[k]}
        result.identifiable = sum(1 for v, mp in truth.items()
                                  if mp is not None and v in typed_victims and mp in typed_families)
    return result


#: tasks per worker thread for the groups' solves on an executor (:func:`group_batch_size`)
GROUP_TASKS_PER_THREAD = 8


def group_batch_size(groups: int, threads: int) -> int:
    """Groups solved by one task on an executor of ``threads`` worker threads: about
    :data:`GROUP_TASKS_PER_THREAD` tasks per thread (at least one group a task)."""
    return max(1, -(-groups // (GROUP_TASKS_PER_THREAD * max(threads, 1))))


def _worker_threads(executor: Any) -> int:
    """Worker threads of a ``distributed.Client`` (1 when it does not say)."""
    nthreads = getattr(executor, "nthreads", None)
    counts = nthreads() if callable(nthreads) else None
    return max(1, sum(counts.values())) if isinstance(counts, Mapping) else 1


@dataclass(frozen=True)
class GroupSolution:
    """What :func:`identify_case` keeps of one group's solve (a task's result travels back
    small): the missing persons' conclusions and the solver's provenance record."""

    missing_conclusions: list[Any]
    provenance: dict[str, Any]


def _solve_groups(datasets: Sequence[Any], config: Any, solve_kw: Mapping[str, Any]
                  ) -> list[GroupSolution]:
    """One task of :func:`identify_case` on an executor: solve each group's dataset."""
    from homecoming.identification import solve

    out = []
    for ds in datasets:
        solved = solve(ds, config=config, **solve_kw)
        out.append(GroupSolution(list(solved.missing_conclusions), solved.provenance))
    return out


def record_group(result: CaseIdentification, solved: Any, component: int) -> None:
    """Record the conclusions of one solved group (component ``component``) in ``result``."""
    for c in solved.missing_conclusions:
        result.conclusions[c.missing] = str(c.conclusion)
        result.details[c.missing] = {"victim": c.victim, "lr": c.lr, "glr": c.glr,
                                     "posterior": c.posterior, "conclusion": str(c.conclusion),
                                     "comment": c.comment, "component": component}
        if c.conclusion.identified and c.victim is not None:
            result.identified[c.missing] = c.victim


def record_unscreened(result: CaseIdentification, missing: str, *, typed: bool) -> None:
    """Record a missing person for whom no remains passed the screening (``typed``: the
    family has a typed relative)."""
    conclusion = "no match" if typed else "non-identifiable"
    result.conclusions[missing] = conclusion
    result.details[missing] = {
        "victim": None, "lr": None, "glr": None, "posterior": None, "conclusion": conclusion,
        "comment": "no remains passed the pairwise screening for this family"
        if typed else "no typed relative"}


def case_from_records(*, examinations: Sequence[Examination], samples: Sequence[Sample],
                      profiles: Sequence[DnaProfile], missing_persons: Sequence[MissingPerson],
                      donors: Sequence[Donor]) -> tuple[list[VictimData], list[FamilyData]]:
    """Victims and families of a case from its casework records (as stored).

    A victim is a set of remains with a typed post-mortem sample (sex and age range from its
    examination, if any); a family is a missing person with their donors and the profiles of
    the donors' samples. Genotypes never leave this function other than in the returned values.
    """
    genotypes = {p.sample_barcode: dict(p.genotypes) for p in profiles}
    exams = {e.remains_code: e for e in examinations}
    victims: list[VictimData] = []
    seen: set[str] = set()
    donor_profiles: dict[str, dict[str, Genotype]] = {}
    for s in samples:
        if s.barcode not in genotypes:
            continue
        if s.remains_code is not None and s.remains_code not in seen:
            seen.add(s.remains_code)
            exam = exams.get(s.remains_code)
            age = (exam.age.minimum, exam.age.maximum) if exam and exam.age else None
            victims.append(VictimData(s.remains_code, exam.sex if exam else Sex.UNKNOWN,
                                      genotypes[s.barcode], age))
        elif s.donor_id is not None:
            donor_profiles.setdefault(s.donor_id, genotypes[s.barcode])
    by_mp: dict[str, list[Donor]] = {}
    for d in donors:
        by_mp.setdefault(d.missing_person_id, []).append(d)
    families = [FamilyData(mp, tuple(by_mp.get(mp.id, ())),
                           {d.id: donor_profiles[d.id] for d in by_mp.get(mp.id, ())
                            if d.id in donor_profiles})
                for mp in missing_persons]
    return victims, families


def dvi_dataset_json(markers: Sequence[Marker], victims: Sequence[VictimData],
                     families: Sequence[FamilyData], *, theta: float = 0.0) -> dict[str, Any]:
    """A ``homecoming/dvi-dataset@1`` JSON object of a case (what ``homecoming identify``
    reads): markers with frequencies, victims, one family per missing person."""
    def person(p: Person) -> dict[str, Any]:
        return {"id": p.id, "father": p.father, "mother": p.mother, "sex": p.sex.value}

    out_families = []
    for fam in families:
        ped, placed = family_pedigree(fam.missing, fam.donors)
        genotypes = {placed[d]: {m: list(g) for m, g in prof.items()}
                     for d, prof in fam.profiles.items() if d in placed}
        out_families.append({"name": f"FAM:{fam.missing.id}",
                             "pedigree": [person(p) for p in ped],
                             "missing": [fam.missing.id], "genotypes": genotypes})
    return {
        "format": "homecoming/dvi-dataset@1",
        "theta": theta,
        "markers": [{"name": m.name, "chromosome": m.chromosome, "alleles": list(m.alleles),
                     "frequencies": [float(f) for f in m.frequencies], "mutation": None}
                    for m in markers],
        "victims": [{"id": v.id, "sex": v.sex.value,
                     "genotypes": {m: list(g) for m, g in v.genotypes.items()},
                     **({"age_range": list(v.age_range)} if v.age_range else {})}
                    for v in victims],
        "families": out_families,
    }


# --- the use cases: the stored case, and a dataset file ------------------------------------

def load_stored_case(session: Any, *, key_prefix: str | None = None,
                     left_out: list[dict[str, str]] | None = None, validate: bool = True,
                     ) -> tuple[list[VictimData], list[FamilyData]]:
    """Victims and families of the case stored in the database (records whose key starts
    with ``key_prefix``, or all).

    Profiles the engines cannot use (of a donor whose consent withdrawal is in effect, or
    malformed: :func:`homecoming.services.consent.split_usable`) are left out and, when
    ``left_out`` is given, appended to it as ``{"record": barcode, "reason": ...}``.
    ``validate=False`` reads plain rows (:func:`read_stored_case`: the same victims and
    families, missing persons and donors with only the fields the engines read), many times
    faster on a large case."""
    from sqlalchemy import select

    if not validate:
        rows = read_stored_case(session, key_prefix=key_prefix)
        if left_out is not None:
            left_out.extend(rows.left_out)
        return rows.assemble()

    from homecoming.services.consent import split_usable, withdrawn_barcodes
    from homecoming.storage.repositories import Repositories

    repos = Repositories(session)

    def rows(repo: Any) -> list[Any]:
        key = repo.key_column
        query = select(repo.table).order_by(key)
        if key_prefix is not None:
            query = query.where(key.like(f"{key_prefix}%"))
        return [row._mapping for row in session.execute(query)]

    def records(repo: Any) -> list[Any]:
        if key_prefix is None:
            return list(repo.list())
        return [repo.from_row(row) for row in rows(repo)]

    raw = {str(r["sample_barcode"]): r for r in rows(repos.profiles)}
    kept, skipped = split_usable([(b, r["genotypes"]) for b, r in raw.items()],
                                 withdrawn=withdrawn_barcodes(session))
    profiles = []
    for barcode, _ in kept:
        try:
            profiles.append(repos.profiles.from_row(raw[barcode]))
        except Exception:  # a stored row the record model refuses: name it, carry on
            skipped.append({"record": barcode, "reason": "the stored profile record is not "
                            "valid (check it with homecoming show profiles)"})
    if left_out is not None:
        left_out.extend(sorted(skipped, key=lambda x: x["record"]))
    return case_from_records(
        examinations=records(repos.examinations), samples=records(repos.samples),
        profiles=profiles, missing_persons=records(repos.missing_persons),
        donors=records(repos.donors))


# --- the plain-row reader: the stored case without re-validating every record ---------------

@dataclass(frozen=True)
class MissingPersonRow:
    """The fields of a stored missing person the engines read (a stand-in for
    :class:`~homecoming.casework.MissingPerson` in :class:`FamilyData`)."""

    id: str
    sex: Sex = Sex.UNKNOWN


@dataclass(frozen=True)
class DonorRow:
    """The fields of a stored donor the engines read (a stand-in for
    :class:`~homecoming.casework.Donor` in :class:`FamilyData`; no name, no contact)."""

    id: str
    missing_person_id: str
    relationship: Relationship
    sex: Sex = Sex.UNKNOWN
    family_id: str | None = None
    pedigree_id: str | None = None
    pedigree_father: str | None = None
    pedigree_mother: str | None = None


@dataclass
class StoredCaseRows:
    """The stored case as plain rows (SQLAlchemy Core selects; no record validation: every
    row was validated when it was stored), from which :meth:`assemble` builds the victims and
    families exactly as :func:`case_from_records` builds them from validated records.

    ``samples``: (barcode, remains code, donor id) in bar-code order; ``genotypes``: bar-code
    -> {locus: alleles} of every usable profile; ``exams``: remains code -> (sex, age range);
    ``missing``: missing persons in id order; ``donors``: missing person id -> donors in id
    order (missing persons and donors carry only the fields the engines read: ids, sex,
    relationship and pedigree ids, no names); ``left_out``: profiles left out (consent
    withdrawn, malformed) as ``{"record", "reason"}``.
    """

    samples: list[tuple[str, str | None, str | None]]
    genotypes: dict[str, dict[str, Genotype]]
    exams: dict[str, tuple[Sex, tuple[float, float] | None]]
    missing: list[MissingPersonRow]
    donors: dict[str, list[DonorRow]]
    left_out: list[dict[str, str]] = field(default_factory=list)

    def assemble(self, *, exclude: frozenset[str] | set[str] = frozenset(),
                 ) -> tuple[list[VictimData], list[FamilyData]]:
        """(victims, families) without the profiles of the bar-codes in ``exclude``; the same
        rules and order as :func:`case_from_records`."""
        genotypes = self.genotypes
        victims: list[VictimData] = []
        seen: set[str] = set()
        donor_profiles: dict[str, dict[str, Genotype]] = {}
        for barcode, remains, donor in self.samples:
            if barcode not in genotypes or barcode in exclude:
                continue
            if remains is not None and remains not in seen:
                seen.add(remains)
                sex, age = self.exams.get(remains, (Sex.UNKNOWN, None))
                victims.append(VictimData(remains, sex, genotypes[barcode], age))
            elif donor is not None:
                donor_profiles.setdefault(donor, genotypes[barcode])
        families = []
        for mp in self.missing:
            ds = self.donors.get(mp.id, [])
            families.append(FamilyData(mp, tuple(ds),  # type: ignore[arg-type]
                                       {d.id: donor_profiles[d.id] for d in ds
                                        if d.id in donor_profiles}))
        return victims, families


def read_stored_case(session: Any, *, key_prefix: str | None = None) -> StoredCaseRows:
    """The stored case as :class:`StoredCaseRows` (records whose key starts with
    ``key_prefix``, or all): plain rows, no record validation, profiles checked for use by
    the engines (:func:`homecoming.services.consent.unusable_reason`, each distinct
    locus/alleles pair once) and left out when a donor's consent withdrawal is in effect."""
    from sqlalchemy import select

    from homecoming.services.consent import unusable_reason, withdrawn_barcodes
    from homecoming.storage import tables as t

    def keyed(query: Any, key: Any) -> Any:
        if key_prefix is not None:
            query = query.where(key.like(f"{key_prefix}%"))
        return query.order_by(key)

    withdrawn = withdrawn_barcodes(session)
    good: set[tuple[str, tuple[Any, ...]]] = set()
    genotypes: dict[str, dict[str, Genotype]] = {}
    left_out: list[dict[str, str]] = []
    p = t.profiles
    for barcode, raw in session.execute(keyed(select(p.c.sample_barcode, p.c.genotypes),
                                              p.c.sample_barcode)):
        barcode = str(barcode)
        why = withdrawn.get(barcode)
        if why is None:
            if isinstance(raw, dict) and raw and all(type(a) is list for a in raw.values()):
                items = [(locus, tuple(a)) for locus, a in raw.items()]
                # the checks are per locus: each distinct (locus, alleles) pair once
                for item in items:
                    if item not in good:
                        if unusable_reason({item[0]: list(item[1])}) is not None:
                            break
                        good.add(item)
                else:
                    genotypes[barcode] = dict(items)
                    continue
            why = unusable_reason(raw) or "not valid (check it with homecoming show profiles)"
        left_out.append({"record": barcode, "reason": why})
    s = t.samples
    samples = [(str(b), r, d) for b, r, d in session.execute(
        keyed(select(s.c.barcode, s.c.remains_code, s.c.donor_id), s.c.barcode))]
    e = t.examinations
    exams: dict[str, tuple[Sex, tuple[float, float] | None]] = {}
    for code, sex, age in session.execute(keyed(select(e.c.remains_code, e.c.sex, e.c.age),
                                                e.c.id)):
        # case_from_records keeps the last examination of a remains (a dict by remains code)
        exams[code] = (Sex(sex), (float(age["minimum"]), float(age["maximum"]))
                       if age else None)
    m = t.missing_persons
    sexes = {x.value: x for x in Sex}
    from homecoming.casework import Relationship

    relationships = {x.value: x for x in Relationship}
    missing = [MissingPersonRow(str(i), sexes[sx]) for i, sx in session.execute(
        keyed(select(m.c.id, m.c.sex), m.c.id))]
    dn = t.donors
    donors: dict[str, list[DonorRow]] = {}
    cols = (dn.c.id, dn.c.missing_person_id, dn.c.relationship, dn.c.sex, dn.c.family_id,
            dn.c.pedigree_id, dn.c.pedigree_father, dn.c.pedigree_mother)
    for i, mp, rel, sx, fam, pid, fa, mo in session.execute(keyed(select(*cols), dn.c.id)):
        donors.setdefault(mp, []).append(DonorRow(i, mp, relationships[rel], sexes[sx], fam,
                                                  pid, fa, mo))
    return StoredCaseRows(samples, genotypes, exams, missing, donors,
                          sorted(left_out, key=lambda x: x["record"]))


@dataclass
class StoredCaseResult:
    """What :func:`identify_stored_case` found: the pipeline's result, what it used, the JSON
    document (``homecoming/case-identification@1``) and the stored identification versions
    (None with ``store=False``)."""

    result: CaseIdentification
    markers: list[Marker]
    victims: list[VictimData]
    families: list[FamilyData]
    frequency_db: Any
    document: dict[str, Any]
    stored: Any = None

    def dataset_json(self) -> dict[str, Any]:
        """The case as ``homecoming/dvi-dataset@1`` (contains genotypes)."""
        return dvi_dataset_json(self.markers, self.victims, self.families)


def identify_stored_case(db: Any, *, config: Any = None, frequencies: str | None = None,
                         store: bool = True, progress: Callable[[int, int], None] | None = None,
                         actor: str | None = None, theta: float = 0.0,
                         mutation: Any = "default",
                         stage_progress: Callable[[str, int, int], None] | None = None,
                         dropout: float | None = None, executor: Any = None,
                         min_log10_lr: float = 2.0, top: int = 2) -> StoredCaseResult:
    """Identify the whole case stored in ``db``: load it, screen every remains against each
    family's typed relatives, solve each group of families and candidate remains exactly,
    and (unless ``store`` is false) keep the results as identification versions.

    :param config: an :class:`~homecoming.identification.IdentificationConfig`.
    :param frequencies: allele-frequency database (default ``nist1036_all``).
    :param progress: called with (groups solved, number of groups).
    :param stage_progress: the stages of each group's solve (see :func:`identify_case`).
    :param theta: Balding–Nichols θ of the exact solve and of the stored LRs.
    :param mutation: a :class:`~homecoming.genetics.markers.MutationSpec` for both sexes,
        ``None`` for no mutation, or ``"default"`` (stepwise, rate 0.002).
    :param dropout: a drop-out probability for the post-mortem profiles (module doc: the
        screening, the solve and the stored per-marker LRs model it; references exact);
        ``None`` or 0: none.
    :param executor: a ``distributed.Client``: the screening blocks and the groups' solves
        run on its workers (:func:`identify_case`; the same results).
    :param min_log10_lr, top: the screening's candidate rule (:func:`screen_candidates`).
        The defaults (10^2, top 2 positive) suit a case of hundreds to a few thousand
        remains; at 10^4 remains x 10^5 references chance scores join most families into one
        group (benchmarks/README.md): there use ``min_log10_lr`` >= log10(remains) + 1 and
        ``top=0`` (P(LR >= t | unrelated) <= 1/t, so each family then gets at most 0.1
        chance candidates on average). Checked by
        :func:`~homecoming.services.screening.check_screening_rule` (a finite ``min_log10_lr``
        above 0, a whole ``top`` >= 0).

    Loci typed but absent from the frequency table are left out and listed (warnings,
    ``loci_left_out`` and provenance). Remains whose post-mortem profile the elimination
    check flagged (possible staff contamination) are never concluded as an identification:
    their conclusion becomes ``inconclusive`` and says why.
    """
    import dataclasses

    from homecoming.identification.screening import default_mutation
    from homecoming.provenance import record
    from homecoming.services.screening import (
        DEFAULT_FREQUENCIES,
        check_screening_rule,
        distinct_genotypes,
        markers_from_genotypes,
    )

    drop = dropout_probability(dropout)
    min_log10_lr, top = check_screening_rule(min_log10_lr, top)
    with db.session() as session:
        if store:
            from homecoming.services._common import _authorize

            _authorize(session, PERMISSION_IDENTIFY, actor)
        profiles_left: list[dict[str, str]] = []
        victims, families = load_stored_case(session, left_out=profiles_left,
                                             validate=False)
        flagged = _flagged_remains(session)
        from homecoming.services.lineage import lineage_matches, load_lineage

        lineage = lineage_matches(victims, families, load_lineage(session))
    typed_victims = [v for v in victims if v.genotypes]
    if not families:
        raise InputError(f"database {db.masked_url}: no missing persons are stored; expected "
                         "missing persons with reference donors (homecoming import "
                         "missing-persons, donors, samples, profiles)", field="missing_persons")
    if not typed_victims:
        raise InputError(f"database {db.masked_url}: no remains have a typed sample; expected "
                         "post-mortem profiles (homecoming import profiles)", field="profiles")
    profiles = [v.genotypes for v in victims] + [g for f in families
                                                 for g in f.profiles.values()]
    markers, fdb, left_out = markers_from_genotypes(frequencies or DEFAULT_FREQUENCIES,
                                                    distinct_genotypes(profiles))
    spec = default_mutation() if isinstance(mutation, str) and mutation == "default" else mutation
    markers = [dataclasses.replace(m, mutation_female=spec, mutation_male=spec)
               for m in markers]
    result = identify_case(markers, victims, families, progress=progress, config=config,
                           theta=theta, stage_progress=stage_progress,
                           lineage={k: m.lr for k, m in lineage.items()}, executor=executor,
                           min_log10_lr=min_log10_lr, top=top,
                           dropout=drop)
    if left_out:
        result.warnings.append(f"loci not in frequency database {fdb.name} left out: "
                               f"{', '.join(left_out)}")
    for item in profiles_left:
        result.warnings.append(f"profile {item['record']} left out: {item['reason']}")
    _withhold_flagged(result, flagged)
    mutation_model = None if spec is None else {k: getattr(spec, k) for k in
                                                ("model", "rate", "rate2", "range")}
    prov = record(frequency_database=fdb, mutation_model=mutation_model, theta=theta,
                  dropout=drop or None, thresholds=result.thresholds, seed=None,
                  loci_left_out=left_out,
                  input_sha256=_case_digest(markers, victims, families))
    stored = None
    if store:
        from homecoming.services.identifications import store_case_identification

        with db.session() as session:
            stored = store_case_identification(
                session, result, markers=markers, victims=victims, families=families, fdb=fdb,
                mutation=spec, theta=theta, provenance=prov, actor=actor, lineage=lineage,
                **({"dropout": drop} if drop else {}))
    rows = [{"missing": m, **d} for m, d in sorted(result.details.items())]
    doc: dict[str, Any] = {
        "format": CASE_FORMAT, "database": db.masked_url,
        "frequencies": {"name": fdb.name, "sha256": fdb.sha256},
        "markers": [m.name for m in markers], "loci_left_out": left_out,
        "model": {"mutation": mutation_model, "theta": theta, "dropout": drop,
                  **({"dropout_applies_to": DROPOUT_APPLIES_TO} if drop else {})},
        "thresholds": result.thresholds, "profiles_left_out": profiles_left,
        "summary": result.summary(), "missing_persons": rows, "warnings": result.warnings,
        "provenance": prov, "components": result.components_provenance}
    if lineage:
        from homecoming.services.lineage import COMBINATION_NOTE, FREQUENCY_NOTE

        doc["lineage"] = {"combination": COMBINATION_NOTE, "frequency": FREQUENCY_NOTE,
                          "pairs": len(lineage)}
    if stored is not None:
        doc["stored"] = stored.to_dict()
    return StoredCaseResult(result, list(markers), victims, families, fdb, doc, stored)


#: what the stored-case drop-out probability applies to (the result's ``model``)
DROPOUT_APPLIES_TO = ("every post-mortem profile, each allele copy independently (the kinship "
                      "engine's model); reference profiles are observed exactly")


def dropout_probability(dropout: float | None) -> float:
    """The checked drop-out probability of the stored-case identification (0.0 for None).

    :raises InputError: ``dropout`` not a number in [0, 1).
    """
    if dropout is None:
        return 0.0
    try:
        value = float(dropout)
    except (TypeError, ValueError):
        raise InputError(f"dropout {dropout!r}; expected a probability in [0, 1)",
                         field="dropout", value=dropout) from None
    if not 0 <= value < 1:
        raise InputError(f"dropout {dropout!r}; expected a probability in [0, 1)",
                         field="dropout", value=dropout)
    return value


def _flagged_remains(session: Any) -> dict[str, list[str]]:
    """Remains code -> staff codes of the elimination flags on its post-mortem samples."""
    from homecoming.storage.repositories import Repositories, list_elimination_flags

    flags = list_elimination_flags(session)
    if not flags:
        return {}
    samples = Repositories(session).samples
    out: dict[str, list[str]] = {}
    for flag in flags:
        sample = samples.find(flag.pm_barcode)
        if sample is not None and sample.remains_code is not None:
            out.setdefault(sample.remains_code, []).append(flag.staff_code)
    return out


def _withhold_flagged(result: CaseIdentification, flagged: Mapping[str, list[str]]) -> None:
    """A flagged post-mortem profile is never concluded as an identification."""
    for mp, detail in result.details.items():
        victim = detail.get("victim")
        if victim in flagged and detail.get("conclusion") not in ("no match", "excluded"):
            staff = ", ".join(sorted(set(flagged[victim])))
            detail["conclusion"] = "inconclusive"
            detail["comment"] = (f"not concluded: the post-mortem profile of {victim} is flagged "
                                 f"by the elimination check (possible contamination; staff "
                                 f"code {staff}); re-sample or re-type first")
            result.conclusions[mp] = "inconclusive"
            result.identified.pop(mp, None)
            result.warnings.append(f"remains {victim}: flagged by the elimination check; "
                                   f"{mp} not concluded as an identification")


def _case_digest(markers: Sequence[Marker], victims: Sequence[VictimData],
                 families: Sequence[FamilyData]) -> str:
    """SHA-256 of the inputs of an identification of the stored case (the input hash of its
    provenance): the canonical compact JSON (sorted keys) of the markers (name, alleles,
    frequencies), then of the victims (id, sex, age range, genotypes) and of the families
    (missing person id and sex, each donor's id, relationship, sex and pedigree ids, the
    donors' genotypes) in case order, hashed in chunks. The pedigrees solved are a function
    of these (:func:`family_pedigree`), so they are not built for the hash."""
    import hashlib
    import json

    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str).encode
    digest = hashlib.sha256()
    digest.update(encode({"format": "homecoming/stored-case-input@1", "markers": [
        [m.name, list(m.alleles), [float(f) for f in m.frequencies]] for m in markers]})
        .encode())
    step = 2000
    for start in range(0, len(victims), step):
        digest.update(encode([[v.id, v.sex.value, v.age_range, v.genotypes]
                              for v in victims[start:start + step]]).encode())
    for start in range(0, len(families), step):
        digest.update(encode([
            [f.missing.id, f.missing.sex.value,
             [[d.id, d.relationship.value, d.sex.value, d.pedigree_id, d.pedigree_father,
               d.pedigree_mother] for d in f.donors], f.profiles]
            for f in families[start:start + step]]).encode())
    return digest.hexdigest()


def n_pairings(ds: Any) -> int:
    """Victim x missing-person pairings of a dataset (the size of its pairwise stage)."""
    return sum(len(f.missing) for f in ds.families) * len(ds.victims)
