"""Batch pairwise likelihood ratios for blind screening: direct match, parent-child, full and
half siblings, each against "unrelated", for many profiles against many profiles.

**Model.** For every marker the exact two-person likelihood ratio is tabulated once for every
pair of unordered genotypes, as a ``G x G`` table of natural logs (``G = K(K+1)/2``), then a
batch LR is a sum of table look-ups over the markers typed in both profiles. Each table entry
is ``P(gA, gB | relationship) / P(gA, gB | unrelated)`` on the equivalent small pedigree:

``direct``
    Same person: ``P(gA, gB) = P(gA) [gA = gB]``; without θ, ``1/p_a^2`` for ``aa`` and
    ``1/(2 p_a p_b)`` for ``ab``. A mismatch is impossible (``-inf``; no typing-error model).
``parent_child``
    A founder parent with an untyped founder mate and their child. The child receives one
    of the parent's alleles through the parent's-sex mutation matrix and one allele of the
    untyped mate through the other sex's matrix (the mate's allele is itself mutated, as in
    the pedigree engine). ``parent_sex`` ``"male"``/``"female"`` fixes the parent's sex;
    ``None`` (default) averages the two likelihoods (each sex with probability 1/2).
    ``direction``: ``"a_parent"`` (profiles in ``codes_a`` are the parents), ``"b_parent"``,
    or ``"either"`` (default: the average of both likelihoods, the hypothesis "one is the
    parent of the other"). Without mutation all choices give the same table.
``full_sibling``
    Two children of two untyped founders (IBD coefficients κ = (1/4, 1/2, 1/4)), paternal
    alleles through the male and maternal through the female mutation matrix.
``half_sibling``
    Two children sharing one untyped founder parent, each with its own untyped founder mate
    (κ = (1/2, 1/2, 0)); mutation applies on every meiosis, through the shared parent's sex
    (``parent_sex``; ``None`` averages male and female) and the mates' opposite sex.

**θ (Balding-Nichols).** As in kinship-case.md, all founder alleles of a hypothesis are drawn
jointly from the subpopulation: the ``i``-th draw is allele ``a`` with probability
``(b_a θ + (1-θ) p_a) / (1 + (i-2) θ)``, ``b_a`` = earlier draws of ``a``; an untyped
founder's untransmitted alleles sum out. So both the numerator and the "unrelated" denominator
condition on the same population. With θ = 0 the tables are built from factored terms
directly on genotype pairs (memory a few G x G arrays); with θ > 0 through the K^4 joint of the
ordered alleles (O(K^5) time, a few K^4 arrays of memory per marker).

**Drop-out (``dropout_a``).** A drop-out probability ``d`` for the profiles on side A (the
post-mortem side in screening: degraded remains lose alleles; the references on side B are
taken as good quality and observed exactly). Side A's code is then an *observation*, and every
entry becomes ``P(obsA, gB | rel) = Σ_g P(g, gB | rel) P(obsA | g)`` (likewise for
"unrelated"), with ``P(obs | g)`` the kinship engine's observation model
(:func:`homecoming.kinship._states.observation_factor`, module doc of
:mod:`homecoming.kinship.likelihood`): each allele copy fails to show independently with
probability ``d``; a heterozygous code ``ab`` means both seen (``(1 − d)²`` if ``g = ab``), a
homozygous code ``aa`` means only ``a`` seen (``1 − d²`` for ``g = aa``, ``d(1 − d)`` for
``g = ab``). So a homozygous remains can match a heterozygous reference. ``d = 0`` leaves
the tables exactly as without drop-out.

These tables equal :func:`homecoming.kinship.likelihood.log_likelihood` on the same pedigrees
(tested to 1e-9; with drop-out to 1e-12 relative, tests/identification/test_dropout_tables.py).

**Batch evaluation.** Codes come from :meth:`PairwiseModel.encode` (``-1`` untyped). Each
marker's table is stored with one extra row and column of zeros for "untyped", all tables are
concatenated into one flat array, and a block of pairs is evaluated per marker as
``take(flat, offset + code_a * (G+1) + code_b)`` accumulated in the model's dtype (float64 by
default). Work is done in blocks of at most ``block`` pairs, so temporary memory is bounded by
the block size whatever the batch size.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from homecoming.errors import InputError
from homecoming.genetics.encoding import UNTYPED, GenotypeEncoder, genotype_alleles
from homecoming.genetics.markers import Marker

#: Relationships a :class:`PairwiseModel` knows.
RELATIONSHIPS = ("direct", "parent_child", "full_sibling", "half_sibling")

#: Default number of pairs evaluated per block (bounds temporary memory: ~24 bytes per pair).
DEFAULT_BLOCK = 1 << 16


def _matrices(marker: Marker) -> tuple[np.ndarray, np.ndarray, str]:
    """(female, male) transmission matrices and a note on where they came from."""
    k = marker.n_alleles
    if marker.mutation_female is None and marker.mutation_male is None:
        return np.eye(k), np.eye(k), "none"
    from homecoming.genetics.mutation import transmission_matrices

    f, m = transmission_matrices(marker)
    return np.asarray(f, dtype=float), np.asarray(m, dtype=float), "homecoming.genetics.mutation"


def _urn(p: np.ndarray, n: int, theta: float) -> np.ndarray:
    """Joint probability of ``n`` ordered founder-allele draws (Balding-Nichols urn), K^n."""
    k = p.size
    out = p.copy()
    for i in range(1, n):  # draw i+1 (1-based j = i + 1), denominator 1 + (j-2)θ = 1 + (i-1)θ
        counts = np.zeros((k,) * i + (k,))
        eye = np.eye(k)
        for axis in range(i):
            shape = [1] * (i + 1)
            shape[axis] = k
            shape[i] = k
            counts = counts + eye.reshape(shape)
        cond = (counts * theta + (1 - theta) * p) / (1 + (i - 1) * theta)
        out = out[..., None] * cond
    return out


def _joint(p: np.ndarray, theta: float, draws: int, outputs: Sequence[tuple[int, np.ndarray]]
           ) -> np.ndarray:
    """``T[o1, o2, o3, o4] = sum_draws U(draws) prod_k M_k[draw_k, o_k]`` (K^4)."""
    letters = "pqrs"[:draws]
    if theta == 0:
        ops: list[Any] = [p] * draws
        subs = list(letters)
    else:
        ops = [_urn(p, draws, theta)]
        subs = [letters]
    for (d, mat), o in zip(outputs, "abcd"):
        ops.append(mat)
        subs.append(letters[d] + o)
    joint: np.ndarray = np.einsum(",".join(subs) + "->abcd", *ops, optimize="greedy")
    return joint


def _ordered_joint(relationship: str, p: np.ndarray, theta: float, female: np.ndarray,
                   male: np.ndarray, parent_sex: str | None, direction: str) -> np.ndarray:
    """P(a1, a2, b1, b2 | relationship) over ordered alleles (A = (a1, a2), B = (b1, b2))."""
    k = p.size
    sexes = [parent_sex] if parent_sex else ["male", "female"]
    mats = {"male": male, "female": female}
    other = {"male": "female", "female": "male"}
    if relationship == "unrelated":
        if theta:
            return _urn(p, 4, theta)
        pair: np.ndarray = np.multiply.outer(p, p)
        independent: np.ndarray = np.multiply.outer(pair, pair)
        return independent
    if relationship == "direct":  # same person: T[a1, a2, a1, a2] = U2[a1, a2]
        u2 = _urn(p, 2, theta)
        t = np.zeros((k, k, k, k))
        i, j = np.meshgrid(np.arange(k), np.arange(k), indexing="ij")
        t[i, j, i, j] = u2
        return t
    if relationship == "parent_child":
        t = np.zeros((k, k, k, k))
        for s in sexes:
            ms, mo = mats[s], mats[other[s]]
            # A = founder parent (draws 0, 1), mate's transmitted allele = draw 2
            u3 = _urn(p, 3, theta) if theta else p[:, None, None] * p[None, :, None] * p
            v = np.tensordot(u3, mo, axes=(2, 0))  # [a1, a2, b2]
            h = 0.5 * (ms[:, None, :] + ms[None, :, :])  # [a1, a2, b1]
            t += h[:, :, :, None] * v[:, :, None, :]
        return t / len(sexes)  # A is the parent; the direction is applied on genotypes
    if relationship == "full_sibling":
        mm, mf = male, female
        # outputs: a1 = A paternal, a2 = A maternal, b1 = B paternal, b2 = B maternal
        t = _joint(p, theta, 2, [(0, mm), (1, mf), (0, mm), (1, mf)])
        t += _joint(p, theta, 3, [(0, mm), (1, mf), (0, mm), (2, mf)])
        t += _joint(p, theta, 3, [(0, mm), (2, mf), (1, mm), (2, mf)])
        t += _joint(p, theta, 4, [(0, mm), (2, mf), (1, mm), (3, mf)])
        return t / 4
    if relationship == "half_sibling":
        t = np.zeros((k, k, k, k))
        for s in sexes:
            ms, mo = mats[s], mats[other[s]]
            # a1/b1 from the shared parent, a2/b2 from each one's own mate
            t += 0.5 * _joint(p, theta, 3, [(0, ms), (1, mo), (0, ms), (2, mo)])
            t += 0.5 * _joint(p, theta, 4, [(0, ms), (2, mo), (1, ms), (3, mo)])
        return t / len(sexes)
    raise InputError(f"relationship {relationship!r}; expected one of {', '.join(RELATIONSHIPS)}",
                     field="relationship", value=relationship)


#: A sum of products: (coefficient, [(array, axes), ...]) per term.
_Terms = list[tuple[float, list[tuple[np.ndarray, tuple[int, ...]]]]]


def _factored_terms(relationship: str, p: np.ndarray, female: np.ndarray, male: np.ndarray,
                    parent_sex: str | None) -> _Terms:
    """theta = 0: the ordered joint as a sum of products of small factors.

    Each term is ``(coefficient, [(array, axes), ...])``; axes 0, 1 are A's alleles and 2, 3
    B's, each axis in exactly one factor. ``q = p M`` is a transmitted allele of an untyped
    founder and ``S[a, b] = sum_x p_x M1[x, a] M2[x, b]`` two copies of one founder allele.
    """
    sexes = [parent_sex] if parent_sex else ["male", "female"]
    mats = {"male": male, "female": female}
    other = {"male": "female", "female": "male"}
    w = 1.0 / len(sexes)

    def shared(m1: np.ndarray, m2: np.ndarray) -> np.ndarray:
        product: np.ndarray = (p[:, None] * m1).T @ m2
        return product

    terms: _Terms = []
    if relationship == "parent_child":
        for sx in sexes:
            ms, mo = mats[sx], mats[other[sx]]
            d = p[:, None] * ms  # the parent's own allele and what the child receives of it
            qo = p @ mo
            terms.append((0.5 * w, [(d, (0, 2)), (p, (1,)), (qo, (3,))]))
            terms.append((0.5 * w, [(p, (0,)), (d, (1, 2)), (qo, (3,))]))
    elif relationship == "full_sibling":
        from_father, from_mother = shared(male, male), shared(female, female)
        qm, qf = p @ male, p @ female
        terms.append((0.25, [(from_father, (0, 2)), (from_mother, (1, 3))]))
        terms.append((0.25, [(from_father, (0, 2)), (qf, (1,)), (qf, (3,))]))
        terms.append((0.25, [(qm, (0,)), (qm, (2,)), (from_mother, (1, 3))]))
        terms.append((0.25, [(qm, (0,)), (qf, (1,)), (qm, (2,)), (qf, (3,))]))
    elif relationship == "half_sibling":
        for sx in sexes:
            ms, mo = mats[sx], mats[other[sx]]
            qs, qo = p @ ms, p @ mo
            terms.append((0.5 * w, [(shared(ms, ms), (0, 2)), (qo, (1,)), (qo, (3,))]))
            terms.append((0.5 * w, [(qs, (0,)), (qo, (1,)), (qs, (2,)), (qo, (3,))]))
    else:  # pragma: no cover - callers pass the three relationships above
        raise InputError(f"relationship {relationship!r} has no factored form",
                         field="relationship", value=relationship)
    return terms


def _evaluate_terms(terms: _Terms, k: int
                    ) -> np.ndarray:
    """G x G genotype-pair probabilities of factored terms (sum over allele orderings)."""
    first, second = genotype_alleles(k)
    het = (first != second).astype(np.float64)
    g = first.size
    out = np.zeros((g, g))
    for swap_a in (False, True):
        x0, x1 = (second, first) if swap_a else (first, second)
        for swap_b in (False, True):
            y0, y1 = (second, first) if swap_b else (first, second)
            where = {0: x0[:, None], 1: x1[:, None], 2: y0[None, :], 3: y1[None, :]}
            acc = np.zeros((g, g))
            for coef, factors in terms:
                value: Any = coef
                for arr, axes in factors:
                    value = value * arr[tuple(where[a] for a in axes)]
                acc += value
            if swap_a:
                acc *= het[:, None]
            if swap_b:
                acc *= het[None, :]
            out += acc
    return out


def _genotype_table(t: np.ndarray) -> np.ndarray:
    """Sum an ordered-allele joint over the orderings of each unordered genotype: G x G.

    ``P({i,j}, {u,v}) = sum of T over the distinct orderings (i,j)/(j,i) and (u,v)/(v,u)``,
    gathered from the flat array (no K^4 temporaries)."""
    k = t.shape[0]
    flat = t.reshape(-1)
    first, second = genotype_alleles(k)
    a_ij = (first * k + second) * (k * k)
    a_ji = (second * k + first) * (k * k)
    b_uv = first * k + second
    b_vu = second * k + first
    hom_a = first == second
    out = np.take(flat, a_ij[:, None] + b_uv[None, :])
    out += np.take(flat, a_ij[:, None] + b_vu[None, :]) * (~hom_a)[None, :]
    out += np.take(flat, a_ji[:, None] + b_uv[None, :]) * (~hom_a)[:, None]
    out += np.take(flat, a_ji[:, None] + b_vu[None, :]) * ((~hom_a)[:, None] & (~hom_a)[None, :])
    table: np.ndarray = out
    return table


def observation_matrix(n_alleles: int, dropout: float) -> np.ndarray:
    """``O[obs, g] = P(observed genotype code obs | true genotype code g)`` (G x G) under the
    kinship engine's drop-out model (:func:`homecoming.kinship._states.observation_factor`,
    the same function): a homozygous code is "only that allele seen"."""
    from homecoming.kinship._states import observation_factor

    first, second = genotype_alleles(n_alleles)
    g = first.size
    ordered = observation_factor(first.astype(np.intp), second.astype(np.intp),
                                 np.full(g, n_alleles, dtype=np.intp),
                                 np.full(g, -1, dtype=np.intp), n_alleles, float(dropout),
                                 False)          # (obs, allele i, allele j)
    out: np.ndarray = ordered[:, first, second]
    return out


def genotype_pair_probabilities(marker: Marker, relationship: str, *, theta: float = 0.0,
                                parent_sex: str | None = None, direction: str = "either",
                                matrices: tuple[np.ndarray, np.ndarray] | None = None,
                                dropout_a: float = 0.0
                                ) -> tuple[np.ndarray, np.ndarray]:
    """``(P(gA, gB | relationship), P(gA, gB | unrelated))`` as two G x G arrays.

    ``relationship`` may also be ``"unrelated"``. ``matrices`` = (female, male) overrides the
    marker's mutation matrices. ``dropout_a`` > 0: rows are A's *observed* genotypes,
    ``P(obsA, gB) = Σ_g P(obsA | g) P(g, gB)`` (module doc).
    """
    num, den = _pair_probabilities(marker, relationship, theta=theta, parent_sex=parent_sex,
                                   direction=direction, matrices=matrices)
    if dropout_a:
        obs = observation_matrix(len(marker.alleles), dropout_a)
        num, den = obs @ num, obs @ den
    return num, den


def _pair_probabilities(marker: Marker, relationship: str, *, theta: float,
                        parent_sex: str | None, direction: str,
                        matrices: tuple[np.ndarray, np.ndarray] | None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`genotype_pair_probabilities` without drop-out."""
    p = np.asarray(marker.frequencies, dtype=np.float64)
    if matrices is None:
        female, male, _ = _matrices(marker)
    else:
        female, male = (np.asarray(m, dtype=float) for m in matrices)
    if relationship == "direct":
        num = np.diag(_single_genotype(p, theta))
    elif theta == 0 and relationship != "unrelated":
        num = _evaluate_terms(_factored_terms(relationship, p, female, male, parent_sex), p.size)
    else:
        num = _genotype_table(_ordered_joint(relationship, p, theta, female, male, parent_sex,
                                             direction))
    if relationship == "parent_child" and direction != "a_parent":
        num = num.T.copy() if direction == "b_parent" else 0.5 * (num + num.T)
    if theta:
        den = _genotype_table(_ordered_joint("unrelated", p, theta, female, male, None,
                                             direction))
    else:
        single = _single_genotype(p, 0.0)
        den = np.multiply.outer(single, single)
    return num, den


