"""The likelihood problem: checked inputs, the persons that matter, and the frozen description
of one batch computation that the factor builders and the θ methods share."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from homecoming.errors import HypothesisError, InputError
from homecoming.genetics.markers import Marker
from homecoming.kinship._cache import BoundedCache
from homecoming.kinship._states import MarkerBatch
from homecoming.kinship._types import FloatArray, IntArray
from homecoming.pedigree.pedigree import Pedigree, Sex

__all__ = ["BatchProblem", "GenotypeTable", "RowLayout", "ThetaPartition", "check_inputs",
           "is_male_x", "lumping_pays", "relevant_persons"]

#: Genotypes by person, then marker name: a pair of allele labels (``None`` for unknown), one
#: label for an X-linked male.
GenotypeTable = Mapping[str, Mapping[str, tuple[object, ...]]]

#: An allele variable: (person, "p") for the paternal allele, (person, "m") for the maternal.
AlleleVariable = tuple[str, str]


@dataclass(frozen=True, eq=False)
class BatchProblem:
    """One likelihood computation: markers that share a chromosome type and a typed set.

    ``variables`` numbers the allele variables of the relevant ``persons`` (an X-linked male
    has only the maternal one). ``domains[v]`` is, per marker row, the state indices variable
    ``v`` ranges over (``sizes[v]`` of them); ``observations[person]`` the observation factor
    on the person's variables' domains; ``state_observations`` the same on the full padded state
    space (kept only where the general observation path ran); ``allele_codes[person]`` the
    seen allele states (−1 unknown) per marker.
    """

    pedigree: Pedigree
    persons: list[str]
    variables: dict[AlleleVariable, int]
    domains: list[IntArray]
    sizes: list[int]
    observations: dict[str, FloatArray]
    state_observations: dict[str, FloatArray]
    allele_codes: dict[str, tuple[IntArray, IntArray]]
    batch: MarkerBatch
    typed: frozenset[str]
    x_linked: bool
    theta: float
    inbreeding: Mapping[str, float]
    dropout: Mapping[str, float]
    male_x: Mapping[str, bool]

    @property
    def n_markers(self) -> int:
        return len(self.batch.spaces)

    def one_allele(self, person: str) -> bool:
        """True for an X-linked male (one allele variable)."""
        return self.x_linked and self.male_x[person]

    def founders(self) -> list[str]:
        return [p for p in self.persons if self.pedigree[p].is_founder]


@dataclass(frozen=True, eq=False)
class RowLayout:
    """The rows of a computation: one per marker, or per marker × θ quadrature node.

    ``marker_of_row`` maps rows to markers; ``prior`` is the founder allele prior per row;
    ``domains`` the variables' domains per row; ``expanded`` is True for quadrature rows.
    """

    marker_of_row: IntArray
    prior: FloatArray
    domains: list[IntArray]
    expanded: bool

    @property
    def n_rows(self) -> int:
        return len(self.marker_of_row)


@dataclass(frozen=True, eq=False)
class ThetaPartition:
    """One set partition of the free founder alleles (θ by partitions).

    ``fixed`` founders get no prior factor (their urn probability is applied outside);
    each block of ``blocks`` (allele variables) is one variable, named by its first member
    (``representative``), with one prior factor.
    """

    fixed: frozenset[str]
    blocks: list[list[int]]

    def representative(self) -> dict[int, int]:
        return {v: block[0] for block in self.blocks for v in block[1:]}


def _probability(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")


def check_inputs(pedigree: Pedigree, markers: Sequence[Marker], genotypes: GenotypeTable,
                 theta: float, founder_inbreeding: Mapping[str, float] | None,
                 dropout: Mapping[str, float] | None) -> tuple[dict[str, float],
                                                               dict[str, float]]:
    """Checked founder inbreeding (nonzero entries) and dropout probabilities."""
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
    inbreeding: dict[str, float] = {}
    for pid, f in (founder_inbreeding or {}).items():
        if pid not in pedigree:
            raise HypothesisError(f"founder_inbreeding: person {pid!r} is not in the pedigree",
                                  field="founder_inbreeding", value=pid)
        if not pedigree[pid].is_founder:
            raise HypothesisError(f"founder_inbreeding: person {pid!r} is not a founder; "
                                  "expected founders only", field="founder_inbreeding", value=pid)
        fv = _probability(f)
        if not (0.0 <= fv <= 1.0):
            raise HypothesisError(f"founder_inbreeding: {f!r} for person {pid!r}; expected a "
                                  "number in [0, 1]", field="founder_inbreeding", value=f)
        if fv > 0:
            inbreeding[pid] = fv
    drop: dict[str, float] = {}
    for pid, d in (dropout or {}).items():
        dv = _probability(d)
        if not (0.0 <= dv < 1.0):
            raise InputError(f"dropout: {d!r} for person {pid!r}; expected a probability in "
                             "[0, 1)", field="dropout", value=d)
        drop[pid] = dv
    names = [m.name for m in markers]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise InputError(f"markers: duplicated marker names {dup}; expected unique names",
                         field="markers", value=dup)
    return inbreeding, drop


def is_male_x(pedigree: Pedigree, pid: str, one_allele_genotype: bool) -> bool:
    """Whether ``pid`` carries one X: male; female not; unknown sex: a father is male, a
    mother female, otherwise ``one_allele_genotype`` decides."""
    sex = pedigree[pid].sex
    if sex is Sex.MALE:
        return True
    if sex is Sex.FEMALE:
        return False
    for cid in pedigree.children(pid):
        child = pedigree[cid]
        if child.father == pid:
            return True
        if child.mother == pid:
            return False
    return one_allele_genotype


def _relevant_uncached(pedigree: Pedigree, typed: frozenset[str]) -> list[str]:
    """A non-founder kept keeps both parents (they are kept because the child is)."""
    keep: set[str] = set()
    for pid in reversed(pedigree.ids):
        if pid in typed or pid in keep:
            keep.add(pid)
            person = pedigree[pid]
            if person.father is not None and person.mother is not None:
                keep.add(person.father)
                keep.add(person.mother)
    return [p for p in pedigree.ids if p in keep]


_RELEVANT: BoundedCache[list[str]] = BoundedCache(4096)


def relevant_persons(pedigree: Pedigree, typed: frozenset[str]) -> list[str]:
    """Persons that are typed or have a typed descendant, parents first (cached)."""
    return _RELEVANT.get_or_make((id(pedigree), typed),
                                 lambda: _relevant_uncached(pedigree, typed), keep=pedigree)


#: Founders are summed out in closed form (``_factors.founder_factor``) when they have at most
#: this many typed-relevant children and the resulting factor stays below
#: ``FOUNDER_MAX_ENTRIES`` entries (all rows together).
FOUNDER_MAX_CHILDREN = 4
FOUNDER_MAX_ENTRIES = 2_000_000

_LUMPING_PAYS: BoundedCache[bool] = BoundedCache(4096)


def _lumping_pays_uncached(pedigree: Pedigree, typed: frozenset[str],
                           incomplete: frozenset[str], inbred: frozenset[str]) -> bool:
    persons = relevant_persons(pedigree, typed)
    kept = set(persons)
    for pid in persons:
        if pid in typed and pid not in incomplete:
            continue
        if pid in typed or not pedigree[pid].is_founder or pid in inbred:
            return True
        if sum(1 for c in pedigree.children(pid) if c in kept) > FOUNDER_MAX_CHILDREN:
            return True
    return False


def lumping_pays(pedigree: Pedigree, typed: frozenset[str], incomplete: frozenset[str],
                 inbred: frozenset[str], theta: float) -> bool:
    """Whether lumping the unobserved alleles can make a θ = 0 computation cheaper.

    It cannot when every relevant person is typed with a complete genotype without dropout
    (``incomplete`` lists the others among ``typed``) or is an untyped, non-inbred founder
    summed out in closed form (cost linear in the number of states): then the marker's full,
    data-independent state space is used, whose batches and factor tables are reused. Under
    θ > 0 the quadrature grows with the number of states, so lumping always pays.
    """
    if theta > 0:
        return True
    return _LUMPING_PAYS.get_or_make(
        (id(pedigree), typed, incomplete, inbred),
        lambda: _lumping_pays_uncached(pedigree, typed, incomplete, inbred), keep=pedigree)
