"""The conclusion steps of :func:`homecoming.identification.solve`, one named function each.

dvir-style (Vigeland & Egeland, Sci Rep 11:13661, 2021; Egeland & Vigeland, FSI:G 2025 for the
GLR), in this order:

1. :func:`non_identifiable` — missing persons with no typed blood relative (directly or through
   other missing persons; :func:`identifiable_missing`);
2. :func:`excluded` — missing persons with no victim of compatible sex, or whose every
   compatible victim is excluded;
3. :func:`undisputed` — pairings whose LR reaches the threshold and beats every competitor in
   its row and column by that factor (iterated: a match removes its row and column);
4. per family with one identifiable missing person, :func:`am_driven` (probable / disputed /
   inconclusive / no match by pairwise LR);
5. per family with several, :func:`glr` (the generalised LR of each pairing of the family's
   best joint assignment), then :func:`symmetric` (ties between missing persons the data
   cannot tell apart, e.g. full siblings) and :func:`unresolved` for the rest;
6. :func:`victim_conclusions` — one conclusion per victim from the above.

Every step takes a :class:`StepInput` (the frozen numbers of the pairwise and joint stages) and
returns frozen, typed results; the joint maximisations the GLR needs come from a
:class:`JointOracle`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from homecoming.identification.conclusions import Conclusion
from homecoming.identification.config import IdentificationConfig
from homecoming.identification.dataset import DviDataset, Family
from homecoming.identification.joint import Option, _solve_component
from homecoming.identification.results import (
    MissingConclusion,
    Pairing,
    VictimConclusion,
    exp_or_inf,
)

__all__ = ["StepInput", "JointOracle", "Undisputed", "GlrStep", "SymmetricStep",
           "identifiable_missing", "non_identifiable", "excluded", "undisputed", "am_driven",
           "glr", "symmetric", "unresolved", "victim_conclusions", "posterior", "runner_up"]

#: keep(family index, option) -> bool, as in :mod:`homecoming.identification.joint`.
OptionFilter = Callable[[int, Option], bool]


def posterior(lr: float, n: int) -> float:
    """Posterior with prior 1/n: LR / (LR + n − 1)."""
    if lr == float("inf"):
        return 1.0
    return lr / (lr + n - 1) if lr + n - 1 > 0 else 1.0


@dataclass(frozen=True)
class StepInput:
    """What every step reads: the dataset, the configuration and the stage results.

    :param pairings: (victim, missing) -> the pairwise comparison.
    :param candidates: missing -> victims not excluded (usable DNA, LR > 0).
    :param usable: victim -> has a usable marker.
    :param identifiable: missing -> has a typed relative.
    :param marginals: (victim, missing) -> joint marginal posterior (may be empty).
    :param n_missing: N of the prior 1/N.
    """

    dataset: DviDataset
    config: IdentificationConfig
    pairings: Mapping[tuple[str, str], Pairing]
    candidates: Mapping[str, Sequence[str]]
    usable: Mapping[str, bool]
    identifiable: Mapping[str, bool]
    marginals: Mapping[tuple[str, str], float]
    n_missing: int
    family_of: Mapping[str, str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "family_of", {m: f.name for f in self.dataset.families
                                               for m in f.missing})

    def lr(self, victim: str, missing: str) -> float:
        """The pairing's LR with non-DNA evidence; 0 when excluded or not compared."""
        p = self.pairings.get((victim, missing))
        if p is None or victim not in self.candidates.get(missing, ()):
            return 0.0
        return exp_or_inf(p.combined_log_lr)

    def posterior(self, lr: float) -> float:
        return posterior(lr, self.n_missing)

    def posterior_ok(self, lr: float) -> bool:
        pt = self.config.posterior_threshold
        return pt is None or self.posterior(lr) >= pt


