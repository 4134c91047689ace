"""Matching routes of API v1: support requests, shortlists and offers.

Scoped and audited like the pages; Swedish 422s with field paths; domain errors keep the 409 shape.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from bredvid.accounts.services import issue_api_token
from bredvid.assignments.models import Assignment
from bredvid.audit.models import Action, AuditEvent
from bredvid.casework.models import Intervention
from bredvid.matching import services
from bredvid.matching.models import Offer, SupportRequest
from tests.api.conftest import bearer, field_errors, queries_per_page, send
from tests.matching.factories import ALE, approved_supporter, granted_intervention, request_data

REQUESTS = "/api/v1/support-requests/"
OFFERS = "/api/v1/offers/"


def _body(intervention: Intervention, **overrides: Any) -> dict[str, Any]:
    data = request_data(**overrides)
    return {"intervention_id": str(intervention.pk), **{k: v for k, v in data.items()}}


def _order(world, **overrides):  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world)
    return services.create_request(
        tenant=world.tenant("caseworker"), intervention=intervention, data=request_data(**overrides)
    )


# ---------------------------------------------------------------------------
# Authentication, roles, other municipality
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    "method,path",
    [
        ("get", REQUESTS),
        ("post", REQUESTS),
        ("get", OFFERS),
        ("post", OFFERS),
    ],
)
def test_no_or_bad_token_is_401(world, method, path) -> None:  # type: ignore[no-untyped-def]
    for client in (Client(), Client(HTTP_AUTHORIZATION="Bearer nonsense")):
        response = send(client, method, path) if method == "post" else client.get(path)
        assert response.status_code == 401
        assert response.json() == {"detail": "API-nyckel saknas eller är ogiltig."}
        assert response["WWW-Authenticate"] == "Bearer"


def test_object_routes_need_a_token(world) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    assert Client().get(f"{REQUESTS}{req.pk}").status_code == 401
    assert Client().get(f"{REQUESTS}{req.pk}/shortlist").status_code == 401
    assert send(Client(), "patch", f"{REQUESTS}{req.pk}", {"wishes": "x"}).status_code == 401


@pytest.mark.parametrize("role", ["auditor", "admin"])
def test_roles_without_matching_get_403(world, api, role) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    client = api(role)
    assert client.get(REQUESTS).status_code == 403
    assert client.get(OFFERS).status_code == 403
    assert client.get(f"{REQUESTS}{req.pk}").status_code == 403
    assert send(client, "post", REQUESTS, _body(granted_intervention(world))).status_code == 403
    assert not AuditEvent.objects.filter(action=Action.SEARCH).exists()


def test_caseworkers_order_but_do_not_match(world, api) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    supporter = approved_supporter(world)
    client = api("caseworker")
    assert client.get(f"{REQUESTS}{req.pk}").status_code == 200
    assert client.get(f"{REQUESTS}{req.pk}/shortlist").status_code == 403
    body = {"request_id": str(req.pk), "supporter_ids": [str(supporter.pk)]}
    assert send(client, "post", OFFERS, body).status_code == 403
    assert not Offer.objects.exists()
    # the family-care officer matches but does not order (no case role)
    officer = api("family_care_officer")
    response = send(officer, "post", REQUESTS, _body(granted_intervention(world)))
    assert response.status_code == 403
    assert response.json() == {"detail": "Din roll ger inte tillgång till detta."}


def test_other_municipality_gets_404_and_nothing_changes(world, api) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    supporter = approved_supporter(world)
    officer = world.tenant("family_care_officer")
    (offer,) = services.send_offers(tenant=officer, support_request=req, supporters=[supporter])
    for role in ("caseworker", "family_care_officer", "manager"):
        client = api(role, other=True)
        assert client.get(REQUESTS).json()["count"] == 0
        assert client.get(OFFERS).json()["count"] == 0
        assert client.get(OFFERS, {"request_id": str(req.pk)}).json()["results"] == []
        assert client.get(f"{REQUESTS}{req.pk}").status_code == 404
        assert send(client, "patch", f"{REQUESTS}{req.pk}", {"wishes": "Borta"}).status_code == 404
        assert client.get(f"{OFFERS}{offer.pk}").status_code in {404}
    officer_other = api("family_care_officer", other=True)
    assert officer_other.get(f"{REQUESTS}{req.pk}/shortlist").status_code == 404
    for action, body in (
        ("answer", {"accepted": True}),
        ("withdraw", {}),
        ("confirm", {"start_on": "2020-01-01"}),
    ):
        response = send(officer_other, "post", f"{OFFERS}{offer.pk}/{action}", body)
        assert response.status_code == 404, action
        assert response.json() == {"detail": "Finns inte."}
    body = {"request_id": str(req.pk), "supporter_ids": [str(supporter.pk)]}
    assert send(officer_other, "post", OFFERS, body).status_code == 404
    caseworker_other = api("caseworker", other=True)
    assert send(caseworker_other, "post", REQUESTS, _body(granted_intervention(world))).status_code == 404
    offer.refresh_from_db()
    req.refresh_from_db()
    assert offer.status == Offer.Status.SENT and req.wishes == ""
    assert SupportRequest.objects.count() == 1


def test_other_unit_caseworker_does_not_see_the_request(world, api) -> None:  # type: ignore[no-untyped-def]
    from bredvid.tenancy.models import Role
    from tests.factories import MembershipFactory, UnitFactory, UserFactory

    req = _order(world)
    user = UserFactory(username="caseworker.vuxen")
    MembershipFactory(
        user=user, unit=UnitFactory(municipality=world.home, name="Vuxen"), role=Role.CASEWORKER
    )
    client = bearer(issue_api_token(user=user, municipality=world.home))
    assert client.get(REQUESTS).json()["count"] == 0
    assert client.get(f"{REQUESTS}{req.pk}").status_code == 404
    # the family-care officer sees every request of the municipality
    assert api("family_care_officer").get(REQUESTS).json()["count"] == 1


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------
def test_invalid_request_is_422_in_swedish_with_paths(world, api) -> None:  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world)
    client = api()
    response = send(
        client,
        "post",
        REQUESTS,
        {
            "intervention_id": str(intervention.pk),
            "gender": "robot",
            "latitude": 91,
            "longitude": "öster",
            "max_distance_km": 0,
            "colour": "röd",
        },
    )
    assert response.status_code == 422
    errors = field_errors(response)
    assert errors["body.colour"] == "Okänt fält."
    assert errors["body.location_name"] == "Fältet måste fyllas i."
    assert errors["body.gender"].startswith("Ogiltigt värde.")
    assert errors["body.latitude"].startswith("Högst 90")
    assert errors["body.max_distance_km"] == "Minst 1."
    assert "body.longitude" in errors
    # rules of the service: the need must come from the municipality's list, the end after the start
    today = timezone.localdate()
    response = send(
        client, "post", REQUESTS, _body(intervention, needs=["flygning"], end_on=today - dt.timedelta(days=1))
    )
    assert response.status_code == 422
    assert field_errors(response) == {
        "body.needs": "Välj behov ur listan.",
        "body.end_on": "Slutdatum kan inte ligga före start.",
    }
    response = send(client, "post", REQUESTS, {**_body(intervention), "sibling_intervention_ids": ["x"]})
    assert field_errors(response) == {"body.sibling_intervention_ids.0": "Ogiltigt id."}
    assert not SupportRequest.objects.exists()


def test_request_for_an_intervention_already_ordered_names_the_field(world, api) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    response = send(api(), "post", REQUESTS, _body(req.intervention))
    assert response.status_code == 422
    assert field_errors(response) == {
        "body.intervention_id": "Det finns redan en öppen beställning för insatsen."
    }
    missing_sibling = {**_body(granted_intervention(world)), "sibling_intervention_ids": [str(req.pk)]}
    response = send(api(), "post", REQUESTS, missing_sibling)
    assert field_errors(response) == {"body.sibling_intervention_ids.0": "Syskonet hittades inte."}


def test_patch_validates_and_null_is_refused(world, api) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    client = api()
    url = f"{REQUESTS}{req.pk}"
    assert field_errors(send(client, "patch", url, {"wishes": None})) == {
        "body.wishes": "Fältet kan inte vara null."
    }
    assert field_errors(send(client, "patch", url, {"colour": "x"})) == {"body.colour": "Okänt fält."}
    response = send(client, "patch", url, {"wishes": "Gärna en familj med hund.", "max_distance_km": 15})
    assert response.status_code == 200, response.content
    assert response.json()["wishes"] == "Gärna en familj med hund."
    assert response.json()["max_distance_km"] == 15
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(req.pk)).exists()
    # a cancelled request cannot be changed: the domain error keeps its shape
    services.cancel_request(tenant=world.tenant("caseworker"), support_request=req, reason="Flyttat")
    response = send(client, "patch", url, {"wishes": "x"})
    assert response.status_code == 409
    assert response.json() == {"detail": "Beställningen är inte längre öppen."}


def test_offer_and_answer_validation(world, api) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    far = approved_supporter(world, name="Familjen Långtbort", at=(67.85, 20.22))  # Kiruna
    officer = api("family_care_officer")
    response = send(officer, "post", OFFERS, {"request_id": str(req.pk), "supporter_ids": [], "extra": 1})
    assert response.status_code == 422
    assert set(field_errors(response)) == {"body.supporter_ids", "body.extra"}
    response = send(officer, "post", OFFERS, {"request_id": str(req.pk), "supporter_ids": [str(far.pk)]})
    assert response.status_code == 422
    assert field_errors(response)["body.supporter_ids"].startswith("Familjen Långtbort kan inte tillfrågas")
    other_supporter = approved_supporter(world, other=True)
    response = send(
        officer, "post", OFFERS, {"request_id": str(req.pk), "supporter_ids": [str(other_supporter.pk)]}
    )
    assert field_errors(response) == {"body.supporter_ids.0": "Uppdragstagaren hittades inte."}
    assert not Offer.objects.exists()
    near = approved_supporter(world)
    (offer,) = services.send_offers(
        tenant=world.tenant("family_care_officer"), support_request=req, supporters=[near]
    )
    response = send(officer, "post", f"{OFFERS}{offer.pk}/answer", {"accepted": False})
    assert field_errors(response) == {"body.decline_reason": "Ange varför uppdragstagaren tackar nej."}
    response = send(officer, "post", f"{OFFERS}{offer.pk}/answer", {"accepted": "kanske"})
    assert field_errors(response) == {"body.accepted": "Ska vara true eller false."}
    response = send(officer, "post", f"{OFFERS}{offer.pk}/confirm", {"start_on": "2026-13-01"})
    assert field_errors(response) == {"body.start_on": "Ange datum som ÅÅÅÅ-MM-DD."}
    response = send(officer, "post", f"{OFFERS}{offer.pk}/confirm", {"start_on": str(timezone.localdate())})
    assert response.status_code == 409
    assert response.json() == {"detail": "Bara en accepterad förfrågan kan bekräftas."}
    assert officer.get(f"{REQUESTS}{req.pk}/shortlist", {"k": 101}).status_code == 422
    assert field_errors(officer.get(f"{REQUESTS}{req.pk}/shortlist", {"k": 0})) == {"query.k": "Minst 1."}
    unknown = officer.get(f"{REQUESTS}{req.pk}/shortlist", {"why_not": str(other_supporter.pk)})
    assert field_errors(unknown) == {"query.why_not": "Uppdragstagaren hittades inte."}
    assert field_errors(officer.get(OFFERS, {"status": "lost"}))["query.status"].startswith("Ogiltigt värde.")
    assert field_errors(officer.get(REQUESTS, {"kind": "barnvakt"}))["query.kind"].startswith(
        "Ogiltigt värde."
    )


def test_malformed_body_is_400_in_swedish(world, api) -> None:  # type: ignore[no-untyped-def]
    response = api().post(REQUESTS, data="{inte json", content_type="application/json")
    assert response.status_code in {400, 422}
    assert "detail" in response.json()


# ---------------------------------------------------------------------------
# The whole flow over the API
# ---------------------------------------------------------------------------
def test_the_whole_flow(world, api) -> None:  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world, kind="kontaktfamilj")
    sibling = granted_intervention(world, kind="kontaktfamilj", age=7)
    caseworker, officer = api("caseworker"), api("family_care_officer")
    response = send(
        caseworker,
        "post",
        REQUESTS,
        {**_body(intervention, needs=["school", "leisure"]), "sibling_intervention_ids": [str(sibling.pk)]},
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "open" and created["support_kind"] == "kontaktfamilj"
    assert created["sibling_intervention_ids"] == [str(sibling.pk)]
    assert created["protected"] is False
    req_id = created["id"]
    assert caseworker.get(REQUESTS, {"status": "open", "kind": "kontaktfamilj"}).json()["count"] == 1
    assert caseworker.get(REQUESTS, {"kind": "familjehem"}).json()["count"] == 0

    home_a = approved_supporter(world, kind="kontaktfamilj", name="Familjen Andersson", places=2)
    home_b = approved_supporter(world, kind="kontaktfamilj", name="Familjen Berg", places=2)
    small = approved_supporter(world, kind="kontaktfamilj", name="Familjen Liten", places=1)
    response = officer.get(f"{REQUESTS}{req_id}/shortlist", {"k": 5, "why_not": str(small.pk)})
    assert response.status_code == 200, response.content
    shortlist = response.json()
    assert {c["supporter_id"] for c in shortlist["candidates"]} == {str(home_a.pk), str(home_b.pk)}
    assert [c["rank"] for c in shortlist["candidates"]] == [1, 2]
    first = shortlist["candidates"][0]
    assert first["name"] in {"Familjen Andersson", "Familjen Berg"}
    assert {c["criterion"] for c in first["contributions"]} >= {"needs", "distance"}
    assert first["distance_km"] is not None and first["distance_band"]
    excluded = {e["rule"]: e for e in shortlist["excluded"]}
    assert excluded["capacity"]["count"] == 1
    assert excluded["capacity"]["label"] == "Har inte plats (för hela syskongruppen)"
    assert shortlist["eligible"] == 2 and shortlist["pool_size"] == 3
    assert shortlist["weights_version"] == 0 and shortlist["k"] == 5
    assert shortlist["why_not"]["eligible"] is False
    assert shortlist["why_not"]["reasons"] == ["Har inte plats (för hela syskongruppen)"]

    expires = timezone.localdate() + dt.timedelta(days=5)
    response = send(
        officer,
        "post",
        OFFERS,
        {
            "request_id": req_id,
            "supporter_ids": [str(home_a.pk), str(home_b.pk)],
            "expires_on": str(expires),
            "note": "Ring efter kl. 17.",
        },
    )
    assert response.status_code == 201, response.content
    offers = {o["supporter_id"]: o for o in response.json()}
    offer_a, offer_b = offers[str(home_a.pk)], offers[str(home_b.pk)]
    assert offer_a["status"] == "sent" and offer_a["expires_on"] == str(expires)
    assert offer_a["note"] == "Ring efter kl. 17." and offer_a["supporter_name"] == "Familjen Andersson"
    listed = officer.get(OFFERS, {"request_id": req_id, "status": "sent"}).json()
    assert listed["count"] == 2
    # the shortlist now shows who was asked
    again = officer.get(f"{REQUESTS}{req_id}/shortlist").json()
    assert {c["offer_status"] for c in again["candidates"]} == {"sent"}

    response = send(
        officer, "post", f"{OFFERS}{offer_a['id']}/answer", {"accepted": False, "decline_reason": "no_time"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "declined" and response.json()["decline_reason"] == "no_time"
    response = send(officer, "post", f"{OFFERS}{offer_b['id']}/answer", {"accepted": True, "note": "Gärna!"})
    assert response.json()["status"] == "accepted"
    today = timezone.localdate()
    response = send(officer, "post", f"{OFFERS}{offer_b['id']}/confirm", {"start_on": str(today)})
    assert response.status_code == 201, response.content
    assignment = response.json()
    assert assignment["supporter_id"] == str(home_b.pk)
    assert assignment["children"] == 2 and assignment["status"] == "active"
    assert assignment["start_on"] == str(today)
    assert Assignment.objects.filter(pk=assignment["id"]).exists()
    assert officer.get(f"{REQUESTS}{req_id}").json()["status"] == "matched"
    assert officer.get(f"{OFFERS}{offer_b['id']}").json()["status"] == "confirmed"
    # a second confirmation is a domain error, not a 500
    response = send(officer, "post", f"{OFFERS}{offer_b['id']}/confirm", {"start_on": str(today)})
    assert response.status_code == 409
    assert response.json() == {"detail": "Beställningen är redan tillsatt eller återkallad."}
    response = send(officer, "post", f"{OFFERS}{offer_a['id']}/withdraw")
    assert response.status_code == 409


def test_withdraw(world, api) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    supporter = approved_supporter(world)
    (offer,) = services.send_offers(
        tenant=world.tenant("family_care_officer"), support_request=req, supporters=[supporter]
    )
    response = send(api("manager"), "post", f"{OFFERS}{offer.pk}/withdraw")
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    assert send(api("caseworker"), "post", f"{OFFERS}{offer.pk}/withdraw").status_code == 403


# ---------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------
def test_shortlist_is_recorded_by_the_service(world, api) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    a = approved_supporter(world, name="Familjen Ek")
    response = api("family_care_officer").get(f"{REQUESTS}{req.pk}/shortlist", {"k": 3})
    assert response.status_code == 200
    event = AuditEvent.objects.filter(action=Action.VIEW, object_id=str(req.pk)).latest("seq")
    detail = json.loads(event.detail_json)
    assert detail["shortlist"][0][:2] == [str(a.pk), 1]
    assert detail["k"] == 3 and detail["weights_version"] == 0
    assert event.via == "api" and event.person_id == req.case.client_id


def test_every_read_is_audited(world, api) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    supporter = approved_supporter(world)
    (offer,) = services.send_offers(
        tenant=world.tenant("family_care_officer"), support_request=req, supporters=[supporter]
    )
    client = api("family_care_officer")
    client.get(REQUESTS)
    client.get(OFFERS)
    search = AuditEvent.objects.filter(action=Action.SEARCH)
    assert set(search.values_list("object_type", flat=True)) == {"matching.supportrequest", "matching.offer"}
    assert all(e.subjects == str(req.case.client_id) for e in search)
    client.get(f"{REQUESTS}{req.pk}")
    client.get(f"{OFFERS}{offer.pk}")
    views = AuditEvent.objects.filter(action=Action.VIEW, via="api")
    assert {(e.object_type, e.object_id) for e in views} == {
        ("matching.supportrequest", str(req.pk)),
        ("matching.offer", str(offer.pk)),
    }
    assert all(e.person_id == req.case.client_id for e in views)


# ---------------------------------------------------------------------------
# Protected requests, constant queries
# ---------------------------------------------------------------------------
def test_protected_request_shows_no_coordinates_or_distances(world, api) -> None:  # type: ignore[no-untyped-def]
    away = approved_supporter(world, name="Familjen Borta", at=(ALE[0] + 0.2, ALE[1]))  # ~22 km
    req = _order(world)
    services.add_protected_place(
        tenant=world.tenant("caseworker"), support_request=req, label="Pappans adress",
        latitude=57.99, longitude=11.87, min_distance_km=10,
    )  # fmt: skip
    client = api("family_care_officer")
    response = client.get(f"{REQUESTS}{req.pk}/shortlist", {"why_not": str(away.pk)})
    assert response.status_code == 200
    body = response.json()
    assert body["protected"] is True
    assert [c["supporter_id"] for c in body["candidates"]] == [str(away.pk)]
    assert all(c["distance_km"] is None and c["distance_band"] for c in body["candidates"])
    text = response.content.decode()
    for secret in ("57.99", "11.87", "Pappans", "latitude", "longitude", str(away.latitude)):
        assert secret not in text, secret
    detail = client.get(f"{REQUESTS}{req.pk}").content.decode()
    assert '"protected": true' in detail.replace('":true', '": true')
    assert "57.99" not in detail and "Pappans" not in detail


def test_list_queries_are_constant_whatever_the_page_size(world, api) -> None:  # type: ignore[no-untyped-def]
    officer = world.tenant("family_care_officer")
    supporters = [approved_supporter(world, name=f"Familjen {i}", places=2) for i in range(3)]
    for i in range(12):
        req = _order(world)
        if i % 3 == 2:  # the newest (first on every page size) has a sibling and a protected place
            sibling = granted_intervention(world)
            from bredvid.matching.models import RequestSibling

            RequestSibling.objects.create(municipality=world.home, request=req, intervention=sibling)
            services.add_protected_place(
                tenant=officer, support_request=req, label="Skyddad", latitude=58.5, longitude=13.0,
                min_distance_km=5,
            )  # fmt: skip
        services.send_offers(tenant=officer, support_request=req, supporters=supporters)
    client = api("family_care_officer")
    for url, total in ((REQUESTS, 12), (OFFERS, 36)):
        counts = queries_per_page(client, url, (2, 10, 50), total)
        assert counts[2] == counts[10] == counts[50], (url, counts)
        assert counts[2] <= 12, (url, counts)


def test_shortlist_filters_over_the_api(world, api) -> None:  # type: ignore[no-untyped-def]
    req = _order(world)
    near = approved_supporter(world, name="Familjen Nära", at=ALE)
    far = approved_supporter(world, name="Familjen Längre", at=(ALE[0] + 0.3, ALE[1]))
    client = api("family_care_officer")
    every = client.get(f"{REQUESTS}{req.pk}/shortlist").json()
    assert {c["supporter_id"] for c in every["candidates"]} == {str(near.pk), str(far.pk)}
    near_only = client.get(f"{REQUESTS}{req.pk}/shortlist", {"max_km": 10}).json()
    assert [c["supporter_id"] for c in near_only["candidates"]] == [str(near.pk)]
    assert near_only["filtered_out"] == 1 and near_only["excluded"] == every["excluded"]
    response = client.get(f"{REQUESTS}{req.pk}/shortlist", {"max_km": 0})
    assert response.status_code == 422
