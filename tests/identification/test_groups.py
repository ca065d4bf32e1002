"""The one union-find (identification.groups)."""

from __future__ import annotations

import random

import pytest

from homecoming.identification.groups import UnionFind, connected_groups, groups_sharing
from homecoming.identification.joint import Option, components
from homecoming.identification.pmpm import connected_groups as pm_groups


def test_union_find_by_hand():
    uf = UnionFind(6)
    assert uf.union(4, 2) == 2 and uf.union(2, 5) == 2 and uf.union(1, 0) == 0
    assert uf.find(5) == 2 and uf.connected(4, 5) and not uf.connected(0, 2)
    assert uf.groups() == [[0, 1], [2, 4, 5], [3]]
    assert uf.groups(min_size=2) == [[0, 1], [2, 4, 5]]
    assert len(uf) == 6
    with pytest.raises(ValueError):
        UnionFind(-1)


def test_groups_sharing_and_edges():
    assert groups_sharing([{"V1"}, {"V2"}, {"V1", "V3"}, set()]) == [[0, 2], [1], [3]]
    assert groups_sharing([["a"], ["b"], ["b", "a"]]) == [[0, 1, 2]]
    assert connected_groups(5, [(3, 1), (1, 0)]) == [[0, 1, 3], [2], [4]]
    assert pm_groups(5, [3, 1], [1, 0]) == ((0, 1, 3),)


@pytest.mark.parametrize("seed", range(5))
def test_random_graphs_against_search(seed):
    """Components equal those found by a plain graph search."""
    rng = random.Random(seed)
    n = 30
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(20)]
    adj: dict[int, set[int]] = {i: set() for i in range(n)}
    for a, b in edges:
        adj[a].add(b)
        adj[b].add(a)
    seen: set[int] = set()
    expected = []
    for s in range(n):
        if s in seen:
            continue
        comp, stack = {s}, [s]
        while stack:
            for x in adj[stack.pop()]:
                if x not in comp:
                    comp.add(x)
                    stack.append(x)
        seen |= comp
        expected.append(sorted(comp))
    assert connected_groups(n, edges) == expected


def test_joint_components_use_shared_victims():
    opts = [[Option(0, 0.0), Option(0b001, 1.0)], [Option(0, 0.0), Option(0b100, 1.0)],
            [Option(0, 0.0), Option(0b101, 1.0)], [Option(0, 0.0)]]
    assert components(opts) == [[0, 1, 2], [3]]