class JointOracle:
    """Best joint log-likelihoods of a family's component under filters (for the GLR).

    :param options: per family, the options of the joint search (scores).
    :param comp_of: family index -> the families of its component.
    :param forced: missing -> victim fixed by :func:`undisputed`; every option contradicting
        them is left out.
    """

    def __init__(self, dataset: DviDataset, options: Sequence[Sequence[Option]],
                 comp_of: Mapping[int, list[int]], config: IdentificationConfig,
                 forced: Mapping[str, str], wide: set[tuple[int, ...]] | None = None) -> None:
        self.dataset = dataset
        self.options = options
        self.comp_of = comp_of
        self.config = config
        self.forced = dict(forced)
        self._forced_victims = set(self.forced.values())
        # components too wide for the DP (shared with the joint stage's)
        self.wide: set[tuple[int, ...]] = set() if wide is None else wide
        self._ranked: dict[tuple[int, ...], list[tuple[float, dict[int, Option]]]] = {}
        #: components whose ranked best is proven best (the search did not stop at its limit)
        self._proven: set[tuple[int, ...]] = set()

    def keep_forced(self, fi: int, o: Option) -> bool:
        fam = self.dataset.families[fi]
        for m, v in o.pairs:
            if v in self._forced_victims and self.forced.get(m) != v:
                return False
        for m in fam.missing:
            if m in self.forced and (m, self.forced[m]) not in o.pairs:
                return False
        return True

    def best_with(self, fi: int, extra: OptionFilter | None) -> float:
        """Best log score of ``fi``'s component with only options passing ``extra``."""
        c = self.comp_of[fi]
        keep: OptionFilter = self.keep_forced if extra is None else (
            lambda f, o: self.keep_forced(f, o) and extra(f, o))
        res = _solve_component(c, self.options, 1, self.config.max_states, keep, False,
                               self.wide, self.config.max_assignment_solves)
        return res.top[0][0] if res.top else float("-inf")

    def ranked(self, fi: int, k: int) -> list[tuple[float, dict[int, Option]]]:
        """The best assignment of ``fi``'s component and those tying with it (within
        ``config.tie_tolerance``), at most ``k``: (score, family -> option). Computed once per
        component."""
        c = self.comp_of[fi]
        key = tuple(c)
        if key not in self._ranked:
            rel = self.config.tie_tolerance
            res = _solve_component(c, self.options, k, self.config.max_states,
                                   self.keep_forced, False, self.wide,
                                   self.config.max_assignment_solves, ties_only=rel)
            top = res.top
            if top:
                tol = rel * max(1.0, abs(top[0][0]))
                top = [t for t in top if abs(t[0] - top[0][0]) <= tol]
            self._ranked[key] = [(g, {f: self.options[f][j] for f, j in zip(res.families, ch)})
                                 for g, ch in top]
            if not res.limit_reached:
                self._proven.add(key)
        return self._ranked[key]

    def best_is_proven(self, fi: int) -> bool:
        """Whether :meth:`ranked`'s first assignment of ``fi``'s component is proven the best
        (an exact DP, or an assignment search that did not stop at its limit)."""
        return tuple(self.comp_of[fi]) in self._proven


def runner_up(v: str, m: str, vs: Sequence[str], ms: Sequence[str],
              lr: Callable[[str, str], float]) -> str:
    """'runner-up: V=M (LR=…)': the best competitor of (v, m) in its row and column."""
    others = [(lr(v2, m), f"{v2}={m}") for v2 in vs if v2 != v] + \
             [(lr(v, m2), f"{v}={m2}") for m2 in ms if m2 != m]
    if not others:
        return "runner-up: none"
    x, name = max(others)
    return f"runner-up: {name} (LR={x:.3g})"


# --- 1, 2 ---------------------------------------------------------------------------------

def _ancestors(family: Family, pid: str) -> set[str]:
    """``pid`` and all its ancestors in the family's pedigree."""
    out = {pid}
    stack = [pid]
    while stack:
        p = family.pedigree[stack.pop()]
        for parent in (p.father, p.mother):
            if parent is not None and parent not in out:
                out.add(parent)
                stack.append(parent)
    return out


