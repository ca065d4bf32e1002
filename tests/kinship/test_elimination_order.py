"""Greedy elimination orders (``_elimination._greedy_order``) recompute a vertex's key only
where an elimination changed it; the orders equal those of a plain greedy loop that
recomputes every key at every step (random graphs and sizes; min-fill, min-weight and
min-degree), tie for tie."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from homecoming.kinship._elimination import _greedy_order, _pair_weights


def plain_order(neighbours0, log_sizes, rule):
    """Every key recomputed at every step (the definition); same arithmetic and ties."""
    neighbours = [set(x) for x in neighbours0]
    pair = _pair_weights(log_sizes)
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
                            fill += pair[a][b]
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
