"""Browser journeys (Playwright on Debian's chromium) with axe-core on every page visited.

A real server (manage.py runserver) runs on a scratch SQLite database with the demo data; the
tests never touch the ORM. Run with `make e2e`.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "e2e-demo-lösenord"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(autouse=True)
def _fast_settings() -> None:
    """Overrides tests/conftest.py's fixture: these tests use no Django settings in-process."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    tmp = tempfile.mkdtemp(prefix="bredvid-e2e-")
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp}/e2e.sqlite3",
        "DJANGO_ENV": "development",
        "DEBUG": "false",  # the real error pages; whitenoise serves the static files
        "DEMO_PASSWORD": PASSWORD,
        "AXES_ENABLED": "false",
    }
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "load_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    port = _free_port()
    log = open(f"{tmp}/server.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"{base}/readyz", timeout=1) as response:  # noqa: S310 (loopback only)
                    if response.status == 200:
                        break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("the server did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="sv-SE", accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


def check_a11y(page, lang: str = "sv") -> None:  # type: ignore[no-untyped-def]
    from axe_playwright_python.sync_playwright import Axe

    assert page.locator("html").get_attribute("lang") == lang
    results = Axe().run(page)
    assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"


def login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/konto/logga-in/")
    check_a11y(page)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/")
    check_a11y(page)


def test_keyboard_login_and_skip_link(page, server) -> None:  # type: ignore[no-untyped-def]
    # on a page without autofocus, the first Tab reaches the skip link, and Enter jumps to the content
    response = page.goto(f"{server}/finns-inte/")
    assert response.status == 404
    check_a11y(page)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Hoppa till huvudinnehållet"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")
    # the login form starts in the user name field and works without a mouse
    page.goto(f"{server}/konto/logga-in/")
    assert page.evaluate("document.activeElement.name") == "username"
    page.keyboard.type("caseworker.1440")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/")
    assert page.get_by_test_id("active-municipality").inner_text() == "Ale"


def test_caseworker_searches_and_opens_persons(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "caseworker.1440")
    page.get_by_role("navigation", name="Meny").get_by_role("link", name="Personer").click()
    check_a11y(page)
    first = page.get_by_test_id("person-table").locator("tbody tr").first.locator("a")
    last_name = first.inner_text().split(",")[0]
    page.get_by_label("Sök på namn eller identitetsnummer").fill(last_name)
    page.get_by_role("button", name="Sök").click()
    check_a11y(page)
    page.get_by_test_id("person-table").locator("tbody a").first.click()
    check_a11y(page)
    assert re.match(r"\d{8}-\d{4}", page.get_by_test_id("person-summary").locator("dd").first.inner_text())
    # a protected person asks for a reason first
    page.goto(f"{server}/personer/?q=")
    protected = page.locator("tr", has=page.locator(".govuk-tag--red")).first.locator("a")
    protected.click()
    check_a11y(page)
    page.get_by_label("Skäl till att du öppnar uppgifterna").fill("x")
    page.get_by_role("button", name="Öppna uppgifterna").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert "minst fem tecken" in page.locator(".govuk-error-message").inner_text()
    check_a11y(page)
    page.get_by_label("Skäl till att du öppnar uppgifterna").fill("Utredning om placering pågår")
    page.get_by_role("button", name="Öppna uppgifterna").click()
    assert page.get_by_test_id("person-summary").is_visible()
    check_a11y(page)


def test_register_person_with_bad_number_then_good(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "caseworker.2081")
    page.goto(f"{server}/personer/ny/")
    check_a11y(page)
    page.get_by_label("Identitetsnummer").fill("19811228-9875")
    page.get_by_label("Förnamn").fill("Elsa")
    page.get_by_label("Efternamn").fill("Testsson")
    page.get_by_role("button", name="Spara").click()
    assert "Kontrollsiffran stämmer inte." in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Efternamn").input_value() == "Testsson"
    check_a11y(page)
    page.get_by_label("Identitetsnummer").fill("19811228-9874")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(re.compile(r"/personer/[0-9a-f-]{36}/$"))
    assert "Elsa Testsson" in page.locator("h1").inner_text()
    check_a11y(page)


def test_caseworker_application_to_active_intervention(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "caseworker.2521")
    page.goto(f"{server}/personer/?q=2015")
    rows = page.get_by_test_id("person-table").locator("tbody tr")
    number = rows.first.locator("td").nth(1).inner_text()
    page.goto(f"{server}/arenden/nytt/")
    check_a11y(page)
    page.get_by_label("Klientens identitetsnummer").fill(number)
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(re.compile(r"/arenden/[0-9a-f-]{36}/$"))
    check_a11y(page)
    case_url = page.url
    page.get_by_role("link", name="Registrera ansökan").click()
    check_a11y(page)
    page.get_by_label("Skriftlig").check()
    page.get_by_label("Vårdnadshavare för barnet").check()
    page.get_by_label("Insats som söks").select_option("kontaktfamilj")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Inled utredning").first.click()
    check_a11y(page)
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Avsluta", exact=True).first.click()
    page.get_by_label("Slutsats").fill("Barnet har behov av en kontaktfamilj.")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Förslag till beslut").first.click()
    check_a11y(page)
    page.get_by_label("Bifall", exact=True).check()
    page.get_by_label("Insats", exact=True).select_option("kontaktfamilj")
    page.get_by_label(re.compile(r"^Omfattning")).fill("1")
    page.get_by_label(re.compile(r"^Enhet för omfattningen")).select_option("weekends_per_month")
    page.get_by_label("Motivering").fill("Familjen behöver avlastning en helg i månaden.")
    page.get_by_role("button", name="Spara").click()
    check_a11y(page)
    # the manager decides
    page.context.clear_cookies()
    login(page, server, "manager.2521")
    page.goto(case_url)
    page.get_by_role("link", name="Fatta beslut").click()
    check_a11y(page)
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(case_url)
    pdf = page.request.get(
        server + page.get_by_role("link", name="Skriv ut beslut (PDF)").get_attribute("href")
    )
    assert pdf.headers["content-type"] == "application/pdf"
    page.get_by_role("link", name="Verkställ").click()
    check_a11y(page)
    page.get_by_role("button", name="Spara").click()
    main = page.locator("main").inner_text()
    assert "Insatsen är verkställd." in main
    assert re.search(r"Kontaktfamilj\s+–\s+Pågår", main), main
    check_a11y(page)
    page.get_by_role("navigation", name="Meny").get_by_role("link", name="Att göra").click()
    check_a11y(page)


def test_auditor_reviews_and_exports_the_log(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "auditor.1440")
    page.get_by_role("navigation", name="Meny").get_by_role("link", name="Logggranskning").click()
    check_a11y(page)
    page.get_by_label("Användare").fill("caseworker.1440")
    page.get_by_role("button", name="Sök i loggen").click()
    check_a11y(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Exportera till Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_wrong_role_sees_an_accessible_403(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "auditor.2081")
    response = page.goto(f"{server}/personer/")
    assert response.status == 403
    assert "Du saknar behörighet" in page.locator("h1").inner_text()
    check_a11y(page)


def test_language_switch(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/konto/logga-in/")
    page.get_by_role("button", name="English").click()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Log in to Bredvid" in page.locator("h1").inner_text()
    check_a11y(page, lang="en")
    page.get_by_role("button", name="Svenska").click()
    assert page.locator("html").get_attribute("lang") == "sv"


def test_family_care_officer_recruits_and_manager_approves(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "family_care_officer.1440")
    page.get_by_role("navigation", name="Meny").get_by_role("link", name="Intresseanmälningar").click()
    check_a11y(page)
    page.get_by_role("link", name="Registrera intresseanmälan").click()
    check_a11y(page)
    page.get_by_label("Kontaktfamilj").check()
    page.get_by_label("Förnamn").fill("Karin")
    page.get_by_label("Efternamn").fill("Lund")
    page.get_by_label("Telefon").fill("070-111 22 33")
    page.get_by_label("Ort").fill("Alafors")
    page.get_by_role("button", name="Spara").click()
    check_a11y(page)
    page.get_by_role("link", name="Ändra status").click()
    page.get_by_label("Kontaktad").check()
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Påbörja utredning").click()
    check_a11y(page)
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(re.compile(r"/familjehem/uppdragstagare/[0-9a-f-]{36}/$"))
    check_a11y(page)
    supporter_url = page.url
    page.get_by_role("link", name="Lägg till person i hushållet").click()
    page.get_by_label("Identitetsnummer").fill("19750101-0016")
    page.get_by_label("Förnamn").fill("Karin")
    page.get_by_label("Efternamn").fill("Lund")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Registerutdrag").first.click()
    check_a11y(page)
    page.get_by_label("Register").select_option("police_record")
    page.get_by_label("Mottagen").fill(time.strftime("%Y-%m-%d"))
    page.get_by_label("Resultat").select_option("no_record")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Utbildning", exact=True).click()
    page.get_by_label("Deltagit i").fill("8")
    page.get_by_role("button", name="Spara").click()
    page.get_by_role("link", name="Sammanfattande bedömning").click()
    page.get_by_label("Sammanfattande bedömning").fill("Stabil och lämplig som kontaktfamilj.")
    page.get_by_role("button", name="Spara").click()
    check_a11y(page)
    page.context.clear_cookies()
    login(page, server, "manager.1440")
    page.goto(supporter_url)
    page.get_by_role("link", name="Godkänn", exact=True).click()
    check_a11y(page)
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(supporter_url)
    pdf = page.request.get(
        server + page.get_by_role("link", name="Skriv ut godkännandet (PDF)").get_attribute("href")
    )
    assert pdf.headers["content-type"] == "application/pdf"
    check_a11y(page)
