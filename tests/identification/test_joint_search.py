"""The joint search (exact DP / assignment search) against brute-force enumeration of options."""

from __future__ import annotations

import itertools
import math
import random
from fractions import Fraction

import pytest

from homecoming.identification.joint import Option, search


def brute(options):
    """All combinations of one option per family with disjoint victims: (gain, choice)."""
    out = []
    for choice in itertools.product(*(range(len(o)) for o in options)):
        used = 0
        ok = True
        g = 0.0
        for f, j in enumerate(choice):
            o = options[f][j]
            if o.mask & used:
                ok = False
                break
            used |= o.mask
            g += o.gain
        if ok:
            out.append((g, choice))
    out.sort(key=lambda x: -x[0])
    return out


def random_options(rng, n_fam, n_vic, max_missing=2, density=0.5):
    options = []
    for f in range(n_fam):
        n_miss = rng.randint(1, max_missing)
        cands = [[v for v in range(n_vic) if rng.random() < density] for _ in range(n_miss)]
        opts = [Option(0, 0.0)]
        def rec(i, used, pairs, n_miss=n_miss, cands=cands, opts=opts, f=f):
            if i == n_miss:
                if pairs:
                    opts.append(Option(used, rng.uniform(-8, 12), tuple(pairs)))
                return
            rec(i + 1, used, pairs)
            for v in cands[i]:
                if not used >> v & 1:
                    rec(i + 1, used | 1 << v, pairs + [(f"M{f}_{i}", f"V{v}")])
        rec(0, 0, [])
        options.append(opts)
    return options


def assert_feasible(options, gain, combination):
    """The combination uses each victim at most once and its options' gains sum to ``gain``."""
    used, total = 0, 0.0
    for f, j in enumerate(combination):
        assert not options[f][j].mask & used
        used |= options[f][j].mask
        total += options[f][j].gain
    assert total == pytest.approx(gain, abs=1e-9)


@pytest.mark.parametrize("seed", range(25))
@pytest.mark.parametrize("max_states", [200_000, 1])
def test_search_equals_brute_force(seed, max_states):
    rng = random.Random(seed)
    options = random_options(rng, rng.randint(1, 5), rng.randint(1, 6))
    expected = brute(options)
    sol = search(options, k=7, max_states=max_states)
    assert len(sol.top) == min(7, len(expected))
    for (g, _c), (eg, _ec) in zip(sol.top, expected):
        assert g == pytest.approx(eg, abs=1e-9)
    # the choices returned really have the gains reported
    for g, c in sol.top:
        used = 0
        total = 0.0
        for f, j in enumerate(c):
            assert not options[f][j].mask & used
            used |= options[f][j].mask
            total += options[f][j].gain
        assert total == pytest.approx(g, abs=1e-9)
    log_z = math.log(sum(math.exp(g) for g, _ in expected))
    if sol.exact:
        assert sol.log_z == pytest.approx(log_z, abs=1e-9)
    else:
        assert max_states == 1
        assert sol.log_z <= log_z + 1e-9
        assert sol.log_z_upper >= log_z - 1e-9


def test_forcing_filter():
    rng = random.Random(3)
    options = random_options(rng, 4, 5)
    def keep(f, o):
        return f != 0 or o.mask != 0  # family 0 must take someone

    expected = [x for x in brute(options) if x[1][0] != 0]
    sol = search(options, k=3, keep=keep)
    assert [g for g, _ in sol.top] == pytest.approx([g for g, _ in expected[:3]])


@pytest.mark.parametrize("seed", range(10))
def test_larger_random_cases_both_paths(seed):
    rng = random.Random(1000 + seed)
    options = random_options(rng, rng.randint(4, 6), rng.randint(5, 7), max_missing=3,
                             density=0.35)
    expected = brute(options)
    for max_states in (200_000, 4):
        sol = search(options, k=15, max_states=max_states)
        assert [g for g, _ in sol.top] == pytest.approx([g for g, _ in expected[:15]], abs=1e-9)
    def keep(f, o):
        return f != 1 or o.mask == 0  # family 1 takes nobody

    exp_keep = [x for x in expected if options[1][x[1][1]].mask == 0]
    for max_states in (200_000, 4):
        sol = search(options, k=5, max_states=max_states, keep=keep)
        assert [g for g, _ in sol.top] == pytest.approx([g for g, _ in exp_keep[:5]], abs=1e-9)


