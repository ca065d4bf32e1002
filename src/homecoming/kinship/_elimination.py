"""Variable elimination: elimination orders, plans, and the batched sum of factor products.

A *factor* is a scope (a tuple of variable numbers) and an array of shape
``(rows, size(v) for v in scope)``: every row (a marker, or a marker × θ quadrature node) is an
independent problem with the same structure. :func:`eliminate` returns, per row, the natural log
of the sum over all variables of the product of the factors.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from heapq import heappop, heappush
from itertools import chain
from typing import TYPE_CHECKING, Any

import numpy as np

from homecoming.kinship._cache import BoundedCache
from homecoming.kinship._types import FloatArray, IntArray

if TYPE_CHECKING:
    from random import Random

__all__ = ["Factor", "Step", "contiguous_groups", "eliminate", "elimination_order", "plan"]

#: A factor: its variables and its table (rows first).
Factor = tuple[tuple[int, ...], FloatArray]

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"

#: Cliques (entries, all rows) below this are contracted by one plain einsum; larger ones
#: pairwise, as batched matrix products (:class:`_Op`).
SMALL_CLIQUE = 3000
#: Total clique size (entries per row) of the best deterministic elimination order from which
#: randomised orders are tried too. Below it an elimination costs less than the ~2 ms that
#: eight randomised greedy orders take in Python (dvir's ``grave``: 169 orders of cost ~10^4,
#: where the random tries saved ~10 % of a sub-millisecond elimination and cost 0.45 s).
RANDOM_TRIES_FROM = 1e5
#: Rows whose unscaled result falls below this are recomputed with per-step scaling.
RESCUE_BELOW = 1e-200


def _greedy_order(neighbours0: list[set[int]], log_sizes: list[float], rule: str,
                  rng: Random | None) -> tuple[list[int], float]:
    """One greedy elimination order and its cost (sum of clique sizes).

    Keys: "fill", the fill weight (Σ size_a·size_b over the pairs a, b of the vertex's
    neighbours that are not adjacent, sizes as ``exp(log size)``), then the log clique weight;
    "weight", the log clique weight; "degree", the degree, then the log clique weight. The
    vertex of least (key, number) goes first.

    A vertex's key depends only on its neighbour set (and, for min-fill, on which pairs of its
    neighbours are adjacent), so keys are cached and recomputed only where an elimination
    changed that: the eliminated vertex's neighbours (their sets changed) and, for min-fill,
    the vertices adjacent to both ends of a fill edge the elimination added (a pair of their
    neighbours became adjacent). Every other key would be computed from the same sets in the
    same order, so the order is the same as recomputing every key, tie for tie.
    """
    neighbours = [set(x) for x in neighbours0]
    alive = set(range(len(log_sizes)))
    order: list[int] = []
    cost = 0.0
    keys: dict[int, tuple[float, ...]] = {}
    heap: list[tuple[tuple[float, ...], int]] = []
    stale = set(alive)
    sizes = [math.exp(x) for x in log_sizes]
    while alive:
        for v in stale:
            nb = neighbours[v]
            weight = log_sizes[v] + sum(map(log_sizes.__getitem__, nb))
            key: tuple[float, ...]
            if rule == "weight":
                key = (weight,)
            elif rule == "fill":
                fill = 0.0
                nbl = list(nb)
                for i, a in enumerate(nbl[:-1]):
                    na = neighbours[a]
                    size_a = sizes[a]
                    for b in nbl[i + 1:]:
                        if b not in na:
                            fill += size_a * sizes[b]
                key = (fill, weight)
            else:
                key = (len(nb), weight)
            keys[v] = key
            if rng is None:
                heappush(heap, (key, v))
        if rng is None:
            # the least (key, vertex) of the heap whose key is still the vertex's own (an
            # eliminated vertex has none; a recomputed key is a new entry, the old one stale)
            while True:
                key, v = heappop(heap)
                if keys.get(v) is key:
                    break
        else:
            best_key = min(keys[v] for v in alive)
            limit = best_key[0] * 1.5 + 1e-9
            near = [v for v in alive if keys[v][0] <= limit]
            v = near[rng.randrange(len(near))]
        nb = neighbours[v]
        cost += math.exp(log_sizes[v] + sum(map(log_sizes.__getitem__, nb)))
        fill_edges: list[tuple[int, int]] = []
        for u in nb:
            nu = neighbours[u]
            if rule == "fill":
                missing = nb - nu       # holds u itself (not its own neighbour)
                if len(missing) > 1:
                    fill_edges.extend([(u, x) for x in missing if x != u])
            nu.update(nb)
            nu.discard(u)
            nu.discard(v)
        alive.discard(v)
        del keys[v]
        order.append(v)
        # changed neighbour sets: v's neighbours; a fill key also changes where a fill edge
        # joined two of the vertex's neighbours
        stale = set(nb)
        for a, b in fill_edges:
            stale.update(neighbours[a] & neighbours[b])
        stale &= alive
    return order, cost


def elimination_order(scopes: list[tuple[int, ...]], sizes: list[int],
                      quick: bool = False) -> list[int]:
    """A cheap elimination order: the weighted min-fill order where its total clique size is
    below :data:`RANDOM_TRIES_FROM` / 4, else the best of greedy min-fill, min-weight and
    min-degree orders (by total clique size) and, where that is at least
    :data:`RANDOM_TRIES_FROM`, a few randomised variants."""
    nv = len(sizes)
    neighbours: list[set[int]] = [set() for _ in range(nv)]
    for scope in scopes:
        for v in scope:
            neighbours[v].update(scope)
    for v in range(nv):
        neighbours[v].discard(v)
    log_sizes = [math.log(max(s, 1)) for s in sizes]
    best: tuple[float, list[int]] | None = None
    if quick or nv > 200:  # many plans to make, or a large pedigree: one cheap greedy order
        return _greedy_order(neighbours, log_sizes, "weight", None)[0]
    fill_order, fill_cost = _greedy_order(neighbours, log_sizes, "fill", None)
    if fill_cost < RANDOM_TRIES_FROM / 4:
        return fill_order      # small: min-fill alone (within 1.5x of the best on dvir grave)
    for rule in ("weight", "fill", "degree"):
        order, cost = ((fill_order, fill_cost) if rule == "fill" else
                       _greedy_order(neighbours, log_sizes, rule, None))
        if best is None or cost < best[0]:
            best = (cost, order)
    assert best is not None
    if best[0] < RANDOM_TRIES_FROM:
        return best[1]
    from random import Random  # only here: most orders never get this far

    rng = Random(12345)     # seeded: the same data give the same order
    for rule in ("fill", "weight"):
        for _ in range(4 if nv <= 60 else 1):
            order, cost = _greedy_order(neighbours, log_sizes, rule, rng)
            if cost < best[0]:
                best = (cost, order)
    return best[1]


@dataclass
class Step:
    """One elimination step: multiply some factors and sum one variable out."""

    inputs: tuple[int, ...]       # slots of the factors multiplied
    output: int                   # slot of the result
    n_out: int                    # number of variables of the result
    clique: int                   # entries per row of the multiplied-out clique
    spec: str                     # einsum spec
    #: the step as numpy calls on operand positions (:func:`program_for`), made on first use
    program: list[_Op] | None = None
    #: the program of the step run per group of rows (:class:`_Ragged`)
    ragged_program: list[_Op] | None = None


def _contraction_path(spec: str, shapes: list[tuple[int, ...]]) -> list[Any]:
    """A greedy pairwise contraction path for ``np.einsum(spec, ..., optimize=path)`` and
    :func:`_program`, in ``np.einsum_path``'s format (``["einsum_path", (i, j), ...]``): at
    each step the two operands whose product has the fewest entries once the letters no
    other operand or the output needs are summed out, preferring pairs that share a letter
    other than the row letter ``Z`` (no outer products), then the smaller product; ties by
    position. numpy's own greedy path search costs more than a small step's arithmetic."""
    inputs, output = spec.split("->")
    subs = inputs.split(",")
    size: dict[str, int] = {}
    for sub, shape in zip(subs, shapes, strict=True):
        for letter, n in zip(sub, shape, strict=True):
            size[letter] = max(size.get(letter, 1), n)
    path: list[Any] = ["einsum_path"]
    if len(subs) == 1:
        return path + [(0,)]          # one operand: its own contraction to the output
    while len(subs) > 1:
        best: tuple[Any, ...] | None = None
        for i in range(len(subs)):
            for j in range(i + 1, len(subs)):
                rest = set(output).union(*(subs[k] for k in range(len(subs))
                                           if k != i and k != j))
                both = set(subs[i]) | set(subs[j])
                kept = "".join(dict.fromkeys(c for c in subs[i] + subs[j] if c in rest))
                key = (not (set(subs[i]) & set(subs[j]) - {"Z"}),
                       math.prod(size[c] for c in kept), math.prod(size[c] for c in both),
                       i, j, kept)
                if best is None or key < best:
                    best = key
        assert best is not None
        i, j, kept = best[3], best[4], best[5]
        path.append((i, j))
        subs = [sub for k, sub in enumerate(subs) if k != i and k != j] + [kept]
    return path


class _Op:
    """One call of a contraction program (:func:`_program`): the operands at ``positions``
    (taken out of the list, highest first) contracted into one, appended to the list.

    Two operands that share a summed letter become one batched matrix product (numpy's
    ``matmul``: BLAS, or its own loop for small matrices), with the batch letters (in both and
    kept, the row letter first) leading, then the letters of the first operand only, then
    those of the second; two that share none, one broadcast product; one operand, a sum over
    its summed axes. Letters of one operand that no other operand or the output needs are
    summed out of it first. An operand with a repeated letter (a diagonal) goes to plain
    ``einsum``. numpy's own einsum runs such contractions through its buffered iterator,
    which copies every element of every operand into buffers: several times slower than the
    product itself at the clique sizes of pedigree eliminations.
    """

    __slots__ = ("positions", "result", "kind", "spec", "pre", "perm_a", "perm_b", "n_batch",
                 "n_left", "n_sum", "index_a", "index_b", "final")

    def __init__(self, positions: tuple[int, ...], taken: list[str], needed: set[str],
                 output: str | None = None) -> None:
        self.positions = positions
        self.spec = ""
        self.final: tuple[int, ...] | None = None
        if len(taken) > 2 or any(len(set(sub)) != len(sub) for sub in taken):
            self.kind = "einsum"
            if output is None:
                output = "".join(dict.fromkeys(c for sub in taken for c in sub if c in needed))
            self.result = output
            self.spec = ",".join(taken) + "->" + output
            return
        # letters of one operand that nothing else needs: summed out of that operand first
        pre: list[tuple[int, ...] | None] = []
        subs: list[str] = []
        for k, sub in enumerate(taken):
            others = set().union(*(s for j, s in enumerate(taken) if j != k))
            gone = tuple(i for i, c in enumerate(sub) if c not in needed and c not in others)
            pre.append(gone or None)
            subs.append("".join(c for i, c in enumerate(sub) if i not in gone))
        self.pre = pre
        if len(subs) == 1:
            self.kind = "sum"
            natural = subs[0]
        else:
            sa, sb = subs
            both = [c for c in sa if c in sb]
            batch = [c for c in both if c in needed]
            summed = [c for c in both if c not in needed]
            left = [c for c in sa if c not in sb]
            right = [c for c in sb if c not in sa]
            natural = "".join(batch + left + right)
            if summed:
                self.kind = "matmul"
                self.perm_a = tuple(sa.index(c) for c in batch + left + summed)
                self.perm_b = tuple(sb.index(c) for c in batch + summed + right)
                self.n_batch, self.n_left, self.n_sum = len(batch), len(left), len(summed)
            else:
                self.kind = "multiply"
                # each operand transposed to the result's letter order, with new axes of
                # length 1 where it lacks a letter
                self.perm_a = tuple(sa.index(c) for c in natural if c in sa)
                self.perm_b = tuple(sb.index(c) for c in natural if c in sb)
                self.index_a = tuple(slice(None) if c in sa else None for c in natural)
                self.index_b = tuple(slice(None) if c in sb else None for c in natural)
        if output is not None and output != natural:
            self.final = tuple(natural.index(c) for c in output)
            natural = output
        self.result = natural

    def run(self, taken: list[FloatArray]) -> FloatArray:
        if self.kind == "einsum":
            diagonal: FloatArray = np.einsum(self.spec, *taken)
            return diagonal
        arrays = [a if gone is None else a.sum(axis=gone) for a, gone in zip(taken, self.pre)]
        if self.kind == "sum":
            out = arrays[0]
        elif self.kind == "matmul":
            a = arrays[0].transpose(self.perm_a)
            b = arrays[1].transpose(self.perm_b)
            nb, nl, ns = self.n_batch, self.n_left, self.n_sum
            shape_a, shape_b = a.shape, b.shape
            batch = shape_a[:nb]
            size_sum = math.prod(shape_a[nb + nl:])
            product = np.matmul(a.reshape(batch + (math.prod(shape_a[nb:nb + nl]), size_sum)),
                                b.reshape(batch + (size_sum, math.prod(shape_b[nb + ns:]))))
            out = product.reshape(batch + shape_a[nb:nb + nl] + shape_b[nb + ns:])
        else:
            out = (arrays[0].transpose(self.perm_a)[self.index_a]
                   * arrays[1].transpose(self.perm_b)[self.index_b])
        return out if self.final is None else out.transpose(self.final)


def _program(spec: str, path: list[Any]) -> list[_Op]:
    """An einsum contraction path (``np.einsum_path``'s list) as a list of numpy calls
    (:class:`_Op`): each takes the operands at the given positions out of the list and appends
    its result, which keeps the letters still needed later; the last gives ``spec``'s output.
    Running these skips numpy's per-call path parsing, which costs more than the arithmetic of
    a small clique, and its buffered einsum loops."""
    inputs, output = spec.split("->")
    subs = inputs.split(",")
    out: list[_Op] = []
    for contraction in path[1:]:
        positions = tuple(sorted(contraction, reverse=True))
        taken = [subs.pop(i) for i in positions]
        needed = set(output).union(*subs) if subs else set(output)
        op = _Op(positions, taken, needed, None if subs else output)
        out.append(op)
        subs.append(op.result)
    if subs != [output]:
        op = _Op((0,), [subs.pop()], set(output), output)
        out.append(op)
        subs.append(op.result)
    return out


_PROGRAMS: BoundedCache[list[_Op]] = BoundedCache(4096)


def program_for(spec: str, shapes: list[tuple[int, ...]]) -> list[_Op]:
    """The program (:func:`_program` of :func:`_contraction_path`) of an elimination step,
    shared by the steps of every plan with this spec and these operand shapes (cached). The
    row count is left out of the key: every operand and the output have the row letter, so its
    size multiplies every product that the path search compares and changes no choice."""
    key = (spec, tuple(shape[1:] for shape in shapes))
    return _PROGRAMS.get_or_make(key, lambda: _program(spec, _contraction_path(spec, shapes)))


def _run_program(program: list[_Op], operands: list[FloatArray]) -> FloatArray:
    ops = list(operands)
    for op in program:
        ops.append(op.run([ops.pop(i) for i in op.positions]))
    return ops[0]


_ORDERS_BY_SHAPE: BoundedCache[list[int]] = BoundedCache(4096)
_PLANS: BoundedCache[list[Step]] = BoundedCache(4096)


def plan(scopes: list[tuple[int, ...]], sizes: list[int], quick: bool = False) -> list[Step]:
    """The elimination steps for factors with these scopes over variables of these sizes."""
    # the order depends on which variables are small (typed: <= 2 states) and which are
    # large, not on the exact number of lumped states: reuse it across data sets
    shape_key = (tuple(scopes), tuple(s if s <= 2 else 0 for s in sizes))
    order = _ORDERS_BY_SHAPE.get_or_make(shape_key,
                                         lambda: elimination_order(scopes, sizes, quick))
    pool = {i: scope for i, scope in enumerate(scopes) if scope}
    nxt = len(scopes)
    steps: list[Step] = []
    for v in order:
        use = [i for i, scope in pool.items() if v in scope]
        if not use:
            continue
        used = [pool.pop(i) for i in use]
        all_vars = list(dict.fromkeys(chain.from_iterable(used)))
        all_vars.remove(v)
        out = tuple(all_vars)
        # letters: the result's variables in order, then v
        letter = dict(zip(out + (v,), _LETTERS[1:]))
        spec = (",".join(["Z" + "".join(map(letter.__getitem__, scope)) for scope in used])
                + "->Z" + _LETTERS[1:len(out) + 1])
        clique = sizes[v] * math.prod(map(sizes.__getitem__, out))
        pool[nxt] = out
        steps.append(Step(tuple(use), nxt, len(out), clique, spec))
        nxt += 1
    return steps


def _run(steps: list[Step], arrays: list[FloatArray], n_rows: int, scale: bool,
         row_states: IntArray | None = None) -> FloatArray:
    with np.errstate(divide="ignore", under="ignore"):
        return _run_steps(steps, arrays, n_rows, scale, row_states)


#: Steps whose clique (entries, all rows) is below this run on the padded arrays as they are;
#: larger ones may run per group of rows (:class:`_Ragged`).
RAGGED_FROM = 1 << 18
#: The cost of one more group of rows, in clique entries (a few numpy calls).
RAGGED_GROUP_COST = 30_000


def contiguous_groups(counts: list[int], row_cost: list[float], overhead: float
                      ) -> list[tuple[int, int]]:
    """The cheapest split of classes ``0..m-1`` (sorted; ``counts[i]`` rows each) into runs of
    consecutive classes ``[i, j)``, in order: a run costs ``overhead`` plus its rows times
    ``row_cost[j - 1]`` (every row padded to the run's last class). Dynamic programming."""
    m = len(counts)
    best = [0.0] + [math.inf] * m
    cut = [0] * (m + 1)
    for j in range(1, m + 1):
        rows = 0
        for i in range(j - 1, -1, -1):
            rows += counts[i]
            cost = best[i] + overhead + rows * row_cost[j - 1]
            if cost < best[j]:
                best[j], cut[j] = cost, i
    runs = []
    j = m
    while j > 0:
        runs.append((cut[j], j))
        j = cut[j]
    return runs[::-1]


class _Ragged:
    """Rows of different state counts in one padded batch (:class:`~._states.MarkerBatch`).

    An untyped allele variable ranges over the batch's ``n_max`` states, but a row with
    ``n`` states has zero prior and zero transmission on states ``n..n_max-1``: every term of
    the likelihood with such a state is 0. So a large step may run on groups of rows, each on
    the states below its largest count only (the axes of size ``n_max`` sliced), and its result
    be padded back with zeros: the terms left out are terms that are 0 in the total, whatever
    the intermediate factors hold there. (Allele variables with other domains — typed, or
    partially typed with their possible states first and null padding after — have fewer than
    ``n`` real entries per row, so slicing an axis of theirs that happens to have ``n_max``
    entries is safe too.) Cuts the work of a clique with ``k`` such axes by ``(n / n_max)^k``
    for rows with fewer states (dvir's ``icmp``: 3 to 9 states padded to 9, cliques of 9^5).
    """

    def __init__(self, row_states: IntArray) -> None:
        self.row_states = row_states
        self.n_max = int(row_states.max())
        tally = Counter(row_states.tolist())
        self.values = sorted(tally)
        self.counts = [tally[v] for v in self.values]
        #: groups by (clique, k): the cheapest split depends on both
        self._groups: dict[tuple[int, int], list[tuple[slice, int]] | None] = {}

    @staticmethod
    def make(row_states: IntArray | None) -> _Ragged | None:
        if row_states is None or len(row_states) < 2:
            return None
        if bool(np.any(row_states[1:] < row_states[:-1])):
            return None       # groups are ranges of rows: sorted by state count only
        if int(row_states.max()) < 3 or int(row_states.min()) == int(row_states.max()):
            return None
        return _Ragged(row_states)

    def groups(self, clique: int, k: int) -> list[tuple[slice, int]] | None:
        """Row groups (a range of rows, states kept) for a step whose clique has ``clique``
        entries per row, ``k`` of its axes of ``n_max`` states; None: one padded run is
        cheaper (dynamic programming over the sorted state counts)."""
        key = (clique, k)
        if key in self._groups:
            return self._groups[key]
        values, n_max = self.values, self.n_max
        runs = contiguous_groups(self.counts, [clique * (v / n_max) ** k for v in values],
                                 RAGGED_GROUP_COST)
        starts = [0]
        for c in self.counts:
            starts.append(starts[-1] + c)
        groups = None if len(runs) == 1 else [(slice(starts[i], starts[j]), values[j - 1])
                                              for i, j in runs]
        self._groups[key] = groups
        return groups


def _ragged_step(step: Step, inputs: list[FloatArray], ragged: _Ragged, n_rows: int
                 ) -> FloatArray | None:
    """One step run per group of rows (:class:`_Ragged`), or None where that does not pay."""
    n_max = ragged.n_max
    spec_in, spec_out = step.spec.split("->")
    letters: dict[str, int] = {}
    for sub, arr in zip(spec_in.split(","), inputs):
        for letter, size in zip(sub, arr.shape):
            letters[letter] = size
    full = {c for c, size in letters.items() if c != "Z" and size == n_max}
    if not full:
        return None
    groups = ragged.groups(step.clique, len(full))
    if groups is None:
        return None
    out_shape = tuple(letters[c] if c != "Z" else n_rows for c in spec_out)
    result = np.zeros(out_shape)
    subs = spec_in.split(",")
    if step.ragged_program is None:
        step.ragged_program = program_for(step.spec, [a.shape for a in inputs])
    for members, kept in groups:
        picked = []
        for sub, arr in zip(subs, inputs):
            cut = tuple(slice(None, kept) if c in full else slice(None) for c in sub[1:])
            picked.append(arr[(members,) + cut])
        cut_out = tuple(slice(None, kept) if c in full else slice(None) for c in spec_out[1:])
        result[(members,) + cut_out] = _run_program(step.ragged_program, picked)
    return result


def _run_steps(steps: list[Step], arrays: list[FloatArray], n_rows: int,
               scale: bool, row_states: IntArray | None = None) -> FloatArray:
    slots: dict[int, FloatArray] = dict(enumerate(arrays))
    log_scale = np.zeros(n_rows)
    ragged: _Ragged | None = None
    for step in steps:
        inputs = [slots.pop(i) for i in step.inputs]
        result: FloatArray
        ragged_result = None
        if row_states is not None and step.clique * n_rows >= RAGGED_FROM:
            if ragged is None:       # made at the first large step only: most have none
                ragged = _Ragged.make(row_states)
                if ragged is None:
                    row_states = None
            if ragged is not None:
                ragged_result = _ragged_step(step, inputs, ragged, n_rows)
        if ragged_result is not None:
            result = ragged_result
        elif step.clique * n_rows < SMALL_CLIQUE:
            result = np.einsum(step.spec, *inputs)
        else:
            if step.program is None:
                step.program = program_for(step.spec, [a.shape for a in inputs])
            result = _run_program(step.program, inputs)
        if step.n_out == 0:
            log_scale += np.log(result)
            continue
        if scale:
            peak = result.reshape(n_rows, -1).max(axis=1)
            ok = peak > 0
            safe = np.where(ok, peak, 1.0)
            log_scale += np.where(ok, np.log(safe), -np.inf)
            result = result / safe.reshape((n_rows,) + (1,) * step.n_out)
        slots[step.output] = result
    for arr in slots.values():   # factors without variables (none are produced)
        if arr.ndim == 1:
            log_scale += np.log(arr)
    return log_scale


def eliminate(factors: list[Factor], sizes: list[int], n_rows: int,
              quick: bool = False, row_states: IntArray | None = None) -> FloatArray:
    """log Σ over all variables of Π factors, per row (exact, never underflows).

    ``row_states``: per row, the state count of a padded marker batch whose untyped allele
    variables have ``max(row_states)`` states (large steps then run per group of rows with
    similar counts, :class:`_Ragged`); None where the rows are not such a batch.

    A first pass runs without scaling; rows whose result is below ``RESCUE_BELOW`` (where
    intermediate underflow could matter) or zero are recomputed with one scale factor per row
    and elimination step.
    """
    scopes = [scope for scope, _ in factors]
    steps = _PLANS.get_or_make((tuple(scopes), tuple(sizes)),
                               lambda: plan(scopes, sizes, quick))
    arrays = [a for _, a in factors]
    logs = _run(steps, arrays, n_rows, scale=False, row_states=row_states)
    bad = ~(logs > math.log(RESCUE_BELOW))
    if np.any(bad):
        zero = bad & (logs == -np.inf)
        if np.any(zero):
            # a zero is exact when no nonzero product of factor entries can underflow: every
            # entry is <= 1, so each partial product is >= the product of the smallest
            # positive entry of every factor
            zero_rows = np.flatnonzero(zero)
            bound = np.zeros(len(zero_rows))
            with np.errstate(divide="ignore"):
                for a in arrays:
                    sub = a[zero_rows].reshape(len(zero_rows), -1)
                    bound += np.log(np.where(sub > 0, sub, 1.0).min(axis=1))
            bad[zero_rows[bound > math.log(1e-290)]] = False
    if np.any(bad):
        rows = np.flatnonzero(bad)
        logs[rows] = _run(steps, [a[rows] for a in arrays], len(rows), scale=True,
                          row_states=None if row_states is None else row_states[rows])
    return logs
