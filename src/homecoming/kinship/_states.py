"""Allele state spaces, genotype parsing and observation factors of the likelihood engine.

A marker's *state space* is the set of values an allele variable can take: every allele of the
marker (plus the silent allele when ``silent_frequency > 0``), or, when exact, the alleles
observed in the data plus one lumped state "other" (see *Allele lumping* in
:mod:`homecoming.kinship.likelihood`). Markers of one batch are padded to a common number of
states plus one *null* state (zero prior, zero transmission) so that numpy handles them
together (:class:`MarkerBatch`).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from homecoming.errors import GenotypeError
from homecoming.genetics.markers import Marker
from homecoming.genetics.mutation import transmission_matrices
from homecoming.kinship._cache import BoundedCache
from homecoming.kinship._types import BoolArray, FloatArray, IntArray

__all__ = [
    "AlleleCodes", "MarkerBatch", "MarkerInfo", "StateSpace", "marker_batch", "marker_info",
    "observation_factor", "parse_genotype", "state_domains", "state_space",
]

#: Allele indices of one typed person at one marker (−1: unknown), or one index for an X male.
AlleleCodes = tuple[int, ...]

#: Tolerance of the lumpability check (columns constant off the diagonal).
LUMP_TOLERANCE = 1e-13

def parse_genotype(marker: Marker, person: str, genotype: object, x_male: bool | None,
                   index: Mapping[str, int]) -> AlleleCodes | None:
    """Allele indices (−1 = unknown) of a genotype, or ``None`` when nothing is known.

    ``x_male`` is None for autosomal markers.
    """
    if genotype is None:
        return None
    if isinstance(genotype, str) or not isinstance(genotype, Iterable):
        kind = "a string" if isinstance(genotype, str) else type(genotype).__name__
        raise GenotypeError(f"marker {marker.name!r}, person {person!r}: genotype {genotype!r} "
                            f"is {kind}; expected a list of allele labels", field="genotypes",
                            value=genotype)
    alleles = tuple(genotype)
    codes: list[int] = []
    for allele in alleles:
        if allele is None:
            codes.append(-1)
            continue
        label = allele if isinstance(allele, str) else str(allele)
        try:
            codes.append(index[label])
        except KeyError:
            raise GenotypeError(
                f"marker {marker.name!r}, person {person!r}: allele {label!r} is not in the "
                f"marker's allele list", field="genotypes", value=label) from None
    if all(c < 0 for c in codes):
        return None
    if x_male:
        known = sorted({c for c in codes if c >= 0})
        if len(codes) > 2 or len(known) > 1:
            labels = [marker.alleles[c] for c in known]
            raise GenotypeError(
                f"marker {marker.name!r}, person {person!r}: a male has one X allele; got "
                f"{labels}", field="genotypes", value=labels)
        return (known[0],)
    if len(codes) != 2:
        raise GenotypeError(
            f"marker {marker.name!r}, person {person!r}: genotype has {len(codes)} allele(s); "
            "expected two (one only for an X-linked male)", field="genotypes", value=alleles)
    return (codes[0], codes[1])


def _offdiagonal_constant(matrix: FloatArray) -> FloatArray | None:
    """Per column, the common off-diagonal value; ``None`` when a column is not constant."""
    n = matrix.shape[0]
    if n < 2:
        return np.zeros(n)
    off = matrix.copy()
    np.fill_diagonal(off, np.nan)
    hi = np.nanmax(off, axis=0)
    lo = np.nanmin(off, axis=0)
    if np.all(hi - lo <= LUMP_TOLERANCE):
        result: FloatArray = (hi + lo) / 2.0
        return result
    return None


class MarkerInfo:
    """What the engine needs of a marker, computed once per :class:`Marker` object."""

    __slots__ = ("index", "n_alleles", "prior", "female", "male", "lumpable",
                 "female_offdiagonal", "male_offdiagonal", "silent", "parsed", "parsed_codes",
                 "_full_space")

    def __init__(self, marker: Marker) -> None:
        self.index = {a: i for i, a in enumerate(marker.alleles)}
        #: parsed genotypes by (genotype, x_male)
        self.parsed: BoundedCache[AlleleCodes] = BoundedCache(100_000)
        #: read-only view of the memo: (genotype, x_male) -> codes (``()``: nothing known)
        self.parsed_codes = self.parsed.view()
        self._full_space: StateSpace | None = None
        n = marker.n_alleles
        self.n_alleles = n
        s = float(marker.silent_frequency or 0.0)
        freqs = np.asarray(marker.frequencies, dtype=float)
        self.prior: FloatArray = np.concatenate([freqs, [s]]) if s > 0 else freqs.copy()
        #: index of the silent allele, −1 if none
        self.silent = n if s > 0 else -1
        female, male = transmission_matrices(marker)
        self.female: FloatArray = np.asarray(female, dtype=float)
        self.male: FloatArray = np.asarray(male, dtype=float)
        # lumpable for every partition {observed singletons, silent, rest} iff, within the
        # visible block, every column is constant off the diagonal (equal, proportional, none)
        self.female_offdiagonal = _offdiagonal_constant(self.female[:n, :n])
        self.male_offdiagonal = _offdiagonal_constant(self.male[:n, :n])
        self.lumpable = (self.female_offdiagonal is not None
                         and self.male_offdiagonal is not None)

    def parse(self, marker: Marker, person: str, genotype: object,
              x_male: bool | None) -> AlleleCodes | None:
        """:func:`parse_genotype`, memoised for hashable genotypes."""
        key = (genotype, x_male)
        try:
            codes = self.parsed.get(key)
        except TypeError:      # unhashable genotype (a list): not cached
            return parse_genotype(marker, person, genotype, x_male, self.index)
        if codes is None:      # "nothing known" is stored as ()
            codes = self.parsed.put(
                key, parse_genotype(marker, person, genotype, x_male, self.index) or ())
        return codes or None

    def full_space(self) -> StateSpace:
        """The marker's full state space (every allele, and the silent one); data-independent."""
        if self._full_space is None:
            code = np.arange(self.n_alleles, dtype=np.intp)
            self._full_space = StateSpace(self.prior, self.female, self.male, code, self.silent,
                                          False)
        return self._full_space


