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
elimination (a greedy min-fill elimination order, cached per pedigree structure) with one
scale factor per marker and elimination step, so totals never underflow: the result is a
natural log per marker, ``-inf`` where the data are impossible.

Persons who are untyped and have no typed descendant are removed first (their factors sum to
one). Markers are batched: allele dimensions are padded per variable, so one set of numpy calls
handles all markers of a pedigree.

Allele lumping
--------------
Alleles not observed in anybody's genotype at a marker are merged into one state "other" when
that is exact: when both transmission matrices are *strongly lumpable* for the partition
{each observed allele, the silent allele, all others} (Kemeny & Snell 1960, Thm 6.3.2): every
unobserved allele has the same probability of moving to each observed allele. This holds
without mutation and for the ``equal`` and ``proportional`` models; it is checked numerically
on the actual matrices (tolerance 1e-13), so ``stepwise`` and custom models are lumped only when
they happen to be lumpable and use the full allele set otherwise.

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
(kinship-case.md). Equivalently they are independent draws from subpopulation frequencies
π ~ Dirichlet(λp), λ = (1 − θ)/θ. The θ = 0 likelihood is a polynomial of degree at most K (the
number of founder allele variables) in π, so its Dirichlet expectation is computed *exactly* by
a tensor-product Gauss–Jacobi rule on the stick-breaking Beta variables
(π₁ = B₁, πᵢ = Bᵢ Π_{j<i}(1 − B_j), Bᵢ ~ Beta(λpᵢ, λΣ_{j>i}p_j)) with ⌊K/2⌋ + 1 nodes each
(exact for degree ≤ K). The θ = 0 engine is run once per node. The number of nodes is
(⌊K/2⌋ + 1)^(n − 1) per marker for n allele states after lumping, so θ is fast for the usual
cases (duos, trios, siblings: K ≤ 6, few observed alleles) and refused with a clear error when
it would exceed :data:`MAX_THETA_ROWS` evaluations. Founder inbreeding under θ is the mixture
``f·πₐ[a = b] + (1 − f)πₐπ_b`` given π.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from homecoming.errors import GenotypeError, HypothesisError, InputError
from homecoming.genetics.markers import Marker
from homecoming.pedigree.pedigree import Pedigree, Sex

__all__ = ["log_likelihood", "MAX_THETA_ROWS", "GenotypeTable"]

GenotypeTable = Mapping[str, Mapping[str, tuple]]

#: Largest number of (marker × quadrature node) evaluations accepted for θ > 0.
MAX_THETA_ROWS = 2_000_000

_LUMP_TOL = 1e-13


# ---------------------------------------------------------------------------------------------
# transmission matrices (identity fallback until genetics.mutation exists)
# ---------------------------------------------------------------------------------------------
def _transmission(marker: Marker) -> tuple[np.ndarray, np.ndarray]:
    try:
        from homecoming.genetics.mutation import transmission_matrices
    except ImportError:  # pragma: no cover - only while genetics.mutation is being written
        n = marker.n_alleles + (1 if marker.silent_frequency > 0 else 0)
        eye = np.eye(n)
        return eye, eye
    return transmission_matrices(marker)


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


def _parse_genotype(marker: Marker, pid: str, gt, x_male: bool | None) -> tuple[int, ...] | None:
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
        label = str(a)
        try:
            codes.append(marker.alleles.index(label))
        except ValueError:
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
@dataclass
class _States:
    prior: np.ndarray          # (n_eff,)
    mf: np.ndarray             # (n_eff, n_eff) female transmission
    mm: np.ndarray             # (n_eff, n_eff) male transmission
    code: np.ndarray           # full allele index (visible) -> effective state (or -1)
    silent: int                # effective index of the silent state, -1 if none


def _lumpable(m: np.ndarray, members: np.ndarray, keep: np.ndarray) -> bool:
    sub = m[np.ix_(members, keep)]
    spread = sub.max(axis=0) - sub.min(axis=0)
    return bool(np.all(spread <= _LUMP_TOL))


