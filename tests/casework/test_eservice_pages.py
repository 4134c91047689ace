"""Staff pages of the e-application inbox: list, detail (audited), taking one into a case."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from bredvid.audit.models import AuditEvent
from bredvid.casework import eservice
from bredvid.casework.models import Application, EApplication
from tests.public.application_data import adult_form, guardian_form, service_data

pytestmark = pytest.mark.django_db


def _submit(world, form=None, municipality=None) -> EApplication:  # type: ignore[no-untyped-def]
    data = service_data(form or adult_form())
    return eservice.submit(municipality=municipality or world.home, data=data).eapplication


def test_list_shows_state_and_counts_queries(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    waiting = _submit(world, guardian_form())
    ready = _submit(world, adult_form(do_not_call="on"))
    client = world.client("caseworker")
    client.get(reverse("staff:eapplication_list"))  # warm the session and the tenant
    for _n in range(30):
        _submit(world)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("staff:eapplication_list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert waiting.reference in html and ready.reference in html
    assert "Väntar på den andra vårdnadshavarens samtycke" in html
    assert "Skyddsönskemål" in html


def test_pages_by_role_and_municipality(world) -> None:  # type: ignore[no-untyped-def]
    e = _submit(world)
    detail = reverse("staff:eapplication_detail", args=[e.pk])
    take = reverse("staff:eapplication_take", args=[e.pk])
    listing = reverse("staff:eapplication_list")
    for url in (listing, detail, take):
        assert world.client("caseworker").get(url).status_code == 200
        assert world.client("auditor").get(url).status_code == 403
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))
    assert world.client("caseworker", other=True).get(detail).status_code == 404
    assert world.client("caseworker", other=True).get(take).status_code == 404


def test_detail_is_an_audited_view_and_shows_protections(world) -> None:  # type: ignore[no-untyped-def]
    e = _submit(world, adult_form(do_not_call="on", do_not_send_post="on"))
    response = world.client("manager").get(reverse("staff:eapplication_detail", args=[e.pk]))
    html = response.content.decode()
    assert "Ring inte till sökanden." in html and "Skicka inte post till sökanden." in html
    assert AuditEvent.objects.filter(action="view", object_id=str(e.pk)).count() == 1


def test_take_into_case_page(world) -> None:  # type: ignore[no-untyped-def]
    e = _submit(world)
    client = world.client("caseworker")
    url = reverse("staff:eapplication_take", args=[e.pk])
    response = client.post(url, {"unit": str(world.home_unit.pk)})
    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("staff:case_detail", args=[application.case_id])
    assert application.source == Application.Source.PUBLIC
    again = client.post(url, {"unit": str(world.home_unit.pk)})
    assert again.status_code == 200 and "Ansökan är redan hanterad." in again.content.decode()
    assert Application.objects.count() == 1


def test_take_refused_while_awaiting_consent(world) -> None:  # type: ignore[no-untyped-def]
    e = _submit(world, guardian_form())
    response = world.client("caseworker").post(
        reverse("staff:eapplication_take", args=[e.pk]), {"unit": str(world.home_unit.pk)}
    )
    assert "väntar på den andra vårdnadshavarens samtycke" in response.content.decode()
    assert not Application.objects.exists()


def test_close_without_case_page(world) -> None:  # type: ignore[no-untyped-def]
    e = _submit(world)
    url = reverse("staff:eapplication_close", args=[e.pk])
    assert world.client("auditor").get(url).status_code == 403
    assert world.client("caseworker", other=True).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    client = world.client("caseworker")
    detail = client.get(reverse("staff:eapplication_detail", args=[e.pk])).content.decode()
    assert url in detail  # the detail page offers it
    missing = client.post(url, {"status": "rejected", "note": ""})
    assert missing.status_code == 200 and "govuk-error-summary" in missing.content.decode()
    assert EApplication.objects.get(pk=e.pk).status == EApplication.Status.READY  # nothing saved
    response = client.post(url, {"status": "rejected", "note": "Skickad två gånger."})
    assert response.status_code == 302 and response["Location"] == reverse("staff:eapplication_list")
    e.refresh_from_db()
    assert (e.status, e.closed_note) == (EApplication.Status.REJECTED, "Skickad två gånger.")
