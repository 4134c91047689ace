"""The municipality's own administration: users, memberships, units and settings.

Every function takes the acting tenant and changes only that municipality: it checks
`can_administer`, locks what it changes inside `transaction.atomic`, re-checks inside the
transaction that the actor still is an active administrator, guards the state and writes its audit
event in the same transaction.

The municipality never loses its last administrator: nobody changes their own roles, and the
actor's own admin role is locked and re-checked in every change, so two administrators ending each
other's roles at once leave one of them (the second is refused), and a unit with an active role
cannot be closed.

What an administrator can never do here: give a role in another municipality's unit, touch
`is_staff` or `is_superuser` (no function sets them), change their own memberships or second
factor (another administrator does that, so nobody raises themself), or manage a platform account
(staff or superuser) beyond its memberships in this municipality.

These services live in `accounts` rather than `tenancy`: they need users, one-time links and the
audit log, and `tenancy` is below `audit` and `accounts` in the layers (ADR 0012).
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from bredvid.accounts.models import ApiToken, User
from bredvid.accounts.services import issue_enrolment_link
from bredvid.audit.models import Action
from bredvid.audit.services import record, record_for_user_municipalities
from bredvid.core.errors import IllegalTransition
from bredvid.core.markdown import MAX_LENGTH as TEXT_MAX_LENGTH
from bredvid.tenancy.context import Tenant
from bredvid.tenancy.models import (
    CASE_ACCESS_MUNICIPALITY,
    CASE_ACCESS_UNITS,
    Membership,
    Municipality,
    PublicPage,
    PublicText,
    Role,
    Unit,
)
from bredvid.tenancy.perms import can_administer

#: The largest logo accepted, in bytes.
LOGO_MAX_BYTES = 1024 * 1024
#: Pillow's format name → the content type the logo is served with.
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}
LOGO_MAX_PIXELS = 4000


# ---------------------------------------------------------------------------
# Guards
# ---------------------------------------------------------------------------
def _lock_administrator(tenant: Tenant) -> None:
    """Inside the transaction: the actor still holds an active admin role here (locked).

    Every administration change first locks the municipality's row, so two administrators' changes
    in one municipality run one after the other (never a deadlock between two admins ending each
    other's roles); the second then sees the first's result, e.g. that it no longer is an admin.
    """
    if not can_administer(tenant):
        raise PermissionDenied
    list(Municipality.objects.select_for_update().filter(pk=tenant.municipality.pk).values_list("pk"))
    held = (
        Membership.objects.visible_to(tenant)
        .select_for_update()
        .filter(user=tenant.user, role=Role.ADMIN, active=True, unit__active=True)
    )
    if not held.exists():
        raise PermissionDenied


def _not_self(tenant: Tenant, user: User) -> None:
    if user.pk == tenant.user.pk:
        raise ValidationError(_("Dina egna roller och din inloggning ändras av en annan systemförvaltare."))


def _platform_account(user: User) -> bool:
    return bool(user.is_staff or user.is_superuser)


def _member_here(tenant: Tenant, user: User) -> None:
    """`user` has (or had) a membership in the tenant's municipality; otherwise they are unknown here."""
    if not Membership.objects.visible_to(tenant).filter(user=user).exists():
        raise PermissionDenied


def _has_active_role(tenant: Tenant, user: User) -> None:
    if not Membership.objects.visible_to(tenant).filter(user=user, active=True).exists():
        raise IllegalTransition(_("Användaren har ingen aktiv roll i kommunen."))


def _own_unit(tenant: Tenant, unit: Unit, *, field: str = "unit") -> Unit:
    """The unit, locked, when it is an open unit of the tenant's municipality."""
    locked = Unit.objects.visible_to(tenant).select_for_update().filter(pk=unit.pk).first()
    if locked is None:
        raise ValidationError({field: _("Välj en enhet i kommunen.")})
    if not locked.active:
        raise ValidationError({field: _("Enheten är avslutad.")})
    return locked


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise ValidationError({"role": _("Välj en roll.")})


def _membership_detail(membership: Membership) -> dict[str, Any]:
    return {"user": membership.user_id, "unit": str(membership.unit_id), "role": membership.role}


# ---------------------------------------------------------------------------
# Users and memberships
# ---------------------------------------------------------------------------
def _find_or_create_user(tenant: Tenant, *, email: str, first_name: str, last_name: str) -> tuple[User, bool]:
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationError({"email": _("Ange en giltig e-postadress.")}) from exc
    matches = list(User.objects.select_for_update().filter(email__iexact=email)[:2])
    if len(matches) > 1:
        raise ValidationError({"email": _("Flera konton har den här e-postadressen. Kontakta supporten.")})
    user = matches[0] if matches else User.objects.select_for_update().filter(username__iexact=email).first()
    if user is not None:
        if not user.is_active:
            raise ValidationError({"email": _("Kontot är spärrat. Kontakta supporten.")})
        return user, False
    if not first_name.strip() or not last_name.strip():
        raise ValidationError(
            {
                **({"first_name": [_("Ange förnamnet.")]} if not first_name.strip() else {}),
                **({"last_name": [_("Ange efternamnet.")]} if not last_name.strip() else {}),
            }
        )
    user = User(username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.set_unusable_password()
    user.save()
    return user, True


def _send_invitation(tenant: Tenant, user: User) -> None:
    """The single-use link by e-mail. The message names the municipality and carries the link only."""
    if not user.email:
        raise ValidationError(_("Användaren har ingen e-postadress."))
    link = issue_enrolment_link(user=user, issued_by=tenant.user, municipality=tenant.municipality, via="web")
    hours = int(settings.OTP_ENROLMENT_LINK_MAX_AGE.total_seconds() // 3600)
    body = _(
        "Du har fått ett konto i Bredvid hos %(municipality)s.\n\n"
        "Öppna länken för att aktivera kontot och ställa in tvåfaktorsinloggning. Länken fungerar en "
        "gång och i %(hours)s timmar:\n\n%(link)s\n\n"
        "Har du inte väntat dig det här meddelandet kan du bortse från det."
    ) % {"municipality": tenant.municipality.name, "hours": hours, "link": link}
    try:
        send_mail(_("Ditt konto i Bredvid"), body, None, [user.email])
    except OSError as exc:  # SMTP down: nothing is saved, the administrator tries again
        raise ValidationError(_("E-postmeddelandet kunde inte skickas. Försök igen senare.")) from exc


def invite_user(
    *, tenant: Tenant, email: str, unit: Unit, role: str, first_name: str = "", last_name: str = ""
) -> Membership:
    """Give the person with `email` a role in a unit of this municipality (a new account when there is
    none) and e-mail them a single-use link to activate the account and set up the second factor."""
    _check_role(role)
    with transaction.atomic():
        _lock_administrator(tenant)
        unit = _own_unit(tenant, unit)
        user, created = _find_or_create_user(tenant, email=email, first_name=first_name, last_name=last_name)
        if not created:
            _not_self(tenant, user)
        membership = _activate_membership(tenant, user, unit, role, action="invite")
        if created:
            record(action=Action.CREATE, tenant=tenant, obj=user, detail={"change": "user_invited"})
        _send_invitation(tenant, user)
    return membership


def invite_again(*, tenant: Tenant, user: User) -> None:
    """A new single-use link for a user of this municipality (the first one expired or was lost)."""
    with transaction.atomic():
        _lock_administrator(tenant)
        _not_self(tenant, user)
        _member_here(tenant, user)
        _has_active_role(tenant, user)
        _send_invitation(tenant, user)


def _activate_membership(tenant: Tenant, user: User, unit: Unit, role: str, *, action: str) -> Membership:
    existing = Membership.objects.select_for_update().filter(user=user, unit=unit, role=role).first()
    if existing is not None and existing.active:
        raise ValidationError({"role": _("Användaren har redan den rollen i enheten.")})
    if existing is not None:  # an ended membership is taken up again; the log keeps its history
        existing.active = True
        existing.save(update_fields=["active", "updated_at"])
        membership = existing
    else:
        membership = Membership.objects.create(user=user, unit=unit, role=role)
    record(
        action=Action.CREATE if existing is None else Action.UPDATE,
        tenant=tenant,
        obj=membership,
        detail={"change": action, **_membership_detail(membership)},
    )
    return membership


def grant_role(*, tenant: Tenant, user: User, unit: Unit, role: str) -> Membership:
    """A role in a unit of this municipality for a user who already works here."""
    _check_role(role)
    with transaction.atomic():
        _lock_administrator(tenant)
        _not_self(tenant, user)
        _member_here(tenant, user)
        unit = _own_unit(tenant, unit)
        if not user.is_active:
            raise ValidationError(_("Kontot är spärrat. Kontakta supporten."))
        return _activate_membership(tenant, user, unit, role, action="role_granted")


def end_membership(*, tenant: Tenant, membership: Membership) -> Membership:
    """End one role in one unit. Never deleted: the membership stays, inactive, with its history."""
    with transaction.atomic():
        _lock_administrator(tenant)
        locked = Membership.objects.visible_to(tenant).select_for_update().filter(pk=membership.pk).first()
        if locked is None:
            raise PermissionDenied
        _not_self(tenant, locked.user)
        if not locked.active:
            raise IllegalTransition(_("Rollen är redan avslutad."))
        locked.active = False
        locked.save(update_fields=["active", "updated_at"])
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=locked,
            detail={"change": "membership_ended", **_membership_detail(locked)},
        )
    return locked


def deactivate_user(*, tenant: Tenant, user: User) -> int:
    """End every role the user has in this municipality and revoke their API keys here; return how many
    roles ended. The account itself stays (it may work in other municipalities), but without a role here
    it reaches nothing of this municipality."""
    with transaction.atomic():
        _lock_administrator(tenant)
        _not_self(tenant, user)
        _member_here(tenant, user)
        active = list(
            Membership.objects.visible_to(tenant).select_for_update().filter(user=user, active=True)
        )
        if not active:
            raise IllegalTransition(_("Användaren har ingen aktiv roll i kommunen."))
        for membership in active:
            membership.active = False
            membership.save(update_fields=["active", "updated_at"])
        revoked = (
            ApiToken.objects.in_municipality(tenant.municipality)
            .filter(user=user, revoked_at__isnull=True)
            .update(revoked_at=timezone.now())
        )
        record(
            action=Action.UPDATE,
            tenant=tenant,
            object_type="accounts.user",
            object_id=str(user.pk),
            detail={
                "change": "user_deactivated",
                "memberships": [str(m.pk) for m in active],
                "api_tokens_revoked": revoked,
            },
        )
    return len(active)


def reset_second_factor(*, tenant: Tenant, user: User) -> int:
    """The user lost their authenticator: remove every device (they stop working at once) and e-mail a
    new single-use enrolment link. Returns how many devices were removed."""
    with transaction.atomic():
        _lock_administrator(tenant)
        _not_self(tenant, user)
        _member_here(tenant, user)
        _has_active_role(tenant, user)
        if _platform_account(user):
            raise IllegalTransition(_("Det här kontot förvaltas centralt. Kontakta supporten."))
        devices = TOTPDevice.objects.select_for_update().filter(user=user)
        removed = len(list(devices))
        devices.delete()
        record(
            action=Action.UPDATE,
            tenant=tenant,
            object_type="accounts.user",
            object_id=str(user.pk),
            detail={"change": "second_factor_reset", "devices_removed": removed},
        )
        _send_invitation(tenant, user)
    return removed


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------
def _unique_name(tenant: Tenant, name: str, *, exclude: Unit | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Ange enhetens namn.")})
    clash = Unit.objects.visible_to(tenant).filter(name__iexact=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude.pk)
    if clash.exists():
        raise ValidationError({"name": _("Det finns redan en enhet med det namnet.")})
    return name


def create_unit(*, tenant: Tenant, name: str, caseworker_may_decide: bool = False) -> Unit:
    with transaction.atomic():
        _lock_administrator(tenant)
        municipality = Municipality.objects.select_for_update().get(pk=tenant.municipality.pk)
        unit = Unit.objects.create(
            municipality=municipality,
            name=_unique_name(tenant, name),
            settings={"caseworker_may_decide": bool(caseworker_may_decide)},
        )
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=unit,
            detail={
                "change": "unit_created",
                "name": unit.name,
                "caseworker_may_decide": caseworker_may_decide,
            },
        )
    return unit


def _locked_unit(tenant: Tenant, unit: Unit) -> Unit:
    locked = Unit.objects.visible_to(tenant).select_for_update().filter(pk=unit.pk).first()
    if locked is None:
        raise PermissionDenied
    return locked


def update_unit(*, tenant: Tenant, unit: Unit, name: str, caseworker_may_decide: bool) -> Unit:
    """Rename the unit and set whether its caseworkers may decide (delegation)."""
    with transaction.atomic():
        _lock_administrator(tenant)
        locked = _locked_unit(tenant, unit)
        if not locked.active:
            raise IllegalTransition(_("Enheten är avslutad."))
        new_name = _unique_name(tenant, name, exclude=locked)
        before = {"name": locked.name, "caseworker_may_decide": locked.caseworker_may_decide}
        locked.name = new_name
        locked.settings = {**locked.settings, "caseworker_may_decide": bool(caseworker_may_decide)}
        locked.save(update_fields=["name", "settings", "updated_at"])
        after = {"name": locked.name, "caseworker_may_decide": locked.caseworker_may_decide}
        detail = {"change": "unit_updated", "before": before, "after": after}
        record(action=Action.UPDATE, tenant=tenant, obj=locked, detail=detail)
    return locked


def close_unit(*, tenant: Tenant, unit: Unit) -> Unit:
    """Close a unit nobody works in any more. Its history (and its cases) stay."""
    with transaction.atomic():
        _lock_administrator(tenant)
        locked = _locked_unit(tenant, unit)
        if not locked.active:
            raise IllegalTransition(_("Enheten är redan avslutad."))
        if Membership.objects.visible_to(tenant).filter(unit=locked, active=True).exists():
            raise IllegalTransition(_("Avsluta först alla roller i enheten."))
        locked.active = False
        locked.save(update_fields=["active", "updated_at"])
        record(action=Action.UPDATE, tenant=tenant, obj=locked, detail={"change": "unit_closed"})
    return locked


# ---------------------------------------------------------------------------
# The municipality's settings
# ---------------------------------------------------------------------------
def check_logo(upload: Any) -> tuple[bytes, str]:
    """The logo's bytes and content type, when the upload really is a PNG or JPEG of sensible size.

    The content decides, not the file name or the browser's content type: Pillow opens and
    verifies the image; anything else (a renamed text file, an SVG with script) is refused."""
    from PIL import Image, UnidentifiedImageError

    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError({"logo": _("Logotypen får vara högst 1 MB.")})
    upload.seek(0)
    data = upload.read()
    if len(data) > LOGO_MAX_BYTES:
        raise ValidationError({"logo": _("Logotypen får vara högst 1 MB.")})
    refused = ValidationError({"logo": _("Logotypen måste vara en PNG- eller JPEG-bild.")})
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            width, height = image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise refused from exc
    if kind not in LOGO_FORMATS:
        raise refused
    if width > LOGO_MAX_PIXELS or height > LOGO_MAX_PIXELS:
        raise ValidationError({"logo": _("Logotypen får vara högst 4000 × 4000 bildpunkter.")})
    return data, LOGO_FORMATS[kind]


#: Fields of the public profile, kept as model fields.
PROFILE_FIELDS = ("public_phone", "public_email", "public_address", "opening_hours", "colour")


def update_settings(
    *,
    tenant: Tenant,
    register_check_valid_months: int,
    case_access: str,
    public_phone: str = "",
    public_email: str = "",
    public_address: str = "",
    opening_hours: str = "",
    colour: str = "",
    logo: Any = None,
    remove_logo: bool = False,
    publishes_site: bool | None = None,
    uses_skolfam: bool | None = None,
    report_overdue_days: int | None = None,
) -> Municipality:
    """The municipality's own settings and public profile. Validated before anything is saved."""
    if not 1 <= int(register_check_valid_months) <= 60:
        raise ValidationError({"register_check_valid_months": _("Ange mellan 1 och 60 månader.")})
    if case_access not in (CASE_ACCESS_UNITS, CASE_ACCESS_MUNICIPALITY):
        raise ValidationError({"case_access": _("Välj vem som ser ärendena.")})
    if report_overdue_days is not None and not 1 <= int(report_overdue_days) <= 365:
        raise ValidationError({"report_overdue_days": _("Ange mellan 1 och 365 dagar.")})
    logo_data = check_logo(logo) if logo is not None else None
    with transaction.atomic():
        _lock_administrator(tenant)
        municipality = Municipality.objects.select_for_update().get(pk=tenant.municipality.pk)
        values = {
            "public_phone": public_phone.strip(),
            "public_email": public_email.strip(),
            "public_address": public_address.strip(),
            "opening_hours": opening_hours.strip(),
            "colour": colour.strip().lower(),
        }
        before = {name: getattr(municipality, name) for name in PROFILE_FIELDS}
        before |= {
            "register_check_valid_months": municipality.register_check_valid_months,
            "case_access": municipality.case_access,
            "publishes_site": municipality.publishes_site,
            "uses_skolfam": municipality.uses_skolfam,
            "report_overdue_days": municipality.report_overdue_days,
        }
        for name, value in values.items():
            setattr(municipality, name, value)
        if publishes_site is not None:
            municipality.publishes_site = bool(publishes_site)
        municipality.settings = {
            **municipality.settings,
            "register_check_valid_months": int(register_check_valid_months),
            "case_access": case_access,
            **({"uses_skolfam": bool(uses_skolfam)} if uses_skolfam is not None else {}),
            **({"report_overdue_days": int(report_overdue_days)} if report_overdue_days is not None else {}),
        }
        logo_change = ""
        if logo_data is not None:
            municipality.logo, municipality.logo_type = logo_data
            logo_change = "replaced"
        elif remove_logo and municipality.logo_type:
            municipality.logo, municipality.logo_type = b"", ""
            logo_change = "removed"
        municipality.full_clean(exclude=["logo"])
        municipality.save()
        after = {name: getattr(municipality, name) for name in PROFILE_FIELDS}
        after |= {
            "register_check_valid_months": int(register_check_valid_months),
            "case_access": case_access,
            "publishes_site": municipality.publishes_site,
            "uses_skolfam": municipality.uses_skolfam,
            "report_overdue_days": municipality.report_overdue_days,
        }
        changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=municipality,
            detail={"change": "settings_updated", "fields": changed, "logo": logo_change},
        )
    return municipality


# ---------------------------------------------------------------------------
# The texts of the public pages
# ---------------------------------------------------------------------------
def _check_page(page: str, language: str) -> None:
    if page not in PublicPage.values:
        raise ValidationError({"page": _("Välj en sida.")})
    if language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Välj ett språk.")})


def _locked_text(tenant: Tenant, page: str, language: str) -> PublicText | None:
    return (
        PublicText.objects.visible_to(tenant).select_for_update().filter(page=page, language=language).first()
    )


def save_public_text(*, tenant: Tenant, page: str, language: str, markdown: str) -> PublicText:
    """The municipality's own text (Markdown) for one public page in one language."""
    _check_page(page, language)
    markdown = markdown.replace("\r\n", "\n").strip()
    if not markdown:
        raise ValidationError({"markdown": _("Skriv en text, eller återställ standardtexten.")})
    if len(markdown) > TEXT_MAX_LENGTH:
        raise ValidationError({"markdown": _("Texten får vara högst 20 000 tecken.")})
    with transaction.atomic():
        _lock_administrator(tenant)
        text = _locked_text(tenant, page, language)
        created = text is None
        if text is None:
            text = PublicText(municipality=tenant.municipality, page=page, language=language)
        before = len(text.markdown)
        text.markdown = markdown
        text.updated_by = tenant.user
        text.save()
        record(
            action=Action.CREATE if created else Action.UPDATE,
            tenant=tenant,
            obj=text,
            detail={
                "change": "public_text_saved",
                "page": page,
                "language": language,
                "characters": {"before": before, "after": len(markdown)},
            },
        )
    return text


def reset_public_text(*, tenant: Tenant, page: str, language: str) -> PublicText:
    """Back to Bredvid's default text: the municipality's own text is emptied (the row stays)."""
    _check_page(page, language)
    with transaction.atomic():
        _lock_administrator(tenant)
        text = _locked_text(tenant, page, language)
        if text is None or not text.markdown:
            raise IllegalTransition(_("Sidan visar redan standardtexten."))
        before = len(text.markdown)
        text.markdown = ""
        text.updated_by = tenant.user
        text.save()
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=text,
            detail={"change": "public_text_reset", "page": page, "language": language, "characters": before},
        )
    return text


