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
  factor over the alleles its children received (``_founder_factor``: 2^(K−1) products of
  small factors instead of an n^(K+2) clique).
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

1. *Partitions* (``_theta_by_partitions``). Founders typed with a complete genotype at every
   marker of a batch (no dropout entry, no silent allele) are *fixed*: their T alleles are
   known up to order, and their urn probability U(c) is a closed form of the allele counts c.
   The urn continued past them is a Chinese restaurant process over the K remaining (*free*)
   founder alleles: each either copies an earlier free draw (mθ/(1 + (j − 2)θ) for a block of
   m draws, j the global draw index) or opens a new block whose allele is drawn from
   p'ₐ = (cₐθ + (1 − θ)pₐ)/(Tθ + 1 − θ). So the likelihood is U(c) times the sum over the set
   partitions of the free alleles of (Tθ + 1 − θ)^B θ^(K−B) Π_b (m_b − 1)! / Π_j (1 + (T + j − 2)θ)
   times the θ = 0 likelihood in which each block is one allele variable with prior p'. There
   are Bell(K) partitions (203 for three untyped founders, 4140 for four), at most
   :data:`_THETA_MAX_PARTITIONS`; partitions that differ only by swapping a founder's two
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
more than :data:`_THETA_MAX_PARTITIONS` partitions) the computation is refused with a clear
error rather than approximated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from homecoming.errors import GenotypeError, HypothesisError, InputError
from homecoming.genetics.markers import Marker
from homecoming.genetics.mutation import transmission_matrices
from homecoming.pedigree.pedigree import Pedigree, Sex

__all__ = ["log_likelihood", "MAX_THETA_ROWS", "GenotypeTable"]

GenotypeTable = Mapping[str, Mapping[str, tuple]]

#: Largest number of (marker × quadrature node) evaluations accepted for θ > 0.
MAX_THETA_ROWS = 2_000_000

_LUMP_TOL = 1e-13


# ---------------------------------------------------------------------------------------------
# input checking
# ---------------------------------------------------------------------------------------------
def _check_inputs(pedigree: Pedigree, markers: Sequence[Marker], genotypes: GenotypeTable,
                  theta: float, founder_inbreeding, dropout) -> tuple[dict, dict]:
    try:
        th = float(theta)
    except (TypeError, ValueError):
        raise InputError(f"theta {theta!r} is not a number; expected 0 <= theta < 1",
                         field="theta", value=theta) from None
    if not (0.0 <= th < 1.0) or not math.isfinite(th):
        raise InputError(f"theta {theta!r}; expected 0 <= theta < 1", field="theta", value=theta)
    for pid in genotypes:
        if pid not in pedigree:
            raise HypothesisError(
                f"genotyped person {pid!r} is not in the pedigree; every genotyped person must "
                "appear in every hypothesis", field="genotypes", value=pid)
    finb: dict[str, float] = {}
    for pid, f in (founder_inbreeding or {}).items():
        if pid not in pedigree:
            raise HypothesisError(f"founder_inbreeding: person {pid!r} is not in the pedigree",
                                  field="founder_inbreeding", value=pid)
        if not pedigree[pid].is_founder:
            raise HypothesisError(f"founder_inbreeding: person {pid!r} is not a founder; "
                                  "expected founders only", field="founder_inbreeding", value=pid)
        try:
            fv = float(f)
        except (TypeError, ValueError):
            fv = float("nan")
        if not (0.0 <= fv <= 1.0):
            raise HypothesisError(f"founder_inbreeding: {f!r} for person {pid!r}; expected a "
                                  "number in [0, 1]", field="founder_inbreeding", value=f)
        if fv > 0:
            finb[pid] = fv
    drop: dict[str, float] = {}
    for pid, d in (dropout or {}).items():
        try:
            dv = float(d)
        except (TypeError, ValueError):
            dv = float("nan")
        if not (0.0 <= dv < 1.0):
            raise InputError(f"dropout: {d!r} for person {pid!r}; expected a probability in "
                             "[0, 1)", field="dropout", value=d)
        drop[pid] = dv
    names = [m.name for m in markers]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise InputError(f"markers: duplicated marker names {dup}; expected unique names",
                         field="markers", value=dup)
    return finb, drop


def _is_male_x(pedigree: Pedigree, pid: str, gt_len_one: bool) -> bool:
    sex = pedigree[pid].sex
    if sex is Sex.MALE:
        return True
    if sex is Sex.FEMALE:
        return False
    # unknown sex: a father is male, a mother female; otherwise a one-allele X genotype
    for cid in pedigree.children(pid):
        c = pedigree[cid]
        if c.father == pid:
            return True
        if c.mother == pid:
            return False
    return gt_len_one


def _parse_genotype(marker: Marker, pid: str, gt, x_male: bool | None,
                    index: Mapping[str, int]) -> tuple[int, ...] | None:
    """Allele indices (−1 = unknown) of a genotype, or ``None`` when nothing is known.

    ``x_male`` is None for autosomal markers.
    """
    if gt is None:
        return None
    if isinstance(gt, str):
        raise GenotypeError(f"marker {marker.name!r}, person {pid!r}: genotype {gt!r} is a "
                            "string; expected a list of allele labels", field="genotypes",
                            value=gt)
    gt = tuple(gt)
    codes: list[int] = []
    for a in gt:
        if a is None:
            codes.append(-1)
            continue
        label = a if isinstance(a, str) else str(a)
        try:
            codes.append(index[label])
        except KeyError:
            raise GenotypeError(
                f"marker {marker.name!r}, person {pid!r}: allele {label!r} is not in the "
                f"marker's allele list", field="genotypes", value=label) from None
    if all(c < 0 for c in codes):
        return None
    if x_male:
        known = sorted({c for c in codes if c >= 0})
        if len(codes) > 2 or len(known) > 1:
            labels = [marker.alleles[c] for c in known]
            raise GenotypeError(
                f"marker {marker.name!r}, person {pid!r}: a male has one X allele; got "
                f"{labels}", field="genotypes", value=labels)
        return (known[0],)
    if len(codes) != 2:
        raise GenotypeError(
            f"marker {marker.name!r}, person {pid!r}: genotype has {len(codes)} allele(s); "
            "expected two (one only for an X-linked male)", field="genotypes", value=gt)
    return (codes[0], codes[1])


