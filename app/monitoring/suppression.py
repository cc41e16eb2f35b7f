"""Small-count suppression for figures that leave the officials' role (CSV, XLSX, PDF, the
answer sheet). Officials' own pages show exact figures.

Primary: every count below ``THRESHOLD`` (0 to 4) is shown as ``"< 5"``; a count hidden
only to protect one (secondary) is shown as ``"x"``, never as "< 5", which would be untrue.
Secondary: a reader must not recover a suppressed cell by subtracting shown cells from a
shown total. In every line of a table (a row with its row total, a column with its column
total) the suppressed entries are therefore none or at least two: while a line holds exactly
one, a shown inner cell of that line is suppressed too (one whose crossing line also needs a
second, else the smallest; the total itself only when no inner cell is left), and this
repeats until every line is safe. Shares and changes in percent computed from a suppressed
count are suppressed with it.
"""

from collections.abc import Sequence

THRESHOLD = 5
SUPPRESSED = "< 5"
HIDDEN = "x"  # a count of 5 or more, hidden so that no small count can be recovered


def is_small(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value < THRESHOLD


def suppress_grid(
    grid: Sequence[Sequence[int]], *, row_totals: bool = True, column_totals: bool = True
) -> list[list[bool]]:
    """The mask of cells to suppress in ``grid``.

    ``row_totals``: the last column holds each row's total; ``column_totals``: the last
    row holds each column's total (and, with both, the bottom-right the grand total).
    """
    rows = len(grid)
    columns = len(grid[0]) if rows else 0
    mask = [[is_small(value) for value in row] for row in grid]
    inner_rows = rows - 1 if column_totals else rows
    inner_columns = columns - 1 if row_totals else columns

    lines: list[tuple[list[tuple[int, int]], tuple[int, int]]] = []
    if row_totals:  # each row (the totals row too) with its total in the last column
        lines += [([(r, c) for c in range(inner_columns)], (r, columns - 1)) for r in range(rows)]
    if column_totals:
        lines += [([(r, c) for r in range(inner_rows)], (rows - 1, c)) for c in range(columns)]

    entries = [[*inner, total] for inner, total in lines]
    lines_of: dict[tuple[int, int], list[int]] = {}
    for index, line in enumerate(entries):
        for cell in line:
            lines_of.setdefault(cell, []).append(index)

    def hidden(index: int) -> int:
        return sum(mask[r][c] for r, c in entries[index])

    changed = True
    while changed:
        changed = False
        for index, (inner, total) in enumerate(lines):
            if not inner or hidden(index) != 1:
                continue  # a line of a total alone (an empty list) reveals nothing more
            # prefer a cell whose crossing line needs a second one too, then the smallest
            shown = [
                (
                    0
                    if any(other != index and hidden(other) == 1 for other in lines_of[(r, c)])
                    else 1,
                    grid[r][c],
                    r,
                    c,
                )
                for r, c in inner
                if not mask[r][c]
            ]
            if shown:
                _crossing, _value, r, c = min(shown)
            else:
                r, c = total
            mask[r][c] = True
            changed = True
    return mask


def suppress_list(values: Sequence[int], total: int) -> tuple[list[bool], bool]:
    """One breakdown with its total: the mask of the values, and whether the total goes
    (only when it is small itself, or no value is left to hide beside a suppressed one)."""
    mask = suppress_grid([[*values, total]], row_totals=True, column_totals=False)[0]
    return mask[:-1], mask[-1]


def shown(value: object, hidden: bool) -> object:
    """The value, or in its place ``SUPPRESSED`` (a small count) or ``HIDDEN`` (another)."""
    if not hidden:
        return value
    return SUPPRESSED if is_small(value) else HIDDEN  # a share or change: "x" too


def is_hidden(value: object) -> bool:
    """Whether a figure was replaced by ``shown``."""
    return isinstance(value, str) and value in (SUPPRESSED, HIDDEN)