def identifiable_missing(dataset: DviDataset) -> dict[str, bool]:
    """missing -> whether DNA can identify them: the missing person is a blood relative of a
    typed member of the family, directly or through other missing persons who are.

    dvir R/findNonidentifiable.R (``findNonidentifiable``, ``.nonidentif``): starting from the
    typed members, repeatedly link the missing persons whose kinship coefficient with a linked
    person is positive; those never linked are nonidentifiable. Here two persons have a
    positive kinship coefficient when they share an ancestor (one may be the other's
    ancestor): founders are taken as unrelated and not inbred, as the pedigree format has no
    founder inbreeding. A relative by marriage only (a spouse, a parent-in-law) is unrelated.
    """
    out: dict[str, bool] = {}
    for f in dataset.families:
        anc = {pid: _ancestors(f, pid) for pid in (*f.typed_members(), *f.missing)}
        cand = list(f.missing)
        linked = list(f.typed_members())
        while cand and linked:
            linked = [m for m in cand if any(anc[m] & anc[x] for x in linked)]
            cand = [m for m in cand if m not in linked]
        out.update({m: m not in cand for m in f.missing})
    return out


def non_identifiable(inp: StepInput) -> tuple[MissingConclusion, ...]:
    """Missing persons without a typed blood relative (DNA cannot identify them; every LR
    would be 1). dvir R/findNonidentifiable.R; its comments: "No references in family" or
    "Unrelated to all references"."""
    return tuple(MissingConclusion(m, f.name, None, Conclusion.NON_IDENTIFIABLE,
                                   comment="no typed relative in the family"
                                   if not f.typed_members() else
                                   "unrelated to every typed member of the family")
                 for f in inp.dataset.families for m in f.missing if not inp.identifiable[m])


def excluded(inp: StepInput) -> tuple[MissingConclusion, ...]:
    """Identifiable missing persons with no victim of compatible sex, or whose compared
    victims are all excluded: excluded (dvir R/findExcluded.R, ``findExcluded``: a missing
    person whose every pairing has more than ``maxIncomp`` inconsistencies, or who has no
    compatible pairing at all, "No compatible pairings", is "Excluded").

    A missing person whose compatible victims all lack a usable marker is inconclusive: in
    dvir such a pairing has LR 1 and no inconsistency, and a best LR ≥ 1 below the probable
    threshold is "Inconclusive" (R/amDrivenDVI.R, ``.simpleFamDVI``)."""
    out = []
    compared_with: dict[str, list[str]] = {}
    sex_ok: set[str] = set()
    for (v, mm) in inp.pairings:
        sex_ok.add(mm)
        if inp.usable[v]:
            compared_with.setdefault(mm, []).append(v)
    for f in inp.dataset.families:
        for m in f.missing:
            if not inp.identifiable[m]:
                continue
            compared = compared_with.get(m, [])
            if m not in sex_ok:
                out.append(MissingConclusion(m, f.name, None, Conclusion.EXCLUDED,
                                             comment="no victim of compatible sex"))
            elif not compared:
                out.append(MissingConclusion(m, f.name, None, Conclusion.INCONCLUSIVE,
                                             comment="no victim of compatible sex has a "
                                                     "usable marker"))
            elif not inp.candidates[m]:
                out.append(MissingConclusion(m, f.name, None, Conclusion.EXCLUDED,
                                             comment=f"all {len(compared)} compatible victims "
                                                     "excluded"))
    return tuple(out)


# --- 3 ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Undisputed:
    """:func:`undisputed`'s result: the conclusions, the matches (missing -> victim) and the
    victims' conclusions."""

    conclusions: tuple[MissingConclusion, ...]
    matches: Mapping[str, str]
    victims: tuple[VictimConclusion, ...]


