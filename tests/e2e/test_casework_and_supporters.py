"""Longer staff journeys (JOURNEYS.md 3 and 4): an application to an active intervention, and a supporter
recruited and approved. Two roles each; every page visited is checked with axe-core."""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.helpers import check_a11y, detail_url, login, menu_link, personnummer, save

pytestmark = pytest.mark.e2e


def test_caseworker_application_to_active_intervention(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "caseworker.2521")
    # The child is registered first (the demo's children may already have cases).
    number = personnummer("20160412", "238")
    page.goto(f"{server}/personer/ny/")
    check_a11y(page)
    page.get_by_label("Identitetsnummer").fill(number)
    page.get_by_label("Förnamn").fill("Alva")
    page.get_by_label("Efternamn").fill("Niemi")
    save(page, detail_url("personer"))
    page.goto(f"{server}/arenden/nytt/")
    check_a11y(page)
    page.get_by_label("Klientens identitetsnummer").fill(number)
    save(page, detail_url("arenden"))
    case_url = page.url
    page.get_by_role("link", name="Registrera ansökan").click()
    check_a11y(page)
    page.get_by_label("Skriftlig").check()
    page.get_by_label("Vårdnadshavare för barnet").check()
    page.get_by_label("Insats som söks").select_option("kontaktfamilj")
    save(page, case_url)
    page.get_by_role("link", name="Inled utredning").first.click()
    check_a11y(page)
    save(page, case_url)
    page.get_by_role("link", name="Avsluta", exact=True).first.click()
    check_a11y(page)
    page.get_by_label("Slutsats").fill("Barnet har behov av en kontaktfamilj.")
    save(page, case_url)
    page.get_by_role("link", name="Förslag till beslut").first.click()
    check_a11y(page)
    page.get_by_label("Bifall", exact=True).check()
    page.get_by_label("Insats", exact=True).select_option("kontaktfamilj")
    page.get_by_label(re.compile(r"^Omfattning")).fill("1")
    page.get_by_label(re.compile(r"^Enhet för omfattningen")).select_option("weekends_per_month")
    page.get_by_label("Motivering").fill("Familjen behöver avlastning en helg i månaden.")
    save(page, case_url)

    # The manager decides, prints the decision and executes the intervention.
    page.context.clear_cookies()
    login(page, server, "manager.2521")
    page.goto(case_url)
    check_a11y(page)
    page.get_by_role("link", name="Fatta beslut").click()
    check_a11y(page)
    save(page, case_url)
    href = page.get_by_role("link", name="Skriv ut beslut (PDF)").get_attribute("href")
    pdf = page.request.get(server + href)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
    page.get_by_role("link", name="Verkställ").click()
    check_a11y(page)
    save(page, case_url)
    main = page.locator("main").inner_text()
    assert "Insatsen är verkställd." in main
    assert re.search(r"Kontaktfamilj\s+–\s+Pågår", main), main
    menu_link(page, "Att göra").click()
    check_a11y(page)


def test_family_care_officer_recruits_and_manager_approves(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "family_care_officer.1440")
    menu_link(page, "Intresseanmälningar").click()
    check_a11y(page)
    page.get_by_role("link", name="Registrera intresseanmälan").click()
    check_a11y(page)
    page.get_by_label("Kontaktfamilj").check()
    page.get_by_label("Förnamn").fill("Karin")
    page.get_by_label("Efternamn").fill("Lund")
    page.get_by_label("Telefon").fill("070-111 22 33")
    page.get_by_label("Ort").fill("Alafors")
    save(page, re.compile(r"/familjehem/.+/[0-9a-f-]{36}/$"))
    page.get_by_role("link", name="Ändra status").click()
    check_a11y(page)
    page.get_by_label("Kontaktad").check()
    save(page)
    page.get_by_role("link", name="Påbörja utredning").click()
    check_a11y(page)
    save(page, re.compile(r"/familjehem/uppdragstagare/[0-9a-f-]{36}/$"))
    supporter_url = page.url
    page.get_by_role("link", name="Lägg till person i hushållet").click()
    check_a11y(page)
    page.get_by_label("Identitetsnummer").fill("19750101-0016")
    page.get_by_label("Förnamn").fill("Karin")
    page.get_by_label("Efternamn").fill("Lund")
    save(page, supporter_url)
    page.get_by_role("link", name="Registerutdrag").first.click()
    check_a11y(page)
    page.get_by_label("Register").select_option("police_record")
    page.get_by_label("Mottagen").fill(time.strftime("%Y-%m-%d"))
    page.get_by_label("Resultat").select_option("no_record")
    save(page, supporter_url)
    page.get_by_role("link", name="Utbildning", exact=True).click()
    check_a11y(page)
    page.get_by_label("Deltagit i").fill("8")
    save(page, supporter_url)
    page.get_by_role("link", name="Sammanfattande bedömning").click()
    check_a11y(page)
    page.get_by_label("Sammanfattande bedömning").fill("Stabil och lämplig som kontaktfamilj.")
    save(page, supporter_url)

    page.context.clear_cookies()
    login(page, server, "manager.1440")
    page.goto(supporter_url)
    check_a11y(page)
    page.get_by_role("link", name="Godkänn", exact=True).click()
    check_a11y(page)
    save(page, supporter_url)
    href = page.get_by_role("link", name="Skriv ut godkännandet (PDF)").get_attribute("href")
    pdf = page.request.get(server + href)
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
