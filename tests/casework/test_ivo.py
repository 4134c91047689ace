"""The IVO report for a seeded quarter equals a hand-computed list (SoL 34 kap. 1–3 §§)."""

import datetime as dt
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from stdnum import luhn

from bredvid.audit.models import Action, AuditEvent
from bredvid.casework import services
from bredvid.casework.ivo import build_report, quarter_bounds
from bredvid.casework.models import Decision, IvoReport
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory

D = dt.date


def _girl_born_2015(n: int) -> str:
    serial = f"{400 + 2 * n:03d}"  # an even second-to-last digit: female
    return f"20150623-{serial}{luhn.calc_check_digit('150623' + serial)}"


def _granted(world, ref, decided_on, *, kind="kontaktfamilj", outcome="granted"):  # type: ignore[no-untyped-def]
    number = _girl_born_2015(ord(ref[0]))
    client = PersonFactory(municipality=world.home, identity_number=number, birth_date=D(2015, 6, 23))
    case = CaseFactory(unit=world.home_unit, client=client, reference=ref)
    data = {
        "outcome": outcome,
        "legal_basis": "sol_13_7",
        "support_kind": kind,
        "scope_amount": 2 if outcome != "refused" else None,
        "scope_unit": Decision.ScopeUnit.DAYS_PER_MONTH if outcome != "refused" else "",
        "period_start": decided_on,
        "reasons": "Behov.",
    }
    decision = services.propose_decision(tenant=world.tenant("caseworker"), case=case, data=data)
    return services.decide(tenant=world.tenant("manager"), decision=decision, decided_on=decided_on)


def _execute(world, decision, on):  # type: ignore[no-untyped-def]
    services.execute_intervention(
        tenant=world.tenant("caseworker"), intervention=decision.intervention, executed_on=on
    )


@pytest.fixture
def seeded(world):  # type: ignore[no-untyped-def]
    cw = world.tenant("caseworker")
    a = _granted(world, "A", D(2026, 3, 10))
    services.record_delay_reason(tenant=cw, intervention=a.intervention, reason="Ingen lämplig kontaktfamilj")
    _granted(world, "B", D(2026, 6, 15), kind="kontaktperson")
    _granted(world, "C", D(2026, 7, 5))  # three months end after the quarter
    _execute(world, _granted(world, "D", D(2026, 2, 1)), D(2026, 8, 20))  # late, inside the quarter
    _execute(world, _granted(world, "E", D(2026, 2, 1)), D(2026, 4, 15))  # late, in the quarter before
    _execute(world, _granted(world, "F", D(2026, 5, 1)), D(2026, 6, 1))  # in time
    _granted(world, "G", D(2026, 1, 1), outcome="refused")
    _execute(world, _granted(world, "H", D(2026, 3, 1)), D(2026, 10, 10))  # after the quarter
    p = _granted(world, "P", D(2026, 1, 5), kind="kontaktperson")
    _execute(world, p, D(2026, 1, 10))
    services.pause_intervention(
        tenant=cw, intervention=p.intervention, paused_on=D(2026, 5, 20), reason="Uppdragstagaren sjuk"
    )


def test_quarter_bounds() -> None:
    assert quarter_bounds(2026, 3) == (D(2026, 7, 1), D(2026, 9, 30))
    assert quarter_bounds(2024, 1) == (D(2024, 1, 1), D(2024, 3, 31))


def test_report_equals_hand_computed_list(world, seeded) -> None:  # type: ignore[no-untyped-def]
    report = build_report(world.home, 2026, 3)
    rows = [
        (r["case_ref"], r["kind"], r["decision_date"], r["days_waited"], r["reasons"], r["executed_on"])
        for r in report["rows"]
    ]
    assert rows == [
        ("H", "decision", "2026-03-01", 213, "", None),
        ("A", "decision", "2026-03-10", 204, "Ingen lämplig kontaktfamilj", None),
        ("B", "decision", "2026-06-15", 107, "", None),
        ("P", "resumption", "2026-01-05", 133, "Uppdragstagaren sjuk", None),
    ]
    executed = [(r["case_ref"], r["executed_on"], r["days_waited"]) for r in report["executed_rows"]]
    assert executed == [("D", "2026-08-20", 200)]
    assert report["rows"][1]["support_kind"] == "Kontaktfamilj"
    assert report["rows"][1]["gender"] == "kvinna"
    assert report["rows"][1]["birth_year"] == 2015


def test_rerunning_a_quarter_gives_the_same_report(world, seeded) -> None:  # type: ignore[no-untyped-def]
    first = build_report(world.home, 2026, 3)
    # H is executed after the quarter: the Q3 report does not change
    assert build_report(world.home, 2026, 3) == first
    assert build_report(world.other, 2026, 3) == {"rows": [], "executed_rows": []}


def test_manager_previews_files_and_exports(world, seeded) -> None:  # type: ignore[no-untyped-def]
    client = world.client("manager")
    page = client.get(reverse("staff:ivo_report"), {"ar": 2026, "kvartal": 3})
    assert page.status_code == 200
    assert "Ingen lämplig kontaktfamilj" in page.content.decode()
    assert page.context["stored"] is None
    client.post(reverse("staff:ivo_file", args=[2026, 3]))
    stored = IvoReport.objects.get()
    assert stored.rows == build_report(world.home, 2026, 3)["rows"]
    assert client.get(reverse("staff:ivo_report"), {"ar": 2026, "kvartal": 3}).context["stored"] == stored
    client.post(reverse("staff:ivo_file", args=[2026, 3]))  # filing twice is refused
    assert IvoReport.objects.count() == 1
    xlsx = client.get(reverse("staff:ivo_export", args=[2026, 3, "xlsx"]))
    sheet = load_workbook(BytesIO(xlsx.content))["Ej verkställda"]
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["H", "A", "B", "P"]
    pdf = client.get(reverse("staff:ivo_export", args=[2026, 3, "pdf"]))
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=Action.EXPORT, object_type="casework.ivoreport").count() == 2


def test_only_managers_report_to_ivo(world) -> None:  # type: ignore[no-untyped-def]
    for role in ("caseworker", "auditor", "admin", "family_care_officer"):
        assert world.client(role).get(reverse("staff:ivo_report")).status_code == 403
    assert world.client("manager").get(reverse("staff:ivo_report"), {"ar": "x"}).status_code == 404