# ---------------------------------------------------------------------------------------------
# per-marker state spaces (lumping)
# ---------------------------------------------------------------------------------------------
class _MarkerInfo:
    """What the engine needs of a marker, computed once per Marker object."""

    __slots__ = ("index", "n", "prior", "mf", "mm", "lumpable", "cf", "cm", "silent",
                 "parsed", "__weakref__")

    def __init__(self, marker: Marker) -> None:
        self.index = {a: i for i, a in enumerate(marker.alleles)}
        self.parsed: dict = {}
        n = marker.n_alleles
        self.n = n
        s = float(marker.silent_frequency or 0.0)
        freqs = np.asarray(marker.frequencies, dtype=float)
        self.prior = np.concatenate([freqs, [s]]) if s > 0 else freqs.copy()
        self.silent = n if s > 0 else -1
        mf, mm = transmission_matrices(marker)
        self.mf = np.asarray(mf, dtype=float)
        self.mm = np.asarray(mm, dtype=float)
        # lumpable for every partition {observed singletons, silent, rest} iff, within the
        # visible block, every column is constant off the diagonal (equal, proportional, none)
        self.cf = self._offdiag_const(self.mf[:n, :n])
        self.cm = self._offdiag_const(self.mm[:n, :n])
        self.lumpable = self.cf is not None and self.cm is not None

    @staticmethod
    def _offdiag_const(m: np.ndarray) -> np.ndarray | None:
        n = m.shape[0]
        if n < 2:
            return np.zeros(n)
        off = m.copy()
        np.fill_diagonal(off, np.nan)
        hi = np.nanmax(off, axis=0)
        lo = np.nanmin(off, axis=0)
        if np.all(hi - lo <= _LUMP_TOL):
            return (hi + lo) / 2.0
        return None


_INFO: dict[int, tuple] = {}


def _info(marker: Marker) -> _MarkerInfo:
    key = id(marker)
    hit = _INFO.get(key)
    if hit is not None and hit[0]() is marker:
        return hit[1]
    info = _MarkerInfo(marker)
    try:
        import weakref
        ref = weakref.ref(marker, lambda r, key=key: _INFO.pop(key, None))
    except TypeError:  # pragma: no cover
        return info
    _INFO[key] = (ref, info)
    return info


@dataclass
class _States:
    prior: np.ndarray          # (n_eff,)
    mf: np.ndarray             # (n_eff, n_eff) female transmission
    mm: np.ndarray             # (n_eff, n_eff) male transmission
    code: np.ndarray           # full allele index (visible) -> effective state
    silent: int                # effective index of the silent state, -1 if none
    lumped: bool

    def __post_init__(self) -> None:
        self.code_list = [int(c) for c in self.code] + [-1]   # index -1 -> unknown


def _lump(m: np.ndarray, c: np.ndarray, keep: np.ndarray, members: np.ndarray,
          n_obs: int) -> np.ndarray:
    k = len(keep)
    out = np.empty((k + 1, k + 1))
    out[:k, :k] = m[np.ix_(keep, keep)]
    out[:k, k] = m[np.ix_(keep, members)].sum(axis=1)
    out[k, :n_obs] = c[keep[:n_obs]]
    out[k, n_obs:k] = 0.0                      # the silent allele is never mutated into
    out[k, k] = 1.0 - out[k, :k].sum()
    return out


_STATES_CACHE: dict[tuple[int, frozenset], tuple] = {}


def _states(marker: Marker, info: _MarkerInfo, observed: frozenset[int]) -> _States:
    n = info.n
    lump = info.lumpable and n - len(observed) >= 2
    # the full allele set does not depend on the data: one object per marker
    key = (id(marker), observed if lump else None)
    hit = _STATES_CACHE.get(key)
    if hit is not None and hit[0]() is marker:
        return hit[1]
    code = np.empty(n, dtype=np.intp)
    if lump:
        obs = np.array(sorted(observed), dtype=np.intp)
        members = np.array([i for i in range(n) if i not in observed], dtype=np.intp)
        keep = np.concatenate([obs, [info.silent]]).astype(np.intp) if info.silent >= 0 else obs
        k = len(keep)
        prior = np.concatenate([info.prior[keep], [info.prior[members].sum()]])
        code[obs] = np.arange(len(obs))
        code[members] = k
        st = _States(prior, _lump(info.mf, info.cf, keep, members, len(obs)),
                     _lump(info.mm, info.cm, keep, members, len(obs)), code,
                     len(obs) if info.silent >= 0 else -1, True)
    else:
        code[:] = np.arange(n)
        st = _States(info.prior, info.mf, info.mm, code, info.silent, False)
    if len(_STATES_CACHE) > 50_000:
        _STATES_CACHE.clear()
    import weakref
    _STATES_CACHE[key] = (weakref.ref(marker), st)
    return st


# ---------------------------------------------------------------------------------------------
# observation factors at state level, all markers of a batch at once
# ---------------------------------------------------------------------------------------------
def _obs_factor(a: np.ndarray, b: np.ndarray, nst: np.ndarray, silent: np.ndarray, N: int,
                d: float | None, single: bool) -> np.ndarray:
    """P(observation | states) for one person at L markers: (L, N, N), or (L, N) if single.

    ``a``, ``b``: effective allele codes (−1 unknown); both −1 means untyped at that marker.
    """
    st = np.arange(N)[None, :]
    valid = st < nst[:, None]
    vis = valid & (st != silent[:, None])
    A = a[:, None]
    B = b[:, None]
    if single:
        typed = A >= 0
        hit = (st == A).astype(float) * (1.0 if d is None else 1.0 - d)
        return np.where(typed, hit, valid.astype(float))
    V2 = valid[:, :, None] & valid[:, None, :]
    untyped = (A < 0) & (B < 0)
    both = (A >= 0) & (B >= 0)
    het = both & (A != B)
    is_a = st == A
    is_b = st == B
    pair = (is_a[:, :, None] & is_b[:, None, :]) | (is_b[:, :, None] & is_a[:, None, :])
    k = np.maximum(A, B)                      # the one label seen (hom or partial)
    is_k = st == k
    if d is None:
        okk = is_k | (valid & ~vis)
        hom = (is_k[:, :, None] & okk[:, None, :]) | (okk[:, :, None] & is_k[:, None, :])
        part = (is_k[:, :, None] | is_k[:, None, :]) & V2
        one = np.where((both & ~het)[:, :, None], hom, part)
        out = np.where(het[:, :, None], pair, one)
        return np.where(untyped[:, :, None], V2, out).astype(float)
    q = np.where(is_k | ~vis, 1.0, d) * valid
    z = np.where(vis, d, 1.0) * valid
    one = q[:, :, None] * q[:, None, :] - z[:, :, None] * z[:, None, :]
    out = np.where(het[:, :, None], pair * (1.0 - d) ** 2, one)
    return np.where(untyped[:, :, None], V2.astype(float), out)


def _domains(mask: np.ndarray, null: int) -> list[np.ndarray]:
    """Per person (first axis), the index array (L, D) of the True states per marker row,
    padded with ``null``; D is the person's largest count."""
    cnt = mask.sum(axis=2)
    order = np.argsort(~mask, axis=2, kind="stable")
    out = []
    for k in range(mask.shape[0]):
        D = max(int(cnt[k].max()), 1)
        out.append(np.where(np.arange(D)[None, :] < cnt[k][:, None], order[k, :, :D], null))
    return out


