"""Which relative to ask next: candidate donors ranked by the power their sample would add.

For a missing-person pedigree with typed references, each *candidate donor* — an untyped
member of the missing person's family in the pedigree, or one of the usual additions (the
missing person's parents when the pedigree has none, a new full sibling, a new child of the
missing person) — is scored by what the references would be worth **if that person gave a
sample**. The candidate's genotype ``h`` is not known, so the power is averaged over
``P(h | references)``, exactly:

* exclusion power per marker ``E[EPₘ] = Σ_h P(h | D) · EPₘ(D ∪ {h})``, and in total
  ``1 − Π (1 − E[EPₘ])``. This is exact because the candidate's genotypes at different
  markers are independent given the references (unlinked markers), so the expectation of the
  product of the per-marker non-exclusion probabilities is the product of the expectations;
* identification power as the expected log10 LR when the tested person is the missing person
  (H1): ``Σₘ Σ_h P(h | D) · E₁[log10 LRₘ | D ∪ {h}]`` (additive over markers).

``EPₘ`` and ``E₁[log10 LR]`` for one set of references are those of
:mod:`homecoming.kinship.power` (same mutation rule: a marker whose references are consistent
without mutation is computed without it). The gain of a candidate is the difference to the
current references. Candidates are ranked by the gain in expected log10 LR, then by the gain in
exclusion power.

Each candidate also says which lineage markers they share with the missing person under the
pedigree (:func:`shared_lineages`): ``Y`` for a man on a male missing person's paternal line
(father, brother, paternal uncle, son, …), ``mtDNA`` for anyone on the maternal line — where
only such relatives are left, their Y-STR or mtDNA haplotype can be compared with
:mod:`homecoming.kinship.lineage`. (A new sibling's or child's sex is unknown: a brother, or
a male missing person's son, shares Y too.)

Speed: with ``n`` alleles at a marker the exact average needs ``|h| × |g|`` ≈ ``n⁴/4``
likelihood rows. Where it is exact to do so — autosomal marker, no mutation model in use,
θ = 0, no silent allele, no dropout or founder inbreeding, and the missing person not inbred
(their parents share no ancestor) — the alleles that neither the references nor ``h`` carry
are lumped into one allele for the missing person's distribution. Lumping is exact there: an
allele never observed can only reach the missing person as a fresh founder allele, so
``P₁(g)`` and ``P₂(g)`` carry the same frequency factor and the LR is the same for every
genotype in a lump. Elsewhere the full marker is used (exact, slower).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from homecoming.errors import HypothesisError
from homecoming.genetics.markers import Marker
from homecoming.kinship._problem import GenotypeTable
from homecoming.kinship.distribution import GenotypeDistribution, genotype_distributions
from homecoming.kinship.power import MarkerPower, PowerTables, power_tables
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

__all__ = ["Advice", "Candidate", "DonorAdvice", "advise", "candidate_donors",
           "expected_log10_lr", "family_of", "shared_lineages"]

_REST = "(other alleles)"


@dataclass(frozen=True)
class Candidate:
    """A person who could give a sample: ``person`` in the (possibly extended) pedigree, how
    they are related to the missing person, and whether the pedigree had to be extended."""

    person: str
    relation: str
    added: bool
    #: the lineage markers this person shares with the missing person under the pedigree:
    #: ``"Y"`` (both male, same paternal line) and/or ``"mtDNA"`` (same maternal line)
    lineages: tuple[str, ...] = ()


@dataclass(frozen=True)
class DonorAdvice:
    """The expected power of the references with ``candidate``'s sample added."""

    candidate: Candidate
    exclusion_power: float
    exclusion_power_gain: float
    expected_log10_lr: float
    expected_log10_lr_gain: float
    per_marker_exclusion_power: dict[str, float | None]
    per_marker_expected_log10_lr: dict[str, float | None]


@dataclass(frozen=True)
class Advice:
    """Current power and the candidates, best first (gain in expected log10 LR, then in
    exclusion power). ``pedigree`` includes the added persons."""

    missing: str
    references: list[str]
    exclusion_power: float
    expected_log10_lr: float
    per_marker_exclusion_power: dict[str, float | None]
    per_marker_expected_log10_lr: dict[str, float | None]
    candidates: list[DonorAdvice]
    pedigree: Pedigree


