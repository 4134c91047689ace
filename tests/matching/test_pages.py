"""Matching pages: the order, the request list and detail, the shortlist, offers as call tasks,
weights; the journey from order to assignment, bad input, protected requests, who may see what."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bredvid.assignments.models import Assignment
from bredvid.audit.models import Action, AuditEvent
from bredvid.casework.models import Intervention
from bredvid.matching import features, services
from bredvid.matching.models import MatchingWeights, Offer, ProtectedPlace, SupportRequest
from bredvid.people.models import ProtectionLevel
from tests.matching.factories import approved_supporter, granted_intervention, request_data


@pytest.fixture(autouse=True)
def _fresh_pool_cache():  # type: ignore[no-untyped-def]
    features.clear_cache()
    yield
    features.clear_cache()


def _order(world, *, kind: str = "familjehem", other: bool = False, **overrides):  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world, kind=kind, other=other)
    return services.create_request(
        tenant=world.tenant("caseworker", other=other),
        intervention=intervention,
        data=request_data(**overrides),
    )


def _form(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "gender": "girl",
        "needs": ["school"],
        "languages": "svenska",
        "culture_religion": "",
        "location_name": "Alafors",
        "latitude": "",
        "longitude": "",
        "max_distance_km": "30",
        "allergies": "",
        "wishes": "",
        "start_on": timezone.localdate().isoformat(),
        "end_on": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _body(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def _order_url(intervention: Intervention) -> str:
    return reverse("staff:request_new", args=[intervention.case_id, intervention.pk])


# ---------------------------------------------------------------------------
# The journey (JOURNEYS.md 3 and 5)
# ---------------------------------------------------------------------------
def test_journey_from_order_to_assignment(world) -> None:  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world)
    ek = approved_supporter(world, name="Familjen Ek")
    alm = approved_supporter(world, name="Familjen Alm", at=(57.96, 12.13))
    approved_supporter(world, name="Familjen Långt Bort", at=(59.33, 18.06))

    # the caseworker sees the link on the case, and orders
    cw = world.client("caseworker")
    case_page = _body(cw.get(reverse("staff:case_detail", args=[intervention.case_id])))
    assert "Beställ uppdragstagare" in case_page and _order_url(intervention) in case_page
    assert cw.get(_order_url(intervention)).status_code == 200
    response = cw.post(_order_url(intervention), _form())
    support_request = SupportRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:request_detail", args=[support_request.pk])
    assert (support_request.latitude, support_request.longitude) == pytest.approx((57.92579, 12.07835))
    assert support_request.needs == ["school"] and support_request.max_distance_km == 30
    assert "Öppen" in _body(cw.get(reverse("staff:case_detail", args=[intervention.case_id])))

    # the officer finds it in the list and opens the shortlist: audited with what was shown
    officer = world.client("family_care_officer")
    listing = _body(officer.get(reverse("staff:request_list")))
    assert intervention.case.reference in listing and "Familjehem" in listing
    shortlist_url = reverse("staff:shortlist", args=[support_request.pk])
    page = _body(officer.get(shortlist_url))
    ranked = page.split('id="varfor-inte"')[0]  # the list itself (the "why not" select names everyone)
    assert "Familjen Ek" in ranked and "Familjen Alm" in ranked and "Familjen Långt Bort" not in ranked
    assert "Bor längre bort än högsta avstånd" in page
    assert "Summa" in page and reverse("staff:supporter_detail", args=[ek.pk]) in page
    event = AuditEvent.objects.filter(action=Action.VIEW, object_id=str(support_request.pk)).latest("id")
    assert event.person_id == intervention.case.client_id
    assert {row[0] for row in event.detail["shortlist"]} == {str(ek.pk), str(alm.pk)}
    assert all(isinstance(row[2], float) for row in event.detail["shortlist"])
    assert "weights_version" in event.detail and event.detail["excluded"]["max_distance"] == 1

    # every GET is a new audited shortlist (never cached)
    officer.get(shortlist_url)
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=str(support_request.pk)).count() == 2

    # offers to both
    expires = (timezone.localdate() + dt.timedelta(days=5)).isoformat()
    response = officer.post(
        shortlist_url,
        {"supporters": [str(ek.pk), str(alm.pk)], "expires_on": expires, "note": "Ring förmiddag"},
    )
    assert response.status_code == 302
    offers = {o.supporter_id: o for o in Offer.objects.filter(request=support_request)}
    assert set(offers) == {ek.pk, alm.pk}
    assert all(o.status == Offer.Status.SENT and o.expires_on.isoformat() == expires for o in offers.values())
    tasks = _body(officer.get(reverse("staff:offer_tasks")))
    assert "Familjen Ek" in tasks and "070-1112233" in tasks

    # Alm declines with a reason, Ek accepts
    decline = officer.post(
        reverse("staff:offer_answer", args=[offers[alm.pk].pk]),
        {"answer": "declined", "decline_reason": "", "note": ""},
    )
    assert "Ange varför uppdragstagaren tackar nej." in _body(decline)
    officer.post(
        reverse("staff:offer_answer", args=[offers[alm.pk].pk]),
        {"answer": "declined", "decline_reason": "distance", "note": "För långt till skolan"},
    )
    officer.post(reverse("staff:offer_answer", args=[offers[ek.pk].pk]), {"answer": "accepted", "note": ""})
    detail = _body(officer.get(reverse("staff:request_detail", args=[support_request.pk])))
    assert "För långt avstånd" in detail and "Accepterad – förslag" in detail
    assert reverse("staff:offer_confirm", args=[offers[ek.pk].pk]) in detail

    # confirm: the assignment exists, the intervention is executed, the request matched
    confirm_url = reverse("staff:offer_confirm", args=[offers[ek.pk].pk])
    assert timezone.localdate().isoformat() in _body(officer.get(confirm_url))
    response = officer.post(confirm_url, {"start_on": timezone.localdate().isoformat()}, follow=True)
    assert "Uppdraget är skapat och insatsen är verkställd." in _body(response)
    assignment = Assignment.objects.get()
    assert assignment.supporter_id == ek.pk and assignment.request_id == support_request.pk
    intervention.refresh_from_db()
    support_request.refresh_from_db()
    assert intervention.status == Intervention.Status.ACTIVE
    assert support_request.status == SupportRequest.Status.MATCHED
    statuses = dict(Offer.objects.filter(request=support_request).values_list("supporter_id", "status"))
    assert statuses == {ek.pk: Offer.Status.CONFIRMED, alm.pk: Offer.Status.DECLINED}


def test_confirming_withdraws_the_other_open_offers(world) -> None:  # type: ignore[no-untyped-def]
    support_request = _order(world)
    ek = approved_supporter(world, name="Familjen Ek")
    alm = approved_supporter(world, name="Familjen Alm")
    officer_t = world.tenant("family_care_officer")
    first, second = services.send_offers(
        tenant=officer_t, support_request=support_request, supporters=[ek, alm]
    )
    services.answer_offer(tenant=officer_t, offer=first, accepted=True)
    officer = world.client("family_care_officer")
    response = officer.post(
        reverse("staff:offer_confirm", args=[first.pk]), {"start_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Offer.Status.WITHDRAWN


def test_withdraw_and_cancel(world) -> None:  # type: ignore[no-untyped-def]
    support_request = _order(world)
    ek = approved_supporter(world)
    (offer,) = services.send_offers(
        tenant=world.tenant("family_care_officer"), support_request=support_request, supporters=[ek]
    )
    officer = world.client("family_care_officer")
    assert officer.post(reverse("staff:offer_withdraw", args=[offer.pk])).status_code == 302
    offer.refresh_from_db()
    assert offer.status == Offer.Status.WITHDRAWN
    again = officer.post(reverse("staff:offer_withdraw", args=[offer.pk]))
    assert "Förfrågan kan inte längre återtas." in _body(again)

    cw = world.client("caseworker")
    cancel_url = reverse("staff:request_cancel", args=[support_request.pk])
    assert "Detta fält måste fyllas i." in _body(cw.post(cancel_url, {"reason": ""}))
    assert cw.post(cancel_url, {"reason": "Familjen har flyttat"}).status_code == 302
    support_request.refresh_from_db()
    assert support_request.status == SupportRequest.Status.CANCELLED
    assert "Familjen har flyttat" in _body(cw.get(reverse("staff:request_detail", args=[support_request.pk])))


# ---------------------------------------------------------------------------
# The order form: bad input, siblings, protected place, edit
# ---------------------------------------------------------------------------
def test_bad_order_gives_swedish_messages_keeps_input_and_saves_nothing(world) -> None:  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world)
    cw = world.client("caseworker")
    url = _order_url(intervention)

    page = _body(cw.post(url, _form(location_name="Okändaby", languages="arabiska")))
    assert "Orten Okändaby finns inte i ortsregistret" in page
    assert 'value="arabiska"' in page and 'value="Okändaby"' in page

    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    page = _body(cw.post(url, _form(end_on=yesterday)))
    assert "Slutdatum kan inte ligga före start." in page

    page = _body(cw.post(url, _form(max_distance_km="0")))
    assert "Ange ett avstånd mellan 1 och 2 000 km." in page

    page = _body(cw.post(url, _form(latitude="57,9")))
    assert "Ange både latitud och longitud, eller ingen av dem." in page

    page = _body(cw.post(url, _form(location_name="Okändaby", latitude="95", longitude="12")))
    assert "Latituden ska vara mellan -90 och 90." in page

    # a bad protected place: the whole order is rolled back
    page = _body(
        cw.post(url, _form(place_label="Pappans bostad", place_location="Kungälv", place_min_distance_km="0"))
    )
    assert "Ange ett avstånd mellan 1 och 1 000 km." in page
    page = _body(cw.post(url, _form(place_label="Pappans bostad", place_min_distance_km="10")))
    assert "Ange en ort, eller latitud och longitud." in page
    assert not SupportRequest.objects.exists()
    assert not ProtectedPlace.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CREATE, object_type="matching.supportrequest").exists()


def test_entered_coordinates_win_and_siblings_and_protected_place_are_saved(world) -> None:  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world)
    sibling = granted_intervention(world)
    granted_intervention(world, kind="kontaktperson")  # another kind: not offered as a sibling
    intervention.case.client.protection_level = ProtectionLevel.SEKRETESSMARKERING
    intervention.case.client.save()
    cw = world.client("caseworker")
    page = _body(cw.get(_order_url(intervention)))
    assert "Barnet har skyddade personuppgifter" in page
    assert sibling.case.reference in page and sibling.case.client.full_name in page
    assert 'value="100"' in page  # the default maximum distance for familjehem
    response = cw.post(
        _order_url(intervention),
        _form(
            latitude="57,5",
            longitude="12,5",
            siblings=[str(sibling.pk)],
            place_label="Pappans bostad",
            place_location="Kungälv",
            place_min_distance_km="15",
        ),
    )
    assert response.status_code == 302
    support_request = SupportRequest.objects.get()
    assert (support_request.latitude, support_request.longitude) == (57.5, 12.5)
    assert [s.intervention_id for s in support_request.siblings.all()] == [sibling.pk]
    place = support_request.protected_places.get()
    assert place.min_distance_km == 15 and place.latitude == pytest.approx(57.87096)
    detail = _body(cw.get(reverse("staff:request_detail", args=[support_request.pk])))
    assert "Pappans bostad" in detail and "minst 15 km" in detail and sibling.case.reference in detail
    assert "57,87" not in detail and "57.87" not in detail and "11,98" not in detail
    # an open request: the order link leads to it
    response = cw.get(_order_url(intervention))
    assert response["Location"] == reverse("staff:request_detail", args=[support_request.pk])


def test_edit_request(world) -> None:  # type: ignore[no-untyped-def]
    support_request = _order(world)
    for role in ("caseworker", "family_care_officer"):
        client = world.client(role)
        url = reverse("staff:request_edit", args=[support_request.pk])
        assert client.get(url).status_code == 200
        page = _body(client.post(url, _form(max_distance_km="0")))
        assert "Ange ett avstånd mellan 1 och 2 000 km." in page
        assert client.post(url, _form(max_distance_km="45", wishes=f"Önskan {role}")).status_code == 302
        support_request.refresh_from_db()
        assert support_request.max_distance_km == 45 and support_request.wishes == f"Önskan {role}"


def test_add_protected_place_and_relative(world) -> None:  # type: ignore[no-untyped-def]
    support_request = _order(world)
    grandma = approved_supporter(world, name="Mormor Svensson")
    officer = world.client("family_care_officer")
    url = reverse("staff:request_relative", args=[support_request.pk])
    assert "Mormor Svensson" in _body(officer.get(url))
    page = _body(officer.post(url, {"supporter": str(grandma.pk), "relation": " "}))
    assert "Detta fält måste fyllas i." in page
    assert officer.post(url, {"supporter": str(grandma.pk), "relation": "mormor"}).status_code == 302
    shortlist = _body(officer.get(reverse("staff:shortlist", args=[support_request.pk])))
    assert "Närstående – prövas först" in shortlist and "Mormor Svensson" in shortlist

    place_url = reverse("staff:request_protected_place", args=[support_request.pk])
    cw = world.client("caseworker")
    page = _body(cw.post(place_url, {"label": "Pappan", "location_name": "Okändaby", "min_distance_km": "5"}))
    assert "Orten Okändaby finns inte i ortsregistret" in page
    assert (
        cw.post(
            place_url, {"label": "Pappan", "location_name": "Kungälv", "min_distance_km": "5"}
        ).status_code
        == 302
    )
    assert support_request.protected_places.get().label == "Pappan"
    # caseworkers do not choose among the register's supporters
    assert cw.get(url).status_code == 403


# ---------------------------------------------------------------------------
# Shortlist: protected requests, why not, k
# ---------------------------------------------------------------------------
def test_protected_request_shows_only_distance_bands(world) -> None:  # type: ignore[no-untyped-def]
    support_request = _order(world)
    services.add_protected_place(
        tenant=world.tenant("caseworker"), support_request=support_request, label="Pappans bostad",
        latitude=59.33, longitude=18.06, min_distance_km=50,
    )  # fmt: skip
    near = approved_supporter(world, name="Familjen Nära", at=(57.95, 12.10))
    officer = world.client("family_care_officer")
    url = reverse("staff:shortlist", args=[support_request.pk])
    page = _body(officer.get(url, {"varfor": str(near.pk)}))
    assert "Familjen Nära" in page and "avstånd visas bara som intervall" in page
    assert "&lt; 5 km" in page or "< 5 km" in page
    # no coordinates of anyone, no exact km figures: only the bands
    for number in ("57,95", "57.95", "12,1", "59,33", "59.33", "18,06", "57,93", "57.93", "12,07"):
        assert number not in page, number
    assert not re.search(r"\d+[,.]\d+\s*km", page)

    unprotected = _order(world)
    page = _body(officer.get(reverse("staff:shortlist", args=[unprotected.pk])))
    assert re.search(r"\d+,\d km", page)  # an exact distance when nothing is protected


def test_why_not_explains_a_missing_supporter(world) -> None:  # type: ignore[no-untyped-def]
    support_request = _order(world)
    approved_supporter(world, name="Familjen Ek")
    far = approved_supporter(world, name="Familjen Fjärran", at=(59.33, 18.06))
    officer = world.client("family_care_officer")
    url = reverse("staff:shortlist", args=[support_request.pk])
    page = _body(officer.get(url, {"varfor": str(far.pk)}))
    assert "Uppfyller inte kraven" in page and "Bor längre bort än högsta avstånd" in page
    page = _body(officer.get(url, {"namn": "fjärr"}))
    assert "Bor längre bort än högsta avstånd" in page
    page = _body(officer.get(url, {"namn": "ingen sådan"}))
    assert "Ingen uppdragstagare heter så." in page
    event = AuditEvent.objects.filter(action=Action.VIEW, object_id=str(support_request.pk)).earliest("id")
    assert event.detail["why_not"] == str(far.pk)
    page = _body(officer.get(url, {"k": "10"}))
    assert '<option value="10" selected>' in page


def test_sending_an_offer_to_an_ineligible_supporter_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    support_request = _order(world)
    far = approved_supporter(world, name="Familjen Fjärran", at=(59.33, 18.06))
    officer = world.client("family_care_officer")
    url = reverse("staff:shortlist", args=[support_request.pk])
    page = _body(
        officer.post(url, {"supporters": [str(far.pk)], "expires_on": timezone.localdate().isoformat()})
    )
    assert "Familjen Fjärran kan inte tillfrågas" in page
    page = _body(officer.post(url, {"expires_on": timezone.localdate().isoformat()}))
    assert "Välj minst en uppdragstagare." in page
    assert not Offer.objects.exists()


# ---------------------------------------------------------------------------
# Weights
# ---------------------------------------------------------------------------
def test_manager_saves_weights_as_new_versions(world) -> None:  # type: ignore[no-untyped-def]
    manager = world.client("manager")
    url = reverse("staff:weights")
    assert "Standardvikterna gäller" in _body(manager.get(url))
    values = {
        "needs": "5",
        "languages": "2",
        "culture": "1",
        "distance": "2,5",
        "experience": "1",
        "wishes": "0",
    }
    assert manager.post(url, values).status_code == 302
    assert "Ange ett tal." in _body(manager.post(url, {**values, "needs": "mycket"}))
    assert "Vikten ska vara mellan 0 och 100." in _body(manager.post(url, {**values, "needs": "500"}))
    assert manager.post(url, {**values, "needs": "6"}).status_code == 302
    assert list(MatchingWeights.objects.values_list("version", "needs")) == [(2, 6.0), (1, 5.0)]
    assert MatchingWeights.objects.get(version=1).distance == 2.5
    page = _body(manager.get(url))
    assert "Gällande version: 2." in page
    assert world.client("family_care_officer").get(url).status_code == 403


# ---------------------------------------------------------------------------
# Who may see what
# ---------------------------------------------------------------------------
def _objects(world):  # type: ignore[no-untyped-def]
    support_request = _order(world)
    supporter = approved_supporter(world)
    (offer,) = services.send_offers(
        tenant=world.tenant("family_care_officer"), support_request=support_request, supporters=[supporter]
    )
    return support_request, offer


PAGES = [
    # (url name, args from (request, offer), roles that get 200, a role that gets 403, content)
    (
        "request_list",
        lambda r, o: [],
        ["caseworker", "family_care_officer", "manager"],
        "auditor",
        "Familjehem",
    ),
    ("offer_tasks", lambda r, o: [], ["family_care_officer", "manager"], "caseworker", "Familjen Ek"),
    ("weights", lambda r, o: [], ["manager"], "family_care_officer", "Vikter för matchning"),
    ("global_proposal", lambda r, o: [], ["family_care_officer", "manager"], "caseworker", "Samlat förslag"),
    (
        "request_detail",
        lambda r, o: [r.pk],
        ["caseworker", "family_care_officer", "manager"],
        "auditor",
        "Alafors",
    ),
    (
        "request_edit",
        lambda r, o: [r.pk],
        ["caseworker", "family_care_officer", "manager"],
        "auditor",
        "Ändra",
    ),
    ("request_cancel", lambda r, o: [r.pk], ["caseworker", "family_care_officer"], "admin", "Återkalla"),
    ("request_protected_place", lambda r, o: [r.pk], ["caseworker", "manager"], "auditor", "skyddad plats"),
    ("request_relative", lambda r, o: [r.pk], ["family_care_officer", "manager"], "caseworker", "närstående"),
    (
        "shortlist",
        lambda r, o: [r.pk],
        ["family_care_officer", "manager"],
        "caseworker",
        "Rangordnade kandidater",
    ),
    ("offer_answer", lambda r, o: [o.pk], ["family_care_officer", "manager"], "caseworker", "070-1112233"),
    ("offer_withdraw", lambda r, o: [o.pk], ["family_care_officer"], "caseworker", "Återta förfrågan"),
    ("offer_confirm", lambda r, o: [o.pk], ["family_care_officer"], "caseworker", "Bekräfta uppdraget"),
]


@pytest.mark.parametrize(("name", "args", "allowed", "refused", "content"), PAGES, ids=[p[0] for p in PAGES])
def test_who_may_open_each_page(world, name, args, allowed, refused, content) -> None:  # type: ignore[no-untyped-def]
    support_request, offer = _objects(world)
    support_request.location_name = "Alafors"
    support_request.save()
    url = reverse(f"staff:{name}", args=args(support_request, offer))
    for role in allowed:
        response = world.client(role).get(url)
        assert response.status_code == 200, role
        assert content in _body(response), role
    assert world.client(refused).get(url).status_code == 403
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "logga-in" in anonymous["Location"]
    if args(support_request, offer):
        for role in allowed:
            assert world.client(role, other=True).get(url).status_code == 404, role
            assert world.client(role, other=True).post(url, {}).status_code == 404, role


def test_order_page_permissions(world) -> None:  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world)
    url = _order_url(intervention)
    assert world.client("caseworker").get(url).status_code == 200
    assert world.client("manager").get(url).status_code == 200
    assert world.client("family_care_officer").get(url).status_code == 403
    assert world.client("caseworker", other=True).get(url).status_code == 404
    assert world.client("caseworker", other=True).post(url, _form()).status_code == 404
    assert Client().get(url).status_code == 302
    assert not SupportRequest.objects.exists()
    # the other municipality's own case with this intervention: still a 404
    own = granted_intervention(world, other=True)
    mixed = reverse("staff:request_new", args=[own.case_id, intervention.pk])
    assert world.client("caseworker", other=True).get(mixed).status_code == 404


def test_caseworkers_see_only_their_units_requests_and_the_menu_item(world) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import MembershipFactory, UnitFactory, UserFactory

    mine = _order(world)
    other_unit = UnitFactory(municipality=world.home, name="Annan enhet")
    stranger = UserFactory(username="caseworker.annan")
    MembershipFactory(user=stranger, unit=other_unit, role="caseworker")
    client = Client()
    client.force_login(stranger)
    page = _body(client.get(reverse("staff:request_list")))
    assert mine.case.reference not in page and "Matchning" in page
    assert client.get(reverse("staff:request_detail", args=[mine.pk])).status_code == 404
    assert mine.case.reference in _body(world.client("caseworker").get(reverse("staff:request_list")))
    assert "Matchning" not in _body(world.client("auditor").get(reverse("staff:home")))


def test_request_list_filters(world) -> None:  # type: ignore[no-untyped-def]
    open_request = _order(world)
    kp = _order(world, kind="kontaktperson")
    cancelled = _order(world)
    services.cancel_request(tenant=world.tenant("caseworker"), support_request=cancelled, reason="Flyttat")
    officer = world.client("family_care_officer")
    url = reverse("staff:request_list")
    page = _body(officer.get(url))
    assert open_request.case.reference in page and kp.case.reference in page
    assert cancelled.case.reference not in page
    page = _body(officer.get(url, {"status": "cancelled"}))
    assert cancelled.case.reference in page and open_request.case.reference not in page
    page = _body(officer.get(url, {"uppdrag": "kontaktperson"}))
    assert kp.case.reference in page and open_request.case.reference not in page
    page = _body(officer.get(url, {"status": "all"}))
    assert cancelled.case.reference in page and open_request.case.reference in page


# ---------------------------------------------------------------------------
# Constant queries on the list pages
# ---------------------------------------------------------------------------
def _fill(world, n: int) -> None:  # type: ignore[no-untyped-def]
    officer = world.tenant("family_care_officer")
    for i in range(n):
        support_request = _order(world)
        supporter = approved_supporter(world, name=f"Familjen {i}")
        services.send_offers(tenant=officer, support_request=support_request, supporters=[supporter])


@pytest.mark.parametrize("name", ["request_list", "offer_tasks"])
def test_list_pages_have_a_constant_number_of_queries(world, django_assert_max_num_queries, name) -> None:  # type: ignore[no-untyped-def]
    officer = world.client("family_care_officer")
    url = reverse(f"staff:{name}")
    _fill(world, 2)
    officer.get(url)  # warm the session and the menu
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert officer.get(url).status_code == 200
    _fill(world, 8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = _body(officer.get(url))
    assert page.count("Familjen ") >= 10 if name == "offer_tasks" else page.count("Familjehem") >= 10


def test_expired_offers_are_highlighted_in_the_call_tasks(world) -> None:  # type: ignore[no-untyped-def]
    support_request = _order(world)
    supporter = approved_supporter(world)
    (offer,) = services.send_offers(
        tenant=world.tenant("family_care_officer"), support_request=support_request, supporters=[supporter]
    )
    Offer.objects.filter(pk=offer.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    page = _body(world.client("family_care_officer").get(reverse("staff:offer_tasks")))
    assert "Svarstiden har gått ut" in page


def test_global_proposal_proposes_but_never_assigns(world) -> None:  # type: ignore[no-untyped-def]
    first = _order(world)
    second = _order(world)
    approved_supporter(world, name="Familjen Ek")
    approved_supporter(world, name="Familjen Alm")
    officer = world.client("family_care_officer")
    page = _body(officer.get(reverse("staff:global_proposal")))
    for support_request in (first, second):
        assert reverse("staff:shortlist", args=[support_request.pk]) in page
    assert "Familjen Ek" in page and "Familjen Alm" in page and "Vinst" in page
    event = AuditEvent.objects.get(object_type="matching.globalproposal")
    assert len(event.detail["proposal"]) == 2
    assert not Offer.objects.exists() and not Assignment.objects.exists()
    assert set(SupportRequest.objects.values_list("status", flat=True)) == {SupportRequest.Status.OPEN}


def test_shortlist_filters_and_a_bad_distance(world) -> None:  # type: ignore[no-untyped-def]
    near = approved_supporter(world, name="Familjen Nära Filter")
    far = approved_supporter(world, name="Familjen Långt Filter", at=(57.93 + 0.3, 12.07))
    req = _order(world, max_distance_km=60)
    client = world.client("family_care_officer")
    url = reverse("staff:shortlist", args=[req.pk])
    listed = {s: reverse("staff:supporter_detail", args=[s.pk]) for s in (near, far)}  # the rows' links
    body = _body(client.get(url))
    assert listed[near] in body and listed[far] in body
    body = _body(client.get(url, {"km": "10"}))
    assert listed[near] in body and listed[far] not in body
    assert "1 som uppfyller kraven döljs av filtret." in body
    response = client.get(url, {"km": "tio"})
    body = _body(response)
    assert response.status_code == 200
    assert "Ange ett helt antal kilometer mellan 1 och 2 000." in body and 'value="tio"' in body
    assert listed[far] in body  # an invalid filter hides nothing
