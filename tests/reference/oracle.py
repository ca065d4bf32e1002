"""Reference likelihood: slow, written to be obviously correct, independent of the engine.

The likelihood of one marker is the sum, over every joint assignment of ordered allele pairs
(maternal, paternal) to every person of the pedigree, of

    P(founder alleles) · Π_nonfounders P(maternal allele | mother) P(paternal allele | father)
                       · Π_typed P(observed phenotype | alleles)

with

* founder alleles: independent draws with probability ``p`` (θ = 0), or — for θ > 0 — all
  founder alleles of the whole pedigree (every component) drawn *jointly* from the
  Balding–Nichols Pólya urn of kinship-case.md: draw ``j`` (1-based) is allele ``a`` with
  probability ``(b_a θ + (1−θ) p_a) / (1 + (j−2) θ)``, ``b_a`` = earlier draws of ``a``.
  Founders are visited in ``pedigree.ids`` order, maternal allele first (the urn is
  exchangeable, so the order does not matter). A founder with inbreeding ``f``: with
  probability ``f`` its two alleles are one draw (identical by descent), else two draws;
  P(aa) = f p_a + (1−f) p_a² at θ = 0.
* transmission (which parental allele, then mutation): P(child allele c | parent (x, y)) =
  ½ M[x, c] + ½ M[y, c] with the mother's matrix ``M`` = female model and the father's = male.
* X markers: a male has one allele, his mother's (female matrix); a female gets her mother's
  (female matrix) and her father's single X (male matrix). Males are hemizygous founders (one
  draw). Founder inbreeding does not apply to a male on X.
* silent allele (``Marker.silent_frequency = s > 0``): an extra allele, last, with frequency
  ``s``; it never shows in a phenotype. Transmission matrices come from
  ``homecoming.genetics.mutation.transmission_matrices`` (the silent allele does not mutate).
* phenotype (dropout ``d`` of the person, 0 if not given): each allele copy that is not silent
  is seen independently with probability ``1 − d``; the phenotype is the *set* of seen alleles.
  An observed full genotype ``(a, b)`` means phenotype ``{a, b}``; ``(a, a)`` means ``{a}``
  (so a homozygote may be ``a/silent`` or, with dropout, ``a/x`` with ``x`` dropped); an X male
  ``(a,)`` means ``{a}``. P(phenotype | alleles) is summed over the 2 (or 4) seen/dropped
  patterns. For a person *with* a dropout entry (even ``d = 0``) a genotype lists the set of
  labels seen, so ``(a, None)`` means the same as ``(a, a)``: only ``a`` seen (an unknown
  allele is one that did not show). For a person *without* a dropout entry, ``(a, None)`` is a
  partial genotype: the indicator ``a ∈ {g1, g2}`` (the other allele anything, silent
  included). ``(None, None)`` or a missing marker is untyped (factor 1).

Two implementations of this one sum:

* :func:`reference_log_likelihood` writes it as a single ``numpy.einsum`` over one index per
  person-allele — a declarative statement of the full sum, whose contraction order numpy picks
  (fine for the ≤ 12-person catalogue pedigrees; with θ > 0 the joint founder factor is dense,
  so keep the number of founder alleles small).
* :func:`enumerate_likelihood` loops literally over every joint state with ``itertools.product``
  (a handful of persons only); tests check the two agree.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence

import numpy as np

from homecoming.errors import GenotypeError, HypothesisError, PedigreeError
from homecoming.genetics.markers import Marker
from homecoming.genetics.mutation import transmission_matrices
from homecoming.pedigree.pedigree import Pedigree, Sex

__all__ = ["reference_log_likelihood", "enumerate_likelihood", "MAX_JOINT_ENTRIES"]

#: θ > 0 needs a dense joint factor over all founder alleles: n ** k entries. Refuse above this.
MAX_JOINT_ENTRIES = 4_000_000


# --- the pieces of the sum ---------------------------------------------------------------------

class _Setup:
    """Per-marker arrays: frequencies (with silent), matrices, ploidy and phenotype factors."""

    def __init__(self, pedigree: Pedigree, marker: Marker, genotypes: Mapping,
                 dropout: Mapping[str, float] | None) -> None:
        self.marker = marker
        labels = list(marker.alleles)
        p = list(np.asarray(marker.frequencies, dtype=float))
        self.silent = float(marker.silent_frequency or 0.0) > 0.0
        if self.silent:
            labels.append(None)  # the silent allele: never seen
            p.append(float(marker.silent_frequency))
        self.labels = labels
        self.p = np.array(p)
        self.n = len(labels)
        self.female, self.male = transmission_matrices(marker)
        assert self.female.shape == (self.n, self.n)
        self.x = marker.chromosome == "X"
        self.ploidy: dict[str, int] = {}
        for person in pedigree:
            if self.x and person.sex is Sex.UNKNOWN:
                raise PedigreeError(f"person {person.id!r} has unknown sex; X marker "
                                    f"{marker.name!r} needs every sex")
            self.ploidy[person.id] = 1 if self.x and person.sex is Sex.MALE else 2
        self.phenotype: dict[str, np.ndarray] = {}
        for pid, table in genotypes.items():
            gt = table.get(marker.name) if table is not None else None
            if gt is None:
                continue
            d = (dropout or {}).get(pid)
            self.phenotype[pid] = self._phenotype(pid, tuple(gt), None if d is None else float(d))

    def _phenotype(self, pid: str, gt: tuple, d: float | None) -> np.ndarray:
        m = self.marker
        ploidy = self.ploidy[pid]
        if len(gt) != ploidy:
            raise GenotypeError(f"person {pid!r}, marker {m.name!r}: {len(gt)} alleles; "
                                f"expected {ploidy}")
        for a in gt:
            if a is not None and a not in m.alleles:
                raise GenotypeError(f"person {pid!r}, marker {m.name!r}: allele {a!r} unknown")
        shape = (self.n,) * ploidy
        out = np.zeros(shape)
        known = [a for a in gt if a is not None]
        if not known:
            return np.ones(shape)
        if len(known) < len(gt) and d is None:  # partial genotype: indicator
            a = known[0]
            for state in itertools.product(range(self.n), repeat=ploidy):
                out[state] = 1.0 if a in [self.labels[i] for i in state] else 0.0
            return out
        observed = set(known)  # the set of labels seen
        d = 0.0 if d is None else d
        for state in itertools.product(range(self.n), repeat=ploidy):
            total = 0.0
            for seen in itertools.product((True, False), repeat=ploidy):
                prob = 1.0
                shown = set()
                for i, s in zip(state, seen):
                    label = self.labels[i]
                    if label is None:  # silent: never seen, no dropout event to weigh
                        if not s:
                            prob = 0.0  # count the silent copy once (under 'seen')
                        continue
                    prob *= (1.0 - d) if s else d
                    if s:
                        shown.add(label)
                if prob > 0.0 and shown == observed:
                    total += prob
            out[state] = total
        return out


def _urn_probability(draws: Sequence[int], p: np.ndarray, theta: float) -> float:
    """P(this sequence of draws) under the Balding–Nichols urn (kinship-case.md convention)."""
    counts = np.zeros(len(p))
    prob = 1.0
    for j, a in enumerate(draws, start=1):
        prob *= (counts[a] * theta + (1.0 - theta) * p[a]) / (1.0 + (j - 2) * theta)
        counts[a] += 1
    return prob


def _joint_founder_factor(founders: Sequence[str], ploidy: Mapping[str, int],
                          inbreeding: Mapping[str, float], p: np.ndarray,
                          theta: float) -> np.ndarray:
    """Dense P(all ordered founder alleles) for θ > 0 (IBD patterns of inbred founders summed)."""
    n = len(p)
    k = sum(ploidy[f] for f in founders)
    if n ** k > MAX_JOINT_ENTRIES:
        raise ValueError(f"reference oracle: {k} founder alleles with {n} alleles and θ > 0 is "
                         "too large for the dense joint founder factor")
    inbred = [f for f in founders if ploidy[f] == 2 and inbreeding.get(f, 0.0) > 0.0]
    out = np.zeros((n,) * k)
    for state in itertools.product(range(n), repeat=k):
        total = 0.0
        for ibd in itertools.product((False, True), repeat=len(inbred)):
            weight = 1.0
            ibd_of = dict(zip(inbred, ibd))
            draws: list[int] = []
            pos = 0
            ok = True
            for f in founders:
                if ploidy[f] == 1:
                    draws.append(state[pos])
                    pos += 1
                    continue
                a, b = state[pos], state[pos + 1]
                pos += 2
                if ibd_of.get(f, False):
                    weight *= inbreeding[f]
                    if a != b:
                        ok = False
                        break
                    draws.append(a)
                else:
                    if f in ibd_of:
                        weight *= 1.0 - inbreeding[f]
                    draws.extend((a, b))
            if ok and weight > 0.0:
                total += weight * _urn_probability(draws, p, theta)
        out[state] = total
    return out


def _founder_factor(ploidy: int, f: float, p: np.ndarray) -> np.ndarray:
    """P(ordered founder alleles) at θ = 0: p_a p_b, plus inbreeding f on the diagonal."""
    if ploidy == 1:
        return p.copy()
    return (1.0 - f) * np.outer(p, p) + f * np.diag(p)


def _transmission(matrix: np.ndarray, parent_ploidy: int) -> np.ndarray:
    """T[x, (y,) c] = P(child allele c | parent alleles): ½ M[x, c] + ½ M[y, c], or M[x, c]."""
    if parent_ploidy == 1:
        return matrix
    return 0.5 * matrix[:, None, :] + 0.5 * matrix[None, :, :]


def _check(pedigree: Pedigree, genotypes: Mapping, founder_inbreeding: Mapping | None) -> None:
    for pid in genotypes:
        if pid not in pedigree:
            raise HypothesisError(f"genotyped person {pid!r} is not in the pedigree",
                                  field="genotypes", value=pid)
    for pid, f in (founder_inbreeding or {}).items():
        if pid not in pedigree or not pedigree[pid].is_founder:
            raise HypothesisError(f"founder_inbreeding: {pid!r} is not a founder",
                                  field="founder_inbreeding", value=pid)
        if not 0.0 <= float(f) <= 1.0:
            raise HypothesisError(f"founder_inbreeding: {f!r} for {pid!r} not in [0, 1]",
                                  field="founder_inbreeding", value=f)


# --- implementation 1: one einsum over the whole joint ----------------------------------------

def _marker_likelihood_einsum(pedigree: Pedigree, marker: Marker, genotypes: Mapping,
                              theta: float, inbreeding: Mapping[str, float],
                              dropout: Mapping[str, float] | None) -> float:
    s = _Setup(pedigree, marker, genotypes, dropout)
    index: dict[tuple[str, int], int] = {}
    for person in pedigree:
        for k in range(s.ploidy[person.id]):
            index[(person.id, k)] = len(index)

    def vars_of(pid: str) -> list[int]:
        return [index[(pid, k)] for k in range(s.ploidy[pid])]

    operands: list = []
    founders = [q.id for q in pedigree if q.is_founder]
    if theta > 0.0 and founders:
        operands += [_joint_founder_factor(founders, s.ploidy, inbreeding, s.p, theta),
                     [v for f in founders for v in vars_of(f)]]
    else:
        for f in founders:
            operands += [_founder_factor(s.ploidy[f], float(inbreeding.get(f, 0.0)), s.p),
                         vars_of(f)]
    for person in pedigree:
        if person.is_founder:
            continue
        child = vars_of(person.id)
        # allele 0 comes from the mother (female matrix); allele 1 (if any) from the father
        operands += [_transmission(s.female, s.ploidy[person.mother]),
                     vars_of(person.mother) + [child[0]]]
        if len(child) == 2:
            operands += [_transmission(s.male, s.ploidy[person.father]),
                         vars_of(person.father) + [child[1]]]
    for pid, phi in s.phenotype.items():
        operands += [phi, vars_of(pid)]
    if not operands:
        return 1.0
    return float(np.einsum(*operands, [], optimize="greedy"))


# --- implementation 2: a literal loop over every joint state ----------------------------------

def enumerate_likelihood(pedigree: Pedigree, marker: Marker, genotypes: Mapping, *,
                         theta: float = 0.0, founder_inbreeding: Mapping[str, float] | None = None,
                         dropout: Mapping[str, float] | None = None) -> float:
    """Likelihood of one marker by looping over all joint states (tiny pedigrees only)."""
    _check(pedigree, genotypes, founder_inbreeding)
    inbreeding = dict(founder_inbreeding or {})
    s = _Setup(pedigree, marker, genotypes, dropout)
    persons = list(pedigree)
    per_person = [list(itertools.product(range(s.n), repeat=s.ploidy[q.id])) for q in persons]
    if math.prod(len(x) for x in per_person) > 2_000_000:
        raise ValueError("enumerate_likelihood: too many joint states for a literal loop")
    founders = [q.id for q in persons if q.is_founder]
    joint = None
    if theta > 0.0:
        if sum(s.ploidy[f] for f in founders) > 8:
            raise ValueError("enumerate_likelihood: θ > 0 with > 8 founder alleles")
        joint = _joint_founder_factor(founders, s.ploidy, inbreeding, s.p, theta)
    total = 0.0
    for states in itertools.product(*per_person):
        g = {q.id: st for q, st in zip(persons, states)}
        # founders
        if joint is not None:
            prob = float(joint[tuple(a for f in founders for a in g[f])])
        else:
            prob = 1.0
            for f in founders:
                if s.ploidy[f] == 1:
                    prob *= s.p[g[f][0]]
                else:
                    a, b = g[f]
                    fi = inbreeding.get(f, 0.0)
                    prob *= (1 - fi) * s.p[a] * s.p[b] + (fi * s.p[a] if a == b else 0.0)
        if prob == 0.0:
            continue
        # transmissions: which parental allele (each with probability ½), then mutation
        for q in persons:
            if q.is_founder:
                continue
            mother, father = g[q.mother], g[q.father]
            pm = sum(s.female[x, g[q.id][0]] for x in mother) / len(mother)
            prob *= pm
            if s.ploidy[q.id] == 2:
                pf = sum(s.male[x, g[q.id][1]] for x in father) / len(father)
                prob *= pf
            if prob == 0.0:
                break
        if prob == 0.0:
            continue
        for pid, phi in s.phenotype.items():
            prob *= float(phi[g[pid]])
        total += prob
    return total


# --- public -----------------------------------------------------------------------------------

def reference_log_likelihood(pedigree: Pedigree, markers: Sequence[Marker], genotypes: Mapping,
                             *, theta: float = 0.0,
                             founder_inbreeding: Mapping[str, float] | None = None,
                             dropout: Mapping[str, float] | None = None) -> np.ndarray:
    """Natural log of P(data | pedigree) per marker (``-inf`` where impossible).

    Same signature as ``homecoming.kinship.likelihood.log_likelihood``; see the module
    docstring for the model. Slow: meant for the test catalogue.
    """
    _check(pedigree, genotypes, founder_inbreeding)
    if not 0.0 <= theta < 1.0:
        raise ValueError(f"theta {theta!r}; expected a value in [0, 1)")
    inbreeding = {k: float(v) for k, v in (founder_inbreeding or {}).items()}
    out = np.empty(len(markers))
    for i, marker in enumerate(markers):
        lik = _marker_likelihood_einsum(pedigree, marker, genotypes, theta, inbreeding, dropout)
        with np.errstate(divide="ignore"):
            out[i] = np.log(lik) if lik > 0.0 else -np.inf
    return out
