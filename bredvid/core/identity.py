"""Swedish identity numbers: personnummer, samordningsnummer and reserve numbers.

Check digits and dates are validated with python-stdnum; a samordningsnummer is a
personnummer whose day of birth has 60 added (Folkbokföringslagen 18 a §), so it is
validated as the personnummer it maps to plus the Luhn check on its own digits.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from stdnum import luhn
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.se import personnummer


class IdentityKind(StrEnum):
    PERSONNUMMER = "personnummer"
    SAMORDNINGSNUMMER = "samordningsnummer"
    RESERVE = "reserve"


class InvalidIdentityNumber(ValueError):
    """Raised with a Swedish message that can be shown next to the field."""


@dataclass(frozen=True)
class IdentityNumber:
    kind: IdentityKind
    number: str  # canonical form: YYYYMMDD-NNNN for personnummer/samordningsnummer
    birth_date: datetime.date


_DIGITS = re.compile(r"^\d{6}(\d{2})?[-+]?\d{4}$")


def _to_twelve_digits(raw: str, today: datetime.date) -> str:
    """Expand 10-digit forms to 12 digits, using '+' for people aged 100 or more."""
    value = raw.replace(" ", "")
    if not _DIGITS.match(value):
        raise InvalidIdentityNumber(_("Ange numret som ÅÅÅÅMMDD-NNNN."))
    sep_plus = "+" in value
    digits = value.replace("-", "").replace("+", "")
    if len(digits) == 12:
        return digits
    yy = int(digits[:2])
    century = today.year // 100
    if yy > today.year % 100:
        century -= 1
    if sep_plus:
        century -= 1
    return f"{century:02d}{digits}"


def parse_identity_number(raw: str, *, today: datetime.date | None = None) -> IdentityNumber:
    """Validate a personnummer or samordningsnummer and return its canonical form."""
    today = today or datetime.date.today()
    digits = _to_twelve_digits(raw.strip(), today)
    day = int(digits[6:8])
    kind = IdentityKind.PERSONNUMMER
    if day > 60:
        kind = IdentityKind.SAMORDNINGSNUMMER
        date_digits = f"{digits[:6]}{day - 60:02d}"
    else:
        date_digits = digits[:8]
    as_personnummer = f"{date_digits}-{digits[8:]}"
    try:
        birth_date = personnummer.get_birth_date(as_personnummer)
    except StdnumError as exc:
        raise InvalidIdentityNumber(_("Födelsedatumet i numret finns inte.")) from exc
    if birth_date > today:
        raise InvalidIdentityNumber(_("Födelsedatumet i numret ligger i framtiden."))
    try:
        luhn.validate(digits[2:])
    except StdnumError as exc:
        raise InvalidIdentityNumber(_("Kontrollsiffran stämmer inte.")) from exc
    return IdentityNumber(kind=kind, number=f"{digits[:8]}-{digits[8:]}", birth_date=birth_date)
