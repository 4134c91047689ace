"""The public application pages: form, receipt, the second guardian's link; e-mails; rate limits."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bredvid.casework.models import EApplication
from tests.public.application_data import ADULT, CHILD, GUARDIAN, adult_form, guardian_form

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("published_sites")]


@pytest.fixture(autouse=True)
def _fresh_limits():  # type: ignore[no-untyped-def]
    cache.clear()
    yield
    cache.clear()


def _new(world) -> str:  # type: ignore[no-untyped-def]
    return reverse("public:application_new", args=[world.home.slug])


def test_form_page_shows_every_part_without_javascript(world) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(_new(world))
    assert response.status_code == 200
    html = response.content.decode()
    for name in (
        "applicant_kind",
        "identity_number",
        "second_guardian_email",
        "do_not_call",
        "do_not_send_post",
    ):
        assert f'name="{name}"' in html
    assert "<fieldset" in html and "<legend" in html


def test_guardian_submission_receipt_and_mails(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post(_new(world), guardian_form())
    assert response.status_code == 302
    assert response["Location"] == reverse("public:application_receipt", args=[world.home.slug])
    e = EApplication.objects.get()
    receipt = client.get(response["Location"])
    assert e.reference in receipt.content.decode()
    assert client.get(response["Location"]).status_code == 302  # shown once
    assert Client().get(response["Location"]).status_code == 302  # nothing to enumerate
    assert sorted(m.to[0] for m in mail.outbox) == ["karin@example.org", "per@example.org"]
    for message in mail.outbox:
        text = message.subject + message.body
        assert e.reference in text
        for personal in (
            "Lisa",
            "Barnsson",
            "Karin",
            "Föräldersson",
            "Per ",
            CHILD,
            GUARDIAN,
            "Hemlig",
            CHILD[2:8],
        ):
            assert personal not in text, personal
    to_second = next(m for m in mail.outbox if m.to == ["per@example.org"])
    link = re.search(r"http://testserver(/\S+)", to_second.body)
    assert link is not None
    # the link page: a GET does not use it up; the POST does, once
    page = Client().get(link[1])
    assert page.status_code == 200
    assert "Lisa" not in page.content.decode() and CHILD not in page.content.decode()
    assert Client().get(link[1]).status_code == 200
    assert EApplication.objects.get().status == EApplication.Status.AWAITING_CONSENT
    done = Client().post(link[1], {"webbplats": ""})
    assert done.status_code == 200
    assert EApplication.objects.get().status == EApplication.Status.READY
    assert Client().post(link[1], {"webbplats": ""}).status_code == 404
    assert Client().get(link[1]).status_code == 404
    # another municipality's site does not know the link
    other = link[1].replace(f"/{world.home.slug}/", f"/{world.other.slug}/")
    assert Client().get(other).status_code == 404


def test_errors_next_to_fields_and_everything_kept(world) -> None:  # type: ignore[no-untyped-def]
    wrong = ADULT[:-1] + str((int(ADULT[-1]) + 1) % 10)
    data = adult_form(identity_number=wrong, contact_by="phone", do_not_call="on", description="Mitt behov ✓")
    response = Client().post(_new(world), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kontrollsiffran stämmer inte." in html
    assert "govuk-error-summary" in html and 'href="#id_identity_number"' in html
    assert "Du har valt att vi inte ska ringa" in html
    assert "Mitt behov ✓" in html and wrong in html
    assert not EApplication.objects.exists()


def test_youth_under_15_refused(world) -> None:  # type: ignore[no-untyped-def]
    from tests.public.application_data import pnr, years_ago

    data = adult_form(applicant_kind="youth_self", identity_number=pnr(years_ago(14, 100)))
    response = Client().post(_new(world), data)
    assert response.status_code == 200
    assert "under 15 år kan inte ansöka själv" in response.content.decode()
    assert not EApplication.objects.exists()


def test_guardian_fields_required_only_for_guardians(world) -> None:  # type: ignore[no-untyped-def]
    response = Client().post(
        _new(world), guardian_form(applicant_identity_number="", second_guardian_email="")
    )
    html = response.content.decode()
    assert "Ange ditt personnummer." in html and "Ange den andra vårdnadshavarens e-postadress." in html
    assert Client().post(_new(world), adult_form()).status_code == 302


def test_honeypot_and_size_refused_store_nothing(world) -> None:  # type: ignore[no-untyped-def]
    assert Client().post(_new(world), guardian_form(webbplats="http://spam")).status_code == 200
    big = Client().post(_new(world), guardian_form(description="x" * 70_000))
    assert big.status_code == 413
    assert not EApplication.objects.exists() and not mail.outbox


def test_size_is_checked_before_csrf_and_beyond_djangos_own_limit(world) -> None:  # type: ignore[no-untyped-def]
    strict = Client(enforce_csrf_checks=True)
    huge = strict.post(_new(world), guardian_form(description="x" * 3_000_000))
    assert huge.status_code == 413  # not Django's 400 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE
    assert "Det du skickade var för stort" in huge.content.decode()
    assert strict.post(_new(world), guardian_form()).status_code == 403  # CSRF still checked
    assert not EApplication.objects.exists()


def test_rate_limit_refusal_stores_nothing(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_FORM_RATE_PER_IP = "2/h"
    settings.PUBLIC_FORM_RATE_PER_EMAIL = "100/h"
    client = Client()
    for n in range(2):
        assert client.post(_new(world), adult_form(email=f"a{n}@example.org")).status_code == 302
    refused = client.post(_new(world), adult_form(email="a3@example.org"))
    assert refused.status_code == 429
    assert "Vänta en stund" in refused.content.decode()
    assert EApplication.objects.count() == 2 and len(mail.outbox) == 2


def test_municipality_a_never_in_b_inbox(world) -> None:  # type: ignore[no-untyped-def]
    Client().post(_new(world), adult_form())
    other = world.client("caseworker", other=True).get(reverse("staff:eapplication_list"))
    assert "Vuxensson" not in other.content.decode()
    home = world.client("caseworker").get(reverse("staff:eapplication_list"))
    assert "Vuxensson" in home.content.decode()


def test_unknown_municipality_is_404(world) -> None:  # type: ignore[no-untyped-def]
    assert Client().get(reverse("public:application_new", args=["finns-inte"])).status_code == 404
