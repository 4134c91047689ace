"""The administration pages: only the municipality's admin role, only its own objects."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bredvid.tenancy.models import Membership, Municipality, Role
from tests.factories import MembershipFactory, UserFactory
from tests.municipal_admin.conftest import image_bytes

PAGES = [
    ("municipal_admin:overview", None),
    ("municipal_admin:user_list", None),
    ("municipal_admin:user_invite", None),
    ("municipal_admin:unit_list", None),
    ("municipal_admin:unit_create", None),
    ("municipal_admin:settings", None),
    ("municipal_admin:user_detail", "user"),
    ("municipal_admin:user_grant", "user"),
    ("municipal_admin:user_invite_again", "user"),
    ("municipal_admin:user_reset_second_factor", "user"),
    ("municipal_admin:user_deactivate", "user"),
    ("municipal_admin:membership_end", "membership"),
    ("municipal_admin:unit_edit", "unit"),
    ("municipal_admin:unit_close", "unit"),
]


def _url(world, name: str, kind: str | None) -> str:  # type: ignore[no-untyped-def]
    caseworker = world.users["caseworker"]
    arg = {
        "user": caseworker.pk,
        "membership": Membership.objects.get(user=caseworker).pk,
        "unit": world.home_unit.pk,
    }.get(kind or "")
    return reverse(name, args=[arg] if arg is not None else [])


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_the_admin_opens_every_page(world, name, kind) -> None:  # type: ignore[no-untyped-def]
    response = world.client("admin").get(_url(world, name, kind))
    assert response.status_code == 200
    assert 'lang="sv"' in response.content.decode()


@pytest.mark.parametrize(("name", "kind"), PAGES)
@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.MANAGER, Role.AUDITOR])
def test_other_roles_are_refused(world, name, kind, role) -> None:  # type: ignore[no-untyped-def]
    assert world.client(role).get(_url(world, name, kind)).status_code == 403


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_anonymous_visitors_are_sent_to_the_login(world, client, name, kind) -> None:  # type: ignore[no-untyped-def]
    response = client.get(_url(world, name, kind))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(("name", "kind"), [p for p in PAGES if p[1]])
def test_another_municipalitys_admin_gets_404(world, name, kind) -> None:  # type: ignore[no-untyped-def]
    other = world.client("admin", other=True)
    url = _url(world, name, kind)
    assert other.get(url).status_code == 404
    data = {"confirm": "on", "name": "X", "unit": world.other_unit.pk, "role": "manager"}
    # the detail page takes no POST (405 for any id); every action page looks its object up first
    assert other.post(url, data).status_code == (405 if name.endswith("user_detail") else 404)
    assert Membership.objects.get(user=world.users["caseworker"]).active
    world.home_unit.refresh_from_db()
    assert world.home_unit.name == "Barn och unga" and world.home_unit.active


def test_the_navigation_shows_administration_to_admins_only(world) -> None:  # type: ignore[no-untyped-def]
    url = reverse("municipal_admin:overview")
    assert f'href="{url}"' in world.client("admin").get(reverse("staff:home")).content.decode()
    assert f'href="{url}"' not in world.client("manager").get(reverse("staff:home")).content.decode()


def test_invite_through_the_page(world) -> None:  # type: ignore[no-untyped-def]
    data = {
        "email": "ny@ale.se",
        "first_name": "Ny",
        "last_name": "Person",
        "unit": world.home_unit.pk,
        "role": "caseworker",
    }
    response = world.client("admin").post(reverse("municipal_admin:user_invite"), data)
    membership = Membership.objects.get(user__email="ny@ale.se")
    assert response.status_code == 302
    assert response["Location"] == reverse("municipal_admin:user_detail", args=[membership.user_id])
    assert len(mail.outbox) == 1


def test_a_unit_of_another_municipality_is_refused_next_to_the_field(world) -> None:  # type: ignore[no-untyped-def]
    data = {
        "email": "ny@ale.se",
        "first_name": "Ny",
        "last_name": "Person",
        "unit": world.other_unit.pk,
        "role": "admin",
    }
    response = world.client("admin").post(reverse("municipal_admin:user_invite"), data)
    assert response.status_code == 200
    assert "Välj en enhet i kommunen." in response.content.decode()
    assert not Membership.objects.filter(user__email="ny@ale.se").exists() and mail.outbox == []


def test_an_empty_confirmation_changes_nothing(world) -> None:  # type: ignore[no-untyped-def]
    url = _url(world, "municipal_admin:user_deactivate", "user")
    response = world.client("admin").post(url, {})
    assert response.status_code == 200 and "Bekräfta att du vill göra det här." in response.content.decode()
    assert Membership.objects.get(user=world.users["caseworker"]).active


def test_deactivate_through_the_page(world) -> None:  # type: ignore[no-untyped-def]
    url = _url(world, "municipal_admin:user_deactivate", "user")
    response = world.client("admin").post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert not Membership.objects.get(user=world.users["caseworker"]).active


def test_the_settings_page_previews_the_logo_and_refuses_a_fake_one(world) -> None:  # type: ignore[no-untyped-def]
    url = reverse("municipal_admin:settings")
    admin = world.client("admin")
    data = {"register_check_valid_months": "12", "case_access": "units", "colour": "#005ea5"}
    fake = SimpleUploadedFile("logo.png", b"%PDF-1.4 not a picture", content_type="image/png")
    response = admin.post(url, {**data, "logo": fake})
    assert response.status_code == 200
    assert "Logotypen måste vara en PNG- eller JPEG-bild." in response.content.decode()
    assert Municipality.objects.get(pk=world.home.pk).colour == ""  # nothing half-saved
    real = SimpleUploadedFile("logo.png", image_bytes("PNG"), content_type="image/png")
    assert admin.post(url, {**data, "logo": real}).status_code == 302
    page = admin.get(url).content.decode()
    assert 'data-testid="logo-preview"' in page and 'src="data:image/png;base64,' in page


def test_the_user_list_has_a_constant_number_of_queries(world) -> None:  # type: ignore[no-untyped-def]
    admin = world.client("admin")
    url = reverse("municipal_admin:user_list")
    admin.get(url)  # warm up the session

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert admin.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(12):
        user = UserFactory(username=f"extra{n}")
        MembershipFactory(user=user, unit=world.home_unit, role=Role.CASEWORKER)
        MembershipFactory(user=user, unit=world.home_unit, role=Role.MANAGER, active=False)
    assert count() == few
    page = admin.get(url).content.decode()
    assert "extra11" in page and "caseworker.other" not in page


def test_the_user_list_shows_only_this_municipality(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    admin = world.client("admin")
    admin.get(reverse("staff:home"))
    with django_assert_max_num_queries(12):
        page = admin.get(reverse("municipal_admin:user_list")).content.decode()
    assert "caseworker.home" in page and ".other" not in page


def test_an_invited_person_activates_the_account_and_chooses_a_password(world, settings) -> None:  # type: ignore[no-untyped-def]
    from urllib.parse import urlsplit

    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bredvid.accounts import administration

    settings.OTP_REQUIRED = True
    settings.OTP_ENROLMENT_REQUIRES_LINK = True
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    administration.invite_user(
        tenant=world.tenant("admin"),
        email="ny@ale.se",
        first_name="Ny",
        last_name="Person",
        unit=world.home_unit,
        role=Role.CASEWORKER,
    )
    link = urlsplit(next(word for word in mail.outbox[0].body.split() if "sesame=" in word))
    browser = Client()
    assert browser.post(f"{link.path}?{link.query}")["Location"] == reverse("accounts:otp")
    assert browser.get(reverse("accounts:first_password"))["Location"] == reverse("accounts:otp")  # OTP first
    browser.get(reverse("accounts:otp"))
    device = TOTPDevice.objects.get(user__email="ny@ale.se")
    response = browser.post(reverse("accounts:otp"), {"token": f"{totp(device.bin_key):06d}"})
    assert response["Location"] == reverse("accounts:first_password")
    password = "Ett långt och bra lösenord 42"
    too_short = browser.post(
        reverse("accounts:first_password"), {"new_password1": "kort", "new_password2": "kort"}
    )
    assert too_short.status_code == 200
    response = browser.post(
        reverse("accounts:first_password"), {"new_password1": password, "new_password2": password}
    )
    assert response["Location"] == reverse("staff:home")
    assert browser.get(reverse("staff:home")).status_code == 200  # still signed in
    # once only: the page now only says so, and a second POST changes nothing
    again = browser.post(
        reverse("accounts:first_password"), {"new_password1": "x" * 20, "new_password2": "x" * 20}
    )
    assert again.status_code == 200 and again.context["done"]
    user = Membership.objects.get(user__email="ny@ale.se").user
    assert user.check_password(password)
    signed_in = Client().post(reverse("accounts:login"), {"username": "ny@ale.se", "password": password})
    assert signed_in.status_code == 302 and signed_in["Location"] != reverse("accounts:login")