_MARKER_INFO: BoundedCache[MarkerInfo] = BoundedCache(4096)
_INFO_BY_CONTENT: BoundedCache[MarkerInfo] = BoundedCache(4096)


def _content_key(marker: Marker) -> Hashable:
    """What a :class:`MarkerInfo` depends on: everything but the marker's name and source."""
    return (marker.alleles, np.asarray(marker.frequencies, dtype=float).tobytes(),
            marker.chromosome, marker.mutation_female, marker.mutation_male,
            float(marker.silent_frequency or 0.0))


def marker_info(marker: Marker) -> MarkerInfo:
    """The (cached) :class:`MarkerInfo` of ``marker``: shared by markers that differ only in
    name (e.g. the per-observation copies of the genotype tables), with their state spaces."""
    info = _MARKER_INFO.get(id(marker))
    if info is None:
        key = _content_key(marker)
        info = _INFO_BY_CONTENT.get(key)
        if info is None:
            info = _INFO_BY_CONTENT.put(key, MarkerInfo(marker))
        info = _MARKER_INFO.put(id(marker), info, keep=marker)
    return info


@dataclass(eq=False)
class StateSpace:
    """The allele states of one marker given the alleles observed in the data."""

    prior: FloatArray          # (n_states,)
    female: FloatArray         # (n_states, n_states) transmission from a mother
    male: FloatArray           # (n_states, n_states) transmission from a father
    code: IntArray             # allele index of the marker -> state
    silent: int                # state of the silent allele, −1 if none
    lumped: bool
    code_list: list[int] = field(init=False)
    #: memo of :meth:`recode`
    recoded: dict[tuple[int, ...], tuple[int, ...]] = field(init=False)

    def __post_init__(self) -> None:
        self.code_list = [int(c) for c in self.code] + [-1]   # index −1 -> unknown
        self.recoded = {}

    def recode(self, codes: tuple[int, ...]) -> tuple[int, ...]:
        """Allele codes of the marker as codes of this state space (memoised)."""
        hit = self.recoded.get(codes)
        if hit is None:
            code = self.code_list
            hit = self.recoded[codes] = tuple([code[c] for c in codes])
        return hit

    @property
    def n_states(self) -> int:
        return len(self.prior)


def _lump(matrix: FloatArray, offdiagonal: FloatArray, keep: IntArray, members: IntArray,
          n_observed: int) -> FloatArray:
    k = len(keep)
    out = np.empty((k + 1, k + 1))
    rows = matrix[keep]
    out[:k, :k] = rows[:, keep]
    out[:k, k] = rows[:, members].sum(axis=1)
    out[k, :n_observed] = offdiagonal[keep[:n_observed]]
    out[k, n_observed:k] = 0.0                      # the silent allele is never mutated into
    out[k, k] = 1.0 - out[k, :k].sum()
    return out


_STATE_SPACES: BoundedCache[StateSpace] = BoundedCache(50_000)


def state_space(marker: Marker, info: MarkerInfo, observed: frozenset[int],
                lump_wanted: bool = True) -> StateSpace:
    """The (cached) state space of ``marker`` when the alleles ``observed`` are seen.

    ``lump_wanted=False`` (every allele variable of the computation is confined to a typed
    genotype's alleles, so lumping would save nothing) gives the marker's full state space,
    which does not depend on the data: its batches and factor tables are reused across data.
    """
    n = info.n_alleles
    lump = lump_wanted and info.lumpable and n - len(observed) >= 2
    if not lump:       # the full allele set does not depend on the data: one per marker
        return info.full_space()
    key = (id(info), observed)
    hit = _STATE_SPACES.get(key)
    if hit is not None:
        return hit
    code = np.empty(n, dtype=np.intp)
    assert info.female_offdiagonal is not None and info.male_offdiagonal is not None
    seen = np.array(sorted(observed), dtype=np.intp)
    members = np.array([i for i in range(n) if i not in observed], dtype=np.intp)
    keep = (np.concatenate([seen, [info.silent]]).astype(np.intp) if info.silent >= 0
            else seen)
    k = len(keep)
    prior = np.concatenate([info.prior[keep], [info.prior[members].sum()]])
    code[seen] = np.arange(len(seen))
    code[members] = k
    space = StateSpace(prior,
                       _lump(info.female, info.female_offdiagonal, keep, members, len(seen)),
                       _lump(info.male, info.male_offdiagonal, keep, members, len(seen)),
                       code, len(seen) if info.silent >= 0 else -1, True)
    return _STATE_SPACES.put(key, space, keep=info)


