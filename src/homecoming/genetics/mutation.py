"""Mutation models: the transition matrix from a parent's allele to the allele a child receives.

``M[i, j]`` is P(the parent's allele ``i`` is transmitted as the child's allele ``j``). Rows sum
to 1. Mothers use the marker's ``mutation_female`` model and fathers ``mutation_male``.

Models (definitions follow pedmut 0.9.x ``mutationMatrix()``, magnusdv/pedmut@fb9b7c6
R/mutationMatrix.R, and Vigeland 2021, *Pedigree Analysis in R*, ch. 5; the Familias names are in
Egeland, Kling & Mostad 2016, *Relationship Inference with Familias and R*, ch. 2):

``equal``
    ``M[i, i] = 1 - r``, ``M[i, j] = r / (n - 1)`` for ``j != i``.
``proportional``
    ``M = (1 - a) I + a 1 p^T`` with ``a = r / sum_i p_i (1 - p_i)``, so that the expected
    mutation rate under the population frequencies ``p`` is ``r``. Homecoming refuses
    ``a > 1`` (the "stay" probability would fall below the population frequency) and any
    negative entry.
``stepwise``
    Alleles must be numbers with at most one decimal (``"9.3"``). Alleles are grouped by their
    decimal part (integer alleles form one group, ``x.1`` alleles another, ...). From allele
    ``i``, mutations *within* its group happen with total probability ``rate`` and are split
    in proportion to ``range ** |x_i - x_j|`` (each extra repeat is ``range`` times less likely);
    mutations *to another group* happen with total probability ``rate2``, split equally among
    all alleles outside the group. The diagonal is ``1 - rate - rate2``, or ``1 - rate`` when
    every allele is in one group, or ``1 - rate2`` when allele ``i`` is alone in its group.
    Homecoming rounds the group key to an integer (pedmut compares floating-point decimal
    parts for equality, which can split ``9.3`` and ``10.3`` into different groups).
``onestep``
    Integer alleles only. From ``x`` the allele moves to ``x - 1`` or ``x + 1`` (those present
    in the allele list) with total probability ``rate``, split equally. At an end of the ladder
    (or next to a gap) there is one neighbour and it receives the whole ``rate``; an allele
    with no neighbour at distance 1 never mutates (row of the identity). This is pedmut's rule.
``custom`` (or any model carrying ``matrix``)
    The given matrix is authoritative.

Every matrix is validated: entries finite and in [0, 1], rows summing to 1 within 1e-6
(:class:`~homecoming.errors.MutationModelError` naming the marker and the row otherwise).

**Silent alleles.** When ``Marker.silent_frequency > 0`` the transmission matrices returned by
:func:`transmission_matrices` have one extra row and column, last, for the silent allele. The
silent allele neither mutates nor is mutated into: the matrix is ``blockdiag(M, 1)`` where ``M``
is built over the visible alleles with their frequencies renormalised to sum to 1 (only the
``proportional`` model uses frequencies).
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Sequence

import numpy as np

from homecoming.errors import MutationModelError
from homecoming.genetics.markers import Marker, MutationSpec

#: Rows of a mutation matrix must sum to 1 within this tolerance.
ROW_SUM_TOLERANCE = 1e-6

#: Models accepted by :func:`mutation_matrix`.
MODELS = ("equal", "proportional", "stepwise", "onestep", "custom")

#: Label of the silent allele appended by :func:`transmission_matrices` and the likelihoods.
SILENT = "silent"

__all__ = ["MODELS", "ROW_SUM_TOLERANCE", "SILENT", "mutation_matrix", "pm_stationary",
           "transmission_matrices",
           "validate_mutation_matrix"]


def _where(marker: str | None, sex: str | None) -> str:
    parts = []
    if marker is not None:
        parts.append(f"marker {marker!r}")
    if sex is not None:
        parts.append(f"{sex} mutation model")
    return ", ".join(parts) if parts else "mutation model"


def _need(value: float | None, name: str, model: str, where: str) -> float:
    if value is None:
        raise MutationModelError(f"{where}: model {model!r} needs {name!r}; got none",
                                 field=name, value=None)
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise MutationModelError(f"{where}: {name} {value!r} is not a number", field=name,
                                 value=value) from None
    if not np.isfinite(v) or v < 0:
        raise MutationModelError(f"{where}: {name} {value!r}; expected a finite number >= 0",
                                 field=name, value=value)
    return v


def _numeric_alleles(alleles: Sequence[str], model: str, where: str, *,
                     integers: bool) -> np.ndarray:
    values = []
    for a in alleles:
        try:
            x = float(a)
        except (TypeError, ValueError):
            raise MutationModelError(
                f"{where}: allele {a!r} is not a repeat number; the {model!r} model needs "
                "numeric allele labels", field="alleles", value=a) from None
        if not np.isfinite(x):
            raise MutationModelError(f"{where}: allele {a!r} is not a finite repeat number",
                                     field="alleles", value=a)
        if integers and x != round(x):
            raise MutationModelError(
                f"{where}: allele {a!r} is a microvariant; the 'onestep' model needs integer "
                "alleles (use 'stepwise' with rate2)", field="alleles", value=a)
        if not integers and abs(round(x, 1) - x) > 1e-9:
            raise MutationModelError(
                f"{where}: allele {a!r} has more than one decimal; the 'stepwise' model needs "
                "microvariants written like '9.3'", field="alleles", value=a)
        values.append(x)
    return np.array(values, dtype=float)


def validate_mutation_matrix(matrix: np.ndarray | Sequence[Sequence[float]], n: int, *,
                             marker: str | None = None,
                             sex: str | None = None) -> np.ndarray:
    """Check that ``matrix`` is an ``n``×``n`` transition matrix; return it as float array.

    Raises :class:`MutationModelError` naming the marker and the first bad row.
    """
    where = _where(marker, sex)
    try:
        m = np.array(matrix, dtype=float)
    except (TypeError, ValueError):
        raise MutationModelError(f"{where}: mutation matrix is not a numeric matrix",
                                 field="matrix") from None
    if m.shape != (n, n):
        raise MutationModelError(
            f"{where}: mutation matrix has shape {'x'.join(map(str, m.shape))}; expected "
            f"{n}x{n} (one row and column per allele)", field="matrix", value=m.shape)
    for i in range(n):
        row = m[i]
        if not np.all(np.isfinite(row)) or np.any(row < 0) or np.any(row > 1):
            raise MutationModelError(
                f"{where}: mutation matrix row {i} has an entry outside [0, 1]; expected "
                "probabilities", field="matrix", value=i)
        s = float(row.sum())
        if abs(s - 1.0) > ROW_SUM_TOLERANCE:
            raise MutationModelError(
                f"{where}: mutation matrix row {i} sums to {s:.9g}; expected 1 within "
                f"{ROW_SUM_TOLERANCE:g}", field="matrix", value=i, expected="row sum 1")
    return m


def mutation_matrix(spec: MutationSpec | None, alleles: Sequence[str], frequencies: np.ndarray,
                    *, marker: str | None = None, sex: str | None = None) -> np.ndarray:
    """The n×n transition matrix of ``spec`` over ``alleles``.

    :param spec: the model (``None`` → identity, no mutation).
    :param alleles: allele labels in matrix order.
    :param frequencies: allele frequencies in the same order (used by ``proportional``).
    :param marker, sex: only used to name the marker and sex in error messages.
    :returns: a new read-only float array; ``M[i, j]`` = P(parent allele i → child allele j).
    :raises MutationModelError: unknown model, missing or bad parameter, matrix not stochastic.
    """
    alleles = [str(a) for a in alleles]
    n = len(alleles)
    where = _where(marker, sex)
    if spec is None:
        out = np.eye(n)
        out.setflags(write=False)
        return out
    model = str(spec.model).strip().lower()
    if spec.matrix is not None:
        out = validate_mutation_matrix(spec.matrix, n, marker=marker, sex=sex)
        out.setflags(write=False)
        return out
    if model not in MODELS:
        raise MutationModelError(f"{where}: unknown mutation model {spec.model!r}; expected one "
                                 f"of {', '.join(MODELS)}", field="model", value=spec.model)
    if model == "custom":
        raise MutationModelError(f"{where}: model 'custom' needs 'matrix'; got none",
                                 field="matrix", value=None)
    rate = _need(spec.rate, "rate", model, where)
    if rate > 1:
        raise MutationModelError(f"{where}: rate {rate!r}; expected a probability in [0, 1]",
                                 field="rate", value=rate)
    p = np.asarray(frequencies, dtype=float)
    m = np.zeros((n, n))
    if n <= 1:
        m = np.eye(n)
    elif model == "equal":
        m[:] = rate / (n - 1)
        np.fill_diagonal(m, 1.0 - rate)
    elif model == "proportional":
        if p.shape != (n,):
            raise MutationModelError(f"{where}: {p.size} frequencies for {n} alleles; expected "
                                     "one per allele", field="frequencies", value=p.size)
        het = float(np.sum(p * (1.0 - p)))
        if het <= 0.0:
            m = np.eye(n)
        else:
            alpha = rate / het
            if alpha > 1.0:
                raise MutationModelError(
                    f"{where}: proportional rate {rate!r} gives alpha = rate / sum p(1-p) = "
                    f"{alpha:.6g}; expected alpha <= 1 (rate <= {het:.6g})", field="rate",
                    value=rate)
            m = (1.0 - alpha) * np.eye(n) + alpha * np.tile(p, (n, 1))
    elif model == "stepwise":
        rate2 = _need(spec.rate2, "rate2", model, where)
        rng = _need(spec.range, "range", model, where)
        if rng <= 0:
            raise MutationModelError(f"{where}: range {rng!r}; expected a positive number",
                                     field="range", value=rng)
        if rate + rate2 > 1:
            raise MutationModelError(
                f"{where}: rate + rate2 = {rate + rate2!r}; expected a total rate in [0, 1]",
                field="rate2", value=rate2)
        x = _numeric_alleles(alleles, model, where, integers=False)
        # decimal part in tenths; R's round() and Python's round() both round half to even
        group = np.array([int(round((xi - round(xi)) * 10)) for xi in x])
        same_group = group[:, None] == group[None, :]
        n_same = same_group.sum(axis=1)
        # within a group rng^|x_i - x_j|, to another group rate2 / (alleles outside the group);
        # the powers of the few distinct distances by scalar pow (numpy's vectorised power can
        # differ in the last bit)
        distances, where_d = np.unique(np.abs(x[:, None] - x[None, :]), return_inverse=True)
        powers = np.array([rng ** float(d) for d in distances.tolist()])
        m = np.where(same_group, powers[where_d.reshape(n, n)],
                     rate2 / np.maximum(n - n_same, 1)[:, None])
        np.fill_diagonal(m, [1.0 - rate if k == n else 1.0 - rate2 if k == 1
                             else 1.0 - rate - rate2 for k in n_same.tolist()])
        for i in range(n):
            others = same_group[i].copy()
            others[i] = False
            if others.any():
                m[i, others] = m[i, others] / m[i, others].sum() * rate
    elif model == "onestep":
        x = _numeric_alleles(alleles, model, where, integers=True)
        for i in range(n):
            nei = np.abs(x - x[i]) == 1
            k = int(nei.sum())
            m[i, i] = 1.0 - rate if k > 0 else 1.0
            if k:
                m[i, nei] = rate / k
    out = validate_mutation_matrix(m, n, marker=marker, sex=sex)
    out.setflags(write=False)
    return out


_CACHE_LOCK = threading.Lock()
_CACHE: dict[int, tuple[weakref.ref[Marker], tuple[np.ndarray, np.ndarray]]] = {}


def _build(marker: Marker) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(marker.frequencies, dtype=float)
    s = float(marker.silent_frequency or 0.0)
    if s > 0:
        total = float(p.sum())
        p = p / total if total > 0 else p
    out: list[np.ndarray] = []
    for spec, sex in ((marker.mutation_female, "female"), (marker.mutation_male, "male")):
        if out and spec == marker.mutation_female:    # the same model: the same (read-only) matrix
            out.append(out[0])
            continue
        m = mutation_matrix(spec, marker.alleles, p, marker=marker.name, sex=sex)
        if s > 0:
            n = len(marker.alleles)
            big = np.zeros((n + 1, n + 1))
            big[:n, :n] = m
            big[n, n] = 1.0
            m = big
            m.setflags(write=False)
        out.append(m)
    return out[0], out[1]


def _forget(key: int, ref: weakref.ref[Marker]) -> None:
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] is ref:
            del _CACHE[key]


#: Matrices by marker content (alleles, frequencies, silent frequency, models): copies of a
#: marker (renamed, or rebuilt from a file for each family) share one build.
_BY_CONTENT: dict[object, tuple[np.ndarray, np.ndarray]] = {}
_BY_CONTENT_MAX = 4096


def _content_key(marker: Marker) -> object | None:
    key = (marker.alleles, np.asarray(marker.frequencies, dtype=float).tobytes(),
           float(marker.silent_frequency or 0.0), marker.mutation_female, marker.mutation_male)
    try:
        hash(key)
    except TypeError:       # e.g. a matrix given as lists
        return None
    return key


def transmission_matrices(marker: Marker) -> tuple[np.ndarray, np.ndarray]:
    """(female, male) read-only transition matrices of ``marker``, cached per marker object
    and by content (markers with the same alleles, frequencies and models share them).

    Shape n×n, or (n+1)×(n+1) with the silent allele last when ``marker.silent_frequency > 0``
    (see the module docstring).
    """
    key = id(marker)
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0]() is marker:
            return hit[1]
    content = _content_key(marker)
    with _CACHE_LOCK:
        shared = _BY_CONTENT.get(content) if content is not None else None
    if shared is not None:
        result = shared
    else:
        result = _build(marker)
        if content is not None:
            with _CACHE_LOCK:
                if len(_BY_CONTENT) >= _BY_CONTENT_MAX:
                    _BY_CONTENT.clear()
                _BY_CONTENT[content] = result
    try:
        def on_collect(r: weakref.ref[Marker], key: int = key) -> None:
            _forget(key, r)

        ref = weakref.ref(marker, on_collect)
    except TypeError:  # pragma: no cover - objects without weakref support are not cached
        return result
    with _CACHE_LOCK:
        _CACHE[key] = (ref, result)
    return result


def pm_stationary(matrix: np.ndarray | Sequence[Sequence[float]],
                  frequencies: np.ndarray | Sequence[float]) -> np.ndarray | None:
    """The "PM" stationary version of a mutation matrix (Simonsson & Mostad, *Stationary
    mutation models*, FSI: Genetics 2016), or ``None`` when it does not exist.

    With R = 1 - sum_i p_i M_ii (the expected mutation rate under ``frequencies`` p) and v the
    stationary distribution of M, d_i = R v_i / ((1 - sum_j v_j M_jj) p_i) and
    P = diag(d) (M - I) + I. P has p as its stationary distribution and the same expected
    mutation rate R; it exists when every d_i (1 - M_ii) <= 1. Familias uses it for its
    "stepwise (stationary)" model.
    """
    m = np.asarray(matrix, dtype=float)
    p = np.asarray(frequencies, dtype=float)
    n = m.shape[0]
    if n < 2 or np.any(p <= 0):
        return None
    r = 1.0 - float(np.sum(np.diag(m) * p))
    x = m.T - np.eye(n)
    x[n - 1, :] = 1.0
    rhs = np.zeros(n)
    rhs[n - 1] = 1.0
    try:
        v = np.linalg.solve(x, rhs)
    except np.linalg.LinAlgError:
        return None
    denom = 1.0 - float(np.sum(np.diag(m) * v))
    if denom <= 0:
        return None
    d = r * v / (denom * p)
    if np.any(d * (1.0 - np.diag(m)) > 1.0 + 1e-12) or np.any(d < -1e-12):
        return None
    out = np.diag(d) @ (m - np.eye(n)) + np.eye(n)
    if np.any(out < -1e-12):
        return None
    result: np.ndarray = np.clip(out, 0.0, 1.0)
    return result
