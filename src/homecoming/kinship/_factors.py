"""The factors of a pedigree likelihood: founder priors, transmissions, observations.

See the model in :mod:`homecoming.kinship.likelihood`. Every factor table has one row per
marker (or marker × θ quadrature node) first, then one axis per allele variable of its scope,
over that variable's domain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable

import numpy as np

from homecoming.kinship._cache import BoundedCache
from homecoming.kinship._elimination import Factor
from homecoming.kinship._problem import (
    FOUNDER_MAX_CHILDREN,
    FOUNDER_MAX_ENTRIES,
    BatchProblem,
    RowLayout,
    ThetaPartition,
)
from homecoming.kinship._types import FloatArray

__all__ = ["build_factors", "founder_factor"]


def founder_factor(prior: FloatArray, matrices: list[FloatArray],
                   keys: list[Hashable | None] | None = None,
                   cache: BoundedCache[FloatArray] | None = None) -> FloatArray:
    """Σ_{x,y} p_x p_y Π_k ½(M_k[x, c_k] + M_k[y, c_k]) as an array over (rows, c_1..c_K).

    Expanding the product over which parental allele each child received gives
    2^-K Σ_S g_S(c_S) g_{S'}(c_{S'}) with g_S(c_S) = Σ_x p_x Π_{k∈S} M_k[x, c_k] (S' the
    complement); S and S' give the same term, so the sum runs over S containing child 1.
    ``prior``: (R, n); ``matrices[k]``: (R, n, d_k). ``keys[k]`` (None: not cacheable) names
    child k's matrix when its domain is data-independent; g_S over such children is cached
    in ``cache``.
    """
    n_children = len(matrices)
    n_rows = prior.shape[0]
    dims = [m.shape[2] for m in matrices]

    def g(subset: tuple[int, ...]) -> FloatArray:
        shape = [n_rows] + [1] * n_children
        for k in subset:
            shape[k + 1] = dims[k]
        if not subset:
            total_prior: FloatArray = prior.sum(axis=1).reshape(shape)
            return total_prior
        cache_key: Hashable | None = None
        if cache is not None and keys is not None and all(keys[k] is not None for k in subset):
            cache_key = ("g",) + tuple(keys[k] for k in subset)
            hit = cache.get(cache_key)
            if hit is not None:
                return hit.reshape(shape)
        res: FloatArray
        if len(subset) == 1:
            res = np.matmul(prior[:, None, :], matrices[subset[0]])
        else:
            w = prior[:, :, None] * matrices[subset[0]]                 # (R, x, d)
            for k in subset[1:-1]:
                w = (w[:, :, :, None] * matrices[k][:, :, None, :]).reshape(n_rows, w.shape[1],
                                                                            -1)
            res = np.matmul(w.transpose(0, 2, 1), matrices[subset[-1]])  # (R, Π d, d_last)
        if cache is not None and cache_key is not None:
            cache.put(cache_key, res)
        return res.reshape(shape)

    total: FloatArray | None = None
    for bits in range(1 << (n_children - 1)):
        sub = (0,) + tuple(k for k in range(1, n_children) if bits >> (k - 1) & 1)
        complement = tuple(k for k in range(n_children) if k not in sub)
        term = g(sub) * g(complement)
        total = term if total is None else total + term
    assert total is not None
    result: FloatArray = np.broadcast_to(total, (n_rows,) + tuple(dims)) * (
        0.5 ** (n_children - 1))
    return result


def build_factors(problem: BatchProblem, rows: RowLayout,
                  partition: ThetaPartition | None = None) -> list[Factor]:
    """The factors of one likelihood (rows = markers, or marker × θ-node when expanded).

    ``partition`` (θ by partitions) merges founder allele variables into blocks (each block
    one variable with one prior factor from ``rows.prior``) and names the ``fixed`` founders
    (no prior factor: their urn probability is applied outside).
    """
    pedigree, variables, batch = problem.pedigree, problem.variables, problem.batch
    domains, sizes, x_linked = problem.domains, problem.sizes, problem.x_linked
    n_rows = rows.n_rows
    n_max, full = batch.n_max, batch.full
    female_all, male_all = batch.female, batch.male
    if rows.expanded:
        female, male = female_all[rows.marker_of_row], male_all[rows.marker_of_row]
    else:
        female, male = female_all, male_all
    row_domains = rows.domains
    row_index = np.arange(n_rows)[:, None, None]
    row_column = row_index[:, :, 0]

    def prior_on(v: int) -> FloatArray:
        """The founder allele prior on variable v's domain, (R, D_v)."""
        picked: FloatArray = rows.prior[row_column, row_domains[v]]
        return picked

    is_full = [domains[v] is full for v in range(len(domains))]
    merged = partition.representative() if partition else {}

    def var(v: int) -> int:
        return merged.get(v, v)

    def gather(mat: FloatArray, vx: int, vc: int) -> FloatArray:
        """mat[row, domain_x, domain_c] as (R, D_x, D_c)."""
        fx, fc = is_full[vx], is_full[vc]
        if fx and fc:
            return mat[:, :n_max, :n_max]
        if fx:
            return np.take_along_axis(mat[:, :n_max, :], row_domains[vc][:, None, :], axis=2)
        if fc:
            return np.take_along_axis(mat[:, :, :n_max], row_domains[vx][:, :, None], axis=1)
        picked: FloatArray = mat[row_index, row_domains[vx][:, :, None],
                                 row_domains[vc][:, None, :]]
        return picked

    # factors may be cached on the batch when they depend on the batch alone
    plain = not rows.expanded and rows.prior is batch.prior

    def domain_key(v: int) -> bytes | None:
        """Identity of a variable's domain (None: the full, data-independent domain)."""
        return None if is_full[v] else domains[v].tobytes()

    def cached(key: Hashable, make: Callable[[], FloatArray]) -> FloatArray:
        if not plain:
            return make()
        return batch.factor_cache.get_or_make(key, make)

    def transmission(mat: FloatArray, vx: int, vy: int, vc: int) -> FloatArray:
        """½ mat[x, c] + ½ mat[y, c] over (rows, x, y, c)."""
        def make() -> FloatArray:
            a = gather(mat, vx, vc)
            b = a if vx == vy or (is_full[vx] and is_full[vy]) else gather(mat, vy, vc)
            half_sum: FloatArray = 0.5 * (a[:, :, None, :] + b[:, None, :, :])
            return half_sum
        if vx == vy:
            return make()
        return cached(("trans", mat is female, domain_key(vx), domain_key(vy), domain_key(vc)),
                      make)

    def founder(v_maternal: int, children: list[tuple[int, FloatArray]]) -> FloatArray:
        def make() -> FloatArray:
            keys: list[Hashable | None] = [(mat is female) if is_full[v] else None
                                           for v, mat in children]
            return founder_factor(prior_on(v_maternal),
                                  [gather(mat, v_maternal, v) for v, mat in children],
                                  keys, batch.factor_cache if plain else None)
        return cached(("founder",) + tuple((mat is female, domain_key(v))
                                           for v, mat in children), make)

    observations = problem.observations
    # untyped, non-inbred founders with two (unmerged) allele variables: both variables are
    # summed out at once, in closed form, into one factor over the allele variables of their
    # children (see founder_factor)
    children_of: dict[str, list[tuple[int, FloatArray]]] = {}
    for pid in problem.persons:
        person = pedigree[pid]
        if person.is_founder:
            continue
        assert person.mother is not None and person.father is not None
        children_of.setdefault(person.mother, []).append((variables[(pid, "m")], female))
        if (pid, "p") in variables and not x_linked:
            children_of.setdefault(person.father, []).append((variables[(pid, "p")], male))
    closed: set[str] = set()
    for pid in problem.persons:
        person = pedigree[pid]
        if (not person.is_founder or pid in observations
                or problem.inbreeding.get(pid, 0.0) > 0
                or problem.one_allele(pid) or pid not in children_of):
            continue
        own = (variables[(pid, "p")], variables[(pid, "m")])
        if merged and any(v in merged or v in merged.values() for v in own):
            continue
        kids = children_of[pid]
        out_size = n_rows * math.prod(sizes[v] for v, _ in kids)
        if len(kids) <= FOUNDER_MAX_CHILDREN and out_size <= FOUNDER_MAX_ENTRIES:
            closed.add(pid)
    blocks_done: set[int] = set()
    factors: list[Factor] = []
    for pid in problem.persons:
        person = pedigree[pid]
        single = problem.one_allele(pid)
        v_maternal = variables[(pid, "m")]
        v_paternal = variables.get((pid, "p"))
        observed = observations.get(pid)
        if observed is not None and rows.expanded:
            observed = observed[rows.marker_of_row]
        if person.is_founder:
            if pid in closed:
                assert v_paternal is not None
                kids = children_of[pid]
                factors.append((tuple(var(v) for v, _ in kids), founder(v_maternal, kids)))
                if partition:
                    blocks_done.update((v_maternal, v_paternal))
                continue
            if single or v_paternal is None:
                scope: tuple[int, ...] = (var(v_maternal),)
            else:
                scope = (var(v_paternal), var(v_maternal))
            if partition:
                if observed is not None:
                    factors.append((scope, observed))
                continue
            f = problem.inbreeding.get(pid, 0.0)
            maternal_prior = prior_on(v_maternal)
            if single or v_paternal is None:
                if observed is not None:
                    maternal_prior = maternal_prior * observed
                factors.append(((v_maternal,), maternal_prior))
                continue
            paternal_prior = prior_on(v_paternal)
            if f == 0.0:
                joint = paternal_prior[:, :, None] * maternal_prior[:, None, :]
            else:
                same = (row_domains[v_paternal][:, :, None] == row_domains[v_maternal][:, None, :])
                joint = (f * paternal_prior[:, :, None] * same
                         + (1.0 - f) * paternal_prior[:, :, None] * maternal_prior[:, None, :])
            if observed is not None:
                joint = joint * observed
            factors.append(((v_paternal, v_maternal), joint))
            continue
        father, mother = person.father, person.mother
        assert father is not None and mother is not None
        if mother not in closed:
            mother_p, mother_m = variables[(mother, "p")], variables[(mother, "m")]
            factors.append(((var(mother_p), var(mother_m), v_maternal),
                            transmission(female, mother_p, mother_m, v_maternal)))
        if v_paternal is not None:
            if x_linked:
                father_m = variables[(father, "m")]
                factors.append(((var(father_m), v_paternal),
                                gather(male, father_m, v_paternal)))
            elif father not in closed:
                father_p, father_m = variables[(father, "p")], variables[(father, "m")]
                factors.append(((var(father_p), var(father_m), v_paternal),
                                transmission(male, father_p, father_m, v_paternal)))
        if observed is not None:
            if single or v_paternal is None:
                factors.append(((v_maternal,), observed))
            else:
                factors.append(((v_paternal, v_maternal), observed))
    if partition:
        singletons = {b[0] for b in partition.blocks if len(b) == 1}
        for block in partition.blocks:
            v = block[0]
            if len(block) == 1 and v in blocks_done and v in singletons:
                continue          # summed out with its founder in closed form
            factors.append(((var(v),), prior_on(v)))
    return factors
