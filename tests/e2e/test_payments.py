"""Journey 7 (the manager closes the month) on the demo data: the administrator's rate tables, the
manager's payment runs (prepare with a wrong month first), the preview where each line says why, the
attest by a second manager, and the payroll file. Every page visited is checked with axe-core."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.helpers import check_a11y, login, menu_link, save

pytestmark = pytest.mark.e2e


def _last_month() -> datetime.date:
    """The month before last: the demo's newest reports (last month's) still wait for the officer,
    the month before is fully approved; the demo pays only the years it has rate tables for."""
    today = datetime.datetime.now(ZoneInfo("Europe/Stockholm")).date()
    last = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    return (last - datetime.timedelta(days=1)).replace(day=1)


def test_rate_tables_and_a_payment_run_from_prepare_to_payroll_file(
    page: Any, browser: Any, server: str
) -> None:
    month = _last_month()
    login(page, server, "admin.1440")
    page.goto(f"{server}/administration/")
    check_a11y(page)
    page.get_by_role("link", name="Ersättningar och lönearter").click()
    page.wait_for_url(f"{server}/administration/ersattningar/")
    check_a11y(page)
    assert page.get_by_test_id("rate-tables").get_by_role("link", name="2026").count() == 1
    page.get_by_test_id("rate-tables").get_by_role("link", name="2026").click()
    page.wait_for_url(f"{server}/administration/ersattningar/**")
    check_a11y(page)
    assert page.get_by_text("SKR:s rekommendation").count() > 0
    assert page.get_by_text("Kommunens beslut").count() > 0
    if month.year > 2026:  # the demo ships 2025 and 2026; the administrator adds the run's year
        page.goto(f"{server}/administration/ersattningar/ny/")
        check_a11y(page)
        page.get_by_label("År").fill(str(month.year))
        page.get_by_label("Prisbasbelopp (kronor)").fill("60000")
        save(page)
    page.context.clear_cookies()

    login(page, server, "manager.1440")
    menu_link(page, "Utbetalningar").click()
    page.wait_for_url(f"{server}/utbetalningar/")
    check_a11y(page)
    page.get_by_role("link", name="Förbered månad").click()
    page.wait_for_url(f"{server}/utbetalningar/forbered/")
    check_a11y(page)
    page.get_by_label("Månad").fill("2026-13")
    save(page, button="Spara")
    assert page.locator(".govuk-error-summary").count() == 1
    page.get_by_label("Månad").fill(f"{month:%Y-%m}")
    save(page, button="Spara")
    # the demo's assignments ran last month (the new year carried the municipality's own figures over)
    assert page.get_by_test_id("payment-lines").count() == 1, page.content()
    assert page.get_by_text("En annan chef attesterar den").count() == 1
    detail = page.url
    page.context.clear_cookies()

    login(page, server, "attest-1440")
    page.goto(detail)
    check_a11y(page)
    page.get_by_role("link", name="Attestera").click()
    check_a11y(page)
    save(page, url=detail, button="Attestera utbetalningen")
    with page.expect_download() as download:
        page.get_by_role("link", name="Lönefil (PAXml 2.0)").click()
    assert download.value.suggested_filename.endswith(".xml")
