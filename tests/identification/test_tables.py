"""Per-family genotype tables (identification.tables) against the per-pair path.

The two are the same computation organised differently; on random SYNTHETIC datasets (gene
dropping) with mutation (lumpable and stepwise), θ, partial and untyped markers, silent alleles
and X markers every pairwise LR and every inconsistency count must agree to 1e-9.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from homecoming.genetics.frequencies import load_database
from homecoming.genetics.markers import Marker, MutationSpec
from homecoming.identification import DviDataset, Family, IdentificationConfig, Victim, solve
from homecoming.identification.synthetic import synthetic_case
from homecoming.identification.tables import ObservationIndex
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

CFG = IdentificationConfig(posterior_threshold=None, marginals=False, top=3)


def _markers(model: str) -> list[Marker]:
    db = load_database("nist1036_all")
    spec = (MutationSpec("proportional", rate=0.005) if model == "proportional" else
            MutationSpec("stepwise", rate=0.005, rate2=1e-6, range=0.1))
    return db.markers(["D3S1358", "vWA", "FGA", "TH01", "D8S1179"], mutation=spec)


def _degrade(ds: DviDataset, seed: int, theta: float = 0.0) -> DviDataset:
    """Victims with untyped markers and partial genotypes (a, None), same families."""
    rng = np.random.default_rng(seed)
    victims = []
    for v in ds.victims:
        gts = {}
        for m, g in v.genotypes.items():
            u = rng.random()
            if u < 0.2:
                continue                       # untyped
            gts[m] = (g[0], None) if u < 0.35 else g
        victims.append(Victim(v.id, v.sex, gts))
    return DviDataset(ds.all_markers, victims, ds.families, theta)


def _compare(ds: DviDataset) -> int:
    a = solve(ds, config=CFG, pairwise_method="tables")
    b = solve(ds, config=CFG, pairwise_method="per-pair")
    assert [(p.victim, p.missing) for p in a.pairwise] == [(p.victim, p.missing)
                                                          for p in b.pairwise]
    for p, q in zip(a.pairwise, b.pairwise):
        if q.log_lr == -math.inf:
            assert p.log_lr == -math.inf
        else:
            assert p.log_lr == pytest.approx(q.log_lr, abs=1e-9)
        assert p.inconsistent_markers == q.inconsistent_markers
        assert p.excluded == q.excluded
    assert a.null_loglik == pytest.approx(b.null_loglik, abs=1e-9)
    assert a.best.loglik == pytest.approx(b.best.loglik, abs=1e-9)
    assert a.best.assignment == b.best.assignment
    return len(a.pairwise)


@pytest.mark.parametrize("model", ["proportional", "stepwise"])
@pytest.mark.parametrize("seed", range(3))
def test_tables_equal_per_pair_on_random_datasets(model, seed):
    case = synthetic_case(_markers(model), n_families=3, n_missing=5, n_victims=6, seed=seed)
    assert _compare(_degrade(case.dataset, seed)) > 0


@pytest.mark.parametrize("seed", range(2))
def test_tables_equal_per_pair_under_theta(seed):
    """θ > 0: the denominator is the family plus the victim as an unrelated founder (one
    θ-conditioned likelihood), also a table per family."""
    case = synthetic_case(_markers("proportional")[:3], n_families=2, n_missing=3, n_victims=4,
                          seed=20 + seed)
    assert _compare(_degrade(case.dataset, seed, theta=0.03)) > 0


def test_tables_equal_per_pair_with_silent_alleles_and_x_markers():
    """Silent allele on an autosomal marker; an X marker with male, female and unknown-sex
    persons (the unknown-sex missing person takes the victim's sex from its allele count)."""
    rng = np.random.default_rng(5)
    auto = Marker("L1", ("a", "b", "c", "d"), np.array([.1, .2, .3, .35]), silent_frequency=0.05)
    x = Marker("X1", ("a", "b", "c"), np.array([.2, .3, .5]), chromosome="X")
    alle = ["a", "b", "c"]
    ped = Pedigree([Person("FA", sex=Sex.MALE), Person("MO", sex=Sex.FEMALE),
                    Person("M1", "FA", "MO", Sex.UNKNOWN), Person("M2", "FA", "MO", Sex.MALE),
                    Person("S", "FA", "MO", Sex.FEMALE)])
    fam = Family("F", ped, ("M1", "M2"), {"FA": {"L1": ("a", "a"), "X1": ("a",)},
                                          "S": {"L1": ("a", "b"), "X1": ("a", "c")}})
    victims = []
    for i in range(8):
        sex = Sex.MALE if i % 2 else Sex.FEMALE
        g1 = tuple(sorted(rng.choice(["a", "b", "c", "d"], 2)))
        gx = (str(rng.choice(alle)),) if sex is Sex.MALE else tuple(sorted(rng.choice(alle, 2)))
        victims.append(Victim(f"V{i}", sex, {"L1": g1, "X1": gx}))
    ds = DviDataset([auto, x], victims, [fam])
    assert _compare(ds) == 8 + 4


def test_observation_index_columns():
    mk = Marker("L1", ("a", "b"), np.array([.5, .5]))
    idx = ObservationIndex.build([mk], {"V1": {"L1": ("a", "b")}, "V2": {},
                                        "V3": {"L1": ("a", "b")}, "V4": {"L1": ("b", None)}})
    assert idx.observations == ((("a", "b"), ("b", None)),)
    assert [int(idx.columns[v][0]) for v in ("V1", "V2", "V3", "V4")] == [1, 0, 1, 2]
    assert idx.width == 3
    assert dataclasses.is_dataclass(idx)


def test_per_missing_mapping() -> None:
    """PerMissing: (victim, missing) -> Python float / int read from one array per missing
    person; victim lists shared between missing persons; unknown pairings raise KeyError."""
    from homecoming.identification.tables import PerMissing

    lr = PerMissing("float")
    lr.put("M1", ("V1", "V2"), np.array([1.5, -np.inf]))
    lr.put("M2", ("V1", "V2"), np.array([0.25, 2.0]))
    lr.put("M3", ("V3",), np.array([-7.0]))
    assert lr[("V1", "M1")] == 1.5 and type(lr[("V1", "M1")]) is float
    assert lr[("V2", "M1")] == -math.inf
    assert lr[("V2", "M2")] == 2.0 and lr[("V3", "M3")] == -7.0
    assert len(lr) == 5
    assert list(lr) == [("V1", "M1"), ("V2", "M1"), ("V1", "M2"), ("V2", "M2"), ("V3", "M3")]
    assert dict(lr) == {("V1", "M1"): 1.5, ("V2", "M1"): -math.inf, ("V1", "M2"): 0.25,
                        ("V2", "M2"): 2.0, ("V3", "M3"): -7.0}
    for missing_pair in (("V3", "M1"), ("V1", "M9")):
        with pytest.raises(KeyError):
            lr[missing_pair]
    assert ("V3", "M1") not in lr and ("V1", "M2") in lr
    bad = PerMissing("int")
    bad.put("M1", ("V1", "V2"), np.array([0, 3], dtype=np.int64))
    assert bad[("V2", "M1")] == 3 and type(bad[("V2", "M1")]) is int
