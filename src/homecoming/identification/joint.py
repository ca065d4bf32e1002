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
3. if a component's frontier is too wide (more than ``max_states`` states), the families with
   one missing person (each option places at most one victim) form a linear assignment problem
   (families × victims, plus one "nobody" column per family), solved exactly by
   ``scipy.optimize.linear_sum_assignment``, with the exact top-k by Murty's ranking algorithm
   (Murty 1968, "An algorithm for ranking all the assignments in order of increasing cost",
   Operations Research 16:682–687). Families with several missing persons are enumerated on
   top of it: their option combinations in decreasing total gain, each with the assignment
   problem of the victims it leaves, pruned by the bound "combination gain + unrestricted
   assignment optimum" (exact; the proof is in docs/explanation/methods.md). ``Z`` is then
   approximated by the sum over the top-k found (a lower bound; the upper bound
   ``Π_F Σ_options exp(g)`` is reported too) and the posterior is marked not exact;
4. the assignment search of one component stops after ``max_solves`` linear-assignment solves
   (default :data:`DEFAULT_MAX_ASSIGNMENT_SOLVES`): the component is then marked
   ``limit_reached`` and its assignments are the best found, not proven best — the caller says
   so (never a silent hour).

Everything here is pure search over numbers; the likelihoods come from the caller.
"""

from __future__ import annotations

import dataclasses
import gc
import heapq
import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from homecoming.identification.groups import groups_sharing

#: Default cap on DP states per layer before a component goes to the assignment search.
DEFAULT_MAX_STATES = 200_000
#: The DP also gives up after ``DP_WORK_PER_STATE × max_states`` partial assignments built.
DP_WORK_PER_STATE = 20
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
    method: str = "dp"          # "dp" or "assignment" (linear assignment with Murty's ranking)
    #: the assignment search stopped at its limit: ``top`` is the best found, not proven best
    limit_reached: bool = False
    solves: int = 0
    #: the classes of interchangeable arrangements counted in ``log_z`` (:func:`with_twins`):
    #: per class, per family of ``families``, the option indices of its group and the group's
    #: log weight (log-sum-exp of their gains), and the class's log weight (their sum);
    #: None: ``top`` is what counts
    classes: list[tuple[tuple[tuple[int, ...], ...], tuple[float, ...], float]] | None = None


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
    remaining = sorted(set(fams))
    order: list[int] = []
    seen = 0
    while remaining:
        # the victims of the other remaining families: prefix | suffix OR (was one OR over
        # all the others per candidate, cubic: minutes at 1,900 families)
        n = len(remaining)
        after = [0] * (n + 1)
        for i in range(n - 1, -1, -1):
            after[i] = after[i + 1] | masks[remaining[i]]
        before = 0
        best_i, best_key = -1, None
        for i, f in enumerate(remaining):
            rest = before | after[i + 1]
            key = (((seen | masks[f]) & rest).bit_count(), len(options[f]))
            if best_key is None or key < best_key:
                best_i, best_key = i, key
            before |= masks[f]
        best = remaining.pop(best_i)
        order.append(best)
        seen |= masks[best]
    return order


def _dp(fams: list[int], options: Sequence[Sequence[Option]], k: int, max_states: int,
        keep: OptionFilter | None, want_z: bool) -> ComponentResult:
    # the DP builds millions of small tuples that all stay alive: Python's cyclic garbage
    # collector would traverse them again and again (minutes on a 300-family component)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _dp_run(fams, options, k, max_states, keep, want_z)
    finally:
        if enabled:
            gc.enable()


def _dp_run(fams: list[int], options: Sequence[Sequence[Option]], k: int, max_states: int,
            keep: OptionFilter | None, want_z: bool) -> ComponentResult:
    order = _family_order(fams, options)
    work = 0
    max_work = DP_WORK_PER_STATE * max_states
    future = [0] * (len(order) + 1)
    for i in range(len(order) - 1, -1, -1):
        m = 0
        for o in options[order[i]]:
            m |= o.mask
        future[i] = future[i + 1] | m
    if not _dp_fits(order, options, future, k, max_states, max_work, keep):
        raise _TooLarge
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
                cand: list[tuple[float, object]] = [(g + o.gain, (j, chain))
                                                    for g, chain in tops]
                work += len(cand)
                if work > max_work:
                    raise _TooLarge     # too much work: the assignment search takes over
                lz2 = lz + o.gain
                if t in new:
                    old_lz, old_tops = new[t]
                    merged = heapq.nlargest(k, old_tops + list(cand), key=lambda x: x[0])
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


#: The DP is counted first (:func:`_dp_fits`) when its families' option counts multiply to
#: more than this: a component the DP gives up on holds up to ``max_states`` top-k lists per
#: layer (~1 KB a state) before it gives up, the count one small int per state.
DP_COUNT_FROM = 10_000


def _dp_fits(order: list[int], options: Sequence[Sequence[Option]], future: list[int],
             k: int, max_states: int, max_work: int, keep: OptionFilter | None) -> bool:
    """Whether :func:`_dp_run` gets through ``order`` without giving up (more than
    ``max_states`` states in a layer, or more than ``max_work`` partial assignments built).

    The same layers, states and transitions in the same order, keeping per state only the
    length of its top list (``min(k, paths)``, the work of one transition out of it) instead
    of the list: the same decision, without the memory of a DP that would fail. Components
    whose option counts multiply to at most :data:`DP_COUNT_FROM` are not counted (they
    cannot grow large)."""
    bound = 1
    for f in order:
        bound *= max(len(options[f]), 1)
        if bound > DP_COUNT_FROM:
            break
    else:
        return True
    work = 0
    states: dict[int, int] = {0: 1}
    for i, f in enumerate(order):
        nxt_future = future[i + 1]
        masks = [o.mask for o in options[f] if keep is None or keep(f, o)]
        new: dict[int, int] = {}
        for s, n in states.items():
            for mask in masks:
                if mask & s:
                    continue
                t = (s | mask) & nxt_future
                work += n
                if work > max_work:
                    return False
                old = new.get(t)
                if old is not None:
                    new[t] = min(k, old + n)
                else:
                    new[t] = min(k, n)
                    if len(new) > max_states:
                        return False
        states = new
    return True


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


class _LimitReached(Exception):
    pass


class _Budget:
    """Counts linear-assignment solves (and option combinations) of one component."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0

    def spend(self, n: int = 1) -> None:
        self.used += n
        if self.used > self.limit:
            raise _LimitReached


