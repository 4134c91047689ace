from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from sesame.utils import get_token, get_user

from bredvid.accounts.models import ApiToken, User
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.errors import IllegalTransition
from bredvid.core.http import client_ip
from bredvid.core.locking import locked
from bredvid.tenancy.models import Municipality


def issue_api_token(*, user: User, municipality: Municipality, name: str = "") -> str:
    """Create a token for `user` in `municipality`; return the raw token (shown once, stored hashed)."""
    raw, digest = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, municipality=municipality, name=name, token_hash=digest)
        record(
            action=Action.TOKEN_ISSUED, actor=user, municipality=municipality, obj=token, via="cli", detail={}
        )
    return raw


def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    """The token stops working at once (kept, with the time of revocation). A superuser revokes any
    token (the Django admin's action), a user their own."""
    if not (actor.is_active and (actor.is_superuser or actor.pk == token.user_id)):
        raise PermissionDenied
    with transaction.atomic():
        locked(token)
        if token.revoked_at is not None:
            raise IllegalTransition(_("API-nyckeln är redan återkallad."))
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record(
            action=Action.UPDATE,
            actor=actor,
            municipality=token.municipality,
            obj=token,
            via="admin",
            detail={"revoked": True, "user": token.user_id},
        )
    return token


ENROLMENT_SCOPE = "otp-enrolment"
#: Session key: the user (pk) who opened a valid enrolment link in this session.
ENROLMENT_SESSION_KEY = "bredvid_otp_enrolment"


def enrolment_url(token: str) -> str:
    return settings.BASE_URL.rstrip("/") + reverse("accounts:enrol") + "?" + urlencode({"sesame": token})


def issue_enrolment_link(
    *, user: User, issued_by: User | None = None, municipality: Municipality | None = None, via: str = "cli"
) -> str:
    """A single-use link (django-sesame, scoped, expiring after OTP_ENROLMENT_LINK_MAX_AGE) with which
    `user` enrols an authenticator app: the first one, or a new one when the old is lost. Audited.

    The token covers the user's last log-in, so it stops working when it is used, when the user logs
    in by any other way, and when the password changes. Issuing a new link does not revoke an older
    one that is still unused and unexpired."""
    if not user.is_active:
        raise ValidationError({"user": _("Kontot är inaktiverat.")})
    with transaction.atomic():
        token = get_token(user, scope=ENROLMENT_SCOPE)
        record(
            action=Action.ENROLMENT_LINK_ISSUED,
            actor=issued_by,
            municipality=municipality,
            object_type="accounts.user",
            object_id=str(user.pk),
            via=via,
            detail={
                "user": user.get_username(),
                "hours": settings.OTP_ENROLMENT_LINK_MAX_AGE.total_seconds() / 3600,
            },
        )
    return enrolment_url(token)


def user_from_enrolment_link(request: HttpRequest) -> User | None:
    """The user whose enrolment link the request carries, or None; a valid link is used up here."""
    user = get_user(
        request,
        scope=ENROLMENT_SCOPE,
        max_age=settings.OTP_ENROLMENT_LINK_MAX_AGE,
        update_last_login=True,
    )
    return user if user is not None and user.is_active else None  # type: ignore[return-value]


def may_enrol(request: HttpRequest) -> bool:
    """May the signed-in user of `request` set up an authenticator app now?"""
    if not settings.OTP_ENROLMENT_REQUIRES_LINK:
        return True
    return bool(request.session.get(ENROLMENT_SESSION_KEY) == request.user.pk)


#: The name of the device a user enrols (shown in django-otp's own listings).
DEVICE_NAME = "Autentiseringsapp"


def start_enrolment(*, request: HttpRequest) -> TOTPDevice:
    """The unconfirmed device (its secret shown as a QR code) with which the signed-in user sets up an
    authenticator app: created once, then the same one until a code from it is confirmed."""
    if not request.user.is_authenticated or not may_enrol(request):
        raise PermissionDenied
    with transaction.atomic():
        user = locked(request.user)  # two tabs opening the page at once make one device
        device = TOTPDevice.objects.filter(user_id=user.pk, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user_id=user.pk, name=DEVICE_NAME, confirmed=False)
            record(
                action=Action.CREATE,
                actor=user,  # type: ignore[arg-type]
                obj=device,
                ip=client_ip(request),
                detail={"confirmed": False},
            )
    return device


def confirm_enrolment(*, request: HttpRequest, device: TOTPDevice) -> None:
    """The code from the new app was right: the device counts from now, others of the user's go."""
    if not request.user.is_authenticated or not may_enrol(request):
        raise PermissionDenied
    with transaction.atomic():
        locked(device)
        if device.user_id != request.user.pk:
            raise PermissionDenied
        if device.confirmed:
            raise IllegalTransition(_("Appen är redan aktiverad."))
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        replaced = TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()[0]
        record(
            action=Action.OTP_ENROLLED,
            actor=device.user,
            object_type="accounts.user",
            object_id=str(device.user_id),
            ip=client_ip(request),
            detail={
                "through_link": request.session.get(ENROLMENT_SESSION_KEY) == device.user_id,
                "replaced_devices": replaced,
            },
        )
    request.session.pop(ENROLMENT_SESSION_KEY, None)
