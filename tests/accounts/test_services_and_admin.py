"""Accounts: API-token revocation, the authenticator enrolment as services (locked, audited), and a
Django admin that reads memberships and tokens but never changes them itself."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bredvid.accounts import services
from bredvid.accounts.models import ApiToken
from bredvid.audit.models import Action, AuditEvent
from bredvid.core.errors import IllegalTransition
from bredvid.tenancy.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(world):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_superuser("drift", "drift@example.org", "x-Lösenord-1")


@pytest.fixture
def token(world) -> ApiToken:  # type: ignore[no-untyped-def]
    services.issue_api_token(user=world.users["caseworker"], municipality=world.home, name="Skript")
    return ApiToken.objects.get()


def _admin(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_revocation_is_audited_and_refuses_a_token_revoked_meanwhile(world, token, superuser) -> None:  # type: ignore[no-untyped-def]
    stale = ApiToken.objects.get(pk=token.pk)
    services.revoke_api_token(actor=superuser, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    [event] = AuditEvent.objects.filter(action=Action.UPDATE, object_type="accounts.apitoken")
    assert event.detail["revoked"] is True
    with pytest.raises(IllegalTransition):
        services.revoke_api_token(actor=superuser, token=stale)
    assert AuditEvent.objects.filter(object_type="accounts.apitoken", action=Action.UPDATE).count() == 1


def test_only_a_superuser_or_the_owner_revokes(world, token) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.revoke_api_token(actor=world.users["manager"], token=token)
    services.revoke_api_token(actor=world.users["caseworker"], token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def _request(user):  # type: ignore[no-untyped-def]
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}  # type: ignore[assignment]
    return request


def test_enrolment_makes_one_unconfirmed_device_and_confirming_it_is_audited(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_ENROLMENT_REQUIRES_LINK = False
    user = world.users["caseworker"]
    first = services.start_enrolment(request=_request(user))
    again = services.start_enrolment(request=_request(user))  # the page opened twice
    assert first.pk == again.pk and not first.confirmed
    assert AuditEvent.objects.filter(action=Action.CREATE, object_type="otp_totp.totpdevice").count() == 1
    stale = TOTPDevice.objects.get(pk=first.pk)
    services.confirm_enrolment(request=_request(user), device=first)
    assert TOTPDevice.objects.get(pk=first.pk).confirmed
    with pytest.raises(IllegalTransition):  # confirmed meanwhile, in another tab
        services.confirm_enrolment(request=_request(user), device=stale)
    assert AuditEvent.objects.filter(action=Action.OTP_ENROLLED).count() == 1


def test_enrolment_needs_the_link_where_required_and_the_users_own_device(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_ENROLMENT_REQUIRES_LINK = True
    user, other = world.users["caseworker"], world.users["manager"]
    with pytest.raises(PermissionDenied):
        services.start_enrolment(request=_request(user))
    settings.OTP_ENROLMENT_REQUIRES_LINK = False
    device = services.start_enrolment(request=_request(other))
    with pytest.raises(PermissionDenied):
        services.confirm_enrolment(request=_request(user), device=device)
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed


def test_the_admin_cannot_change_a_membership(world, superuser) -> None:  # type: ignore[no-untyped-def]
    membership = Membership.objects.filter(user=world.users["caseworker"]).get()
    client = _admin(superuser)
    change = reverse("admin:tenancy_membership_change", args=[membership.pk])
    page = client.get(change)
    assert page.status_code == 200  # read
    assert b'name="_save"' not in page.content
    response = client.post(
        change, {"user": membership.user_id, "unit": membership.unit_id, "role": "manager"}
    )
    assert response.status_code == 403
    assert client.get(reverse("admin:tenancy_membership_add")).status_code == 403
    assert client.post(reverse("admin:tenancy_membership_delete", args=[membership.pk])).status_code == 403
    assert Membership.objects.get(pk=membership.pk).role == membership.role


def test_the_admin_cannot_change_a_token_but_revokes_it_through_the_service(world, token, superuser) -> None:  # type: ignore[no-untyped-def]
    client = _admin(superuser)
    change = reverse("admin:accounts_apitoken_change", args=[token.pk])
    assert client.post(change, {"name": "Annat", "revoked_at_0": "", "revoked_at_1": ""}).status_code == 403
    assert client.get(reverse("admin:accounts_apitoken_add")).status_code == 403
    changelist = reverse("admin:accounts_apitoken_changelist")
    response = client.post(changelist, {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.name == "Skript" and token.revoked_at is not None
    assert AuditEvent.objects.filter(object_type="accounts.apitoken", action=Action.UPDATE).count() == 1


def test_staff_who_are_not_superusers_do_not_see_memberships_or_tokens(world) -> None:  # type: ignore[no-untyped-def]
    staff = world.users["admin"]
    staff.is_staff = True
    staff.save()
    client = _admin(staff)
    assert client.get(reverse("admin:tenancy_membership_changelist")).status_code == 403
    assert client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 403


def test_the_admin_neither_adds_nor_shows_the_secret_of_a_second_factor(world, superuser, settings) -> None:  # type: ignore[no-untyped-def]
    settings.OTP_ENROLMENT_REQUIRES_LINK = False
    device = services.start_enrolment(request=_request(world.users["caseworker"]))
    client = _admin(superuser)
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403
    change = reverse("admin:otp_totp_totpdevice_change", args=[device.pk])
    assert client.post(change, {"name": "Min", "confirmed": "on"}).status_code == 403
    assert client.get(reverse("admin:otp_totp_totpdevice_config", args=[device.pk])).status_code == 403
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed
