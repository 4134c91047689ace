"""Agreements and expenses in API v1: scoped, audited, through the services."""

from __future__ import annotations

from decimal import Decimal

from bredvid.audit.models import Action, AuditEvent
from bredvid.expenses import services as expense_services
from tests.api.conftest import queries_per_page, send
from tests.factories import active_assignment

TERMS = {"start_on": "2027-06-10", "fee_amount": "292", "allowance_amount": 173}


def test_versions_and_signatures_through_the_api(world, api) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = api("family_care_officer")
    created = send(
        officer, "post", "/api/v1/agreements/", {"assignment_id": str(assignment.pk), "terms": TERMS}
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["current_version"], body["waiting_for"]) == (1, ["officer", "supporter"])
    assert body["versions"][0]["terms"]["fee_amount"] == "292"
    url = f"/api/v1/agreements/{body['id']}"
    signed = send(officer, "post", url + "/sign")
    assert signed.json()["waiting_for"] == ["supporter"]
    assert send(officer, "post", url + "/sign").status_code == 409
    paper = send(
        officer, "post", url + "/paper-signatures", {"party": "supporter", "paper_signed_on": "2027-06-15"}
    )
    assert paper.json()["fully_signed"] is True
    again = send(
        officer, "post", "/api/v1/agreements/", {"assignment_id": str(assignment.pk), "terms": TERMS}
    )
    assert again.status_code == 422  # a second version says what changed
    changed = send(
        officer, "post", "/api/v1/agreements/",
        {"assignment_id": str(assignment.pk), "terms": {**TERMS, "fee_amount": "359"}, "change_note": "Höjt"},
    )  # fmt: skip
    assert changed.json()["fully_signed"] is False
    assert changed.json()["current_version"] == 2
    assert send(api("caseworker"), "post", url + "/sign").status_code == 403
    assert send(api("family_care_officer", other=True), "get", url).status_code == 404
    assert send(api("admin"), "get", url).status_code == 403
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=body["id"]).count() == 0
    assert officer.get(url).status_code == 200
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=body["id"]).count() == 1


def test_expenses_through_the_api(world, api) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = api("family_care_officer")
    body = {"assignment_id": str(assignment.pk), "description": "Cykel", "incurred_on": "2027-06-20"}
    assert send(officer, "post", "/api/v1/expenses/purchases/", body).status_code == 422  # the amount asked
    created = send(officer, "post", "/api/v1/expenses/purchases/", {**body, "requested_amount": "2500"})
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "purchase"
    url = f"/api/v1/expenses/{created.json()['id']}"
    assert send(officer, "post", url + "/reject", {"reason": ""}).status_code == 422
    approved = send(officer, "post", url + "/approve", {"approved_amount": "2000"})
    assert approved.json()["approved_amount"] == "2000.00"
    assert send(officer, "post", url + "/reject", {"reason": "Nej"}).status_code == 409
    trip = send(officer, "post", "/api/v1/expenses/trips/", {**body, "amount": "10"})
    assert (trip.status_code, trip.json()["kind"]) == (201, "trip")
    assert send(api("family_care_officer", other=True), "get", url).status_code == 404
    assert send(api("caseworker"), "post", url + "/approve", {}).status_code == 403


def test_lists_have_constant_queries(world, api) -> None:  # type: ignore[no-untyped-def]
    from bredvid.agreements import services
    from tests.agreements.test_services import terms_for

    officer_tenant = world.tenant("family_care_officer")
    for _n in range(3):
        assignment = active_assignment(world)
        services.create_version(tenant=officer_tenant, assignment=assignment, terms=terms_for(assignment))
        expense_services.request_purchase(
            tenant=officer_tenant, assignment=assignment, description="Cykel",
            incurred_on=assignment.start_on, requested_amount=Decimal("100"),
        )  # fmt: skip
    client = api("family_care_officer")
    for url in ("/api/v1/agreements/", "/api/v1/expenses/"):
        counts = queries_per_page(client, url, (1, 3), 3)
        assert counts[1] == counts[3], (url, counts)
