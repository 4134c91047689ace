"""API v1 assignments and reports: scoped, audited, the report workflow, errors with field paths."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from bredvid.assignments import services
from bredvid.assignments.models import Report
from bredvid.audit.models import Action, AuditEvent
from tests.api.conftest import errors_by_field, queries_per_page, send
from tests.assignments.factories import make_assignment, stay


def _day(days_ago: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days_ago)).isoformat()


def test_assignments_are_listed_and_read_within_the_municipality(world, api) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world, fee_level="2")
    make_assignment(world, other=True, name="Familjen Borta")
    client = api("family_care_officer")
    listed = client.get("/api/v1/assignments/").json()
    assert listed["count"] == 1 and listed["results"][0]["fee_level"] == "2"
    assert listed["results"][0]["scope_unit"] == "days"
    detail = client.get(f"/api/v1/assignments/{a.pk}")
    assert detail.status_code == 200 and detail.json()["status"] == "active"
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(a.pk)).exists()
    assert api("family_care_officer", other=True).get(f"/api/v1/assignments/{a.pk}").status_code == 404
    assert api("auditor").get("/api/v1/assignments/").status_code == 403
    assert client.get("/api/v1/assignments/", {"status": "lost"}).status_code == 422
    assert client.get("/api/v1/assignments/", {"status": "ended"}).json()["count"] == 0


def test_the_report_workflow(world, api) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    client = api("family_care_officer")
    body = {"assignment_id": str(a.pk), "kind": "stay", "starts_on": _day(10), "ends_on": _day(8),
            "arrives_at": "17:00", "departs_at": "15:00", "activity": "Helg"}  # fmt: skip
    created = send(client, "post", "/api/v1/reports/", body)
    assert created.status_code == 201, created.content
    report_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["channel"] == "staff"
    overlap = send(client, "post", "/api/v1/reports/", body)
    assert overlap.status_code == 422 and "överlappar" in errors_by_field(overlap)["body.starts_on"][0]
    assert send(client, "post", f"/api/v1/reports/{report_id}/approve").status_code == 409
    assert send(client, "post", f"/api/v1/reports/{report_id}/submit").json()["status"] == "submitted"
    no_comment = send(client, "post", f"/api/v1/reports/{report_id}/return", {"comment": ""})
    assert no_comment.status_code == 422
    returned = send(client, "post", f"/api/v1/reports/{report_id}/return", {"comment": "Rätta tiden"})
    assert returned.json()["status"] == "returned" and returned.json()["comment"] == "Rätta tiden"
    send(client, "post", f"/api/v1/reports/{report_id}/submit")
    approved = send(client, "post", f"/api/v1/reports/{report_id}/approve")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert send(client, "post", f"/api/v1/reports/{report_id}/submit").status_code == 409
    listed = client.get("/api/v1/reports/", {"assignment_id": str(a.pk), "status": "approved"}).json()
    assert [r["id"] for r in listed["results"]] == [report_id]
    assert client.get(f"/api/v1/reports/{report_id}").json()["arrives_at"] == "17:00"


def test_report_input_is_refused_with_field_paths(world, api) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    client = api("family_care_officer")
    base = {"assignment_id": str(a.pk), "kind": "stay", "starts_on": _day(3), "ends_on": _day(2)}
    for extra, field in (
        ({"arrives_at": "25:00", "departs_at": "10:00"}, "body.arrives_at"),
        ({"arrives_at": "10:00+01:00", "departs_at": "10:00"}, "body.arrives_at"),
        ({"arrives_at": 3600, "departs_at": "10:00"}, "body.arrives_at"),
        ({"departs_at": "10:00"}, "body.arrives_at"),
        ({"arrives_at": "10:00", "departs_at": "11:00", "starts_on": "0001-01-01"}, "body.starts_on"),
        ({"kind": "meeting", "hours": "1.25"}, "body.hours"),
        ({"kind": "meeting", "hours": 30}, "body.hours"),
    ):
        response = send(client, "post", "/api/v1/reports/", {**base, **extra})
        assert response.status_code == 422, (extra, response.content)
        assert field in errors_by_field(response), (extra, response.json())
    assert not Report.objects.exists()


def test_reports_are_scoped_and_only_the_family_care_unit_writes(world, api) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    report = services.create_report(tenant=world.tenant("family_care_officer"), assignment=a, data=stay())
    body = {"assignment_id": str(a.pk), "kind": "meeting", "starts_on": _day(1), "hours": 2}
    assert send(api("caseworker"), "post", "/api/v1/reports/", body).status_code == 403
    assert api("caseworker").get(f"/api/v1/reports/{report.pk}").status_code == 200  # the case's unit reads
    other = api("family_care_officer", other=True)
    assert send(other, "post", "/api/v1/reports/", body).status_code == 404
    assert other.get(f"/api/v1/reports/{report.pk}").status_code == 404
    assert send(other, "post", f"/api/v1/reports/{report.pk}/submit").status_code == 404
    assert other.get("/api/v1/reports/").json()["count"] == 0
    assert Report.objects.count() == 1


def test_lists_do_not_grow_in_queries_with_the_page(world, api) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("family_care_officer")
    for n in range(6):
        a = make_assignment(world, name=f"Familjen {n}")
        services.create_report(tenant=tenant, assignment=a, data=stay())
    client = api("family_care_officer")
    for url in ("/api/v1/assignments/", "/api/v1/reports/"):
        counts = queries_per_page(client, url, (2, 6), 6)
        assert counts[2] == counts[6], (url, counts)
