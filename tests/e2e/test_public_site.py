"""The public sites in a browser on a 320 px phone: every page of a demo municipality (Ale publishes,
works with Skolfam and has contact details) passes axe-core, in Swedish and in English, without
horizontal scrolling; and the administrator's text editor with its preview."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import check_a11y, login

pytestmark = pytest.mark.e2e

PAGES = [
    "/kommuner/",
    "/ale/",
    "/ale/kontaktperson/",
    "/ale/kontaktfamilj/",
    "/ale/familjehem/",
    "/ale/jourhem/",
    "/ale/bli-uppdragstagare/",
    "/ale/sekretess/",
    "/ale/skolfam/",
    "/ale/kontakt/",
    "/ale/tillganglighet/",
    "/ale/personuppgifter/",
]


def _no_horizontal_scroll(page) -> None:  # type: ignore[no-untyped-def]
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{page.url}: {widths[0]} px wide in a {widths[1]} px viewport"


def test_every_public_page_passes_axe_at_320_px(page, server) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 320, "height": 800})
    for path in PAGES:
        page.goto(f"{server}{path}")
        check_a11y(page)
        _no_horizontal_scroll(page)
        assert page.locator("h1").count() == 1


def test_every_public_page_passes_axe_in_english(page, server) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 320, "height": 800})
    page.goto(f"{server}/ale/")
    check_a11y(page)
    page.get_by_role("button", name="English").click()
    page.wait_for_url(f"{server}/ale/")
    check_a11y(page, lang="en")
    for path in PAGES[2:]:
        page.goto(f"{server}{path}")
        check_a11y(page, lang="en")
        _no_horizontal_scroll(page)


def test_the_navigation_works_without_javascript(browser, server) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        locale="sv-SE", java_script_enabled=False, viewport={"width": 320, "height": 800}
    )
    try:
        nojs = context.new_page()
        nojs.goto(f"{server}/ale/")
        nav = nojs.get_by_role("navigation", name="Sidor")
        nav.get_by_role("link", name="Familjehem", exact=True).click()
        nojs.wait_for_url(f"{server}/ale/familjehem/")
        assert nojs.get_by_role("heading", level=1).inner_text() == "Familjehem"
        current = nav.get_by_role("link", name="Familjehem", exact=True)
        assert current.get_attribute("aria-current") == "page"
    finally:
        context.close()


def test_the_admin_previews_a_text_with_errors_and_content(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "admin.1440")
    page.goto(f"{server}/administration/texter/")
    check_a11y(page)
    page.goto(f"{server}/administration/texter/kontaktperson/sv/")
    check_a11y(page)
    page.get_by_label("Text").fill("")
    page.get_by_role("button", name="Förhandsgranska").click()
    page.wait_for_load_state("load")
    check_a11y(page)  # the error summary and the message by the field
    assert page.locator(".govuk-error-summary").count() == 1
    page.get_by_label("Text").fill("## Prova\n\nEn **förhandsgranskad** text.")
    page.get_by_role("button", name="Förhandsgranska").click()
    page.wait_for_load_state("load")
    check_a11y(page)
    assert page.get_by_test_id("preview").get_by_role("heading", name="Prova").count() == 1
