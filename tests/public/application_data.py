"""Valid form data for the public application (shared by the application tests)."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from stdnum import luhn


def pnr(born: datetime.date, serial: str = "238") -> str:
    """A valid personnummer for the birth date (serial: three digits)."""
    digits = f"{born:%y%m%d}{serial}"
    return f"{born:%Y%m%d}-{serial}{luhn.calc_check_digit(digits)}"


def years_ago(years: int, days: int = 0) -> datetime.date:
    """A birth date `years` years and `days` days before today on the tests' frozen clock: call it
    inside a test, never at import (tests/test_frozen_clock.py)."""
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)) - datetime.timedelta(days=days)


CHILD = pnr(datetime.date(2017, 4, 12), "123")  # fixed dates: 9–10 years old around the frozen instant
GUARDIAN = pnr(datetime.date(1986, 9, 3), "456")
ADULT = pnr(datetime.date(1996, 1, 20), "789")


def guardian_form(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "applicant_kind": "guardians",
        "first_name": "Lisa",
        "last_name": "Barnsson",
        "identity_number": CHILD,
        "applicant_first_name": "Karin",
        "applicant_last_name": "Föräldersson",
        "applicant_identity_number": GUARDIAN,
        "joint_custody": "ja",
        "second_guardian_name": "Per Föräldersson",
        "second_guardian_email": "per@example.org",
        "support_kind": "kontaktfamilj",
        "description": "Hemlig behovsbeskrivning om vardagen",
        "contact_by": "email",
        "contact_times": "Vardagar efter 15",
        "email": "karin@example.org",
        "phone": "",
        "street_address": "",
        "postal_code": "",
        "city": "",
        "webbplats": "",
    }
    data.update(changes)
    return data


def adult_form(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict(
        applicant_kind="adult_self",
        identity_number=ADULT,
        first_name="Anna",
        last_name="Vuxensson",
        applicant_first_name="",
        applicant_last_name="",
        applicant_identity_number="",
        joint_custody="",
        second_guardian_name="",
        second_guardian_email="",
    )
    return guardian_form(**(base | changes))


def service_data(form: dict[str, Any]) -> dict[str, Any]:
    """The form data as the service takes it (after the form has cleaned it)."""
    data = {k: v for k, v in form.items() if k != "webbplats"}
    data["joint_custody"] = data.get("joint_custody") == "ja"
    for name in ("do_not_call", "do_not_send_post"):
        data[name] = bool(data.get(name))
    return data