def undisputed(inp: StepInput, active_missing: Sequence[str],
               active_victims: Sequence[str]) -> Undisputed:
    """Pairings with LR ≥ T that beat every competitor in their row and column by a factor T
    (and reach the posterior threshold), iterated until nothing changes."""
    t = inp.config.lr_threshold
    ms, vs = list(active_missing), list(active_victims)
    out: list[MissingConclusion] = []
    vic: list[VictimConclusion] = []
    matches: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for m in list(ms):
            for v in list(vs):
                x = inp.lr(v, m)
                if x < t:
                    continue
                others = [inp.lr(v2, m) for v2 in vs if v2 != v] + \
                         [inp.lr(v, m2) for m2 in ms if m2 != m]
                if any(x < t * o for o in others) or not inp.posterior_ok(x):
                    continue
                out.append(MissingConclusion(m, inp.family_of[m], v, Conclusion.UNDISPUTED,
                                             lr=x, posterior=inp.posterior(x),
                                             joint_posterior=inp.marginals.get((v, m)),
                                             comment=runner_up(v, m, vs, ms, inp.lr)))
                vic.append(VictimConclusion(v, m, inp.family_of[m], Conclusion.UNDISPUTED, x))
                matches[m] = v
                ms.remove(m)
                vs.remove(v)
                changed = True
                break
    return Undisputed(tuple(out), matches, tuple(vic))


# --- 4 ------------------------------------------------------------------------------------

def _by_pairwise_lr(inp: StepInput, family: Family, m: str, victims: Sequence[str],
                    one_missing: bool) -> MissingConclusion:
    t2 = inp.config.probable
    # best first; ties in the given victim order (dvir: which.max, the first of several)
    lrs = sorted(((inp.lr(v, m), v) for v in victims), key=lambda t: -t[0])
    top = [(x, v) for x, v in lrs if x > t2]
    if len(top) > 1:
        return MissingConclusion(
            m, family.name, top[0][1], Conclusion.DISPUTED, lr=top[0][0],
            posterior=inp.posterior(top[0][0]) if one_missing else None,
            joint_posterior=inp.marginals.get((top[0][1], m)) if one_missing else None,
            comment="also: " + ", ".join(f"{v} (LR={x:.3g})" for x, v in top[1:]))
    if len(top) == 1:
        x, v = top[0]
        if one_missing:
            return MissingConclusion(m, family.name, v, Conclusion.PROBABLE, lr=x,
                                     posterior=inp.posterior(x),
                                     joint_posterior=inp.marginals.get((v, m)),
                                     comment=runner_up(v, m, victims, [m], inp.lr))
        return MissingConclusion(m, family.name, v, Conclusion.INCONCLUSIVE, lr=x,
                                 joint_posterior=inp.marginals.get((v, m)),
                                 comment="pairwise LR reaches the probable threshold but the "
                                         "GLR does not reach the LR threshold")
    # dvir R/amDrivenDVI.R (.simpleFamDVI): no LR above the probable threshold but the best
    # LR >= 1: "Inconclusive" (comment "Best: V"); best LR < 1: "No match".
    if lrs and lrs[0][0] >= 1.0:
        x, v = lrs[0]
        return MissingConclusion(m, family.name, v, Conclusion.INCONCLUSIVE, lr=x,
                                 joint_posterior=inp.marginals.get((v, m)),
                                 comment=f"best: {v} (LR={x:.3g}), below the probable "
                                         "threshold")
    best = f"best: {lrs[0][1]} (LR={lrs[0][0]:.3g})" if lrs else "no candidate"
    return MissingConclusion(m, family.name, None, Conclusion.NO_MATCH, comment=best)


def am_driven(inp: StepInput, family: Family, missing: str,
              active_victims: Sequence[str]) -> MissingConclusion:
    """A family with one identifiable missing person, by pairwise LR (dvir R/amDrivenDVI.R,
    ``.simpleFamDVI``): probable (one victim above the probable threshold), disputed (several),
    inconclusive (none, but the best LR is at least 1) or no match (every LR below 1)."""
    return _by_pairwise_lr(inp, family, missing, active_victims, True)


# --- 5 ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GlrStep:
    """:func:`glr`'s result.

    :param ranked: the family component's best assignments (score, family index -> option).
    :param best: missing -> victim in the best assignment.
    :param glrs: missing -> GLR of its pairing in the best assignment.
    """

    ranked: tuple[tuple[float, Mapping[int, Option]], ...]
    best: Mapping[str, str]
    glrs: Mapping[str, float]
    conclusions: tuple[MissingConclusion, ...]
    victims: tuple[VictimConclusion, ...]


