"""The public interest registration (issue 13 items 2 and 5): the form, its receipt, the e-mail, the
abuse protection, and that a registration lands in its own municipality's inbox only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse

from bredvid.audit.models import Action, AuditEvent
from bredvid.supporters import services
from bredvid.supporters.models import InterestRegistration
from bredvid.www.public.interest_forms import NOTICE
from tests.conftest import World

# The public sites answer only when the municipality publishes.
pytestmark = pytest.mark.usefixtures("published_sites")

VALID: dict[str, Any] = {
    "supports": ["kontaktperson", "familjehem"],
    "adults": "2",
    "children_ages": "4, 9",
    "first_name": "Zelmira",
    "last_name": "Quornby",
    "email": "zelmira@example.se",
    "phone": "070-123 45 67",
    "street_address": "Kvistvägen 7",
    "postal_code": "44930",
    "city": "Nödinge",
    "area": "Surte",
    "languages": "svenska, farsi",
    "message": "Jag har tid på helgerna och tycker om friluftsliv.",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Any:
    """The rate limits count on the cache: every test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def _url(world: World, name: str = "public:interest_new", *, other: bool = False) -> str:
    municipality = world.other if other else world.home
    return reverse(name, kwargs={"slug": municipality.slug})


def _post(client: Client, world: World, **changes: Any) -> Any:
    data = {**VALID, **changes}
    return client.post(_url(world), {k: v for k, v in data.items() if v is not None})


def test_the_form_is_open_to_anonymous_visitors(world: World) -> None:
    response = Client().get(_url(world))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="webbplats"' in body and 'tabindex="-1"' in body and 'aria-hidden="true"' in body
    assert str(NOTICE) in body
    for value in ("kontaktperson", "kontaktfamilj", "familjehem", "jourhem"):
        assert f'value="{value}"' in body


def test_an_unknown_municipality_is_a_404(db: Any) -> None:
    assert Client().get("/finns-inte/bli-uppdragstagare/anmalan/").status_code == 404


def test_a_valid_registration_lands_in_the_inbox_with_a_reference(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, world)
    assert response.status_code == 302
    assert response["Location"] == _url(world, "public:interest_receipt")
    registration = InterestRegistration.objects.get()
    assert registration.municipality == world.home
    assert registration.source == InterestRegistration.Source.PUBLIC
    assert registration.supports == ["kontaktperson", "familjehem"]
    assert registration.adults == 2
    assert registration.children_ages == [4, 9]
    assert registration.postal_code == "449 30"
    assert registration.languages == "svenska, farsi"
    assert registration.reference.startswith("IA-") and registration.reference.endswith("-00001")
    assert str(NOTICE) in registration.consent_text
    event = AuditEvent.objects.get(action=Action.CREATE, object_id=str(registration.pk))
    assert event.via == "public" and event.municipality_id == world.home.pk and event.actor_id is None

    receipt = client.get(response["Location"])
    assert receipt.status_code == 200
    assert registration.reference in receipt.content.decode()
    assert "Zelmira" not in receipt.content.decode()

    # The family-care officer of the municipality finds it in the inbox, with the new fields.
    staff = world.client("family_care_officer")
    inbox = staff.get(reverse("staff:registration_list")).content.decode()
    assert "Quornby" in inbox
    detail = staff.get(reverse("staff:registration_detail", kwargs={"object_id": registration.pk}))
    page = detail.content.decode()
    assert registration.reference in page and "svenska, farsi" in page and "4, 9" in page


def test_references_count_up_per_municipality(world: World) -> None:
    _post(Client(), world)
    _post(Client(), world, email="annan@example.se")
    other = {**VALID, "email": "tredje@example.se"}
    Client().post(_url(world, other=True), other)
    home = sorted(
        InterestRegistration.objects.in_municipality(world.home).values_list("reference", flat=True)
    )
    away = list(InterestRegistration.objects.in_municipality(world.other).values_list("reference", flat=True))
    assert [ref[-5:] for ref in home] == ["00001", "00002"]
    assert [ref[-5:] for ref in away] == ["00001"]


