"""Supporter routes of API v1: interest registrations, supporters and assessments (family-care unit)."""

from bredvid.supporters.models import Supporter
from tests.api.conftest import send


def test_supporter_routes(world, api) -> None:  # type: ignore[no-untyped-def]
    client = api("family_care_officer")
    created = send(
        client,
        "post",
        "/api/v1/interest-registrations/",
        {"supports": ["kontaktperson"], "first_name": "Per", "last_name": "Berg", "phone": "070"},
    )
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "new"
    assert [r["id"] for r in client.get("/api/v1/interest-registrations/").json()["results"]] == [
        created.json()["id"]
    ]
    bad = send(
        client,
        "post",
        "/api/v1/interest-registrations/",
        {"supports": ["gardener"], "first_name": "Per", "last_name": "Berg"},
    )
    assert bad.status_code == 422
    supporter = Supporter.objects.create(municipality=world.home, name="Familjen Ek")
    assert client.get(f"/api/v1/supporters/{supporter.pk}").json()["name"] == "Familjen Ek"
    assert api("family_care_officer", other=True).get(f"/api/v1/supporters/{supporter.pk}").status_code == 404
    assert api("caseworker").get("/api/v1/supporters/").status_code == 403
    assert client.get("/api/v1/assessments/").json()["results"] == []