def _lump(m: np.ndarray, members: np.ndarray, keep: np.ndarray) -> np.ndarray:
    k = len(keep)
    out = np.empty((k + 1, k + 1))
    out[:k, :k] = m[np.ix_(keep, keep)]
    out[:k, k] = m[np.ix_(keep, members)].sum(axis=1)
    rows = m[members]
    out[k, :k] = rows[:, keep].mean(axis=0)
    out[k, k] = rows[:, members].sum(axis=1).mean()
    return out


def _states(marker: Marker, observed: frozenset[int]) -> _States:
    n = marker.n_alleles
    s = float(marker.silent_frequency or 0.0)
    mf, mm = _transmission(marker)
    mf = np.asarray(mf, dtype=float)
    mm = np.asarray(mm, dtype=float)
    freqs = np.asarray(marker.frequencies, dtype=float)
    full_prior = np.concatenate([freqs, [s]]) if s > 0 else freqs
    obs = np.array(sorted(observed), dtype=np.intp)
    members = np.array([i for i in range(n) if i not in observed], dtype=np.intp)
    silent_full = n if s > 0 else -1
    keep = np.concatenate([obs, [n]]).astype(np.intp) if s > 0 else obs
    code = np.full(n, -1, dtype=np.intp)
    if len(members) >= 2 and _lumpable(mf, members, keep) and _lumpable(mm, members, keep):
        # effective order: observed alleles, silent (if any), other
        k = len(keep)
        prior = np.concatenate([full_prior[keep], [full_prior[members].sum()]])
        code[obs] = np.arange(len(obs))
        code[members] = k
        return _States(prior, _lump(mf, members, keep), _lump(mm, members, keep), code,
                       len(obs) if s > 0 else -1)
    code[:] = np.arange(n)
    return _States(full_prior.copy(), mf, mm, code, silent_full)


# ---------------------------------------------------------------------------------------------
# observation factors at state level
# ---------------------------------------------------------------------------------------------
def _obs_pair(nst: int, silent: int, g: tuple[int, int], d: float | None) -> np.ndarray:
    """P(observation | ordered pair of effective states), shape (nst, nst)."""
    st = np.arange(nst)
    vis = st != silent
    a, b = g
    if d is None:
        if a >= 0 and b >= 0:
            if a != b:
                o = np.zeros((nst, nst))
                o[a, b] = o[b, a] = 1.0
                return o
            # homozygous look: a/a or a/silent
            is_a = st == a
            ok_other = is_a | ~vis
            return (is_a[:, None] & ok_other[None, :]) | (ok_other[:, None] & is_a[None, :])
        known = a if a >= 0 else b
        is_k = st == known
        return (is_k[:, None] | is_k[None, :]).astype(float)
    labels = {c for c in (a, b) if c >= 0}
    if len(labels) == 2:
        o = np.zeros((nst, nst))
        o[a, b] = o[b, a] = (1.0 - d) ** 2
        return o
    (k,) = labels
    q = np.where((st == k) | ~vis, 1.0, d)
    z = np.where(vis, d, 1.0)
    return q[:, None] * q[None, :] - z[:, None] * z[None, :]


def _obs_single(nst: int, silent: int, a: int, d: float | None) -> np.ndarray:
    o = np.zeros(nst)
    o[a] = 1.0 if d is None else 1.0 - d
    return o


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
def _min_fill_order(scopes: list[tuple[int, ...]], sizes: list[int]) -> list[int]:
    nv = len(sizes)
    nbr: list[set[int]] = [set() for _ in range(nv)]
    for sc in scopes:
        for v in sc:
            nbr[v].update(sc)
    for v in range(nv):
        nbr[v].discard(v)
    logs = [math.log(max(s, 1)) for s in sizes]
    alive = set(range(nv))
    order: list[int] = []
    while alive:
        best = None
        best_key = None
        for v in alive:
            nb = nbr[v]
            fill = 0
            nbl = list(nb)
            for i in range(len(nbl)):
                ni = nbr[nbl[i]]
                for j in range(i + 1, len(nbl)):
                    if nbl[j] not in ni:
                        fill += 1
            weight = logs[v] + sum(logs[u] for u in nb)
            key = (weight, fill)
            if best_key is None or key < best_key:
                best, best_key = v, key
        v = best
        nb = nbr[v]
        for u in nb:
            nbr[u].update(nb)
            nbr[u].discard(u)
            nbr[u].discard(v)
        alive.discard(v)
        order.append(v)
    return order


