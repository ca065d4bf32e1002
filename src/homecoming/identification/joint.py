"""Exact search over joint assignments of victims to missing persons.

The likelihood of an assignment factorises over reference families (at θ = 0):

    log L(a) = Σ_F log L(F | victims a puts in F) + Σ_{v unassigned} log L(v alone)
             = log L(null) + Σ_F g_F(a_F)

where ``g_F(s) = log L(F | s) − log L(F) − Σ_{v in s} log L(v)`` is the *gain* of the family's
sub-assignment ``s`` against the null assignment (``g_F(∅) = 0``). The only coupling between
families is that a victim is used at most once. So the search works on families'
*options* (a victim bitmask and a gain) and:

1. splits the families into connected components (families sharing a candidate victim);
   components are independent: top-k lists combine by a k-best merge of sums and the partition
   function is a product;
2. inside a component, runs a dynamic programme over families in an order chosen to keep the
   *frontier* small (the state is the set of used victims that later families could still use).
   The same DP gives the exact best assignment, the exact top-k (k-best per state) and the exact
   partition function ``Z = Σ_a exp(g(a))`` (log-sum-exp per state);
3. if a component's frontier is too wide (more than ``max_states`` states) and every family
   in it has one missing person (each option places at most one victim), the best assignment
   is a linear assignment problem (families × victims, plus one "nobody" column per family),
   solved exactly by ``scipy.optimize.linear_sum_assignment``, and the exact top-k by Murty's
   ranking algorithm (Murty 1968, "An algorithm for ranking all the assignments in order of
   increasing cost", Operations Research 16:682–687); ``Z`` is then the top-k lower bound, as
   below, and the posterior is marked not exact;
4. otherwise (a wide component with families of several missing persons) falls back to
   depth-first branch-and-bound with the optimistic bound "best option of every remaining family,
   ignoring victim conflicts" — still exact for the best and the top-k — and approximates ``Z`` by
   the sum over the top-k found (a lower bound; the upper bound ``Π_F Σ_options exp(g)`` is
   reported too) and marks the posterior as not exact.

Everything here is pure search over numbers; the likelihoods come from the caller.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from homecoming.identification.groups import groups_sharing

#: Default cap on DP states per layer before falling back to branch-and-bound.
DEFAULT_MAX_STATES = 200_000
#: Default cap on linear-assignment solves per wide component (see :func:`search`).
DEFAULT_MAX_ASSIGNMENT_SOLVES = 20_000


@dataclass(frozen=True)
class Option:
    """One sub-assignment of a family: victims used (bitmask), gain (natural log LR vs null)."""

    mask: int
    gain: float
    pairs: tuple[tuple[str, str], ...] = ()  # (missing, victim)


OptionFilter = Callable[[int, Option], bool]  # (family index, option) -> keep?


def _logsumexp(values: Sequence[float]) -> float:
    if not values:
        return -math.inf
    m = max(values)
    if m == -math.inf:
        return -math.inf
    return m + math.log(sum(math.exp(v - m) for v in values))


def _logaddexp(a: float, b: float) -> float:
    return float(np.logaddexp(a, b))


@dataclass
class ComponentResult:
    families: tuple[int, ...]
    top: list[tuple[float, tuple[int, ...]]]  # (gain, option index per family in `families`)
    log_z: float
    exact: bool
    log_z_upper: float = math.inf
    method: str = "dp"          # "dp", "assignment" (Murty) or "branch_and_bound"


@dataclass
class JointSolution:
    """Result of :func:`search`.

    ``top``: list of (log LR vs null, option index per family), best first.
    ``log_z``: log Σ_a LR(a) (exact when ``exact``; else the top-k lower bound).
    """

    top: list[tuple[float, tuple[int, ...]]]
    log_z: float
    exact: bool
    log_z_upper: float
    components: list[ComponentResult] = field(default_factory=list)
    method: dict[str, str] = field(default_factory=dict)


class _TooLarge(Exception):
    pass


def components(options: Sequence[Sequence[Option]]) -> list[list[int]]:
    """Families grouped into independent components (shared candidate victims)."""
    def bits(mask: int) -> list[int]:
        out, bit = [], 0
        while mask:
            if mask & 1:
                out.append(bit)
            mask >>= 1
            bit += 1
        return out

    masks = []
    for opts in options:
        mask = 0
        for o in opts:
            mask |= o.mask
        masks.append(bits(mask))
    return groups_sharing(masks)


def _family_order(fams: list[int], options: Sequence[Sequence[Option]]) -> list[int]:
    """Greedy order keeping the frontier (victims shared with not-yet-processed families) small."""
    masks = {f: 0 for f in fams}
    for f in fams:
        for o in options[f]:
            masks[f] |= o.mask
    remaining = set(fams)
    order: list[int] = []
    seen = 0
    while remaining:
        best, best_key = None, None
        for f in sorted(remaining):
            new_seen = seen | masks[f]
            rest = 0
            for g in remaining:
                if g != f:
                    rest |= masks[g]
            key = (bin(new_seen & rest).count("1"), len(options[f]))
            if best_key is None or key < best_key:
                best, best_key = f, key
        assert best is not None
        order.append(best)
        seen |= masks[best]
        remaining.discard(best)
    return order


def _dp(fams: list[int], options: Sequence[Sequence[Option]], k: int, max_states: int,
        keep: OptionFilter | None, want_z: bool) -> ComponentResult:
    order = _family_order(fams, options)
    future = [0] * (len(order) + 1)
    for i in range(len(order) - 1, -1, -1):
        m = 0
        for o in options[order[i]]:
            m |= o.mask
        future[i] = future[i + 1] | m
    # state -> (log z, top list of (gain, chain)); chain is a linked list (choice, parent)
    states: dict[int, tuple[float, list[tuple[float, object]]]] = {0: (0.0, [(0.0, None)])}
    for i, f in enumerate(order):
        nxt_future = future[i + 1]
        opts = [(j, o) for j, o in enumerate(options[f]) if keep is None or keep(f, o)]
        new: dict[int, tuple[float, list[tuple[float, object]]]] = {}
        for s, (lz, tops) in states.items():
            for j, o in opts:
                if o.mask & s:
                    continue
                t = (s | o.mask) & nxt_future
                cand = [(g + o.gain, (j, chain)) for g, chain in tops]
                lz2 = lz + o.gain
                if t in new:
                    old_lz, old_tops = new[t]
                    merged = heapq.nlargest(k, old_tops + cand, key=lambda x: x[0])
                    new[t] = (_logaddexp(old_lz, lz2) if want_z else old_lz, merged)
                else:
                    new[t] = (lz2, cand[:k])
                    if len(new) > max_states:
                        raise _TooLarge     # give up at once, not after the whole layer
        states = new
    all_tops: list[tuple[float, object]] = []
    zs: list[float] = []
    for lz, tops in states.values():
        all_tops.extend(tops)
        zs.append(lz)
    best = heapq.nlargest(k, all_tops, key=lambda x: x[0])
    pos = {f: n for n, f in enumerate(fams)}
    out: list[tuple[float, tuple[int, ...]]] = []
    for g, chain in best:
        choice = [0] * len(fams)
        idx = len(order) - 1
        while chain is not None:
            j, chain = chain  # type: ignore[misc]
            choice[pos[order[idx]]] = j
            idx -= 1
        out.append((g, tuple(choice)))
    log_z = _logsumexp(zs) if want_z else math.nan
    return ComponentResult(tuple(fams), out, log_z, True, log_z)


def _branch_and_bound(fams: list[int], options: Sequence[Sequence[Option]], k: int,
                      keep: OptionFilter | None) -> ComponentResult:
    opts = {f: sorted(((j, o) for j, o in enumerate(options[f]) if keep is None or keep(f, o)),
                      key=lambda x: -x[1].gain) for f in fams}
    order = sorted(fams, key=lambda f: -(opts[f][0][1].gain if opts[f] else 0.0))
    bound = [0.0] * (len(order) + 1)
    for i in range(len(order) - 1, -1, -1):
        f = order[i]
        bound[i] = bound[i + 1] + (opts[f][0][1].gain if opts[f] else -math.inf)
    heap: list[tuple[float, int, tuple[int, ...]]] = []  # min-heap of (gain, tiebreak, choice)
    counter = [0]
    pos = {f: n for n, f in enumerate(fams)}
    choice = [0] * len(fams)

    def visit(i: int, used: int, g: float) -> None:
        if len(heap) == k and g + bound[i] <= heap[0][0]:
            return
        if i == len(order):
            counter[0] += 1
            item = (g, counter[0], tuple(choice))
            if len(heap) < k:
                heapq.heappush(heap, item)
            else:
                heapq.heapreplace(heap, item)
            return
        f = order[i]
        for j, o in opts[f]:
            if o.mask & used:
                continue
            if len(heap) == k and g + o.gain + bound[i + 1] <= heap[0][0]:
                break  # options sorted by gain: no later one can do better
            choice[pos[f]] = j
            visit(i + 1, used | o.mask, g + o.gain)

    visit(0, 0, 0.0)
    top = sorted(((g, c) for g, _, c in heap), key=lambda x: -x[0])
    upper = sum(_logsumexp([o.gain for _, o in opts[f]]) for f in fams)
    return ComponentResult(tuple(fams), top, _logsumexp([g for g, _ in top]), False, upper,
                           "branch_and_bound")


def _assignment_form(fams: list[int], options: Sequence[Sequence[Option]],
                     keep: OptionFilter | None) -> list[dict[int, int]] | None:
    """Per family, {column: option index} when the component is a linear assignment problem
    (every kept option places at most one victim, at most one option per victim; column -1 =
    nobody); else None."""
    out: list[dict[int, int]] = []
    for f in fams:
        cols: dict[int, int] = {}
        for j, o in enumerate(options[f]):
            if keep is not None and not keep(f, o):
                continue
            if o.mask & (o.mask - 1):
                return None                       # two victims in one option
            col = o.mask.bit_length() - 1         # -1 for the empty option
            if col in cols:
                return None                       # two options with the same victim
            cols[col] = j
        out.append(cols)
    return out


def _murty(fams: list[int], options: Sequence[Sequence[Option]], k: int,
           form: list[dict[int, int]]) -> ComponentResult:
    """Exact top-k of an assignment-form component (Murty's ranking over LSAP solutions)."""
    from scipy.optimize import linear_sum_assignment

    n = len(fams)
    victims = sorted({c for cols in form for c in cols if c >= 0})
    vcol = {v: i for i, v in enumerate(victims)}
    m = len(victims)
    # gain matrix: rows families, columns victims then one "nobody" column per family
    gain = np.full((n, m + n), -np.inf)
    for r, cols in enumerate(form):
        for c, j in cols.items():
            gain[r, vcol[c] if c >= 0 else m + r] = options[fams[r]][j].gain
    big = 1.0 + 2.0 * float(np.sum(np.abs(gain[np.isfinite(gain)]))) if np.isfinite(gain).any() \
        else 1.0

    def solve(forced: tuple[tuple[int, int], ...], banned: frozenset[tuple[int, int]]
              ) -> tuple[float, tuple[int, ...]] | None:
        rows_fixed = {r for r, _ in forced}
        cols_fixed = {c for _, c in forced}
        total = 0.0
        for r, c in forced:
            total += gain[r, c]
        rows = [r for r in range(n) if r not in rows_fixed]
        cols = [c for c in range(m + n) if c not in cols_fixed]
        assign = dict(forced)
        if rows:
            sub = gain[np.ix_(rows, cols)].copy()
            for (r, c) in banned:
                if r in rows_fixed or c in cols_fixed:
                    continue
                sub[rows.index(r), cols.index(c)] = -np.inf
            cost = np.where(np.isfinite(sub), -sub, big)
            ri, ci = linear_sum_assignment(cost)
            for a, b in zip(ri, ci):
                if not np.isfinite(sub[a, b]):
                    return None                   # no feasible assignment in this subspace
                assign[rows[a]] = cols[b]
                total += sub[a, b]
        return total, tuple(assign[r] for r in range(n))

    first = solve((), frozenset())
    top: list[tuple[float, tuple[int, ...]]] = []
    if first is not None:
        counter = 0
        heap: list[tuple[float, int, tuple[int, ...], tuple, frozenset]] = [
            (-first[0], counter, first[1], (), frozenset())]
        while heap and len(top) < k:
            neg, _, sol, forced, banned = heapq.heappop(heap)
            top.append((-neg, sol))
            fixed = dict(forced)
            free = [r for r in range(n) if r not in fixed]
            prefix = list(forced)
            for r in free:
                child = solve(tuple(prefix), banned | {(r, sol[r])})
                if child is not None:
                    counter += 1
                    heapq.heappush(heap, (-child[0], counter, child[1], tuple(prefix),
                                          banned | {(r, sol[r])}))
                prefix.append((r, sol[r]))
    out = []
    for g, sol in top:
        choice = []
        for r, c in enumerate(sol):
            col = victims[c] if c < m else -1
            choice.append(form[r][col])
        out.append((g, tuple(choice)))
    upper = sum(_logsumexp([options[fams[r]][j].gain for j in form[r].values()])
                for r in range(n))
    return ComponentResult(tuple(fams), out, _logsumexp([g for g, _ in out]), False, upper,
                           "assignment")


def _solve_component(fams: list[int], options: Sequence[Sequence[Option]], k: int,
                     max_states: int, keep: OptionFilter | None, want_z: bool,
                     wide: set[tuple[int, ...]] | None = None,
                     max_solves: int = DEFAULT_MAX_ASSIGNMENT_SOLVES) -> ComponentResult:
    """Solve one component. ``wide`` (shared across calls on the same options) remembers the
    components whose DP went past ``max_states``, so that repeated solves (with filters, for
    marginal posteriors) go straight to the fallback instead of growing the DP again."""
    try:
        if wide is not None and tuple(fams) in wide:
            raise _TooLarge
        return _dp(fams, options, k, max_states, keep, want_z)
    except _TooLarge:
        if wide is not None:
            wide.add(tuple(fams))
        form = _assignment_form(fams, options, keep)
        if form is not None:
            return _murty(fams, options, k, form)
        return _branch_and_bound(fams, options, k, keep)


def _merge_top(a: list[tuple[float, tuple[int, ...]]], b: list[tuple[float, tuple[int, ...]]],
               k: int) -> list[tuple[float, tuple[tuple[int, ...], tuple[int, ...]]]]:
    """k largest sums a[i] + b[j] of two lists sorted descending."""
    if not a or not b:
        return []
    out = []
    heap = [(-(a[0][0] + b[0][0]), 0, 0)]
    seen = {(0, 0)}
    while heap and len(out) < k:
        neg, i, j = heapq.heappop(heap)
        out.append((-neg, (a[i][1], b[j][1])))
        for ni, nj in ((i + 1, j), (i, j + 1)):
            if ni < len(a) and nj < len(b) and (ni, nj) not in seen:
                seen.add((ni, nj))
                heapq.heappush(heap, (-(a[ni][0] + b[nj][0]), ni, nj))
    return out


def search(options: Sequence[Sequence[Option]], *, k: int = 10,
           max_states: int = DEFAULT_MAX_STATES, keep: OptionFilter | None = None,
           want_z: bool = True, wide: set[tuple[int, ...]] | None = None) -> JointSolution:
    """Best ``k`` assignments and the partition function.

    :param options: per family, its options; each family must include the empty option
        (mask 0, gain 0) unless a filter removes it on purpose.
    :param keep: optional filter (family index, option) -> bool, e.g. to force or forbid a pairing.
    """
    if k < 1:
        raise ValueError(f"k={k}; expected k >= 1")
    comps = components(options)
    results = [_solve_component(c, options, k, max_states, keep, want_z, wide) for c in comps]
    # combine components: k-best of sums
    n = len(options)
    combined: list[tuple[float, list[int]]] = [(0.0, [0] * n)]
    for res in results:
        left = [(g, tuple(c)) for g, c in combined]
        merged = _merge_top(left, res.top, k)
        new = []
        for g, (lc, rc) in merged:
            choice = list(lc)
            for pos, f in enumerate(res.families):
                choice[f] = rc[pos]
            new.append((g, choice))
        combined = new
    top = [(g, tuple(c)) for g, c in combined]
    exact = all(r.exact for r in results)
    log_z = sum(r.log_z for r in results) if results else 0.0
    upper = sum(r.log_z_upper for r in results) if results else 0.0
    method = {"components": str(len(results)),
              "dp_components": str(sum(r.exact for r in results)),
              "assignment_components": str(sum(r.method == "assignment" for r in results)),
              "branch_and_bound_components": str(sum(r.method == "branch_and_bound"
                                                     for r in results))}
    return JointSolution(top, log_z, exact, upper, results, method)