class _Batch:
    """Stacked, padded per-marker arrays of one batch of state spaces (cached)."""

    def __init__(self, states: list[_States]) -> None:
        L = len(states)
        self.states = states                      # keeps the ids in the cache key alive
        self.nst = np.array([len(st.prior) for st in states], dtype=np.intp)
        self.nmax = int(self.nst.max())
        self.N = self.nmax + 1                    # last state: a null state (all zeros)
        N = self.N
        self.silent = np.array([st.silent for st in states], dtype=np.intp)
        self.no_silent = bool(np.all(self.silent < 0))
        self.prior = np.zeros((L, N))
        self.mf = np.zeros((L, N, N))
        self.mm = np.zeros((L, N, N))
        for li, st in enumerate(states):
            k = len(st.prior)
            self.prior[li, :k] = st.prior
            self.mf[li, :k, :k] = st.mf
            self.mm[li, :k, :k] = st.mm
        # the domain of an untyped allele: every state; padded states have zero prior and
        # zero transmission, so they need no masking
        self.full = np.broadcast_to(np.arange(self.nmax), (L, self.nmax))
        # data-independent factors between untyped persons, built on first use
        self.cache: dict[tuple, np.ndarray] = {}


_BATCH_CACHE: dict[tuple[int, ...], _Batch] = {}


def _batch_arrays(states: list[_States]) -> _Batch:
    key = tuple(id(st) for st in states)
    hit = _BATCH_CACHE.get(key)
    if hit is not None:
        return hit
    if len(_BATCH_CACHE) > 64:
        _BATCH_CACHE.clear()
    b = _Batch(states)
    _BATCH_CACHE[key] = b
    return b


