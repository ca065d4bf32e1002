"""Connected groups: the one union-find of Homecoming.

Used wherever things that share something must be solved together: reference families sharing
a candidate victim (the joint search's independent components, the stored-case pipeline), PM
samples linked by a direct match (:mod:`homecoming.identification.pmpm`).

* :class:`UnionFind` — disjoint sets over ``0 .. n-1`` (path halving; the smaller root wins,
  so results do not depend on the order of the unions);
* :func:`connected_groups` — components of a graph given as edges;
* :func:`groups_sharing` — items grouped when they share a key (e.g. families by candidate
  victims).

Groups are returned as lists of indices in increasing order, ordered by their smallest member.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

__all__ = ["UnionFind", "connected_groups", "groups_sharing"]


class UnionFind:
    """Disjoint sets over ``range(n)``."""

    __slots__ = ("_parent",)

    def __init__(self, n: int) -> None:
        if n < 0:
            raise ValueError(f"n={n}; expected n >= 0")
        self._parent = list(range(n))

    def __len__(self) -> int:
        return len(self._parent)

    def find(self, x: int) -> int:
        """The representative (smallest member) of ``x``'s set."""
        parent = self._parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int) -> int:
        """Merge the sets of ``a`` and ``b``; returns the representative of the merged set."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        lo, hi = (ra, rb) if ra < rb else (rb, ra)
        self._parent[hi] = lo
        return lo

    def connected(self, a: int, b: int) -> bool:
        return self.find(a) == self.find(b)

    def groups(self, min_size: int = 1) -> list[list[int]]:
        """The sets with at least ``min_size`` members, each sorted, by smallest member."""
        members: dict[int, list[int]] = {}
        for x in range(len(self._parent)):
            members.setdefault(self.find(x), []).append(x)
        return [g for g in members.values() if len(g) >= min_size]


def connected_groups(n: int, edges: Iterable[tuple[int, int]], *,
                     min_size: int = 1) -> list[list[int]]:
    """Connected components of the undirected graph on ``range(n)`` with these edges."""
    uf = UnionFind(n)
    for a, b in edges:
        uf.union(int(a), int(b))
    return uf.groups(min_size)


def groups_sharing(keys: Iterable[Iterable[Hashable]]) -> list[list[int]]:
    """Indices of ``keys`` grouped when their key sets share an element (transitively).

    ``groups_sharing([{"V1"}, {"V2"}, {"V1", "V3"}, set()])`` is ``[[0, 2], [1], [3]]``.
    """
    items = [list(k) for k in keys]
    uf = UnionFind(len(items))
    owner: dict[Hashable, int] = {}
    for i, ks in enumerate(items):
        for k in ks:
            j = owner.setdefault(k, i)
            if j != i:
                uf.union(i, j)
    return uf.groups()
