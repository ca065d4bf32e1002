"""The conclusion steps (identification.steps) one by one, on hand-set LRs.

Each test builds the pairwise numbers by hand (LRs chosen so that the rule's outcome can be
read off) and checks the step's typed result.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from homecoming.genetics.markers import Marker
from homecoming.identification import (
    Conclusion,
    DviDataset,
    Family,
    IdentificationConfig,
    Victim,
    steps,
)
from homecoming.identification.joint import Option
from homecoming.identification.results import Pairing
from homecoming.pedigree.pedigree import Pedigree, Person, Sex

MK = Marker("L1", ("a", "b"), np.array([.5, .5]))
CFG = IdentificationConfig(lr_threshold=1e4, posterior_threshold=None)


def _dataset(families: dict[str, tuple[str, ...]], victims: list[str],
             untyped: tuple[str, ...] = ()) -> DviDataset:
    fams = []
    for name, missing in families.items():
        persons = [Person(f"{name}-FA", sex=Sex.MALE), Person(f"{name}-MO", sex=Sex.FEMALE)]
        persons += [Person(m, f"{name}-FA", f"{name}-MO", Sex.MALE) for m in missing]
        gts = {} if name in untyped else {f"{name}-FA": {"L1": ("a", "b")}}
        fams.append(Family(name, Pedigree(persons), missing, gts))
    vics = [Victim(v, Sex.MALE, {"L1": ("a", "a")}) for v in victims]
    return DviDataset([MK], vics, fams)


def _input(ds: DviDataset, lrs: dict[tuple[str, str], float], *,
           excluded: tuple[tuple[str, str], ...] = (), cfg: IdentificationConfig = CFG
           ) -> steps.StepInput:
    pairings = {}
    for v in ds.victims:
        for f in ds.families:
            for m in f.missing:
                x = lrs.get((v.id, m), 1.0)
                ex = (v.id, m) in excluded
                pairings[(v.id, m)] = Pairing(v.id, m, f.name, math.log(x) if x > 0 else -math.inf,
                                              3 if ex else 0, 1, ex,
                                              ("3 markers inconsistent",) if ex else ())
    candidates = {m: [v.id for v in ds.victims if not pairings[(v.id, m)].excluded
                      and pairings[(v.id, m)].log_lr > -math.inf]
                  for f in ds.families for m in f.missing}
    identifiable = steps.identifiable_missing(ds)
    return steps.StepInput(ds, cfg, pairings, candidates, {v.id: True for v in ds.victims},
                           identifiable, {}, cfg.prior_missing or len(ds.missing))


def test_non_identifiable_and_excluded():
    ds = _dataset({"F1": ("M1",), "F2": ("M2",), "F3": ("M3",)}, ["V1", "V2"], untyped=("F2",))
    inp = _input(ds, {}, excluded=(("V1", "M3"), ("V2", "M3")))
    ni = steps.non_identifiable(inp)
    assert [(c.missing, c.conclusion) for c in ni] == [("M2", Conclusion.NON_IDENTIFIABLE)]
    ex = steps.excluded(inp)
    assert [(c.missing, c.conclusion, c.comment) for c in ex] == [
        ("M3", Conclusion.EXCLUDED, "all 2 compatible victims excluded")]
    assert dataclasses.is_dataclass(ex[0])
    with pytest.raises(dataclasses.FrozenInstanceError):
        ex[0].missing = "M9"  # type: ignore[misc]


def test_missing_person_without_victim_of_compatible_sex_is_excluded():
    """dvir findExcluded: no compatible pairing at all -> "Excluded"; compatible victims that
    all lack a usable marker -> inconclusive (LR 1 each)."""
    ds = _dataset({"F1": ("M1",), "F2": ("M2",)}, ["V1"])
    inp = _input(ds, {})
    pairings = {k: p for k, p in inp.pairings.items() if k[1] != "M1"}   # M1: no pairing
    no_sex = dataclasses.replace(inp, pairings=pairings,
                                 candidates={"M1": [], "M2": ["V1"]})
    assert [(c.missing, c.conclusion, c.comment) for c in steps.excluded(no_sex)] == [
        ("M1", Conclusion.EXCLUDED, "no victim of compatible sex")]
    no_dna = dataclasses.replace(inp, usable={"V1": False}, candidates={"M1": [], "M2": []})
    assert [(c.missing, c.conclusion) for c in steps.excluded(no_dna)] == [
        ("M1", Conclusion.INCONCLUSIVE), ("M2", Conclusion.INCONCLUSIVE)]


def _persons(*rows: tuple[str, str | None, str | None, Sex]) -> Pedigree:
    return Pedigree([Person(i, fa, mo, sx) for i, fa, mo, sx in rows])


def test_identifiable_needs_a_typed_blood_relative():
    """dvir findNonidentifiable: the typed father R's wife W (missing) is unrelated to him;
    their missing child C is his blood relative, and W is C's, so with C missing too W is
    linked through C. A missing in-law (husband H of C) is linked through their child K only
    when K is missing too."""
    ped = _persons(("R", None, None, Sex.MALE), ("W", None, None, Sex.FEMALE),
                   ("C", "R", "W", Sex.FEMALE), ("H", None, None, Sex.MALE),
                   ("K", "H", "C", Sex.MALE))
    gts = {"R": {"L1": ("a", "b")}}

    def ident(missing: tuple[str, ...]) -> dict[str, bool]:
        return steps.identifiable_missing(DviDataset([MK], [], [Family("F", ped, missing,
                                                                       gts)]))

    assert ident(("W",)) == {"W": False}
    assert ident(("C",)) == {"C": True}
    assert ident(("W", "C")) == {"W": True, "C": True}
    assert ident(("H",)) == {"H": False}
    assert ident(("H", "K")) == {"H": True, "K": True}
    assert ident(("H", "W")) == {"H": False, "W": False}
    # and the step's comment names why
    ds = DviDataset([MK], [Victim("V1", Sex.MALE, {"L1": ("a", "a")})],
                    [Family("F", ped, ("W", "C"), gts), Family("G", ped, ("H",), gts),
                     Family("U", _persons(("A", None, None, Sex.MALE)), ("A",), {})])
    inp = _input(ds, {})
    assert [(c.missing, c.comment) for c in steps.non_identifiable(inp)] == [
        ("H", "unrelated to every typed member of the family"),
        ("A", "no typed relative in the family")]


def test_undisputed_is_iterated():
    """V2=M2 (LR 1e7) is disputed by V1=M2 (1e4) until V1 is matched to M1 (1e9 beats 1e4 by
    the factor T = 1e4); then it is undisputed too."""
    ds = _dataset({"F1": ("M1",), "F2": ("M2",)}, ["V1", "V2"])
    inp = _input(ds, {("V1", "M1"): 1e9, ("V1", "M2"): 1e4, ("V2", "M2"): 1e7})
    r = steps.undisputed(inp, ["M1", "M2"], ["V1", "V2"])
    assert dict(r.matches) == {"M1": "V1", "M2": "V2"}
    assert [c.lr for c in r.conclusions] == pytest.approx([1e9, 1e7])
    assert r.conclusions[0].comment == "runner-up: V1=M2 (LR=1e+04)"
    assert [(v.victim, v.missing, v.conclusion) for v in r.victims] == [
        ("V1", "M1", Conclusion.UNDISPUTED), ("V2", "M2", Conclusion.UNDISPUTED)]
    # without the first match the second is not made: 1e7 < 1e4 * 1e4
    r2 = steps.undisputed(inp, ["M2"], ["V1", "V2"])
    assert dict(r2.matches) == {}


def test_undisputed_respects_the_posterior_threshold():
    ds = _dataset({"F1": ("M1",)}, ["V1"])
    inp = _input(ds, {("V1", "M1"): 2e4}, cfg=IdentificationConfig(posterior_threshold=0.99999,
                                                                   prior_missing=1000))
    # posterior 2e4 / (2e4 + 999) = 0.952 < 0.99999
    assert steps.undisputed(inp, ["M1"], ["V1"]).conclusions == ()


def test_am_driven_probable_disputed_no_match():
    ds = _dataset({"F1": ("M1",)}, ["V1", "V2"])
    one = steps.am_driven(_input(ds, {("V1", "M1"): 5e3, ("V2", "M1"): 2.0}), ds.families[0],
                          "M1", ["V1", "V2"])
    assert (one.conclusion, one.victim) == (Conclusion.PROBABLE, "V1")
    assert one.lr == pytest.approx(5e3)
    assert one.posterior == pytest.approx(5e3 / (5e3 + 0))
    two = steps.am_driven(_input(ds, {("V1", "M1"): 5e3, ("V2", "M1"): 2e3}), ds.families[0],
                          "M1", ["V1", "V2"])
    assert (two.conclusion, two.victim) == (Conclusion.DISPUTED, "V1")
    assert two.comment == "also: V2 (LR=2e+03)"
    # below the probable threshold (1000) but >= 1: inconclusive, naming the best victim
    # (dvir .simpleFamDVI)
    weak = steps.am_driven(_input(ds, {("V1", "M1"): 50.0}), ds.families[0], "M1",
                           ["V1", "V2"])
    assert (weak.conclusion, weak.victim) == (Conclusion.INCONCLUSIVE, "V1")
    assert weak.lr == pytest.approx(50.0)
    assert weak.comment == "best: V1 (LR=50), below the probable threshold"
    # every LR below 1: no match
    none = steps.am_driven(_input(ds, {("V1", "M1"): 0.5, ("V2", "M1"): 0.25}),
                           ds.families[0], "M1", ["V1", "V2"])
    assert (none.conclusion, none.victim) == (Conclusion.NO_MATCH, None)
    assert none.comment == "best: V1 (LR=0.5)"
    # exactly 1 (dvir: maxLR >= 1) is inconclusive
    one_lr = steps.am_driven(_input(ds, {("V1", "M1"): 1.0, ("V2", "M1"): 0.25}),
                             ds.families[0], "M1", ["V1", "V2"])
    assert one_lr.conclusion is Conclusion.INCONCLUSIVE


def _two_sibling_options(g_sym: float, g_other: float) -> list[list[Option]]:
    """Family F1 with M1, M2; victims V1 (bit 0), V2 (bit 1)."""
    return [[Option(0, 0.0), Option(1, g_other, (("M1", "V1"),)),
             Option(2, g_other, (("M1", "V2"),)), Option(1, g_other, (("M2", "V1"),)),
             Option(2, g_other, (("M2", "V2"),)),
             Option(3, g_sym, (("M1", "V1"), ("M2", "V2"))),
             Option(3, g_sym, (("M1", "V2"), ("M2", "V1")))]]


def test_glr_and_symmetric_siblings():
    """Two indistinguishable siblings: both assignments of {V1, V2} to {M1, M2} have log score
    20, anything else at most 5. GLR of one pairing is 1 (its swap ties); the set's GLR is
    e^(20 - 5)."""
    ds = _dataset({"F1": ("M1", "M2")}, ["V1", "V2"])
    inp = _input(ds, {("V1", "M1"): 100.0, ("V2", "M1"): 100.0, ("V1", "M2"): 100.0,
                      ("V2", "M2"): 100.0})
    oracle = steps.JointOracle(ds, _two_sibling_options(20.0, 5.0), {0: [0]}, CFG, {})
    g = steps.glr(inp, ds.families[0], ["M1", "M2"], oracle)
    assert g.glrs == pytest.approx({"M1": 1.0, "M2": 1.0})
    assert g.conclusions == ()
    s = steps.symmetric(inp, ds.families[0], ["M1", "M2"], set(), g.ranked, oracle)
    assert s is not None
    assert s.missing == ("M1", "M2") and s.victims == frozenset({"V1", "V2"})
    assert s.glr == pytest.approx(math.exp(15.0))
    assert [c.conclusion for c in s.conclusions] == [Conclusion.SYMMETRIC_MATCH] * 2
    assert s.conclusions[0].comment == ("V1/V2 are M1/M2 in some order; the data cannot tell "
                                        "which")
    # the rest: a probable GLR would need > 1000; pairwise LRs 100 are below it but >= 1:
    # inconclusive
    u = steps.unresolved(inp, ds.families[0], "M1", g, ["V1", "V2"])
    assert (u.conclusion, u.victim) == (Conclusion.INCONCLUSIVE, "V1")
    inp_low = _input(ds, {(v, m): 0.5 for v in ("V1", "V2") for m in ("M1", "M2")})
    u_low = steps.unresolved(inp_low, ds.families[0], "M1", g, ["V1", "V2"])
    assert (u_low.conclusion, u_low.victim) == (Conclusion.NO_MATCH, None)


def test_glr_match_without_symmetry():
    """One assignment (M1=V1, M2=V2) at 20, its swap at 2: GLR of each pairing e^(20 - 5)
    against the best assignment without it (a single pairing, 5)."""
    ds = _dataset({"F1": ("M1", "M2")}, ["V1", "V2"])
    opts = _two_sibling_options(20.0, 5.0)
    opts[0][6] = Option(3, 2.0, (("M1", "V2"), ("M2", "V1")))
    inp = _input(ds, {("V1", "M1"): 100.0, ("V2", "M2"): 100.0})
    oracle = steps.JointOracle(ds, opts, {0: [0]}, CFG, {})
    g = steps.glr(inp, ds.families[0], ["M1", "M2"], oracle)
    assert dict(g.best) == {"M1": "V1", "M2": "V2"}
    assert g.glrs["M1"] == pytest.approx(math.exp(15.0))
    assert [(c.missing, c.conclusion) for c in g.conclusions] == [
        ("M1", Conclusion.MATCH_BY_GLR), ("M2", Conclusion.MATCH_BY_GLR)]
    assert steps.symmetric(inp, ds.families[0], ["M1", "M2"], {"M1", "M2"}, g.ranked,
                           oracle) is None


def test_victim_conclusions():
    ds = _dataset({"F1": ("M1",), "F2": ("M2",)}, ["V1", "V2", "V3"])
    inp = _input(ds, {("V1", "M1"): 1e9, ("V2", "M2"): 3e3, ("V3", "M1"): 0.5,
                      ("V3", "M2"): 0.1})
    und = steps.undisputed(inp, ["M1", "M2"], ["V1", "V2", "V3"])
    m2 = steps.am_driven(inp, ds.families[1], "M2", ["V2", "V3"])
    out = steps.victim_conclusions(inp, list(und.conclusions) + [m2], und.victims)
    assert [(c.victim, c.missing, c.conclusion) for c in out] == [
        ("V1", "M1", Conclusion.UNDISPUTED), ("V2", "M2", Conclusion.PROBABLE),
        ("V3", None, Conclusion.NO_MATCH)]
    assert out[2].comment == "best: M1 (LR=0.5)"


def test_posterior():
    assert steps.posterior(99.0, 2) == pytest.approx(0.99)
    assert steps.posterior(math.inf, 10) == 1.0
