"""The staff inbox of e-applications (journey 3's start): three applications come in through Ale's public
form — one waiting for the second guardian, two ready; a caseworker sees the two states in the list,
opens each, takes one into a case and closes one without a case with a reason (first forgotten: the
error is shown). axe-core finds nothing on any page, error states included."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.helpers import check_a11y, detail_url, login, menu_link, personnummer, save
from tests.public.application_data import CHILD, GUARDIAN

pytestmark = pytest.mark.e2e

FORM = "/ale/ansok/"


def _apply(page: Any, server: str, fields: dict[str, str], choices: dict[str, str]) -> str:
    """Sends the public application; returns its reference number from the receipt."""
    page.goto(f"{server}{FORM}")
    check_a11y(page)
    for name, value in choices.items():
        page.locator(f"input[name={name}][value={value}]").check()
    for name, value in fields.items():
        page.locator(f"[name={name}]").fill(value)
    page.get_by_role("button", name="Skicka ansökan").click()
    page.wait_for_url(re.compile(r"/ale/ansok/kvitto/$"))
    check_a11y(page)
    found = re.search(r"EA-\d{4}-\d{5}", page.locator(".govuk-panel").inner_text())
    assert found is not None
    return found[0]


def _adult(page: Any, server: str, serial: str, last_name: str) -> str:
    return _apply(
        page,
        server,
        {
            "first_name": "Vuxen",
            "last_name": last_name,
            "identity_number": personnummer("19900312", serial),
            "description": "Jag vill ha en kontaktperson att träffa på helgerna.",
            "phone": "070-123 45 67",
        },
        {"applicant_kind": "adult_self", "support_kind": "kontaktperson", "contact_by": "phone"},
    )


def _row(page: Any, reference: str) -> Any:
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=reference, exact=True))


def test_the_inbox_list_detail_take_into_case_and_close(page: Any, server: str) -> None:
    waiting = _apply(
        page,
        server,
        {
            "first_name": "Inkorg",
            "last_name": "Barnsson",
            "identity_number": CHILD,
            "applicant_first_name": "Inkorg",
            "applicant_last_name": "Föräldersson",
            "applicant_identity_number": GUARDIAN,
            "second_guardian_name": "Andra Föräldersson",
            "second_guardian_email": "andra.inkorg@example.org",
            "description": "Barnet behöver en kontaktfamilj.",
            "email": "inkorg@example.org",
        },
        {
            "applicant_kind": "guardians",
            "joint_custody": "ja",
            "support_kind": "kontaktfamilj",
            "contact_by": "email",
        },
    )
    to_take = _adult(page, server, "417", "Tasson")
    to_close = _adult(page, server, "425", "Stängsson")

    login(page, server, "caseworker.1440")
    menu_link(page, "E-ansökningar").click()
    page.wait_for_url(re.compile(r"/e-ansokningar/$"))
    check_a11y(page)
    assert "Väntar på den andra vårdnadshavarens samtycke" in _row(page, waiting).inner_text()
    for reference in (to_take, to_close):
        assert "Att hantera" in _row(page, reference).inner_text()

    # waiting for consent: it can be closed, not taken into a case
    page.get_by_role("link", name=waiting, exact=True).click()
    page.wait_for_url(detail_url("e-ansokningar"))
    check_a11y(page)
    assert page.get_by_role("link", name="Registrera i ärende").count() == 0
    assert page.get_by_role("link", name="Avsluta utan ärende").count() == 1
    assert "Inte ännu" in page.locator("main").inner_text()

    # ready: taken into a case in the caseworker's unit
    page.get_by_role("link", name="Tillbaka till e-ansökningar").click()
    page.wait_for_url(re.compile(r"/e-ansokningar/$"))
    check_a11y(page)
    page.get_by_role("link", name=to_take, exact=True).click()
    page.wait_for_url(detail_url("e-ansokningar"))
    check_a11y(page)
    assert "Inskrivet av sökanden" in page.locator("main").inner_text()
    page.get_by_role("link", name="Registrera i ärende").click()
    page.wait_for_url(re.compile(r"/registrera/$"))
    check_a11y(page)
    save(page, detail_url("arenden"))
    main = page.locator("main").inner_text()
    assert "Ansökan är registrerad i ärendet." in page.content()
    assert "Tasson" in main

    # ready: closed without a case; the reason is required
    page.goto(f"{server}/e-ansokningar/")
    check_a11y(page)
    assert _row(page, to_take).count() == 0  # no longer in the inbox
    page.get_by_role("link", name=to_close, exact=True).click()
    page.wait_for_url(detail_url("e-ansokningar"))
    check_a11y(page)
    page.get_by_role("link", name="Avsluta utan ärende").click()
    page.wait_for_url(re.compile(r"/avsluta/$"))
    check_a11y(page)
    page.get_by_label("Återkallad").check()
    save(page)
    assert page.locator(".govuk-error-summary").count() == 1
    assert page.get_by_label("Återkallad").is_checked()  # what was chosen is kept
    page.get_by_label("Skäl").fill("Den sökande ringde och tog tillbaka ansökan.")
    save(page, re.compile(r"/e-ansokningar/$"))
    assert "Ansökan är avslutad utan ärende." in page.content()
    assert _row(page, to_close).count() == 0

    page.get_by_role("link", name="Hanterade").click()
    page.wait_for_url(re.compile(r"status=handled"))
    check_a11y(page)
    assert "Registrerad i ärende" in _row(page, to_take).inner_text()
    assert "Återkallad" in _row(page, to_close).inner_text()
    assert _row(page, waiting).count() == 0
