"""Figures in the reader's language: every format in Dutch and in English."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from flask import render_template_string, session
from flask_babel import force_locale, get_locale, refresh

from app.core import formatting
from app.core.time import brussels

NBSP = "\u00a0"


@pytest.mark.parametrize(("language", "expected"), [("nl", "€ 12.500,50"), ("en", "€12,500.50")])
def test_euro(language, expected):
    assert formatting.euro(Decimal("12500.5"), language) == expected
    assert formatting.euro(None, language) == ""


@pytest.mark.parametrize(
    ("language", "whole", "exact", "fixed"),
    [("nl", "12.345", "2,5", "1.234,50"), ("en", "12,345", "2.5", "1,234.50")],
)
def test_numbers(language, whole, exact, fixed):
    assert formatting.number(12345, lang=language) == whole
    assert formatting.number(Decimal("2.50"), lang=language) == exact
    assert formatting.number(Decimal("1234.5"), 2, lang=language) == fixed


@pytest.mark.parametrize("language", ["nl", "en"])
def test_euro_amounts_are_written_as_babel_writes_them(language):
    from babel.numbers import format_currency

    for text in ("0", "0.5", "7", "12.34", "999.99", "1000", "12500.5", "1234567.89", "10e12"):
        expected = format_currency(Decimal(text), "EUR", locale=language).replace(NBSP, " ")
        assert formatting.euro(Decimal(text), language) == expected, text
    # negative amounts and fractions of a cent go through Babel itself
    assert formatting.euro(Decimal("-12.5"), language) == format_currency(
        Decimal("-12.5"), "EUR", locale=language
    ).replace(NBSP, " ")
    assert formatting.euro(Decimal("0.005"), language) == format_currency(
        Decimal("0.005"), "EUR", locale=language
    ).replace(NBSP, " ")


@pytest.mark.parametrize("language", ["nl", "en"])
def test_whole_numbers_are_written_as_babel_writes_them(language):
    from babel.numbers import format_decimal

    for value in (0, 7, -7, 999, 1000, -1000, 12345, 1234567, -987654321, 10**15):
        assert formatting.number(value, lang=language) == format_decimal(value, locale=language)


@pytest.mark.parametrize(
    ("language", "share", "change", "whole"),
    [("nl", f"12,5{NBSP}%", f"-3,0{NBSP}%", f"10{NBSP}%"), ("en", "12.5%", "-3.0%", "10%")],
)
def test_percentages(language, share, change, whole):
    assert formatting.percent(Decimal("12.5"), lang=language) == share
    assert formatting.percent(Decimal("-3"), signed=True, lang=language) == change
    assert formatting.percent(Decimal("10"), None, lang=language) == whole
    assert formatting.percent(None, none="n/a", lang=language) == "n/a"


def test_a_positive_change_has_its_sign():
    assert formatting.percent(Decimal("12.5"), signed=True, lang="nl") == f"+12,5{NBSP}%"


@pytest.mark.parametrize(
    ("language", "day", "moment", "minute"),
    [
        ("nl", "31-03-2027", "31-03-2027 23:59:59", "31-03-2027 23:59"),
        ("en", "31 Mar 2027", "31 Mar 2027 23:59:59", "31 Mar 2027 23:59"),
    ],
)
def test_dates_and_times_in_brussels(language, day, moment, minute):
    instant = brussels(2027, 3, 31, 23, 59, 59)  # 21:59:59 UTC
    assert formatting.day(date(2027, 3, 31), language) == day
    assert formatting.day("2027-03-31", language) == day
    assert formatting.moment(instant, lang=language) == moment
    assert formatting.moment(instant, seconds=False, lang=language) == minute


def test_a_naive_datetime_is_refused():
    from datetime import datetime

    with pytest.raises(ValueError):
        formatting.moment(datetime(2027, 3, 31, 12, 0))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("nl", f"€ 1.250,00 · 3,5 · 12,5{NBSP}% · 31-03-2027 · 2{NBSP}kB"),
        ("en", f"€1,250.00 · 3.5 · 12.5% · 31 Mar 2027 · 2{NBSP}kB"),
    ],
)
def test_the_template_filters_follow_the_page_language(app, language, expected):
    with app.test_request_context(), force_locale(language):
        text = render_template_string(
            "{{ amount | euro }} · {{ score | number }} · {{ share | percent }} · "
            "{{ when | day }} · {{ size | kilobytes }}",
            amount=Decimal("1250"),
            score=Decimal("3.5"),
            share=Decimal("12.5"),
            when=date(2027, 3, 31),
            size=2100,
        )
    assert text == expected


@pytest.mark.parametrize(
    ("language", "one", "many"),
    [("nl", "1 registratie", "1.234 registraties"), ("en", "1 record", "1,234 records")],
)
def test_plurals_with_a_formatted_count(app, language, one, many):
    template = '{{ ngettext("%(count)s record", "%(count)s records", n, count=n | number) }}'
    with app.test_request_context(), force_locale(language):
        assert render_template_string(template, n=1) == one
        assert render_template_string(template, n=1234) == many


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nl", "1.423 projecten · 1 project"), ("en", "1,423 projects · 1 project")],
)
def test_the_templates_ngettext_writes_its_count_the_readers_way(app, language, expected):
    template = (
        '{{ ngettext("%(num)s project", "%(num)s projects", many) }} · '
        '{{ ngettext("%(num)s project", "%(num)s projects", 1) }}'
    )
    with app.test_request_context(), force_locale(language):
        assert render_template_string(template, many=1423) == expected


def test_the_templates_ngettext_escapes_what_it_fills_in(app):
    template = '{{ ngettext("%(num)s by %(who)s", "%(num)s by %(who)s", 2, who=who) }}'
    with app.test_request_context(), force_locale("en"):
        assert render_template_string(template, who="<b>") == "2 by &lt;b&gt;"


def test_no_plural_writes_its_count_as_a_bare_integer():
    """``%(num)d`` would show 1423 on a Dutch page, and fail with the count ngettext now
    fills in as text: every plural says ``%(num)s``."""
    root = Path(__file__).resolve().parents[2] / "app"
    offenders = [
        str(path.relative_to(root))
        for path in [*root.rglob("*.html"), *root.rglob("*.py")]
        if "%(num)d" in path.read_text(encoding="utf-8")
    ]
    assert not offenders


def test_the_language_follows_the_request_and_a_forced_language_inside_it(app):
    with app.test_request_context():
        session["language"] = "en"
        refresh()  # the test's application context may have chosen a locale already
        assert formatting.language() == "en" == str(get_locale())
        with force_locale("nl"):
            assert formatting.language() == "nl" == str(get_locale())
            assert formatting.number(1234) == "1.234"
        assert formatting.language() == "en" == str(get_locale())
        assert formatting.number(1234) == "1,234"
        session["language"] = "nl"
        refresh()
        assert formatting.language() == "nl" == str(get_locale())