@pytest.mark.parametrize("seed", range(20))
def test_wide_single_missing_components_use_murty_and_equal_brute_force(seed):
    """One missing person per family: past the DP's state cap the component is a linear
    assignment problem; Murty's ranking gives the exact top-k (checked by enumeration)."""
    from homecoming.identification import joint

    rng = random.Random(5000 + seed)
    options = random_options(rng, rng.randint(2, 6), rng.randint(2, 7), max_missing=1,
                             density=0.6)
    expected = brute(options)
    comps = joint.components(options)
    for comp in comps:
        assert joint._assignment_form(comp, options, None) is not None
    sol = search(options, k=12, max_states=1)
    assert [g for g, _ in sol.top] == pytest.approx([g for g, _ in expected[:12]], abs=1e-9)
    assert len({c for _, c in sol.top}) == len(sol.top)          # distinct assignments
    for g, c in sol.top:
        assert_feasible(options, g, c)
    # with a filter forcing family 0 to take a victim
    def keep_taking(f, o):
        return f != 0 or o.mask != 0

    exp_keep = [x for x in expected if options[0][x[1][0]].mask != 0]
    sol = search(options, k=5, max_states=1, keep=keep_taking)
    assert [g for g, _ in sol.top] == pytest.approx([g for g, _ in exp_keep[:5]], abs=1e-9)


def test_many_weak_sibling_families_are_solved_quickly():
    """60 families competing for 60 victims with weak gains (sibling-only references): the
    DP and a naive branch-and-bound explode; the assignment path ranks the top 10 exactly.
    The best is checked against an independent LSAP solve of the same matrix."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    rng = random.Random(7)
    n = 60
    gains = [[rng.uniform(-3, 3) if rng.random() < 0.5 else None for _ in range(n)]
             for _ in range(n)]
    options = [[Option(0, 0.0)] + [Option(1 << v, g, ((f"M{f}", f"V{v}"),))
                                   for v, g in enumerate(row) if g is not None]
               for f, row in enumerate(gains)]
    sol = search(options, k=10)
    assert not sol.exact and len(sol.top) == 10
    tops = [g for g, _ in sol.top]
    assert tops == sorted(tops, reverse=True)
    w = np.full((n, 2 * n), -1e9)
    for f, row in enumerate(gains):
        w[f, n + f] = 0.0
        for v, g in enumerate(row):
            if g is not None:
                w[f, v] = g
    r, c = linear_sum_assignment(-w)
    assert sol.top[0][0] == pytest.approx(w[r, c].sum(), abs=1e-9)


@pytest.mark.parametrize("seed", range(12))
def test_wide_components_with_several_missing_families_equal_brute_force(seed):
    """Mostly one-missing families (the assignment problem) plus one or two families of two or
    three missing persons (enumerated on top, pruned by combination gain + assignment optimum):
    past the DP's state cap the top-k is still exact."""
    from homecoming.identification import joint

    rng = random.Random(9000 + seed)
    n_vic = rng.randint(4, 7)
    singles = random_options(rng, rng.randint(3, 5), n_vic, max_missing=1, density=0.6)
    multis = []
    while len(multis) < rng.randint(1, 2):
        fam = random_options(rng, 1, n_vic, max_missing=3, density=0.5)[0]
        if any(o.mask & (o.mask - 1) for o in fam):     # at least one two-victim option
            multis.append(fam)
    options = singles + multis
    expected = brute(options)
    sol = search(options, k=10, max_states=1)
    assert [g for g, _ in sol.top] == pytest.approx([g for g, _ in expected[:10]], abs=1e-9)
    assert len({c for _, c in sol.top}) == len(sol.top)
    for g, c in sol.top:
        assert_feasible(options, g, c)
    assert all(r.method == "assignment" for r in sol.components if len(r.families) > 1)
    assert not any(r.limit_reached for r in sol.components)
    # forcing the last family to take somebody
    last = len(options) - 1

    def keep(f, o):
        return f != last or o.mask != 0

    exp_keep = [x for x in expected if options[last][x[1][last]].mask != 0]
    sol = search(options, k=4, max_states=1, keep=keep)
    assert [g for g, _ in sol.top] == pytest.approx([g for g, _ in exp_keep[:4]], abs=1e-9)
    assert joint.DEFAULT_MAX_ASSIGNMENT_SOLVES >= 1000