def family_of(pedigree: Pedigree, person: str) -> set[str]:
    """The connected component of ``person`` (through parents and children)."""
    return set(pedigree.connected(person))


def _fresh(pedigree_ids: set[str], base: str) -> str:
    candidate = base
    k = 2
    while candidate in pedigree_ids:
        candidate = f"{base} {k}"
        k += 1
    pedigree_ids.add(candidate)
    return candidate


def _relation(pedigree: Pedigree, missing: str, pid: str) -> str:
    mp = pedigree[missing]
    person = pedigree[pid]
    if pid == mp.father:
        return "father"
    if pid == mp.mother:
        return "mother"
    if missing in (person.father, person.mother):
        return {Sex.MALE: "son", Sex.FEMALE: "daughter"}.get(person.sex, "child")
    if mp.father is not None and (person.father, person.mother) == (mp.father, mp.mother):
        return {Sex.MALE: "brother", Sex.FEMALE: "sister"}.get(person.sex, "full sibling")
    if mp.father is not None and (person.father in (mp.father,) or
                                  person.mother in (mp.mother,)):
        return "half sibling"
    children = pedigree.children(missing)
    if any(pid in (pedigree[c].father, pedigree[c].mother) for c in children):
        return "other parent of a child"
    parents = {p for p in (mp.father, mp.mother) if p is not None}
    if parents & {person.father, person.mother} - {None}:
        return "sibling"
    if any(pid in (pedigree[p].father, pedigree[p].mother) for p in parents):
        return "grandparent"
    return "relative"


def candidate_donors(pedigree: Pedigree, missing: str, typed: set[str] | frozenset[str]
                     ) -> tuple[Pedigree, list[Candidate]]:
    """The candidate donors of a missing-person pedigree and the pedigree extended by the
    added ones.

    Candidates: every untyped member of the missing person's family (connected component),
    except the missing person; then the additions (new persons): the missing person's father
    and mother when the pedigree has no parents for them, one new full sibling, and one new
    child of the missing person with each existing partner (the other parent of a child), or
    with a new untyped partner when they have no child in the pedigree.

    :raises HypothesisError: ``missing`` is not in the pedigree.
    """
    if missing not in pedigree:
        raise HypothesisError(f"missing person {missing!r} is not in the pedigree; expected "
                              "the id of its untyped missing person", field="missing",
                              value=missing)
    family = family_of(pedigree, missing)
    persons = {p.id: p for p in pedigree}
    ids = set(persons)
    candidates = [Candidate(pid, _relation(pedigree, missing, pid), False)
                  for pid in pedigree.ids if pid in family and pid != missing
                  and pid not in typed]
    mp = persons[missing]
    father, mother = mp.father, mp.mother
    if father is None or mother is None:
        father = _fresh(ids, f"{missing}:father")
        mother = _fresh(ids, f"{missing}:mother")
        persons[father] = Person(father, sex=Sex.MALE)
        persons[mother] = Person(mother, sex=Sex.FEMALE)
        persons[missing] = Person(missing, father, mother, mp.sex)
        candidates += [Candidate(father, "father", True), Candidate(mother, "mother", True)]
    sibling = _fresh(ids, f"{missing}:new full sibling")
    persons[sibling] = Person(sibling, father, mother, Sex.UNKNOWN)
    candidates.append(Candidate(sibling, "full sibling", True))
    partners: list[str] = []
    for child in pedigree.children(missing):
        c = pedigree[child]
        other = c.mother if c.father == missing else c.father
        if other is not None and other not in partners:
            partners.append(other)
    mp_is_mother = mp.sex is Sex.FEMALE
    if not partners:
        partner = _fresh(ids, f"{missing}:partner")
        persons[partner] = Person(partner, sex=Sex.MALE if mp_is_mother else Sex.FEMALE)
        partners.append(partner)
    for partner in partners:
        child = _fresh(ids, f"{missing}:new child")
        persons[child] = (Person(child, partner, missing, Sex.UNKNOWN) if mp_is_mother
                          else Person(child, missing, partner, Sex.UNKNOWN))
        candidates.append(Candidate(child, "child", True))
    extended = Pedigree(persons.values())
    return extended, [replace(c, lineages=shared_lineages(extended, missing, c.person))
                      for c in candidates]


