from decimal import Decimal

import pytest

from app.core.money import InvalidAmount, format_euro, parse_euro


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12.500,50", "12500.50"),
        ("12500.50", "12500.50"),
        ("€ 12 500", "12500.00"),
        ("150.000", "150000.00"),
        ("1.250.000,00", "1250000.00"),
        ("150000", "150000.00"),
        ("0,5", "0.50"),
        ("1,250,000.75", "1250000.75"),
        ("", None),
        ("  ", None),
    ],
)
def test_parse_euro(text, expected):
    result = parse_euro(text)
    assert (None if result is None else str(result)) == expected


@pytest.mark.parametrize("text", ["twaalf", "1,255", "12.345,678", "NaN", "Infinity", "1e5x"])
def test_parse_euro_refuses(text):
    with pytest.raises(InvalidAmount):
        parse_euro(text)


def test_format_euro():
    assert format_euro(Decimal("1234567.8"), "nl") == "€ 1.234.567,80"
    assert format_euro(Decimal("1234567.8"), "en") == "€1,234,567.80"
    assert format_euro(None) == ""


@pytest.mark.parametrize("text", ["1e30", "-1e30", "1000000000000", "1.000.000.000.000,00"])
def test_amounts_beyond_what_a_column_holds_are_refused(text):
    with pytest.raises(InvalidAmount):
        parse_euro(text)


def test_the_largest_storable_amount_is_accepted():
    assert parse_euro("999.999.999.999,99") == Decimal("999999999999.99")
