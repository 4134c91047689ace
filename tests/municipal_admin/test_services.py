"""The municipality's administration services: what they change, what they refuse, what they log."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from bredvid.accounts import administration as services
from bredvid.accounts.models import ApiToken, User
from bredvid.accounts.services import issue_api_token
from bredvid.audit.models import Action, AuditEvent
from bredvid.core.errors import IllegalTransition
from bredvid.tenancy.context import build_tenant
from bredvid.tenancy.models import Membership, Municipality, Role, Unit
from tests.factories import MembershipFactory, UnitFactory, UserFactory
from tests.municipal_admin.conftest import image_bytes


def _events(change: str) -> list[AuditEvent]:
    return [
        e
        for e in AuditEvent.objects.filter(action__in=[Action.CREATE, Action.UPDATE])
        if e.detail.get("change") == change
    ]


def _link(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+", message.body)
    assert found, message.body
    parts = urlsplit(found[0])
    return f"{parts.path}?{parts.query}"


# ---------------------------------------------------------------------------
# Invitations
# ---------------------------------------------------------------------------
def test_invite_creates_the_account_the_role_and_mails_a_link_only(world, admin) -> None:  # type: ignore[no-untyped-def]
    membership = services.invite_user(
        tenant=admin,
        email="Ny.Person@Ale.se",
        first_name="Nyfiken",
        last_name="Nykomling",
        unit=world.home_unit,
        role=Role.CASEWORKER,
    )
    user = membership.user
    assert user.username == user.email == "ny.person@ale.se"
    assert not user.has_usable_password() and not user.is_staff and not user.is_superuser
    assert membership.municipality == world.home and membership.active
    [message] = mail.outbox
    assert message.to == ["ny.person@ale.se"]
    assert "/konto/aktivera/?sesame=" in message.body
    assert "Nyfiken" not in message.body and "Nykomling" not in message.body  # no personal data
    assert [e.object_id for e in _events("invite")] == [str(membership.pk)]
    assert [e.object_id for e in _events("user_invited")] == [str(user.pk)]
    [link_event] = AuditEvent.objects.filter(action=Action.ENROLMENT_LINK_ISSUED)
    assert link_event.municipality == world.home and link_event.actor == admin.user


def test_the_invitation_link_is_single_use(world, admin) -> None:  # type: ignore[no-untyped-def]
    services.invite_user(
        tenant=admin,
        email="ny@ale.se",
        first_name="A",
        last_name="B",
        unit=world.home_unit,
        role=Role.CASEWORKER,
    )
    link = _link(mail.outbox[0])
    first = Client()
    assert first.get(link).status_code == 200  # a link checker's GET uses nothing up
    response = first.post(link)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:otp")
    again = Client().post(link)
    assert again.status_code == 403


def test_invite_finds_an_existing_account_by_email(world, admin) -> None:  # type: ignore[no-untyped-def]
    other_caseworker = world.other_users["caseworker"]
    other_caseworker.email = "delad@example.org"
    other_caseworker.save()
    before = User.objects.count()
    membership = services.invite_user(
        tenant=admin, email="DELAD@example.org", unit=world.home_unit, role=Role.MANAGER
    )
    assert membership.user == other_caseworker and User.objects.count() == before
    # the other municipality's role is untouched
    assert Membership.objects.filter(user=other_caseworker, municipality=world.other, active=True).exists()


def test_invite_into_another_municipality_is_refused_and_nothing_is_saved(world, admin) -> None:  # type: ignore[no-untyped-def]
    users, memberships = User.objects.count(), Membership.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.invite_user(
            tenant=admin,
            email="ny@ale.se",
            first_name="A",
            last_name="B",
            unit=world.other_unit,
            role=Role.ADMIN,
        )
    assert "unit" in exc.value.message_dict
    assert (User.objects.count(), Membership.objects.count()) == (users, memberships)
    assert mail.outbox == []


def test_a_new_account_needs_a_name(world, admin) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.invite_user(tenant=admin, email="ny@ale.se", unit=world.home_unit, role=Role.CASEWORKER)
    assert set(exc.value.message_dict) == {"first_name", "last_name"}
    assert not User.objects.filter(email="ny@ale.se").exists()


@pytest.mark.parametrize("role", ["superuser", "is_staff", ""])
def test_only_the_municipal_roles_can_be_given(world, admin, role) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.invite_user(
            tenant=admin, email="ny@ale.se", first_name="A", last_name="B", unit=world.home_unit, role=role
        )
    assert "role" in exc.value.message_dict
    assert (
        not User.objects.filter(is_superuser=True).exists()
        and not User.objects.filter(is_staff=True).exists()
    )


def test_a_failing_mail_server_saves_nothing(world, admin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("connection refused")

    monkeypatch.setattr("bredvid.accounts.administration.send_mail", broken)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError):
        services.invite_user(
            tenant=admin,
            email="ny@ale.se",
            first_name="A",
            last_name="B",
            unit=world.home_unit,
            role=Role.CASEWORKER,
        )
    assert not User.objects.filter(email="ny@ale.se").exists()
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_only_the_admin_role_administers(world, role) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant(role)
    with pytest.raises(PermissionDenied):
        services.invite_user(
            tenant=tenant,
            email="ny@ale.se",
            first_name="A",
            last_name="B",
            unit=world.home_unit,
            role=Role.ADMIN,
        )
    with pytest.raises(PermissionDenied):
        services.create_unit(tenant=tenant, name="Ny")
    assert not User.objects.filter(email="ny@ale.se").exists()


def test_an_administrator_whose_role_ended_meanwhile_is_refused(world, admin) -> None:  # type: ignore[no-untyped-def]
    second = UserFactory(username="admin2.home")
    MembershipFactory(user=second, unit=world.home_unit, role=Role.ADMIN)
    second_tenant = build_tenant(second, world.home.pk, ip=None)
    assert second_tenant is not None
    own = Membership.objects.get(user=admin.user, role=Role.ADMIN)
    services.end_membership(tenant=second_tenant, membership=own)
    # the first administrator's tenant was built before: the service re-checks under lock
    theirs = Membership.objects.get(user=second, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.end_membership(tenant=admin, membership=theirs)
    theirs.refresh_from_db()
    assert theirs.active  # the municipality keeps an administrator


# ---------------------------------------------------------------------------
# Roles
# ---------------------------------------------------------------------------
def test_nobody_changes_their_own_roles(world, admin) -> None:  # type: ignore[no-untyped-def]
    own = Membership.objects.get(user=admin.user, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        services.end_membership(tenant=admin, membership=own)  # the last administrator stays
    with pytest.raises(ValidationError):
        services.grant_role(tenant=admin, user=admin.user, unit=world.home_unit, role=Role.CASEWORKER)
    with pytest.raises(ValidationError):
        services.invite_user(
            tenant=admin,
            email=admin.user.email or admin.user.username,
            unit=world.home_unit,
            role=Role.MANAGER,
        )
    with pytest.raises(ValidationError):
        services.deactivate_user(tenant=admin, user=admin.user)
    own.refresh_from_db()
    assert own.active
    assert list(Membership.objects.filter(user=admin.user).values_list("role", flat=True)) == [Role.ADMIN]


def test_grant_and_end_a_role_keeps_history(world, admin) -> None:  # type: ignore[no-untyped-def]
    caseworker = world.users["caseworker"]
    unit = UnitFactory(municipality=world.home, name="Vuxen")
    membership = services.grant_role(tenant=admin, user=caseworker, unit=unit, role=Role.MANAGER)
    with pytest.raises(ValidationError):
        services.grant_role(tenant=admin, user=caseworker, unit=unit, role=Role.MANAGER)  # already has it
    services.end_membership(tenant=admin, membership=membership)
    membership.refresh_from_db()
    assert not membership.active
    with pytest.raises(IllegalTransition):
        services.end_membership(tenant=admin, membership=membership)
    again = services.grant_role(tenant=admin, user=caseworker, unit=unit, role=Role.MANAGER)
    assert again.pk == membership.pk and again.active  # taken up again, not a new row
    assert [e.object_id for e in _events("membership_ended")] == [str(membership.pk)]
    assert len(_events("role_granted")) == 2
    caseworker.refresh_from_db()
    assert not caseworker.is_staff and not caseworker.is_superuser


def test_another_municipality_is_out_of_reach(world, admin) -> None:  # type: ignore[no-untyped-def]
    stranger = world.other_users["caseworker"]
    their_membership = Membership.objects.get(user=stranger)
    with pytest.raises(PermissionDenied):
        services.grant_role(tenant=admin, user=stranger, unit=world.home_unit, role=Role.ADMIN)
    with pytest.raises(PermissionDenied):
        services.end_membership(tenant=admin, membership=their_membership)
    with pytest.raises(PermissionDenied):
        services.deactivate_user(tenant=admin, user=stranger)
    with pytest.raises(PermissionDenied):
        services.reset_second_factor(tenant=admin, user=stranger)
    with pytest.raises(PermissionDenied):
        services.update_unit(tenant=admin, unit=world.other_unit, name="X", caseworker_may_decide=True)
    with pytest.raises(PermissionDenied):
        services.close_unit(tenant=admin, unit=world.other_unit)
    with pytest.raises(ValidationError):
        services.grant_role(
            tenant=admin, user=world.users["caseworker"], unit=world.other_unit, role=Role.MANAGER
        )
    their_membership.refresh_from_db()
    assert their_membership.active
    assert not Membership.objects.filter(municipality=world.other, user__in=world.users.values()).exists()


# ---------------------------------------------------------------------------
# Deactivation and the second factor
# ---------------------------------------------------------------------------
def test_deactivate_ends_the_roles_here_only(world, admin) -> None:  # type: ignore[no-untyped-def]
    user = world.users["caseworker"]
    elsewhere = MembershipFactory(user=user, unit=world.other_unit, role=Role.CASEWORKER)
    issue_api_token(user=user, municipality=world.home)
    issue_api_token(user=user, municipality=world.other)
    assert services.deactivate_user(tenant=admin, user=user) == 1
    assert not Membership.objects.filter(user=user, municipality=world.home, active=True).exists()
    elsewhere.refresh_from_db()
    user.refresh_from_db()
    assert elsewhere.active and user.is_active
    assert ApiToken.objects.get(user=user, municipality=world.home).revoked_at is not None
    assert ApiToken.objects.get(user=user, municipality=world.other).revoked_at is None
    [event] = _events("user_deactivated")
    assert event.object_id == str(user.pk) and event.detail["api_tokens_revoked"] == 1
    with pytest.raises(IllegalTransition):
        services.deactivate_user(tenant=admin, user=user)


def test_reset_second_factor_removes_devices_and_mails_a_new_link(world, admin) -> None:  # type: ignore[no-untyped-def]
    user = world.users["manager"]
    user.email = "chef@ale.se"
    user.save()
    TOTPDevice.objects.create(user=user, name="Gammal", confirmed=True)
    assert services.reset_second_factor(tenant=admin, user=user) == 1
    assert not TOTPDevice.objects.filter(user=user).exists()
    [message] = mail.outbox
    assert message.to == ["chef@ale.se"] and "/konto/aktivera/?sesame=" in message.body
    [event] = _events("second_factor_reset")
    assert event.detail["devices_removed"] == 1 and event.actor == admin.user


def test_platform_accounts_and_oneself_keep_their_second_factor(world, admin) -> None:  # type: ignore[no-untyped-def]
    platform = world.users["auditor"]
    platform.is_superuser = True
    platform.email = "drift@example.org"
    platform.save()
    TOTPDevice.objects.create(user=platform, name="App", confirmed=True)
    TOTPDevice.objects.create(user=admin.user, name="App", confirmed=True)
    with pytest.raises(IllegalTransition):
        services.reset_second_factor(tenant=admin, user=platform)
    with pytest.raises(ValidationError):
        services.reset_second_factor(tenant=admin, user=admin.user)
    assert TOTPDevice.objects.count() == 2 and mail.outbox == []


def test_a_user_without_email_cannot_be_sent_a_link(world, admin) -> None:  # type: ignore[no-untyped-def]
    user = world.users["caseworker"]
    TOTPDevice.objects.create(user=user, name="App", confirmed=True)
    with pytest.raises(ValidationError):
        services.reset_second_factor(tenant=admin, user=user)
    assert TOTPDevice.objects.filter(user=user).exists()  # nothing half-done


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------
def test_units_are_created_renamed_and_closed(world, admin) -> None:  # type: ignore[no-untyped-def]
    unit = services.create_unit(tenant=admin, name=" Familjehem ", caseworker_may_decide=True)
    assert unit.municipality == world.home and unit.name == "Familjehem" and unit.caseworker_may_decide
    with pytest.raises(ValidationError) as exc:
        services.create_unit(tenant=admin, name="familjehem")
    assert "name" in exc.value.message_dict
    # the same name in another municipality is no clash
    services.create_unit(tenant=world.tenant("admin", other=True), name="Familjehem")
    services.update_unit(tenant=admin, unit=unit, name="Familjehemsenheten", caseworker_may_decide=False)
    unit.refresh_from_db()
    assert unit.name == "Familjehemsenheten" and not unit.caseworker_may_decide
    services.close_unit(tenant=admin, unit=unit)
    unit.refresh_from_db()
    assert not unit.active
    with pytest.raises(ValidationError):  # nobody gets a role in a closed unit
        services.grant_role(tenant=admin, user=world.users["caseworker"], unit=unit, role=Role.MANAGER)
    with pytest.raises(IllegalTransition):
        services.close_unit(tenant=admin, unit=unit)
    home = [
        [e for e in _events(c) if e.municipality_id == world.home.pk]
        for c in ("unit_created", "unit_updated", "unit_closed")
    ]
    assert [len(events) for events in home] == [1, 1, 1]


def test_a_unit_with_active_roles_stays_open(world, admin) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(IllegalTransition):
        services.close_unit(tenant=admin, unit=world.home_unit)
    assert Unit.objects.get(pk=world.home_unit.pk).active


# ---------------------------------------------------------------------------
# Settings and the logo
# ---------------------------------------------------------------------------
def _settings(**overrides):  # type: ignore[no-untyped-def]
    return {
        "register_check_valid_months": 18,
        "case_access": "municipality",
        "public_phone": "0303-33 00 00",
        "public_email": "socialtjanst@ale.se",
        "public_address": "Kungsgatan 1",
        "opening_hours": "8–16",
        "colour": "#1D70B8",
        **overrides,
    }


def test_settings_are_saved_and_logged(world, admin) -> None:  # type: ignore[no-untyped-def]
    logo = SimpleUploadedFile("logo.png", image_bytes("PNG"), content_type="image/png")
    services.update_settings(tenant=admin, logo=logo, **_settings())
    m = Municipality.objects.get(pk=world.home.pk)
    assert m.register_check_valid_months == 18 and m.case_access == "municipality"
    assert m.colour == "#1d70b8" and m.public_email == "socialtjanst@ale.se"
    assert m.logo_type == "image/png" and bytes(m.logo) == image_bytes("PNG")
    assert Municipality.objects.get(pk=world.other.pk).settings == {}
    [event] = _events("settings_updated")
    assert event.detail["fields"]["case_access"] == {"before": "units", "after": "municipality"}
    assert event.detail["logo"] == "replaced"
    services.update_settings(tenant=admin, remove_logo=True, **_settings())
    assert Municipality.objects.get(pk=world.home.pk).logo_type == ""


def test_a_jpeg_logo_is_accepted(world, admin) -> None:  # type: ignore[no-untyped-def]
    logo = SimpleUploadedFile("logo.jpg", image_bytes("JPEG"), content_type="image/jpeg")
    services.update_settings(tenant=admin, logo=logo, **_settings())
    assert Municipality.objects.get(pk=world.home.pk).logo_type == "image/jpeg"


@pytest.mark.parametrize(
    "content",
    [
        b"not an image at all, only text pretending",
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"GIF89a" + b"\x00" * 40,
    ],
    ids=["text", "svg", "gif"],
)
def test_a_logo_that_is_no_png_or_jpeg_is_refused(world, admin, content) -> None:  # type: ignore[no-untyped-def]
    logo = SimpleUploadedFile("logo.png", content, content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        services.update_settings(tenant=admin, logo=logo, **_settings())
    assert "logo" in exc.value.message_dict
    m = Municipality.objects.get(pk=world.home.pk)
    assert m.logo_type == "" and m.settings == {} and m.public_phone == ""  # nothing half-saved


def test_an_oversize_logo_is_refused(world, admin) -> None:  # type: ignore[no-untyped-def]
    big = image_bytes("PNG") + b"\x00" * (services.LOGO_MAX_BYTES + 1)
    logo = SimpleUploadedFile("logo.png", big, content_type="image/png")
    with pytest.raises(ValidationError) as exc:
        services.update_settings(tenant=admin, logo=logo, **_settings())
    assert "1 MB" in exc.value.message_dict["logo"][0]
    assert Municipality.objects.get(pk=world.home.pk).logo_type == ""


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("colour", "blue"),
        ("colour", "#12345"),
        ("register_check_valid_months", 0),
        ("case_access", "all"),
        ("public_email", "inte-en-adress"),
    ],
)
def test_bad_settings_are_refused_next_to_the_field(world, admin, field, value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError) as exc:
        services.update_settings(tenant=admin, **_settings(**{field: value}))
    assert field in exc.value.message_dict
    assert Municipality.objects.get(pk=world.home.pk).settings == {}