def observation_factor(first: IntArray, second: IntArray, n_states: IntArray, silent: IntArray,
                       width: int, dropout: float | None, single: bool) -> FloatArray:
    """P(observation | states) for one person at L markers: (L, N, N), or (L, N) if single.

    ``first``, ``second``: state codes of the seen alleles (−1 unknown); both −1 means untyped
    at that marker. ``width`` is N, the padded number of states.
    """
    states = np.arange(width)[None, :]
    valid = states < n_states[:, None]
    visible = valid & (states != silent[:, None])
    a = first[:, None]
    b = second[:, None]
    if single:
        typed = a >= 0
        hit = (states == a).astype(float) * (1.0 if dropout is None else 1.0 - dropout)
        single_out: FloatArray = np.where(typed, hit, valid.astype(float))
        return single_out
    valid2 = valid[:, :, None] & valid[:, None, :]
    untyped = (a < 0) & (b < 0)
    both = (a >= 0) & (b >= 0)
    het = both & (a != b)
    is_a = states == a
    is_b = states == b
    pair = (is_a[:, :, None] & is_b[:, None, :]) | (is_b[:, :, None] & is_a[:, None, :])
    seen = np.maximum(a, b)                      # the one label seen (hom or partial)
    is_seen = states == seen
    if dropout is None:
        seen_or_silent = is_seen | (valid & ~visible)
        hom = ((is_seen[:, :, None] & seen_or_silent[:, None, :])
               | (seen_or_silent[:, :, None] & is_seen[:, None, :]))
        part = (is_seen[:, :, None] | is_seen[:, None, :]) & valid2
        one = np.where((both & ~het)[:, :, None], hom, part)
        out = np.where(het[:, :, None], pair, one)
        exact: FloatArray = np.where(untyped[:, :, None], valid2, out).astype(float)
        return exact
    q = np.where(is_seen | ~visible, 1.0, dropout) * valid
    z = np.where(visible, dropout, 1.0) * valid
    one_seen = q[:, :, None] * q[:, None, :] - z[:, :, None] * z[:, None, :]
    with_dropout = np.where(het[:, :, None], pair * (1.0 - dropout) ** 2, one_seen)
    result: FloatArray = np.where(untyped[:, :, None], valid2.astype(float), with_dropout)
    return result


def state_domains(mask: BoolArray, null: int) -> list[IntArray]:
    """Per person (first axis), the index array (L, D) of the True states per marker row,
    padded with ``null``; D is the person's largest count."""
    counts = mask.sum(axis=2)
    order = np.argsort(~mask, axis=2, kind="stable")
    out = []
    for k in range(mask.shape[0]):
        depth = max(int(counts[k].max()), 1)
        out.append(np.where(np.arange(depth)[None, :] < counts[k][:, None], order[k, :, :depth],
                            null))
    return out


class MarkerBatch:
    """Stacked, padded per-marker arrays of one batch of state spaces (cached).

    ``n_padded`` (N) is the largest state count plus one null state; ``factor_cache`` holds
    data-independent factor tables built on first use.
    """

    def __init__(self, spaces: list[StateSpace]) -> None:
        n_markers = len(spaces)
        self.spaces = spaces
        self.n_states = np.array([sp.n_states for sp in spaces], dtype=np.intp)
        self.n_max = int(self.n_states.max())
        self.n_padded = self.n_max + 1              # last state: a null state (all zeros)
        width = self.n_padded
        self.silent = np.array([sp.silent for sp in spaces], dtype=np.intp)
        self.no_silent = bool(np.all(self.silent < 0))
        self.prior = np.zeros((n_markers, width))
        self.female = np.zeros((n_markers, width, width))
        self.male = np.zeros((n_markers, width, width))
        for row, sp in enumerate(spaces):
            k = sp.n_states
            self.prior[row, :k] = sp.prior
            self.female[row, :k, :k] = sp.female
            self.male[row, :k, :k] = sp.male
        # the domain of an untyped allele: every state; padded states have zero prior and
        # zero transmission, so they need no masking
        self.full: IntArray = np.broadcast_to(np.arange(self.n_max), (n_markers, self.n_max))
        self.factor_cache: BoundedCache[FloatArray] = BoundedCache(256)


_BATCHES: BoundedCache[MarkerBatch] = BoundedCache(64)


def marker_batch(spaces: list[StateSpace]) -> MarkerBatch:
    """The (cached) :class:`MarkerBatch` of these state spaces."""
    key: Hashable = tuple(id(sp) for sp in spaces)
    return _BATCHES.get_or_make(key, lambda: MarkerBatch(spaces), keep=spaces)

