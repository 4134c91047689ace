"""The municipality's administrator invites a colleague, looks after units and settings; every page passes axe."""

from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import check_a11y, login, menu_link

pytestmark = pytest.mark.e2e


def test_admin_invites_a_colleague_and_opens_every_administration_page(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "admin.1440")
    menu_link(page, "Administration").click()
    page.wait_for_url(f"{server}/administration/")
    check_a11y(page)

    page.get_by_role("link", name="Användare och roller").click()
    page.wait_for_url(f"{server}/administration/anvandare/")
    check_a11y(page)
    rows = page.get_by_test_id("user-table").locator("tbody tr")
    assert rows.count() >= 5
    assert page.get_by_test_id("user-table").get_by_text("caseworker.1440").count() == 1

    page.get_by_role("link", name="Sara Lindqvist").click()
    page.wait_for_url(re.compile(r"/administration/anvandare/\d+/$"))
    check_a11y(page)
    assert page.get_by_test_id("memberships").get_by_text("Handläggare").count() >= 1

    page.goto(f"{server}/administration/anvandare/bjud-in/")
    check_a11y(page)
    page.get_by_label("E-postadress").fill("inte en adress")
    page.get_by_role("button", name="Spara").click()
    check_a11y(page)  # the error summary and the message next to the field
    assert page.locator(".govuk-error-summary").count() == 1
    page.get_by_label("E-postadress").fill("ny.kollega@example.invalid")
    page.get_by_label("Förnamn").fill("Nora")
    page.get_by_label("Efternamn").fill("Kollega")
    page.get_by_label("Roll").select_option(label="Handläggare")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(re.compile(r"/administration/anvandare/\d+/$"))
    check_a11y(page)
    assert page.get_by_text("Inbjudan är skickad.").count() == 1

    page.goto(f"{server}/administration/enheter/")
    check_a11y(page)
    page.get_by_role("link", name="Ny enhet").click()
    page.wait_for_url(f"{server}/administration/enheter/ny/")
    check_a11y(page)
    page.get_by_label("Namn").fill("Vuxenenheten e2e")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url(f"{server}/administration/enheter/")
    check_a11y(page)
    assert (
        page.get_by_test_id("unit-table").get_by_role("cell", name="Vuxenenheten e2e", exact=True).count()
        == 1
    )

    page.goto(f"{server}/administration/installningar/")
    check_a11y(page)
    page.get_by_label("Färg").fill("blå")
    page.get_by_role("button", name="Spara").click()
    check_a11y(page)
    assert page.get_by_text("Ange färgen som #rrggbb").count() >= 1


def test_a_caseworker_sees_no_administration(page, server) -> None:  # type: ignore[no-untyped-def]
    login(page, server, "caseworker.1440")
    assert page.get_by_role("navigation", name="Meny").get_by_role("link", name="Administration").count() == 0
    response = page.goto(f"{server}/administration/")
    assert response is not None and response.status == 403
    check_a11y(page)