def _single_genotype(p: np.ndarray, theta: float) -> np.ndarray:
    """P(g) of one person for every genotype code (two founder draws from the urn)."""
    first, second = genotype_alleles(p.size)
    u2 = _urn(p, 2, theta)
    single: np.ndarray = u2[first, second] * np.where(first == second, 1.0, 2.0)
    return single


def log_lr_table(marker: Marker, relationship: str, *, theta: float = 0.0,
                 parent_sex: str | None = None, direction: str = "either",
                 dropout_a: float = 0.0) -> np.ndarray:
    """Natural-log LR (relationship vs unrelated) for every genotype pair, G x G float64;
    ``-inf`` where the relationship is impossible (``dropout_a``: module doc)."""
    num, den = genotype_pair_probabilities(marker, relationship, theta=theta,
                                           parent_sex=parent_sex, direction=direction,
                                           dropout_a=dropout_a)
    with np.errstate(divide="ignore"):
        out = np.log(num) - np.log(den)
    out[num <= 0] = -np.inf
    table: np.ndarray = out
    return table


class PairwiseModel:
    """Pairwise LRs of one relationship against "unrelated" over a fixed list of markers.

    :param markers: autosomal markers without silent alleles (e.g. from
        :meth:`~homecoming.genetics.frequencies.FrequencyDatabase.markers`); their mutation
        models are used for ``parent_child``, ``full_sibling`` and ``half_sibling``.
    :param relationship: ``"direct"``, ``"parent_child"``, ``"full_sibling"``, ``"half_sibling"``.
    :param theta: Balding-Nichols θ (module docstring).
    :param parent_sex: ``"male"``, ``"female"`` or ``None`` (average) for the parent in
        ``parent_child`` and the shared parent in ``half_sibling``.
    :param direction: ``parent_child`` only: ``"either"``, ``"a_parent"``, ``"b_parent"``.
    :param dtype: accumulation / table dtype for batches, ``float64`` (default) or ``float32``.
    :param block: pairs per evaluation block (temporary memory ~ 24 bytes per pair).
    :param dropout_a: drop-out probability of the profiles passed as ``codes_a`` (the
        post-mortem side; side B is observed exactly), module doc; 0 = none.
    """

    def __init__(self, markers: Sequence[Marker], relationship: str, *, theta: float = 0.0,
                 parent_sex: str | None = None, direction: str = "either",
                 dtype: Any = np.float64, block: int = DEFAULT_BLOCK,
                 dropout_a: float = 0.0) -> None:
        if relationship not in RELATIONSHIPS:
            raise InputError(f"relationship {relationship!r}; expected one of "
                             f"{', '.join(RELATIONSHIPS)}", field="relationship",
                             value=relationship)
        theta = float(theta)
        if not 0.0 <= theta < 1.0:
            raise InputError(f"theta {theta!r}; expected a number in [0, 1)", field="theta",
                             value=theta)
        if parent_sex not in (None, "male", "female"):
            raise InputError(f"parent_sex {parent_sex!r}; expected 'male', 'female' or None",
                             field="parent_sex", value=parent_sex)
        if direction not in ("either", "a_parent", "b_parent"):
            raise InputError(f"direction {direction!r}; expected 'either', 'a_parent' or "
                             "'b_parent'", field="direction", value=direction)
        dropout_a = float(dropout_a)
        if not 0.0 <= dropout_a < 1.0:
            raise InputError(f"dropout_a {dropout_a!r}; expected a probability in [0, 1)",
                             field="dropout", value=dropout_a)
        dtype = np.dtype(dtype)
        if dtype not in (np.dtype(np.float64), np.dtype(np.float32)):
            raise InputError(f"dtype {dtype}; expected float64 or float32", field="dtype",
                             value=str(dtype))
        if int(block) < 1:
            raise InputError(f"block {block!r}; expected a positive number of pairs",
                             field="block", value=block)
        self.relationship = relationship
        self.theta = theta
        self.parent_sex = parent_sex
        self.direction = direction
        self.dropout_a = dropout_a
        self.dtype = dtype
        self.block = int(block)
        self._encoder = GenotypeEncoder(markers)
        self.markers = self._encoder.markers
        self.tables: list[np.ndarray] = []
        mutation_notes = {}
        for m in self.markers:
            female, male, note = _matrices(m)
            mutation_notes[m.name] = note
            num, den = genotype_pair_probabilities(m, relationship, theta=theta,
                                                   parent_sex=parent_sex, direction=direction,
                                                   matrices=(female, male), dropout_a=dropout_a)
            with np.errstate(divide="ignore"):
                tab = np.log(num) - np.log(den)
            tab[num <= 0] = -np.inf
            tab.setflags(write=False)
            self.tables.append(tab)
        self._mutation_notes = mutation_notes
        self._width = np.array([t.shape[0] + 1 for t in self.tables], dtype=np.intp)
        sizes = self._width ** 2
        self._offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.intp)
        flat = np.zeros(int(sizes.sum()), dtype=dtype)
        for t, off, w in zip(self.tables, self._offsets, self._width):
            ext = np.zeros((w, w), dtype=np.float64)
            ext[:-1, :-1] = t
            flat[off:off + w * w] = ext.ravel()
        self._flat = flat
        self._untyped = self._width - 1  # internal code of "untyped" per marker

    # -- encoding -------------------------------------------------------------------------

    @property
    def marker_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.markers)

    def encode(self, profiles: Sequence[Mapping[str, Any] | Any], *,
               unknown: str = "error") -> np.ndarray:
        """``(n, L)`` int32 genotype codes, -1 untyped / partial (see genetics.encoding)."""
        return self._encoder.encode(profiles, unknown=unknown)

    def genotypes(self, marker: int | str) -> list[tuple[str, str]]:
        """Genotype of every code of ``marker`` (code order)."""
        return self._encoder.genotypes(marker)

    def table(self, marker: int | str) -> np.ndarray:
        """The G x G natural-log LR table of ``marker`` (read-only, float64)."""
        k = marker if isinstance(marker, int) else self._encoder._locate(marker)
        return self.tables[k]

    def _check(self, codes: np.ndarray, name: str) -> np.ndarray:
        """Validate codes without copying them (column minima / maxima only)."""
        codes = np.asarray(codes)
        if codes.ndim != 2 or codes.shape[1] != len(self.markers):
            raise InputError(f"{name}: shape {codes.shape}; expected (n, {len(self.markers)}) "
                             "genotype codes from this model's encode()", field=name,
                             value=codes.shape)
        if codes.size:
            if not np.issubdtype(codes.dtype, np.integer):
                raise InputError(f"{name}: dtype {codes.dtype}; expected integer codes",
                                 field=name, value=str(codes.dtype))
            high = self._width - 2
            if (codes.min(axis=0) < UNTYPED).any() or (codes.max(axis=0) > high).any():
                bad = (codes < UNTYPED) | (codes > high[None, :])
                r, c = map(int, np.argwhere(bad)[0])
                raise InputError(f"{name}[{r}, {c}] = {int(codes[r, c])}: not a genotype code of "
                                 f"marker {self.markers[c].name!r}; expected -1 .. "
                                 f"{int(high[c])}", field=name, value=int(codes[r, c]))
        return codes

    def _internal(self, codes: np.ndarray) -> np.ndarray:
        """Codes with "untyped" mapped to the extra zero row/column of each table (intp)."""
        internal = codes.astype(np.intp)
        return np.where(internal < 0, self._untyped[None, :], internal)

    # -- batch LRs ------------------------------------------------------------------------

    def _rows_a(self, internal_a: np.ndarray) -> np.ndarray:
        """Flat-table row starts per (profile, marker): offset + code * width, shape (L, n)."""
        return np.ascontiguousarray((self._offsets[None, :] + internal_a * self._width[None, :]).T)

    def _block(self, rows_a: np.ndarray, cols_b: np.ndarray, out: np.ndarray,
               idx: np.ndarray, buf: np.ndarray) -> None:
        """out[:] = sum over markers of flat[rows_a[l][:, None] + cols_b[l][None, :]]."""
        flat = self._flat
        out.fill(0)
        for ra, cb in zip(rows_a, cols_b):
            np.add(ra[:, None], cb[None, :], out=idx)
            np.take(flat, idx, out=buf, mode="clip")
            out += buf

    def _blocks(self, codes_a: np.ndarray, codes_b: np.ndarray
                ) -> Iterator[tuple[int, int, np.ndarray]]:
        """Yield (row start, col start, block of log LRs) covering the whole pair matrix.

        Codes are converted per block, so temporary memory is O(block), not O(n)."""
        na, nb = codes_a.shape[0], codes_b.shape[0]
        if na == 0 or nb == 0:
            return
        bcols = min(nb, max(256, self.block // 16))
        rows = min(na, max(1, self.block // bcols))
        idx = np.empty((rows, bcols), dtype=np.intp)
        buf = np.empty((rows, bcols), dtype=self.dtype)
        acc = np.empty((rows, bcols), dtype=self.dtype)
        for j0 in range(0, nb, bcols):
            j1 = min(nb, j0 + bcols)
            w = j1 - j0
            cb = np.ascontiguousarray(self._internal(codes_b[j0:j1]).T)
            for i0 in range(0, na, rows):
                i1 = min(na, i0 + rows)
                r = i1 - i0
                ra = self._rows_a(self._internal(codes_a[i0:i1]))
                out = acc[:r, :w] if w == bcols else acc.reshape(-1)[: r * w].reshape(r, w)
                self._block(ra, cb, out, idx.reshape(-1)[: r * w].reshape(r, w),
                            buf.reshape(-1)[: r * w].reshape(r, w))
                yield i0, j0, out

    def log_lr(self, codes_a: np.ndarray, codes_b: np.ndarray) -> np.ndarray:
        """Natural-log LR for every pair, shape (n_a, n_b), summed over markers typed in
        both (a marker untyped in either contributes 0); ``-inf`` where impossible."""
        ia = self._check(codes_a, "codes_a")
        ib = self._check(codes_b, "codes_b")
        out = np.empty((ia.shape[0], ib.shape[0]), dtype=self.dtype)
        for i0, j0, blk in self._blocks(ia, ib):
            out[i0:i0 + blk.shape[0], j0:j0 + blk.shape[1]] = blk
        return out

    def n_common(self, codes_a: np.ndarray, codes_b: np.ndarray) -> np.ndarray:
        """Number of markers typed in both profiles, shape (n_a, n_b), int32."""
        a = self._check(codes_a, "codes_a") >= 0
        b = self._check(codes_b, "codes_b") >= 0
        return (a.astype(np.float32) @ b.T.astype(np.float32)).round().astype(np.int32)

    def iter_candidates(self, codes_a: np.ndarray, codes_b: np.ndarray, *, min_log_lr: float,
                        chunk: int = 4096, min_common: int = 0
                        ) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Pairs with ``log_lr >= min_log_lr`` (and at least ``min_common`` markers typed in
        both), as ``(i, j, log_lr)`` arrays per chunk of ``codes_a`` (row indices ``i`` into
        ``codes_a``, ``j`` into ``codes_b``; row-major order within a chunk). Memory is
        bounded by ``chunk`` and the model's ``block``, not by the number of pairs."""
        ia = self._check(codes_a, "codes_a")
        ib = self._check(codes_b, "codes_b")
        if int(chunk) < 1:
            raise InputError(f"chunk {chunk!r}; expected a positive number of profiles",
                             field="chunk", value=chunk)
        typed_b = (ib >= 0).astype(np.float32) if min_common else None
        for c0 in range(0, ia.shape[0], int(chunk)):
            sub = ia[c0:c0 + int(chunk)]
            typed_a = (sub >= 0).astype(np.float32) if min_common else None
            found_i: list[np.ndarray] = []
            found_j: list[np.ndarray] = []
            found_v: list[np.ndarray] = []
            for i0, j0, blk in self._blocks(sub, ib):
                hit = blk >= min_log_lr
                if typed_a is not None and typed_b is not None and hit.any():
                    nc = typed_a[i0:i0 + blk.shape[0]] @ typed_b[j0:j0 + blk.shape[1]].T
                    hit &= nc >= min_common - 0.5
                r, c = np.nonzero(hit)
                if r.size:
                    found_i.append(r + (c0 + i0))
                    found_j.append(c + j0)
                    found_v.append(blk[r, c].astype(np.float64))
            if found_i:
                i = np.concatenate(found_i)
                j = np.concatenate(found_j)
                v = np.concatenate(found_v)
                order = np.lexsort((j, i))
                yield i[order], j[order], v[order]

    # -- provenance -----------------------------------------------------------------------

    def provenance(self) -> dict[str, Any]:
        h = hashlib.sha256()
        for m in self.markers:
            h.update(m.name.encode())
            h.update("\x1f".join(m.alleles).encode())
            h.update(np.asarray(m.frequencies, dtype=np.float64).tobytes())
            h.update(repr((m.mutation_female, m.mutation_male)).encode())
        extra = {"dropout_a": self.dropout_a} if self.dropout_a else {}
        return {
            **extra,
            "model": "pairwise",
            "relationship": self.relationship,
            "theta": self.theta,
            "parent_sex": self.parent_sex or "average of male and female",
            "direction": self.direction if self.relationship == "parent_child" else None,
            "dtype": str(self.dtype),
            "markers": list(self.marker_names),
            "markers_sha256": h.hexdigest(),
            "mutation": self._mutation_notes,
            "marker_sources": {m.name: m.source for m in self.markers},
        }


__all__ = ["RELATIONSHIPS", "PairwiseModel", "genotype_pair_probabilities", "log_lr_table",
           "observation_matrix"]
