"""The auditor reviews the access log and exports it; a role without access gets an accessible 403."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.helpers import PASSWORD, check_a11y, login, menu_link

pytestmark = pytest.mark.e2e


def test_auditor_searches_the_log_by_user_and_exports_it(page, browser, server) -> None:  # type: ignore[no-untyped-def]
    # The caseworker's log-in and search are themselves audited; this makes the test independent of order.
    context = browser.new_context(locale="sv-SE")
    try:
        other = context.new_page()
        other.goto(f"{server}/konto/logga-in/")
        other.get_by_label("Användarnamn").fill("caseworker.1440")
        other.get_by_label("Lösenord").fill(PASSWORD)
        other.get_by_role("button", name="Logga in").click()
        other.wait_for_url(f"{server}/")
        other.goto(f"{server}/personer/?q=a")
    finally:
        context.close()

    login(page, server, "auditor.1440")
    menu_link(page, "Logggranskning").click()
    page.wait_for_url(f"{server}/logg/")
    check_a11y(page)
    assert page.get_by_test_id("audit-table").count() == 0
    assert page.get_by_role("link", name="Exportera till Excel").count() == 0

    page.get_by_label("Användare").fill("caseworker.1440")
    page.get_by_role("button", name="Sök i loggen").click()
    page.wait_for_url(re.compile(r"/logg/\?.*user=caseworker\.1440"))
    check_a11y(page)
    status = page.locator("main [role=status]").inner_text()
    assert re.match(r"^\d+ händelse(r)?$", status), status
    rows = page.get_by_test_id("audit-table").locator("tbody tr")
    assert rows.count() >= 1
    users = {row.locator("td").nth(1).inner_text() for row in rows.all()}
    assert users == {"caseworker.1440"}, users

    with page.expect_download() as info:
        page.get_by_role("link", name="Exportera till Excel").click()
    download = info.value
    assert download.suggested_filename.endswith(".xlsx"), download.suggested_filename
    path = Path(download.path())
    assert path.read_bytes()[:2] == b"PK"  # an Office Open XML file is a zip archive


def test_auditor_opening_persons_gets_an_accessible_403(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "auditor.1440")
    assert page.get_by_role("navigation", name="Meny").get_by_role("link", name="Personer").count() == 0
    response = page.goto(f"{server}/personer/")
    assert response is not None
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Du saknar behörighet"
    assert "Du saknar behörighet" in page.title()
    check_a11y(page)
    page.get_by_role("link", name="Till startsidan").click()
    page.wait_for_url(f"{server}/")
    check_a11y(page)
