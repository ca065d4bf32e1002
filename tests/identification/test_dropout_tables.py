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
from homecoming.kinship.likelihood import log_likelihood
from homecoming.kinship.pairwise import PairwiseModel, log_lr_table
from homecoming.pedigree import builders
from homecoming.pedigree.pedigree import Pedigree, Sex

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
