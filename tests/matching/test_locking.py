"""Matching services guard the request and the offer as stored, locked, not the copy they are handed:
a stale copy (changed behind it by another officer) is refused, nothing is written, no audit event."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from bredvid.casework.models import Intervention
from bredvid.matching import services
from bredvid.matching.models import Offer, ProtectedPlace, SupportRequest
from tests.concurrency import refused
from tests.matching.factories import approved_supporter, granted_intervention, request_data


@pytest.fixture
def support_request(world) -> SupportRequest:  # type: ignore[no-untyped-def]
    return services.create_request(
        tenant=world.tenant("caseworker"), intervention=granted_intervention(world), data=request_data()
    )


def test_a_request_cancelled_meanwhile_is_not_changed(world, support_request) -> None:  # type: ignore[no-untyped-def]
    officer = world.tenant("family_care_officer")
    supporter = approved_supporter(world)
    SupportRequest.objects.filter(pk=support_request.pk).update(status=SupportRequest.Status.CANCELLED)
    for call in (
        lambda: services.update_request(
            tenant=officer, support_request=support_request, data={"wishes": "Ny"}
        ),
        lambda: services.add_protected_place(
            tenant=officer,
            support_request=support_request,
            label="Pappa",
            latitude=57.9,
            longitude=12.1,
            min_distance_km=20,
        ),
        lambda: services.send_offers(tenant=officer, support_request=support_request, supporters=[supporter]),
        lambda: services.cancel_request(tenant=officer, support_request=support_request, reason="Igen"),
    ):
        support_request.status = SupportRequest.Status.OPEN  # the copy the page showed
        refused(call)
    stored = SupportRequest.objects.get(pk=support_request.pk)
    assert (stored.wishes, stored.cancelled_reason) == ("", "")
    assert not ProtectedPlace.objects.exists()
    assert not Offer.objects.exists()


def test_an_answer_to_an_offer_of_a_request_cancelled_meanwhile_is_refused(world, support_request) -> None:  # type: ignore[no-untyped-def]
    officer = world.tenant("family_care_officer")
    (offer,) = services.send_offers(
        tenant=officer, support_request=support_request, supporters=[approved_supporter(world)]
    )
    assert offer.request.status == SupportRequest.Status.OPEN  # cached on the offer
    SupportRequest.objects.filter(pk=support_request.pk).update(status=SupportRequest.Status.CANCELLED)
    refused(lambda: services.answer_offer(tenant=officer, offer=offer, accepted=True))
    assert Offer.objects.get(pk=offer.pk).status == Offer.Status.SENT


def test_no_request_for_an_intervention_executed_meanwhile(world) -> None:  # type: ignore[no-untyped-def]
    intervention = granted_intervention(world)
    Intervention.objects.filter(pk=intervention.pk).update(status=Intervention.Status.ACTIVE)
    refused(
        lambda: services.create_request(
            tenant=world.tenant("caseworker"), intervention=intervention, data=request_data()
        ),
        ValidationError,
    )
    assert not SupportRequest.objects.exists()