def _line_top(pedigree: Pedigree, pid: str, role: str) -> str:
    """The founder at the top of ``pid``'s paternal (``role="father"``) or maternal line."""
    seen = {pid}
    while True:
        parent = getattr(pedigree[pid], role)
        if parent is None or parent in seen:
            return pid
        seen.add(parent)
        pid = parent


def shared_lineages(pedigree: Pedigree, missing: str, person: str) -> tuple[str, ...]:
    """``("Y",)``, ``("mtDNA",)``, both or neither: whether ``person`` carries the missing
    person's Y chromosome (both male, the same top paternal-line ancestor) or mtDNA (the same
    top maternal-line ancestor) under the pedigree, mutation aside."""
    out: list[str] = []
    mp, other = pedigree[missing], pedigree[person]
    if (mp.sex is Sex.MALE and other.sex is Sex.MALE
            and _line_top(pedigree, missing, "father") == _line_top(pedigree, person, "father")):
        out.append("Y")
    if _line_top(pedigree, missing, "mother") == _line_top(pedigree, person, "mother"):
        out.append("mtDNA")
    return tuple(out)


def _ancestors(pedigree: Pedigree, pid: str | None) -> set[str]:
    out: set[str] = set()
    todo = [pid] if pid is not None else []
    while todo:
        cur = todo.pop()
        if cur in out:
            continue
        out.add(cur)
        person = pedigree[cur]
        todo += [p for p in (person.father, person.mother) if p is not None]
    return out


def _inbred(pedigree: Pedigree, pid: str) -> bool:
    person = pedigree[pid]
    if person.father is None or person.mother is None:
        return False
    return bool(_ancestors(pedigree, person.father) & _ancestors(pedigree, person.mother))


def _marker_expected_log10_lr(table: MarkerPower) -> float:
    prob = table.related.probabilities()
    lr = table.log10_lr()
    keep = (prob > 0) & np.isfinite(lr)
    return float((prob[keep] * lr[keep]).sum())


def expected_log10_lr(tables: PowerTables) -> tuple[float, dict[str, float | None]]:
    """Exact ``E₁[log10 LR]`` (the tested person is the missing person) in total and per marker
    (``None``: no value, the references are inconsistent)."""
    per: dict[str, float | None] = {}
    total = 0.0
    for marker, table in zip(tables.markers, tables.tables):
        if table is None:
            per[marker.name] = None
            continue
        value = _marker_expected_log10_lr(table)
        per[marker.name] = value
        total += value
    return total, per


_PLAIN: dict[int, tuple[Marker, Marker]] = {}


def _plain(marker: Marker) -> Marker:
    """The marker without mutation, the same object on every call (the engine caches its
    state tables per marker object; a new copy per call would rebuild them)."""
    if marker.mutation_female is None and marker.mutation_male is None:
        return marker
    hit = _PLAIN.get(id(marker))
    if hit is not None and hit[0] is marker:
        return hit[1]
    if len(_PLAIN) > 4096:
        _PLAIN.clear()
    plain = replace(marker, mutation_female=None, mutation_male=None)
    _PLAIN[id(marker)] = (marker, plain)
    return plain


def _power_tables(pedigree: Pedigree, markers: list[Marker], data: GenotypeTable,
                  missing: str, **kw: Any) -> PowerTables:
    """:func:`power_tables`, first with the markers' cached plain copies: where every marker
    is consistent without mutation that is exactly what power_tables computes (it would drop
    the mutation models itself); otherwise power_tables on the markers as given."""
    plain = [_plain(m) for m in markers]
    tables = power_tables(pedigree, plain, data, missing, **kw)
    if all(t is not None for t in tables.tables) or all(p is m for p, m in zip(plain, markers)):
        return PowerTables(missing, markers, tables.tables)
    return power_tables(pedigree, markers, data, missing, **kw)


def _hwe(freq: Mapping[str, float], genotype: tuple[str, ...]) -> float:
    if len(genotype) == 1:
        return freq[genotype[0]]
    a, b = genotype
    return freq[a] ** 2 if a == b else 2.0 * freq[a] * freq[b]