#: Assignment problems with at least this many rows are solved on their finite cells only
#: (sparse LAPJV, ``scipy.sparse.csgraph.min_weight_full_bipartite_matching``) instead of a
#: dense copy per Murty subproblem: a row has a few candidate victims and its "nobody" column,
#: so at 2,000 × 2,000 the dense matrix is ~99.9 % forbidden cells (one sparse solve ~7 ms
#: against ~150 ms dense, and no 50 MB copy per subproblem).
SPARSE_FROM = 128


class _SparseGain:
    """The finite cells of a gain matrix (row, column, gain), for sparse assignment solves."""

    def __init__(self, gain: np.ndarray) -> None:
        self.shape = gain.shape
        rows, cols = np.nonzero(np.isfinite(gain))
        self.rows, self.cols = rows, cols
        values = gain[rows, cols]
        # minimise cost >= 1 (an explicit zero would not be an edge); every row takes exactly
        # one cell, so the constant shift does not change the optimum
        self.cost = (float(values.max()) - values + 1.0) if values.size else values
        self.cell = {(r, c): e for e, (r, c) in enumerate(zip(rows.tolist(), cols.tolist()))}


def _murty_ranked(gain: np.ndarray, budget: _Budget, sparse: _SparseGain | None = None,
                  col_open: np.ndarray | None = None
                  ) -> Iterator[tuple[float, tuple[int, ...]]]:
    """Assignments of every row of ``gain`` (rows × columns, −inf = forbidden; a column at most
    once) in decreasing total gain: Murty's ranking (Murty 1968) over exact LSAP solves.

    ``sparse``: the finite cells of ``gain`` (solves on them, see :data:`SPARSE_FROM`);
    ``col_open``: columns that may be used (the others are forbidden), default all."""
    from scipy.optimize import linear_sum_assignment  # type: ignore[import-untyped]

    n, ncol = gain.shape
    if sparse is None:
        if col_open is not None:
            gain = np.where(col_open[None, :], gain, -np.inf)
        finite = np.isfinite(gain)
        big = 1.0 + 2.0 * float(np.sum(np.abs(gain[finite]))) if finite.any() else 1.0
        # forbidden cells cost `big`, more than any sum of allowed ones: an optimum using one
        # means the subspace has no feasible assignment
        cost_all = np.where(finite, -gain, big)
    # the dense path keeps forbidden columns (cost `big`), as it always did
    open_cols = (col_open if sparse is not None and col_open is not None
                 else np.ones(ncol, dtype=bool))

    def solve_sparse(row_free: np.ndarray, col_free: np.ndarray,
                     banned: frozenset[tuple[int, int]]) -> list[tuple[int, int]] | None:
        from scipy.sparse import csr_matrix  # type: ignore[import-untyped]
        from scipy.sparse.csgraph import (  # type: ignore[import-untyped]
            min_weight_full_bipartite_matching,
        )

        assert sparse is not None
        keep = row_free[sparse.rows] & col_free[sparse.cols]
        cut = [sparse.cell[b] for b in banned if b in sparse.cell]
        if cut:
            keep[cut] = False
        rows = np.flatnonzero(row_free)
        cols = np.flatnonzero(col_free)
        row_at = np.cumsum(row_free) - 1
        col_at = np.cumsum(col_free) - 1
        matrix = csr_matrix((sparse.cost[keep], (row_at[sparse.rows[keep]],
                                                 col_at[sparse.cols[keep]])),
                            shape=(len(rows), len(cols)))
        try:
            ri, ci = min_weight_full_bipartite_matching(matrix)
        except ValueError:
            return None                           # no feasible assignment in this subspace
        return [(int(rows[a]), int(cols[b])) for a, b in zip(ri.tolist(), ci.tolist())]

    def solve_free(row_free: np.ndarray, col_free: np.ndarray, total: float,
                   banned: frozenset[tuple[int, int]]
                   ) -> tuple[float, list[tuple[int, int]]] | None:
        """Best completion of a subproblem: (total gain, its cells), None if infeasible."""
        if not row_free.any():
            return total, []
        budget.spend()
        if sparse is not None:
            cells = solve_sparse(row_free, col_free, banned)
            if cells is None:
                return None
        else:
            rows = np.flatnonzero(row_free)
            cols = np.flatnonzero(col_free)
            cost = cost_all[np.ix_(rows, cols)]
            for (r, c) in banned:
                if row_free[r] and col_free[c]:
                    cost[np.searchsorted(rows, r), np.searchsorted(cols, c)] = big
            ri, ci = linear_sum_assignment(cost)
            if (cost[ri, ci] >= big).any():
                return None                       # no feasible assignment in this subspace
            cells = [(int(rows[a]), int(cols[b])) for a, b in zip(ri.tolist(), ci.tolist())]
        for r, c in cells:
            total += gain[r, c]
        return float(total), cells

    def masks(forced: tuple[tuple[int, int], ...]) -> tuple[np.ndarray, np.ndarray, float]:
        row_free = np.ones(n, dtype=bool)
        col_free = open_cols.copy()
        total = 0.0
        for r, c in forced:
            total += gain[r, c]
            row_free[r] = False
            col_free[c] = False
        return row_free, col_free, total

    def solve(forced: tuple[tuple[int, int], ...], banned: frozenset[tuple[int, int]]
              ) -> tuple[float, tuple[int, ...]] | None:
        row_free, col_free, total = masks(forced)
        res = solve_free(row_free, col_free, total, banned)
        if res is None:
            return None
        assign = dict(forced)
        assign.update(res[1])
        return res[0], tuple(assign[r] for r in range(n))

    # Murty's partition, with the children kept small: a child is stored as its value and a
    # reference to its parent's node (forced cells, banned cells, solution, free rows) and
    # position, and solved again (one more solve) only when it is popped. Memory is O(k·n)
    # instead of O(k·n²) (a forced prefix, a banned set and a solution per child).
    Node = tuple[tuple[tuple[int, int], ...], frozenset[tuple[int, int]], tuple[int, ...],
                 list[int]]
    first = solve((), frozenset())
    if first is None:
        return
    counter = 0
    heap: list[tuple[float, int, Node | None, int]] = [(-first[0], counter, None, 0)]
    while heap:
        neg, _, parent, i = heapq.heappop(heap)
        if parent is None:
            forced: tuple[tuple[int, int], ...] = ()
            banned: frozenset[tuple[int, int]] = frozenset()
            value, sol = first
        else:
            p_forced, p_banned, p_sol, p_free = parent
            r = p_free[i]
            forced = p_forced + tuple((x, p_sol[x]) for x in p_free[:i])
            banned = p_banned | {(r, p_sol[r])}
            again = solve(forced, banned)
            assert again is not None
            value, sol = again
        yield value, sol
        fixed = dict(forced)
        free = [r for r in range(n) if r not in fixed]
        node: Node = (forced, banned, sol, free)
        row_free, col_free, total = masks(forced)
        for idx, r in enumerate(free):
            child = solve_free(row_free, col_free, total, banned | {(r, sol[r])})
            if child is not None:
                counter += 1
                heapq.heappush(heap, (-child[0], counter, node, idx))
            row_free[r] = False
            col_free[sol[r]] = False
            total += gain[r, sol[r]]


