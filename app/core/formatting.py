"""Numbers, amounts, percentages, dates and times as the reader's language writes them.

Every figure a page, PDF, email or message shows goes through these functions (Babel does
the locale work); they are the template filters ``euro``, ``number``, ``percent``, ``day``,
``brussels`` and ``duration``, registered once by ``init_app``, which also makes the
templates' ``ngettext`` write its count (``%(num)s``) with ``number``. Exports for machines (CSV,
JSON, the API) keep plain values: 1234.50, 2027-03-31T23:59:59+02:00.

    euro(Decimal("12500.5"))   nl '€ 12.500,50'           en '€12,500.50'
    number(Decimal("2.5"))     nl '2,5'                   en '2.5'
    percent(Decimal("10"))     nl '10,0 %'                en '10.0%'
    day(date(2027, 3, 31))     nl '31-03-2027'            en '31 Mar 2027'
    moment(instant)            nl '31-03-2027 23:59:59'   en '31 Mar 2027 23:59:59'
    duration(7 * 86400)        nl '7 dagen'               en '7 days'
"""

from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from babel.core import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_percent, get_group_symbol, get_minus_sign_symbol
from babel.numbers import format_decimal as babel_decimal
from flask import Flask, g
from flask_babel import get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

from app.core.time import BRUSSELS

# Dates as each language writes them in a Belgian administration: Dutch 31-03-2027 (CLDR's
# short Dutch date); English 31 Mar 2027 (never the American 3/31/27).
DATE_PATTERNS = {"nl": "dd-MM-yyyy", "en": "d MMM yyyy"}
# Dutch puts a (non-breaking) space before the percent sign, as the Flemish government's
# style guide does: 10 %; English writes 10%.
PERCENT_SUFFIX = {"nl": "\u00a0%", "en": "%"}


def language(language: str | None = None) -> str:
    """The language to write in: the one given, else the request's, else Dutch.

    A page asks hundreds of times: once Flask-Babel has chosen the request's locale
    (``get_locale``), it is read from where Flask-Babel keeps it (``force_locale`` too
    sets it there), without ``get_locale``'s few microseconds per call."""
    if language:
        return language
    try:
        state = g.get("_flask_babel")
    except RuntimeError:  # no application context
        return "nl"
    locale = getattr(state, "babel_locale", None)
    if locale is None:
        locale = get_locale()
    return "nl" if locale is None else _language_of(locale)


def _language_of(locale: Locale) -> str:
    """'nl' for Babel's Dutch: its name, read without building it for a bare language."""
    if locale.territory or locale.script or locale.variant:
        return str(locale)
    return locale.language


@cache
def _locale(lang: str) -> Locale:
    """Babel's locale for ``lang``, parsed once: Babel parses a locale given by name again
    on every call (a few microseconds each, hundreds of times on a list page)."""
    return Locale.parse(lang)


def euro(amount: Decimal | int | str | None, lang: str | None = None) -> str:
    """'€ 12.500,50' in Dutch, '€12,500.50' in English; '' for none.

    Dutch keeps an ordinary space after the sign (as this portal always has)."""
    if amount is None or amount == "":
        return ""
    value = Decimal(amount)
    lang = language(lang)
    if lang in _GROUPING and value.is_finite() and value >= 0 and _cents(value):
        prefix, group, point = _euro_symbols(lang)
        whole, cents = f"{value.quantize(CENT):,}".split(".")
        return f"{prefix}{whole.replace(',', group)}{point}{cents}"
    text = format_currency(value, "EUR", locale=_locale(lang))
    return text.replace("\u00a0", " ")


CENT = Decimal("0.01")


def _cents(value: Decimal) -> bool:
    """An amount in whole cents (as every amount of the portal): written without rounding."""
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and exponent >= -2


@cache
def _euro_symbols(lang: str) -> tuple[str, str, str]:
    """What Babel writes before a euro amount, between its groups and before its cents, read
    from Babel's own rendering of 1234.56 (so the quick path writes the same text)."""
    sample = format_currency(Decimal("1234.56"), "EUR", locale=_locale(lang)).replace("\u00a0", " ")
    start = sample.index("1")
    return sample[:start], sample[start + 1], sample[sample.index("234") + 3]


def number(
    value: Decimal | int | float | None, places: int | None = None, lang: str | None = None
) -> str:
    """12345 -> '12.345' (nl) / '12,345' (en); a decimal keeps its own digits ('2,5') unless
    ``places`` fixes them; '' for None."""
    if value is None or value == "":
        return ""
    if places is None:
        if type(value) is int:  # a count: the common case
            lang = language(lang)
            if lang in _GROUPING:
                return _whole_number(value, lang)
        if isinstance(value, Decimal):
            digits = max(0, -int(value.normalize().as_tuple().exponent))
            pattern = "#,##0" + ("." + "0" * digits if digits else "")
            return babel_decimal(
                value, format=pattern, locale=_locale(language(lang)), decimal_quantization=False
            )
        return babel_decimal(value, locale=_locale(language(lang)))
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return babel_decimal(Decimal(str(value)), format=pattern, locale=_locale(language(lang)))


