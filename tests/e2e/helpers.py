"""Shared helpers for the browser journeys: logging in and the accessibility check on every page."""

from __future__ import annotations

import os
import re
from typing import Any

PASSWORD = os.environ.get("E2E_DEMO_PASSWORD", "e2e-demo-lösenord")
UUID_PATH = r"[0-9a-f-]{36}"
HEADER_COLOUR = "rgb(29, 61, 92)"  # .bv-header in bredvid/static/bredvid/app.css

_AXE: Any = None
# Every page load in the test's browser page (the `page` fixture appends to `loads`) must be checked
# with check_a11y before the next one; the loads that were not end up in `missed`, and the fixture fails
# the test if any did.
loads: list[str] = []
missed: list[str] = []


def _axe() -> Any:
    global _AXE
    if _AXE is None:
        from axe_playwright_python.sync_playwright import Axe

        _AXE = Axe()
    return _AXE


def check_a11y(page: Any, lang: str = "sv") -> None:
    """The page declares its language and axe-core finds no violations (the report is printed if it does)."""
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == lang, f"{page.url}: <html lang> is not {lang!r}"
    # The stylesheets must have loaded, or axe cannot judge colour contrast and focus styles.
    header = page.locator("header.bv-header")
    assert header.evaluate("e => getComputedStyle(e).backgroundColor") == HEADER_COLOUR, f"{page.url}: no CSS"
    results = _axe().run(page)
    if results.violations_count:
        report = results.generate_report()
        print(f"\naxe-core violations on {page.url}:\n{report}")
        raise AssertionError(
            f"{results.violations_count} accessibility violation(s) on {page.url}:\n{report}"
        )
    url = without_fragment(page.url)
    if loads and loads[-1] == url:
        missed.extend(loads[:-1])
        loads.clear()


def without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def login(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    """Logs in through the login page (checked with axe) and lands on the start page (checked too)."""
    page.goto(f"{base}/konto/logga-in/")
    check_a11y(page)
    page.get_by_label("Användarnamn").fill(username)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}/")
    check_a11y(page)


def menu_link(page: Any, name: str) -> Any:
    return page.get_by_role("navigation", name="Meny").get_by_role("link", name=name, exact=True)


def detail_url(kind: str) -> re.Pattern[str]:
    return re.compile(rf"/{kind}/{UUID_PATH}/$")


def personnummer(birth_date: str, serial: str) -> str:
    """A valid personnummer (ÅÅÅÅMMDD-NNNK) for a birth date ÅÅÅÅMMDD and a three-digit serial."""
    digits = birth_date[2:] + serial
    total = 0
    for index, char in enumerate(digits):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product // 10 + product % 10
    return f"{birth_date}-{serial}{(10 - total % 10) % 10}"


def save(page: Any, url: str | re.Pattern[str] | None = None, button: str = "Spara") -> None:
    """Submits the form with its button, waits for the next page (at `url` if given) and checks it."""
    with page.expect_navigation(**({"url": url} if url is not None else {})):
        page.get_by_role("button", name=button, exact=True).click()
    check_a11y(page)
