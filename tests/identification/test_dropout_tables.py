"""Drop-out in the stored-case identification: the pairwise screening tables
(kinship.pairwise, ``dropout_a``: the post-mortem side only) and the per-family genotype tables
of the joint solver (identification.tables / solver, ``solve(..., dropout=d)``) against the
general kinship engine with the same drop-out probability (kinship-case@1 'dropout').

All data here is SYNTHETIC (made-up frequencies, genotypes and families).
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from homecoming.errors import InputError
from homecoming.genetics.encoding import genotype_code
from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.identification import DviDataset, Family, IdentificationConfig, Victim, solve
from homecoming.identification.solver import VICTIM_NODE
from homecoming.identification.synthetic import synthetic_case
from homecoming.identification.tables import DropoutLikelihood
from homecoming.kinship.likelihood import log_likelihood
from homecoming.kinship.pairwise import PairwiseModel, log_lr_table
from homecoming.pedigree import builders
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

P = np.array([0.1, 0.2, 0.3, 0.4])
ABCD = Marker("M1", ("a", "b", "c", "d"), P)
STEP = Marker("M2", ("10", "11", "12", "13", "14"), np.array([0.1, 0.25, 0.3, 0.2, 0.15]),
              mutation_female=MutationSpec("stepwise", rate=0.01, rate2=1e-6, range=0.1),
              mutation_male=MutationSpec("stepwise", rate=0.02, rate2=1e-6, range=0.1))
D = 0.05


def _table_lr(marker: Marker, rel: str, ga: str | tuple[str, str], gb: str | tuple[str, str],
              d: float, **kw: object) -> float:
    t = log_lr_table(marker, rel, dropout_a=d, **kw)   # type: ignore[arg-type]
    ia = [marker.index(x) for x in ga]
    ib = [marker.index(x) for x in gb]
    return float(t[genotype_code(*ia), genotype_code(*ib)])


def _engine_lr(marker: Marker, pedigree: Pedigree, ga: tuple[str, str], gb: tuple[str, str],
               d: float) -> float:
    """log LR of the kinship engine: A observed with drop-out d, B exactly."""
    gts = {"A": {marker.name: ga}, "B": {marker.name: gb}}
    drop = {"A": d} if d else None
    num = log_likelihood(pedigree, [marker], gts, dropout=drop)[0]
    den = log_likelihood(builders.unrelated(["A", "B"]), [marker], gts, dropout=drop)[0]
    return float(num - den)


PEDIGREES = [
    ("parent_child", "male", "a_parent",
     builders.parent_child(parent="A", child="B", parent_sex=Sex.MALE)),
    ("parent_child", "female", "b_parent",
     builders.parent_child(parent="B", child="A", parent_sex=Sex.FEMALE)),
    ("full_sibling", None, "either", builders.full_siblings("A", "B")),
    ("half_sibling", "male", "either", builders.half_siblings("A", "B", side="paternal")),
]

# (marker, A's observation, B's genotype): a homozygous PM whose true genotype may be
# heterozygous; a heterozygous match; a mismatch impossible without drop-out (direct/parent)
CASES = [
    (ABCD, ("a", "a"), ("a", "b")),
    (ABCD, ("a", "b"), ("a", "b")),
    (ABCD, ("c", "c"), ("a", "b")),
    (STEP, ("12", "12"), ("11", "13")),
    (STEP, ("11", "12"), ("12", "13")),
]


@pytest.mark.parametrize("rel, sex, direction, pedigree", PEDIGREES,
                         ids=[f"{r}-{s}-{d}" for r, s, d, _ in PEDIGREES])
@pytest.mark.parametrize("marker, ga, gb", CASES, ids=[f"{m.name}-{''.join(a)}-{''.join(b)}"
                                                       for m, a, b in CASES])
def test_pairwise_with_dropout_equals_engine(rel: str, sex: str | None, direction: str,
                                             pedigree: Pedigree, marker: Marker,
                                             ga: tuple[str, str], gb: tuple[str, str]) -> None:
    got = _table_lr(marker, rel, ga, gb, D, parent_sex=sex, direction=direction)
    want = _engine_lr(marker, pedigree, ga, gb, D)
    assert math.isfinite(want)
    assert math.exp(got) == pytest.approx(math.exp(want), rel=1e-12)


def test_mismatch_impossible_without_dropout_possible_with_it() -> None:
    ped = builders.parent_child(parent="A", child="B", parent_sex=Sex.MALE)
    # a homozygous cc PM cannot be the parent of an ab child without drop-out ...
    assert _table_lr(ABCD, "parent_child", "cc", "ab", 0.0, parent_sex="male",
                     direction="a_parent") == -math.inf
    assert _engine_lr(ABCD, ped, ("c", "c"), ("a", "b"), 0.0) == -math.inf
    # ... but can with drop-out (true genotype ca or cb): the engine agrees to 1e-12
    got = _table_lr(ABCD, "parent_child", "cc", "ab", D, parent_sex="male",
                    direction="a_parent")
    assert math.exp(got) == pytest.approx(math.exp(_engine_lr(ABCD, ped, ("c", "c"), ("a", "b"),
                                                              D)), rel=1e-12)
    assert math.exp(got) > 0
    # a PM showing both of two alleles still excludes a reference without them (no drop-in)
    assert _table_lr(ABCD, "direct", "cd", "ab", D) == -math.inf


def test_direct_homozygous_pm_hand_computed() -> None:
    """Same person, PM observed ``a`` only (code aa), reference ``ab``, p = .1 .2 .3 .4:

        LR = P(obs a | ab) P(ab) / (P(obs a) P(ab)) = d(1 − d) / P(obs a)
        P(obs a) = Σ_g P(g) P(obs a | g) = p_a² (1 − d²) + Σ_{x≠a} 2 p_a p_x d(1 − d)
                 = p_a² (1 − d²) + 2 p_a (1 − p_a) d (1 − d)

    and the reference aa: LR = (1 − d²) / P(obs a). With d = 0.05: P(obs a) = 0.009975 +
    0.00855 = 0.018525, LR(ab) = 0.0475 / 0.018525 = 100/39, LR(aa) = 0.9975 / 0.018525 = 700/13.
    """
    d, pa = D, 0.1
    p_obs = pa ** 2 * (1 - d ** 2) + 2 * pa * (1 - pa) * d * (1 - d)
    assert p_obs == pytest.approx(0.018525, rel=1e-12)
    assert math.exp(_table_lr(ABCD, "direct", "aa", "ab", d)) == pytest.approx(
        d * (1 - d) / p_obs, rel=1e-12)
    assert math.exp(_table_lr(ABCD, "direct", "aa", "ab", d)) == pytest.approx(
        100 / 39, rel=1e-12)
    assert math.exp(_table_lr(ABCD, "direct", "aa", "aa", d)) == pytest.approx(
        700 / 13, rel=1e-12)
    # both alleles seen: (1 − d)² / ((1 − d)² · 2 p_a p_b) = 1 / (2 p_a p_b)
    assert math.exp(_table_lr(ABCD, "direct", "ab", "ab", d)) == pytest.approx(
        1 / (2 * 0.1 * 0.2), rel=1e-12)


def test_model_batch_and_zero_dropout_bit_identical() -> None:
    plain = PairwiseModel([ABCD, STEP], "full_sibling")
    zero = PairwiseModel([ABCD, STEP], "full_sibling", dropout_a=0.0)
    for a, b in zip(plain.tables, zero.tables):
        assert np.array_equal(a, b)
    assert "dropout_a" not in zero.provenance()
    model = PairwiseModel([ABCD, STEP], "full_sibling", dropout_a=D)
    assert model.provenance()["dropout_a"] == D
    pm = [{"M1": ("a", "a"), "M2": ("12", "12")}]
    ref = [{"M1": ("a", "b"), "M2": ("11", "13")}]
    got = model.log_lr(model.encode(pm), model.encode(ref))[0, 0]
    ped = builders.full_siblings("A", "B")
    want = (_engine_lr(ABCD, ped, ("a", "a"), ("a", "b"), D)
            + _engine_lr(STEP, ped, ("12", "12"), ("11", "13"), D))
    assert math.exp(got) == pytest.approx(math.exp(want), rel=1e-12)
    with pytest.raises(InputError, match=r"dropout_a 1\.0; expected a probability in \[0, 1\)"):
        PairwiseModel([ABCD], "direct", dropout_a=1.0)


# -- the joint solver's genotype tables and likelihoods ----------------------------------------

CFG = IdentificationConfig(posterior_threshold=None, marginals=False, top=3)


def _family_case() -> DviDataset:
    """Father FA and sister S typed; missing son M1 and daughter M2 (SYNTHETIC)."""
    ped = Pedigree([Person("FA", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE),
                    Person("M1", "FA", "MO", Sex.MALE), Person("M2", "FA", "MO", Sex.FEMALE),
                    Person("S", "FA", "MO", Sex.FEMALE)])
    fam = Family("F", ped, ("M1", "M2"), {"FA": {"M1": ("a", "b"), "M2": ("11", "13")},
                                          "S": {"M1": ("a", "c"), "M2": ("12", "13")}})
    victims = [Victim("V1", Sex.MALE, {"M1": ("d", "d"), "M2": ("11", "11")}),   # lost b / 12
               Victim("V2", Sex.FEMALE, {"M1": ("b", "c"), "M2": ("12", "13")}),
               Victim("V3", Sex.MALE, {"M1": ("a", "a"), "M2": ("13", None)}),
               Victim("V4", Sex.FEMALE, {"M1": ("a", "d")})]
    return DviDataset([ABCD, STEP], victims, [fam])


def _lik(ds: DviDataset, d: float) -> DropoutLikelihood:
    return DropoutLikelihood(d, [m for f in ds.families for m in f.missing] + [VICTIM_NODE])


def test_genotype_tables_with_dropout_equal_the_engine() -> None:
    """Tables path = per-pair path = the engine by hand: log P(refs, V on M | d) −
    log P(refs) − log P(V alone | d), for every pairing (1e-12 relative on the LR)."""
    ds = _family_case()
    fam = ds.families[0]
    lik = _lik(ds, D)
    tables = solve(ds, config=CFG, loglik=lik, pairwise_method="tables")
    per_pair = solve(ds, config=CFG, loglik=lik, pairwise_method="per-pair")
    refs = dict(fam.genotypes)
    seen = 0
    for p, q in zip(tables.pairwise, per_pair.pairwise, strict=True):
        assert (p.victim, p.missing) == (q.victim, q.missing)
        v = next(x for x in ds.victims if x.id == p.victim)
        with_v = log_likelihood(fam.pedigree, ds.markers, {**refs, p.missing: v.genotypes},
                                dropout={p.missing: D}).sum()
        alone = log_likelihood(Pedigree([Person("X", sex=v.sex)]), ds.markers,
                               {"X": v.genotypes}, dropout={"X": D}).sum()
        want = with_v - log_likelihood(fam.pedigree, ds.markers, refs).sum() - alone
        assert math.isfinite(want)
        assert math.exp(p.log_lr) == pytest.approx(math.exp(want), rel=1e-12)
        assert math.exp(q.log_lr) == pytest.approx(math.exp(want), rel=1e-12)
        seen += 1
    assert seen == 4     # sex-compatible pairings: V1, V3 with M1; V2, V4 with M2
    assert tables.best.loglik == pytest.approx(per_pair.best.loglik, rel=1e-12)
    # V1 (homozygous d/d, 11/11) is impossible as M1 without drop-out
    plain = {(p.victim, p.missing): p.log_lr for p in solve(ds, config=CFG).pairwise}
    assert plain[("V1", "M1")] == -math.inf
    assert math.isfinite({(p.victim, p.missing): p.log_lr
                          for p in tables.pairwise}[("V1", "M1")])


@pytest.mark.parametrize("seed", range(2))
def test_tables_equal_per_pair_with_dropout_on_random_datasets(seed: int) -> None:
    markers = [ABCD, STEP]
    case = synthetic_case(markers, n_families=2, n_missing=3, n_victims=4, seed=40 + seed)
    ds = case.dataset
    lik = _lik(ds, 0.1)
    a = solve(ds, config=CFG, loglik=lik, pairwise_method="tables")
    b = solve(ds, config=CFG, loglik=lik, pairwise_method="per-pair")
    assert len(a.pairwise) > 0
    for p, q in zip(a.pairwise, b.pairwise, strict=True):
        assert (p.victim, p.missing) == (q.victim, q.missing)
        if q.log_lr == -math.inf:
            assert p.log_lr == -math.inf
        else:
            assert p.log_lr == pytest.approx(q.log_lr, abs=1e-9)
        assert p.inconsistent_markers == q.inconsistent_markers
    assert a.best.assignment == b.best.assignment


def test_zero_dropout_wrapper_is_the_engine() -> None:
    ds = _family_case()
    plain = solve(ds, config=CFG)
    zero = solve(ds, config=CFG, loglik=_lik(ds, 0.0))
    assert [p.log_lr for p in plain.pairwise] == [p.log_lr for p in zero.pairwise]


def test_dropout_likelihood_pickles_for_dask_workers() -> None:
    import pickle

    ds = _family_case()
    lik = pickle.loads(pickle.dumps(_lik(ds, D)))
    assert lik.dropout == D and lik.observed == frozenset({"M1", "M2", VICTIM_NODE})
    a = solve(ds, config=CFG, loglik=lik)
    b = solve(ds, config=CFG, loglik=_lik(ds, D))
    assert [p.log_lr for p in a.pairwise] == [p.log_lr for p in b.pairwise]
    with pytest.raises(InputError, match=r"dropout 1\.0; expected a probability in \[0, 1\)"):
        DropoutLikelihood(1.0, ["M1"])