def test_assignment_limit_is_reported_not_silent():
    """With a budget of 2 solves the search stops: the component says limit_reached, and what
    it reports is a valid assignment no better than the true best."""
    rng = random.Random(3)
    options = random_options(rng, 5, 5, max_missing=2, density=0.6)
    expected = brute(options)
    sol = search(options, k=5, max_states=1, max_solves=2)
    assert any(r.limit_reached for r in sol.components)
    assert sol.method["limit_reached_components"] != "0"
    assert not sol.exact
    for g, _ in sol.top:
        assert g <= expected[0][0] + 1e-9
    full = search(options, k=5, max_states=1)
    assert [g for g, _ in full.top] == pytest.approx([g for g, _ in expected[:5]], abs=1e-9)


def test_search_reports_component_progress():
    rng = random.Random(4)
    options = random_options(rng, 6, 10, density=0.15)
    seen = []
    sol = search(options, k=3, progress=lambda d, t: seen.append((d, t)))
    n = len(sol.components)
    assert seen[0] == (0, n) and seen[-1] == (n, n)


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("max_solves", [1, 2, 5])
def test_solve_limit_still_reports_a_valid_assignment(seed, max_solves):
    """A component that runs out of its solve limit before ranking anything (several-missing
    families enumerated first) still reports a best-found assignment, flagged limit_reached:
    victim-disjoint, with the gain reported, never better than the true best (brute force).
    Before, such a component had no assignment and the solver's conclusion step failed."""
    rng = random.Random(seed)
    options = random_options(rng, rng.randint(2, 4), rng.randint(3, 5), max_missing=3,
                             density=0.7)
    expected = brute(options)
    sol = search(options, k=5, max_states=1, max_solves=max_solves)
    assert sol.top, "an assignment is always reported"
    for comp in sol.components:
        assert comp.top, comp.families
    for g, c in sol.top:
        assert_feasible(options, g, c)
        assert g <= expected[0][0] + 1e-9
    if not any(comp.limit_reached for comp in sol.components):
        assert sol.top[0][0] == pytest.approx(expected[0][0], abs=1e-9)


def test_family_order_hand_computed() -> None:
    """The DP's greedy family order (fewest victims shared between the processed families and
    the others, then fewest options; ties to the lowest index), worked by hand: masks
    F0 {0}, F1 {0,1}, F2 {1,2}, F3 {3}, F4 {0,2,4}. F3 first (shares nothing), then F0 (one
    shared victim), F1 (2 shared, 3 options) before F4 (2 shared, 4 options), F2, F4."""
    from homecoming.identification.joint import _family_order

    def opts(*masks: int) -> list[Option]:
        return [Option(0, 0.0)] + [Option(m, 1.0) for m in masks]

    options = [opts(1), opts(1, 2), opts(2, 4), opts(8), opts(4, 16, 1)]
    assert _family_order([0, 1, 2, 3, 4], options) == [3, 0, 1, 2, 4]
    assert _family_order([4, 2, 0], options) == [0, 4, 2]
    assert _family_order([3], options) == [3]
    assert _family_order([], options) == []


