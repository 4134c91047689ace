"""Sign-in with e-legitimation for the public application (issue 13 item 4): the broker's token and
JWKS endpoints are mocked where mozilla-django-oidc calls them; the ID tokens are signed here."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterator
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from bredvid.audit.models import AuditEvent
from bredvid.casework import eservice
from bredvid.casework.models import EApplication
from tests.public.application_data import ADULT, CHILD, GUARDIAN, adult_form, guardian_form, pnr

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("published_sites")]

CLIENT_ID = "bredvid-public"
CLAIM = "https://id.oidc.se/claim/personalIdentityNumber"
BROKER = "https://eid.example.org"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(autouse=True)
def broker(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    settings.PUBLIC_OIDC_ENABLED = True
    settings.PUBLIC_OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.PUBLIC_OIDC_RP_CLIENT_SECRET = "secret"
    settings.PUBLIC_OIDC_OP_AUTHORIZATION_ENDPOINT = f"{BROKER}/authorize"
    settings.PUBLIC_OIDC_OP_TOKEN_ENDPOINT = f"{BROKER}/token"
    settings.PUBLIC_OIDC_OP_USER_ENDPOINT = f"{BROKER}/userinfo"
    settings.PUBLIC_OIDC_OP_JWKS_ENDPOINT = f"{BROKER}/jwks"
    settings.PUBLIC_OIDC_RP_SIGN_ALGO = "RS256"
    settings.PUBLIC_OIDC_RP_SCOPES = "openid https://id.oidc.se/scope/naturalPersonNumber"
    settings.PUBLIC_OIDC_USE_PKCE = True
    cache.clear()
    yield
    cache.clear()


def _jwks() -> dict[str, Any]:
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    return {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}


def _id_token(nonce: str, key: Any = KEY, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": BROKER, "aud": CLIENT_ID, "sub": "abc", "nonce": nonce, "iat": now, "exp": now + 300}
    payload.update(claims)
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, key, algorithm="RS256", headers={"kid": "k1"})


class _Response:
    def __init__(self, body: dict[str, Any], status: int = 200) -> None:
        self.status_code, self._body, self.url, self.text = status, body, BROKER, ""
        self.headers: dict[str, str] = {}

    def json(self) -> dict[str, Any]:
        return self._body

    def raise_for_status(self) -> None:
        pass


def _sign_in(client: Client, slug: str, claims: dict[str, Any], status: int = 200) -> Any:
    """Start at the municipality's form, come back from the broker with a code; the token endpoint
    answers an ID token with `claims` (the nonce the request sent, unless given)."""
    start = client.get(reverse("public:eid_start", args=[slug]))
    assert start.status_code == 302
    sent = parse_qs(urlparse(start["Location"]).query)
    assert start["Location"].startswith(f"{BROKER}/authorize?")
    assert sent["client_id"] == [CLIENT_ID] and "code_challenge" in sent
    assert sent["redirect_uri"] == ["http://testserver/kommuner/e-legitimation/retur/"]
    claims = dict(claims)
    claims.setdefault("nonce", sent["nonce"][0])
    key = claims.pop("key", KEY)
    token = _id_token(key=key, **claims)
    with mock.patch("mozilla_django_oidc.auth.requests") as requests_:
        requests_.post.return_value = _Response({"id_token": token, "access_token": "a"}, status)
        requests_.get.return_value = _Response(_jwks())
        back = client.get(reverse("public:eid_callback"), {"code": "c0de", "state": sent["state"][0]})
    if status == 200 and requests_.post.called:
        posted = requests_.post.call_args.kwargs["data"]
        assert posted["client_id"] == CLIENT_ID and "code_verifier" in posted
    return back


def _form(world) -> str:  # type: ignore[no-untyped-def]
    return reverse("public:application_new", args=[world.home.slug])


def test_without_a_broker_the_form_is_as_before(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_OIDC_ENABLED = False
    html = Client().get(_form(world)).content.decode()
    assert "Logga in med e-legitimation" not in html
    assert 'name="applicant_identity_number"' in html
    assert Client().get(reverse("public:eid_start", args=[world.home.slug])).status_code == 404
    assert Client().get(reverse("public:eid_callback"), {"state": "x", "code": "y"}).status_code == 404


def test_sign_in_shows_the_number_read_only_and_the_application_records_it(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert "Logga in med e-legitimation" in client.get(_form(world)).content.decode()
    back = _sign_in(client, world.home.slug, {CLAIM: GUARDIAN.replace("-", "")})
    assert back.status_code == 302 and back["Location"] == _form(world)
    html = client.get(_form(world)).content.decode()
    assert "Du är inloggad med e-legitimation" in html and GUARDIAN in html
    assert 'name="applicant_identity_number"' not in html  # never typed
    typed_other = pnr(datetime.date(1980, 2, 2), "111")
    response = client.post(_form(world), guardian_form(applicant_identity_number=typed_other))
    assert response.status_code == 302, response.content.decode()[:2000]
    e = EApplication.objects.get()
    assert (e.applicant_identity_number, e.identity_number) == (GUARDIAN, CHILD)  # the typed one ignored
    assert e.identified == EApplication.Identified.EID
    event = AuditEvent.objects.get(object_id=str(e.pk), action="create")
    assert event.detail["identified"] == "eid"
    # one application per sign-in: the next form asks again
    assert 'name="applicant_identity_number"' in client.get(_form(world)).content.decode()


def test_adult_signed_in_needs_not_type_the_number(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _sign_in(client, world.home.slug, {CLAIM: ADULT})
    response = client.post(_form(world), adult_form(identity_number=""))
    assert response.status_code == 302
    e = EApplication.objects.get()
    assert (e.identity_number, e.identified) == (ADULT, "eid")
    application = eservice.take_into_case(
        tenant=world.tenant("caseworker"), eapplication=e, unit=world.home_unit
    )
    taken = AuditEvent.objects.filter(object_id=str(e.pk), action="update").get()
    assert taken.detail["identified"] == "eid"
    assert application.eapplication.identified == "eid"


def test_typed_number_is_recorded_as_typed(world) -> None:  # type: ignore[no-untyped-def]
    assert Client().post(_form(world), adult_form()).status_code == 302
    e = EApplication.objects.get()
    assert e.identified == "typed"
    assert AuditEvent.objects.get(object_id=str(e.pk)).detail["identified"] == "typed"


@pytest.mark.parametrize(
    ("claims", "message"),
    [
        ({}, "E-legitimationen gav inget giltigt personnummer"),  # no claim
        ({CLAIM: GUARDIAN[:-1] + str((int(GUARDIAN[-1]) + 1) % 10)}, "inget giltigt personnummer"),
        ({CLAIM: "<script>"}, "inget giltigt personnummer"),
        ({CLAIM: GUARDIAN, "key": OTHER_KEY}, "kunde inte slutföras"),  # forged signature
        ({CLAIM: GUARDIAN, "nonce": "replayed"}, "kunde inte slutföras"),
        ({CLAIM: GUARDIAN, "aud": "another-client"}, "kunde inte slutföras"),
        ({CLAIM: GUARDIAN, "exp": 1}, "kunde inte slutföras"),
    ],
)
def test_forged_or_missing_claim_is_refused_in_swedish(world, claims, message) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    back = _sign_in(client, world.home.slug, claims)
    assert back["Location"] == _form(world)
    html = client.get(_form(world)).content.decode()
    assert message in html
    assert "Du är inloggad med e-legitimation" not in html
    assert 'name="applicant_identity_number"' in html
    assert message not in client.get(_form(world)).content.decode()  # shown once


def test_token_endpoint_error_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _sign_in(client, world.home.slug, {CLAIM: GUARDIAN}, status=400)
    assert "kunde inte slutföras" in client.get(_form(world)).content.decode()


def test_cancelled_at_the_broker_and_unknown_state(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    start = client.get(reverse("public:eid_start", args=[world.home.slug]))
    state = parse_qs(urlparse(start["Location"]).query)["state"][0]
    back = client.get(reverse("public:eid_callback"), {"error": "access_denied", "state": state})
    assert back["Location"] == _form(world)
    assert "avbröts" in client.get(_form(world)).content.decode()
    # the state is used up; a state this session never started is refused as the library refuses it
    assert client.get(reverse("public:eid_callback"), {"code": "c", "state": state}).status_code == 400
    assert Client().get(reverse("public:eid_callback"), {"code": "c", "state": "x"}).status_code == 400


def test_a_sign_in_at_one_municipality_is_not_valid_at_another(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _sign_in(client, world.home.slug, {CLAIM: ADULT})
    other = reverse("public:application_new", args=[world.other.slug])
    html = client.get(other).content.decode()
    assert "Du är inloggad med e-legitimation" not in html and ADULT not in html
    response = client.post(other, adult_form(identity_number=""))
    assert response.status_code == 200
    assert "Ange personnummer." in response.content.decode()
    assert client.post(other, adult_form()).status_code == 302
    e = EApplication.objects.get()
    assert (e.municipality_id, e.identified) == (world.other.pk, "typed")
    # still valid at home, where it was made
    assert "Du är inloggad med e-legitimation" in client.get(_form(world)).content.decode()


def test_the_verified_identity_expires_and_can_be_dropped(world, frozen_now) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _sign_in(client, world.home.slug, {CLAIM: ADULT})
    frozen_now.shift(datetime.timedelta(minutes=21))
    assert "Du är inloggad med e-legitimation" not in client.get(_form(world)).content.decode()
    _sign_in(client, world.home.slug, {CLAIM: ADULT})
    assert "Du är inloggad med e-legitimation" in client.get(_form(world)).content.decode()
    client.post(reverse("public:eid_forget", args=[world.home.slug]))
    assert "Du är inloggad med e-legitimation" not in client.get(_form(world)).content.decode()


def test_sign_ins_from_one_address_are_rate_limited(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_FORM_RATE_PER_IP = "2/h"
    client = Client()
    start = reverse("public:eid_start", args=[world.home.slug])
    assert [client.get(start)["Location"].startswith(BROKER) for _n in range(2)] == [True, True]
    refused = client.get(start)
    assert refused["Location"] == _form(world)
    assert "Många inloggningar" in client.get(_form(world)).content.decode()


def test_staff_see_that_the_number_was_verified(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _sign_in(client, world.home.slug, {CLAIM: ADULT})
    client.post(_form(world), adult_form(identity_number=""))
    e = EApplication.objects.get()
    html = world.client("caseworker").get(reverse("staff:eapplication_detail", args=[e.pk])).content
    assert "Verifierat med e-legitimation" in html.decode()
