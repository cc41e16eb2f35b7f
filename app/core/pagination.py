"""One page of a list: page number, sort and filters come from the query string; the
rows are selected in SQL with LIMIT/OFFSET and counted with COUNT(*).

    page = Page.of(request.args, total=count, per_page=50)
    rows = db.session.scalars(query.limit(page.per_page).offset(page.offset))
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from app.core.db import db

PER_PAGE = 50


def page_number(args: Mapping[str, str], name: str = "page") -> int:
    """The requested page (1 for anything that is not a positive whole number)."""
    raw = (args.get(name) or "").strip()
    return int(raw) if raw.isdigit() and 0 < int(raw) < 10**6 else 1


def choice(args: Mapping[str, str], name: str, allowed: Sequence[str], default: str) -> str:
    """A sort or filter value from the query string, or ``default`` when not allowed."""
    value = (args.get(name) or "").strip()
    return value if value in allowed else default


@dataclass
class Page:
    """One page of ``total`` rows; ``items`` are the rows shown."""

    number: int
    total: int
    per_page: int = PER_PAGE
    items: list[Any] = field(default_factory=list)

    @classmethod
    def of(cls, args: Mapping[str, str], total: int, per_page: int | None = None) -> "Page":
        page = cls(page_number(args), total, per_page or PER_PAGE)
        page.number = min(page.number, page.pages)  # past the end: the last page
        return page

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.per_page

    @property
    def first(self) -> int:
        """Position (1-based) of the first row shown, 0 for an empty list."""
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.per_page, self.total)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and ``around`` either side of the
        current one; None where numbers are left out (shown as an ellipsis)."""
        wanted = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        numbers = sorted(n for n in wanted if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in numbers:
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out

    def slice(self, rows: Sequence[Any]) -> list[Any]:
        """This page of rows computed elsewhere (for lists whose order needs every row,
        such as the ranking); the rows must be light tuples, never full objects."""
        return list(rows[self.offset : self.offset + self.per_page])


def page_of_keys(
    args: Mapping[str, str],
    query: sa.Select[Any],
    order_by: Sequence[Any],
    *,
    count: sa.Select[Any] | None = None,
    per_page: int | None = None,
) -> tuple[Page, list[Any]]:
    """The requested page of ``query`` (a select of one column, usually an id) sorted by
    ``order_by``: one COUNT(*) over ``count`` (default: ``query``; a query without the
    joins only the sort needs), one LIMIT/OFFSET select of this page's keys."""
    counted = count if count is not None else query
    total = db.session.scalar(sa.select(sa.func.count()).select_from(counted.subquery())) or 0
    page = Page.of(args, total, per_page)
    keys = list(
        db.session.scalars(query.order_by(*order_by).limit(page.per_page).offset(page.offset))
    )
    return page, keys
