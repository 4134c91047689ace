"""The public interest registration on a 320 px phone, by keyboard alone: a first submission with
errors (the error summary takes the focus, its links move to the fields, axe finds nothing), then a
correct one, and the receipt with the reference number."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.helpers import check_a11y

pytestmark = pytest.mark.e2e

FORM = "/ale/bli-uppdragstagare/anmalan/"


def _focused(page: Any) -> dict[str, Any]:
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {id: el.id, tag: el.tagName, type: el.getAttribute('type') || '',
                    classes: el.className || '', checked: !!el.checked, value: el.value || ''};
        }"""
    )


def _tab_to(page: Any, element_id: str, limit: int = 12) -> None:
    """Tab forward until the element with `element_id` has the focus (within `limit` presses)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if _focused(page)["id"] == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}; focus is on {_focused(page)}")


def _no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 320, f"the page is {width} px wide at a 320 px viewport"


def test_interest_registration_by_keyboard_on_a_phone(page: Any, server: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{server}{FORM}")
    check_a11y(page)
    _no_horizontal_scroll(page)

    # Kontaktperson and jourhem, by Tab and Space.
    _tab_to(page, "id_supports", limit=20)
    page.keyboard.press("Space")
    _tab_to(page, "id_supports_3")
    page.keyboard.press("Space")
    typed = {
        "id_adults": "2",
        "id_children_ages": "7, 12",
        "id_first_name": "Tuva",
        "id_last_name": "Lindqvist-Öberg",
        "id_email": "tuva@example.se",
        "id_phone": "070-765 43 21",
        "id_street_address": "Backvägen 3",
        "id_postal_code": "4493",  # one digit short
        "id_city": "Nödinge",
        "id_area": "Alafors",
        "id_languages": "svenska, finska",
        "id_message": "Kvällar och helger passar bäst.",
    }
    for element_id, text in typed.items():
        _tab_to(page, element_id)
        page.keyboard.type(text)
    # The consent box is left empty; Tab past it (and past the hidden honeypot) to the button.
    _tab_to(page, "id_consent", limit=4)
    page.keyboard.press("Tab")
    assert "govuk-button" in _focused(page)["classes"]
    page.keyboard.press("Enter")

    page.wait_for_selector(".govuk-error-summary")
    check_a11y(page)
    _no_horizontal_scroll(page)
    assert page.title().startswith("Fel:")
    assert "govuk-error-summary" in _focused(page)["classes"]  # the summary takes the focus
    summary = page.locator(".govuk-error-summary")
    assert "Ange postnumret med fem siffror" in summary.inner_text()
    assert "Bekräfta att du har läst informationen om personuppgifter." in summary.inner_text()
    # Everything typed is kept.
    assert page.locator("#id_first_name").input_value() == "Tuva"
    assert page.locator("#id_message").input_value() == typed["id_message"]
    assert page.locator("#id_supports").is_checked() and page.locator("#id_supports_3").is_checked()

    # The summary's first link moves the focus to the postal code.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert _focused(page)["id"] == "id_postal_code"
    page.keyboard.press("End")
    page.keyboard.type("0")
    _tab_to(page, "id_consent", limit=8)
    page.keyboard.press("Space")
    assert _focused(page)["checked"]
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    page.wait_for_url(re.compile(r"/ale/bli-uppdragstagare/anmalan/kvitto/$"))
    check_a11y(page)
    _no_horizontal_scroll(page)
    panel = page.locator(".govuk-panel").inner_text()
    assert re.search(r"IA-\d{4}-\d{5}", panel), panel
    assert "Tuva" not in page.content()


def _refused_page(page: Any, server: str, script: str) -> str:
    """Open the form, change it by `script` (what no person can type), send it: the refused page's text."""
    page.goto(f"{server}{FORM}")
    check_a11y(page)
    page.evaluate(script)
    page.get_by_role("button", name="Skicka anmälan").click()
    page.wait_for_selector("h1:has-text('Det gick inte att skicka')")
    check_a11y(page)
    _no_horizontal_scroll(page)
    text = page.locator("main").inner_text()
    assert "Ingenting av det du skrev har sparats." in text
    return str(text)


def test_refused_submissions_get_an_accessible_swedish_page(page: Any, server: str) -> None:
    page.set_viewport_size({"width": 320, "height": 640})
    # Too large (over 64 kB): refused before it is read. The field's maxlength stops typing at 5000
    # characters; a script is not stopped.
    too_large = "() => { document.getElementById('id_message').value = 'x'.repeat(70000); }"
    assert "för stort" in _refused_page(page, server, too_large)
    # A bot filling in the hidden field.
    bot = "() => { document.getElementById('id_webbplats').value = 'https://spam.example'; }"
    assert "kunde inte tas emot" in _refused_page(page, server, bot)
