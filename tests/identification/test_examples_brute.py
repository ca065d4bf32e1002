"""solve() against brute-force enumeration on the shipped dvir examples and random datasets."""

from __future__ import annotations

import math

import pytest

from homecoming.formats.dvi_dataset import load_dvi_dataset
from homecoming.identification import IdentificationConfig, solve
from homecoming.identification.dataset import sexes_compatible
from tests.paths import DVI_EXAMPLES

from .brute import assignment_loglik, brute_force, combined_loglik

EXAMPLES = DVI_EXAMPLES

FAST = ["exclusionExample", "example1", "example2", "fire", "planecrash", "symmetricSibs",
        "KETPchap481", "KETPchap484", "KETPexer497", "KETPexer498"]
SLOW = ["grave", "icmp"]


def allowed_from(result, ds):
    allowed: dict[str, list[str]] = {}
    for p in result.pairwise:
        f = ds.family_of(p.missing)
        if (not p.excluded and p.combined_log_lr > -math.inf and ds.usable_markers(p.victim)
                and f.identifiable(p.missing)):
            allowed.setdefault(p.victim, []).append(p.missing)
    return allowed


def key(a):
    return tuple(sorted((v, m) for v, m in a.items() if m))


def check_against_brute(ds, result, allowed, top):
    scored, log_z = brute_force(ds, allowed)
    by_key = {key(a): ll for ll, a in scored}
    # the top-k logliks are exactly brute force's top-k (ties may come in another order)
    k = len(result.joint)
    assert k == min(len([s for s in scored if s[0] > -math.inf]), top)
    assert [a.loglik for a in result.joint] == pytest.approx([s for s, _ in scored[:k]], abs=1e-7)
    for a in result.joint:
        assert by_key[key(a.assignment)] == pytest.approx(a.loglik, abs=1e-7)
        assert a.posterior == pytest.approx(math.exp(a.loglik - log_z), rel=1e-7, abs=1e-12)
        assert a.lr == pytest.approx(math.exp(a.loglik - result.null_loglik), rel=1e-7)
    assert result.posterior_exact
    assert result.null_loglik == pytest.approx(by_key[()], abs=1e-7)
    assert result.log_z + result.null_loglik == pytest.approx(log_z, abs=1e-7)
    # marginal posterior of each pairing = Σ posteriors of the assignments containing it
    for (v, m), post in result.marginals.items():
        expected = sum(math.exp(ll - log_z) for ll, a in scored if a.get(v) == m and ll > -math.inf)
        assert post == pytest.approx(expected, rel=1e-6, abs=1e-12)
    return scored


@pytest.mark.parametrize("name", FAST + [pytest.param(n, marks=pytest.mark.slow) for n in SLOW])
def test_example_matches_brute_force(name):
    ds = load_dvi_dataset(EXAMPLES / f"{name}.json")
    result = solve(ds, config=IdentificationConfig(top=8))
    check_against_brute(ds, result, allowed_from(result, ds), 8)


@pytest.mark.parametrize("name", ["example1", "example2", "fire", "planecrash", "KETPchap481",
                                  "KETPexer498"])
def test_example_without_exclusions_matches_full_enumeration(name):
    """No exclusion at all: brute force enumerates every sex-consistent assignment."""
    ds = load_dvi_dataset(EXAMPLES / f"{name}.json")
    result = solve(ds, config=IdentificationConfig(top=6, max_incompatible=None))
    allowed = {v.id: [m for f in ds.families for m in f.missing
                      if sexes_compatible(v.sex, f.sex_of(m))] for v in ds.victims}
    scored = check_against_brute(ds, result, allowed, 6)
    if name == "planecrash":
        # dvir counts 19,081 a-priori assignments for planecrash (kinship-software.md §1.4)
        assert len(scored) == 19081


def test_planecrash_known_numbers():
    ds = load_dvi_dataset(EXAMPLES / "planecrash.json")
    r = solve(ds)
    best = {v: m for v, m in r.best.assignment.items() if m}
    assert best == {"V1": "M1", "V2": "M3", "V3": "M4", "V4": "M5", "V6": "M2"}
    concl = {c.missing: (c.victim, c.conclusion.value) for c in r.missing_conclusions}
    assert concl["M2"] == ("V6", "undisputed")
    assert concl["M3"] == ("V2", "undisputed")
    assert concl["M5"] == ("V4", "undisputed")


