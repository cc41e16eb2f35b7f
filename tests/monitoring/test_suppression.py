"""Small-count suppression: primary (< 5) and secondary (no recovery by subtraction)."""

from app.monitoring.suppression import HIDDEN, SUPPRESSED, shown, suppress_grid, suppress_list


def _hidden(mask):
    return {(r, c) for r, row in enumerate(mask) for c, flag in enumerate(row) if flag}


def _safe(grid, mask):
    """No line of the table (with its total) holds exactly one suppressed entry."""
    rows, columns = len(grid), len(grid[0])
    for r in range(rows):
        assert sum(mask[r]) != 1, f"row {r} leaks"
    for c in range(columns):
        assert sum(mask[r][c] for r in range(rows)) != 1, f"column {c} leaks"


def test_nothing_small_nothing_hidden():
    grid = [[10, 20, 30], [5, 6, 11], [15, 26, 41]]
    assert _hidden(suppress_grid(grid)) == set()


def test_a_small_cell_hides_a_second_one_in_its_row_and_column():
    #           a   b   total
    grid = [
        [3, 20, 23],  # row 0: 3 is small
        [12, 7, 19],
        [15, 27, 42],
    ]  # column totals
    mask = suppress_grid(grid)
    hidden = _hidden(mask)
    assert (0, 0) in hidden
    # the row needs a second hidden cell (20), the column a second one (12), and then the
    # remaining lines need theirs (7): a rectangle nobody can solve by subtraction
    assert hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
    _safe(grid, mask)


def test_the_smallest_shown_cell_is_chosen_as_the_second():
    grid = [[2, 50, 9, 61], [40, 60, 70, 170], [30, 80, 90, 200], [72, 190, 169, 431]]
    mask = suppress_grid(grid)
    assert mask[0][2]  # 9 is the smallest shown cell in row 0
    assert not mask[0][1]
    # the second cells are chosen where they close two lines at once: a 2x2 rectangle
    assert _hidden(mask) == {(0, 0), (0, 2), (2, 0), (2, 2)}
    assert not mask[3][3]  # the grand total stays
    _safe(grid, mask)


def test_zero_is_below_five_too():
    grid = [[0, 10, 10], [8, 9, 17], [8, 19, 27]]
    mask = suppress_grid(grid)
    assert mask[0][0]
    _safe(grid, mask)


def test_a_small_total_is_hidden_with_its_cells():
    grid = [[1, 2, 3], [10, 20, 30], [11, 22, 33]]
    mask = suppress_grid(grid)
    assert mask[0] == [True, True, True]
    _safe(grid, mask)


def test_rows_only():
    mask = suppress_grid([[3, 40, 50, 93], [20, 30, 40, 90]], column_totals=False)
    assert mask[0] == [True, True, False, False]
    assert mask[1] == [False, False, False, False]


def test_a_breakdown_keeps_its_total_and_hides_a_second_value():
    values, total = [7, 2, 30, 11], 50
    mask, total_hidden = suppress_list(values, total)
    assert mask == [True, True, False, False]
    assert not total_hidden
    # the 7 is hidden only to protect the 2: it shows as "x", never as an untrue "< 5"
    assert [shown(v, h) for v, h in zip(values, mask, strict=True)] == [HIDDEN, SUPPRESSED, 30, 11]


def test_a_breakdown_of_one_value_must_hide_its_total():
    mask, total_hidden = suppress_list([3], 3)
    assert mask == [True] and total_hidden


def test_an_empty_breakdown_hides_its_small_total_and_ends():
    assert suppress_list([], 0) == ([], True)
    assert suppress_grid([[0]]) == [[True]]
