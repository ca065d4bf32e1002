"""A family's likelihood under a sub-assignment, block by block (identification.decompose),
equals the whole-pedigree engine: random families with several missing persons, complete and
partial profiles and every mutation model; dvir's grave, every sub-assignment the joint stage
asks for. Tolerance: 1e-9 in natural-log likelihood per marker; -inf must match -inf."""

from __future__ import annotations

import itertools
import math

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from homecoming.formats.dvi_dataset import load_dvi_dataset
from homecoming.genetics.markers import Marker
from homecoming.identification import solver
from homecoming.identification.decompose import BlockLikelihoods, applies
from homecoming.kinship._problem import relevant_persons
from homecoming.kinship.likelihood import log_likelihood, log_likelihood_rows
from homecoming.pedigree import Pedigree, Person, Sex
from tests.kinship.test_engine_vs_reference import (
    assert_same,
    autosomal_marker,
    random_family,
)
from tests.paths import DVI_EXAMPLES


def _engine(pedigree, rows):
    return log_likelihood_rows(pedigree, rows, theta=0.0, inbreeding={}, dropout={})


def _profile(draw, markers, complete: bool) -> dict:
    out = {}
    for m in markers:
        if not complete and draw(st.integers(0, 3)) == 0:
            continue                                   # untyped at this marker
        pick = st.sampled_from(m.alleles)
        partial = not complete and draw(st.integers(0, 4)) == 0
        out[m.name] = (draw(pick), None if partial else draw(pick))
    return out


@st.composite
def family_problem(draw):
    persons = random_family(draw, 9, min_persons=4)
    ped = Pedigree(persons)
    markers = [autosomal_marker(draw, f"M{k}") for k in range(draw(st.integers(1, 3)))]
    ids = [p.id for p in persons]
    roles = {pid: draw(st.sampled_from(["untyped", "reference", "missing"])) for pid in ids}
    refs = {pid: _profile(draw, markers, draw(st.booleans())) for pid in ids
            if roles[pid] == "reference"}
    missing = [pid for pid in ids if roles[pid] == "missing"]
    victims = {f"V{k}": _profile(draw, markers, draw(st.booleans()))
               for k in range(draw(st.integers(1, 4)))}
    subs = []
    for _ in range(draw(st.integers(1, 6))):
        chosen = draw(st.lists(st.sampled_from(missing), unique=True)) if missing else []
        pool = draw(st.permutations(sorted(victims)))
        subs.append(dict(zip(chosen, pool)))
    return ped, markers, refs, victims, subs


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(family_problem())
def test_blocks_equal_the_whole_pedigree(problem):
    ped, markers, refs, victims, subs = problem
    assert applies(markers)
    blocks = BlockLikelihoods(ped, markers, refs, victims, _engine, relevant_persons)
    got = blocks.compute(subs)
    for sub, value in zip(subs, got):
        event(f"blocks: {min(len(blocks.blocks(sub)), 4)}; assigned: {min(len(sub), 2)}")
        genotypes = {**refs, **{m: victims[v] for m, v in sub.items()}}
        assert_same(value, log_likelihood(ped, markers, genotypes), f"{problem!r} {sub}")


