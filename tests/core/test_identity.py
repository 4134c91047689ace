import datetime

import pytest
from stdnum.se import personnummer

from bredvid.core.identity import IdentityKind, InvalidIdentityNumber, parse_identity_number
from tests.factories import _number

TODAY = datetime.date(2026, 11, 22)


@pytest.mark.parametrize(
    "raw", ["19811228-9874", "198112289874", "811228-9874", "8112289874", " 19811228 9874 "]
)
def test_personnummer_forms_are_normalised(raw: str) -> None:
    parsed = parse_identity_number(raw, today=TODAY)
    assert parsed.number == "19811228-9874"
    assert parsed.kind is IdentityKind.PERSONNUMMER
    assert parsed.birth_date == datetime.date(1981, 12, 28)


def test_plus_sign_means_a_hundred_years_older() -> None:
    assert parse_identity_number("201228+9878", today=TODAY).number == "19201228-9878"


def test_samordningsnummer_has_day_plus_sixty() -> None:
    # 1981-12-28 as samordningsnummer: day 88; check digit computed by python-stdnum's Luhn
    from stdnum import luhn

    body = "811288987"
    number = f"19811288-987{luhn.calc_check_digit(body)}"
    parsed = parse_identity_number(number, today=TODAY)
    assert parsed.kind is IdentityKind.SAMORDNINGSNUMMER
    assert parsed.birth_date == datetime.date(1981, 12, 28)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("19811228-9875", "Kontrollsiffran"),
        ("19810230-1234", "Födelsedatumet"),
        ("19811328-9874", "Födelsedatumet"),
        ("20991228-9874", "framtiden"),
        ("abc", "ÅÅÅÅMMDD"),
        ("1981122898741", "ÅÅÅÅMMDD"),
    ],
)
def test_invalid_numbers_have_swedish_messages(raw: str, message: str) -> None:
    with pytest.raises(InvalidIdentityNumber, match=message):
        parse_identity_number(raw, today=TODAY)


def test_factory_numbers_are_valid() -> None:
    for n in [*range(0, 3000, 7)]:
        assert personnummer.is_valid(_number(n)), _number(n)
