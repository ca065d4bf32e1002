"""The stored case at scale (issue 11 item 6, issue 15): the plain-row reader, the blocked
screening and the executor path give exactly what the record-validating reader, the whole
score matrix and the in-process solve give; drop-out is refused where it is not modelled
(the incremental run).
SYNTHETIC demonstration data."""

from __future__ import annotations

import math

import numpy as np
import pytest

from homecoming.errors import InputError
from homecoming.services.case_identification import (
    dropout_probability,
    group_batch_size,
    identify_case,
    identify_stored_case,
    load_stored_case,
    pairwise_model,
    placed_donors,
    read_stored_case,
    screen_candidates,
)
from homecoming.services.demo import load_demo
from homecoming.services.screening import (
    distinct_genotypes,
    markers_from_frequencies,
    markers_from_genotypes,
)
from homecoming.storage import Database

SEED, BODIES = 5, 30


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('scale') / 'case.db'}")
    load_demo(db, seed=SEED, bodies=BODIES, identify=False)
    with db.session() as session:
        victims, families = load_stored_case(session, validate=False)
    profiles = [v.genotypes for v in victims] + [g for f in families for g in f.profiles.values()]
    markers, _ = markers_from_frequencies("nist1036_all", profiles)
    return db, markers, victims, families


def _refs(families):
    return [(d.relationship.pairwise, k, f.profiles[d.id]) for k, f in enumerate(families)
            for d in f.donors if d.id in f.profiles and d.id in placed_donors(f.missing, f.donors)
            and d.relationship.pairwise is not None]


def _brute_force(markers, victims, refs, n_fam, extra, min_log10_lr, top):
    """The whole score matrix (np.add.at per relationship), then the candidate rule;
    returns (candidates, scores)."""
    scores = np.zeros((len(victims), n_fam))
    for rel in dict.fromkeys(r for r, _, _ in refs):
        model = pairwise_model(markers, rel)
        mine = [(k, p) for r, k, p in refs if r == rel]
        pair = model.log_lr(model.encode([v.genotypes for v in victims], unknown="untyped"),
                            model.encode([p for _, p in mine], unknown="untyped")) / np.log(10)
        np.add.at(scores.T, np.asarray([k for k, _ in mine]), pair.T)
    for (v, k), x in extra.items():
        scores[v, k] += x
    out = {}
    for k in range(n_fam):
        col = scores[:, k]
        chosen = set(np.flatnonzero(col >= min_log10_lr).tolist())
        finite = np.flatnonzero(np.isfinite(col) & (col > 0))
        chosen |= set(finite[np.argsort(-col[finite], kind="stable")][:top].tolist())
        if chosen:
            out[k] = chosen
    return out, scores


def test_plain_reader_equals_the_validated_records(case):
    db = case[0]
    with db.session() as session:
        va, fa = load_stored_case(session)
        vb, fb = load_stored_case(session, validate=False)
        rows = read_stored_case(session)
    assert [(v.id, v.sex, dict(v.genotypes), v.age_range) for v in va] == [
        (v.id, v.sex, dict(v.genotypes), v.age_range) for v in vb]
    assert BODIES - 5 <= len(vb) <= BODIES   # remains with a typed sample
    assert [f.missing.id for f in fa] == [f.missing.id for f in fb]
    for x, y in zip(fa, fb, strict=True):
        assert x.missing.sex == y.missing.sex
        assert [(d.id, d.sex, d.relationship, d.pedigree_id, d.pedigree_father,
                 d.pedigree_mother) for d in x.donors] == [
            (d.id, d.sex, d.relationship, d.pedigree_id, d.pedigree_father, d.pedigree_mother)
            for d in y.donors]
        assert x.profiles == y.profiles
        # the placement rule without a pedigree equals family_pedigree's
        from homecoming.services.case_identification import family_pedigree

        assert placed_donors(y.missing, y.donors) == set(family_pedigree(x.missing,
                                                                         x.donors)[1])
    # leaving a profile out of the assembled case (the incremental run's "old" view)
    barcode = next(b for b, r, _ in rows.samples if r == vb[0].id and b in rows.genotypes)
    old_v, _ = rows.assemble(exclude={barcode})
    assert vb[0].id not in {v.id for v in old_v} and len(old_v) == len(vb) - 1