def test_example2_matches_format_doc():
    """dvi-dataset.md's example output: best V1=M1,V2=M2,V3=M3 loglik -16.118, LR 250, 0.718."""
    r = solve(load_dvi_dataset(EXAMPLES / "example2.json"))
    a = r.best
    assert a.assignment == {"V1": "M1", "V2": "M2", "V3": "M3"}
    assert a.loglik == pytest.approx(-16.118, abs=5e-4)
    assert a.lr == pytest.approx(250.0, rel=1e-9)
    assert a.posterior == pytest.approx(0.718, abs=5e-4)


@pytest.mark.parametrize("name", ["example2", "planecrash", "fire"])
def test_factorisation_equals_one_big_pedigree(name):
    ds = load_dvi_dataset(EXAMPLES / f"{name}.json")
    r = solve(ds, config=IdentificationConfig(top=4))
    for a in r.joint:
        assert combined_loglik(ds, a.assignment) == pytest.approx(a.loglik, abs=1e-7)
        assert assignment_loglik(ds, a.assignment) == pytest.approx(a.loglik, abs=1e-7)


def test_symmetric_siblings():
    r = solve(load_dvi_dataset(EXAMPLES / "symmetricSibs.json"))
    concl = {c.missing: c for c in r.missing_conclusions}
    assert concl["M1"].conclusion.value == "symmetric match"
    assert concl["M2"].conclusion.value == "symmetric match"
    assert concl["M1"].victim == "V1/V2"
    # the two best assignments swap V1 and V2 and are equally likely
    assert r.joint[0].loglik == pytest.approx(r.joint[1].loglik, abs=1e-9)


@pytest.mark.parametrize("name", ["fire", "KETPchap481", "KETPexer498", "KETPchap484"])
def test_glr_equals_brute_force_ratio(name):
    """GLR(V=M) = max L(a: V=M) / max L(a: V≠M), undisputed pairings held fixed."""
    ds = load_dvi_dataset(EXAMPLES / f"{name}.json")
    r = solve(ds)
    scored, _ = brute_force(ds, allowed_from(r, ds))
    fixed = {c.victim: c.missing for c in r.missing_conclusions
             if c.conclusion.value == "undisputed"}
    scored = [(ll, a) for ll, a in scored if all(a.get(v) == m for v, m in fixed.items())]
    checked = 0
    for c in r.missing_conclusions:
        if c.conclusion.value != "match by GLR":
            continue
        with_ = max(ll for ll, a in scored if a.get(c.victim) == c.missing)
        without = max(ll for ll, a in scored if a.get(c.victim) != c.missing)
        assert math.log(c.glr) == pytest.approx(with_ - without, abs=1e-7)
        assert c.glr >= 1e4
        checked += 1
    assert checked >= 1


def test_assignment_fallback_keeps_the_optimum_and_flags_the_posterior():
    """With the DP state budget at 1 the search falls back to the assignment search: the best
    assignments are still exact, the posterior is a top-k approximation and says so."""
    from homecoming.formats.dvi_dataset import dvi_result_json

    ds = load_dvi_dataset(EXAMPLES / "planecrash.json")
    exact = solve(ds, config=IdentificationConfig(top=5, max_incompatible=None))
    approx = solve(ds, config=IdentificationConfig(top=5, max_incompatible=None, max_states=1))
    assert [a.loglik for a in approx.joint] == pytest.approx([a.loglik for a in exact.joint])
    assert exact.posterior_exact and not approx.posterior_exact
    assert approx.log_z <= exact.log_z + 1e-9 <= approx.log_z_upper + 1e-9
    out = dvi_result_json(approx)
    assert out["posterior_exact"] is False
    assert any("approximated" in w for w in out["warnings"])
    # top-5 of 19,081: the posterior of the best is over-estimated, never under
    assert approx.best.posterior >= exact.best.posterior - 1e-12


def test_family_option_cap_is_a_clear_error():
    from homecoming.errors import InputError

    ds = load_dvi_dataset(EXAMPLES / "grave.json")
    with pytest.raises(InputError, match=r"family 'F1': more than 50 feasible sub-assignments"):
        solve(ds, config=IdentificationConfig(max_family_options=50))
