"""Log-in, lockout, second factor, idle expiry and SSO user matching."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bredvid.accounts.oidc import MunicipalOIDCBackend
from bredvid.audit.models import Action, AuditEvent
from tests.factories import UserFactory

LOGIN = "/konto/logga-in/"
PASSWORD = "test-password-123"


def _login(client: Client, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_public_and_swedish(db) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="sv"' in body
    assert "Logga in i Bredvid" in body


def test_successful_login_is_audited_in_the_users_municipality(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = _login(client, "caseworker.home")
    assert response.status_code == 302
    [event] = AuditEvent.objects.filter(action=Action.LOGIN)
    assert event.municipality == world.home
    assert event.actor_username == "caseworker.home"
    assert client.get("/").status_code == 200


def test_wrong_password_is_explained_and_audited(world) -> None:  # type: ignore[no-untyped-def]
    response = _login(Client(), "caseworker.home", "wrong-password")
    assert response.status_code == 200
    assert "Fel användarnamn eller lösenord" in response.content.decode()
    [event] = AuditEvent.objects.filter(action=Action.LOGIN_FAILED)
    assert event.municipality == world.home


def test_unknown_user_failure_goes_to_the_global_chain(db) -> None:  # type: ignore[no-untyped-def]
    _login(Client(), "nobody", "whatever")
    [event] = AuditEvent.objects.filter(action=Action.LOGIN_FAILED)
    assert event.chain == "global"
    assert event.municipality is None


def test_lockout_after_repeated_failures(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(3):
        _login(client, "caseworker.home", "wrong-password")
    response = _login(client, "caseworker.home")  # right password, but locked
    assert response.status_code == 429
    assert "tillfälligt låst" in response.content.decode()
    assert client.get("/").status_code == 302  # not logged in


def test_second_factor_is_required_when_configured(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED = True
    client = Client()
    _login(client, "caseworker.home")
    response = client.get(reverse("staff:person_list"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:otp")
    # first time: the page enrols an authenticator app
    page = client.get(reverse("accounts:otp"))
    assert page.context["setting_up"] is True
    assert page.context["qr"].startswith("data:image/svg+xml;base64,")
    device = TOTPDevice.objects.get(user=world.users["caseworker"])
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a failure; not under test here
    right = totp(device.bin_key)
    wrong = client.post(reverse("accounts:otp"), {"token": f"{(right + 500_000) % 1_000_000:06d}"})
    assert wrong.status_code == 200
    assert "Koden stämmer inte" in wrong.content.decode()
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
    response = client.post(reverse("accounts:otp"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("staff:person_list")).status_code == 200


def test_otp_form_rejects_non_digits(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED = True
    client = Client()
    _login(client, "caseworker.home")
    response = client.post(reverse("accounts:otp"), {"token": "12ab56"})
    assert "bara av siffror" in response.content.decode()


def test_session_expires_after_idle_timeout(world, settings) -> None:  # type: ignore[no-untyped-def]
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST
    client = Client()
    _login(client, "caseworker.home")
    client.get("/")
    session = Session.objects.get(session_key=client.session.session_key)
    remaining = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < remaining <= timedelta(minutes=30)
    # simulate 31 idle minutes
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(minutes=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_needs_post_and_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    _login(client, "caseworker.home")
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(action=Action.LOGOUT).count() == 1
    assert client.get("/").status_code == 302


def test_oidc_matches_active_users_by_email_only(db) -> None:  # type: ignore[no-untyped-def]
    active = UserFactory(username="sso.user", email="Sara.Lind@kommun.se")
    UserFactory(username="gone", email="gone@kommun.se", is_active=False)
    backend = MunicipalOIDCBackend.__new__(MunicipalOIDCBackend)
    backend.UserModel = type(active)
    assert list(backend.filter_users_by_claims({"email": "sara.lind@kommun.se"})) == [active]
    assert not backend.filter_users_by_claims({"email": "gone@kommun.se"}).exists()
    assert not backend.filter_users_by_claims({}).exists()


def _settings_in_subprocess(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    root = Path(__file__).resolve().parents[2]
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "DATABASE_URL", "AUDIT_HMAC_KEY", "AUDIT_HMAC_KEY_ID"}
    }
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); print('started')"],
        cwd=root,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DEBUG": "true"}, "DEBUG"),
        ({"ALLOWED_HOSTS": "*"}, "ALLOWED_HOSTS"),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "PostgreSQL"),
        ({"OTP_REQUIRED": "false"}, "OTP_REQUIRED"),
        ({"AUDIT_DISABLED": "true"}, "AUDIT_DISABLED"),
        ({"AUDIT_HMAC_KEY": ""}, "AUDIT_HMAC_KEY"),
        ({"AUDIT_HMAC_KEY": "too-short"}, "AUDIT_HMAC_KEY"),
        ({"AUDIT_HMAC_KEY": "bredvid-development-audit-key-not-secret"}, "AUDIT_HMAC_KEY"),
        ({"AUDIT_HMAC_KEY_ID": "a:b"}, "AUDIT_HMAC_KEY_ID"),
    ],
)
def test_production_refuses_insecure_values(env: dict[str, str], complaint: str) -> None:
    good = {
        "DJANGO_ENV": "production",
        "SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "bredvid.kommun.se",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bredvid",
        "AUDIT_HMAC_KEY": "a" * 16 + "0123456789abcdefghijklmnop",
    }
    if env == {}:
        good.pop("SECRET_KEY")
    result = _settings_in_subprocess({**good, **env})
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert complaint in result.stderr


def test_production_starts_with_secure_values() -> None:
    result = _settings_in_subprocess(
        {
            "DJANGO_ENV": "production",
            "SECRET_KEY": "k" * 20 + "0123456789abcdefghijklmnopqrstuvwxyz",
            "ALLOWED_HOSTS": "bredvid.kommun.se",
            "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bredvid",
            "AUDIT_HMAC_KEY": "a" * 16 + "0123456789abcdefghijklmnop",
        }
    )
    assert result.returncode == 0, result.stderr
    assert "started" in result.stdout


def test_client_ip_behind_proxies(settings, rf) -> None:  # type: ignore[no-untyped-def]
    from bredvid.core.http import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # no proxies trusted: the header is ignored
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the address our proxy received from
    settings.PROXY_COUNT = 2
    assert client_ip(request) == "198.51.100.7"
    settings.PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.2"  # fewer entries than proxies: fall back
    bad = rf.get("/", HTTP_X_FORWARDED_FOR="not-an-ip", REMOTE_ADDR="10.0.0.2")
    settings.PROXY_COUNT = 1
    assert client_ip(bad) == "10.0.0.2"


def test_sso_views_are_reachable_without_a_session() -> None:
    from django.test import RequestFactory

    from bredvid.accounts.middleware import StaffLoginRequiredMiddleware

    middleware = StaffLoginRequiredMiddleware(lambda request: None)  # type: ignore[arg-type,return-value]
    request = RequestFactory().get("/oidc/callback/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    assert middleware.process_view(request, lambda r: None, (), {}) is None
    request = RequestFactory().get("/personer/")
    request.user = AnonymousUser()
    assert middleware.process_view(request, lambda r: None, (), {}).status_code == 302
