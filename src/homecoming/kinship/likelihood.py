"""Exact pedigree likelihoods by variable elimination over allele variables.

Model
-----
Every person carries a *paternal* and a *maternal* allele variable (an X-linked male carries only
the maternal one: his X comes from his mother). The joint distribution of all allele variables
of a pedigree is a product of factors:

* a founder's alleles get the population prior: ``p[a]`` each, independently; with founder
  inbreeding ``f`` the ordered pair gets ``f·p[a]·[a = b] + (1 − f)·p[a]·p[b]`` (so the
  unordered genotype has P(aa) = f·pₐ + (1 − f)pₐ², P(ab) = 2(1 − f)pₐp_b);
* a child's paternal allele ``c`` given the father's pair ``(x, y)``:
  ``½·M_male[x, c] + ½·M_male[y, c]`` (Mendel, then mutation); the maternal allele likewise with
  ``M_female``. On X a father passes his single X allele to a daughter with ``M_male[x, c]`` and
  nothing to a son;
* an observation factor for every typed person (see *Observations*).

The likelihood is the sum of this product over all allele states, computed exactly by variable
elimination; the result is a natural log per marker, ``-inf`` where the data are impossible.

* Persons who are untyped and have no typed descendant are removed first (their factors sum to
  one).
* The allele variables of a person typed with a complete genotype range over that genotype's
  alleles only (2 states); untyped ones over all states.
* An untyped, non-inbred founder's two allele variables are summed out in closed form into one
  factor over the alleles its children received (``_factors.founder_factor``: 2^(K−1)
  products of small factors instead of an n^(K+2) clique).
* The elimination order is the cheapest (by total clique size) of greedy min-weight, weighted
  min-fill and min-degree orders and a few randomised variants; it is cached per pedigree
  structure and typed set. Two-factor steps run as batched matrix products.
* Markers are batched: allele dimensions are padded per variable, so one set of numpy calls
  handles many markers; markers are grouped by state count so that padding stays cheap.
* Totals never underflow: a first pass runs without scaling; markers whose result falls below
  1e-200 (or is 0 while a nonzero term could have underflowed) are recomputed with one scale
  factor per marker and elimination step.

Allele lumping
--------------
Alleles not observed in anybody's genotype at a marker are merged into one state "other" when
that is exact: when both transmission matrices are *strongly lumpable* for the partition
{each observed allele, the silent allele, all others} (Kemeny & Snell, *Finite Markov Chains*,
1960, ch. 6): every unobserved allele has the same probability of moving to each observed
allele. Homecoming checks, on the actual matrices, that every column is constant off the
diagonal (tolerance 1e-13), which makes every such partition lumpable. This holds without
mutation and for the ``equal`` and ``proportional`` models; ``stepwise``, ``onestep`` and
custom models use the full allele set. Lumping is exact under θ too (Dirichlet aggregation).
Lumping is only done where it can pay: at θ = 0, when every relevant person is typed with a
complete genotype (no dropout) or is an untyped, non-inbred founder summed out in closed form,
no allele variable ranges over all states during elimination, so the marker's full,
data-independent state space is used instead; its padded batches and factor tables are then
reused across data sets (``_problem.lumping_pays``).
Any partition whose singletons include the observed alleles is exact (the condition above
holds for every partition), so a caller may name more alleles to keep distinct
(``log_likelihood_rows(kept=...)``): the joint search, which computes one family under many
sub-assignments, keeps the alleles of all of them, so that its problems share one state space
per marker and with it their factor tables and plans.

Silent alleles
--------------
``Marker.silent_frequency = s > 0`` adds an invisible allele state with prior ``s`` (the visible
frequencies then sum to ``1 − s``). It neither mutates nor is mutated into (the transmission
matrices of :func:`homecoming.genetics.mutation.transmission_matrices` are ``blockdiag(M, 1)``).
A silent allele never shows: a person typed ``a/a`` may be ``a/a`` or ``a/silent``.

Observations
------------
Without dropout a genotype ``(a, b)`` is the unordered pair of the person's alleles, ``(a, None)``
a partial genotype (one allele is ``a``, the other unknown, possibly silent) and an X-male has
one allele. With a dropout probability ``d`` for the person, each allele copy independently
fails to show with probability ``d`` (a silent copy never shows); the genotype lists the *set*
of labels seen (``(a, a)``, ``(a, None)`` and ``(a,)`` all mean "only ``a`` seen"):

* seen ``{a, b}``: ``(1 − d)²`` if the alleles are ``a`` and ``b``, else 0;
* seen ``{a}``: ``Π_copies q − Π_copies z`` where ``q = 1`` for a copy that is ``a`` or silent
  and ``d`` otherwise, and ``z = 1`` for a silent copy and ``d`` otherwise (so ``a/a`` gives
  ``1 − d²`` and ``a/b`` gives ``(1 − d)·d``);
* an empty set is no observation (the person is untyped at that marker).

θ (Balding–Nichols)
-------------------
With ``theta > 0`` all founder alleles of the pedigree, across all of its components, are
drawn jointly from the Pólya urn P(a | earlier draws) = (bₐθ + (1 − θ)pₐ)/(1 + (j − 2)θ)
(kinship-case.md). Founders without typed descendants are dropped first (the urn is
exchangeable, so its marginal over the remaining draws is the same urn). Two exact methods;
the cheaper one is used:

1. *Partitions* (``_theta.theta_by_partitions``). Founders typed with a complete genotype at
   every marker of a batch (no dropout entry, no silent allele) are *fixed*: their T alleles are
   known up to order, and their urn probability U(c) is a closed form of the allele counts c.
   The urn continued past them is a Chinese restaurant process over the K remaining (*free*)
   founder alleles: each either copies an earlier free draw (mθ/(1 + (j − 2)θ) for a block of
   m draws, j the global draw index) or opens a new block whose allele is drawn from
   p'ₐ = (cₐθ + (1 − θ)pₐ)/(Tθ + 1 − θ). So the likelihood is U(c) times the sum over the set
   partitions of the free alleles of (Tθ + 1 − θ)^B θ^(K−B) Π_b (m_b − 1)! / Π_j (1 + (T + j − 2)θ)
   times the θ = 0 likelihood in which each block is one allele variable with prior p'. There
   are Bell(K) partitions (203 for three untyped founders, 4140 for four), at most
   ``_theta.MAX_THETA_PARTITIONS``; partitions that differ only by swapping a founder's two
   alleles have the same likelihood, so one per orbit is evaluated (66 and 712 orbits).
2. *Quadrature*. Equivalently the founder alleles are independent given subpopulation
   frequencies π ~ Dirichlet(λp), λ = (1 − θ)/θ. The θ = 0 likelihood is a polynomial of
   degree at most K (all founder alleles) in π, so its Dirichlet expectation is computed
   exactly by a tensor-product Gauss–Jacobi rule on the stick-breaking Beta variables
   (π₁ = B₁, πᵢ = Bᵢ Π_{j<i}(1 − B_j), Bᵢ ~ Beta(λpᵢ, λΣ_{j>i}p_j)) with ⌊K/2⌋ + 1 nodes
   each; (⌊K/2⌋ + 1)^(n − 1) nodes per marker with n allele states after lumping. This is the
   method for inbred founders under θ (given π an inbred founder's pair is
   ``f·πₐ[a = b] + (1 − f)πₐπ_b``, i.e. with probability f one urn draw) and for small cases.

When both would be too large (more than :data:`MAX_THETA_ROWS` quadrature evaluations and
more than ``_theta.MAX_THETA_PARTITIONS`` partitions) the computation is refused with a
clear error rather than approximated.

Code map
--------
This module checks the inputs, parses the genotypes and groups the markers; the work is done by
private modules: ``_problem`` (checked inputs and the frozen :class:`BatchProblem` that
describes one batch), ``_states`` (state spaces, lumping, observation factors, padded marker
batches), ``_factors`` (founder, transmission and observation factors), ``_elimination``
(elimination orders and the batched sum of products), ``_theta`` (the two exact θ methods) and
``_cache`` (the one bounded cache all of them use).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np

from homecoming.errors import GenotypeError
from homecoming.genetics.markers import Marker
from homecoming.kinship._cache import BoundedCache
from homecoming.kinship._elimination import contiguous_groups, eliminate
from homecoming.kinship._factors import build_factors
from homecoming.kinship._problem import (
    BatchProblem,
    GenotypeTable,
    RowLayout,
    check_inputs,
    is_male_x,
    lumping_pays,
    relevant_persons,
)
from homecoming.kinship._states import (
    AlleleCodes,
    MarkerInfo,
    StateSpace,
    marker_batch,
    marker_info,
    observation_factor,
    state_domains,
    state_space,
)
from homecoming.kinship._theta import MAX_THETA_ROWS, theta_by_partitions, theta_by_quadrature
from homecoming.kinship._types import BoolArray, FloatArray, IntArray
from homecoming.pedigree.pedigree import Pedigree, Sex

__all__ = ["log_likelihood", "log_likelihood_rows", "genotype_rows", "allele_indices",
           "founder_log_likelihood", "MAX_THETA_ROWS",
           "GenotypeTable"]


def _batch_problem(pedigree: Pedigree, spaces: list[StateSpace],
                   parsed: list[dict[str, AlleleCodes]], typed: frozenset[str], x_linked: bool,
                   theta: float, inbreeding: dict[str, float], dropout: dict[str, float],
                   male_x: dict[str, bool], persons: list[str]) -> BatchProblem:
    """Domains and observation factors of every typed person, all markers of a batch at once
    (per dropout value). ``parsed[l][pid]`` holds state codes (−1 unknown) of typed persons."""
    n_markers = len(spaces)
    variables: dict[tuple[str, str], int] = {}
    for pid in persons:
        if not (x_linked and male_x[pid]):
            variables[(pid, "p")] = len(variables)
        variables[(pid, "m")] = len(variables)
    batch = marker_batch(spaces)
    null = batch.n_max
    observations: dict[str, FloatArray] = {}
    state_observations: dict[str, FloatArray] = {}     # general path only
    allele_codes: dict[str, tuple[IntArray, IntArray]] = {}
    domains: list[IntArray] = [batch.full] * len(variables)
    by_kind: dict[tuple[bool, float | None], list[str]] = {}
    for pid in persons:
        if pid in typed:
            by_kind.setdefault((x_linked and male_x[pid], dropout.get(pid)), []).append(pid)
    marker_rows = np.arange(n_markers)
    for (single, d), pids in by_kind.items():
        n_persons = len(pids)
        # every marker of a batch has the same typed persons
        person_codes = [[row[pid] for row in parsed] for pid in pids]
        first = np.array([[c[0] for c in codes] for codes in person_codes],
                         dtype=np.intp).reshape(n_persons, n_markers)
        second = np.array([[c[1] if len(c) > 1 else -1 for c in codes]
                           for codes in person_codes], dtype=np.intp).reshape(n_persons,
                                                                              n_markers)
        for k, pid in enumerate(pids):
            allele_codes[pid] = (first[k], second[k])
        if (d is None and not single and batch.no_silent
                and bool(np.all(first >= 0) and np.all(second >= 0))):
            # fast path: complete genotypes, no silent allele, no dropout. Domains are the
            # genotype's alleles; the factor is the indicator of the two orders.
            lo = np.minimum(first, second)
            hi = np.maximum(first, second)
            het = lo != hi
            if bool(het.any()):
                domain = np.stack([lo, np.where(het, hi, null)], axis=2)      # (P, L, 2)
                factor = np.zeros((n_persons, n_markers, 2, 2))
                factor[:, :, 0, 1] = het
                factor[:, :, 1, 0] = het
                factor[:, :, 0, 0] = ~het
            else:
                domain = lo[:, :, None]
                factor = np.ones((n_persons, n_markers, 1, 1))
            for k, pid in enumerate(pids):
                observations[pid] = factor[k]
                domains[variables[(pid, "p")]] = domain[k]
                domains[variables[(pid, "m")]] = domain[k]
            continue
        full_factor = observation_factor(first.reshape(-1), second.reshape(-1),
                                         np.tile(batch.n_states, n_persons),
                                         np.tile(batch.silent, n_persons), batch.n_padded, d,
                                         single)
        full_factor = full_factor.reshape((n_persons, n_markers) + full_factor.shape[1:])
        possible: BoolArray = np.asarray(full_factor > 0)
        masks: list[BoolArray] = ([possible] if single else
                                  [np.asarray(possible.any(axis=3)),
                                   np.asarray(possible.any(axis=2))])
        person_domains = [state_domains(m, null) for m in masks]
        for k, pid in enumerate(pids):
            state_observations[pid] = full_factor[k]
            if single:
                maternal = person_domains[0][k]
                domains[variables[(pid, "m")]] = maternal
                observations[pid] = np.take_along_axis(full_factor[k], maternal, axis=1)
            else:
                paternal, maternal = person_domains[0][k], person_domains[1][k]
                domains[variables[(pid, "p")]] = paternal
                domains[variables[(pid, "m")]] = maternal
                observations[pid] = full_factor[k][marker_rows[:, None, None],
                                                   paternal[:, :, None], maternal[:, None, :]]
    return BatchProblem(pedigree, persons, variables, domains, [a.shape[1] for a in domains],
                        observations, state_observations, allele_codes, batch, typed, x_linked,
                        theta, inbreeding, dropout, male_x)


def _batch_log_likelihood(pedigree: Pedigree, spaces: list[StateSpace],
                          parsed: list[dict[str, AlleleCodes]], typed: frozenset[str],
                          x_linked: bool, theta: float, inbreeding: dict[str, float],
                          dropout: dict[str, float], male_x: dict[str, bool]) -> FloatArray:
    """Log-likelihood for markers that share a chromosome type and a typed set."""
    persons = relevant_persons(pedigree, typed)
    if not persons:
        return np.zeros(len(spaces))
    if (theta == 0 and not x_linked and len(persons) == len(typed) and not inbreeding
            and not any(pid in dropout for pid in persons)):
        closed = _all_typed(pedigree, spaces, parsed, persons)
        if closed is not None:
            return closed
    problem = _batch_problem(pedigree, spaces, parsed, typed, x_linked, theta, inbreeding,
                             dropout, male_x, persons)
    if theta > 0:
        by_partitions = theta_by_partitions(problem)
        if by_partitions is not None:
            return by_partitions
        return theta_by_quadrature(problem)
    rows = RowLayout(np.arange(problem.n_markers), problem.batch.prior, problem.domains, False)
    return eliminate(build_factors(problem, rows), problem.sizes, rows.n_rows,
                     row_states=problem.batch.n_states)


def _all_typed(pedigree: Pedigree, spaces: list[StateSpace],
               parsed: list[dict[str, AlleleCodes]], persons: list[str]) -> FloatArray | None:
    """The log-likelihood in closed form when every person of the computation is typed with a
    complete genotype (autosomal, θ = 0, no silent allele, no dropout or inbreeding): founders
    contribute P(a)P(b) (twice for a heterozygote), each child the sum over the orders of its
    genotype of ½(M_male[f1, c_p] + M_male[f2, c_p]) · ½(M_female[m1, c_m] + M_female[m2, c_m])
    — the model of the module docstring with nothing to sum out (a paternity trio). ``None``
    where it does not apply (a partial genotype, a silent allele)."""
    batch = marker_batch(spaces)
    if not batch.no_silent:
        return None
    codes = np.array([[row[pid] for row in parsed] for pid in persons], dtype=np.intp)
    if codes.ndim != 3 or codes.shape[2] != 2 or bool((codes < 0).any()):
        return None
    where = {pid: k for k, pid in enumerate(persons)}
    rows = np.arange(len(spaces))
    a, b = codes[:, :, 0], codes[:, :, 1]
    total = np.zeros(len(spaces))
    with np.errstate(divide="ignore"):
        for k, pid in enumerate(persons):
            person = pedigree[pid]
            if person.is_founder:
                p = batch.prior[rows, a[k]] * batch.prior[rows, b[k]]
                total += np.log(np.where(a[k] != b[k], 2.0 * p, p))
                continue
            f, m = where[person.father], where[person.mother]  # type: ignore[index]
            first = (_passed(batch.male, rows, a[f], b[f], a[k])
                     * _passed(batch.female, rows, a[m], b[m], b[k]))
            swapped = (_passed(batch.male, rows, a[f], b[f], b[k])
                       * _passed(batch.female, rows, a[m], b[m], a[k]))
            total += np.log(np.where(a[k] != b[k], first + swapped, first))
    return total


def _passed(mat: FloatArray, rows: IntArray, x: IntArray, y: IntArray, allele: IntArray
            ) -> FloatArray:
    """½ M[x, c] + ½ M[y, c] per row: a parent with alleles (x, y) passes ``allele`` c."""
    out: FloatArray = 0.5 * (mat[rows, x, allele] + mat[rows, y, allele])
    return out


#: Estimated fixed cost of one marker batch, in units of n^3 for a marker with n states.
_BATCH_OVERHEAD = 5e4

_BUCKETS: BoundedCache[list[list[int]]] = BoundedCache(4096)


def _buckets(sizes: list[int], width: int) -> list[list[int]]:
    """Split marker positions into batches of similar state counts (padding costs ~n^width),
    by dynamic programming over the sorted counts (cached)."""
    return _BUCKETS.get_or_make((tuple(sizes), width), lambda: _buckets_uncached(sizes, width))


def _buckets_uncached(sizes: list[int], width: int) -> list[list[int]]:
    # splitting markers of equal size only adds overhead: cut between distinct sizes only
    by_size: dict[int, list[int]] = {}
    for i, size in enumerate(sizes):
        by_size.setdefault(size, []).append(i)
    values = sorted(by_size)
    runs = contiguous_groups([len(by_size[v]) for v in values],
                             [float(v) ** width for v in values], _BATCH_OVERHEAD)
    return [[k for v in values[i:j] for k in by_size[v]] for i, j in runs]


#: Most rows (markers) in one batch: bounds the padded (rows × states²) arrays.
MAX_BATCH_ROWS = 512


def log_likelihood(pedigree: Pedigree, markers: Sequence[Marker], genotypes: GenotypeTable, *,
                   theta: float = 0.0, founder_inbreeding: Mapping[str, float] | None = None,
                   dropout: Mapping[str, float] | None = None) -> FloatArray:
    """Natural log of P(genotypes | pedigree) per marker, shape ``(len(markers),)``.

    ``-inf`` where the data are impossible. See the module docstring for the model.

    :raises HypothesisError: a genotyped person is not in the pedigree.
    :raises GenotypeError: an allele label not in the marker, a male with two X alleles.
    """
    markers = list(markers)
    inbreeding, drop = check_inputs(pedigree, markers, genotypes, theta, founder_inbreeding,
                                    dropout)
    return log_likelihood_rows(pedigree, genotype_rows(markers, genotypes), theta=float(theta),
                               inbreeding=inbreeding, dropout=drop)


def genotype_rows(markers: Sequence[Marker], genotypes: GenotypeTable
                  ) -> list[tuple[Marker, dict[str, object]]]:
    """The rows of :func:`log_likelihood_rows` for a genotype table: per marker, the genotype
    of every person typed there."""
    rows: list[tuple[Marker, dict[str, object]]] = []
    people = [(pid, person_genotypes) for pid, person_genotypes in genotypes.items()
              if person_genotypes]
    for marker in markers:
        name = marker.name
        row: dict[str, object] = {}
        for pid, person_genotypes in people:
            genotype = person_genotypes.get(name)
            if genotype is not None:
                row[pid] = genotype
        rows.append((marker, row))
    return rows


_NOBODY: frozenset[str] = frozenset()
_SEXES: BoundedCache[tuple[dict[str, bool], frozenset[str]]] = BoundedCache(4096)


def _sexes(pedigree: Pedigree) -> tuple[dict[str, bool], frozenset[str]]:
    """(person -> carries one X, unless an X genotype says otherwise; the persons of unknown
    sex) of a pedigree (cached; the dict is not to be changed)."""
    return _SEXES.get_or_make(id(pedigree), lambda: (
        {pid: is_male_x(pedigree, pid, False) for pid in pedigree.ids},
        frozenset(pid for pid in pedigree.ids if pedigree[pid].sex is Sex.UNKNOWN)),
        keep=pedigree)


def allele_indices(markers: Sequence[Marker], tables: Iterable[Mapping[str, object]]
                   ) -> dict[str, frozenset[int]]:
    """Per autosomal marker, the indices (positions in ``marker.alleles``) of every allele in
    ``tables`` (genotypes by marker name): the ``kept`` argument of
    :func:`log_likelihood_rows` for rows whose genotypes all come from these tables. Genotypes
    that do not parse are left out (the engine reports them where they are used)."""
    tables = list(tables)
    out: dict[str, frozenset[int]] = {}
    for marker in markers:
        if marker.chromosome == "X":
            continue
        info = marker_info(marker)
        seen: set[int] = set()
        for table in tables:
            genotype = table.get(marker.name)
            if genotype is None:
                continue
            try:
                codes = info.parse(marker, "", genotype, None)
            except GenotypeError:
                continue
            if codes:
                seen.update(codes)
        seen.discard(-1)
        out[marker.name] = frozenset(seen)
    return out


def founder_log_likelihood(markers: Sequence[Marker], genotypes: Mapping[str, object]
                           ) -> FloatArray | None:
    """log P(genotype) per marker of a person with no relatives in the computation (θ = 0, no
    drop-out or inbreeding), in closed form: log(p_a·p_b), twice that for a heterozygote;
    the same arithmetic as :func:`log_likelihood` on a one-person pedigree. None where the
    closed form does not apply: an X marker, a silent allele, or a genotype not of two known
    alleles (call :func:`log_likelihood` then)."""
    out = np.empty(len(markers))
    for k, marker in enumerate(markers):
        info = marker_info(marker)
        genotype = genotypes.get(marker.name)
        if genotype is None or marker.chromosome == "X" or info.silent >= 0:
            return None
        codes = info.parse(marker, "", genotype, None)
        if codes is None or len(codes) != 2 or -1 in codes:
            return None
        p = info.prior[codes[0]] * info.prior[codes[1]]
        with np.errstate(divide="ignore"):
            out[k] = np.log(2.0 * p if codes[0] != codes[1] else p)
    return out


def log_likelihood_rows(pedigree: Pedigree, rows: Sequence[tuple[Marker, Mapping[str, object]]],
                        *, theta: float, inbreeding: dict[str, float],
                        dropout: dict[str, float],
                        kept: Mapping[str, frozenset[int]] | None = None) -> FloatArray:
    """:func:`log_likelihood` of independent rows, each a marker and the genotypes at it by
    person; a marker may appear in many rows (e.g. one per genotype of an untyped person).
    The arguments are checked already (``check_inputs``); persons are in the pedigree.

    ``kept``: per marker name, allele indices that the state space of a row keeps distinct
    where it lumps unseen alleles (:func:`allele_indices`), in addition to the row's own.
    Lumping is exact for any set that contains the row's alleles (module docstring), so the
    result does not depend on ``kept``; rows of many problems that share it share one state
    space per marker, hence their factor tables and elimination plans.
    """
    n_rows = len(rows)
    out = np.zeros(n_rows)
    if n_rows == 0:
        return out
    drop = dropout
    male_x_default, unknown_sex = _sexes(pedigree)
    male_x = dict(male_x_default)       # unknown sexes may be settled by an X genotype below
    spaces: list[StateSpace] = []
    parsed: list[dict[str, AlleleCodes]] = []
    dropped = frozenset(drop)
    inbred = frozenset(inbreeding)
    pays: dict[tuple[frozenset[str], frozenset[str]], bool] = {}
    groups: dict[tuple[bool, frozenset[str], bool], list[int]] = {}
    # the typed (and incomplete) sets of the rows, one frozenset object per distinct tuple of
    # person ids: most rows repeat a few sets, whose hashes are then computed once
    sets: dict[tuple[str, ...], frozenset[str]] = {(): _NOBODY}
    infos: dict[int, tuple[MarkerInfo, bool]] = {}
    for li, (marker, row) in enumerate(rows):
        got = infos.get(id(marker))
        if got is None:
            got = infos[id(marker)] = (marker_info(marker), marker.chromosome == "X")
        info, x_linked = got
        known = info.parsed_codes          # the parse memo, read directly in this hot loop
        per_person: dict[str, AlleleCodes] = {}
        incomplete: list[str] = []
        for pid, genotype in row.items():
            x_male = None
            if x_linked:
                x_male = male_x[pid]
                if pid in unknown_sex and not pedigree.children(pid):
                    x_male = len(tuple(genotype)) == 1  # type: ignore[arg-type]
                    male_x[pid] = x_male
            try:
                codes: AlleleCodes | None = known[(genotype, x_male)] or None
            except (KeyError, TypeError):
                codes = info.parse(marker, pid, genotype, x_male)
            if codes is not None:
                per_person[pid] = codes
                if -1 in codes or pid in dropped:
                    incomplete.append(pid)
        ids = tuple(per_person)
        typed = sets.get(ids)
        if typed is None:
            typed = sets[ids] = frozenset(ids)
        inc = tuple(incomplete)
        incomplete_set = sets.get(inc)
        if incomplete_set is None:
            incomplete_set = sets[inc] = frozenset(inc)
        # lumping pays only where some allele variable ranges over all states in elimination
        pays_key = (typed, incomplete_set)
        lump = pays.get(pays_key)
        if lump is None:
            lump = pays[pays_key] = lumping_pays(pedigree, typed, pays_key[1], inbred, theta)
        if lump:
            seen: set[int] = set().union(*per_person.values())
            seen.discard(-1)
            extra = kept.get(marker.name) if kept is not None else None
            if extra is None:
                space = state_space(marker, info, frozenset(seen))
            else:
                space = state_space(marker, info, extra if seen <= extra else extra | seen)
        else:
            space = info.full_space()
        if space.lumped:
            recode, recoded = space.recode, space.recoded     # the memo first: no call
            per_person = {pid: recoded.get(codes) or recode(codes)
                          for pid, codes in per_person.items()}
        parsed.append(per_person)
        spaces.append(space)
        # group markers by chromosome, typed set and state space kind, then by state count
        # (the cost of padding grows with the state count only where lumping pays)
        groups.setdefault((x_linked, typed, not space.lumped), []).append(li)
    for (x_linked, typed, full), positions in groups.items():
        if full:
            buckets = [list(range(len(positions)))]
        else:
            buckets = _buckets([spaces[i].n_states for i in positions], 3)
        for whole in buckets:
            # rows by state count: large elimination steps then run per range of rows on
            # fewer states (``_elimination._Ragged``)
            whole = sorted(whole, key=lambda i: spaces[positions[i]].n_states)
            for start in range(0, len(whole), MAX_BATCH_ROWS):
                chosen = [positions[i] for i in whole[start:start + MAX_BATCH_ROWS]]
                out[chosen] = _batch_log_likelihood(
                    pedigree, [spaces[i] for i in chosen], [parsed[i] for i in chosen], typed,
                    x_linked, theta, inbreeding, drop, male_x)
    return out
