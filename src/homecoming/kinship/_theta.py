"""θ (Balding–Nichols) exactly: by set partitions of the free founder alleles, or by
Gauss–Jacobi quadrature over the Dirichlet subpopulation frequencies.

See *θ (Balding–Nichols)* in :mod:`homecoming.kinship.likelihood` for the two methods.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import replace

import numpy as np

from homecoming.errors import InputError
from homecoming.kinship._cache import BoundedCache
from homecoming.kinship._elimination import eliminate
from homecoming.kinship._factors import build_factors
from homecoming.kinship._problem import BatchProblem, RowLayout, ThetaPartition
from homecoming.kinship._types import FloatArray, IntArray

__all__ = ["MAX_THETA_PARTITIONS", "MAX_THETA_ROWS", "dirichlet_rule", "theta_by_partitions",
           "theta_by_quadrature"]

#: Largest number of (marker × quadrature node) evaluations accepted for θ > 0.
MAX_THETA_ROWS = 2_000_000

#: θ by partitions: largest number of set partitions of the free founder alleles enumerated
#: (Bell(8) = 4140: four untyped founders; they are evaluated once per symmetry orbit).
MAX_THETA_PARTITIONS = 5000


# ---------------------------------------------------------------------------------------------
# Gauss–Jacobi nodes for Beta(a, b) on [0, 1] (Golub–Welsch)
# ---------------------------------------------------------------------------------------------
def _beta_rule(a: float, b: float, m: int) -> tuple[FloatArray, FloatArray]:
    """Nodes and weights (summing to 1) of the m-point Gauss rule for Beta(a, b)."""
    alpha, beta = b - 1.0, a - 1.0          # Jacobi (1 - x)^alpha (1 + x)^beta on [-1, 1]
    diag = np.empty(m)
    off = np.empty(max(m - 1, 0))
    diag[0] = (beta - alpha) / (alpha + beta + 2.0)
    for k in range(1, m):
        s = 2.0 * k + alpha + beta
        diag[k] = (beta * beta - alpha * alpha) / (s * (s + 2.0))
    for k in range(1, m):
        s = 2.0 * k + alpha + beta
        if k == 1:
            v = (4.0 * (1 + alpha) * (1 + beta)
                 / ((2 + alpha + beta) ** 2 * (3 + alpha + beta)))
        else:
            v = (4.0 * k * (k + alpha) * (k + beta) * (k + alpha + beta)
                 / (s * s * (s + 1.0) * (s - 1.0)))
        off[k - 1] = math.sqrt(v)
    jacobi = np.diag(diag) + np.diag(off, 1) + np.diag(off, -1)
    x, vectors = np.linalg.eigh(jacobi)
    w = vectors[0, :] ** 2
    w = w / w.sum()
    return (1.0 + x) / 2.0, w


def dirichlet_rule(alpha: FloatArray, m: int) -> tuple[FloatArray, FloatArray]:
    """Points (G, n) on the simplex and weights (G,) exact for Dirichlet(alpha) moments of
    total degree < 2m in each stick-breaking variable. Zero alphas give π = 0."""
    n = len(alpha)
    positive = np.flatnonzero(alpha > 0)
    k = len(positive)
    weights = np.ones(1)
    remaining = np.ones(1)
    columns: list[FloatArray] = []
    tails = np.cumsum(alpha[positive][::-1])[::-1]
    for i in range(k - 1):
        x, w = _beta_rule(float(alpha[positive[i]]), float(tails[i + 1]), m)
        columns = [(c[:, None] * np.ones((1, m))).reshape(-1) for c in columns]
        columns.append((remaining[:, None] * x[None, :]).reshape(-1))
        remaining = (remaining[:, None] * (1.0 - x)[None, :]).reshape(-1)
        weights = (weights[:, None] * w[None, :]).reshape(-1)
    columns.append(remaining)
    points = np.zeros((len(weights), n))
    for i, c in enumerate(columns):
        points[:, positive[i]] = c
    return points, weights


# ---------------------------------------------------------------------------------------------
# set partitions
# ---------------------------------------------------------------------------------------------
def _set_partitions(n: int) -> Iterator[list[list[int]]]:
    """All set partitions of range(n) as lists of blocks (restricted growth strings)."""
    if n == 0:
        yield []
        return
    growth = [0] * n

    def rec(i: int, m: int) -> Iterator[list[list[int]]]:
        if i == n:
            blocks: list[list[int]] = [[] for _ in range(m)]
            for k, b in enumerate(growth):
                blocks[b].append(k)
            yield blocks
            return
        for b in range(m + 1):
            growth[i] = b
            yield from rec(i + 1, max(m, b + 1))

    yield from rec(1, 1)


Orbit = tuple[list[list[int]], int]
_ORBITS: BoundedCache[list[Orbit]] = BoundedCache(64)


def _orbits_uncached(n: int, pairs: tuple[tuple[int, int], ...]) -> list[Orbit]:
    swaps = []
    for mask in range(1 << len(pairs)):
        perm = list(range(n))
        for k, (i, j) in enumerate(pairs):
            if mask >> k & 1:
                perm[i], perm[j] = j, i
        swaps.append(perm)
    orbits: dict[tuple[tuple[int, ...], ...], tuple[list[list[int]], int]] = {}
    for blocks in _set_partitions(n):
        canon = min(tuple(sorted(tuple(sorted(perm[i] for i in block)) for block in blocks))
                    for perm in swaps)
        got = orbits.get(canon)
        orbits[canon] = (blocks, 1) if got is None else (got[0], got[1] + 1)
    return list(orbits.values())


def partition_orbits(n: int, pairs: tuple[tuple[int, int], ...]) -> list[Orbit]:
    """Set partitions of range(n), one per orbit under swapping the two elements of each pair
    (a founder's two alleles play symmetric roles: transmission ½M[x] + ½M[y], unordered
    genotypes, so such partitions have the same likelihood), with the orbit sizes. Cached."""
    return _ORBITS.get_or_make((n, pairs), lambda: _orbits_uncached(n, pairs))


def bell(n: int) -> int:
    """The Bell number B(n): the number of set partitions of n elements."""
    row = [1]
    for _ in range(n):
        nxt = [row[-1]]
        for x in row:
            nxt.append(nxt[-1] + x)
        row = nxt
    return row[0]


def _quadrature_nodes(problem: BatchProblem, n_founder_alleles: int) -> int:
    """Number of quadrature rows for this batch (all markers)."""
    m = n_founder_alleles // 2 + 1
    return sum(m ** max(int(np.count_nonzero(sp.prior > 0)) - 1, 0)
               for sp in problem.batch.spaces)


def theta_by_partitions(problem: BatchProblem) -> FloatArray | None:
    """Exact θ by conditioning on the *fixed* founder alleles and summing over the set
    partitions of the other (*free*) founder alleles; ``None`` when not applicable or when
    the θ quadrature is cheaper.

    Fixed founders are typed at every marker of the batch with a complete genotype, no dropout
    entry and no silent allele: their alleles are known up to order, so their urn probability
    is a closed form of the allele counts ``c`` (T draws). Continuing the urn, each free founder
    allele either copies an earlier *free* draw (probability mθ/(1 + (j−2)θ) for a block of m
    earlier free draws, j the global draw index) or starts a new block whose allele is drawn
    from p'ₐ = (cₐθ + (1−θ)pₐ)/(Tθ + 1 − θ) (probability (Tθ + 1 − θ)/(1 + (j−2)θ)). So

        L = U(c) · Σ_partitions (Tθ+1−θ)^B θ^(K−B) Π_b (m_b−1)! / Π_j (1 + (T+j−2)θ) · L_part

    where L_part is the θ = 0 likelihood with each block one allele variable with prior p'.
    """
    batch, variables, theta = problem.batch, problem.variables, problem.theta
    n_markers = problem.n_markers
    founders = problem.founders()
    if any(problem.inbreeding.get(p, 0.0) > 0 for p in founders):
        return None
    fixed: set[str] = set()
    for pid in founders:
        if pid not in problem.typed or pid in problem.dropout or not batch.no_silent:
            continue
        a, b = problem.allele_codes[pid]
        if bool(np.all(a >= 0)) and (problem.one_allele(pid) or bool(np.all(b >= 0))):
            fixed.add(pid)
    free: list[int] = []
    pairs: list[tuple[int, int]] = []      # positions in ``free`` of one founder's two alleles
    for pid in founders:
        if pid in fixed:
            continue
        if not problem.one_allele(pid):
            pairs.append((len(free), len(free) + 1))
            free.append(variables[(pid, "p")])
        free.append(variables[(pid, "m")])
    n_free = len(free)
    if bell(n_free) > MAX_THETA_PARTITIONS:
        return None
    orbits = partition_orbits(n_free, tuple(pairs))
    n_founder_alleles = n_free + sum(1 if problem.one_allele(p) else 2 for p in fixed)
    grid = _quadrature_nodes(problem, n_founder_alleles)
    # rough costs in ms: one elimination run ≈ 1 ms + 0.02 ms per row
    if (grid <= MAX_THETA_ROWS
            and len(orbits) * (1.0 + 0.02 * n_markers) > 1.0 + 0.02 * grid):
        return None

    # free typed founders (partial genotype, dropout, silent) take the full domain
    full, n_max = batch.full, batch.n_max
    domains = list(problem.domains)
    observations = dict(problem.observations)
    for pid in founders:
        if pid in fixed or pid not in problem.typed:
            continue
        state_obs = problem.state_observations[pid]
        if problem.one_allele(pid):
            domains[variables[(pid, "m")]] = full
            observations[pid] = state_obs[:, :n_max]
        else:
            domains[variables[(pid, "p")]] = full
            domains[variables[(pid, "m")]] = full
            observations[pid] = state_obs[:, :n_max, :n_max]
    sizes = [a.shape[1] for a in domains]
    free_problem = replace(problem, domains=domains, sizes=sizes, observations=observations)

    # counts of the fixed founder alleles and their urn probability
    counts = np.zeros((n_markers, batch.n_padded))
    marker_rows = np.arange(n_markers)
    n_fixed = 0
    for pid in fixed:
        a, b = problem.allele_codes[pid]
        np.add.at(counts, (marker_rows, a), 1.0)
        n_fixed += 1
        if not problem.one_allele(pid):
            np.add.at(counts, (marker_rows, b), 1.0)
            n_fixed += 1
    p = batch.prior
    log_urn = np.zeros(n_markers)
    with np.errstate(divide="ignore"):
        for k in range(int(counts.max()) if n_fixed else 0):
            mask = counts > k
            log_urn += np.where(mask, np.log(np.where(mask, k * theta + (1 - theta) * p, 1.0)),
                                0.0).sum(axis=1)
    log_urn -= sum(math.log(1.0 + (j - 2) * theta) for j in range(1, n_fixed + 1))
    continued_prior = (counts * theta + (1.0 - theta) * p) / (n_fixed * theta + 1.0 - theta)

    log_denominator = sum(math.log(1.0 + (n_fixed + j - 2) * theta)
                          for j in range(1, n_free + 1))
    rows = RowLayout(marker_rows, continued_prior, domains, False)
    frozen_fixed = frozenset(fixed)
    terms = []
    for blocks, multiplicity in orbits:
        n_blocks = len(blocks)
        log_weight = (n_blocks * math.log(n_fixed * theta + 1.0 - theta)
                      + (n_free - n_blocks) * math.log(theta)
                      + sum(math.lgamma(len(block)) for block in blocks)
                      - log_denominator + math.log(multiplicity))
        partition = ThetaPartition(frozen_fixed, [[free[i] for i in block] for block in blocks])
        factors = build_factors(free_problem, rows, partition)
        terms.append(log_weight + eliminate(factors, sizes, n_markers, quick=len(orbits) > 50))
    total = np.stack(terms)                        # (partitions, L)
    peak = total.max(axis=0)
    ok = np.isfinite(peak)
    out = np.full(n_markers, -np.inf)
    out[ok] = peak[ok] + np.log(np.exp(total[:, ok] - peak[ok]).sum(axis=0))
    result: FloatArray = out + log_urn
    return result


def theta_by_quadrature(problem: BatchProblem) -> FloatArray:
    """Exact θ by Gauss–Jacobi quadrature over the subpopulation frequencies (rows expanded
    over the nodes; see the module docstring of :mod:`homecoming.kinship.likelihood`)."""
    theta = problem.theta
    n_founder_alleles = sum(1 if problem.one_allele(p) else 2 for p in problem.founders())
    m = n_founder_alleles // 2 + 1
    concentration = (1.0 - theta) / theta
    total_rows = _quadrature_nodes(problem, n_founder_alleles)
    if total_rows > MAX_THETA_ROWS:
        raise InputError(
            f"theta {theta}: exact θ needs {total_rows} likelihood evaluations for this pedigree "
            f"({n_founder_alleles} founder alleles) or more than {MAX_THETA_PARTITIONS} "
            f"partitions of the untyped founders' alleles; expected at most {MAX_THETA_ROWS} "
            "evaluations. Use fewer untyped founders with typed descendants or theta = 0",
            field="theta", value=theta)
    width = problem.batch.n_padded
    row_marker: list[IntArray] = []
    row_prior: list[FloatArray] = []
    row_log_weight: list[FloatArray] = []
    for li, space in enumerate(problem.batch.spaces):
        points, w = dirichlet_rule(concentration * space.prior, m)
        row_marker.append(np.full(len(w), li, dtype=np.intp))
        prior = np.zeros((len(w), width))
        prior[:, :space.n_states] = points
        row_prior.append(prior)
        with np.errstate(divide="ignore"):
            row_log_weight.append(np.log(w))
    marker_of_row = np.concatenate(row_marker)
    log_weight = np.concatenate(row_log_weight)
    rows = RowLayout(marker_of_row, np.concatenate(row_prior),
                     [a[marker_of_row] for a in problem.domains], True)
    factors = build_factors(problem, rows)
    total = eliminate(factors, problem.sizes, rows.n_rows) + log_weight
    out = np.full(problem.n_markers, -np.inf)
    for li in range(problem.n_markers):
        t = total[marker_of_row == li]
        peak = t.max()
        if np.isfinite(peak):
            out[li] = peak + math.log(float(np.exp(t - peak).sum()))
    return out
