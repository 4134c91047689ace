"""Every view that follows a `next` parameter stays on this site (issue 11, open redirect)."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from mozilla_django_oidc.views import get_next_url

from bredvid.core.http import safe_next

PASSWORD = "test-password-123"
HOSTILE = [
    "https://evil.example/phish",
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "http:/evil.example",
]
LOCAL = "/personer/?q=ek"


def _location(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302
    return str(response["Location"])


def _stays_here(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_other_sites(target: str) -> None:
    request = RequestFactory().get("/", {"next": target})
    assert safe_next(request, "/fallback/") == "/fallback/"


def test_safe_next_keeps_a_local_path_and_refuses_http_from_https() -> None:
    assert safe_next(RequestFactory().get("/", {"next": LOCAL})) == LOCAL
    secure = RequestFactory().get("/", {"next": "http://testserver/x/"}, secure=True)
    assert safe_next(secure, "/fallback/") == "/fallback/"


@pytest.mark.parametrize("target", [*HOSTILE, LOCAL])
def test_two_factor_redirects_only_within_the_site(world, settings, target: str) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_REQUIRED = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    client = world.client("caseworker")
    device = TOTPDevice.objects.create(user=world.users["caseworker"], name="app", confirmed=True)
    # the form posts back to the page's own address, query string included
    url = reverse("accounts:otp") + "?" + urlencode({"next": target})
    location = _location(client.post(url, {"token": f"{totp(device.bin_key):06d}"}))
    if target == LOCAL:
        assert location == LOCAL
    else:
        assert location == reverse("staff:home")
        assert "evil" not in location


@pytest.mark.parametrize("target", [*HOSTILE, LOCAL])
def test_login_redirects_only_within_the_site(world, target: str) -> None:  # type: ignore[no-untyped-def]
    response = Client().post(
        reverse("accounts:login"), {"username": "caseworker.home", "password": PASSWORD, "next": target}
    )
    location = _location(response)
    assert _stays_here(location)
    assert location == (LOCAL if target == LOCAL else reverse("staff:home"))


@pytest.mark.parametrize("target", [*HOSTILE, LOCAL])
def test_logout_redirects_only_within_the_site(world, target: str) -> None:  # type: ignore[no-untyped-def]
    response = world.client("caseworker").post(reverse("accounts:logout"), {"next": target})
    location = _location(response)
    assert location == (LOCAL if target == LOCAL else reverse("accounts:login"))


@pytest.mark.parametrize("target", [*HOSTILE, LOCAL])
def test_language_switch_redirects_only_within_the_site(db, target: str) -> None:  # type: ignore[no-untyped-def]
    response = Client().post(reverse("set_language"), {"language": "en", "next": target})
    location = _location(response)
    assert location == (LOCAL if target == LOCAL else "/")


@pytest.mark.parametrize("target", [*HOSTILE, LOCAL])
def test_sso_start_keeps_only_a_local_next(target: str) -> None:
    """mozilla-django-oidc stores `next` for after the identity provider's answer; it checks it too."""
    request = RequestFactory().get("/oidc/authenticate/", {"next": target})
    assert get_next_url(request, "next") == (LOCAL if target == LOCAL else None)
