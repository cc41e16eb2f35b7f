"""Hostile input against the main forms and URLs: never a server error, on either database.

Each form is read from its page (every input, textarea and select with its current value), then
posted with one field replaced by a hostile string; hypothesis draws the strings and fields.
"""

import re
from html import unescape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.proposals.fields import SECTIONS
from tests.factories import make_call, make_proposal, make_user

HOSTILE = [
    "\x00",
    "a\x00b",
    "\r\nBcc: x@example.org",
    "1e30",
    "-1e30",
    "1e-30",
    "NaN",
    "Infinity",
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "99999999999999999999",
    "-99999999999999999999",
    "-1",
    "0",
    "1,5",
    "abc",
    "",
    " ",
    "\u202egnp.exe",
    "'; DROP TABLE users; --",
    "<script>alert(1)</script>",
    "%00",
    "x" * 5000,
    "1.000.000.000.000.000,00",
    "9" * 40,
]

_FIELD = re.compile(r"<(input|textarea|select)\b([^>]*)>", re.S)
_DATE = re.compile(r"\d{4}-\d\d-\d\d.*")
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def form_fields(html: str, action: str | None = None) -> dict[str, str]:
    """The fields of the page's forms as a browser would post them (first value per name)."""
    fields: dict[str, str] = {}
    for match in _FIELD.finditer(html):
        attrs = dict(_ATTR.findall(match.group(2)))
        name = attrs.get("name")
        if not name or name in fields:
            continue
        kind = attrs.get("type", "text")
        if kind in ("checkbox", "radio") and "checked" not in match.group(2):
            continue
        if match.group(1) == "select":
            rest = html[match.end() : html.find("</select>", match.end())]
            option = re.search(r'<option[^>]*value="([^"]*)"', rest)
            fields[name] = unescape(option.group(1)) if option else ""
        elif match.group(1) == "textarea":
            rest = html[match.end() : html.find("</textarea>", match.end())]
            fields[name] = unescape(rest)
        else:
            fields[name] = unescape(attrs.get("value", ""))
    fields.pop("csrf_token", None)
    return fields


@pytest.fixture
def world(client, login):
    """An applicant with a draft, an official, and the pages to attack."""
    call = make_call(code="HOSTILE-1")
    applicant = make_user("applicant")
    official = make_user("official")
    proposal = make_proposal(call, applicant)
    return {"call": call, "applicant": applicant, "official": official, "proposal": proposal}


def _pages(world):
    proposal, call = world["proposal"], world["call"]
    organisation_id = sorted(world["applicant"].organisation_ids)[0]
    applicant = [f"/proposals/{proposal.id}/edit/{section.key}" for section in SECTIONS]
    applicant += [f"/organisations/{organisation_id}/edit", "/auth/profile"]
    official = ["/calls/new", f"/calls/{call.code}/edit"]
    anonymous = ["/auth/login", "/auth/register", "/auth/forgot-password"]
    return {"applicant": applicant, "official": official, None: anonymous}


def _fields_of(client, url: str, cache: dict) -> list[tuple[str, dict]]:
    if url not in cache:
        page = client.get(url)
        assert page.status_code == 200, url
        cache[url] = form_fields(page.get_data(as_text=True))
    return cache[url]


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
VALUES = st.one_of(st.sampled_from(HOSTILE), st.text(st.characters(codec="utf-8"), max_size=30))


@pytest.mark.parametrize("who", [None, "applicant", "official"])
def test_hostile_strings_in_the_main_forms_never_give_a_server_error(client, login, world, who):
    if who:
        login(world[who])
    pages = _pages(world)[who]
    cache: dict = {}
    for url in pages:  # every field of every page with NUL and 1e30, dates with year 1
        fields = _fields_of(client, url, cache)
        for name, current in fields.items():
            values = ["a\x00b", "1e30"]
            if _DATE.fullmatch(current) or "date" in name or name.endswith("_at"):
                values.append("0001-01-01")
            for value in values:
                response = client.post(url, data=dict(fields, **{name: value}))
                assert response.status_code < 500, (url, name, value)

    @SETTINGS
    @given(data=st.data())
    def generated(data):
        url = data.draw(st.sampled_from(pages))
        fields = _fields_of(client, url, cache)
        names = data.draw(st.lists(st.sampled_from(sorted(fields)), min_size=1, max_size=3))
        hostile = {name: data.draw(VALUES) for name in names}
        response = client.post(url, data=dict(fields, **hostile))
        assert response.status_code < 500, (url, hostile)

    generated()


@pytest.mark.parametrize(
    "path",
    [
        "/calls/A%00B",
        "/calls/%00/edit",
        "/proposals/new/%00",
        "/api/v1/calls/%00/stats",
        "/evaluation/calls/%00/criteria",
        "/calls/A%0AB",
        "/proposals/99999999999999999999",
        "/proposals/99999999999999999999/edit/general",
        "/organisations/99999999999999999999/edit",
        "/evaluation/assignments/99999999999999999999",
        "/proposals/2147483648",
    ],
)
def test_hostile_ids_and_codes_in_urls_are_not_found(client, login, world, path):
    login(world["official"])
    assert client.get(path).status_code == 404, path


@pytest.mark.parametrize(
    "path",
    [
        "/calls/?page=99999999999999999999",
        "/calls/?q=%00",
        "/calls/?page=%00",
        "/audit/?page=-1&sort=%00",
    ],
)
def test_hostile_query_strings_never_give_a_server_error(client, login, world, path):
    login(world["official"])
    assert client.get(path).status_code < 500, path