def test_dp_count_decides_as_the_dp(monkeypatch: pytest.MonkeyPatch) -> None:
    """The DP's count (_dp_fits) gives up exactly where the DP itself would (more states in a
    layer than max_states, or more work than its cap), so counting first changes no result."""
    from homecoming.identification import joint

    monkeypatch.setattr(joint, "DP_COUNT_FROM", 0)        # count every component
    outcomes: list[bool] = []
    for seed in range(40):
        rng = random.Random(seed)
        nv = rng.randint(3, 14)
        options = []
        for _ in range(rng.randint(2, 9)):
            opts = [Option(0, 0.0)]
            for _ in range(rng.randint(1, 5)):
                mask = 0
                for _ in range(rng.randint(1, 2)):
                    mask |= 1 << rng.randrange(nv)
                opts.append(Option(mask, rng.uniform(-3, 5)))
            options.append(opts)
        fams = list(range(len(options)))
        order = joint._family_order(fams, options)
        future = [0] * (len(order) + 1)
        for i in range(len(order) - 1, -1, -1):
            future[i] = future[i + 1]
            for o in options[order[i]]:
                future[i] |= o.mask
        for max_states in (1, 2, 3, 5, 8, 13, 40, 1000):
            for k in (1, 3):
                fits = joint._dp_fits(order, options, future, k, max_states,
                                      joint.DP_WORK_PER_STATE * max_states, None)
                with monkeypatch.context() as m:
                    m.setattr(joint, "_dp_fits", lambda *a: True)   # the DP alone
                    try:
                        joint._dp_run(fams, options, k, max_states, None, True)
                        dp_gave_up = False
                    except joint._TooLarge:
                        dp_gave_up = True
                assert fits is not dp_gave_up, (seed, max_states, k)
                outcomes.append(fits)
                # and the search gives the same result with the count as without it
                with_count = joint._solve_component(fams, options, k, max_states, None, True)
                with monkeypatch.context() as m:
                    m.setattr(joint, "_dp_fits", lambda *a: True)
                    without = joint._solve_component(fams, options, k, max_states, None, True)
                assert with_count == without, (seed, max_states, k)
    # both decisions were met, often
    assert outcomes.count(True) > 100 and outcomes.count(False) > 100, (
        outcomes.count(True), outcomes.count(False))


def test_combinations_order_hand_computed() -> None:
    """Option combinations of several-missing families in decreasing total gain, ties by
    increasing index tuple: gains [3, 1] and [2, 2, 0] give totals 5 (0,0), 5 (0,1),
    3 (0,2), 3 (1,0), 3 (1,1), 1 (1,2) in that order."""
    from homecoming.identification.joint import _combinations

    lists = [[(0, Option(0, 3.0)), (1, Option(0, 1.0))],
             [(0, Option(0, 2.0)), (1, Option(0, 2.0)), (2, Option(0, 0.0))]]
    assert list(_combinations(lists)) == [(5.0, (0, 0)), (5.0, (0, 1)), (3.0, (0, 2)),
                                          (3.0, (1, 0)), (3.0, (1, 1)), (1.0, (1, 2))]
    assert list(_combinations([])) == [(0.0, ())]
    assert list(_combinations([lists[0], []])) == []


def test_combinations_leave_out_impossible_options() -> None:
    """A gain of −∞ (an impossible option) ends its list: no combination with it is yielded;
    a list with only such options leaves no combination at all. Gains of +∞ or NaN are
    refused."""
    from homecoming.identification.joint import _combinations

    a = [(0, Option(0, 1.0)), (1, Option(0, -math.inf))]
    b = [(0, Option(0, 0.5)), (1, Option(0, 0.25)), (2, Option(0, -math.inf))]
    assert list(_combinations([a, b])) == [(1.5, (0, 0)), (1.25, (0, 1))]
    assert list(_combinations([a, [(0, Option(0, -math.inf))]])) == []
    with pytest.raises(ValueError, match="finite"):
        list(_combinations([[(0, Option(0, math.nan))]]))


@pytest.mark.parametrize("seed", range(30))
def test_combinations_every_tuple_once_in_order(seed: int) -> None:
    """_combinations yields every index tuple exactly once, in (decreasing total, increasing
    tuple) order of the exact totals, each rounded once (many exact ties among the gains and
    among the lists' first steps, which decide the tree's list order)."""
    from homecoming.identification.joint import _combinations

    rng = random.Random(seed)
    lists = []
    for _ in range(rng.randint(1, 8)):
        gains = sorted((rng.choice([0.0, 1.5, -2.25, 3.0, 0.1, 0.2, 0.3])
                        for _ in range(rng.randint(1, 5))), reverse=True)
        lists.append([(j, Option(0, g)) for j, g in enumerate(gains)])
    exact = []
    for idx in itertools.product(*(range(len(lst)) for lst in lists)):
        exact.append((sum(Fraction(lists[e][i][1].gain) for e, i in enumerate(idx)), idx))
    exact.sort(key=lambda x: (-x[0], x[1]))
    assert list(_combinations(lists)) == [(float(total), idx) for total, idx in exact]
