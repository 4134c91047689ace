"""Applications for support from the public e-service (e-ansökan, issue 13).

A member of the public has neither a person record nor a case, so the application arrives as its own
record (`EApplication`) in the municipality's inbox: `submit` (public, audited via "public"); with
joint custody it waits for the second guardian, who confirms through a single-use link
(`confirm_second_guardian`); then a caseworker takes it into a case (`take_into_case`: the person found
or created, a case opened or the client's open case used, an `Application` from the e-service).

The link's token is `<application id>.<secret>`; only the SHA-256 of the secret is stored, cleared when
used. A token therefore confirms only the application it was made for, once, before it expires.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework import services
from bredvid.casework.consent import age_on
from bredvid.casework.models import Application, Case, Consent, EApplication
from bredvid.casework.perms import can_open_case
from bredvid.core.errors import IllegalTransition
from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.core.locking import locked
from bredvid.people.models import Person
from bredvid.people.services import create_person

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant
    from bredvid.tenancy.models import Municipality, Unit

VIA = "public"

#: What the public form hands over; everything else is refused.
SUBMITTED_FIELDS = (
    "applicant_kind",
    "first_name",
    "last_name",
    "identity_number",
    "applicant_first_name",
    "applicant_last_name",
    "applicant_identity_number",
    "joint_custody",
    "second_guardian_name",
    "second_guardian_email",
    "support_kind",
    "description",
    "contact_by",
    "contact_times",
    "phone",
    "email",
    "street_address",
    "postal_code",
    "city",
    "do_not_call",
    "do_not_send_post",
)
_GUARDIAN_ONLY = (
    "applicant_first_name",
    "applicant_last_name",
    "applicant_identity_number",
    "second_guardian_name",
    "second_guardian_email",
)


@dataclass(frozen=True)
class Submitted:
    eapplication: EApplication
    consent_token: str  # "" unless a second guardian is asked to confirm


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _number(raw: str, field: str, today: datetime.date) -> tuple[str, datetime.date]:
    try:
        parsed = parse_identity_number(raw or "", today=today)
    except InvalidIdentityNumber as exc:
        raise ValidationError({field: str(exc)}) from exc
    return parsed.number, parsed.birth_date


def check_submission(data: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """The rules of the application (identity numbers, ages, who is asked to confirm), as field errors.
    Returns the data with the identity numbers in their canonical form."""
    unknown = set(data) - set(SUBMITTED_FIELDS)
    if unknown:
        raise ValidationError({name: _("Okänt fält.") for name in sorted(unknown)})
    clean = dict(data)
    kind = clean.get("applicant_kind")
    clean["identity_number"], born = _number(clean.get("identity_number", ""), "identity_number", today)
    age = age_on(born, today)
    errors: dict[str, str] = {}
    if kind == Application.Applicant.YOUTH_SELF and age < 15:
        errors["identity_number"] = _(
            "Du som är under 15 år kan inte ansöka själv. Din vårdnadshavare ansöker."
        )
    elif kind == Application.Applicant.YOUTH_SELF and age >= 18:
        errors["identity_number"] = _("Du är över 18 år: välj att du ansöker som vuxen för egen del.")
    elif kind == Application.Applicant.ADULT_SELF and age < 18:
        errors["identity_number"] = _("Du är under 18 år: välj ungdom eller låt din vårdnadshavare ansöka.")
    elif kind == Application.Applicant.GUARDIANS and age >= 18:
        errors["identity_number"] = _("Barnet måste vara under 18 år.")
    if kind == Application.Applicant.GUARDIANS:
        number, guardian_born = _number(
            clean.get("applicant_identity_number", ""), "applicant_identity_number", today
        )
        clean["applicant_identity_number"] = number
        if age_on(guardian_born, today) < 18:
            errors["applicant_identity_number"] = _("Vårdnadshavaren måste vara minst 18 år.")
        elif number == clean["identity_number"]:
            errors["applicant_identity_number"] = _("Ange ditt eget personnummer, inte barnets.")
        if not clean.get("joint_custody"):
            clean["second_guardian_name"] = clean["second_guardian_email"] = ""
        elif not clean.get("second_guardian_email"):
            errors["second_guardian_email"] = _("Ange den andra vårdnadshavarens e-postadress.")
    else:
        for name in _GUARDIAN_ONLY:
            clean[name] = ""
        clean["joint_custody"] = False
    if errors:
        raise ValidationError(errors)
    return clean


def submit(
    *,
    municipality: Municipality,
    data: dict[str, Any],
    ip: str | None = None,
    now: datetime.datetime | None = None,
    identified: str = EApplication.Identified.TYPED,
) -> Submitted:
    """A member of the public sends an application: stored with its reference number, audited.
    `identified`: whether the applicant's own identity number was typed or comes from a sign-in with
    e-legitimation (the public view passes what the ID token verified)."""
    if identified not in EApplication.Identified.values:
        raise ValueError(identified)
    now = now or timezone.now()
    clean = check_submission(data, timezone.localdate(now))
    waits = bool(clean["joint_custody"])
    secret = secrets.token_urlsafe(32) if waits else ""
    with transaction.atomic():
        eapplication = EApplication(
            id=uuid.uuid4(),
            municipality=municipality,
            received_at=now,
            status=EApplication.Status.AWAITING_CONSENT if waits else EApplication.Status.READY,
            identified=identified,
            **clean,
        )
        if waits:
            eapplication.consent_token_hash = _hash(secret)
            eapplication.consent_expires_at = now + datetime.timedelta(
                days=settings.EAPPLICATION_CONSENT_DAYS
            )
        # Validated without the lookups the database guards anyway: the municipality is the caller's
        # row, the id a fresh UUID, and the reference is numbered below under its counter's lock.
        eapplication.full_clean(
            exclude=["reference", "municipality"], validate_unique=False, validate_constraints=False
        )
        year = timezone.localdate(now).year
        eapplication.reference = f"EA-{year}-{services._next_number(municipality, year, 'eapplication'):05d}"
        eapplication.save()
        record(
            action=Action.CREATE,
            municipality=municipality,
            obj=eapplication,
            ip=ip,
            via=VIA,
            detail={
                "applicant": eapplication.applicant_kind,
                "awaits_consent": waits,
                "identified": identified,
            },
        )
    token = f"{eapplication.pk.hex}.{secret}" if waits else ""
    return Submitted(eapplication, token)


def send_submission_mails(submitted: Submitted, consent_url: str) -> None:
    """The receipt to the applicant and the link to the second guardian: the reference number and the
    link only, never a name, an identity number or what was written."""
    eapplication = submitted.eapplication
    municipality = eapplication.municipality.name
    if eapplication.email:
        body = _(
            "Vi har tagit emot din ansökan till %(municipality)s. Referensnummer: %(reference)s.\n\n"
            "En handläggare kontaktar dig på det sätt du har valt."
        ) % {"municipality": municipality, "reference": eapplication.reference}
        send_mail(_("Ansökan mottagen"), body, None, [eapplication.email])
    if submitted.consent_token and eapplication.second_guardian_email:
        body = _(
            "En vårdnadshavare har ansökt om stöd för ert gemensamma barn hos %(municipality)s och ber om "
            "ditt samtycke. Referensnummer: %(reference)s.\n\nBekräfta här (länken gäller i %(days)s dagar "
            "och kan användas en gång):\n%(url)s"
        ) % {
            "municipality": municipality,
            "reference": eapplication.reference,
            "days": settings.EAPPLICATION_CONSENT_DAYS,
            "url": consent_url,
        }
        send_mail(_("Bekräfta ansökan om stöd"), body, None, [eapplication.second_guardian_email])


def _split(token: str) -> tuple[uuid.UUID, str] | None:
    pk, _dot, secret = (token or "").partition(".")
    if not secret or len(secret) > 100:
        return None
    try:
        return uuid.UUID(hex=pk), secret
    except ValueError:
        return None


def awaiting_consent(
    municipality: Municipality, token: str, now: datetime.datetime | None = None
) -> EApplication | None:
    """The application the link confirms, if it still may (a read: nothing is used up)."""
    parts = _split(token)
    if parts is None:
        return None
    eapplication = EApplication.objects.in_municipality(municipality).filter(pk=parts[0]).first()
    if eapplication is None or not _token_valid(eapplication, parts[1], now or timezone.now()):
        return None
    return eapplication


def _token_valid(eapplication: EApplication, secret: str, now: datetime.datetime) -> bool:
    return (
        eapplication.status == EApplication.Status.AWAITING_CONSENT
        and bool(eapplication.consent_token_hash)
        and hmac.compare_digest(eapplication.consent_token_hash, _hash(secret))
        and eapplication.consent_expires_at is not None
        and now < eapplication.consent_expires_at
    )


def confirm_second_guardian(
    *,
    municipality: Municipality,
    token: str,
    ip: str | None = None,
    now: datetime.datetime | None = None,
) -> EApplication:
    """The second guardian confirms through the link: once, before it expires, for its own application."""
    now = now or timezone.now()
    refused = IllegalTransition(_("Länken gäller inte. Den kan redan ha använts eller ha gått ut."))
    parts = _split(token)
    if parts is None:
        raise refused
    with transaction.atomic():
        eapplication = (
            EApplication.objects.in_municipality(municipality).select_for_update().filter(pk=parts[0]).first()
        )
        if eapplication is None or not _token_valid(eapplication, parts[1], now):
            raise refused
        eapplication.consent_token_hash = ""
        eapplication.second_guardian_consented_at = now
        eapplication.status = EApplication.Status.READY
        eapplication.save(
            update_fields=["consent_token_hash", "second_guardian_consented_at", "status", "updated_at"]
        )
        record(
            action=Action.UPDATE,
            municipality=municipality,
            obj=eapplication,
            ip=ip,
            via=VIA,
            detail={"fields": ["second_guardian_consented_at", "status"]},
        )
    return eapplication


def _person(tenant: Tenant, eapplication: EApplication) -> Person:
    """The person the application is about: found by the identity number in the municipality, or created."""
    number = parse_identity_number(eapplication.identity_number).number
    person = Person.objects.in_municipality(tenant.municipality).filter(identity_number=number).first()
    if person is not None:
        return person
    data: dict[str, Any] = {
        "identity_number": number,
        "first_name": eapplication.first_name,
        "last_name": eapplication.last_name,
    }
    if not eapplication.for_child:  # the applicant's own contact details are the person's
        data |= {
            name: getattr(eapplication, name)
            for name in ("phone", "email", "street_address", "postal_code", "city")
        }
    return create_person(tenant=tenant, data=data)


def take_into_case(
    *, tenant: Tenant, eapplication: EApplication, unit: Unit, now: datetime.datetime | None = None
) -> Application:
    """A caseworker takes a ready e-application into a case: the person found or created, the client's
    open case in the unit used or a new one opened, an `Application` from the e-service registered."""
    if not can_open_case(tenant) or unit.pk not in tenant.unit_ids:
        raise PermissionDenied
    now = now or timezone.now()
    with transaction.atomic():
        locked(eapplication)
        if eapplication.municipality_id != tenant.municipality.pk:
            raise PermissionDenied
        if eapplication.status == EApplication.Status.AWAITING_CONSENT:
            raise IllegalTransition(_("Ansökan väntar på den andra vårdnadshavarens samtycke."))
        if eapplication.status != EApplication.Status.READY:
            raise IllegalTransition(_("Ansökan är redan hanterad."))
        person = _person(tenant, eapplication)
        case = (
            Case.objects.visible_to(tenant).filter(client=person, unit=unit, status=Case.Status.OPEN).first()
        ) or services.open_case(tenant=tenant, client=person, unit=unit, opened_on=timezone.localdate(now))
        application = services.register_application(
            tenant=tenant,
            case=case,
            data={
                "received_on": timezone.localdate(eapplication.received_at),
                "form": Application.Form.WRITTEN,
                "applicant": eapplication.applicant_kind,
                "support_kind": eapplication.support_kind,
                "description": eapplication.description,
            },
            source=Application.Source.PUBLIC,
        )
        consent = _second_guardians_consent(tenant, eapplication, application)
        eapplication.status = EApplication.Status.TAKEN
        eapplication.application = application
        eapplication.taken_at = now
        eapplication.taken_by = tenant.user
        eapplication.save(update_fields=["status", "application", "taken_at", "taken_by", "updated_at"])
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=eapplication,
            person_id=person.pk,
            detail={
                "fields": ["status", "application"],
                "case": str(case.pk),
                "identified": eapplication.identified,
                "consent": str(consent.pk) if consent else None,
            },
        )
    return application


def _second_guardians_consent(
    tenant: Tenant, eapplication: EApplication, application: Application
) -> Consent | None:
    """The second guardian's confirmation through the link, as the application's `Consent`: a guardian
    named as the first guardian gave them (not a registered person: the caseworker checks the custody),
    when they confirmed, via the e-service's link. Inside take_into_case's transaction."""
    at = eapplication.second_guardian_consented_at
    if not (eapplication.joint_custody and at):
        return None
    consent = Consent(
        municipality=application.municipality,
        case=application.case,
        application=application,
        giver=Consent.Giver.GUARDIAN,
        guardian=None,
        giver_name=eapplication.second_guardian_name,
        given_on=timezone.localdate(at),
        given_at=at,
        via=Consent.Via.ESERVICE_LINK,
        note=_("Bekräftat med engångslänken till %(email)s (%(reference)s).")
        % {"email": eapplication.second_guardian_email, "reference": eapplication.reference},
    )
    consent.full_clean()
    consent.save()
    record(
        action=Action.CREATE,
        tenant=tenant,
        obj=consent,
        person_id=application.case.client_id,
        detail={"giver": consent.giver, "via": consent.via, "eapplication": str(eapplication.pk)},
    )
    return consent


#: How an e-application leaves the inbox without a case.
CLOSING = (EApplication.Status.WITHDRAWN, EApplication.Status.REJECTED)


def close_without_case(
    *,
    tenant: Tenant,
    eapplication: EApplication,
    status: str,
    note: str,
    now: datetime.datetime | None = None,
) -> EApplication:
    """Withdrawn by the applicant (who called or wrote) or rejected (e.g. sent twice, not meant for this
    municipality): the e-application leaves the inbox without a case. The reason is required and kept;
    the applicant is told by the caseworker, not by an automatic e-mail."""
    if not can_open_case(tenant):
        raise PermissionDenied
    if status not in CLOSING:
        raise ValidationError({"status": _("Välj återkallad eller avvisad.")})
    if not note.strip():
        raise ValidationError({"note": _("Skriv skälet.")})
    now = now or timezone.now()
    with transaction.atomic():
        locked(eapplication)
        if eapplication.municipality_id != tenant.municipality.pk:
            raise PermissionDenied
        if eapplication.status not in (EApplication.Status.AWAITING_CONSENT, EApplication.Status.READY):
            raise IllegalTransition(_("Ansökan är redan hanterad."))
        eapplication.status = status
        eapplication.closed_note = note.strip()
        eapplication.consent_token_hash = ""  # a pending consent link stops working
        eapplication.taken_at = now
        eapplication.taken_by = tenant.user
        eapplication.save(
            update_fields=[
                "status",
                "closed_note",
                "consent_token_hash",
                "taken_at",
                "taken_by",
                "updated_at",
            ]
        )
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=eapplication,
            detail={"fields": ["status", "closed_note"], "status": status},
        )
    return eapplication