def glr(inp: StepInput, family: Family, active_missing: Sequence[str],
        oracle: JointOracle) -> GlrStep:
    """Several missing persons in the family: for each pairing (M, V) of the best joint
    assignment, GLR = max over assignments with V = M / max over assignments without; a match
    when GLR ≥ T (and the posterior threshold)."""
    fi = [f.name for f in inp.dataset.families].index(family.name)
    ranked = oracle.ranked(fi, inp.config.glr_top)
    if not ranked:
        return GlrStep((), {}, {}, (), ())
    sub = dict(ranked[0][1][fi].pairs)
    glrs: dict[str, float] = {}
    out: list[MissingConclusion] = []
    vic: list[VictimConclusion] = []
    for m in active_missing:
        v = sub.get(m)
        if v is None:
            continue
        pair = (m, v)

        def with_pair(f: int, o: Option, pair: tuple[str, str] = pair) -> bool:
            return f != fi or pair in o.pairs

        def without_pair(f: int, o: Option, pair: tuple[str, str] = pair) -> bool:
            return f != fi or pair not in o.pairs

        # the best assignment holds the pairing: where it is proven best, it is the best with
        # the pairing too (one solve of the component fewer per pairing)
        num = ranked[0][0] if oracle.best_is_proven(fi) else oracle.best_with(fi, with_pair)
        den = oracle.best_with(fi, without_pair)
        g = exp_or_inf(num - den)
        glrs[m] = g
        if g >= inp.config.lr_threshold and inp.posterior_ok(g):
            out.append(MissingConclusion(m, family.name, v, Conclusion.MATCH_BY_GLR,
                                         lr=inp.lr(v, m), glr=g, posterior=inp.posterior(g),
                                         joint_posterior=inp.marginals.get((v, m))))
            vic.append(VictimConclusion(v, m, family.name, Conclusion.MATCH_BY_GLR,
                                        inp.lr(v, m), g))
    return GlrStep(tuple(ranked), sub, glrs, tuple(out), tuple(vic))


@dataclass(frozen=True)
class SymmetricStep:
    """:func:`symmetric`'s result: the missing persons and victims that are the same set."""

    missing: tuple[str, ...]
    victims: frozenset[str]
    glr: float
    conclusions: tuple[MissingConclusion, ...]
    victim_conclusions: tuple[VictimConclusion, ...]


def symmetric(inp: StepInput, family: Family, active_missing: Sequence[str],
              decided: set[str] | frozenset[str],
              ranked: Sequence[tuple[float, Mapping[int, Option]]],
              oracle: JointOracle) -> SymmetricStep | None:
    """Several best assignments tie and differ only by which of some missing persons of this
    family the same victims are (e.g. full siblings): the set is identified when the GLR of
    "these victims are these missing persons, in some order" reaches T."""
    fi = [f.name for f in inp.dataset.families].index(family.name)
    if not ranked:
        return None
    tol = inp.config.tie_tolerance * max(1.0, abs(ranked[0][0]))
    ties = [r for r in ranked if abs(r[0] - ranked[0][0]) <= tol]
    if len(ties) < 2:
        return None
    subs = [dict(t[1][fi].pairs) for t in ties]
    s1 = subs[0]
    sym = sorted({m for s in subs[1:] for m in set(s1) | set(s) if s1.get(m) != s.get(m)})
    vset = frozenset(s[m] for s in subs for m in sym if m in s)
    if not (sym and all({s[m] for m in sym if m in s} == vset for s in subs)
            and all(m in active_missing and m not in decided for m in sym)):
        return None
    mset = set(sym)

    def as_set(o: Option) -> bool:
        return {v for m, v in o.pairs if m in mset} == vset and \
            {m for m, v in o.pairs if v in vset} <= mset

    num = oracle.best_with(fi, lambda f, o: f != fi or as_set(o))
    den = oracle.best_with(fi, lambda f, o: f != fi or not as_set(o))
    g = exp_or_inf(num - den)
    if not (g >= inp.config.lr_threshold and inp.posterior_ok(g)):
        return None
    label = "/".join(sorted(vset))
    mlabel = "/".join(sym)
    out = tuple(MissingConclusion(
        m, family.name, label, Conclusion.SYMMETRIC_MATCH,
        lr=max(inp.lr(v, m) for v in vset), glr=g, posterior=inp.posterior(g),
        comment=(f"{label} is one of {mlabel}" if len(vset) == 1 else
                 f"{label} are {mlabel} in some order") + "; the data cannot tell which")
        for m in sym)
    vic = tuple(VictimConclusion(v, mlabel, family.name, Conclusion.SYMMETRIC_MATCH, None, g,
                                 f"one of {mlabel}") for v in sorted(vset))
    return SymmetricStep(tuple(sym), vset, g, out, vic)


