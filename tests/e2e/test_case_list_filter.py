"""The case list filters in place with htmx: no page load, the address follows, the count is announced."""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import check_a11y, login

pytestmark = pytest.mark.e2e


def test_case_list_filters_without_reloading_and_back_restores(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "caseworker.2521")
    page.goto(f"{server}/arenden/")
    check_a11y(page)
    count = page.locator("#case-count")
    assert count.get_attribute("role") == "status"
    page.evaluate("window.bvSamePage = true")  # gone if the browser loads a new page

    page.get_by_label("Status").select_option("all")
    page.wait_for_url(re.compile(r"/arenden/\?.*status=all"))
    search = page.get_by_label("Sök på ärendenummer, namn eller personnummer")
    search.fill("finns-inte-1234")
    search.press("Enter")
    page.wait_for_url(re.compile(r"q=finns-inte-1234"))
    page.wait_for_function("() => document.querySelector('#case-count').innerText.trim() === '0 ärenden'")
    assert page.evaluate("window.bvSamePage === true")
    assert page.evaluate("document.activeElement.id") == "case-q"  # focus stays where the user is
    check_a11y(page)

    page.go_back()  # the history cache is off (no personal data in localStorage): the page is reloaded
    page.wait_for_url(re.compile(r"status=all$"))
    check_a11y(page)
    assert page.locator("#case-count").inner_text().strip() != "0 ärenden"
    assert page.evaluate("window.bvSamePage === undefined")
