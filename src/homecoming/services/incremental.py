"""Incremental identification: a newly imported profile re-solves only the groups it touches.

:func:`identify_incrementally` is the use case behind ``homecoming identify --only-new``
(issue 11 item 6). The stored identifications are taken to be those of the case *without*
the new profiles (the last run covered everything else); the function

1. loads the stored case once and builds two views of it: without the new profiles ("old")
   and with them ("new"); the markers are built from every stored profile exactly as
   :func:`~homecoming.services.case_identification.identify_stored_case` builds them;
2. screens only what the new profiles change, with the same
   :class:`~homecoming.kinship.pairwise.PairwiseModel` per relationship and the same
   candidate rule as the full run (``min_log10_lr``, ``top``): the row of a new post-mortem
   profile (one remains against every reference) and the column of a family that gained a
   reference (every remains against that family); a family whose column gets a positive new
   entry has its column recomputed over all remains, because the new entry can push an
   earlier candidate out of its ``top``;
3. finds the families whose candidate set changed and walks the candidate graph (families and
   candidate remains) from them, before and after, computing rows and columns lazily; the
   groups of the new graph it reaches whose membership (missing persons and remains) is not
   already a group of the old graph are solved exactly by
   :func:`homecoming.identification.solve`, with the prior 1/N of the whole case;
4. stores the results through
   :func:`~homecoming.services.identifications.store_case_identification`, so new versions
   appear only where something changed and reviewed or confirmed ones become ``stale`` under
   its rules. Everything else is untouched.

Scores are summed in the same order as in the full run (relationships in their order of first
appearance over the whole case, references in case order), so the candidate sets, and hence
the groups and their solutions, equal those of a full run. When the new profiles bring an
allele outside the frequency table, or a locus, that no stored profile had, the markers of
the whole case change (rare alleles renormalise their locus) and every score moves a little:
then the whole case is identified again (``IncrementalResult.full_run`` says why).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

import numpy as np

from homecoming.errors import InputError
from homecoming.identification.groups import groups_sharing

__all__ = ["IncrementalResult", "identify_incrementally", "import_then_identify",
           "RunSettings", "latest_run_settings", "stored_profile_barcodes"]

PERMISSION_IDENTIFY = "identify.run"
R = TypeVar("R")
MIN_LOG10_LR = 2.0
TOP = 2


@dataclass
class IncrementalResult:
    """What :func:`identify_incrementally` did.

    ``groups``: the groups solved again, each ``{"missing_persons": [...], "remains": [...]}``;
    ``changed_families``: missing persons whose candidate remains changed;
    ``identifications``: missing person -> the new detail (victim, lr, conclusion, ...) of
    every missing person solved again (or set back to no candidate); ``stored``: the
    :class:`~homecoming.services.identifications.StoreReport` (None with ``store=False``);
    ``full_run``: None, or why the whole case was identified again (then ``case`` holds the
    :class:`~homecoming.services.case_identification.StoredCaseResult`).
    """

    profiles: list[str]
    new_remains: list[str] = field(default_factory=list)
    changed_families: list[str] = field(default_factory=list)
    groups: list[dict[str, list[str]]] = field(default_factory=list)
    identifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    stored: Any = None
    full_run: str | None = None
    case: Any = None
    warnings: list[str] = field(default_factory=list)
    #: the thresholds the conclusions used and the screening's candidate rule
    #: (``screening_min_log10_lr``, ``screening_top``), as in case-identification@1
    thresholds: dict[str, Any] = field(default_factory=dict)
    #: the drop-out probability of the post-mortem profiles (0: none), as the full run's
    dropout: float = 0.0
    #: (markers, victims, families) of the case as identified, for :meth:`dataset_json`
    used: tuple[Any, Any, Any] | None = field(default=None, repr=False)

    @property
    def groups_solved(self) -> int:
        return len(self.groups)

    def dataset_json(self) -> dict[str, Any]:
        """The whole stored case as identified, as ``homecoming/dvi-dataset@1`` (contains
        genotypes; what ``identify --export-dataset`` writes)."""
        from homecoming.services.case_identification import dvi_dataset_json

        if self.case is not None:
            return dict(self.case.dataset_json())
        if self.used is None:
            raise InputError("the incremental run kept no case to export", field="dataset")
        return dvi_dataset_json(*self.used)

    def to_dict(self) -> dict[str, Any]:
        from homecoming.services.case_identification import DROPOUT_APPLIES_TO

        out: dict[str, Any] = {
            "format": "homecoming/incremental-identification@1", "profiles": self.profiles,
            "new_remains": self.new_remains, "changed_families": self.changed_families,
            "groups_solved": self.groups_solved, "groups": self.groups,
            "identifications": [{"missing": m, **d} for m, d in
                                sorted(self.identifications.items())],
            "full_run": self.full_run, "warnings": self.warnings,
            "thresholds": self.thresholds,
            "model": {"dropout": self.dropout,
                      **({"dropout_applies_to": DROPOUT_APPLIES_TO} if self.dropout else {})}}
        if self.stored is not None:
            out["stored"] = self.stored.to_dict()
        return out


# --- loading: the case with and without the new profiles -------------------------------------

def _check_stored(session: Any, profile_ids: Sequence[str]) -> None:
    from sqlalchemy import select

    from homecoming.storage import tables

    p = tables.profiles
    stored = {str(b) for (b,) in session.execute(
        select(p.c.sample_barcode).where(p.c.sample_barcode.in_(list(profile_ids))))}
    missing = [x for x in profile_ids if x not in stored]
    if missing:
        raise InputError(f"profile {missing[0]!r} is not stored; expected the sample barcode "
                         "of an imported profile (homecoming import profiles)",
                         field="profile_ids", value=missing[0])


def _latest_run(session: Any) -> tuple[str, dict[str, Any]] | None:
    """(run id, ``model``) of the latest stored identification run, also one that changed
    no identification (``IdentificationRepository.latest_run``), or None when none is
    stored."""
    from homecoming.storage.repositories.identifications import IdentificationRepository

    return IdentificationRepository(session).latest_run()


def _stored_dropout(latest: tuple[str, dict[str, Any]] | None) -> tuple[str, float] | None:
    """(run id, drop-out probability) of the latest run (:func:`_latest_run`; its
    ``model.dropout``, none recorded: 0), or None when nothing is stored."""
    if latest is None:
        return None
    value = latest[1].get("dropout")
    return latest[0], float(value) if isinstance(value, (int, float)) else 0.0


def _stored_screening_rule(latest: tuple[str, dict[str, Any]] | None
                           ) -> tuple[str, float, int] | None:
    """(run id, ``screening_min_log10_lr``, ``screening_top``) of the latest run
    (:func:`_latest_run`), or None: nothing stored, or a run that did not record its rule."""
    if latest is None:
        return None
    rule = latest[1].get("thresholds") or {}
    a, b = rule.get("screening_min_log10_lr"), rule.get("screening_top")
    if not isinstance(a, (int, float)) or not isinstance(b, int):
        return None
    return latest[0], float(a), int(b)


class RunSettings(NamedTuple):
    """What a new run of the stored case would repeat (:func:`latest_run_settings`)."""

    #: the latest stored run whose screening rule this is (None: the default rule)
    run_id: str | None
    min_log10_lr: float
    top: int
    #: the latest stored run's drop-out probability (0: none, or nothing stored)
    dropout: float


def latest_run_settings(db: Any) -> RunSettings:
    """The screening rule and the drop-out probability of the latest stored identification
    run (the default rule and 0 when there is none, or the run did not record them): what
    ``identify --only-new`` uses when they are not given, and what the web application's run
    page offers."""
    with db.session() as session:
        latest = _latest_run(session)
    rule = _stored_screening_rule(latest)
    dropout = _stored_dropout(latest)
    run_id, min_log10_lr, top = rule if rule is not None else (None, MIN_LOG10_LR, TOP)
    return RunSettings(run_id, min_log10_lr, top, 0.0 if dropout is None else dropout[1])


def _profiles(victims: Sequence[Any], families: Sequence[Any]) -> list[Mapping[str, Any]]:
    return [v.genotypes for v in victims] + [g for f in families for g in f.profiles.values()]


def _same_markers(a: Sequence[Any], b: Sequence[Any]) -> bool:
    if [m.name for m in a] != [m.name for m in b]:
        return False
    return all(list(x.alleles) == list(y.alleles)
               and np.array_equal(np.asarray(x.frequencies), np.asarray(y.frequencies))
               for x, y in zip(a, b, strict=True))


def _may_choose(row: np.ndarray, min_log10_lr: float, top: int = 1) -> np.ndarray:
    """Families for which a score of this row can be chosen (or displace a chosen one): at
    least ``min_log10_lr``, or positive (a ``top`` candidate, when ``top`` > 0)."""
    if top <= 0:
        return np.flatnonzero(row >= min_log10_lr)
    return np.flatnonzero((row >= min_log10_lr) | (np.isfinite(row) & (row > 0)))


class _Encoded:
    """Genotype codes of profiles, each distinct profile object encoded once (the old and
    the new view of the case share all but the changed profiles)."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self._row: dict[int, int] = {}
        self._keep: list[Mapping[str, Any]] = []
        self._parts: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None

    def rows(self, profiles: Sequence[Mapping[str, Any]]) -> np.ndarray:
        """Row indices of ``profiles`` in :meth:`matrix` (encoding the new ones)."""
        fresh = [p for p in dict.fromkeys(id(p) for p in profiles) if p not in self._row]
        if fresh:
            by_id = {id(p): p for p in profiles}
            base = len(self._keep)
            todo = [by_id[i] for i in fresh]
            self._parts.append(self.model.encode(todo, unknown="untyped"))
            for n, p in enumerate(todo):
                self._row[id(p)] = base + n
                self._keep.append(p)        # keeps the object (and its id) alive
            self._matrix = None
        return np.asarray([self._row[id(p)] for p in profiles], dtype=np.intp)

    def matrix(self) -> np.ndarray:
        if self._matrix is None:
            self._matrix = (np.concatenate(self._parts) if self._parts
                            else np.zeros((0, len(self.model.markers)), dtype=np.int32))
            self._parts = [self._matrix]
        return self._matrix