# ---------------------------------------------------------------------------
# The invitation's last step: the invited person chooses a password
# ---------------------------------------------------------------------------
def choose_first_password(*, user: User, password: str, ip: str | None = None) -> None:
    """An invited account (created without a password) gets the password its owner chose, once.
    Afterwards the password is changed the usual ways, never here."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.has_usable_password():
            raise IllegalTransition(_("Kontot har redan ett lösenord."))
        locked.set_password(password)
        locked.save(update_fields=["password"])
        record_for_user_municipalities(
            action=Action.UPDATE, actor=locked, ip=ip, detail={"change": "first_password_chosen"}
        )
    user.password = locked.password


def appoint_first_administrator(*, municipality: Municipality, unit: Unit, user: User) -> Membership:
    """The platform operator gives a new municipality its first Systemförvaltare (`manage.py
    first_administrator`); from then on the municipality administers itself at /administration/.
    Refused once the municipality has an active administrator: more are appointed there, by one of
    them, never from the command line."""
    with transaction.atomic():
        locked = Municipality.objects.select_for_update().get(pk=municipality.pk)
        if unit.municipality_id != locked.pk or not unit.active:
            raise ValidationError({"unit": _("Enheten hör inte till kommunen eller är stängd.")})
        if _platform_account(user) or not user.is_active:
            raise ValidationError({"user": _("Kontot kan inte få en roll i en kommun.")})
        if Membership.objects.in_municipality(locked).filter(role=Role.ADMIN, active=True).exists():
            raise IllegalTransition(
                _("Kommunen har redan en systemförvaltare; fler utses under Administration.")
            )
        existing = (
            Membership.objects.select_for_update().filter(user=user, unit=unit, role=Role.ADMIN).first()
        )
        if existing is None:
            membership = Membership.objects.create(user=user, unit=unit, role=Role.ADMIN)
        else:
            existing.active = True
            existing.save(update_fields=["active", "updated_at"])
            membership = existing
        record(
            action=Action.CREATE if existing is None else Action.UPDATE,
            municipality=locked,
            obj=membership,
            via="cli",
            detail={"change": "first_administrator", **_membership_detail(membership)},
        )
    return membership
