"""Issue 11 item 6: password spraying is throttled per address, Permissions-Policy on every response,
and in production an authenticator app is enrolled only through a single-use link."""

from __future__ import annotations

import time
from io import StringIO
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bredvid.accounts.services import issue_enrolment_link
from bredvid.audit.models import Action, AuditEvent
from bredvid.core.security_headers import permissions_policy_value
from tests.accounts.test_login import _settings_in_subprocess
from tests.factories import UserFactory

LOGIN = "/konto/logga-in/"
PASSWORD = "test-password-123"
SPRAYER = "203.0.113.7"  # documentation addresses: only the REMOTE_ADDR header of test requests
COLLEAGUE = "198.51.100.20"


def _login(username: str, password: str, address: str) -> object:
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password})


# ---------------------------------------------------------------------------
# Password spraying
# ---------------------------------------------------------------------------
def test_spraying_many_users_from_one_address_is_throttled(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 4
    users = [UserFactory(username=f"staff{n}") for n in range(6)]
    for user in users[:3]:  # one wrong password each: no user comes near their own limit
        assert _login(user.username, "Sommar2026!", SPRAYER).status_code == 200
    assert _login(users[3].username, "Sommar2026!", SPRAYER).status_code == 429  # the address's 4th
    # the address is now locked, even for a right password of a user it never tried
    locked = _login(users[5].username, PASSWORD, SPRAYER)
    assert locked.status_code == 429
    assert "tillfälligt låst" in locked.content.decode()
    # ...while the same user logs in from another address
    assert _login(users[5].username, PASSWORD, COLLEAGUE).status_code == 302


def test_failures_below_the_address_limit_do_not_lock_the_address(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_ADDRESS_FAILURE_LIMIT = 4
    users = [UserFactory(username=f"staff{n}") for n in range(4)]
    for user in users[:3]:
        _login(user.username, "wrong-password", SPRAYER)
    assert _login(users[3].username, PASSWORD, SPRAYER).status_code == 302


def test_per_user_limit_still_applies_below_the_address_limit(db, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    settings.AXES_ADDRESS_FAILURE_LIMIT = 100
    UserFactory(username="anna")
    UserFactory(username="bertil")
    for _ in range(3):
        _login("anna", "wrong-password", SPRAYER)
    assert _login("anna", PASSWORD, SPRAYER).status_code == 429
    assert _login("bertil", PASSWORD, SPRAYER).status_code == 302  # the office's address is not locked


# ---------------------------------------------------------------------------
# Permissions-Policy
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("url", [LOGIN, "/healthz", "/api/v1/persons/", "/finns-inte/", "/"])
def test_permissions_policy_on_every_response(db, url: str) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(url)
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb", "browsing-topics"):
        assert f"{feature}=()" in policy
    assert "fullscreen=(self)" in policy


def test_permissions_policy_syntax() -> None:
    assert permissions_policy_value({"camera": [], "fullscreen": ["self"]}) == "camera=(), fullscreen=(self)"


# ---------------------------------------------------------------------------
# Enrolment of the authenticator app
# ---------------------------------------------------------------------------
@pytest.fixture
def production_otp(settings):  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED = True
    settings.OTP_ENROLMENT_REQUIRES_LINK = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    return settings


def _link_path(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


def _enrol_with(client: Client, link: str):  # type: ignore[no-untyped-def]
    path = _link_path(link)
    assert client.get(path).status_code == 200  # a GET (a mail system's link checker) uses nothing up
    return client.post(path)


def test_production_password_alone_does_not_enrol(world, production_otp) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.post(LOGIN, {"username": "caseworker.home", "password": PASSWORD}).status_code == 302
    page = client.get(reverse("accounts:otp"))
    assert page.status_code == 403
    assert "Be systemförvaltaren om en länk" in page.content.decode()
    assert not TOTPDevice.objects.exists()  # no secret was created or shown
    assert "qr" not in page.context
    # and nothing else opens without the second factor
    assert client.get(reverse("staff:person_list"))["Location"] == reverse("accounts:otp")


def test_production_enrolment_through_a_single_use_link(world, production_otp) -> None:  # type: ignore[no-untyped-def]
    out = StringIO()
    call_command("enrolment_link", "caseworker.home", stdout=out)
    link = out.getvalue().strip()
    assert link.startswith(production_otp.BASE_URL.rstrip("/") + "/konto/aktivera/?sesame=")
    [issued] = AuditEvent.objects.filter(action=Action.ENROLMENT_LINK_ISSUED)
    assert issued.object_id == str(world.users["caseworker"].pk) and issued.via == "cli"

    client = Client()
    response = _enrol_with(client, link)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp")
    page = client.get(reverse("accounts:otp"))
    assert page.status_code == 200 and page.context["setting_up"] is True
    device = TOTPDevice.objects.get(user=world.users["caseworker"])
    assert client.post(reverse("accounts:otp"), {"token": f"{totp(device.bin_key):06d}"}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("staff:person_list")).status_code == 200
    [enrolled] = AuditEvent.objects.filter(action=Action.OTP_ENROLLED)
    assert enrolled.detail == {"through_link": True, "replaced_devices": 0}

    # single use: a second browser with the same link gets nowhere
    again = Client().post(_link_path(link))
    assert again.status_code == 403
    assert "Länken fungerar inte" in again.content.decode()


def test_link_expires(world, production_otp, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    link = issue_enrolment_link(user=world.users["caseworker"])
    later = time.time() + production_otp.OTP_ENROLMENT_LINK_MAX_AGE.total_seconds() + 60
    monkeypatch.setattr("sesame.tokens_v2.time", SimpleNamespace(time=lambda: later))
    response = Client().post(_link_path(link))
    assert response.status_code == 403
    assert not TOTPDevice.objects.exists()


def test_link_stops_working_after_another_log_in(world, production_otp) -> None:  # type: ignore[no-untyped-def]
    link = issue_enrolment_link(user=world.users["caseworker"])
    Client().post(LOGIN, {"username": "caseworker.home", "password": PASSWORD})
    assert Client().post(_link_path(link)).status_code == 403


def test_a_tampered_or_foreign_scope_token_is_refused(world, production_otp) -> None:  # type: ignore[no-untyped-def]
    from sesame.utils import get_query_string

    other_scope = get_query_string(world.users["caseworker"], scope="supporter-portal")
    assert Client().post(reverse("accounts:enrol") + other_scope).status_code == 403
    link = issue_enrolment_link(user=world.users["caseworker"])
    assert Client().post(_link_path(link)[:-3] + "xyz").status_code == 403
    assert Client().post(reverse("accounts:enrol")).status_code == 403


def test_reset_link_replaces_a_lost_authenticator(world, production_otp) -> None:  # type: ignore[no-untyped-def]
    old = TOTPDevice.objects.create(user=world.users["caseworker"], name="old phone", confirmed=True)
    client = Client()
    _enrol_with(client, issue_enrolment_link(user=world.users["caseworker"]))
    page = client.get(reverse("accounts:otp"))
    assert page.context["setting_up"] is True
    new = TOTPDevice.objects.get(user=world.users["caseworker"], confirmed=False)
    client.post(reverse("accounts:otp"), {"token": f"{totp(new.bin_key):06d}"})
    assert list(TOTPDevice.objects.filter(user=world.users["caseworker"])) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()


def test_inactive_user_gets_no_link(world) -> None:  # type: ignore[no-untyped-def]
    user = world.users["caseworker"]
    user.is_active = False
    user.save()
    with pytest.raises(CommandError):
        call_command("enrolment_link", "caseworker.home", stdout=StringIO())


def test_development_still_enrols_after_the_password(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED = True
    settings.OTP_ENROLMENT_REQUIRES_LINK = False
    client = Client()
    client.post(LOGIN, {"username": "caseworker.home", "password": PASSWORD})
    page = client.get(reverse("accounts:otp"))
    assert page.status_code == 200 and page.context["setting_up"] is True


def test_production_refuses_enrolment_without_link() -> None:
    result = _settings_in_subprocess(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "bredvid.kommun.se",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bredvid",
            "OTP_ENROLMENT_REQUIRES_LINK": "false",
        }
    )
    assert result.returncode != 0
    assert "OTP_ENROLMENT_REQUIRES_LINK" in result.stderr