def _references(families: Sequence[Any]) -> list[tuple[str, int, Mapping[str, Any]]]:
    """(relationship, family index, profile) of every typed, placed reference with a pairwise
    relationship, in case order (the full run's order)."""
    from homecoming.services.case_identification import placed_donors

    out = []
    for k, fam in enumerate(families):
        if not fam.profiles:
            continue
        placed = placed_donors(fam.missing, fam.donors)
        for donor in fam.donors:
            if donor.id in fam.profiles and donor.id in placed:
                rel = donor.relationship.pairwise
                if rel is not None:
                    out.append((rel, k, fam.profiles[donor.id]))
    return out


# --- screening, lazily: rows (one remains) and columns (one family) --------------------------

class _Screen:
    """Pairwise screening scores of one view of the case, computed on demand and cached.

    Sums follow the full run's order: relationships by first appearance over all families,
    then references in case order, so every score is bit-identical to the full run's."""

    def __init__(self, victims: Sequence[Any], families: Sequence[Any],
                 models: Mapping[str, Any], encoded: _Encoded,
                 min_log10_lr: float, top: int) -> None:
        self.victims = list(victims)
        self.families = list(families)
        self.index = {v.id: i for i, v in enumerate(self.victims)}
        self.models = models
        self.encoded = encoded
        self.min_log10_lr, self.top = min_log10_lr, top
        refs = _references(self.families)
        self.rel_order = list(dict.fromkeys(r for r, _, _ in refs))
        rows = encoded.rows([p for _, _, p in refs])
        rels = np.asarray([r for r, _, _ in refs], dtype=object)
        owners = np.asarray([k for _, k, _ in refs], dtype=np.intp)
        # per relationship: (rows of the reference codes, owning family), case order
        self._by_rel = {rel: (rows[rels == rel], owners[rels == rel])
                        for rel in self.rel_order}
        # per family: (relationship, code row) of its references, case order
        self.family_refs: dict[int, list[tuple[str, int]]] = {}
        for (rel, k, _), row in zip(refs, rows.tolist(), strict=True):
            self.family_refs.setdefault(k, []).append((rel, row))
        self._vic_rows = encoded.rows([v.genotypes for v in self.victims])
        self._vic_codes: np.ndarray | None = None
        self._cols: dict[int, np.ndarray] = {}
        self._cands: dict[int, frozenset[int]] = {}
        self._rows: dict[int, np.ndarray] = {}
        self._inverse: dict[int, frozenset[int]] = {}

    def victim_codes(self) -> np.ndarray:
        if self._vic_codes is None:
            self._vic_codes = self.encoded.matrix()[self._vic_rows]
        return self._vic_codes

    def column(self, k: int) -> np.ndarray:
        """Scores of every remains against family ``k`` (the full run's column)."""
        if k not in self._cols:
            col = np.zeros(len(self.victims))
            if self.victims:
                codes = self.victim_codes()
                matrix = self.encoded.matrix()
                for rel in self.rel_order:
                    for r, row in self.family_refs.get(k, ()):
                        if r != rel:
                            continue
                        model = self.models[rel]
                        col += model.log_lr(codes, matrix[row:row + 1])[:, 0] / np.log(10.0)
            self._cols[k] = col
        return self._cols[k]

    def row(self, v: int) -> np.ndarray:
        """Scores of remains ``v`` against every family (the full run's row)."""
        if v not in self._rows:
            out = np.zeros((1, len(self.families)))
            matrix = self.encoded.matrix()
            part = matrix[self._vic_rows[v:v + 1]]
            for rel in self.rel_order:
                rows, owners = self._by_rel[rel]
                pair = self.models[rel].log_lr(part, matrix[rows]) / np.log(10.0)
                np.add.at(out.T, owners, pair.T)
            self._rows[v] = out[0]
        return self._rows[v]

    def candidates(self, k: int) -> frozenset[int]:
        """The candidate remains of family ``k``: the full run's rule on its column."""
        if k not in self._cands:
            col = self.column(k)
            chosen = set(np.flatnonzero(col >= self.min_log10_lr).tolist())
            finite = np.flatnonzero(np.isfinite(col) & (col > 0))
            best = finite[np.argsort(-col[finite], kind="stable")][:self.top]
            chosen |= set(best.tolist())
            self._cands[k] = frozenset(chosen)
        return self._cands[k]

    def families_of(self, v: int) -> frozenset[int]:
        """The families that have remains ``v`` among their candidates."""
        if v not in self._inverse:
            maybe = _may_choose(self.row(v), self.min_log10_lr, self.top)
            self._inverse[v] = frozenset(int(k) for k in maybe if v in self.candidates(int(k)))
        return self._inverse[v]

    def reach(self, seeds: Iterable[int]) -> set[int]:
        """Families connected to ``seeds`` through shared candidate remains."""
        todo = list(dict.fromkeys(seeds))
        seen_f, seen_v = set(todo), set()
        while todo:
            k = todo.pop()
            for v in self.candidates(k):
                if v in seen_v:
                    continue
                seen_v.add(v)
                for k2 in self.families_of(v):
                    if k2 not in seen_f:
                        seen_f.add(k2)
                        todo.append(k2)
        return seen_f

    def groups(self, families: Iterable[int]) -> list[tuple[list[int], list[int]]]:
        """The groups (families, remains, both in case order) among ``families`` (closed under
        the candidate graph), as the full run forms them; families without candidates none."""
        ks = sorted(k for k in families if self.candidates(k))
        out = []
        for group in groups_sharing(self.candidates(k) for k in ks):
            members = [ks[i] for i in group]
            vids = sorted({v for k in members for v in self.candidates(k)})
            out.append((members, vids))
        return out

    def key(self, group: tuple[list[int], list[int]]) -> tuple[frozenset[str], frozenset[str]]:
        members, vids = group
        return (frozenset(self.families[k].missing.id for k in members),
                frozenset(self.victims[v].id for v in vids))


