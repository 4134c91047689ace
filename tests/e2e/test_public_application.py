"""Journey 1 on a 320 px phone: a guardian with joint custody applies for a kontaktfamilj. A first try
with a wrong identity number shows the error summary (axe finds nothing, everything typed is kept);
the corrected application gives a reference number and says it waits for the other guardian."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.helpers import check_a11y
from tests.public.application_data import CHILD, GUARDIAN

pytestmark = pytest.mark.e2e

FORM = "/ale/ansok/"


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"the page is {width} px wide at a 320 px viewport"


def test_a_guardian_applies_for_a_contact_family_on_a_phone(page: Any, server: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{server}/ale/kontaktfamilj/")
    check_a11y(page)
    page.get_by_role("link", name="Ansök om stöd").first.click()
    page.wait_for_url(re.compile(r"/ale/ansok/$"))
    check_a11y(page)
    _no_horizontal_scroll(page)

    page.locator("input[name=applicant_kind][value=guardians]").check()
    wrong_check_digit = CHILD[:-1] + str((int(CHILD[-1]) + 1) % 10)
    fields = {
        "first_name": "Lisa",
        "last_name": "Barnsson",
        "identity_number": wrong_check_digit,
        "applicant_first_name": "Karin",
        "applicant_last_name": "Föräldersson",
        "applicant_identity_number": GUARDIAN,
        "second_guardian_name": "Per Föräldersson",
        "second_guardian_email": "per@example.org",
        "description": "Lisa behöver en vuxen att göra saker med på helgerna.",
        "contact_times": "Vardagar efter 15",
        "email": "karin@example.org",
    }
    for name, value in fields.items():
        page.locator(f"[name={name}]").fill(value)
    page.locator("input[name=joint_custody][value=ja]").check()
    page.locator("input[name=support_kind][value=kontaktfamilj]").check()
    page.locator("input[name=contact_by][value=email]").check()
    page.get_by_role("button", name="Skicka ansökan").click()

    page.wait_for_selector(".govuk-error-summary")
    check_a11y(page)
    _no_horizontal_scroll(page)
    assert page.locator("[name=description]").input_value() == fields["description"]
    assert page.locator("input[name=support_kind][value=kontaktfamilj]").is_checked()

    page.locator("[name=identity_number]").fill(CHILD)
    page.get_by_role("button", name="Skicka ansökan").click()
    page.wait_for_url(re.compile(r"/ale/ansok/kvitto/$"))
    check_a11y(page)
    _no_horizontal_scroll(page)
    panel = page.locator(".govuk-panel").inner_text()
    assert re.search(r"EA-\d{4}-\d{5}", panel), panel
    assert "Ansökan behandlas när hen har samtyckt." in page.locator("main").inner_text()
    assert "Lisa" not in page.content() and CHILD not in page.content()
