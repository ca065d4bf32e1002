"""Small-cell suppression of the public statistics (services/web_queries.py), worked by hand.

Rule: every count below 5 (zero included) is hidden (primary); then every row, column and
margin sum with exactly one hidden term gets its smallest published cell hidden too, and any
hidden entry still fixed by the sums gets a partner (complementary). The brute-force check
below confirms that no hidden entry can be worked out: for each one, two tables agreeing on
everything published give it different values.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from homecoming.errors import InputError
from homecoming.services.web_queries import age_group, suppress_small_cells


def test_two_by_three_by_hand():
    #        A   B   C | total
    #   s1  10   3  12 |  25
    #   s2   8   9   7 |  24
    #       18  12  19 |  49
    # B/s1 = 3 < 5: hidden. Row s1 would give it away (25 - 10 - 12): hide its smallest
    # other cell, A/s1 = 10. Column A then has one hidden: hide A/s2 = 8. Column B: hide
    # B/s2 = 9. Row s2 now has two hidden. The four hidden cells form a rectangle: the sums
    # fix only A/s1 + B/s1 = 13, A/s2 + B/s2 = 17, A/s1 + A/s2 = 18, B/s1 + B/s2 = 12.
    table = suppress_small_cells(["s1", "s2"], ["A", "B", "C"], [[10, 3, 12], [8, 9, 7]])
    assert table.cells == ((None, None, 12), (None, None, 7))
    assert table.row_totals == (25, 24)
    assert table.column_totals == (18, 12, 19)
    assert table.total == 49
    assert table.primary == {(0, 1)}
    assert table.complementary == {(0, 0), (1, 0), (1, 1)}


def test_one_row_by_hand():
    # male 20, female 2, unknown 30; total 52. The one row's cells are also the column
    # totals: female (2) is hidden in both; the row sum then hides male (20) as partner,
    # and the column total of male with it. Published: unknown 30 and total 52 — so the
    # reader learns male + female = 22, not either.
    table = suppress_small_cells(["all"], ["male", "female", "unknown"], [[20, 2, 30]])
    assert table.cells == ((None, None, 30),)
    assert table.column_totals == (None, None, 30)
    assert table.row_totals == (52,)
    assert table.total == 52


def test_nothing_small_nothing_hidden():
    table = suppress_small_cells(["a", "b"], ["x", "y"], [[5, 6], [7, 8]])
    assert table.cells == ((5, 6), (7, 8))
    assert table.primary == frozenset() and table.complementary == frozenset()


def test_zero_is_small_and_a_small_total_is_hidden():
    # row b: 0 and 3, total 3 < 5: all three hidden; column y total 3 hidden too.
    table = suppress_small_cells(["a", "b"], ["x", "y"], [[10, 0], [0, 3]])
    assert table.primary == {(0, 1), (1, 0), (1, 1), (1, -1), (-1, 1)}
    assert table.cells[0][1] is None and table.cells[1] == (None, None)
    assert table.row_totals[1] is None and table.column_totals[1] is None


def _published(table):
    """(position, value) of everything a reader sees."""
    seen = {}
    for r, row in enumerate(table.cells):
        for c, v in enumerate(row):
            if v is not None:
                seen[(r, c)] = v
    for r, v in enumerate(table.row_totals):
        if v is not None:
            seen[(r, -1)] = v
    for c, v in enumerate(table.column_totals):
        if v is not None:
            seen[(-1, c)] = v
    if table.total is not None:
        seen[(-1, -1)] = table.total
    return seen


def _consistent_tables(table, truth, limit):
    """Every table of counts (hidden cells up to ``limit``) that shows what ``table`` shows:
    published cells keep their values; the hidden cells of each row take every combination
    that matches the row's total (if published), and the rows are then checked together."""
    seen = _published(table)
    n_rows, n_cols = truth.shape

    def row_options(r):
        hidden = [c for c in range(n_cols) if (r, c) not in seen]
        known = sum(int(truth[r, c]) for c in range(n_cols) if (r, c) in seen)
        for values in itertools.product(range(limit + 1), repeat=len(hidden)):
            if (r, -1) in seen and known + sum(values) != seen[(r, -1)]:
                continue
            row = truth[r].copy()
            row[hidden] = values
            yield row

    for rows in itertools.product(*[list(row_options(r)) for r in range(n_rows)]):
        grid = np.array(rows)
        entries = {(r, c): grid[r, c] for r in range(n_rows) for c in range(n_cols)}
        entries.update({(r, -1): grid[r].sum() for r in range(n_rows)})
        entries.update({(-1, c): grid[:, c].sum() for c in range(n_cols)})
        entries[(-1, -1)] = grid.sum()
        if all(entries[k] == v for k, v in seen.items()):
            yield entries


@pytest.mark.parametrize("counts", [
    [[1, 7, 9], [6, 8, 2]],
    [[0, 12, 5], [9, 4, 6]],
    [[3, 3, 3], [9, 9, 9]],
    [[6, 1], [7, 9], [8, 5]],
    [[9, 1, 7], [6, 8, 9], [7, 9, 8]],
])
def test_no_hidden_count_can_be_worked_out(counts):
    n_rows, n_cols = len(counts), len(counts[0])
    table = suppress_small_cells([f"r{i}" for i in range(n_rows)],
                                 [f"c{j}" for j in range(n_cols)], counts)
    truth = np.array(counts)
    hidden = [(r, c) for r in range(n_rows) for c in range(n_cols)
              if table.cells[r][c] is None]
    assert hidden, "the examples all have a small cell"
    assert all(truth[r, c] >= 5 for r in range(n_rows) for c in range(n_cols)
               if table.cells[r][c] is not None)
    possible: dict[tuple[int, int], set[int]] = {k: set() for k in hidden}
    for entries in _consistent_tables(table, truth, limit=12):
        for k in hidden:
            possible[k].add(int(entries[k]))
    for k in hidden:
        assert int(truth[k]) in possible[k]
        assert len(possible[k]) > 1, f"hidden cell {k} is determined"


def test_negative_counts_refused():
    with pytest.raises(InputError, match="negative"):
        suppress_small_cells(["a"], ["x"], [[-1]])


@pytest.mark.parametrize("age, group", [
    (None, "unknown"), ({"minimum": 10, "maximum": 14}, "child"),
    ({"minimum": 15, "maximum": 21}, "adult"),      # midpoint 18
    ({"minimum": 55, "maximum": 65}, "older"),      # midpoint 60
    ({"minimum": 50, "maximum": 69}, "adult"),      # midpoint 59.5
])
def test_age_group_from_the_midpoint(age, group):
    assert age_group(age) == group