def _reduced(marker: Marker, keep: set[str], name: str) -> Marker:
    alleles = [a for a in marker.alleles if a in keep]
    freqs = [float(f) for a, f in zip(marker.alleles, marker.frequencies) if a in keep]
    rest = 1.0 - sum(freqs)
    if rest > 1e-12:
        alleles.append(_REST)
        freqs.append(rest)
    else:
        freqs = list(np.asarray(freqs) / sum(freqs))
    return Marker(name, tuple(alleles), np.asarray(freqs))


@dataclass
class _Job:
    marker_index: int
    weight: float
    name: str


def advise(pedigree: Pedigree, markers: Sequence[Marker], genotypes: GenotypeTable,
           missing: str, *, theta: float = 0.0,
           founder_inbreeding: Mapping[str, float] | None = None,
           dropout: Mapping[str, float] | None = None,
           candidates: Sequence[Candidate] | None = None) -> Advice:
    """Rank the candidate donors of a missing-person pedigree (module docstring).

    ``genotypes`` are the references (persons outside the missing person's family are
    ignored); ``candidates`` default to :func:`candidate_donors` (then ``pedigree`` is
    extended by the added persons; given candidates must be persons of ``pedigree``).

    :raises HypothesisError: ``missing`` is not in the pedigree or is typed.
    """
    family = family_of(pedigree, missing) if missing in pedigree else set()
    data = {pid: g for pid, g in genotypes.items()
            if pid in family and pid != missing and any(x is not None for x in g.values())}
    if missing in genotypes and any(x is not None for x in genotypes[missing].values()):
        raise HypothesisError(f"missing person {missing!r} is typed; expected an untyped "
                              "missing person", field="missing", value=missing)
    if candidates is None:
        pedigree, candidates = candidate_donors(pedigree, missing, set(data))
    markers = list(markers)
    base = _power_tables(pedigree, markers, data, missing, theta=theta,
                         founder_inbreeding=founder_inbreeding, dropout=dropout)
    base_ep_marker = {m.name: (None if t is None else
                               min(1.0, max(0.0, t.exclusion_power())))
                      for m, t in zip(markers, base.tables)}
    keep = 1.0
    for v in base_ep_marker.values():
        keep *= 1.0 - (v or 0.0)
    base_ep = 1.0 - keep
    base_lr, base_lr_marker = expected_log10_lr(base)
    simple = (theta == 0 and not founder_inbreeding and not dropout
              and not _inbred(pedigree, missing))
    results = []
    reduced: dict[tuple[int, int], Marker] = {}
    for cand in candidates:
        ep_m, lr_m = _candidate_power(pedigree, markers, base, data, missing, cand.person,
                                      simple=simple, theta=theta,
                                      founder_inbreeding=founder_inbreeding, dropout=dropout,
                                      reduced=reduced)
        keep = 1.0
        for v in ep_m.values():
            keep *= 1.0 - (v or 0.0)
        lr_total = sum(v for v in lr_m.values() if v is not None)
        results.append(DonorAdvice(cand, 1.0 - keep, (1.0 - keep) - base_ep, lr_total,
                                   lr_total - base_lr, ep_m, lr_m))
    results.sort(key=lambda r: (-round(r.expected_log10_lr_gain, 9),
                                -round(r.exclusion_power_gain, 12)))
    return Advice(missing, sorted(data), base_ep, base_lr, base_ep_marker, base_lr_marker,
                  results, pedigree)


