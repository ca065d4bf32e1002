"""Solve a DVI dataset: pairwise LRs, exclusions, exact joint assignments, conclusions.

Pipeline (:func:`solve`):

1. **Pairwise stage.** For every victim V and missing person M of compatible sex:
   ``LR = P(family data, V's profile on M) / P(family data, V as an unrelated extra founder)``,
   the family's other missing persons untyped. With θ > 0 the denominator is one likelihood of
   the family pedigree plus V as a founder, so θ conditions jointly on all founder alleles
   (kinship-case convention); at θ = 0 it equals ``P(family) · P(V)`` and is computed so.
   The Mendelian inconsistencies are counted with every mutation model switched off: a marker is
   inconsistent when the pairing makes it impossible while the family alone is possible. A
   pairing with more than ``max_incompatible`` inconsistent markers is excluded (dvir's
   ``maxIncomp``, default 2).
2. **Joint stage.** Per family, every feasible sub-assignment (non-excluded, sex-consistent,
   injective) is scored with one likelihood of the family pedigree (cached); the search in
   :mod:`homecoming.identification.joint` then finds the exact best and top-k assignments and the
   exact flat-prior posterior where summation is feasible. Excluded pairings (and pairings
   with LR 0) never appear in an assignment. Victims without a usable marker and
   non-identifiable missing persons take no part in the joint stage: their pairings carry no
   information (LR 1) and would only multiply the number of equally likely assignments; the
   posterior is over the assignments of the others.
3. **Conclusions** (:mod:`homecoming.identification.conclusions`), dvir-style.

θ > 0 in the joint stage: the likelihood of "all the data" would condition all founders of all
families and all victims jointly, which does not factorise — and is not computable in general:
the engine's exact θ grows with the number of founder alleles conditioned together and refuses
a whole-dataset pedigree (planecrash: 26 founder alleles, 5.6·10⁸ evaluations). The joint stage
therefore uses **per-family θ**: each family (with the victims placed in it) and each unassigned
victim is θ-conditioned on its own. The result says so (``theta_approximation`` and a warning).
At θ = 0 everything is exact.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

import numpy as np

from homecoming import provenance as _provenance
from homecoming.errors import InputError
from homecoming.genetics.markers import Marker
from homecoming.identification import steps
from homecoming.identification.config import IdentificationConfig
from homecoming.identification.dataset import DviDataset, Family, MissingInfo, sexes_compatible
from homecoming.identification.decompose import BlockLikelihoods
from homecoming.identification.decompose import applies as decompose_applies
from homecoming.identification.evidence import pairing_evidence
from homecoming.identification.joint import (
    ComponentResult,
    Option,
    Twins,
    _solve_component,
    components,
    pairing_log_weight,
    with_twins,
)
from homecoming.identification.joint import search as _search
from homecoming.identification.results import (
    Assignment,
    DviResult,
    MissingConclusion,
    Pairing,
    VictimConclusion,
    exp_or_inf,
)
from homecoming.identification.tables import PairwiseScores, pairwise_by_tables
from homecoming.kinship._cache import BoundedCache
from homecoming.pedigree.pedigree import Pedigree, Person

LogLikelihood = Callable[..., np.ndarray]
#: stage_progress(stage, done, total)
StageProgress = Callable[[str, int, int], None]
#: The stages reported to ``stage_progress``, in order.
STAGES = ("pairwise", "options", "joint", "marginals", "conclusions")

#: id given to the victim when it is added to a pedigree as an unrelated founder / a singleton.
VICTIM_NODE = "__victim__"
#: Two log-likelihoods closer than this are treated as equal (symmetric solutions).
TIE_TOLERANCE = 1e-9


_exp = exp_or_inf


def _strip_mutation(markers: Sequence[Marker]) -> tuple[Marker, ...]:
    return tuple(dataclasses.replace(m, mutation_female=None, mutation_male=None)
                 if (m.mutation_female is not None or m.mutation_male is not None) else m
                 for m in markers)


def exchangeable_missing(fam: Family) -> list[tuple[str, ...]]:
    """Classes of a family's missing persons that are interchangeable in every likelihood:
    full siblings (same father and mother) of the same sex without children (methods §11.5;
    a missing person has no genotype of its own, :class:`Family` checks). Each class is sorted,
    of two or more persons; a sub-assignment and the one that permutes its victims within a
    class have the same likelihood."""
    ped = fam.pedigree
    groups: dict[tuple[str, str, object], list[str]] = {}
    for m in fam.missing:
        person = ped[m]
        if person.father is None or person.mother is None or ped.children(m):
            continue
        groups.setdefault((person.father, person.mother, person.sex), []).append(m)
    return [tuple(sorted(members)) for members in groups.values() if len(members) > 1]


#: Entries of the memo of :meth:`_Likelihoods.canonical` (~0.3 KB each); past it the oldest
#: are forgotten (:class:`~homecoming.kinship._cache.BoundedCache`).
CANONICAL_MEMO_MAX = 100_000


class _Likelihoods:
    """Cached engine calls on the dataset's used markers.

    Sub-assignments are cached under a canonical form: within each class of interchangeable
    missing persons (:func:`exchangeable_missing`) the victims go to the class's members in
    sorted order, so sub-assignments that differ only by such a permutation are computed once.
    """

    def __init__(self, dataset: DviDataset, loglik: LogLikelihood, theta: float) -> None:
        self.ds = dataset
        self.loglik = loglik
        self.theta = theta
        self.markers = dataset.markers
        self.nomut = _strip_mutation(self.markers)
        self.has_mutation = any(a is not b for a, b in zip(self.markers, self.nomut))
        names = {m.name for m in self.markers}
        self.victim_gt = {v.id: {m: g for m, g in v.genotypes.items() if m in names}
                          for v in dataset.victims}
        self.victim_sex = {v.id: v.sex for v in dataset.victims}
        self.family_gt = {f.name: {p: {m: g for m, g in gts.items() if m in names}
                                   for p, gts in f.genotypes.items()} for f in dataset.families}
        self._fam: dict[tuple[str, tuple[tuple[str, str], ...], bool], np.ndarray] = {}
        self._vic: dict[tuple[str, bool], np.ndarray] = {}
        self.calls = 0
        # the default engine at theta = 0 takes many sub-assignments of a family in one call
        # (log_likelihood_rows: independent rows, grouped by typed set inside the engine)
        self.batched = theta == 0.0 and loglik is _default_loglik()
        # the batched sub-assignments block by block (identification.decompose) where the
        # decomposition holds for every marker
        self.decomposable = self.batched and decompose_applies(self.markers)
        self._block_cache: dict[str, BlockLikelihoods] = {}
        self._classes = {f.name: exchangeable_missing(f) for f in dataset.families}
        self._canonical: BoundedCache[tuple[tuple[str, str], ...]] = BoundedCache(
            CANONICAL_MEMO_MAX)
        self._impossible: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        #: family -> allele indices kept distinct per marker (:meth:`family_many`)
        self._kept: dict[str, dict[str, frozenset[int]]] = {}

    def canonical(self, fam: Family, pairs: tuple[tuple[str, str], ...]
                  ) -> tuple[tuple[str, str], ...]:
        """The cache key of a sub-assignment: its pairs sorted, with the victims of each class
        of interchangeable missing persons given to the class's members in sorted order
        (memoised for families with such classes: the search asks for the same sub-assignments
        again and again, ~6 times each on dvir's ``icmp``)."""
        classes = self._classes.get(fam.name)
        if classes and pairs:
            key = (fam.name, pairs)
            hit = self._canonical.get(key)
            if hit is None:
                assigned = dict(pairs)
                for members in classes:
                    victims = sorted(assigned.pop(m) for m in members if m in assigned)
                    assigned.update(zip(members, victims))
                hit = self._canonical.put(key, tuple(sorted(assigned.items())))
            return hit
        return tuple(sorted(pairs))

    def _call(self, pedigree: Pedigree, genotypes: Mapping[str, Mapping[str, Any]],
              mutation: bool) -> np.ndarray:
        self.calls += 1
        markers = self.markers if mutation else self.nomut
        out = self.loglik(pedigree, markers, genotypes, theta=self.theta)
        return np.asarray(out, dtype=float)

    def family(self, fam: Family, pairs: tuple[tuple[str, str], ...], mutation: bool = True) -> np.ndarray:
        if not mutation and not self.has_mutation:
            mutation = True
        canonical = self.canonical(fam, pairs)
        key = (fam.name, canonical, mutation)
        hit = self._fam.get(key)
        if hit is None:
            gts = dict(self.family_gt[fam.name])
            for m, v in canonical:
                gts[m] = self.victim_gt[v]
            hit = self._call(fam.pedigree, gts, mutation)
            self._fam[key] = hit
        return hit

    def family_many(self, fam: Family, many: Sequence[tuple[tuple[str, str], ...]],
                    victims: Collection[str] = ()) -> None:
        """Compute (and cache) :meth:`family` with mutation for many sub-assignments at once.

        The same numbers as one :meth:`family` call each (each row of the engine is an
        independent problem; rows are batched by typed set and state count, so sums may
        differ in the last bits); counted as one call each. Only with the default engine at
        theta = 0 (:attr:`batched`); otherwise nothing is done here.

        ``victims``: every victim the family's sub-assignments may name. The first call that
        gives them fixes, per marker, the alleles the engine keeps distinct for this family
        (the family's and these victims'; ``log_likelihood_rows(kept=)``): its sub-assignments
        then share one state space per marker, and with it factor tables and plans. Exact for
        any set; a victim outside it only costs that sharing.
        """
        if not self.batched:
            return
        from homecoming.kinship._problem import check_inputs
        from homecoming.kinship.likelihood import (
            allele_indices,
            genotype_rows,
            log_likelihood_rows,
        )


        todo: dict[tuple[tuple[str, str], ...], None] = {}
        for pairs in many:
            key = self.canonical(fam, pairs)
            if (fam.name, key, True) not in self._fam:
                todo[key] = None
        if not todo:
            return
        if victims and fam.name not in self._kept:
            self._kept[fam.name] = allele_indices(
                self.markers, list(self.family_gt[fam.name].values())
                + [self.victim_gt[v] for v in victims])
        base = self.family_gt[fam.name]
        tables = []
        for key in todo:
            gts = dict(base)
            for m, v in key:
                gts[m] = self.victim_gt[v]
            check_inputs(fam.pedigree, self.markers, gts, self.theta, None, None)
            tables.append(gts)
        if self.decomposable:
            blocks = self._blocks(fam)
            for key, value in zip(todo, blocks.compute([dict(key) for key in todo])):
                self._fam[(fam.name, key, True)] = value
            self.calls += len(todo)
            return
        rows = [row for gts in tables for row in genotype_rows(self.markers, gts)]
        out = log_likelihood_rows(fam.pedigree, rows, theta=self.theta, inbreeding={},
                                  dropout={}, kept=self._kept.get(fam.name))
        n = len(self.markers)
        for k, key in enumerate(todo):
            self._fam[(fam.name, key, True)] = out[k * n:(k + 1) * n]
        self.calls += len(todo)

    def _blocks(self, fam: Family) -> BlockLikelihoods:
        """The family's :class:`~homecoming.identification.decompose.BlockLikelihoods`
        (cached): its sub-assignments' likelihoods block by block."""
        hit = self._block_cache.get(fam.name)
        if hit is None:
            from homecoming.kinship._problem import relevant_persons
            from homecoming.kinship.likelihood import log_likelihood_rows

            def engine(pedigree: Pedigree, rows: Sequence[tuple[Marker, Mapping[str, object]]]
                       ) -> np.ndarray:
                return log_likelihood_rows(pedigree, rows, theta=0.0, inbreeding={},
                                           dropout={}, kept=self._kept.get(fam.name))

            hit = self._block_cache[fam.name] = BlockLikelihoods(
                fam.pedigree, self.markers, self.family_gt[fam.name], self.victim_gt, engine,
                relevant_persons)
        return hit

    def mark_impossible(self, fam: Family, pairs: tuple[tuple[str, str], ...]) -> None:
        """Record a sub-assignment known to have likelihood 0 without computing it (one of
        its sub-assignments has likelihood 0)."""
        self._impossible.add((fam.name, self.canonical(fam, pairs)))

    def known_impossible(self, fam: Family, pairs: tuple[tuple[str, str], ...]) -> bool:
        """Whether :meth:`mark_impossible` recorded this sub-assignment."""
        return bool(self._impossible) and (fam.name, self.canonical(fam, pairs)) in self._impossible

    def prime(self, fam: Family, pairs: tuple[tuple[str, str], ...], values: np.ndarray) -> None:
        """Store a likelihood (with mutation) computed elsewhere, e.g. a genotype-table column."""
        self._fam[(fam.name, self.canonical(fam, pairs), True)] = values

    def victim(self, vid: str, mutation: bool = True) -> np.ndarray:
        if not mutation and not self.has_mutation:
            mutation = True
        key = (vid, mutation)
        hit = self._vic.get(key)
        if hit is None:
            ped = Pedigree([Person(VICTIM_NODE, sex=self.victim_sex[vid])])
            hit = self._call(ped, {VICTIM_NODE: self.victim_gt[vid]}, mutation)
            self._vic[key] = hit
        return hit

    def unrelated(self, fam: Family, vid: str) -> np.ndarray:
        """Family pedigree plus the victim as an extra founder (one θ-conditioned likelihood)."""
        if self.theta == 0.0:
            return np.asarray(self.family(fam, ()) + self.victim(vid), dtype=float)
        ped = Pedigree(list(fam.pedigree) + [Person(VICTIM_NODE, sex=self.victim_sex[vid])])
        gts = dict(self.family_gt[fam.name])
        gts[VICTIM_NODE] = self.victim_gt[vid]
        return self._call(ped, gts, True)


def _pairwise_by_tables(ds: DviDataset, lik: _Likelihoods,
                        progress: Callable[[int, int], None] | None,
                        ignore_sex: bool, max_incompatible: int | None = None
                        ) -> PairwiseScores:
    """Every pairing's log LR and inconsistency count from per-family genotype tables."""
    compared = {m: [v.id for v in ds.victims
                    if ignore_sex or sexes_compatible(v.sex, f.sex_of(m))]
                for f in ds.families for m in f.missing}
    return pairwise_by_tables(
        {f.name: f.pedigree for f in ds.families}, lik.family_gt,
        {f.name: f.missing for f in ds.families}, compared, lik.victim_gt, lik.victim_sex,
        lik.markers, lik.nomut if lik.has_mutation else None,
        {f.name: lik.family(f, ()) for f in ds.families},
        {f.name: lik.family(f, (), mutation=False) for f in ds.families},
        lik.loglik, lik.theta, VICTIM_NODE, progress,
        # only pairings that are not excluded are read back (joint options)
        lambda lr, bad: (lr > -math.inf) & (True if max_incompatible is None
                                            else bad <= max_incompatible))


def _pairwise_per_pair(ds: DviDataset, lik: _Likelihoods, fam_null: Mapping[str, float],
                       vic_null: Mapping[str, float],
                       fam_null_nomut: Mapping[str, np.ndarray],
                       progress: Callable[[int, int], None] | None,
                       compatible: Callable[[Any, Any], bool]
                       ) -> dict[tuple[str, str], tuple[float, int]]:
    """The same numbers as :func:`_pairwise_by_tables`, one engine call per pairing (the
    reference the tables are tested against)."""
    out: dict[tuple[str, str], tuple[float, int]] = {}
    n_pairings = sum(len(f.missing) for f in ds.families) * len(ds.victims)
    done = 0
    for f in ds.families:
        for m in f.missing:
            if progress is not None:
                progress(done, n_pairings)
            done += len(ds.victims)
            msex = f.sex_of(m)
            for v in ds.victims:
                if not compatible(v, msex):
                    continue
                one = lik.family(f, ((m, v.id),))
                if ds.theta == 0.0:
                    log_lr = _total(one) - fam_null[f.name] - vic_null[v.id]
                else:
                    log_lr = _total(one) - _total(lik.unrelated(f, v.id))
                one_nm = lik.family(f, ((m, v.id),), mutation=False)
                inconsistent = int(np.sum((one_nm == -math.inf)
                                          & (fam_null_nomut[f.name] > -math.inf)))
                out[(v.id, m)] = (log_lr, inconsistent)
    if progress is not None:
        progress(n_pairings, n_pairings)
    return out


def _twin_options(lik: _Likelihoods, ds: DviDataset, options: Sequence[Sequence[Option]]
                  ) -> Twins:
    """Per family with interchangeable missing persons (:func:`exchangeable_missing`): option
    index -> the family's other options that give the same victims to the same class members
    in another arrangement (the same likelihood; ``joint.with_twins``)."""
    out: dict[int, dict[int, list[int]]] = {}
    for fi, fam in enumerate(ds.families):
        if not lik._classes.get(fam.name):
            continue
        groups: dict[tuple[tuple[str, str], ...], list[int]] = {}
        for j, option in enumerate(options[fi]):
            groups.setdefault(lik.canonical(fam, option.pairs), []).append(j)
        twins = {j: [x for x in group if x != j]
                 for group in groups.values() if len(group) > 1 for j in group}
        if twins:
            out[fi] = twins
    return out


#: The alleles of a family's candidate victims are kept distinct in all its sub-assignments
#: (``_Likelihoods.family_many(victims=)``) only up to this many candidates: sharing state
#: spaces saves the set-up of each sub-pedigree (what dominates the few sub-assignments of a
#: small case: dvir's examples have at most 16 victims), while each row then carries the
#: alleles of every candidate (what dominates when there are many).
KEPT_ALLELES_MAX_VICTIMS = 16

#: Sub-assignments per batched engine call when priming a family's options.
PRIME_CHUNK = 256


def _prime_options(lik: _Likelihoods, fam: Family, miss: Sequence[str],
                   candidates: Mapping[str, Sequence[str]], bit: Mapping[str, int],
                   limit: int) -> None:
    """Compute, level by level and in batches, the likelihoods of the sub-assignments that the
    depth-first enumeration of a family's options will ask for: the same set (a sub-assignment
    is extended only when it is possible), so that enumeration then only reads the cache.
    Stops early (leaving the rest to the enumeration, which enforces ``limit``) when a level
    would exceed ``limit``."""
    if not lik.batched or not miss:
        return
    level: list[tuple[int, int, tuple[tuple[str, str], ...]]] = [(0, 0, ())]
    seen = 1
    victims = sorted({v for m in miss for v in candidates[m]})
    if len(victims) > KEPT_ALLELES_MAX_VICTIMS:
        victims = []   # many candidates: the rows' own lumping saves more than sharing
    while level:
        children = [(j + 1, used | 1 << bit[v], pairs + ((miss[j], v),))
                    for i, used, pairs in level
                    for j in range(i, len(miss))
                    for v in candidates[miss[j]] if not used >> bit[v] & 1]
        if not children or seen + len(children) > 2 * limit:
            return
        if len(children[0][2]) > 2:
            # a child is impossible where one of its sub-assignments one pair smaller is: the
            # likelihood of more observations is at most that of fewer (methods §11.6); the
            # level holds every possible sub-assignment of its size (each is reached through
            # its prefixes, all possible too), the one without the last pair is the parent
            possible = {lik.canonical(fam, pairs) for _, _, pairs in level}
            kept = []
            for child in children:
                pairs = child[2]
                if all(lik.canonical(fam, pairs[:k] + pairs[k + 1:]) in possible
                       for k in range(len(pairs) - 1)):
                    kept.append(child)
                else:
                    lik.mark_impossible(fam, pairs)
            children = kept
            if not children:
                return
        # block by block, a level's sub-assignments share engine calls (one per sub-pedigree):
        # one call for the whole level; otherwise batches bound the engine's row arrays
        chunk = len(children) if lik.decomposable else PRIME_CHUNK
        for start in range(0, len(children), chunk):
            lik.family_many(fam, [c[2] for c in children[start:start + chunk]], victims)
        level = [c for c in children if _total(lik.family(fam, c[2])) > -math.inf]
        seen += len(level)
        if seen > limit:
            return


def _default_loglik() -> LogLikelihood:
    from homecoming.kinship.likelihood import log_likelihood

    return log_likelihood


def _total(x: np.ndarray) -> float:
    return float(np.sum(x)) if x.size else 0.0


def solve(dataset: DviDataset, *, config: IdentificationConfig | None = None,
          loglik: LogLikelihood | None = None, input_sha256: str | None = None,
          progress: Callable[[int, int], None] | None = None,
          pairwise_method: str = "tables",
          stage_progress: StageProgress | None = None) -> DviResult:
    """Solve a DVI problem.

    :param progress: called with (pairings evaluated, all pairings) during the pairwise
        stage, the long part of a large dataset (e.g. to drive a progress bar).
    :param stage_progress: called as ``stage_progress(stage, done, total)`` for every stage
        (:data:`STAGES`: ``"pairwise"``, ``"options"``, ``"joint"``, ``"marginals"``,
        ``"conclusions"``); :func:`homecoming.identification.progress.tqdm_stages` draws one
        bar per stage on stderr. The core never prints.
    :param dataset: the validated problem.
    :param config: thresholds and switches (defaults: dvir's).
    :param loglik: likelihood function with the signature of
        :func:`homecoming.kinship.likelihood.log_likelihood` (default: that function).
    :param input_sha256: hash of the input file, for provenance (default: the dataset's own
        ``input_sha256``, set by :func:`homecoming.formats.dvi_dataset.load_dvi_dataset`).
    :param pairwise_method: ``"tables"`` (per-family genotype tables,
        :mod:`homecoming.identification.tables`) or ``"per-pair"`` (one engine call per
        pairing); the two are the same computation and agree to rounding.
    """
    cfg = config or IdentificationConfig()
    cfg.validate()
    ds = dataset

    def stage(name: str) -> Callable[[int, int], None] | None:
        if stage_progress is None:
            return None
        return lambda done, total: stage_progress(name, done, total)

    pairwise_tick = progress
    if stage_progress is not None:
        def pairwise_tick(done: int, total: int) -> None:
            if progress is not None:
                progress(done, total)
            stage_progress("pairwise", done, total)
    if input_sha256 is None:
        input_sha256 = getattr(ds, "input_sha256", None)
    prior_w: dict[tuple[str, str], float] = {}
    if cfg.prior is not None:
        vids_known, mids_known = {v.id for v in ds.victims}, set(ds.missing)
        for (pv, pm), w in cfg.prior.items():
            if pv not in vids_known or pm not in mids_known:
                raise InputError(f"prior: pairing ({pv!r}, {pm!r}) names an unknown victim or "
                                 "missing person; expected ids from the dataset", field="prior",
                                 value=(pv, pm))
            if not (isinstance(w, (int, float)) and math.isfinite(w) and w >= 0):
                raise InputError(f"prior: weight {w!r} for ({pv!r}, {pm!r}); expected a finite "
                                 "number >= 0", field="prior", value=w)
            prior_w[(pv, pm)] = float(w)
    lik = _Likelihoods(ds, loglik or _default_loglik(), ds.theta)
    warnings = list(ds.warnings)

    # --- null pieces -----------------------------------------------------------------------
    fam_null: dict[str, float] = {}
    fam_null_nomut: dict[str, np.ndarray] = {}
    for f in ds.families:
        arr = lik.family(f, ())
        fam_null[f.name] = _total(arr)
        if fam_null[f.name] == -math.inf:
            bad = [m.name for m, x in zip(ds.markers, arr) if x == -math.inf]
            raise InputError(f"family {f.name!r}: the reference genotypes are impossible under its "
                             f"pedigree at markers {bad}; expected consistent reference data (or "
                             "a mutation model)", field="genotypes", value=f.name)
        fam_null_nomut[f.name] = lik.family(f, (), mutation=False)

    # --- evidence population ------------------------------------------------------------------
    infos: dict[str, MissingInfo] = {}
    for f in ds.families:
        infos.update(f.missing_info)
    population = list(infos.values())

    # --- pairwise -----------------------------------------------------------------------------
    usable = {v.id: bool(ds.usable_markers(v.id)) for v in ds.victims}
    identifiable = steps.identifiable_missing(ds)   # dvir findNonidentifiable (blood relatives)
    pairwise: list[Pairing] = []
    by_pair: dict[tuple[str, str], Pairing] = {}
    tables: PairwiseScores | None = None
    if pairwise_method == "tables":
        tables = _pairwise_by_tables(ds, lik, pairwise_tick, cfg.ignore_sex,
                                     cfg.max_incompatible)
        vic_null = dict(tables.victim_loglik)
        # read from the tables' own mappings (a merged copy cost ~100 bytes per pairing)
        score_lr: Mapping[tuple[str, str], float] = tables.log_lr
        score_incons: Mapping[tuple[str, str], int] = tables.inconsistent
        lik.calls += tables.calls
    elif pairwise_method == "per-pair":
        vic_null = {v.id: _total(lik.victim(v.id)) for v in ds.victims}
        scores = _pairwise_per_pair(ds, lik, fam_null, vic_null, fam_null_nomut, pairwise_tick,
                                    lambda v, msex: cfg.ignore_sex or sexes_compatible(v.sex,
                                                                                       msex))
        score_lr = {k: x[0] for k, x in scores.items()}
        score_incons = {k: x[1] for k, x in scores.items()}
    else:
        raise InputError(f"pairwise_method: {pairwise_method!r}; expected 'tables' or "
                         "'per-pair'", field="pairwise_method", value=pairwise_method)
    null_loglik = sum(fam_null.values()) + sum(vic_null.values())
    # 2,000 x 2,000: ~2 million excluded pairings share a few distinct reason texts (~300 MB)
    shared_reasons: dict[tuple[str, ...], tuple[str, ...]] = {}
    for f in ds.families:
        for m in f.missing:
            msex = f.sex_of(m)
            for victim in ds.victims:
                if not cfg.ignore_sex and not sexes_compatible(victim.sex, msex):
                    continue
                log_lr = score_lr[(victim.id, m)]
                inconsistent = score_incons[(victim.id, m)]
                if math.isnan(log_lr):
                    log_lr = -math.inf
                reasons = []
                if cfg.max_incompatible is not None and inconsistent > cfg.max_incompatible:
                    reasons.append(f"{inconsistent} markers inconsistent with Mendelian inheritance "
                                   f"(more than {cfg.max_incompatible})")
                if prior_w.get((victim.id, m), 1.0) == 0.0:
                    reasons.append("prior weight 0 (forbidden by the user prior)")
                if log_lr == -math.inf and not reasons:
                    reasons.append("LR = 0: the pairing is impossible under the model "
                                   f"({inconsistent} inconsistent markers)")
                ev = pairing_evidence(victim, f.missing_info.get(m), population, cfg.evidence)
                if ev.excluded:
                    reasons.extend(f"{it['evidence']}: {it['note']}" for it in ev.items
                                   if it["lr"] == 0.0)
                why = tuple(reasons)
                why = shared_reasons.setdefault(why, why)   # one tuple per distinct text
                p = Pairing(victim.id, m, f.name, log_lr, inconsistent, len(ds.usable_markers(victim.id)),
                            bool(reasons), why, ev if ev.items else None)
                pairwise.append(p)
                by_pair[(victim.id, m)] = p

    if tables is not None:   # the options' one-victim likelihoods are table columns already
        fam_by_name = {f.name: f for f in ds.families}
        for f in ds.families:
            for m in f.missing:
                vs, arr = tables.pair_loglik[m]
                for j, v in enumerate(vs):
                    if by_pair[(v, m)].combined_log_lr > -math.inf:
                        lik.prime(fam_by_name[f.name], ((m, v),), arr[:, j])

    # --- joint options -------------------------------------------------------------------------
    vids = [v.id for v in ds.victims]
    bit = {vid: i for i, vid in enumerate(vids)}
    candidates: dict[str, list[str]] = {}
    for f in ds.families:
        for m in f.missing:
            candidates[m] = [v for v in vids
                             if (v, m) in by_pair and usable[v] and identifiable[m]
                             and by_pair[(v, m)].combined_log_lr > -math.inf]
    options: list[list[Option]] = []
    tick = stage("options")
    for k_f, f in enumerate(ds.families):
        if tick is not None:
            tick(k_f, len(ds.families))
        opts = [Option(0, 0.0, ())]
        miss = [m for m in f.missing if candidates[m]]

        def extend(i: int, used: int, pairs: tuple[tuple[str, str], ...], f: Family = f,
                   miss: list[str] = miss, opts: list[Option] = opts) -> None:
            for j in range(i, len(miss)):
                m = miss[j]
                for v in candidates[m]:
                    if used >> bit[v] & 1:
                        continue
                    new_pairs = pairs + ((m, v),)
                    if lik.known_impossible(f, new_pairs):
                        continue  # a smaller sub-assignment is impossible (_prime_options)
                    ll = _total(lik.family(f, new_pairs))
                    if ll == -math.inf:
                        continue  # and every extension is impossible too
                    gain = ll - fam_null[f.name] - sum(vic_null[x] for _, x in new_pairs)
                    gain += sum(by_pair[(x, mm)].evidence_log_lr for mm, x in new_pairs)
                    opts.append(Option(used | 1 << bit[v], gain, new_pairs))
                    if len(opts) > cfg.max_family_options:
                        raise InputError(
                            f"family {f.name!r}: more than {cfg.max_family_options} feasible "
                            "sub-assignments; expected fewer (exclude more pairings, e.g. a "
                            "lower max_incompatible)", field="max_family_options",
                            value=cfg.max_family_options)
                    extend(j + 1, used | 1 << bit[v], new_pairs)

        _prime_options(lik, f, miss, candidates, bit, cfg.max_family_options)
        extend(0, 0, ())
        options.append(opts)
    if tick is not None:
        tick(len(ds.families), len(ds.families))

    # search score = log LR (+ log prior weights under a user prior)
    if prior_w:
        scored = [[Option(o.mask, o.gain + sum(math.log(prior_w.get((v, m), 1.0))
                                               for m, v in o.pairs), o.pairs) for o in opts]
                  for opts in options]
    else:
        scored = options
    wide: set[tuple[int, ...]] = set()     # components too wide for the DP (see joint.py)
    twins = _twin_options(lik, ds, scored)
    sol = _search(scored, k=cfg.top, max_states=cfg.max_states, wide=wide,
                  max_solves=cfg.max_assignment_solves, progress=stage("joint"), twins=twins)
    log_z = sol.log_z
    joint: list[Assignment] = []
    for score, choice in sol.top:
        amap: dict[str, str | None] = {v: None for v in vids}
        gain = 0.0
        for fi, j in enumerate(choice):
            gain += options[fi][j].gain
            for m, v in options[fi][j].pairs:
                amap[v] = m
        joint.append(Assignment(amap, null_loglik + gain, gain, _exp(score - log_z)))

    # --- marginal posteriors P(V = M | data) under the prior (flat unless given) -----------------
    comps = components(options)
    comp_of = {f: c for c in comps for f in c}
    comp_cache: dict[tuple[int, ...], ComponentResult] = {}
    for res in sol.components:
        if not res.exact:   # the search solved it exactly as comp_solution would: reuse it
            comp_cache[tuple(res.families)] = res

    def comp_solution(c: list[int]) -> ComponentResult:
        key = tuple(c)
        if key not in comp_cache:
            res = _solve_component(c, scored, 1, cfg.max_states, None, True, wide,
                                   cfg.max_assignment_solves)
            if not res.exact:  # assignment search: approximate Z by the top-k sum
                res = with_twins(_solve_component(c, scored, cfg.top, cfg.max_states, None,
                                                  True, wide, cfg.max_assignment_solves),
                                 scored, twins)
            comp_cache[key] = res
        return comp_cache[key]

    fam_index = {f.name: i for i, f in enumerate(ds.families)}
    marginals: dict[tuple[str, str], float] = {}
    marginals_exact = sol.exact
    if cfg.marginals:
        wanted = [(v, m, p) for (v, m), p in by_pair.items() if v in candidates.get(m, ())]
        tick = stage("marginals")
        for n_done, (v, m, p) in enumerate(wanted):
            if tick is not None and n_done % 64 == 0:
                tick(n_done, len(wanted))
            fi = fam_index[p.family]
            c = comp_of[fi]
            base = comp_solution(c)
            if base.exact:
                def with_pair(f: int, o: Option, fi: int = fi,
                              pair: tuple[str, str] = (m, v)) -> bool:
                    return f != fi or pair in o.pairs

                forced = _solve_component(c, scored, 1, cfg.max_states, with_pair, True, wide)
                marginals[(v, m)] = _exp(forced.log_z - base.log_z)
            else:
                # a wide component: the share of the top-k assignments (with the other
                # arrangements of interchangeable siblings) that contain the pairing (an
                # approximation, like its Z; marginals_exact says so)
                share = pairing_log_weight(base, scored, fi, (m, v))
                marginals[(v, m)] = _exp(share - base.log_z) if share > -math.inf else 0.0
                marginals_exact = False
        if tick is not None:
            tick(len(wanted), len(wanted))

    # --- conclusions ----------------------------------------------------------------------------
    n_missing = cfg.prior_missing or max(len(ds.missing), 1)
    thresholds = cfg.thresholds(n_missing)
    mcs, vcs = _conclude(ds, cfg, by_pair, candidates, usable, identifiable, options, comp_of,
                         n_missing, marginals, stage("conclusions"), wide)

    theta_approx = None
    if ds.theta > 0:
        theta_approx = ("per-family theta: in the joint stage each family (with the victims "
                        "placed in it) and each unassigned victim is theta-conditioned "
                        "separately; pairwise LRs condition family and victim jointly")
        warnings.append("theta > 0: joint log-likelihoods use per-family theta conditioning "
                        "(an approximation; see theta_approximation)")
    limited = [r for r in sol.components if r.limit_reached]
    if limited:
        warnings.append(
            f"joint search: {len(limited)} component(s) (the largest with "
            f"{max(len(r.families) for r in limited)} families) reached the limit of "
            f"{cfg.max_assignment_solves} assignment solves (max_assignment_solves): their "
            "assignments are the best found, not proven best; pairwise LRs, exclusions and "
            "the other components are exact")
    if not sol.exact:
        warnings.append("the joint posterior is approximated by the sum over the top assignments "
                        "(exact summation infeasible); the best assignments are "
                        + ("still exact" if not limited else "exact outside the limited "
                           "components"))
    search_info: dict[str, Any] = dict(sol.method)
    search_info["family_options"] = [len(o) for o in options]
    search_info["likelihood_calls"] = lik.calls
    search_info["assignment_solves"] = sum(r.solves for r in sol.components)
    search_info["limit_reached"] = bool(limited)
    search_info["prior"] = "user (per-pairing weights)" if prior_w else "flat"
    search_info["joint_order"] = "posterior" if prior_w else "likelihood"
    prov = _provenance.record(parameters={**cfg.as_dict(), "theta": ds.theta},
                              input_sha256=input_sha256,
                              dropped_markers=dict(ds.dropped_markers))
    return DviResult(pairwise=pairwise, joint=joint, missing_conclusions=mcs,
                     victim_conclusions=vcs, thresholds=thresholds, null_loglik=null_loglik,
                     log_z=log_z, posterior_exact=sol.exact, log_z_upper=sol.log_z_upper,
                     marginals=marginals, marginals_exact=marginals_exact, warnings=warnings,
                     theta=ds.theta, theta_approximation=theta_approx, search=search_info,
                     provenance=prov)


# ---------------------------------------------------------------------------------------------
# conclusions
# ---------------------------------------------------------------------------------------------

def _conclude(ds: DviDataset, cfg: IdentificationConfig, by_pair: dict[tuple[str, str], Pairing],
              candidates: dict[str, list[str]], usable: dict[str, bool],
              identifiable: dict[str, bool], options: list[list[Option]],
              comp_of: dict[int, list[int]], n_missing: int,
              marginals: dict[tuple[str, str], float],
              progress: Callable[[int, int], None] | None = None,
              wide: set[tuple[int, ...]] | None = None
              ) -> tuple[list[MissingConclusion], list[VictimConclusion]]:
    """The conclusion steps of :mod:`homecoming.identification.steps`, in dvir's order."""
    inp = steps.StepInput(ds, cfg, by_pair, candidates, usable, identifiable, marginals,
                          n_missing)
    out_m: dict[str, MissingConclusion] = {}
    matched: list[VictimConclusion] = []
    for mc in steps.non_identifiable(inp) + steps.excluded(inp):
        out_m[mc.missing] = mc
    active_m = [m for m in ds.missing if m not in out_m]
    active_v = [v.id for v in ds.victims if usable[v.id] and
                any(v.id in candidates[m] for m in ds.missing)]
    und = steps.undisputed(inp, active_m, active_v)
    for mc in und.conclusions:
        out_m[mc.missing] = mc
    matched.extend(und.victims)
    active_m = [m for m in active_m if m not in und.matches]
    active_v = [v for v in active_v if v not in set(und.matches.values())]
    oracle = steps.JointOracle(ds, options, comp_of, cfg, und.matches, wide)
    for k_f, f in enumerate(ds.families):
        if progress is not None and k_f % 16 == 0:
            progress(k_f, len(ds.families))
        fam_active = [m for m in f.missing if m in active_m]
        if not fam_active:
            continue
        if len([m for m in f.missing if identifiable[m]]) == 1:
            out_m[fam_active[0]] = steps.am_driven(inp, f, fam_active[0], active_v)
            continue
        g = steps.glr(inp, f, fam_active, oracle)
        if not g.ranked:
            # the joint search of this family's component ran out of its solve limit
            # (max_assignment_solves) before ranking any assignment: no GLR, so each missing
            # person is concluded from its pairwise LRs alone (never a match), and says why
            for m in fam_active:
                mc = steps.unresolved(inp, f, m, g, active_v)
                out_m[m] = dataclasses.replace(mc, comment="; ".join(
                    t for t in (mc.comment, steps.NO_JOINT_RANKING) if t))
            continue
        for mc in g.conclusions:
            out_m[mc.missing] = mc
        matched.extend(g.victims)
        sym = steps.symmetric(inp, f, fam_active, set(out_m), g.ranked, oracle)
        if sym is not None:
            for mc in sym.conclusions:
                out_m[mc.missing] = mc
            matched.extend(sym.victim_conclusions)
        for m in fam_active:
            if m not in out_m:
                out_m[m] = steps.unresolved(inp, f, m, g, active_v)
    if progress is not None:
        progress(len(ds.families), len(ds.families))
    missing_out = [out_m[m] for m in ds.missing]
    return missing_out, steps.victim_conclusions(inp, missing_out, matched)