# --- the use case ----------------------------------------------------------------------------

def identify_incrementally(db: Any, *, profile_ids: Sequence[str], config: Any = None,
                           frequencies: str | None = None, actor: str | None = None,
                           progress: Callable[[int, int], None] | None = None,
                           store: bool = True, theta: float = 0.0,
                           mutation: Any = "default", min_log10_lr: float | None = None,
                           top: int | None = None, dropout: float | None = None
                           ) -> IncrementalResult:
    """Identify what the newly imported profiles ``profile_ids`` (sample barcodes) change.

    The stored identifications must be those of the case without these profiles (the module
    docstring says what is screened and solved again). Parameters as
    :func:`~homecoming.services.case_identification.identify_stored_case`; ``progress`` is
    called with (groups solved, groups to solve). ``min_log10_lr``, ``top``: the screening's
    candidate rule (:func:`~homecoming.services.screening.check_screening_rule`); it must be
    the rule of the run that stored the identifications, or the groups differ from a full
    run's: not given (None), each is the latest stored run's (its recorded thresholds), else
    the full run's default (``MIN_LOG10_LR``, ``TOP``); given and different, a warning says so.

    ``dropout``: the drop-out probability of the post-mortem profiles, as in the full run
    (:func:`~homecoming.services.case_identification.identify_stored_case`): the screening
    scores, the solve and the stored LRs model it, so the identifications equal a full run's
    with the same ``dropout``. Like the rule it must be the full run's: not given (None), it
    is the latest stored run's (its ``model.dropout``, else 0); given and different, a
    warning says so. With lineage markers stored the whole case is identified again
    (``full_run`` says so): their LRs enter the full run's screening only.

    :raises InputError: a profile id that is not stored, or a case without missing persons.
    """
    from homecoming.identification import DviDataset, Family, IdentificationConfig, Victim, solve
    from homecoming.identification.screening import default_mutation
    from homecoming.provenance import record
    from homecoming.services.case_identification import (
        CaseIdentification,
        _case_digest,
        _flagged_remains,
        _withhold_flagged,
        dropout_probability,
        family_pedigree,
        identify_stored_case,
        pairwise_model,
        placed_donors,
        read_stored_case,
        record_group,
        record_unscreened,
    )
    from homecoming.services.screening import (
        DEFAULT_FREQUENCIES,
        check_screening_rule,
        distinct_genotypes,
        markers_from_genotypes,
    )

    drop = dropout_probability(dropout)
    given_rule = (min_log10_lr, top)
    check_screening_rule(MIN_LOG10_LR if min_log10_lr is None else min_log10_lr,
                         TOP if top is None else top)
    ids = list(dict.fromkeys(str(p) for p in profile_ids))
    if not ids:
        raise InputError("no profile ids; expected the sample barcodes of newly imported "
                         "profiles", field="profile_ids")
    out = IncrementalResult(profiles=ids, dropout=drop)
    with db.session() as session:
        if store:
            from homecoming.services._common import _authorize

            _authorize(session, PERMISSION_IDENTIFY, actor)
        _check_stored(session, ids)
        latest = _latest_run(session)
        stored_rule = _stored_screening_rule(latest)
        stored_dropout = _stored_dropout(latest)
        if dropout is None and stored_dropout is not None:
            drop = out.dropout = stored_dropout[1]   # not given: the stored run's
        # a rule not given is the latest stored run's: the groups then match a full run's
        min_log10_lr, top = check_screening_rule(
            given_rule[0] if given_rule[0] is not None else
            stored_rule[1] if stored_rule is not None else MIN_LOG10_LR,
            given_rule[1] if given_rule[1] is not None else
            stored_rule[2] if stored_rule is not None else TOP)
        rows = read_stored_case(session)
        flagged = _flagged_remains(session)
        from homecoming.services.lineage import load_lineage

        lineage = bool(load_lineage(session))
    victims, families = rows.assemble()
    old_victims, old_families = rows.assemble(exclude=set(ids))
    out.warnings.extend(f"profile {x['record']} left out: {x['reason']}" for x in rows.left_out)
    if not families:
        raise InputError(f"database {db.masked_url}: no missing persons are stored; expected "
                         "missing persons with reference donors", field="missing_persons")
    name = frequencies or DEFAULT_FREQUENCIES

    # the markers of both views from the (locus, genotype) pairs seen: the profiles the two
    # views share are read once
    new_profiles = _profiles(victims, families)
    old_profiles = _profiles(old_victims, old_families)
    old_ids = {id(p) for p in old_profiles}
    new_ids = {id(p) for p in new_profiles}
    common = distinct_genotypes(p for p in new_profiles if id(p) in old_ids)
    new_pairs = distinct_genotypes((p for p in new_profiles if id(p) not in old_ids), common)
    old_pairs = distinct_genotypes((p for p in old_profiles if id(p) not in new_ids), common)
    markers, fdb, loci_left_out = markers_from_genotypes(name, new_pairs)
    old_markers = (markers if old_pairs == new_pairs
                   else markers_from_genotypes(name, old_pairs)[0])
    if lineage or not _same_markers(markers, old_markers):
        out.full_run = ("lineage markers (Y-STR, mtDNA) are stored, and their LRs enter the "
                        "screening of the full run only" if lineage else
                        "the new profiles bring an allele or a locus that no stored profile "
                        "had, which changes the markers of the whole case")
        out.case = identify_stored_case(db, config=config, frequencies=frequencies,
                                        store=store, progress=progress, actor=actor,
                                        theta=theta, mutation=mutation, dropout=drop,
                                        min_log10_lr=min_log10_lr, top=top)
        out.stored = out.case.stored
        out.identifications = dict(out.case.result.details)
        out.thresholds = dict(out.case.result.thresholds)
        return out
    spec = default_mutation() if isinstance(mutation, str) and mutation == "default" else mutation
    markers = [dataclasses.replace(m, mutation_female=spec, mutation_male=spec)
               for m in markers]
    out.used = (markers, victims, families)
    if stored_dropout is not None and stored_dropout[1] != drop:
        out.warnings.append(
            f"the latest stored run {stored_dropout[0]} used drop-out {stored_dropout[1]:g}; "
            f"this run uses {drop:g}: the groups and conclusions solved again may differ from "
            "a full run's (give the stored run's --dropout, or identify the whole case again)")
    if stored_rule is not None and stored_rule[1:] != (min_log10_lr, top):
        run, a, b = stored_rule
        out.warnings.append(
            f"the latest stored run {run} screened with min_log10_lr {a:g}, top {b}; this run "
            f"uses min_log10_lr {min_log10_lr:g}, top {top}: the groups solved again may "
            "differ from a full run's (leave out --screen-min-log10-lr and --screen-top to "
            "use the stored run's rule, or identify the whole case again)")

    # the two views, scored with the same models and codes in the full run's order
    refs = _references(families)
    models = {rel: pairwise_model(markers, rel, drop)
              for rel in dict.fromkeys(r for r, _, _ in refs)}
    encoded = _Encoded(next(iter(models.values()), None)
                       or pairwise_model(markers, "direct", drop))
    new = _Screen(victims, families, models, encoded, min_log10_lr, top)
    old = _Screen(old_victims, old_families, models, encoded, min_log10_lr, top)
    old_vic = {v.id: v for v in old_victims}
    changed_v = [i for i, v in enumerate(victims)
                 if v.id not in old_vic or old_vic[v.id].genotypes is not v.genotypes]
    out.new_remains = [victims[i].id for i in changed_v if victims[i].id not in old_vic]
    changed_f = {k for k, (a, b) in enumerate(zip(families, old_families, strict=True))
                 if a.profiles != b.profiles}
    # families whose candidates can differ: a changed reference, or an entry of a changed
    # remains (new or old) that is positive or reaches min_log10_lr (any other entry is never
    # chosen and displaces nobody)
    maybe = set(changed_f)
    if new.rel_order:
        for i in changed_v:
            maybe |= {int(k) for k in _may_choose(new.row(i), min_log10_lr, top)}
            j = old.index.get(victims[i].id)
            if j is not None and old.rel_order:
                maybe |= {int(k) for k in _may_choose(old.row(j), min_log10_lr, top)}

    def ids_of(screen: _Screen, k: int) -> set[str]:
        return {screen.victims[v].id for v in screen.candidates(k)}

    changed = sorted(k for k in maybe if ids_of(new, k) != ids_of(old, k))
    out.changed_families = [families[k].missing.id for k in changed]
    if changed:
        before = old.reach(changed)
        old_keys = {old.key(g) for g in old.groups(before)}
        reached = new.reach(set(changed) | before)
        todo = [g for g in new.groups(reached) if new.key(g) not in old_keys]
        # families of the old groups that now have no candidate: back to "no match"
        bare = sorted(k for k in reached if not new.candidates(k))
    else:
        todo, bare = [], []

    config = config if config is not None else IdentificationConfig()
    if config.prior_missing is None:
        config = dataclasses.replace(config, prior_missing=max(len(families), 1))
    by_marker = {m.name for m in markers}
    solve_kw: dict[str, Any] = {}
    if drop:     # the victims' observations, as in the full run (identify_case)
        from homecoming.identification.solver import VICTIM_NODE
        from homecoming.identification.tables import DropoutLikelihood

        solve_kw["loglik"] = DropoutLikelihood(
            drop, [fam.missing.id for fam in families] + [VICTIM_NODE])
    result = CaseIdentification(victims=len(victims), families=len(families),
                                candidate_pairs=0, components=len(todo))
    result.thresholds = {**config.thresholds(config.prior_missing),
                         "screening_min_log10_lr": min_log10_lr, "screening_top": top}
    out.thresholds = dict(result.thresholds)
    for done, (ks, vids) in enumerate(todo, start=1):
        ds_victims = [Victim(victims[v].id, victims[v].sex,
                             {m: g for m, g in victims[v].genotypes.items() if m in by_marker},
                             age_range=victims[v].age_range) for v in vids]
        ds_families = []
        for k in ks:
            ped, placed = family_pedigree(families[k].missing, families[k].donors)
            genotypes = {placed[d]: {m: g for m, g in prof.items() if m in by_marker}
                         for d, prof in families[k].profiles.items() if d in placed}
            mp = families[k].missing.id
            ds_families.append(Family(f"FAM:{mp}", ped, (mp,), genotypes))
        solved = solve(DviDataset(markers, ds_victims, ds_families, theta=theta),
                       config=config, **solve_kw)
        members = {"missing_persons": [families[k].missing.id for k in ks],
                   "remains": [victims[v].id for v in vids]}
        out.groups.append(members)
        result.components_provenance.append({"component": done, **members,
                                             "provenance": solved.provenance,
                                             **({"dropout": drop} if drop else {})})
        result.candidate_pairs += sum(len(new.candidates(k)) for k in ks)
        record_group(result, solved, done)
        if progress is not None:
            progress(done, len(todo))
    for k in bare:
        fam = families[k]
        typed = bool(set(fam.profiles) & placed_donors(fam.missing, fam.donors))
        record_unscreened(result, fam.missing.id, typed=typed)
    _withhold_flagged(result, flagged)
    if loci_left_out:
        result.warnings.append(f"loci not in frequency database {fdb.name} left out: "
                               f"{', '.join(loci_left_out)}")
    out.warnings.extend(result.warnings)
    out.identifications = dict(result.details)
    if store and result.details:
        from homecoming.services.identifications import store_case_identification

        mutation_model = None if spec is None else {k: getattr(spec, k) for k in
                                                    ("model", "rate", "rate2", "range")}
        prov = record(frequency_database=fdb, mutation_model=mutation_model, theta=theta,
                      dropout=drop or None, thresholds=result.thresholds, seed=None,
                      loci_left_out=loci_left_out,
                      input_sha256=_case_digest(markers, victims, families))
        prov["incremental"] = {"profiles": ids, "groups_solved": len(todo)}
        with db.session() as session:
            out.stored = store_case_identification(
                session, result, markers=markers, victims=victims, families=families,
                fdb=fdb, mutation=spec, theta=theta, provenance=prov, actor=actor,
                **({"dropout": drop} if drop else {}))
    return out