def _candidate_power(pedigree: Pedigree, markers: list[Marker], base: PowerTables,
                     data: GenotypeTable, missing: str, person: str, *, simple: bool,
                     theta: float, founder_inbreeding: Mapping[str, float] | None,
                     dropout: Mapping[str, float] | None,
                     reduced: dict[tuple[int, int], Marker] | None = None
                     ) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Per marker: E_h[EP] and E_h[E₁ log10 LR] over the candidate's genotype h.

    ``reduced`` keeps the lumped marker copies between candidates of one pedigree (the same
    objects let the engine reuse its state tables)."""
    if reduced is None:
        reduced = {}
    if person not in pedigree or person == missing:
        raise HypothesisError(f"candidate {person!r} is not a person of the pedigree other than "
                              "the missing person", field="candidate", value=person)
    used = [(i, t) for i, t in enumerate(base.tables) if t is not None]
    chosen = [(i, t.related.marker) for i, t in used]
    h_dists: list[GenotypeDistribution] = genotype_distributions(
        pedigree, [m for _, m in chosen], data, person, theta=theta,
        founder_inbreeding=founder_inbreeding, dropout=dropout)
    lumped_markers: list[Marker] = []
    lumped_data: dict[str, dict[str, tuple[object, ...]]] = {}
    lumped_jobs: list[_Job] = []
    full_markers: list[Marker] = []
    full_data: dict[str, dict[str, tuple[object, ...]]] = {}
    full_jobs: list[_Job] = []
    for (i, marker), dist in zip(chosen, h_dists):
        prob = dist.probabilities()
        seen = {str(a) for g in data.values() for a in (g.get(marker.name) or ())
                if a is not None}
        lump = (simple and marker.chromosome == "autosomal" and marker.silent_frequency == 0
                and marker.mutation_female is None and marker.mutation_male is None)
        freq = dict(zip(marker.alleles, (float(f) for f in marker.frequencies)))
        groups: dict[object, tuple[int, tuple[str, ...], float]] = {}
        for k, (h, p) in enumerate(zip(dist.genotypes, prob)):
            if p <= 0:
                continue
            # lumped: genotypes whose unseen alleles have the same frequencies give the same
            # values (the unseen alleles are exchangeable), so one of them stands for all
            key: object = (tuple(sorted(a if a in seen else f"\x00{freq[a]!r}" for a in h)),
                           len(set(h))) if lump else k
            first = groups.get(key)
            groups[key] = (k, h, float(p)) if first is None else (first[0], first[1],
                                                                  first[2] + float(p))
        for k, h, p in groups.values():
            name = f"{marker.name}#{k}"
            if lump:
                cached = reduced.get((i, k))
                if cached is None:
                    cached = reduced[(i, k)] = _reduced(marker, seen | set(h), name)
                copy = cached
                lumped_markers.append(copy)
                target, jobs = lumped_data, lumped_jobs
            else:
                copy = replace(marker, name=name)
                full_markers.append(copy)
                target, jobs = full_data, full_jobs
            for pid, g in data.items():
                if marker.name in g:
                    target.setdefault(pid, {})[name] = g[marker.name]
            target.setdefault(person, {})[name] = h
            jobs.append(_Job(i, p, name))
    ep = [0.0] * len(markers)
    lr = [0.0] * len(markers)
    if lumped_markers:
        rel = genotype_distributions(pedigree, lumped_markers, lumped_data, missing)
        for job, copy, d in zip(lumped_jobs, lumped_markers, rel):
            p1 = d.probabilities()
            freq = dict(zip(copy.alleles, (float(f) for f in copy.frequencies)))
            p2 = np.array([_hwe(freq, g) for g in d.genotypes])
            possible = p1 > 0
            ep[job.marker_index] += job.weight * float(p2[~possible].sum())
            with np.errstate(divide="ignore"):
                terms = p1[possible] * np.log10(p1[possible] / p2[possible])
            lr[job.marker_index] += job.weight * float(terms.sum())
    if full_markers:
        tables = power_tables(pedigree, full_markers, full_data, missing, theta=theta,
                              founder_inbreeding=founder_inbreeding, dropout=dropout)
        for job, table in zip(full_jobs, tables.tables):
            if table is None:
                continue
            ep[job.marker_index] += job.weight * min(1.0, max(0.0, table.exclusion_power()))
            lr[job.marker_index] += job.weight * _marker_expected_log10_lr(table)
    ep_out: dict[str, float | None] = {}
    lr_out: dict[str, float | None] = {}
    for i, marker in enumerate(markers):
        if base.tables[i] is None:
            ep_out[marker.name] = lr_out[marker.name] = None
        else:
            ep_out[marker.name] = min(1.0, max(0.0, ep[i]))
            lr_out[marker.name] = lr[i] if math.isfinite(lr[i]) else None
    return ep_out, lr_out
