"""A family's likelihoods under many sub-assignments, as products of independent blocks.

The joint stage needs, for a family with several missing persons, the likelihood of every
*sub-assignment* (some of its missing persons typed with some victims' profiles): 591 of them
for dvir's ``grave`` (8 missing persons), each a different typed set, hence a different
elimination. Most of them share pieces: the pedigree falls apart at typed persons.

Why it falls apart
------------------
In the engine's model (:mod:`homecoming.kinship.likelihood`) every person ``p`` of the
computation has one *own factor*: the founder prior of its two alleles, or the transmission of
its alleles from its parents; typed persons have an observation factor too. A child's
transmission from a parent with alleles ``(x, y)`` is ``½ M[x, c] + ½ M[y, c]``, symmetric in
the parent's allele order. So where a person is *exactly typed* — two known alleles at every
marker, no silent allele, no drop-out — its unordered genotype is known and its alleles' order
enters its own factor only: summed there, it leaves nothing that ties its own factor to its
children's. The likelihood is then the product, over *blocks*, of the sum over the states of
a block's persons of its own factors, where a block is a set of own factors linked through
persons that are not exactly typed (untyped persons of the computation, or typed partially).

A block is computed by the engine on the sub-pedigree of the persons its own factors name: the
persons whose own factor is in the block keep their parents; the others (parents from outside
the block, exactly typed by construction) become founders there, which multiplies in their
founder prior — the single-person likelihood of their genotype, subtracted again (logs). A
block's value depends only on its persons and their genotypes, so it is computed once for all
the sub-assignments that share it (``grave``: 591 sub-assignments, 141 distinct blocks in 51
sub-pedigrees, computed in 51 engine calls).

Used only where the argument holds for every marker: autosomal markers without a silent allele,
θ = 0, no drop-out (the caller checks θ and drop-out); a missing person is exactly typed when its
victim's profile is complete at every marker. The sum over blocks equals the whole-pedigree
likelihood to rounding (tests compare every sub-assignment of random families and of the dvir
examples with the direct engine).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from homecoming.genetics.markers import Marker
from homecoming.kinship.likelihood import founder_log_likelihood, genotype_rows
from homecoming.pedigree.pedigree import Pedigree, Person

__all__ = ["applies", "BlockLikelihoods"]

#: ``rows`` -> log-likelihood per row (``kinship.likelihood.log_likelihood_rows`` at θ = 0 with
#: no drop-out or inbreeding): (pedigree, [(marker, {person: genotype})]) -> array
RowsEngine = Callable[[Pedigree, Sequence[tuple[Marker, Mapping[str, object]]]], np.ndarray]
#: (pedigree, typed persons) -> the persons of the computation (typed, or with a typed
#: descendant): ``kinship._problem.relevant_persons``
Relevant = Callable[[Pedigree, frozenset[str]], Sequence[str]]


def applies(markers: Sequence[Marker]) -> bool:
    """Whether the decomposition holds for these markers (autosomal, no silent allele)."""
    return all(m.chromosome != "X" and not m.silent_frequency for m in markers)


def _exact(genotypes: Mapping[str, Any] | None, names: Sequence[str]) -> bool:
    """Two known alleles at every marker."""
    if not genotypes:
        return False
    for name in names:
        g = genotypes.get(name)
        if g is None:
            return False
        alleles = tuple(g)
        if len(alleles) != 2 or any(a is None for a in alleles):
            return False
    return True


class BlockLikelihoods:
    """Log-likelihoods per marker of one family under sub-assignments, block by block.

    :param pedigree: the family pedigree.
    :param markers: the markers (autosomal, no silent allele: :func:`applies`).
    :param references: the family's typed persons -> {marker name: genotype}.
    :param victims: victim id -> {marker name: genotype}.
    :param engine: the rows engine (θ = 0, no drop-out).
    :param relevant: the engine's relevant-persons rule.
    """

    def __init__(self, pedigree: Pedigree, markers: Sequence[Marker],
                 references: Mapping[str, Mapping[str, Any]],
                 victims: Mapping[str, Mapping[str, Any]], engine: RowsEngine,
                 relevant: Relevant) -> None:
        self.pedigree = pedigree
        self.markers = list(markers)
        self.names = [m.name for m in self.markers]
        self.references = {p: g for p, g in references.items() if g}
        self.victims = victims
        self.engine = engine
        self.relevant = relevant
        self._exact_victim: dict[str, bool] = {}
        self._exact_reference = {p: _exact(g, self.names) for p, g in self.references.items()}
        self._blocks: dict[tuple[Any, ...], np.ndarray] = {}
        self._single: dict[tuple[str, str | None], np.ndarray] = {}
        self._pedigrees: dict[tuple[frozenset[str], frozenset[str]], Pedigree] = {}
        self._shapes: dict[tuple[frozenset[str], frozenset[str]],
                           list[tuple[frozenset[str], frozenset[str], tuple[str, ...]]]] = {}
        #: distinct blocks computed (for tests and benchmarks)
        self.blocks_computed = 0

    # --- what a sub-assignment's blocks are ----------------------------------------------

    def _genotypes(self, pid: str, assigned: Mapping[str, str]) -> Mapping[str, Any] | None:
        if pid in assigned:
            return self.victims[assigned[pid]]
        return self.references.get(pid)

    def _is_exact(self, pid: str, assigned: Mapping[str, str]) -> bool:
        if pid in assigned:
            vid = assigned[pid]
            hit = self._exact_victim.get(vid)
            if hit is None:
                hit = self._exact_victim[vid] = _exact(self.victims[vid], self.names)
            return hit
        return self._exact_reference.get(pid, False)

    def blocks(self, assigned: Mapping[str, str]
               ) -> list[tuple[frozenset[str], frozenset[str], tuple[tuple[str, str | None], ...]]]:
        """The blocks of a sub-assignment (missing person -> victim): per block, (the persons
        whose own factor it holds, the outside parents made founders, and the typed persons
        of the block's sub-pedigree with their genotype's source: a victim id, or None for a
        reference)."""
        # the structure depends on which persons are typed, and which of them exactly, not on
        # which victims: cached by that
        inexact = frozenset(m for m in assigned if not self._is_exact(m, assigned))
        shape_key = (frozenset(assigned), inexact)
        shape = self._shapes.get(shape_key)
        if shape is None:
            shape = self._shapes[shape_key] = self._shape(assigned)
        return [(own, outside, tuple((q, assigned.get(q)) for q in typed_members))
                for own, outside, typed_members in shape]

    def _shape(self, assigned: Mapping[str, str]
               ) -> list[tuple[frozenset[str], frozenset[str], tuple[str, ...]]]:
        """:meth:`blocks` with the typed persons of each block (sorted) instead of sources."""
        ped = self.pedigree
        typed = frozenset(self.references) | frozenset(assigned)
        persons = self.relevant(ped, typed)
        linking = {p for p in persons if not self._is_exact(p, assigned)}
        parent = {p: p for p in linking}

        def find(x: str) -> str:
            while parent[x] != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        factor_persons: dict[str, tuple[str, ...]] = {}
        for p in persons:
            person = ped[p]
            named = (p,) if person.is_founder else (p, person.father, person.mother)
            factor_persons[p] = named  # type: ignore[assignment]
            links = [q for q in named if q in linking]
            for q in links[1:]:
                a, b = find(links[0]), find(q)
                if a != b:
                    parent[b] = a
        owners: dict[str, list[str]] = {}
        for p in persons:
            links = [q for q in factor_persons[p] if q in linking]
            owners.setdefault(find(links[0]) if links else "\0" + p, []).append(p)
        out = []
        for owned in owners.values():
            own = frozenset(owned)
            members = {q for p in owned for q in factor_persons[p]}
            outside = frozenset(members - own)
            out.append((own, outside, tuple(sorted(q for q in members if q in typed))))
        return out

    # --- computing blocks ------------------------------------------------------------------

    def _sub_pedigree(self, own: frozenset[str], outside: frozenset[str]) -> Pedigree:
        key = (own, outside)
        ped = self._pedigrees.get(key)
        if ped is None:
            full = self.pedigree
            # sorted: the persons' order numbers the engine's variables, hence its elimination
            # order and the last bits of the result (a set's order changes with the hash seed)
            people = [Person(p, full[p].father, full[p].mother, full[p].sex)
                      for p in sorted(own)]
            people += [Person(q, None, None, full[q].sex) for q in sorted(outside)]
            ped = self._pedigrees[key] = Pedigree(people)
        return ped

    def _rows(self, sources: tuple[tuple[str, str | None], ...]
              ) -> list[tuple[Marker, dict[str, object]]]:
        return genotype_rows(self.markers, {
            pid: self.victims[src] if src is not None else self.references[pid]
            for pid, src in sources})

    def _single_person(self, pid: str, source: str | None) -> np.ndarray:
        """log P(genotype) of an exactly typed person as a founder, per marker."""
        key = (pid, source)
        hit = self._single.get(key)
        if hit is None:
            genotypes = self.victims[source] if source is not None else self.references[pid]
            closed = founder_log_likelihood(self.markers, genotypes)
            if closed is None:
                ped = Pedigree([Person(pid, sex=self.pedigree[pid].sex)])
                closed = np.asarray(self.engine(ped, self._rows(((pid, source),))),
                                    dtype=float)
            hit = self._single[key] = closed
        return hit

    def compute(self, subassignments: Sequence[Mapping[str, str]]) -> list[np.ndarray]:
        """Log-likelihood per marker of the family under each sub-assignment."""
        per_sub = [self.blocks(a) for a in subassignments]
        todo: dict[tuple[frozenset[str], frozenset[str]],
                   dict[tuple[tuple[str, str | None], ...], None]] = {}
        for blocks in per_sub:
            for own, outside, sources in blocks:
                if (own, outside, sources) not in self._blocks:
                    todo.setdefault((own, outside), {})[sources] = None
        n = len(self.markers)
        for (own, outside), variants in todo.items():
            ped = self._sub_pedigree(own, outside)
            rows: list[tuple[Marker, Mapping[str, object]]] = []
            for sources in variants:
                rows.extend(self._rows(sources))
            values = np.asarray(self.engine(ped, rows), dtype=float)
            for k, sources in enumerate(variants):
                block = values[k * n:(k + 1) * n].copy()
                src = dict(sources)
                for q in sorted(outside):
                    block -= self._single_person(q, src[q])
                self._blocks[(own, outside, sources)] = block
                self.blocks_computed += 1
        out = []
        for blocks in per_sub:
            total = np.zeros(n)
            for key in blocks:
                total = total + self._blocks[key]
            out.append(total)
        return out
