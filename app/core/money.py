"""Euro amounts: exact decimals, parsed from Dutch or English input, shown the Belgian way
(the showing is app.core.formatting's)."""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from app.core import formatting

CENT = Decimal("0.01")
# The largest amount a column holds (NUMERIC(14, 2)); anything larger is refused as input.
MAX_EURO = Decimal("999999999999.99")


class InvalidAmount(ValueError):
    pass


def parse_euro(value: str | Decimal | int | None) -> Decimal | None:
    """'12.500,50', '12500.50', '€ 12 500' -> Decimal('12500.50'); '' -> None.

    A comma is the decimal separator when it comes last, as in Dutch; dots and spaces
    before it group thousands. More than two decimals is refused rather than rounded.
    """
    if value is None:
        return None
    if isinstance(value, Decimal | int):
        amount = Decimal(value)
    else:
        text = value.strip().replace("€", "").replace("EUR", "").replace("\u00a0", "")
        text = text.replace(" ", "")
        if not text:
            return None
        if re.fullmatch(r"-?\d{1,3}(\.\d{3})+", text):
            text = text.replace(".", "")  # Dutch thousands: 150.000 is a hundred and fifty thousand
        elif "," in text and ("." not in text or text.rfind(",") > text.rfind(".")):
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") > 1 or ("," in text):
            text = text.replace(",", "")
            if text.count(".") > 1:
                text = text.replace(".", "")
        try:
            amount = Decimal(text)
        except InvalidOperation as exc:
            raise InvalidAmount(value) from exc
    if not amount.is_finite() or abs(amount) > MAX_EURO:
        raise InvalidAmount(value)
    if amount != amount.quantize(CENT, rounding=ROUND_HALF_UP):
        raise InvalidAmount(value)
    return amount.quantize(CENT)


def format_euro(amount: Decimal | None, language: str = "nl") -> str:
    """Decimal('12500.5') -> '€ 12.500,50' (nl) or '€12,500.50' (en)."""
    return formatting.euro(amount, language)


def euro(amount: Decimal | int | str | None) -> str:
    """An exact euro amount in the user's language: '€ 12.500,00' in Dutch; '' for none."""
    return formatting.euro(amount)


def format_decimal(value: Decimal | None, language: str | None = None) -> str:
    """An exact decimal as a person types it: '2,5' in Dutch, '2.5' in English; '' for None."""
    return formatting.plain_number(value, language)