#: the comment of a missing person whose family's joint search ranked no assignment
NO_JOINT_RANKING = ("the joint search reached its limit (max_assignment_solves) before ranking "
                    "an assignment of this family: concluded from pairwise LRs only")


def unresolved(inp: StepInput, family: Family, missing: str, step: GlrStep,
               active_victims: Sequence[str]) -> MissingConclusion:
    """A missing person of a several-missing family that neither the GLR nor symmetry
    identified: probable when its GLR passes the probable threshold, else by pairwise LR
    (disputed, inconclusive or no match)."""
    g = step.glrs.get(missing, 0.0)
    if g > inp.config.probable:
        v = step.best[missing]
        return MissingConclusion(
            missing, family.name, v, Conclusion.PROBABLE, lr=inp.lr(v, missing), glr=g,
            posterior=inp.posterior(g), joint_posterior=inp.marginals.get((v, missing)),
            comment="GLR reaches the probable threshold"
                    + ("" if g < inp.config.lr_threshold else " (posterior below its threshold)"))
    return _by_pairwise_lr(inp, family, missing, active_victims, False)


# --- 6 ------------------------------------------------------------------------------------

def victim_conclusions(inp: StepInput, missing: Sequence[MissingConclusion],
                       matched: Sequence[VictimConclusion]) -> list[VictimConclusion]:
    """One conclusion per victim, dataset order: its match if any step made one; else the
    victim named by a probable or disputed missing person; else inconclusive (no usable DNA,
    or a best pairing above the probable threshold), excluded or no match."""
    vic_of: dict[str, VictimConclusion] = {}
    for vc in matched:
        vic_of[vc.victim] = vc
    for mc in missing:
        if mc.victim and mc.conclusion in (Conclusion.PROBABLE, Conclusion.DISPUTED) \
                and mc.victim not in vic_of:
            vic_of[mc.victim] = VictimConclusion(mc.victim, mc.missing, mc.family, mc.conclusion,
                                                 mc.lr, mc.glr, mc.comment)
    out: list[VictimConclusion] = []
    compared_with: dict[str, list[str]] = {}
    for (vv, m) in inp.pairings:
        if inp.identifiable[m]:
            compared_with.setdefault(vv, []).append(m)
    for v in inp.dataset.victims:
        if v.id in vic_of:
            out.append(vic_of[v.id])
            continue
        if not inp.usable[v.id]:
            out.append(VictimConclusion(v.id, None, None, Conclusion.INCONCLUSIVE,
                                        comment="no usable DNA marker"))
            continue
        compared = compared_with.get(v.id, [])
        cands = [m for m in compared if v.id in inp.candidates[m]]
        if compared and not cands:
            out.append(VictimConclusion(v.id, None, None, Conclusion.EXCLUDED,
                                        comment=f"excluded from all {len(compared)} "
                                                "compatible missing persons"))
            continue
        best = max(((inp.lr(v.id, m), m) for m in cands), default=None)
        if best is not None and best[0] > inp.config.probable:
            out.append(VictimConclusion(v.id, best[1], inp.family_of[best[1]],
                                        Conclusion.INCONCLUSIVE, best[0],
                                        comment="best pairing not resolved"))
        else:
            out.append(VictimConclusion(
                v.id, None, None, Conclusion.NO_MATCH,
                comment=f"best: {best[1]} (LR={best[0]:.3g})" if best else "no candidate"))
    return out