def test_the_receipt_is_shown_only_to_the_browser_that_sent_it(world: World) -> None:
    sender = Client()
    _post(sender, world)
    reference = InterestRegistration.objects.get().reference
    stranger = Client().get(_url(world, "public:interest_receipt"))
    assert stranger.status_code == 302 and stranger["Location"] == _url(world)
    # Nor does the other municipality's receipt page show it to the sender.
    elsewhere = sender.get(_url(world, "public:interest_receipt", other=True))
    assert elsewhere.status_code == 302 and reference.encode() not in elsewhere.content


def test_the_receipt_cannot_be_forged_and_no_session_is_stored(world: World) -> None:
    sender = Client()
    _post(sender, world)
    reference = InterestRegistration.objects.get().reference
    # The receipt travels in a signed cookie: the submission stored no session row.
    assert not Session.objects.exists()
    assert reference.encode() in sender.get(_url(world, "public:interest_receipt")).content
    forger = Client()
    forger.cookies["bv_receipt_interest"] = json.dumps({"reference": reference})  # unsigned
    forged = forger.get(_url(world, "public:interest_receipt"))
    assert forged.status_code == 302 and reference.encode() not in forged.content


def test_errors_are_shown_next_to_the_fields_and_everything_typed_is_kept(world: World) -> None:
    response = _post(
        Client(),
        world,
        supports=None,
        adults="två",
        children_ages="4, 30",
        email="inte-en-adress",
        postal_code="1234",
        consent=None,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "govuk-error-summary" in body
    for message in (
        "Välj minst ett uppdrag.",
        "Ange antalet vuxna med siffror, till exempel 2.",
        "Ange barnens åldrar som heltal från 0 till 25.",
        "Ange en e-postadress i rätt format, till exempel namn@example.se.",
        "Ange postnumret med fem siffror, till exempel 123 45.",
        "Bekräfta att du har läst informationen om personuppgifter.",
    ):
        assert body.count(message) == 2, message  # in the summary and next to the field
    for anchor in (
        "id_supports",
        "id_adults",
        "id_children_ages",
        "id_email",
        "id_postal_code",
        "id_consent",
    ):
        assert f'href="#{anchor}"' in body and f'id="{anchor}"' in body
    for kept in ("två", "4, 30", "inte-en-adress", "Zelmira", "Kvistvägen 7", "Jag har tid på helgerna"):
        assert kept in body
    assert InterestRegistration.objects.count() == 0


def test_email_or_phone_is_required(world: World) -> None:
    response = _post(Client(), world, email="", phone="")
    assert "Ange telefon eller e-post så att vi kan nå dig." in response.content.decode()
    assert InterestRegistration.objects.count() == 0
    assert _post(Client(), world, email="").status_code == 302  # a phone number alone is enough


def test_names_must_be_printable(world: World) -> None:
    response = _post(Client(), world, first_name="Zel\u202emira", last_name="Quorn\x07by")
    assert response.content.decode().count("Texten innehåller tecken som inte går att skriva ut") == 4
    assert InterestRegistration.objects.count() == 0


# ---------------------------------------------------------------------------
# The confirmation e-mail
# ---------------------------------------------------------------------------
def test_the_email_says_received_and_the_reference_and_nothing_typed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _post(Client(), world)
    reference = InterestRegistration.objects.get().reference
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [VALID["email"]]
    assert reference in message.body
    text = f"{message.subject}\n{message.body}"
    typed = [v for k, v in VALID.items() if k not in ("supports", "adults", "consent", "email")]
    typed += ["Kontaktperson", "Familjehem", "kontaktperson", "familjehem", "449 30"]
    for value in typed:
        assert value not in text, value


def test_no_email_without_an_address(world: World, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert _post(Client(), world, email="").status_code == 302
    assert mail.outbox == []


def test_a_rolled_back_registration_sends_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    data = {k: v for k, v in VALID.items() if k in services.REGISTRATION_FIELDS}
    data.update(adults=2, children_ages=[4])
    public = InterestRegistration.Source.PUBLIC
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.register_interest(municipality=world.home, data=data, consent_text="x", source=public)
        raise RuntimeError
    assert callbacks == [] and mail.outbox == []
    assert InterestRegistration.objects.count() == 0


def test_a_failing_mail_server_loses_nothing(
    world: World, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch, caplog: Any
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise ConnectionRefusedError

    monkeypatch.setattr(services, "send_mail", broken)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, world)
    assert response.status_code == 302
    registration = InterestRegistration.objects.get()
    assert client.get(response["Location"]).status_code == 200
    assert registration.reference in caplog.text and "could not be sent" in caplog.text


# ---------------------------------------------------------------------------
# Abuse protection
# ---------------------------------------------------------------------------
def test_the_n_plus_first_submission_from_one_address_is_refused(world: World, settings: Any) -> None:
    settings.PUBLIC_FORM_RATE_PER_IP = "2/h"
    settings.PUBLIC_FORM_RATE_PER_EMAIL = "100/h"
    for n in range(2):
        assert _post(Client(), world, email=f"person{n}@example.se").status_code == 302
    events = AuditEvent.objects.count()
    refused = _post(Client(), world, email="person3@example.se")
    assert refused.status_code == 429
    assert "Ingenting av det du skrev har sparats." in refused.content.decode()
    assert InterestRegistration.objects.count() == 2 and AuditEvent.objects.count() == events
    # Another address is still welcome.
    assert Client(REMOTE_ADDR="192.0.2.9").post(_url(world), VALID).status_code == 302


def test_the_n_plus_first_submission_with_one_email_address_is_refused(world: World, settings: Any) -> None:
    settings.PUBLIC_FORM_RATE_PER_IP = "100/h"
    settings.PUBLIC_FORM_RATE_PER_EMAIL = "1/h"
    assert Client(REMOTE_ADDR="192.0.2.1").post(_url(world), VALID).status_code == 302
    same_address = {**VALID, "email": "  Zelmira@EXAMPLE.se"}
    refused = Client(REMOTE_ADDR="192.0.2.2").post(_url(world), same_address)
    assert refused.status_code == 429
    assert InterestRegistration.objects.count() == 1


def test_the_honeypot_refuses_and_stores_nothing(world: World) -> None:
    response = _post(Client(), world, webbplats="https://spam.example")
    assert response.status_code == 400
    assert "Ingenting av det du skrev har sparats." in response.content.decode()
    assert InterestRegistration.objects.count() == 0


def test_an_oversized_post_gets_a_swedish_413_and_stores_nothing(world: World, settings: Any) -> None:
    settings.PUBLIC_FORM_MAX_BYTES = 10_000
    response = _post(Client(), world, message="x" * 20_000)
    assert response.status_code == 413
    assert "Det du skickade var för stort" in response.content.decode()
    assert InterestRegistration.objects.count() == 0


def test_the_size_limit_comes_before_the_csrf_check_and_csrf_is_on(world: World, settings: Any) -> None:
    settings.PUBLIC_FORM_MAX_BYTES = 10_000
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(_url(world), {**VALID, "message": "x" * 20_000}).status_code == 413
    assert strict.post(_url(world), VALID).status_code == 403
    assert InterestRegistration.objects.count() == 0
    strict.get(_url(world))
    token = strict.cookies["csrftoken"].value
    assert strict.post(_url(world), {**VALID, "csrfmiddlewaretoken": token}).status_code == 302


# ---------------------------------------------------------------------------
# Municipality isolation
# ---------------------------------------------------------------------------
def test_a_registration_on_a_site_never_appears_in_another_municipalitys_inbox(world: World) -> None:
    assert Client().post(_url(world, other=True), VALID).status_code == 302
    registration = InterestRegistration.objects.get()
    assert registration.municipality == world.other
    for role in ("family_care_officer", "manager"):
        staff = world.client(role)
        assert "Quornby" not in staff.get(reverse("staff:registration_list")).content.decode()
        detail = reverse("staff:registration_detail", kwargs={"object_id": registration.pk})
        assert staff.get(detail).status_code == 404
    own = world.client("family_care_officer", other=True)
    assert "Quornby" in own.get(reverse("staff:registration_list") + "?status=all").content.decode()


def test_a_body_beyond_djangos_own_limit_still_gets_the_swedish_413(world: World) -> None:
    response = _post(Client(), world, message="x" * 3_000_000)  # over DATA_UPLOAD_MAX_MEMORY_SIZE too
    assert response.status_code == 413
    assert "Det du skickade var för stort" in response.content.decode()
    assert InterestRegistration.objects.count() == 0