def _combinations(lists: Sequence[Sequence[tuple[int, Option]]]
                  ) -> Iterator[tuple[float, tuple[int, ...]]]:
    """Index tuples into ``lists`` (each sorted by decreasing gain) in decreasing total gain,
    ties by increasing index tuple; a total is the exact sum of the gains, rounded once.
    Tuples with an impossible option (gain −∞) are left out: their total is −∞.

    Best-first over a tree that spans every tuple (the classic k-best-sums successor rule):
    the lists that can change (two entries or more) are put in order of their first step
    ``gain[0] − gain[1]``, increasing (equal steps: the later list first), and a tuple whose
    last non-zero list in that order is the p-th has at most three children: its p-th list one
    further; the (p+1)-th list at 1; if the p-th list is at 1, the p-th back at 0 and the
    (p+1)-th at 1. A child's total is never above its parent's, and where equal its tuple is
    larger (that is what the order of equal steps is for), so the heap's minimum in (−total,
    tuple) order is always the next tuple. Each pop pushes at most three children instead of
    one per list. Totals are exact: the gains as integers over a common power-of-two
    denominator (every float is one), so a child's total is its parent's plus one integer
    step, with no rounding to break the order. The heap holds one integer per tuple (−total,
    then the tuple as a mixed-radix number), and a tuple is built only when popped.
    (On the several-missing families of the SYNTHETIC 2,000 × 2,000 benchmark's wide
    component, 103 lists of 12–553 options with many equal gains: 20,000 tuples in 0.11 s,
    against 0.25–0.29 s for the earlier search that pushed a child per list and summed each
    total from scratch.)
    """
    if not lists:
        yield 0.0, ()
        return
    finite: list[list[float]] = []
    for lst in lists:
        gains = [o.gain for _, o in lst]
        if any(math.isnan(g) or g == math.inf for g in gains):
            raise ValueError("option gains must be finite or -inf")
        # sorted by decreasing gain, so the impossible options are the list's tail
        gains = gains[:next((k for k, g in enumerate(gains) if g == -math.inf), len(gains))]
        if not gains:
            return
        finite.append(gains)
    ratios = [[g.as_integer_ratio() for g in gains] for gains in finite]
    den = max(d for r in ratios for _, d in r)
    ints = [[n * (den // d) for n, d in r] for r in ratios]
    # the lists that can change, in the tree's order; step[q][i] = ints[q][i] - ints[q][i+1]
    order = sorted((q for q in range(len(ints)) if len(ints[q]) > 1),
                   key=lambda q: (ints[q][0] - ints[q][1], -q))
    steps = [[a - b for a, b in zip(r, r[1:])] for r in ints]
    m = len(order)
    # one integer key per tuple: −total, then the tuple itself as a mixed-radix number (its
    # lexicographic order), so that heap comparisons never walk tuples of equal totals
    radix = [1] * len(ints)
    for q in range(len(ints) - 2, -1, -1):
        radix[q] = radix[q + 1] * len(ints[q + 1])
    span = radix[0] * len(ints[0])
    key0 = -sum(r[0] for r in ints) * span
    heap: list[int] = [key0]               # plain integers: the cheapest comparisons
    # key -> (parent's tuple, the changes that make this one, last list moved); the tuple
    # itself is made when popped, as most pushed tuples are never popped
    held: dict[int, tuple[tuple[int, ...], tuple[int, ...], int]] = {
        key0: (tuple(0 for _ in lists), (), -1)}
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        key = pop(heap)
        parent, changes, p = held.pop(key)
        if changes:
            made = list(parent)
            made[changes[0]] = changes[1]
            if len(changes) > 2:
                made[changes[2]] = changes[3]
            idx = tuple(made)
        else:
            idx = parent
        yield -(key // span) / den, idx
        if p >= 0:
            q = order[p]
            i = idx[q]
            if i + 1 < len(ints[q]):
                k = key + steps[q][i] * span + radix[q]
                push(heap, k)
                held[k] = (idx, (q, i + 1), p)
        if p + 1 < m:
            q1 = order[p + 1]
            k = key + steps[q1][0] * span + radix[q1]
            push(heap, k)
            held[k] = (idx, (q1, 1), p + 1)
            if p >= 0 and idx[order[p]] == 1:
                q = order[p]
                k = key + (steps[q1][0] - steps[q][0]) * span + radix[q1] - radix[q]
                push(heap, k)
                held[k] = (idx, (q, 0, q1, 1), p + 1)


def _assignment_search(fams: list[int], options: Sequence[Sequence[Option]], k: int,
                       keep: OptionFilter | None, max_solves: int,
                       ties_only: float | None = None) -> ComponentResult:
    """Exact top-k of a wide component by linear assignment (see the module doc, step 3).

    Families whose kept options place at most one victim each (one missing person) are the
    rows of one linear assignment problem (columns: their candidate victims, plus one "nobody"
    column per family). The other families (several missing persons) are enumerated: their
    option *combinations* in decreasing total gain g(c), victim-disjoint ones only; each
    combination's remainder is the assignment problem without the victims it uses, ranked by
    Murty. Since removing victims never raises the assignment optimum H, no combination with
    g(c) + H at most the k-th best total found can enter the top k, which stops the
    enumeration. The k best (combination, remainder) totals are merged lazily from the
    per-combination rankings. Exact; ``max_solves`` bounds the work (then the result is the
    best found so far and is flagged ``limit_reached``). With ``ties_only = r`` the ranking
    stops at the first assignment worse than the best by more than ``r · max(1, |best|)``.
    """
    budget = _Budget(max_solves)
    forms: list[dict[int, int] | None] = []
    for f in fams:
        form = _assignment_form([f], options, keep)
        forms.append(form[0] if form is not None else None)
    singles = [i for i, fm in enumerate(forms) if fm is not None]
    multis = [i for i, fm in enumerate(forms) if fm is None]
    victims = sorted({c for i in singles for c in forms[i] if c >= 0})  # type: ignore[union-attr]
    vcol = {v: j for j, v in enumerate(victims)}
    ns, m = len(singles), len(victims)
    gain = np.full((ns, m + ns), -np.inf)
    for r, i in enumerate(singles):
        for c, j in forms[i].items():  # type: ignore[union-attr]
            gain[r, vcol[c] if c >= 0 else m + r] = options[fams[i]][j].gain
    multi_opts = [sorted(((j, o) for j, o in enumerate(options[fams[i]])
                          if keep is None or keep(fams[i], o)), key=lambda x: -x[1].gain)
                  for i in multis]

    sparse = _SparseGain(gain) if ns >= SPARSE_FROM else None

    def remainder(used: int, bud: _Budget | None = None
                  ) -> Iterator[tuple[float, tuple[int, ...]]]:
        bud = budget if bud is None else bud
        if ns == 0:
            return iter([(0.0, ())])
        if not used:
            return _murty_ranked(gain, bud, sparse)
        col_open = np.ones(gain.shape[1], dtype=bool)
        for v, j in vcol.items():
            if used >> v & 1:
                col_open[j] = False
        return _murty_ranked(gain, bud, sparse, col_open)

    top: list[tuple[float, tuple[int, ...]]] = []
    limit = False
    try:
        first = next(remainder(0), None)
        h_bound = first[0] if first is not None else -math.inf
        combos = _combinations(multi_opts)
        # (−total, counter, combination's gain, combination, remainder's best, its ranking)
        pending: list[tuple[float, int, float, tuple[int, ...], tuple[int, ...],
                            Iterator[tuple[float, tuple[int, ...]]]]] = []
        counter = 0
        nxt = next(combos, None)
        while len(top) < k:
            best_pending = -pending[0][0] if pending else -math.inf
            if nxt is not None and nxt[0] + h_bound > best_pending:
                gsum, idx = nxt
                nxt = next(combos, None)
                budget.spend()
                used = 0
                ok = True
                for lst, i in zip(multi_opts, idx):
                    o = lst[i][1]
                    if o.mask & used:
                        ok = False
                        break
                    used |= o.mask
                if not ok:
                    continue
                it = remainder(used)
                sol = next(it, None)
                if sol is not None:
                    counter += 1
                    heapq.heappush(pending, (-(gsum + sol[0]), counter, gsum, idx, sol[1], it))
                continue
            if not pending:
                break
            if ties_only is not None and top and \
                    -pending[0][0] < top[0][0] - ties_only * max(1.0, abs(top[0][0])):
                break
            neg, _, gsum, idx, sol_r, it = heapq.heappop(pending)
            top.append((-neg, _choice(fams, forms, options, singles, multis, multi_opts,
                                      victims, idx, sol_r)))
            if len(top) >= k:
                break                             # (the next one would cost n more solves)
            sol = next(it, None)
            if sol is not None:
                counter += 1
                heapq.heappush(pending, (-(gsum + sol[0]), counter, gsum, idx, sol[1], it))
    except _LimitReached:
        limit = True
        # the best assignments found so far wait in ``pending`` (each was solved; they are
        # popped in decreasing total, below everything already in ``top``): report them, so
        # a component that ran out of solves before its first pop still has a best-found
        # assignment (flagged limit_reached, not proven best) instead of none
        while pending and len(top) < k:
            neg, _, _g, idx, sol_r, _it = heapq.heappop(pending)
            top.append((-neg, _choice(fams, forms, options, singles, multis, multi_opts,
                                      victims, idx, sol_r)))
        if not top:
            # nothing solved yet: one feasible assignment (each several-missing family's
            # best option disjoint from those before it, the rest one assignment problem),
            # so the caller still has an assignment to report as best found
            greedy = _greedy_assignment(multi_opts, lambda used: remainder(used, _Budget(4)))
            if greedy is not None:
                total, idx, sol_r = greedy
                top.append((total, _choice(fams, forms, options, singles, multis,
                                           multi_opts, victims, idx, sol_r)))
    upper = sum(_logsumexp([o.gain for o in options[f] if keep is None or keep(f, o)])
                for f in fams)
    return ComponentResult(tuple(fams), top, _logsumexp([g for g, _ in top]), False, upper,
                           "assignment", limit_reached=limit, solves=budget.used)


def _greedy_assignment(multi_opts: Sequence[Sequence[tuple[int, Option]]],
                       remainder: Callable[[int], Iterator[tuple[float, tuple[int, ...]]]]
                       ) -> tuple[float, tuple[int, ...], tuple[int, ...]] | None:
    """A feasible (not necessarily best) assignment: each several-missing family's best kept
    option disjoint from the victims of those before it, then the best assignment of the
    one-missing families on the victims left. ``None`` if some family has no kept option
    disjoint from the others' or the remainder cannot be solved within its budget."""
    used, idx, gsum = 0, [], 0.0
    for lst in multi_opts:
        pick = next((i for i, (_j, o) in enumerate(lst) if not o.mask & used), None)
        if pick is None:
            return None
        o = lst[pick][1]
        used |= o.mask
        idx.append(pick)
        gsum += o.gain
    try:
        sol = next(remainder(used), None)
    except _LimitReached:
        return None
    if sol is None:
        return None
    return gsum + sol[0], tuple(idx), sol[1]


def _choice(fams: list[int], forms: Sequence[dict[int, int] | None],
            options: Sequence[Sequence[Option]], singles: list[int], multis: list[int],
            multi_opts: Sequence[Sequence[tuple[int, Option]]], victims: list[int],
            idx: tuple[int, ...], sol: tuple[int, ...]) -> tuple[int, ...]:
    """Option index per family of ``fams`` from a combination and a remainder assignment."""
    choice = [0] * len(fams)
    m = len(victims)
    for r, i in enumerate(singles):
        c = sol[r]
        col = victims[c] if c < m else -1
        choice[i] = forms[i][col]  # type: ignore[index]
    for d, i in enumerate(multis):
        choice[i] = multi_opts[d][idx[d]][0]
    return tuple(choice)


def _solve_component(fams: list[int], options: Sequence[Sequence[Option]], k: int,
                     max_states: int, keep: OptionFilter | None, want_z: bool,
                     wide: set[tuple[int, ...]] | None = None,
                     max_solves: int = DEFAULT_MAX_ASSIGNMENT_SOLVES,
                     ties_only: float | None = None) -> ComponentResult:
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
        return _assignment_search(fams, options, k, keep, max_solves, ties_only)


def _merge_top(a: list[tuple[float, tuple[int, ...]]], b: list[tuple[float, tuple[int, ...]]],
               k: int) -> list[tuple[float, tuple[tuple[int, ...], tuple[int, ...]]]]:
    """k largest sums a[i] + b[j] of two lists sorted descending."""
    if not a or not b:
        return []
    out: list[tuple[float, tuple[tuple[int, ...], tuple[int, ...]]]] = []
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


#: per family index: option index -> the other options of the family with the same likelihood
#: and victims (interchangeable missing persons: ``solver.exchangeable_missing``)
Twins = Mapping[int, Mapping[int, Sequence[int]]]


#: Twin arrangements listed per assignment of an approximate component's ``top`` (all are
#: counted in its Z and marginals, which factorise over families: :func:`with_twins`).
TWINS_LISTED = 16


def with_twins(res: ComponentResult, options: Sequence[Sequence[Option]], twins: Twins | None
               ) -> ComponentResult:
    """An approximate component (assignment search: ``top`` is the best found, ``log_z`` their
    sum) counting, for every assignment in ``top``, the assignments that differ from it only
    by interchangeable missing persons (its *class*). Such a twin has the same likelihood;
    where the search stopped before reaching it (its limit, or ``k``), the posterior would
    otherwise give all to one arrangement of the same victims.

    A class is one group of options per family (the option and its twins), and the gain of an
    assignment is the sum of its options' gains, so the sum over a class factorises: its log
    weight is the sum over families of the log-sum-exp of the group's gains. ``log_z`` becomes
    the log-sum-exp over the distinct classes (still a lower bound of Z: each term counts
    distinct assignments; closer to it), and ``classes`` holds them for the marginals
    (:func:`pairing_log_weight`). ``top`` lists up to :data:`TWINS_LISTED` members of each
    class, sorted. Exact components are returned as they are (their Z counts every
    assignment already)."""
    if res.exact or not twins or not any(f in twins for f in res.families):
        return res
    classes: dict[tuple[tuple[int, ...], ...], tuple[float, ...]] = {}
    listed: dict[tuple[int, ...], float] = {}
    for gain, choice in res.top:
        groups = tuple(tuple(sorted((j, *twins.get(f, {}).get(j, ()))))
                       for f, j in zip(res.families, choice, strict=True))
        if groups not in classes:
            classes[groups] = tuple(_logsumexp([options[f][j].gain for j in group])
                                    for f, group in zip(res.families, groups, strict=True))
        listed.setdefault(choice, gain)
        for combo in itertools.islice(itertools.product(*groups), TWINS_LISTED):
            if combo not in listed:
                listed[combo] = gain + sum(
                    options[f][c].gain - options[f][j].gain
                    for f, c, j in zip(res.families, combo, choice, strict=True))
    top = sorted(((g, c) for c, g in listed.items()), key=lambda item: -item[0])
    made = [(groups, weights, sum(weights)) for groups, weights in classes.items()]
    return dataclasses.replace(res, top=top, log_z=_logsumexp([w for _, _, w in made]),
                               classes=made)


def pairing_log_weight(res: ComponentResult, options: Sequence[Sequence[Option]],
                       family: int, pair: tuple[str, str]) -> float:
    """log of the part of an approximate component's ``log_z`` whose assignments give
    ``family`` an option holding ``pair`` (missing, victim): over ``top``, or over its
    ``classes`` where :func:`with_twins` made them (a class's weight with ``family``'s group
    cut to the options that hold the pair); −inf if none."""
    pos = res.families.index(family)
    if res.classes is None:
        return _logsumexp([g for g, ch in res.top if pair in options[family][ch[pos]].pairs])
    parts = []
    for groups, weights, weight in res.classes:
        held = [options[family][j].gain for j in groups[pos] if pair in options[family][j].pairs]
        if held:    # the class's weight with this family's group cut to ``held``
            parts.append(weight - weights[pos] + _logsumexp(held))
    return _logsumexp(parts)


def search(options: Sequence[Sequence[Option]], *, k: int = 10,
           max_states: int = DEFAULT_MAX_STATES, keep: OptionFilter | None = None,
           want_z: bool = True, wide: set[tuple[int, ...]] | None = None,
           max_solves: int = DEFAULT_MAX_ASSIGNMENT_SOLVES,
           progress: Callable[[int, int], None] | None = None,
           twins: Twins | None = None) -> JointSolution:
    """Best ``k`` assignments and the partition function.

    :param options: per family, its options; each family must include the empty option
        (mask 0, gain 0) unless a filter removes it on purpose.
    :param keep: optional filter (family index, option) -> bool, e.g. to force or forbid a pairing.
    :param max_solves: linear-assignment solves one wide component may take (see
        :func:`_assignment_search`); past it that component's ``limit_reached`` is set.
    :param progress: called with (components solved, components).
    :param twins: options of equal likelihood (:func:`with_twins`), added to the top lists of
        approximate components.
    """
    if k < 1:
        raise ValueError(f"k={k}; expected k >= 1")
    comps = components(options)
    results = []
    for i, c in enumerate(comps):
        if progress is not None:
            progress(i, len(comps))
        results.append(with_twins(_solve_component(c, options, k, max_states, keep, want_z,
                                                   wide, max_solves), options, twins))
    if progress is not None:
        progress(len(comps), len(comps))
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
              "limit_reached_components": str(sum(r.limit_reached for r in results)),
              "largest_component": str(max((len(r.families) for r in results), default=0))}
    return JointSolution(top, log_z, exact, upper, results, method)
