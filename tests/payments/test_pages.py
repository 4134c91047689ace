"""Payment pages (manager), the rate-table administration (admin) and the API: the right user, a
wrong role, another municipality, anonymous; audited views and exports; bounded queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.test import Client
from django.urls import reverse
from lxml import etree

from bredvid.audit.models import AuditEvent
from bredvid.payments import exports, services
from bredvid.payments.models import PaymentRun, Rate, RateTable, Source
from tests.api.conftest import send
from tests.payments.conftest import make_assignment, report


def _run(world: Any) -> PaymentRun:
    for i in range(3):
        kp = make_assignment(world, name=f"Familjen {i}")
        report(kp, dt.date(2026, 3, 4))
    run = services.prepare_run(tenant=world.tenant("manager"), period=dt.date(2026, 3, 1)).run
    assert run is not None
    return run


def test_the_manager_prepares_previews_and_another_attests_and_exports(
    decided: Any, second_manager: Any, django_assert_max_num_queries: Any
) -> None:
    world = decided
    make_assignment(world)
    report(make_assignment(world, name="Familjen Berg"), dt.date(2026, 3, 4))
    manager = world.client("manager")
    assert manager.get(reverse("staff:payment_run_list")).status_code == 200
    bad = manager.post(reverse("staff:payment_run_prepare"), {"period": "2026-13"})
    assert "Ange månaden som ÅÅÅÅ-MM" in bad.content.decode() and 'value="2026-13"' in bad.content.decode()
    assert not PaymentRun.objects.exists()
    response = manager.post(reverse("staff:payment_run_prepare"), {"period": "2026-03"})
    run = PaymentRun.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "staff:payment_run_detail", args=[run.pk]
    )
    with django_assert_max_num_queries(16):
        page = manager.get(reverse("staff:payment_run_detail", args=[run.pk]))
    text = page.content.decode()
    assert "Arvode kontaktperson, kategori 1: 1\u00a0000 kr per månad. 1 godkända träffar." in text
    assert "En annan chef attesterar den" in text
    assert AuditEvent.objects.filter(action="view", object_id=str(run.pk)).exists()
    # the preparer cannot attest
    own = manager.post(reverse("staff:payment_run_attest", args=[run.pk]), {})
    assert "kan inte attestera" in own.content.decode()
    other = Client()
    other.force_login(second_manager.user)
    done = other.post(reverse("staff:payment_run_attest", args=[run.pk]), {})
    assert done.status_code == 302
    run.refresh_from_db()
    assert run.status == PaymentRun.Status.ATTESTED
    again = other.post(reverse("staff:payment_run_attest", args=[run.pk]), {})
    assert "redan attesterad" in again.content.decode()
    paxml = manager.get(reverse("staff:payment_run_paxml", args=[run.pk]))
    assert paxml.status_code == 200 and paxml["Content-Type"] == "application/xml"
    exports.paxml_schema().assertValid(etree.fromstring(paxml.content))
    assert manager.get(reverse("staff:payment_run_csv", args=[run.pk])).status_code == 200
    assert manager.get(reverse("staff:payment_run_xlsx", args=[run.pk])).status_code == 200
    assert AuditEvent.objects.filter(action="export", object_id=str(run.pk)).count() == 3
    statement = manager.get(
        reverse("staff:supporter_yearly_statement", args=[run.lines.first().supporter_id, 2026])
    )
    assert statement.status_code == 200 and statement.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="print", detail_json__contains="yearly_statement").exists()


def test_payment_pages_refuse_others(decided: Any) -> None:
    world = decided
    run = _run(world)
    detail = reverse("staff:payment_run_detail", args=[run.pk])
    assert world.client("caseworker").get(reverse("staff:payment_run_list")).status_code == 403
    assert world.client("manager", other=True).get(detail).status_code == 404
    assert (
        world.client("manager", other=True).get(reverse("staff:payment_run_paxml", args=[run.pk])).status_code
        == 404
    )
    anonymous = Client().get(detail)
    assert anonymous.status_code == 302 and "logga-in" in anonymous["Location"]
    # not attested: no export, a clear message
    response = world.client("manager").get(reverse("staff:payment_run_paxml", args=[run.pk]), follow=True)
    assert "måste vara attesterad" in response.content.decode()


def test_the_list_page_has_constant_queries(decided: Any, django_assert_max_num_queries: Any) -> None:
    world = decided
    _run(world)
    for month in (1, 2):
        report(make_assignment(world, name=f"M{month}"), dt.date(2026, month, 4))
        services.prepare_run(tenant=world.tenant("manager"), period=dt.date(2026, month, 1))
    manager = world.client("manager")
    with django_assert_max_num_queries(10):
        assert manager.get(reverse("staff:payment_run_list")).status_code == 200


def test_the_administrator_edits_a_years_table_and_the_wage_types(world: Any) -> None:
    admin = world.client("admin")
    assert admin.get(reverse("municipal_admin:rate_tables")).status_code == 200
    assert admin.post(reverse("municipal_admin:rate_table_create"), {"year": "2026"}).status_code == 302
    table = RateTable.objects.get(municipality=world.home, year=2026)
    assert table.prisbasbelopp == Decimal(59200)
    page = admin.get(reverse("municipal_admin:rate_table", args=[table.pk])).content.decode()
    assert "SKR:s rekommendation" in page and "Inte beslutat" in page
    rate = Rate.objects.get(table=table, group="kontaktperson", component="fee", level="2")
    bad = admin.post(reverse("municipal_admin:rate_edit", args=[rate.pk]), {"value": "-5"})
    assert bad.status_code == 200 and 'value="-5"' in bad.content.decode()
    assert (
        admin.post(reverse("municipal_admin:rate_edit", args=[rate.pk]), {"value": "2400"}).status_code == 302
    )
    rate.refresh_from_db()
    assert (rate.amount, rate.source) == (Decimal(2400), Source.MUNICIPALITY)
    edit = reverse("municipal_admin:rate_table_edit", args=[table.pk])
    assert admin.post(edit, {"prisbasbelopp": "60000", "rounding": "ore_half_up"}).status_code == 302
    table.refresh_from_db()
    assert (table.prisbasbelopp, table.prisbasbelopp_source, table.rounding) == (
        Decimal(60000),
        Source.MUNICIPALITY,
        "ore_half_up",
    )
    wage = reverse("municipal_admin:wage_type_edit", args=["fee"])
    assert "Ange lönearten" in admin.post(wage, {"code": "=1+2"}).content.decode()
    assert admin.post(wage, {"code": "711", "name": "Arvode"}).status_code == 302
    assert admin.get(reverse("municipal_admin:wage_type_edit", args=["nothing"])).status_code == 404
    assert world.client("manager").get(reverse("municipal_admin:rate_tables")).status_code == 403
    assert (
        world.client("admin", other=True)
        .get(reverse("municipal_admin:rate_table", args=[table.pk]))
        .status_code
        == 404
    )
    assert AuditEvent.objects.filter(detail_json__contains="rate_updated").count() == 1


def test_the_api_lists_runs_and_lines_scoped_and_audited(decided: Any, api: Any) -> None:
    world = decided
    run = _run(world)
    client = api("manager")
    listed = client.get("/api/v1/payment-runs/")
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["results"]] == [str(run.pk)]
    detail = client.get(f"/api/v1/payment-runs/{run.pk}").json()
    assert detail["line_count"] == 6 and Decimal(detail["total_fee"]) == Decimal(3000)
    lines = client.get(f"/api/v1/payment-runs/{run.pk}/lines/", {"kind": "fee"}).json()["results"]
    assert len(lines) == 3 and all("kategori 1" in line["why"] for line in lines)
    assert send(client, "get", "/api/v1/payment-runs/", {"status": "paid"}).status_code == 422
    assert api("manager", other=True).get(f"/api/v1/payment-runs/{run.pk}").status_code == 404
    assert api("caseworker").get("/api/v1/payment-runs/").status_code == 403
    assert AuditEvent.objects.filter(via="api", action="view", object_id=str(run.pk)).count() == 2