# ---------------------------------------------------------------------------------------------
# Gauss–Jacobi nodes for Beta(a, b) on [0, 1] (Golub–Welsch)
# ---------------------------------------------------------------------------------------------
def _beta_rule(a: float, b: float, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes and weights (summing to 1) of the m-point Gauss rule for Beta(a, b)."""
    al, be = b - 1.0, a - 1.0          # Jacobi (1 - x)^al (1 + x)^be on [-1, 1]
    diag = np.empty(m)
    off = np.empty(max(m - 1, 0))
    diag[0] = (be - al) / (al + be + 2.0)
    for k in range(1, m):
        s = 2.0 * k + al + be
        diag[k] = (be * be - al * al) / (s * (s + 2.0))
    for k in range(1, m):
        s = 2.0 * k + al + be
        if k == 1:
            v = 4.0 * (1 + al) * (1 + be) / ((2 + al + be) ** 2 * (3 + al + be))
        else:
            v = 4.0 * k * (k + al) * (k + be) * (k + al + be) / (s * s * (s + 1.0) * (s - 1.0))
        off[k - 1] = math.sqrt(v)
    jac = np.diag(diag) + np.diag(off, 1) + np.diag(off, -1)
    x, vec = np.linalg.eigh(jac)
    w = vec[0, :] ** 2
    w = w / w.sum()
    return (1.0 + x) / 2.0, w


def _dirichlet_rule(alpha: np.ndarray, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Points (G, n) on the simplex and weights (G,) exact for Dirichlet(alpha) moments of
    total degree < 2m in each stick-breaking variable. Zero alphas give π = 0."""
    n = len(alpha)
    pos = np.flatnonzero(alpha > 0)
    k = len(pos)
    pts = np.ones((1, 0))
    wts = np.ones(1)
    rem = np.ones(1)
    cols = []
    tails = np.cumsum(alpha[pos][::-1])[::-1]
    for i in range(k - 1):
        x, w = _beta_rule(float(alpha[pos[i]]), float(tails[i + 1]), m)
        cols_new = [c[:, None] * np.ones((1, m)) for c in cols]
        cols = [c.reshape(-1) for c in cols_new]
        take = (rem[:, None] * x[None, :]).reshape(-1)
        cols.append(take)
        rem = (rem[:, None] * (1.0 - x)[None, :]).reshape(-1)
        wts = (wts[:, None] * w[None, :]).reshape(-1)
    cols.append(rem)
    g = len(wts)
    pts = np.zeros((g, n))
    for i, c in enumerate(cols):
        pts[:, pos[i]] = c
    return pts, wts


# ---------------------------------------------------------------------------------------------
# elimination
# ---------------------------------------------------------------------------------------------
def _greedy_order(nbr0: list[set[int]], logs: list[float], rule: str,
                  rng: np.random.Generator | None) -> tuple[list[int], float]:
    """One greedy elimination order and its cost (sum of clique sizes)."""
    nbr = [set(x) for x in nbr0]
    alive = set(range(len(logs)))
    order: list[int] = []
    cost = 0.0
    while alive:
        best_key = None
        cands: list[tuple[tuple, int]] = []
        for v in alive:
            nb = nbr[v]
            weight = logs[v] + sum(logs[u] for u in nb)
            if rule == "weight":
                key: tuple = (weight,)
            else:
                fill = 0.0
                nbl = list(nb)
                for i in range(len(nbl)):
                    ni = nbr[nbl[i]]
                    for j in range(i + 1, len(nbl)):
                        if nbl[j] not in ni:
                            fill += math.exp(logs[nbl[i]] + logs[nbl[j]])
                key = (fill, weight) if rule == "fill" else (len(nb), weight)
            cands.append((key, v))
            if best_key is None or key < best_key:
                best_key = key
        if rng is not None:
            near = [v for key, v in cands
                    if key[0] <= best_key[0] * 1.5 + 1e-9]  # type: ignore[index]
            v = near[int(rng.integers(len(near)))]
        else:
            v = min(cands)[1]
        nb = nbr[v]
        cost += math.exp(logs[v] + sum(logs[u] for u in nb))
        for u in nb:
            nbr[u].update(nb)
            nbr[u].discard(u)
            nbr[u].discard(v)
        alive.discard(v)
        order.append(v)
    return order, cost


def _min_fill_order(scopes: list[tuple[int, ...]], sizes: list[int],
                    quick: bool = False) -> list[int]:
    """A cheap elimination order: the best of greedy min-weight, weighted min-fill and
    min-degree orders and a few randomised variants (by total clique size)."""
    nv = len(sizes)
    nbr: list[set[int]] = [set() for _ in range(nv)]
    for sc in scopes:
        for v in sc:
            nbr[v].update(sc)
    for v in range(nv):
        nbr[v].discard(v)
    logs = [math.log(max(s, 1)) for s in sizes]
    best: tuple[float, list[int]] | None = None
    rng = np.random.default_rng(12345)
    if quick or nv > 200:  # many plans to make, or a large pedigree: one cheap greedy order
        return _greedy_order(nbr, logs, "weight", None)[0]
    tries = [("weight", None), ("fill", None), ("degree", None)]
    tries += [(r, rng) for r in ("fill", "weight") for _ in range(4 if nv <= 60 else 1)]
    for rule, g in tries:
        order, cost = _greedy_order(nbr, logs, rule, g)
        if best is None or cost < best[0]:
            best = (cost, order)
    assert best is not None
    return best[1]


_ORDER_CACHE: dict = {}
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"


#: Cliques (entries, all rows) below this are contracted by one plain einsum; larger ones
#: pairwise (numpy's optimised einsum, BLAS where it can).
_SMALL_CLIQUE = 3000
#: Rows whose unscaled result falls below this are recomputed with per-step scaling.
_RESCUE_BELOW = 1e-200


@dataclass
class _Step:
    ins: tuple[int, ...]          # slots of the factors multiplied
    out: int                      # slot of the result
    nout: int                     # number of variables of the result
    clique: int                   # entries per row of the multiplied-out clique
    spec: str                     # einsum spec
    path: list | None = None      # einsum contraction path, computed on first use
    mm: tuple | None = None       # two factors sharing the summed variable: batched matmul


_ORDER_BY_SHAPE: dict[tuple, list[int]] = {}


def _plan(scopes: list[tuple[int, ...]], sizes: list[int], quick: bool = False) -> list[_Step]:
    # the order depends on which variables are small (typed: <= 2 states) and which are
    # large, not on the exact number of lumped states: reuse it across data sets
    shape_key = (tuple(scopes), tuple(s if s <= 2 else 0 for s in sizes))
    order = _ORDER_BY_SHAPE.get(shape_key)
    if order is None:
        order = _min_fill_order(scopes, sizes, quick)
        if len(_ORDER_BY_SHAPE) > 4096:
            _ORDER_BY_SHAPE.clear()
        _ORDER_BY_SHAPE[shape_key] = order
    pool = {i: sc for i, sc in enumerate(scopes) if sc}
    nxt = len(scopes)
    steps: list[_Step] = []
    for v in order:
        use = [i for i, sc in pool.items() if v in sc]
        if not use:
            continue
        allv: list[int] = []
        for i in use:
            for u in pool[i]:
                if u not in allv:
                    allv.append(u)
        out = tuple(u for u in allv if u != v)
        letter = {u: _LETTERS[k + 1] for k, u in enumerate(out + (v,))}
        spec = ",".join("Z" + "".join(letter[u] for u in pool[i]) for i in use)
        spec += "->Z" + "".join(letter[u] for u in out)
        clique = sizes[v] * math.prod(sizes[u] for u in out)
        pool_scopes = {i: pool[i] for i in use}
        for i in use:
            del pool[i]
        pool[nxt] = out
        mm = None
        if len(use) == 2:
            sa, sb = pool_scopes[use[0]], pool_scopes[use[1]]
            if len(set(sa)) == len(sa) and len(set(sb)) == len(sb) and v in sa and v in sb:
                shared = [u for u in sa if u in sb and u != v]
                left = [u for u in sa if u not in sb]
                right = [u for u in sb if u not in sa]
                pa = (0,) + tuple(1 + sa.index(u) for u in shared + left + [v])
                pb = (0,) + tuple(1 + sb.index(u) for u in shared + [v] + right)
                res_vars = shared + left + right
                mm = (pa, pb, math.prod(sizes[u] for u in shared),
                      math.prod(sizes[u] for u in left), sizes[v],
                      math.prod(sizes[u] for u in right),
                      tuple(sizes[u] for u in res_vars),
                      (0,) + tuple(1 + res_vars.index(u) for u in out))
        steps.append(_Step(tuple(use), nxt, len(out), clique, spec, None, mm))
        nxt += 1
    return steps


def _run(steps: list[_Step], arrays: list[np.ndarray], nrows: int, scale: bool) -> np.ndarray:
    slots: dict[int, np.ndarray] = dict(enumerate(arrays))
    logscale = np.zeros(nrows)
    for st in steps:
        ins = [slots.pop(i) for i in st.ins]
        if st.clique * nrows < _SMALL_CLIQUE:
            res = np.einsum(st.spec, *ins)
        elif st.mm is not None:
            pa, pb, nb, nl, nvs, nr, rshape, fperm = st.mm
            A = ins[0].transpose(pa).reshape(nrows * nb, nl, nvs)
            B = ins[1].transpose(pb).reshape(nrows * nb, nvs, nr)
            res = np.matmul(A, B).reshape((nrows,) + rshape).transpose(fperm)
        else:
            if st.path is None:
                st.path = np.einsum_path(st.spec, *ins, optimize="greedy")[0]
            res = np.einsum(st.spec, *ins, optimize=st.path)
        if st.nout == 0:
            with np.errstate(divide="ignore", under="ignore"):
                logscale += np.log(res)
            continue
        if scale:
            sc = res.reshape(nrows, -1).max(axis=1)
            ok = sc > 0
            safe = np.where(ok, sc, 1.0)
            with np.errstate(divide="ignore", under="ignore"):
                logscale += np.where(ok, np.log(safe), -np.inf)
            res = res / safe.reshape((nrows,) + (1,) * st.nout)
        slots[st.out] = res
    for i, arr in slots.items():   # factors without variables (none are produced)
        if arr.ndim == 1:
            with np.errstate(divide="ignore", under="ignore"):
                logscale += np.log(arr)
    return logscale


def _eliminate(factors: list[tuple[tuple[int, ...], np.ndarray]], sizes: list[int],
               nrows: int, quick: bool = False) -> np.ndarray:
    """log Σ over all variables of Π factors, per row (exact, never underflows).

    A first pass runs without scaling; rows whose result is below ``_RESCUE_BELOW`` (where
    intermediate underflow could matter) or zero are recomputed with one scale factor per row
    and elimination step.
    """
    scopes = [sc for sc, _ in factors]
    key = (tuple(scopes), tuple(sizes))
    steps = _ORDER_CACHE.get(key)
    if steps is None:
        steps = _plan(scopes, sizes, quick)
        if len(_ORDER_CACHE) > 4096:
            _ORDER_CACHE.clear()
        _ORDER_CACHE[key] = steps
    arrays = [a for _, a in factors]
    with np.errstate(under="ignore"):
        logs = _run(steps, arrays, nrows, scale=False)
    bad = ~(logs > math.log(_RESCUE_BELOW))
    if np.any(bad):
        zero = bad & (logs == -np.inf)
        if np.any(zero):
            # a zero is exact when no nonzero product of factor entries can underflow: every
            # entry is <= 1, so each partial product is >= the product of the smallest
            # positive entry of every factor
            zr = np.flatnonzero(zero)
            bound = np.zeros(len(zr))
            with np.errstate(divide="ignore"):
                for a in arrays:
                    sub = a[zr].reshape(len(zr), -1)
                    bound += np.log(np.where(sub > 0, sub, 1.0).min(axis=1))
            bad[zr[bound > math.log(1e-290)]] = False
    if np.any(bad):
        rows = np.flatnonzero(bad)
        logs[rows] = _run(steps, [a[rows] for a in arrays], len(rows), scale=True)
    return logs


# ---------------------------------------------------------------------------------------------
# the engine
# ---------------------------------------------------------------------------------------------
_RELEVANT_CACHE: dict[int, tuple[Pedigree, dict]] = {}


def _relevant(pedigree: Pedigree, typed: frozenset[str]) -> list[str]:
    """Persons that are typed or have a typed descendant, parents first (cached)."""
    hit = _RELEVANT_CACHE.get(id(pedigree))
    if hit is None or hit[0] is not pedigree:
        if len(_RELEVANT_CACHE) > 256:
            _RELEVANT_CACHE.clear()
        hit = _RELEVANT_CACHE[id(pedigree)] = (pedigree, {})
    per_typed = hit[1]
    out = per_typed.get(typed)
    if out is None:
        if len(per_typed) > 1024:
            per_typed.clear()
        out = per_typed[typed] = _relevant_uncached(pedigree, typed)
    return out


def _relevant_uncached(pedigree: Pedigree, typed: frozenset[str]) -> list[str]:
    """A non-founder kept keeps both parents (they are kept because the child is)."""
    keep: set[str] = set()
    for pid in reversed(pedigree.ids):
        if pid in typed or pid in keep:
            keep.add(pid)
            per = pedigree[pid]
            if per.father is not None:
                keep.add(per.father)
                keep.add(per.mother)  # type: ignore[arg-type]
    return [p for p in pedigree.ids if p in keep]


#: Founders are summed out in closed form when they have at most this many typed-relevant
#: children and the resulting factor stays below this many entries (all rows together).
_FOUNDER_MAX_CHILDREN = 4
_FOUNDER_MAX_ENTRIES = 2_000_000


def _founder_factor(prior: np.ndarray, mats: list[np.ndarray],
                    keys: list | None = None, cache: dict | None = None) -> np.ndarray:
    """Σ_{x,y} p_x p_y Π_k ½(M_k[x, c_k] + M_k[y, c_k]) as an array over (rows, c_1..c_K).

    Expanding the product over which parental allele each child received gives
    2^-K Σ_S g_S(c_S) g_{S'}(c_{S'}) with g_S(c_S) = Σ_x p_x Π_{k∈S} M_k[x, c_k] (S' the
    complement); S and S' give the same term, so the sum runs over S containing child 1.
    ``prior``: (R, n); ``mats[k]``: (R, n, d_k). ``keys[k]`` (None: not cacheable) names
    child k's matrix when its domain is data-independent; g_S over such children is cached
    in ``cache``.
    """
    K = len(mats)
    R = prior.shape[0]
    dims = [m.shape[2] for m in mats]

    def g(subset: tuple[int, ...]) -> np.ndarray:
        shape = [R] + [1] * K
        for k in subset:
            shape[k + 1] = dims[k]
        if not subset:
            return prior.sum(axis=1).reshape(shape)
        ck = None
        if cache is not None and keys is not None and all(keys[k] is not None for k in subset):
            ck = ("g",) + tuple(keys[k] for k in subset)
            hit = cache.get(ck)
            if hit is not None:
                return hit.reshape(shape)
        if len(subset) == 1:
            res = np.matmul(prior[:, None, :], mats[subset[0]])
            if ck is not None:
                cache[ck] = res
            return res.reshape(shape)
        w = prior[:, :, None] * mats[subset[0]]                 # (R, x, d)
        for k in subset[1:-1]:
            w = (w[:, :, :, None] * mats[k][:, :, None, :]).reshape(R, w.shape[1], -1)
        res = np.matmul(w.transpose(0, 2, 1), mats[subset[-1]])  # (R, Π d, d_last)
        if ck is not None:
            cache[ck] = res
        return res.reshape(shape)

    total = None
    for bits in range(1 << (K - 1)):
        sub = (0,) + tuple(k for k in range(1, K) if bits >> (k - 1) & 1)
        comp = tuple(k for k in range(K) if k not in sub)
        term = g(sub) * g(comp)
        total = term if total is None else total + term
    assert total is not None
    return np.broadcast_to(total, (R,) + tuple(dims)) * (0.5 ** (K - 1))


#: Most factors cached per marker batch (data-independent ones, and those of unchanged relatives).
_BATCH_FACTOR_CACHE = 256


def _build_factors(pedigree: Pedigree, persons: list[str], var_index: dict, idx: list,
                   sizes: list[int], obs: dict, ba: "_Batch", xchrom: bool,
                   finb: dict[str, float], male_x: dict[str, bool], r2m: np.ndarray,
                   rprior: np.ndarray, ridx: list, expanded: bool, rep: dict[int, int],
                   partition: dict | None) -> list[tuple[tuple[int, ...], np.ndarray]]:
    """The factors of one likelihood (rows = markers, or marker × θ-node when ``expanded``).

    ``rep`` maps merged founder allele variables to their block's representative;
    ``partition`` (θ by partitions) names the ``fixed`` founders (no prior factor: their
    urn probability is applied outside) and the ``blocks`` of free founder alleles (one prior
    factor each, from ``rprior``).
    """
    R = len(r2m)
    nmax, full = ba.nmax, ba.full
    MF, MM = ba.mf, ba.mm
    if expanded:
        MFr, MMr = MF[r2m], MM[r2m]
    else:
        MFr, MMr = MF, MM
    rrow = np.arange(R)[:, None, None]
    nv = len(idx)
    is_full = [idx[v] is full for v in range(nv)]

    def V(v: int) -> int:
        return rep.get(v, v)

    def gather(mat: np.ndarray, vx: int, vc: int) -> np.ndarray:
        """mat[row, dom_x, dom_c] as (R, D_x, D_c)."""
        fx, fc = is_full[vx], is_full[vc]
        if fx and fc:
            return mat[:, :nmax, :nmax]
        if fx:
            return np.take_along_axis(mat[:, :nmax, :], ridx[vc][:, None, :], axis=2)
        if fc:
            return np.take_along_axis(mat[:, :, :nmax], ridx[vx][:, :, None], axis=1)
        return mat[rrow, ridx[vx][:, :, None], ridx[vc][:, None, :]]

    plain = not expanded and rprior is ba.prior     # factors may be cached on the batch

    def dkey(v: int) -> bytes | None:
        """Identity of a variable's domain (None: the full, data-independent domain)."""
        return None if is_full[v] else idx[v].tobytes()

    def cached(key: tuple, make):
        if not plain:
            return make()
        hit = ba.cache.get(key)
        if hit is None:
            if len(ba.cache) > _BATCH_FACTOR_CACHE:
                ba.cache.clear()
            hit = ba.cache[key] = make()
        return hit

    def trans(mat: np.ndarray, vx: int, vy: int, vc: int) -> np.ndarray:
        def make() -> np.ndarray:
            A = gather(mat, vx, vc)
            B = A if vx == vy or (is_full[vx] and is_full[vy]) else gather(mat, vy, vc)
            return 0.5 * (A[:, :, None, :] + B[:, None, :, :])
        if vx == vy:
            return make()
        return cached(("trans", mat is MF, dkey(vx), dkey(vy), dkey(vc)), make)

    def founder(vm: int, ks: list) -> np.ndarray:
        def make() -> np.ndarray:
            return _founder_factor(np.take_along_axis(rprior, ridx[vm], axis=1),
                                   [gather(mat, vm, v) for v, mat in ks],
                                   [(mat is MF) if is_full[v] else None for v, mat in ks],
                                   ba.cache if plain else None)
        return cached(("founder",) + tuple((mat is MF, dkey(v)) for v, mat in ks), make)

    fixed = partition["fixed"] if partition else set()
    # untyped, non-inbred founders with two (unmerged) allele variables: both variables are
    # summed out at once, in closed form, into one factor over the allele variables of their
    # children (see _founder_factor)
    kids: dict[str, list[tuple[int, np.ndarray]]] = {}
    for pid in persons:
        per = pedigree[pid]
        if per.is_founder:
            continue
        kids.setdefault(per.mother, []).append((var_index[(pid, "m")], MFr))
        if (pid, "p") in var_index and not xchrom:
            kids.setdefault(per.father, []).append((var_index[(pid, "p")], MMr))
    closed: set[str] = set()
    for pid in persons:
        per = pedigree[pid]
        if (not per.is_founder or pid in obs or finb.get(pid, 0.0) > 0
                or (xchrom and male_x[pid]) or pid not in kids):
            continue
        if rep and (var_index[(pid, "p")] in rep or var_index[(pid, "m")] in rep
                    or var_index[(pid, "p")] in rep.values()
                    or var_index[(pid, "m")] in rep.values()):
            continue
        ks = kids[pid]
        out_size = R * math.prod(sizes[v] for v, _ in ks)
        if len(ks) <= _FOUNDER_MAX_CHILDREN and out_size <= _FOUNDER_MAX_ENTRIES:
            closed.add(pid)
    blocks_done: set[int] = set()
    if partition:
        singletons = {b[0] for b in partition["blocks"] if len(b) == 1}
    factors: list[tuple[tuple[int, ...], np.ndarray]] = []
    for pid in persons:
        per = pedigree[pid]
        single = xchrom and male_x[pid]
        vm = var_index[(pid, "m")]
        vp = var_index.get((pid, "p"))
        o = obs.get(pid)
        if o is not None and expanded:
            o = o[r2m]
        if per.is_founder:
            if pid in closed:
                ks = kids[pid]
                factors.append((tuple(V(v) for v, _ in ks), founder(vm, ks)))
                if partition:
                    blocks_done.update((vm, vp))  # type: ignore[arg-type]
                continue
            scope = (V(vm),) if single else (V(vp), V(vm))  # type: ignore[arg-type]
            if partition:
                if o is not None:
                    factors.append((scope, o))
                continue
            f = finb.get(pid, 0.0)
            pm = np.take_along_axis(rprior, ridx[vm], axis=1)
            if single:
                if o is not None:
                    pm = pm * o
                factors.append(((vm,), pm))
                continue
            pp = np.take_along_axis(rprior, ridx[vp], axis=1)
            if f == 0.0:
                joint = pp[:, :, None] * pm[:, None, :]
            else:
                same = (ridx[vp][:, :, None] == ridx[vm][:, None, :])
                joint = f * pp[:, :, None] * same + (1.0 - f) * pp[:, :, None] * pm[:, None, :]
            if o is not None:
                joint = joint * o
            factors.append(((vp, vm), joint))
            continue
        fa, mo = per.father, per.mother
        if mo not in closed:
            mp_, mm_ = var_index[(mo, "p")], var_index[(mo, "m")]
            factors.append(((V(mp_), V(mm_), vm), trans(MFr, mp_, mm_, vm)))
        if vp is not None:
            if xchrom:
                fm_ = var_index[(fa, "m")]
                factors.append(((V(fm_), vp), gather(MMr, fm_, vp)))
            elif fa not in closed:
                fp_, fm_ = var_index[(fa, "p")], var_index[(fa, "m")]
                factors.append(((V(fp_), V(fm_), vp), trans(MMr, fp_, fm_, vp)))
        if o is not None:
            factors.append((((vm,) if single else (vp, vm)), o))  # type: ignore[arg-type]
    if partition:
        for block in partition["blocks"]:
            v = block[0]
            if len(block) == 1 and v in blocks_done and v in singletons:
                continue          # summed out with its founder in closed form
            factors.append(((V(v),), np.take_along_axis(rprior, ridx[v], axis=1)))
    return factors


#: θ by partitions: largest number of set partitions of the free founder alleles enumerated
#: (Bell(8) = 4140: four untyped founders; they are evaluated once per symmetry orbit).
_THETA_MAX_PARTITIONS = 5000


def _set_partitions(n: int):
    """All set partitions of range(n) as lists of blocks (restricted growth strings)."""
    if n == 0:
        yield []
        return
    rgs = [0] * n

    def rec(i: int, m: int):
        if i == n:
            blocks: list[list[int]] = [[] for _ in range(m)]
            for k, b in enumerate(rgs):
                blocks[b].append(k)
            yield blocks
            return
        for b in range(m + 1):
            rgs[i] = b
            yield from rec(i + 1, max(m, b + 1))

    rgs[0] = 0
    yield from rec(1, 1)


_ORBITS: dict[tuple, list] = {}


def _partition_orbits(n: int, pairs: tuple[tuple[int, int], ...]) -> list:
    """Set partitions of range(n), one per orbit under swapping the two elements of each pair
    (a founder's two alleles play symmetric roles: transmission ½M[x] + ½M[y], unordered
    genotypes, so such partitions have the same likelihood), with the orbit sizes. Cached."""
    key = (n, pairs)
    hit = _ORBITS.get(key)
    if hit is not None:
        return hit
    swaps = []
    for mask in range(1 << len(pairs)):
        perm = list(range(n))
        for k, (i, j) in enumerate(pairs):
            if mask >> k & 1:
                perm[i], perm[j] = j, i
        swaps.append(perm)
    orbits: dict[tuple, list] = {}
    for blocks in _set_partitions(n):
        canon = min(tuple(sorted(tuple(sorted(perm[i] for i in bl)) for bl in blocks))
                    for perm in swaps)
        got = orbits.get(canon)
        if got is None:
            orbits[canon] = [blocks, 1]
        else:
            got[1] += 1
    out = [tuple(v) for v in orbits.values()]
    if len(_ORBITS) > 64:
        _ORBITS.clear()
    _ORBITS[key] = out
    return out


def _bell(n: int) -> int:
    row = [1]
    for _ in range(n):
        nxt = [row[-1]]
        for x in row:
            nxt.append(nxt[-1] + x)
        row = nxt
    return row[0]


def _theta_by_partitions(pedigree: Pedigree, persons: list[str], var_index: dict, idx: list,
                         sizes: list[int], obs: dict, obs_state: dict, codes_ab: dict,
                         ba: "_Batch", typed: frozenset[str], xchrom: bool, theta: float,
                         finb: dict[str, float], drop: dict[str, float],
                         male_x: dict[str, bool], L: int) -> np.ndarray | None:
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
    founders = [p for p in persons if pedigree[p].is_founder]
    if any(finb.get(p, 0.0) > 0 for p in founders):
        return None
    fixed: set[str] = set()
    for pid in founders:
        if pid not in typed or pid in drop or not ba.no_silent:
            continue
        a, b = codes_ab[pid]
        single = xchrom and male_x[pid]
        if bool(np.all(a >= 0)) and (single or bool(np.all(b >= 0))):
            fixed.add(pid)
    free: list[int] = []
    pairs: list[tuple[int, int]] = []      # positions in ``free`` of one founder's two alleles
    for pid in founders:
        if pid in fixed:
            continue
        if not (xchrom and male_x[pid]):
            pairs.append((len(free), len(free) + 1))
            free.append(var_index[(pid, "p")])
        free.append(var_index[(pid, "m")])
    kf = len(free)
    if _bell(kf) > _THETA_MAX_PARTITIONS:
        return None
    orbits = _partition_orbits(kf, tuple(pairs))
    K = kf + sum(1 if (xchrom and male_x[p]) else 2 for p in fixed)
    m = K // 2 + 1
    grid = sum(m ** max(int(np.count_nonzero(st.prior > 0)) - 1, 0) for st in ba.states)
    # rough costs in ms: one elimination run ≈ 1 ms + 0.02 ms per row
    if grid <= MAX_THETA_ROWS and len(orbits) * (1.0 + 0.02 * L) > 1.0 + 0.02 * grid:
        return None

    # free typed founders (partial genotype, dropout, silent) take the full domain
    full, nmax = ba.full, ba.nmax
    idx2 = list(idx)
    obs2 = dict(obs)
    for pid in founders:
        if pid in fixed or pid not in typed:
            continue
        os_ = obs_state[pid]
        if xchrom and male_x[pid]:
            idx2[var_index[(pid, "m")]] = full
            obs2[pid] = os_[:, :nmax]
        else:
            idx2[var_index[(pid, "p")]] = full
            idx2[var_index[(pid, "m")]] = full
            obs2[pid] = os_[:, :nmax, :nmax]
    sizes2 = [a.shape[1] for a in idx2]

    # counts of the fixed founder alleles and their urn probability
    N = ba.N
    counts = np.zeros((L, N))
    rows = np.arange(L)
    T = 0
    for pid in fixed:
        a, b = codes_ab[pid]
        np.add.at(counts, (rows, a), 1.0)
        T += 1
        if not (xchrom and male_x[pid]):
            np.add.at(counts, (rows, b), 1.0)
            T += 1
    p = ba.prior
    log_u = np.zeros(L)
    with np.errstate(divide="ignore"):
        for k in range(int(counts.max()) if T else 0):
            mask = counts > k
            log_u += np.where(mask, np.log(np.where(mask, k * theta + (1 - theta) * p, 1.0)),
                              0.0).sum(axis=1)
    log_u -= sum(math.log(1.0 + (j - 2) * theta) for j in range(1, T + 1))
    pprime = (counts * theta + (1.0 - theta) * p) / (T * theta + 1.0 - theta)

    log_den = sum(math.log(1.0 + (T + j - 2) * theta) for j in range(1, kf + 1))
    r2m = np.arange(L)
    terms = []
    for blocks, mult in orbits:
        nb = len(blocks)
        logw = (nb * math.log(T * theta + 1.0 - theta) + (kf - nb) * math.log(theta)
                + sum(math.lgamma(len(bl)) for bl in blocks) - log_den + math.log(mult))
        vblocks = [[free[i] for i in bl] for bl in blocks]
        rep = {v: bl[0] for bl in vblocks for v in bl[1:]}
        factors = _build_factors(pedigree, persons, var_index, idx2, sizes2, obs2, ba, xchrom,
                                 finb, male_x, r2m, pprime, idx2, False, rep,
                                 {"fixed": fixed, "blocks": vblocks})
        terms.append(logw + _eliminate(factors, sizes2, L, quick=len(orbits) > 50))
    tot = np.stack(terms)                        # (partitions, L)
    mx = tot.max(axis=0)
    ok = np.isfinite(mx)
    out = np.full(L, -np.inf)
    out[ok] = mx[ok] + np.log(np.exp(tot[:, ok] - mx[ok]).sum(axis=0))
    return out + log_u


def _group_loglik(pedigree: Pedigree, states: list[_States], parsed: list[dict[str, tuple]],
                  typed: frozenset[str], xchrom: bool, theta: float, finb: dict[str, float],
                  drop: dict[str, float], male_x: dict[str, bool]) -> np.ndarray:
    """Log-likelihood for markers that share a chromosome type and a typed set.

    ``parsed[l][pid]`` holds effective state codes (−1 unknown) of typed persons.
    """
    L = len(states)
    persons = _relevant(pedigree, typed)
    if not persons:
        return np.zeros(L)
    var_index: dict[tuple[str, str], int] = {}
    for pid in persons:
        if not (xchrom and male_x[pid]):
            var_index[(pid, "p")] = len(var_index)
        var_index[(pid, "m")] = len(var_index)
    nv = len(var_index)

    ba = _batch_arrays(states)
    nst, nmax, N, null, silent, prior, MF, MM, full = (
        ba.nst, ba.nmax, ba.N, ba.nmax, ba.silent, ba.prior, ba.mf, ba.mm, ba.full)

    # observation factors on the variables' domains, and the domains; every typed person at
    # once (per dropout value)
    obs: dict[str, np.ndarray] = {}
    obs_state: dict[str, np.ndarray] = {}       # state-level factors (general path only)
    codes_ab: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    idx: list[np.ndarray] = [full] * nv
    groups_obs: dict[tuple[bool, float | None], list[str]] = {}
    for pid in persons:
        if pid in typed:
            groups_obs.setdefault((xchrom and male_x[pid], drop.get(pid)), []).append(pid)
    lrow = np.arange(L)
    for (single, d), pids in groups_obs.items():
        P = len(pids)
        a = np.full((P, L), -1, dtype=np.intp)
        b = np.full((P, L), -1, dtype=np.intp)
        for li in range(L):
            row = parsed[li]
            for k, pid in enumerate(pids):
                c = row.get(pid)
                if c is not None:
                    a[k, li] = c[0]
                    if len(c) > 1:
                        b[k, li] = c[1]
        for k, pid in enumerate(pids):
            codes_ab[pid] = (a[k], b[k])
        if d is None and not single and ba.no_silent and bool(np.all(a >= 0) and np.all(b >= 0)):
            # fast path: complete genotypes, no silent allele, no dropout. Domains are the
            # genotype's alleles; the factor is the indicator of the two orders.
            lo = np.minimum(a, b)
            hi = np.maximum(a, b)
            het = lo != hi
            if bool(het.any()):
                dom = np.stack([lo, np.where(het, hi, null)], axis=2)      # (P, L, 2)
                o2 = np.zeros((P, L, 2, 2))
                o2[:, :, 0, 1] = het
                o2[:, :, 1, 0] = het
                o2[:, :, 0, 0] = ~het
            else:
                dom = lo[:, :, None]
                o2 = np.ones((P, L, 1, 1))
            for k, pid in enumerate(pids):
                obs[pid] = o2[k]
                idx[var_index[(pid, "p")]] = dom[k]
                idx[var_index[(pid, "m")]] = dom[k]
            continue
        o = _obs_factor(a.reshape(-1), b.reshape(-1), np.tile(nst, P), np.tile(silent, P), N, d,
                        single)
        o = o.reshape((P, L) + o.shape[1:])
        pos = o > 0
        if single:
            masks = [pos]
        else:
            masks = [pos.any(axis=3), pos.any(axis=2)]
        doms = [_domains(m, null) for m in masks]
        for k, pid in enumerate(pids):
            obs_state[pid] = o[k]
            if single:
                im = doms[0][k]
                idx[var_index[(pid, "m")]] = im
                obs[pid] = np.take_along_axis(o[k], im, axis=1)
            else:
                ip, im = doms[0][k], doms[1][k]
                idx[var_index[(pid, "p")]] = ip
                idx[var_index[(pid, "m")]] = im
                obs[pid] = o[k][lrow[:, None, None], ip[:, :, None], im[:, None, :]]
    sizes = [a.shape[1] for a in idx]

    if theta > 0:
        res = _theta_by_partitions(pedigree, persons, var_index, idx, sizes, obs, obs_state,
                                   codes_ab, ba, typed, xchrom, theta, finb, drop, male_x, L)
        if res is not None:
            return res
    # θ: expand rows over quadrature nodes
    if theta > 0:
        founders = [p for p in persons if pedigree[p].is_founder]
        K = sum(1 if (xchrom and male_x[p]) else 2 for p in founders)
        m = K // 2 + 1
        lam = (1.0 - theta) / theta
        total = sum(m ** max(int(np.count_nonzero(st.prior > 0)) - 1, 0) for st in states)
        if total > MAX_THETA_ROWS:
            raise InputError(
                f"theta {theta}: exact θ needs {total} likelihood evaluations for this pedigree "
                f"({K} founder alleles) or more than {_THETA_MAX_PARTITIONS} partitions of the "
                f"untyped founders' alleles; expected at most {MAX_THETA_ROWS} evaluations. Use "
                "fewer untyped founders with typed descendants or theta = 0", field="theta",
                value=theta)
        row_marker, row_prior, row_logw = [], [], []
        for li, st in enumerate(states):
            pts, w = _dirichlet_rule(lam * st.prior, m)
            row_marker.append(np.full(len(w), li))
            pr = np.zeros((len(w), N))
            pr[:, :len(st.prior)] = pts
            row_prior.append(pr)
            with np.errstate(divide="ignore"):
                row_logw.append(np.log(w))
        r2m = np.concatenate(row_marker)
        rprior = np.concatenate(row_prior)
        rlogw = np.concatenate(row_logw)
        ridx = [a[r2m] for a in idx]
    else:
        r2m = np.arange(L)
        rprior = prior
        rlogw = None
        ridx = idx
    R = len(r2m)
    factors = _build_factors(pedigree, persons, var_index, idx, sizes, obs, ba, xchrom, finb,
                             male_x, r2m, rprior, ridx, rlogw is not None, {}, None)
    logs = _eliminate(factors, sizes, R)
    if rlogw is None:
        return logs
    tot = logs + rlogw
    out = np.full(L, -np.inf)
    for li in range(L):
        t = tot[r2m == li]
        mx = t.max()
        if np.isfinite(mx):
            out[li] = mx + math.log(float(np.exp(t - mx).sum()))
    return out


#: Estimated fixed cost of one marker batch, in units of n^3 for a marker with n states.
_BATCH_OVERHEAD = 5e4


_BUCKET_CACHE: dict[tuple, list[list[int]]] = {}


def _buckets(sizes: list[int], width: int) -> list[list[int]]:
    """Split marker positions into batches of similar state counts (padding costs ~n^width)."""
    key = (tuple(sizes), width)
    hit = _BUCKET_CACHE.get(key)
    if hit is None:
        if len(_BUCKET_CACHE) > 4096:
            _BUCKET_CACHE.clear()
        hit = _BUCKET_CACHE[key] = _buckets_dp(sizes, width)
    return hit


def _buckets_dp(sizes: list[int], width: int) -> list[list[int]]:
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    s = [sizes[i] for i in order]
    n = len(s)
    best = [0.0] + [math.inf] * n
    cut = [0] * (n + 1)
    for j in range(1, n + 1):
        for i in range(j):
            c = best[i] + _BATCH_OVERHEAD + (j - i) * float(s[j - 1]) ** width
            if c < best[j]:
                best[j], cut[j] = c, i
    out = []
    j = n
    while j > 0:
        i = cut[j]
        out.append([order[k] for k in range(i, j)])
        j = i
    return out[::-1]


def log_likelihood(pedigree: Pedigree, markers: Sequence[Marker], genotypes: GenotypeTable, *,
                   theta: float = 0.0, founder_inbreeding: Mapping[str, float] | None = None,
                   dropout: Mapping[str, float] | None = None) -> np.ndarray:
    """Natural log of P(genotypes | pedigree) per marker, shape ``(len(markers),)``.

    ``-inf`` where the data are impossible. See the module docstring for the model.

    :raises HypothesisError: a genotyped person is not in the pedigree.
    :raises GenotypeError: an allele label not in the marker, a male with two X alleles.
    """
    markers = list(markers)
    finb, drop = _check_inputs(pedigree, markers, genotypes, theta, founder_inbreeding, dropout)
    L = len(markers)
    out = np.zeros(L)
    if L == 0:
        return out
    male_x = {pid: _is_male_x(pedigree, pid, False) for pid in pedigree.ids}
    unknown_sex = {pid for pid in pedigree.ids if pedigree[pid].sex is Sex.UNKNOWN}
    states: list[_States] = []
    parsed: list[dict[str, tuple]] = []
    for mk in markers:
        info = _info(mk)
        xchrom = mk.chromosome == "X"
        per: dict[str, tuple] = {}
        for pid, gts in genotypes.items():
            if not gts:
                continue
            gt = gts.get(mk.name)
            if gt is None:
                continue
            x_male = None
            if xchrom:
                x_male = male_x[pid]
                if pid in unknown_sex and not pedigree.children(pid):
                    x_male = len(tuple(gt)) == 1
                    male_x[pid] = x_male
            key = (gt, x_male)
            try:
                codes = info.parsed[key]
            except (KeyError, TypeError):
                codes = _parse_genotype(mk, pid, gt, x_male, info.index)
                try:
                    if len(info.parsed) < 100_000:
                        info.parsed[key] = codes
                except TypeError:   # unhashable genotype (a list): not cached
                    pass
            if codes is not None:
                per[pid] = codes
        seen: set[int] = set()
        for codes in per.values():
            seen.update(codes)
        seen.discard(-1)
        st = _states(mk, info, frozenset(seen))
        if st.lumped:
            code = st.code_list
            per = {pid: tuple([code[c] for c in codes]) for pid, codes in per.items()}
        parsed.append(per)
        states.append(st)
    # group markers by chromosome and typed set, then by state count
    groups: dict[tuple, list[int]] = {}
    for li, mk in enumerate(markers):
        key = (mk.chromosome == "X", frozenset(parsed[li]))
        groups.setdefault(key, []).append(li)
    for (xchrom, typed), lis in groups.items():
        sizes = [len(states[i].prior) for i in lis]
        for bucket in _buckets(sizes, 3):
            sel = [lis[i] for i in bucket]
            res = _group_loglik(pedigree, [states[i] for i in sel], [parsed[i] for i in sel],
                                typed, xchrom, float(theta), finb, drop, male_x)
            out[sel] = res
    return out
