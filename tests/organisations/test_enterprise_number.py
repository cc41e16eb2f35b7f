import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.organisations.enterprise_number import InvalidEnterpriseNumber, is_valid, normalise


@pytest.mark.parametrize(
    "raw", ["0403.170.701", "0403170701", "BE0403170701", "be 0403.170.701", " 0403 170 701 "]
)
def test_accepted_forms_become_one_canonical_form(raw):
    assert normalise(raw) == "0403.170.701"


def test_numbers_starting_with_1_are_accepted():
    body = 10000000
    number = f"{body}{97 - body % 97:02d}"
    assert normalise(number) == f"{number[:4]}.{number[4:7]}.{number[7:]}"


@pytest.mark.parametrize(
    "raw",
    [
        "0403.170.702",
        "2403.170.701",
        "403.170.701",
        "BE403170701",
        "0403.170.70",
        "",
        "abcd.efg.hij",
        "NL0403170701",
    ],
)
def test_wrong_check_digits_or_shapes_are_refused(raw):
    with pytest.raises(InvalidEnterpriseNumber):
        normalise(raw)
    assert not is_valid(raw)


@given(st.integers(min_value=0, max_value=19_999_999))
def test_check_digits_are_97_minus_mod_97(body):
    number = f"{body:08d}{97 - body % 97:02d}"
    assert normalise("BE" + number).replace(".", "") == number
    wrong = f"{body:08d}{(97 - body % 97 + 1) % 100:02d}"
    assert not is_valid(wrong)
