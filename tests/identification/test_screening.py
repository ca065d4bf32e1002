"""Blind screening: blocks/chunks against a naive loop over all pairs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from homecoming.errors import InputError
from homecoming.identification import screening as sc

from .test_screening_fakes import TableModel, random_codes

L, G = 12, 6


def _naive(model, pm, ref, thr, min_common, relationship):
    rows = []
    for i in range(pm.shape[0]):
        for j in range(ref.shape[0]):
            llr = float(model.log_lr(pm[i:i + 1], ref[j:j + 1])[0, 0])
            common = int(((pm[i] >= 0) & (ref[j] >= 0)).sum())
            if llr >= thr * math.log(10) and common >= min_common:
                rows.append((relationship, -llr / math.log(10), i, j, common))
    rows.sort()
    return rows


def _as_rows(c: sc.Candidates):
    return [(sc.RELATIONSHIPS[r["relationship"]], -float(r["log10_lr"]), int(r["pm"]),
             int(r["ref"]), int(r["common"])) for r in c.table]


@pytest.fixture()
def data():
    model = TableModel(L, G, "parent_child", seed=1)
    return model, random_codes(37, L, G, seed=2), random_codes(53, L, G, seed=3)


def test_screening_equals_naive_loop_over_all_pairs(data):
    model, pm, ref = data
    got = sc.screen_codes(pm, ref, model, min_log10_lr=0.3, min_common=9, pm_block=8,
                          ref_block=16)
    want = _naive(model, pm, ref, 0.3, 9, "parent_child")
    assert len(want) > 20  # the test exercises a real selection
    assert len(want) < pm.shape[0] * ref.shape[0] / 2
    g = _as_rows(got)
    assert [r[2:] for r in g] == [r[2:] for r in want]
    np.testing.assert_allclose([r[1] for r in g], [r[1] for r in want], rtol=0, atol=1e-12)
    assert got.provenance["parameters"]["min_log10_lr"] == 0.3
    assert got.provenance["parameters"]["min_common_loci"] == 9
    assert got.provenance["software"].startswith("homecoming ")


@pytest.mark.parametrize("blocks", [(1, 1), (5, 7), (37, 53), (100, 3), (1000, 1000)])
def test_block_sizes_do_not_change_the_result(data, blocks):
    model, pm, ref = data
    base = sc.screen_codes(pm, ref, model, min_log10_lr=0.5, min_common=8, pm_block=16,
                           ref_block=16)
    got = sc.screen_codes(pm, ref, model, min_log10_lr=0.5, min_common=8, pm_block=blocks[0],
                          ref_block=blocks[1])
    assert got == base
    assert len(base) > 0


def test_minimum_common_loci_and_threshold_filter(data):
    model, pm, ref = data
    loose = sc.screen_codes(pm, ref, model, min_log10_lr=-100, min_common=0)
    assert len(loose) == pm.shape[0] * ref.shape[0]
    strict = sc.screen_codes(pm, ref, model, min_log10_lr=-100, min_common=11)
    assert np.all(strict.common >= 11)
    assert 0 < len(strict) < len(loose)
    assert np.all(np.diff(loose.log10_lr) <= 0)  # one relationship: LR descending


def test_progress_reports_every_pair(data):
    model, pm, ref = data
    seen = []
    sc.screen_codes(pm, ref, model, pm_block=10, ref_block=20,
                    progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (37 * 53, 37 * 53)
    assert len(seen) == 4 * 3
    assert all(a[0] < b[0] for a, b in zip(seen, seen[1:]))


def test_self_join_keeps_each_unordered_pair_once(data):
    model, pm, _ = data
    got = sc.screen_codes(pm, pm, model, min_log10_lr=-100, min_common=0, pm_block=6,
                          ref_block=9, self_join=True)
    n = pm.shape[0]
    assert len(got) == n * (n - 1) // 2
    assert np.all(got.pm < got.ref)
    seen = []
    sc.screen_codes(pm, pm, model, pm_block=6, ref_block=9, self_join=True,
                    progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (n * (n - 1) // 2, n * (n - 1) // 2)


def test_several_relationships_concatenate_in_canonical_order(data):
    _, pm, ref = data
    models = {r: TableModel(L, G, r, seed=k) for k, r in enumerate(sc.RELATIONSHIPS)}

    def factory(markers, rel, theta=0.0):
        m = models[rel]
        m.encode = lambda profiles: np.asarray(profiles)
        return m

    got = sc.screen_profiles(pm, ref, [], relationships=["half_sibling", "direct"],
                             min_log10_lr={"direct": 1.0, "half_sibling": 1.5}, min_common=8,
                             model_factory=factory)
    rels = list(got.relationship)
    assert set(rels) == {"direct", "half_sibling"}
    assert rels == sorted(rels, key=sc.RELATIONSHIPS.index)
    direct = got.of("direct")
    want = _naive(models["direct"], pm, ref, 1.0, 8, "direct")
    assert [(int(r["pm"]), int(r["ref"])) for r in direct.table] == [(r[2], r[3]) for r in want]
    assert got.provenance["parameters"]["min_log10_lr"] == {"half_sibling": 1.5, "direct": 1.0}
    assert got.records()[0]["relationship"] == "direct"


def test_bad_input_messages():
    model = TableModel(3, 3, "direct")
    with pytest.raises(InputError, match="expected one of"):
        sc.screen_codes(np.zeros((2, 3), int), np.zeros((2, 3), int), model,
                        relationship="cousin")
    with pytest.raises(InputError, match="loci"):
        sc.screen_codes(np.zeros((2, 3), int), np.zeros((2, 4), int), model)
    with pytest.raises(InputError, match="block size"):
        sc.screen_codes(np.zeros((2, 3), int), np.zeros((2, 3), int), model, pm_block=0)


@pytest.mark.parametrize("relationship", sc.RELATIONSHIPS)
def test_real_pairwise_model_screening_equals_naive_loop(relationship):
    from homecoming import simulation as sim
    from homecoming.genetics.markers import Marker, MutationSpec
    from homecoming.kinship import pairwise as pw
    from homecoming.pedigree.pedigree import Pedigree, Person, Sex

    alleles = tuple(str(a) for a in range(8, 15))
    freqs = np.array([0.05, 0.1, 0.25, 0.25, 0.15, 0.1, 0.1])
    spec = MutationSpec("stepwise", rate=0.002, rate2=1e-6, range=0.1)
    markers = [Marker(f"L{k}", alleles, freqs, mutation_female=spec, mutation_male=spec)
               for k in range(12)]
    ped = Pedigree([Person("FA", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE),
                    Person("C1", "FA", "MO", Sex.MALE), Person("C2", "FA", "MO", Sex.FEMALE)])
    g = sim.drop_alleles(ped, markers, 20, seed=4)
    pm = sim.mask_loci(np.concatenate([g["C1"], g["FA"]]), 0.9, seed=1)
    ref = np.concatenate([g["C1"], g["C2"], g["MO"]])
    model = pw.PairwiseModel(markers, relationship)
    pm_c = model.encode(sim.to_profiles(markers, pm))
    ref_c = model.encode(sim.to_profiles(markers, ref))
    got = sc.screen_codes(pm_c, ref_c, model, min_log10_lr=2.0, min_common=8, pm_block=7,
                          ref_block=11)
    want = _naive(model, pm_c, ref_c, 2.0, 8, relationship)
    assert len(want) >= 10
    assert [r[2:] for r in _as_rows(got)] == [r[2:] for r in want]
    np.testing.assert_allclose([-r[1] for r in _as_rows(got)], [-r[1] for r in want],
                               rtol=1e-12)


def test_screen_codes_with_a_process_or_thread_executor_equals_the_serial_run():
    """One screening path: any concurrent.futures executor gives the same candidates, in the
    same order, and the progress reaches the total."""
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from homecoming.genetics.frequencies import load_database
    from homecoming.identification.screening import screen_codes
    from homecoming.kinship.pairwise import PairwiseModel

    rng = np.random.default_rng(3)
    markers = load_database("nist1036_all").markers()[:8]
    model = PairwiseModel(markers, "full_sibling")
    n_alle = [m.n_alleles for m in markers]

    def codes(n: int) -> np.ndarray:
        return model.encode([{m.name: (m.alleles[rng.integers(k)], m.alleles[rng.integers(k)])
                              for m, k in zip(markers, n_alle)} for _ in range(n)])

    pm, ref = codes(40), codes(50)
    kw = dict(min_log10_lr=-1.0, min_common=6, pm_block=8, ref_block=16)
    serial = screen_codes(pm, ref, model, **kw)
    assert len(serial) > 20
    for ex in (ThreadPoolExecutor(2), ProcessPoolExecutor(2)):
        seen: list[tuple[int, int]] = []
        with ex:
            got = screen_codes(pm, ref, model, executor=ex, blocks_per_task=2,
                               progress=lambda d, t, seen=seen: seen.append((d, t)), **kw)
        assert np.array_equal(got.table, serial.table)
        assert seen[-1] == (40 * 50, 40 * 50)
        assert got.provenance["executor"]["type"] == type(ex).__name__