def test_a_typed_parent_separates_the_pedigree():
    """Two children of a typed mother and an untyped father: with the mother and both
    children exactly typed, the father's block holds the children's own factors; a
    grandmother above the mother is a block of her own (hand check of the block count)."""
    ped = Pedigree([Person("GF", sex=Sex.MALE), Person("GM", sex=Sex.FEMALE),
                    Person("MO", "GF", "GM", Sex.FEMALE), Person("FA", sex=Sex.MALE),
                    Person("C1", "FA", "MO", Sex.MALE), Person("C2", "FA", "MO", Sex.FEMALE)])
    marker = Marker("A", ("10", "11", "12"), (0.2, 0.3, 0.5))
    refs = {"GM": {"A": ("10", "11")}, "MO": {"A": ("11", "12")}}
    victims = {"V1": {"A": ("10", "12")}, "V2": {"A": ("12", "12")}}
    blocks = BlockLikelihoods(ped, [marker], refs, victims, _engine, relevant_persons)
    found = blocks.blocks({"C1": "V1", "C2": "V2"})
    owned = sorted(sorted(own) for own, _, _ in found)
    # GM's prior; MO's transmission from GF (untyped founder) and GM; C1 and C2 with FA
    assert owned == [["C1", "C2", "FA"], ["GF", "MO"], ["GM"]]
    value = blocks.compute([{"C1": "V1", "C2": "V2"}])[0]
    whole = log_likelihood(ped, [marker], {**refs, "C1": victims["V1"], "C2": victims["V2"]})
    assert value[0] == pytest.approx(whole[0], abs=1e-12)
    # by hand: GM 2·.2·.3; MO = ½·(GM gives 11: ½)·(GF gives 12: .5) + (GM gives 12: 0) ...
    # MO 11/12: (GM→11, GF→12) = ½·.5, (GM→12) impossible: so ¼; children with FA untyped:
    # C1 10/12 from MO 12 (½) and FA 10 (.2); C2 12/12 from MO 12 (½) and FA 12 (.5);
    # FA's two alleles: Σ_{x,y} p_x p_y ½(δx10+δy10)·½(δx12+δy12) = ½·(2·.2·.5)/2 ... (exact
    # below with the same sum written out)
    fa = sum(px * py * 0.5 * ((x == "10") + (y == "10")) * 0.5 * ((x == "12") + (y == "12"))
             for (x, px), (y, py) in itertools.product(
                 [("10", .2), ("11", .3), ("12", .5)], repeat=2))
    hand = (2 * .2 * .3) * 0.25 * (0.5 * 0.5) * fa
    assert value[0] == pytest.approx(math.log(hand), abs=1e-12)


def test_grave_every_subassignment_of_the_joint_stage():
    """dvir's grave (one family, 8 missing persons): the 591 sub-assignments the joint stage
    computes, block by block, equal the engine on the whole pedigree; far fewer blocks than
    sub-assignments are computed."""
    ds = load_dvi_dataset(DVI_EXAMPLES / "grave.json")
    asked: list = []
    real = solver._Likelihoods.family_many

    def spy(self, fam, many, victims=()):
        asked.extend((fam.name, tuple(sorted(p))) for p in many)
        return real(self, fam, many, victims)

    try:
        solver._Likelihoods.family_many = spy  # type: ignore[method-assign]
        lik_holder: dict = {}
        real_init = solver._Likelihoods.__init__

        def keep(self, *a, **k):
            real_init(self, *a, **k)
            lik_holder["lik"] = self

        solver._Likelihoods.__init__ = keep  # type: ignore[method-assign]
        solver.solve(ds)
    finally:
        solver._Likelihoods.family_many = real  # type: ignore[method-assign]
        solver._Likelihoods.__init__ = real_init  # type: ignore[method-assign]
    lik = lik_holder["lik"]
    assert lik.decomposable
    distinct = dict.fromkeys(asked)
    assert len(distinct) >= 500
    families = {f.name: f for f in ds.families}
    for name, pairs in distinct:
        fam = families[name]
        genotypes = dict(lik.family_gt[name])
        for m, v in pairs:
            genotypes[m] = lik.victim_gt[v]
        whole = log_likelihood(fam.pedigree, lik.markers, genotypes)
        assert_same(lik._fam[(name, lik.canonical(fam, pairs), True)], whole, f"grave {pairs}")
    assert lik._blocks(ds.families[0]).blocks_computed < len(distinct) / 2


def test_the_result_does_not_depend_on_the_hash_seed():
    """Block by block, the same dataset gives the same output to the last digit whatever
    Python's hash seed (the order of sets must not reach the arithmetic)."""
    import json
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("0", "3"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        done = subprocess.run([sys.executable, "-m", "homecoming.cli.main", "identify",
                               str(DVI_EXAMPLES / "grave.json"), "--json", "--quiet"],
                              capture_output=True, text=True, check=True, env=env)
        doc = json.loads(done.stdout)
        doc["provenance"].pop("created", None)
        outputs.append(doc)
    assert outputs[0] == outputs[1]