_ORDER_CACHE: dict = {}
_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXY"


def _eliminate(factors: list[tuple[tuple[int, ...], np.ndarray]], sizes: list[int],
               nrows: int) -> np.ndarray:
    """Sum of the product of the factors over all variables; log per row."""
    key = (tuple(sc for sc, _ in factors), tuple(sizes))
    order = _ORDER_CACHE.get(key)
    if order is None:
        order = _min_fill_order([sc for sc, _ in factors], sizes)
        if len(_ORDER_CACHE) > 4096:
            _ORDER_CACHE.clear()
        _ORDER_CACHE[key] = order
    logscale = np.zeros(nrows)
    pool: list[tuple[tuple[int, ...], np.ndarray]] = []
    for sc, arr in factors:
        if not sc:
            with np.errstate(divide="ignore"):
                logscale += np.log(arr)
            continue
        pool.append((sc, arr))
    for v in order:
        use = [f for f in pool if v in f[0]]
        if not use:
            continue
        pool = [f for f in pool if v not in f[0]]
        allv: list[int] = []
        for sc, _ in use:
            for u in sc:
                if u not in allv:
                    allv.append(u)
        out = tuple(u for u in allv if u != v)
        letter = {u: _LETTERS[i + 1] for i, u in enumerate(allv)}
        spec = ",".join("Z" + "".join(letter[u] for u in sc) for sc, _ in use)
        spec += "->Z" + "".join(letter[u] for u in out)
        arrays = [a for _, a in use]
        res = np.einsum(spec, *arrays, optimize=len(arrays) > 2)
        if out:
            s = res.reshape(nrows, -1).max(axis=1)
            pos = s > 0
            with np.errstate(divide="ignore"):
                logscale += np.where(pos, np.log(np.where(pos, s, 1.0)), -np.inf)
            res = res / np.where(pos, s, 1.0).reshape((nrows,) + (1,) * len(out))
            pool.append((out, res))
        else:
            with np.errstate(divide="ignore"):
                logscale += np.log(res)
    for sc, arr in pool:  # pragma: no cover - every variable is eliminated above
        raise AssertionError(f"factor over {sc} left after elimination")
    return logscale


# ---------------------------------------------------------------------------------------------
# the engine
# ---------------------------------------------------------------------------------------------
def _relevant(pedigree: Pedigree, typed: set[str]) -> list[str]:
    """Persons that are typed or have a typed descendant, parents first. A non-founder kept
    keeps both parents (they are kept because the child is)."""
    keep: set[str] = set()
    for pid in reversed(pedigree.ids):
        if pid in typed or any(c in keep for c in pedigree.children(pid)):
            keep.add(pid)
    return [p for p in pedigree.ids if p in keep]