@pytest.mark.parametrize("block", [1, 7, 256])
def test_blocked_screening_equals_the_whole_matrix(case, block):
    _, markers, victims, families = case
    refs = _refs(families)
    _, base = _brute_force(markers, victims, refs, len(families), {}, 2.0, 2)
    # lineage LRs enter as extra log10 terms: one lifts a finite score below 2 over it
    v, k = map(int, np.argwhere(np.isfinite(base) & (base < 0))[0])
    extra = {(v, k): 2.0 - base[v, k] + 0.5, (2, 1): -math.inf}
    want, _ = _brute_force(markers, victims, refs, len(families), extra, 2.0, 2)
    got = screen_candidates(markers, victims, refs, len(families), extra=extra, block=block)
    assert got == want and list(got) == sorted(got)     # family order: groups' numbering
    assert v in got[k]
    assert sum(len(c) for c in got.values()) >= len(got) >= 5


def test_threshold_only_rule_for_large_cases(case):
    """min_log10_lr 5 and no top-k rule (the national-scale setting): the same as the whole
    matrix, and the incremental run's pre-filter keeps only entries at the threshold."""
    from homecoming.services.incremental import _may_choose

    _, markers, victims, families = case
    refs = _refs(families)
    want, scores = _brute_force(markers, victims, refs, len(families), {}, 5.0, 0)
    got = screen_candidates(markers, victims, refs, len(families), min_log10_lr=5.0, top=0)
    assert got == want and got
    assert all(scores[v, k] >= 5.0 for k, vs in got.items() for v in vs)
    row = np.array([6.0, 1.0, -np.inf, 4.9])
    assert _may_choose(row, 5.0, 0).tolist() == [0]
    assert _may_choose(row, 5.0, 2).tolist() == [0, 1, 3]


def test_ties_go_to_the_lower_victim_index(case):
    _, markers, victims, families = case
    # the same profile twice: equal scores; top=1 keeps the first
    twins = [victims[0], victims[0]]
    refs = _refs(families)
    got = screen_candidates(markers, twins, refs, len(families), min_log10_lr=1e9, top=1)
    assert got and all(c == {0} for c in got.values())


class _InlineExecutor:
    """The three calls of a distributed.Client the stored case uses, run in this process."""

    class _Done:
        def __init__(self, value):
            self.value = value

        def result(self):
            return self.value

    def __init__(self):
        self.submitted = 0

    def scatter(self, data, broadcast=False):
        return data

    def submit(self, fn, *args, pure=True, **kwargs):
        self.submitted += 1
        return self._Done(fn(*args, **kwargs))

    def gather(self, futures):
        return [f.result() for f in futures]


def test_executor_path_gives_the_same_identifications(case):
    _, markers, victims, families = case
    plain = identify_case(markers, victims, families)
    ex = _InlineExecutor()
    other = identify_case(markers, victims, families, executor=ex)
    # one task per block of 256 victims, and the groups in batches (no nthreads here: one
    # worker thread, GROUP_TASKS_PER_THREAD tasks)
    batches = math.ceil(plain.components / group_batch_size(plain.components, 1))
    assert ex.submitted == math.ceil(len(victims) / 256) + batches
    assert batches > 1          # batched: fewer tasks than groups, but more than one
    assert batches < plain.components
    assert other.details == plain.details
    assert other.identified == plain.identified and len(plain.identified) >= 5


def test_markers_from_distinct_genotypes_equal_markers_from_profiles(case):
    _, _, victims, families = case
    profiles = [v.genotypes for v in victims] + [g for f in families for g in f.profiles.values()]
    profiles.append({"D3S1358": ("99", "15"), "NOT_A_LOCUS": ("1", "2")})   # a rare allele
    a, fdb = markers_from_frequencies("nist1036_all", profiles)
    b, _, left_out = markers_from_genotypes("nist1036_all", distinct_genotypes(profiles))
    assert [(m.name, m.alleles) for m in a] == [(m.name, m.alleles) for m in b]
    assert all(np.array_equal(x.frequencies, y.frequencies) for x, y in zip(a, b, strict=True))
    assert "99" in next(m for m in b if m.name == "D3S1358").alleles
    assert left_out == ["NOT_A_LOCUS"]


def test_dropout_must_be_a_probability(case):
    """A drop-out probability outside [0, 1) is refused, whatever the run."""
    db = case[0]
    with pytest.raises(InputError, match=r"dropout 1.5; expected a probability in \[0, 1\)"):
        dropout_probability(1.5)
    with pytest.raises(InputError, match=r"dropout 1.5; expected a probability in \[0, 1\)"):
        identify_stored_case(db, store=False, dropout=1.5)
    # 0 is "no drop-out": the same identifications as none
    a = identify_stored_case(db, store=False, dropout=0.0).result
    b = identify_stored_case(db, store=False).result
    assert a.details == b.details