# --- importing profiles, then identifying what they change ----------------------------------

def stored_profile_barcodes(db: Any) -> set[str]:
    """The sample bar-codes of every stored profile (one Core select)."""
    from sqlalchemy import select

    from homecoming.storage import tables

    with db.session() as session:
        return {str(b) for (b,) in session.execute(select(tables.profiles.c.sample_barcode))}


def import_then_identify(db: Any, run_import: Callable[[], R], *, actor: str | None = None,
                         **identify: Any) -> tuple[R, IncrementalResult | None]:
    """Import profiles, then identify incrementally the ones the import stored.

    ``run_import``: the import use case to run, e.g. ``lambda: import_csv(db, "profiles",
    path)`` or :func:`~homecoming.services.imports.import_lab_profiles` (its own checks,
    transaction and audit); the profiles it stored are the stored bar-codes that were not
    there before. ``identify``: the keywords of :func:`identify_incrementally` (``config``,
    ``frequencies``, ``store``, ``theta``, ``mutation``, ``progress``, ...). Returns (what
    the import returned, the :class:`IncrementalResult`, or None when it stored no new
    profile). The permission to store identifications (``identify.run``) and the drop-out
    are checked before the import; the import is committed before the identification
    starts.
    """
    from homecoming.services.case_identification import dropout_probability
    from homecoming.services.screening import check_screening_rule

    dropout_probability(identify.get("dropout"))
    given_lr, given_top = identify.get("min_log10_lr"), identify.get("top")
    check_screening_rule(MIN_LOG10_LR if given_lr is None else given_lr,
                         TOP if given_top is None else given_top)
    if identify.get("store", True):
        from homecoming.services._common import _authorize

        with db.session() as session:
            _authorize(session, PERMISSION_IDENTIFY, actor)
    before = stored_profile_barcodes(db)
    imported = run_import()
    new = sorted(stored_profile_barcodes(db) - before)
    if not new:
        return imported, None
    return imported, identify_incrementally(db, profile_ids=new, actor=actor, **identify)
