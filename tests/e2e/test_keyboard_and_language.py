"""Keyboard-only use from the login page, and the language switch in the header."""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import PASSWORD, check_a11y

pytestmark = pytest.mark.e2e

SKIP_LINK = "Hoppa till huvudinnehållet"


def _focused(page) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            return {tag: el.tagName, name: el.getAttribute('name') || '', id: el.id,
                    text: el.textContent.trim(), href: el.getAttribute('href') || ''};
        }"""
    )


def test_login_by_keyboard_only_starting_at_the_skip_link(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/konto/logga-in/")
    check_a11y(page)
    page.keyboard.press("Tab")
    focused = _focused(page)
    assert focused["text"] == SKIP_LINK, focused
    assert focused["href"] == "#main-content"
    box = page.get_by_role("link", name=SKIP_LINK).bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 10, box  # shown when focused
    page.keyboard.press("Enter")
    assert page.url.endswith("#main-content")
    assert _focused(page)["id"] == "main-content"

    # From the main content, the next Tab reaches the user name.
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "username"
    page.keyboard.type("caseworker.1440")
    page.keyboard.press("Tab")
    assert _focused(page)["name"] == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # the form posts to the page's own address, so the fragment from the skip link survives the redirect
    page.wait_for_url(re.compile(rf"^{re.escape(server)}/(#main-content)?$"))
    check_a11y(page)
    assert page.get_by_test_id("active-municipality").inner_text() == "Ale"


def test_language_switch_to_english_and_back(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{server}/konto/logga-in/")
    check_a11y(page)
    assert page.locator("h1").inner_text() == "Logga in i Bredvid"
    switch = page.get_by_role("button", name="English")
    assert switch.get_attribute("lang") == "en"
    switch.click()
    page.wait_for_url(f"{server}/konto/logga-in/")
    page.get_by_role("button", name="Svenska").wait_for()
    check_a11y(page, lang="en")
    assert page.locator("h1").inner_text() == "Log in to Bredvid"
    assert page.get_by_role("link", name="Skip to main content").count() == 1
    page.get_by_role("button", name="Svenska").click()
    page.get_by_role("button", name="English").wait_for()
    check_a11y(page, lang="sv")
    assert page.locator("h1").inner_text() == "Logga in i Bredvid"
