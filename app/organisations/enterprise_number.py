"""Belgian enterprise numbers (KBO/BCE): parse any accepted form, check mod 97, canonicalise."""

import re

_ACCEPTED = re.compile(r"^(?:BE)?\s*([01])(\d{3})[.\s]?(\d{3})[.\s]?(\d{3})$", re.IGNORECASE)


class InvalidEnterpriseNumber(ValueError):
    pass


def normalise(value: str) -> str:
    """Return the canonical ``0123.456.749`` form, or raise ``InvalidEnterpriseNumber``.

    Accepts ``0xxx.xxx.xxx``, ``1xxx.xxx.xxx``, ``BE0xxxxxxxxx`` and the same without dots.
    The last two digits are 97 minus the first eight modulo 97.
    """
    match = _ACCEPTED.match((value or "").strip().replace(" ", ""))
    if not match:
        raise InvalidEnterpriseNumber(value)
    digits = "".join(match.groups())
    if 97 - int(digits[:8]) % 97 != int(digits[8:]):
        raise InvalidEnterpriseNumber(value)
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def is_valid(value: str) -> bool:
    try:
        normalise(value)
    except InvalidEnterpriseNumber:
        return False
    return True
