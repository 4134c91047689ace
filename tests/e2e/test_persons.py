"""Caseworker journeys on persons: search, open, protected identity, registering with a checked number."""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import check_a11y, detail_url, login, menu_link, save

pytestmark = pytest.mark.e2e

IDENTITY_NUMBER = re.compile(r"^(\d{8}-\d{4}|\d{8}-[A-Z0-9]{4})$")
REASON_LABEL = "Skäl till att du öppnar uppgifterna"


def test_caseworker_finds_a_person_and_opens_a_protected_one(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "caseworker.1440")
    assert page.get_by_test_id("active-municipality").inner_text() == "Ale"
    units = page.get_by_test_id("memberships").locator("li")
    assert units.count() >= 1
    assert all(re.search(r"\S – Handläggare$", text) for text in units.all_inner_texts()), (
        units.all_inner_texts()
    )

    menu_link(page, "Personer").click()
    page.wait_for_url(f"{server}/personer/")
    check_a11y(page)
    table = page.get_by_test_id("person-table")
    unprotected = table.locator("tbody tr").filter(has_not=page.locator(".govuk-tag--red")).first
    last_name, first_name = (part.strip() for part in unprotected.locator("a").inner_text().split(",", 1))
    number = unprotected.locator("td").nth(1).inner_text().strip()

    page.get_by_label("Sök på namn eller identitetsnummer").fill(f"{first_name} {last_name}")
    page.get_by_role("button", name="Sök", exact=True).click()
    page.wait_for_url(re.compile(r"/personer/\?q="))
    check_a11y(page)
    hit = table.locator("tbody tr").filter(has_text=number)
    assert hit.count() == 1, f"{first_name} {last_name} ({number}) is not among the hits"
    hit.locator("a").click()
    page.wait_for_url(detail_url("personer"))
    check_a11y(page)
    assert page.locator("h1").inner_text() == f"{first_name} {last_name}"
    shown = page.get_by_test_id("person-summary").locator("dd").first.inner_text().strip()
    assert shown == number
    assert IDENTITY_NUMBER.match(shown)

    # A protected person: the reason is asked for before anything is shown.
    page.goto(f"{server}/personer/")
    check_a11y(page)
    protected = table.locator("tbody tr").filter(has=page.locator(".govuk-tag--red")).first
    protection = protected.locator(".govuk-tag--red").inner_text()
    assert protection in {"Skyddad folkbokföring", "Sekretessmarkering", "Fingerade personuppgifter"}
    protected_name = protected.locator("a").inner_text()
    protected.locator("a").click()
    page.wait_for_url(detail_url("personer"))
    check_a11y(page)
    assert page.locator("h1").inner_text() == "Skyddade personuppgifter"
    assert protected_name.split(",")[0] not in page.locator("main").inner_text()

    page.get_by_label(REASON_LABEL).fill("ok")
    save(page, button="Öppna uppgifterna")
    message = "Skriv ett skäl med minst fem tecken."
    field_error = page.locator("#id_reason-error")
    assert message in field_error.inner_text()
    summary = page.locator(".govuk-error-summary")
    assert summary.get_by_role("link", name=message).get_attribute("href") == "#id_reason"
    assert "id_reason-error" in (page.get_by_label(REASON_LABEL).get_attribute("aria-describedby") or "")
    assert page.get_by_label(REASON_LABEL).input_value() == "ok"

    page.get_by_label(REASON_LABEL).fill("Utredning om placering pågår")
    save(page, button="Öppna uppgifterna")
    summary_list = page.get_by_test_id("person-summary")
    assert page.locator(".govuk-tag--red").first.inner_text() == protection
    assert IDENTITY_NUMBER.match(summary_list.locator("dd").first.inner_text().strip())


def test_caseworker_registers_a_person_after_a_wrong_check_digit(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "caseworker.1440")
    page.goto(f"{server}/personer/")
    check_a11y(page)
    page.get_by_role("link", name="Registrera ny person").click()
    page.wait_for_url(f"{server}/personer/ny/")
    check_a11y(page)
    page.get_by_label("Identitetsnummer").fill("19811228-9875")
    page.get_by_label("Förnamn").fill("Elsa")
    page.get_by_label("Efternamn").fill("Testsson-Åström")
    save(page, f"{server}/personer/ny/")

    message = "Kontrollsiffran stämmer inte."
    assert message in page.locator(".govuk-error-summary").inner_text()
    assert message in page.locator("#id_identity_number-error").inner_text()
    assert page.get_by_label("Efternamn").input_value() == "Testsson-Åström"
    assert page.get_by_label("Förnamn").input_value() == "Elsa"

    page.get_by_label("Identitetsnummer").fill("19811228-9874")
    save(page, detail_url("personer"))
    assert page.locator("h1").inner_text() == "Elsa Testsson-Åström"
    assert page.get_by_test_id("person-summary").locator("dd").first.inner_text().strip() == "19811228-9874"
