"""Every CSV download is written by app.core.exports in one of two variants."""

from decimal import Decimal

from app.core.exports import EXCEL_CSV, PLAIN_CSV, requested_csv_variant, write_csv


def _text(data: bytes) -> str:
    assert data.startswith("\ufeff".encode())  # Excel reads the file as UTF-8
    return data.decode("utf-8")[1:]


def test_the_plain_variant_has_commas_and_decimal_points():
    data = write_csv([("name", "amount"), ("Één", Decimal("1234.50"))], PLAIN_CSV)
    assert _text(data) == "name,amount\r\nÉén,1234.50\r\n"


def test_the_excel_variant_has_semicolons_and_decimal_commas():
    data = write_csv([("name", "amount", "share"), ("a; b", Decimal("1234.50"), 12.5)], EXCEL_CSV)
    assert _text(data) == 'name;amount;share\r\n"a; b";1234,50;12,5\r\n'


def test_both_variants_neutralise_formulas_and_write_booleans_as_words():
    for variant in (PLAIN_CSV, EXCEL_CSV):
        text = _text(write_csv([("=1+1", True, 3)], variant))
        assert text.startswith("'=1+1") and "yes" in text and text.rstrip().endswith("3")


def test_the_variant_is_the_one_the_link_asked_for(app):
    with app.test_request_context("/x.csv?csv=excel"):
        assert requested_csv_variant() is EXCEL_CSV
    with app.test_request_context("/x.csv?csv=nonsense"):
        assert requested_csv_variant() is PLAIN_CSV
    with app.test_request_context("/x.csv"):
        assert requested_csv_variant() is PLAIN_CSV