# Whole numbers as Babel writes them with the locale's standard pattern (#,##0, groups of
# three), without its pattern machinery: a statistics page writes hundreds of counts.
# Only for languages whose pattern groups by three (tests/core/test_formatting.py checks
# them against Babel).
_GROUPING = {"nl", "en"}


@cache
def _symbols(lang: str) -> tuple[str, str]:
    return get_group_symbol(lang), get_minus_sign_symbol(lang)


def _whole_number(value: int, lang: str) -> str:
    group, minus = _symbols(lang)
    text = f"{abs(value):,}".replace(",", group)
    return f"{minus}{text}" if value < 0 else text


def plain_number(value: Decimal | int | None, lang: str | None = None) -> str:
    """A number as a person types it into a form: '2,5' in Dutch, no thousands separator."""
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",") if language(lang) == "nl" else text


def percent(
    value: Decimal | int | float | None,
    places: int | None = 1,
    *,
    signed: bool = False,
    lang: str | None = None,
    none: str = "",
) -> str:
    """A figure already in percent (12.5 means 12.5 %): nl '12,5 %', en '12.5%'.

    ``places`` decimals (None: the value's own, as for a call's exact 12.5 or 20);
    ``signed`` writes '+12,5 %' for a change; ``none`` is shown for None."""
    if value is None:
        return none
    lang = language(lang)
    if places is None:
        places = max(0, -int(Decimal(str(value)).normalize().as_tuple().exponent))
    body = "#,##0" + ("." + "0" * places if places else "")
    suffix = PERCENT_SUFFIX.get(lang, "%")
    pattern = f"{body}{suffix}"
    if signed:
        pattern = f"+{body}{suffix};-{body}{suffix}"
    return format_percent(
        Decimal(str(value)) / 100, format=pattern, locale=_locale(lang), decimal_quantization=True
    )


def day(value: date | str | None, lang: str | None = None) -> str:
    """A date (or ISO date text, as in version snapshots): nl '31-03-2027', en '31 Mar 2027'."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.astimezone(BRUSSELS).date() if value.tzinfo else value.date()
    lang = language(lang)
    return format_date(value, DATE_PATTERNS.get(lang, DATE_PATTERNS["nl"]), locale=_locale(lang))


def moment(value: datetime | None, seconds: bool = True, lang: str | None = None) -> str:
    """An instant as Brussels wall-clock time: nl '31-03-2027 23:59:59', en
    '31 Mar 2027 23:59:59'; without ``seconds`` to the minute."""
    if value is None:
        return ""
    if value.tzinfo is None:
        raise ValueError("refusing a naive datetime")
    lang = language(lang)
    pattern = DATE_PATTERNS.get(lang, DATE_PATTERNS["nl"]) + (" HH:mm:ss" if seconds else " HH:mm")
    return format_datetime(value, pattern, tzinfo=BRUSSELS, locale=_locale(lang))


def duration(seconds: int) -> str:
    """A lifetime as the reader says it, in the largest whole unit: '7 dagen' / '7 days',
    '2 uur' / '2 hours', '60 minuten' / '60 minutes' (a part of a minute counts as one)."""
    if seconds >= 86400 and seconds % 86400 == 0:
        return ngettext("%(num)s day", "%(num)s days", seconds // 86400)
    if seconds >= 3600 and seconds % 3600 == 0:
        return ngettext("%(num)s hour", "%(num)s hours", seconds // 3600)
    minutes = max(1, -(-seconds // 60))
    return ngettext("%(num)s minute", "%(num)s minutes", minutes)


def megabytes(size: int, lang: str | None = None) -> str:
    """A size in MB with at most one decimal, grouped in the reader's way ('12,5' in Dutch)."""
    return babel_decimal(
        round(size / (1024 * 1024), 1), format="#,##0.#", locale=_locale(language(lang))
    )


def kilobytes(size: int, lang: str | None = None) -> str:
    """A file size as '12 kB' (at least 1 kB), grouped in the reader's way."""
    return f"{number(max(1, round(size / 1024)), lang=lang)}\u00a0kB"


FILTERS: dict[str, Any] = {
    "euro": euro,
    "number": number,
    "percent": percent,
    "day": day,
    "brussels": moment,
    "kilobytes": kilobytes,
    "duration": duration,
}


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """Flask-Babel's ``ngettext`` with ``%(num)s`` written the reader's way ('1.423')."""
    variables.setdefault("num", number(num))
    text: str = get_translations().ungettext(singular, plural, num)
    return text % variables


@pass_eval_context
def jinja_ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any
) -> str:
    """Templates' ``ngettext``: Jinja's own (new style: translated, escaped, then filled in)
    with ``%(num)s`` written the reader's way, '1.423 projectvoorstellen' on a Dutch page
    (Jinja would write 1423)."""
    variables.setdefault("num", number(num))
    text: str = get_translations().ungettext(singular, plural, num)
    if eval_ctx.autoescape:  # our catalogue's text, as Jinja's own ngettext trusts it;
        text = Markup(text)  # noqa: S704 - the variables are escaped as they are filled in
    return text % variables


def init_app(app: Flask) -> None:
    """Register the filters on every template (pages, PDFs, emails), and ``ngettext``."""
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["ngettext"] = jinja_ngettext