def _group_loglik(pedigree: Pedigree, markers: list[Marker], parsed: list[dict[str, tuple]],
                  xchrom: bool, theta: float, finb: dict[str, float],
                  drop: dict[str, float], male_x: dict[str, bool]) -> np.ndarray:
    """Log-likelihood for markers that share a chromosome type and a typed set."""
    L = len(markers)
    typed = set().union(*[set(p) for p in parsed]) if parsed else set()
    persons = _relevant(pedigree, typed)
    if not persons:
        return np.zeros(L)
    # variables
    var_index: dict[tuple[str, str], int] = {}
    for pid in persons:
        if not (xchrom and male_x[pid]):
            var_index[(pid, "p")] = len(var_index)
        var_index[(pid, "m")] = len(var_index)
    nv = len(var_index)

    # state spaces per marker
    states = []
    for li, mk in enumerate(markers):
        seen: set[int] = set()
        for pid, codes in parsed[li].items():
            if (pid, "m") in var_index:
                seen.update(c for c in codes if c >= 0)
        states.append(_states(mk, frozenset(seen)))
    nmax = max(len(s.prior) for s in states)
    N = nmax + 1                      # last state is a null state (all zeros)
    null = nmax
    prior = np.zeros((L, N))
    MF = np.zeros((L, N, N))
    MM = np.zeros((L, N, N))
    for li, s in enumerate(states):
        k = len(s.prior)
        prior[li, :k] = s.prior
        MF[li, :k, :k] = s.mf
        MM[li, :k, :k] = s.mm

    # observation factors at state level and variable domains
    obs_state: dict[str, np.ndarray] = {}
    dom: list[list[np.ndarray]] = [[None] * L for _ in range(nv)]  # type: ignore[list-item]
    for pid in persons:
        single = xchrom and male_x[pid]
        d = drop.get(pid)
        if pid in typed:
            o = np.ones((L, N)) if single else np.ones((L, N, N))
            for li, s in enumerate(states):
                codes = parsed[li].get(pid)
                k = len(s.prior)
                if single:
                    o[li, k:] = 0.0
                else:
                    o[li, k:, :] = 0.0
                    o[li, :, k:] = 0.0
                if codes is None:
                    continue
                eff = tuple(int(s.code[c]) if c >= 0 else -1 for c in codes)
                if single:
                    o[li, :k] = _obs_single(k, s.silent, eff[0], d)
                else:
                    o[li, :k, :k] = _obs_pair(k, s.silent, eff, d)  # type: ignore[arg-type]
            obs_state[pid] = o
        for li, s in enumerate(states):
            k = len(s.prior)
            if pid in obs_state:
                o = obs_state[pid][li]
                if single:
                    dm = np.flatnonzero(o[:k] > 0)
                    dom[var_index[(pid, "m")]][li] = dm
                else:
                    dom[var_index[(pid, "p")]][li] = np.flatnonzero(o[:k, :k].sum(axis=1) > 0)
                    dom[var_index[(pid, "m")]][li] = np.flatnonzero(o[:k, :k].sum(axis=0) > 0)
            else:
                full = np.arange(k)
                for tag in ("p", "m"):
                    if (pid, tag) in var_index:
                        dom[var_index[(pid, tag)]][li] = full
    sizes = [max(1, max(len(x) for x in dom[v])) for v in range(nv)]
    idx = []
    for v in range(nv):
        a = np.full((L, sizes[v]), null, dtype=np.intp)
        for li in range(L):
            a[li, :len(dom[v][li])] = dom[v][li]
        idx.append(a)

    # θ: expand rows over quadrature nodes
    founders = [p for p in persons if pedigree[p].is_founder]
    if theta > 0:
        K = sum(1 if (xchrom and male_x[p]) else 2 for p in founders)
        m = K // 2 + 1
        lam = (1.0 - theta) / theta
        row_marker = []
        row_prior = []
        row_logw = []
        total = 0
        for li, s in enumerate(states):
            npos = int(np.count_nonzero(s.prior > 0))
            total += m ** max(npos - 1, 0)
        if total > MAX_THETA_ROWS:
            raise InputError(
                f"theta {theta}: exact θ needs {total} likelihood evaluations for this pedigree "
                f"({K} founder alleles); expected at most {MAX_THETA_ROWS}. Use fewer founders "
                "with typed descendants or theta = 0", field="theta", value=theta)
        for li, s in enumerate(states):
            pts, w = _dirichlet_rule(lam * s.prior, m)
            row_marker.append(np.full(len(w), li))
            pr = np.zeros((len(w), N))
            pr[:, :len(s.prior)] = pts
            row_prior.append(pr)
            with np.errstate(divide="ignore"):
                row_logw.append(np.log(w))
        r2m = np.concatenate(row_marker)
        rprior = np.concatenate(row_prior)
        rlogw = np.concatenate(row_logw)
    else:
        r2m = np.arange(L)
        rprior = prior
        rlogw = None
    R = len(r2m)
    ridx = [a[r2m] for a in idx]
    rr = np.arange(R)

    factors: list[tuple[tuple[int, ...], np.ndarray]] = []
    for pid in persons:
        per = pedigree[pid]
        single = xchrom and male_x[pid]
        vm = var_index[(pid, "m")]
        vp = var_index.get((pid, "p"))
        if per.is_founder:
            f = finb.get(pid, 0.0)
            if single or f == 0.0:
                factors.append(((vm,), np.take_along_axis(rprior, ridx[vm], axis=1)))
                if vp is not None:
                    factors.append(((vp,), np.take_along_axis(rprior, ridx[vp], axis=1)))
            else:
                pp = np.take_along_axis(rprior, ridx[vp], axis=1)
                pm = np.take_along_axis(rprior, ridx[vm], axis=1)
                same = (ridx[vp][:, :, None] == ridx[vm][:, None, :]) & \
                    (ridx[vp][:, :, None] != null)
                joint = f * pp[:, :, None] * same + (1.0 - f) * pp[:, :, None] * pm[:, None, :]
                factors.append(((vp, vm), joint))
        else:
            fa, mo = per.father, per.mother
            # maternal allele from the mother (two alleles on X as well)
            mp_, mm_ = var_index[(mo, "p")], var_index[(mo, "m")]
            c = ridx[vm]
            A = MF[r2m[:, None, None], ridx[mp_][:, :, None], c[:, None, :]]
            B = MF[r2m[:, None, None], ridx[mm_][:, :, None], c[:, None, :]]
            factors.append(((mp_, mm_, vm), 0.5 * (A[:, :, None, :] + B[:, None, :, :])))
            if vp is not None:
                c = ridx[vp]
                if xchrom:
                    fm_ = var_index[(fa, "m")]
                    A = MM[r2m[:, None, None], ridx[fm_][:, :, None], c[:, None, :]]
                    factors.append(((fm_, vp), A))
                else:
                    fp_, fm_ = var_index[(fa, "p")], var_index[(fa, "m")]
                    A = MM[r2m[:, None, None], ridx[fp_][:, :, None], c[:, None, :]]
                    B = MM[r2m[:, None, None], ridx[fm_][:, :, None], c[:, None, :]]
                    factors.append(((fp_, fm_, vp), 0.5 * (A[:, :, None, :] + B[:, None, :, :])))
        if pid in obs_state:
            o = obs_state[pid]
            if single:
                factors.append(((vm,), np.take_along_axis(o[r2m], ridx[vm], axis=1)))
            else:
                ob = o[r2m[:, None, None], ridx[vp][:, :, None], ridx[vm][:, None, :]]
                factors.append(((vp, vm), ob))
    del rr
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
    # parse genotypes per marker
    male_x_cache: dict[str, bool] = {}
    parsed: list[dict[str, tuple]] = []
    for mk in markers:
        xchrom = mk.chromosome == "X"
        per: dict[str, tuple] = {}
        for pid, gts in genotypes.items():
            if gts is None or mk.name not in gts:
                continue
            gt = gts[mk.name]
            x_male = None
            if xchrom:
                n_known = 0 if gt is None else len(tuple(gt))
                x_male = _is_male_x(pedigree, pid, n_known == 1)
                male_x_cache.setdefault(pid, x_male)
            codes = _parse_genotype(mk, pid, gt, x_male)
            if codes is not None:
                per[pid] = codes
        parsed.append(per)
    male_x = {pid: male_x_cache.get(pid, _is_male_x(pedigree, pid, False))
              for pid in pedigree.ids}
    # group markers by chromosome and typed set
    groups: dict[tuple, list[int]] = {}
    for li, mk in enumerate(markers):
        key = (mk.chromosome == "X", frozenset(parsed[li]))
        groups.setdefault(key, []).append(li)
    for (xchrom, _), lis in groups.items():
        res = _group_loglik(pedigree, [markers[i] for i in lis], [parsed[i] for i in lis],
                            xchrom, float(theta), finb, drop, male_x)
        out[lis] = res
    return out
