"""The officer's assignment work (issue 14): the list, the page with everything, a report entered with
a mistake and corrected, a submitted report approved, another returned with a comment, the terms
changed (the history shows it), a supervision note, and the unreported kontaktperson on Att göra.
From the demo data (bredvid/demo/assignments.py). Every page visited is checked with axe-core."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import check_a11y, detail_url, login, menu_link, save

pytestmark = pytest.mark.e2e


def _today() -> datetime.date:
    return datetime.datetime.now(ZoneInfo("Europe/Stockholm")).date()


def _follow(page: Any, target: Any) -> None:
    with page.expect_navigation():
        target.click()
    check_a11y(page)


def test_officer_works_with_an_assignment(page, server) -> None:  # type: ignore[no-untyped-def]
    today = _today()
    login(page, server, "family_care_officer.1440")
    _follow(page, menu_link(page, "Att göra"))
    assert page.get_by_role("table", name="Uppdrag utan rapport").count() == 1

    _follow(page, menu_link(page, "Uppdrag"))
    table = page.get_by_role("table", name="Uppdrag")
    # the header and the demo's two assignments (the matching journey may have confirmed a third)
    assert table.get_by_role("row").count() >= 3
    page.get_by_label("Uppdrag", exact=True).select_option(label="Kontaktfamilj")
    _follow(page, page.get_by_role("button", name="Filtrera"))
    _follow(page, page.get_by_role("table", name="Uppdrag").get_by_role("link").first)
    page.wait_for_url(detail_url("uppdrag"))
    assignment_url = page.url
    reports = page.get_by_role("table", name="Träff- och vistelserapporter")
    assert reports.get_by_text("Inskickad").count() == 1

    # the submitted stay is approved; the approved one has no actions left
    _follow(page, reports.get_by_role("link", name="Godkänn"))
    save(page, assignment_url, button="Godkänn rapporten")
    assert page.get_by_text("Rapporten är godkänd.").count() == 1

    # a stay with the departure before the arrival: the message next to the field, what was typed kept
    _follow(page, page.get_by_role("link", name="Registrera träff eller vistelse"))
    page.get_by_role("radio", name="Vistelse").check()
    friday = today - datetime.timedelta(days=(today.weekday() - 4) % 7 or 7)
    page.get_by_label("Datum (för en vistelse: ankomstdagen)").fill(friday.isoformat())
    page.get_by_label("Avresedag (vistelse)").fill(friday.isoformat())
    page.get_by_label("Ankomst (vistelse)").fill("17:00")
    page.get_by_label("Avresa (vistelse)").fill("15:00")
    save(page)
    assert page.get_by_text("Avresan måste ligga efter ankomsten.").count() >= 1
    assert page.get_by_label("Ankomst (vistelse)").input_value() == "17:00"
    page.get_by_label("Avresedag (vistelse)").fill((friday + datetime.timedelta(days=2)).isoformat())
    save(page, assignment_url)
    reports = page.get_by_role("table", name="Träff- och vistelserapporter")
    _follow(page, reports.get_by_role("link", name="Skicka in").first)
    save(page, assignment_url, button="Skicka in rapporten")
    _follow(
        page,
        page.get_by_role("table", name="Träff- och vistelserapporter").get_by_role(
            "link", name="Skicka tillbaka"
        ),
    )
    save(page)
    assert page.get_by_text("Skriv vad som behöver rättas.").count() >= 1
    page.get_by_label("Vad behöver rättas?").fill("Stämmer avresetiden?")
    save(page, assignment_url)
    assert page.get_by_text("Stämmer avresetiden?").count() == 1

    # the terms change and show in the history; a supervision note
    _follow(page, page.get_by_role("link", name="Ändra omfattning och nivåer"))
    page.get_by_label("Planerad omfattning per månad").fill("3")
    save(page, assignment_url)
    assert page.get_by_role("table", name="Ändringar av uppdraget").get_by_text("2 → 3").count() == 1
    _follow(page, page.get_by_role("link", name="Anteckna handledning"))
    page.get_by_role("radio", name="Telefon eller video").check()
    page.get_by_label("Anteckning", exact=True).fill("Familjen vill fortsätta.")
    save(page, assignment_url)
    assert page.get_by_text("Familjen vill fortsätta.").count() == 1


def test_officer_writes_and_signs_the_agreement(page, server) -> None:  # type: ignore[no-untyped-def]
    """Journey 5's end: the agreement written from the rate table's figures, its PDF, the officer's
    signature in Bredvid and the supporter's recorded from paper; the page then says both signed."""
    login(page, server, "family_care_officer.1440")
    _follow(page, menu_link(page, "Uppdrag"))
    _follow(page, page.get_by_role("table", name="Uppdrag").get_by_role("link").first)
    assignment_url = page.url
    section = page.get_by_test_id("section-agreement")
    _follow(page, section.get_by_role("link", name="Uppdragsavtalet och dess versioner"))
    agreement_url = page.url
    _follow(page, page.get_by_role("link", name="Skriv uppdragsavtal"))
    for label in ("Arvode (kr)", "Omkostnadsersättning (kr)"):
        field = page.get_by_label(label).first
        if not field.input_value():
            field.fill("300")
    save(page, agreement_url, button="Skapa avtalsversion")
    href = page.get_by_role("link", name="PDF, version 1").get_attribute("href")
    pdf = page.request.get(f"{server}{href}")
    assert pdf.ok and pdf.body().startswith(b"%PDF"), pdf.headers
    _follow(page, page.get_by_role("link", name="Skriv under för kommunen"))
    page.get_by_label("Jag har läst avtalet och skriver under det för kommunen").check()
    save(page, agreement_url)
    _follow(page, page.get_by_role("link", name="Registrera underskrift på papper"))
    page.get_by_label("Underskrivet den").fill(_today().isoformat())
    page.get_by_label("Namn på underskriften").fill("Familjen Demo")
    save(page, agreement_url)
    page.goto(assignment_url)
    check_a11y(page)
    assert page.get_by_test_id("agreement-state").get_by_text("Underskrivet av båda parter").count() == 1
