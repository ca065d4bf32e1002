"""Greedy elimination orders (``_elimination._greedy_order``) recompute a vertex's key only
where an elimination changed it; the orders equal those of a plain greedy loop that
recomputes every key at every step (random graphs and sizes; min-fill, min-weight and
min-degree), tie for tie."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.kinship._elimination import _greedy_order


def plain_order(neighbours0, log_sizes, rule):
    """Every key recomputed at every step (the definition), by ``min`` over (key, vertex);
    the same arithmetic."""
    neighbours = [set(x) for x in neighbours0]
    sizes = [math.exp(x) for x in log_sizes]
    alive = set(range(len(log_sizes)))
    order, cost = [], 0.0
    while alive:
        keys = {}
        for v in alive:
            nb = neighbours[v]
            weight = log_sizes[v] + sum([log_sizes[u] for u in nb])
            if rule == "fill":
                fill = 0.0
                nbl = list(nb)
                for i, a in enumerate(nbl):
                    for b in nbl[i + 1:]:
                        if b not in neighbours[a]:
                            fill += sizes[a] * sizes[b]
                keys[v] = (fill, weight)
            elif rule == "weight":
                keys[v] = (weight,)
            else:
                keys[v] = (len(nb), weight)
        v = min(alive, key=lambda u: (keys[u], u))
        nb = neighbours[v]
        cost += math.exp(log_sizes[v] + sum([log_sizes[u] for u in nb]))
        for u in nb:
            neighbours[u].update(nb)
            neighbours[u].discard(u)
            neighbours[u].discard(v)
        alive.discard(v)
        order.append(v)
    return order, cost


@st.composite
def graphs(draw):
    n = draw(st.integers(1, 24))
    sizes = [draw(st.sampled_from([1, 2, 3, 5, 9])) for _ in range(n)]
    neighbours = [set() for _ in range(n)]
    for _ in range(draw(st.integers(0, 3 * n))):
        scope = draw(st.lists(st.integers(0, n - 1), min_size=1, max_size=4, unique=True))
        for v in scope:
            neighbours[v].update(scope)
    for v in range(n):
        neighbours[v].discard(v)
    return neighbours, [math.log(s) for s in sizes]


@settings(max_examples=300, deadline=None)
@given(graph=graphs(), rule=st.sampled_from(["fill", "weight", "degree"]))
def test_cached_keys_give_the_plain_greedy_order(graph, rule):
    neighbours, log_sizes = graph
    order, cost = _greedy_order(neighbours, log_sizes, rule, None)
    want, want_cost = plain_order(neighbours, log_sizes, rule)
    assert order == want
    assert cost == want_cost


@st.composite
def contractions(draw):
    """An elimination-like einsum: 1 to 4 operands over rows Z and letters a-e, summing
    out some letters; now and then an operand with a repeated letter (a diagonal, as a
    transmission from a parent whose two allele variables are merged)."""
    letters = "abcde"
    sizes = {c: draw(st.integers(1, 4)) for c in letters}
    n_ops = draw(st.integers(1, 4))
    unique = draw(st.integers(0, 4)) > 0
    subs = ["Z" + "".join(draw(st.lists(st.sampled_from(letters), min_size=0, max_size=3,
                                        unique=unique))) for _ in range(n_ops)]
    used = sorted(set("".join(subs)) - {"Z"})
    kept = [c for c in used if draw(st.booleans())]
    spec = ",".join(subs) + "->Z" + "".join(kept)
    rows = draw(st.integers(1, 3))
    shapes = [tuple(rows if c == "Z" else sizes[c] for c in sub) for sub in subs]
    return spec, shapes, draw(st.integers(0, 2 ** 31 - 1))


@settings(max_examples=300, deadline=None)
@given(case=contractions())
def test_the_contraction_path_gives_the_plain_einsum(case):
    """A path from ``_contraction_path`` run by numpy's einsum and as the pairwise numpy calls
    of ``_program`` (batched matrix products, broadcast products, sums; einsum for diagonals)
    gives the one-call einsum's result (to 1e-12 relative)."""
    import numpy as np

    from homecoming.kinship._elimination import _contraction_path, _program, _run_program

    spec, shapes, seed = case
    rng = np.random.default_rng(seed)
    arrays = [rng.random(shape) for shape in shapes]
    want = np.einsum(spec, *arrays)
    path = _contraction_path(spec, shapes)
    assert path[0] == "einsum_path" and len(path) == max(len(shapes), 2)
    # the row count changes no choice (program_for caches programs without it)
    assert _contraction_path(spec, [(7,) + shape[1:] for shape in shapes]) == path
    np.testing.assert_allclose(np.einsum(spec, *arrays, optimize=path), want, rtol=1e-12)
    np.testing.assert_allclose(_run_program(_program(spec, path), arrays), want, rtol=1e-12)


@pytest.mark.parametrize(("spec", "kinds"), [
    ("Zbec,Zebd->Zbcd", ["matmul"]),             # a clique step: summed e, batch Z and b
    ("Zfbde,Zbf->Zfbde", ["multiply"]),          # nothing summed: a broadcast product
    ("Zebcd->Zbcd", ["sum"]),
    ("Zbf,Zfbc,Zfbd->Zbcd", ["multiply", "matmul"]),
    ("Zaa,Zab->Zb", ["einsum"]),                 # a diagonal
])
def test_each_pairwise_call_is_the_numpy_call_named(spec, kinds):
    """The kind of numpy call each contraction of a program becomes, and its value (the
    one-call einsum's, to 1e-12 relative) on tables of 3 rows and 2 to 4 states."""
    import numpy as np

    from homecoming.kinship._elimination import _contraction_path, _program, _run_program

    sizes = dict(zip("Zabcdef", (3, 2, 3, 4, 2, 3, 4), strict=True))
    shapes = [tuple(sizes[c] for c in sub) for sub in spec.split("->")[0].split(",")]
    rng = np.random.default_rng(7)
    arrays = [rng.random(shape) for shape in shapes]
    program = _program(spec, _contraction_path(spec, shapes))
    assert [op.kind for op in program] == kinds
    np.testing.assert_allclose(_run_program(program, arrays), np.einsum(spec, *arrays),
                               rtol=1e-12)
