"""One page of a select: counted once, this page's keys with LIMIT/OFFSET, in order."""

import sqlalchemy as sa

from app.calls.models import Call
from app.core.pagination import page_of_keys
from tests.factories import make_call


def test_page_of_keys_counts_and_slices_in_sql(app):
    ids = sorted(make_call(code=f"PAGE-{n:02d}").id for n in range(5))
    query = sa.select(Call.id).where(Call.code.like("PAGE-%"))
    page, keys = page_of_keys({"page": "2"}, query, (Call.code,), per_page=2)
    assert (page.number, page.total, page.pages) == (2, 5, 3)
    assert keys == ids[2:4]
    past_the_end, keys = page_of_keys({"page": "9"}, query, (Call.code.desc(),), per_page=2)
    assert past_the_end.number == 3 and keys == ids[:1]


def test_page_of_keys_counts_without_the_sort_joins(app):
    make_call(code="PAGE-ONLY")
    query = sa.select(Call.id).where(Call.code == "PAGE-ONLY")
    page, keys = page_of_keys({}, query.where(Call.id > 0), (Call.id,), count=query)
    assert page.total == 1 and len(keys) == 1
