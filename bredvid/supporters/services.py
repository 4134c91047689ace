"""State changes for supporters. Each runs in one transaction with its audit event."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.choices import SupportKind
from bredvid.core.date_bounds import require as require_dates
from bredvid.core.errors import IllegalTransition
from bredvid.core.locking import locked, next_number
from bredvid.people.models import Person
from bredvid.supporters.geo import locate
from bredvid.supporters.models import (
    POLICE_CHECKS_REQUIRED_FOR,
    POLICE_KINDS,
    Assessment,
    AssessmentActivity,
    InterestEvent,
    InterestRegistration,
    InterestSequence,
    RegisterCheck,
    Supporter,
    SupporterMember,
    SupporterProfile,
    Training,
)
from bredvid.supporters.perms import can_approve_supporters, can_manage_supporters
from bredvid.tenancy.context import Tenant

logger = logging.getLogger(__name__)
SUPPORT_VALUES = set(SupportKind.values)
# The processing notice shown with every registration (recorded with it, as shown).
CONSENT_TEXT = _lazy(
    "Uppgifterna behandlas av socialnämnden för att handlägga intresseanmälan "
    "(dataskyddsförordningen artikel 6.1 e)."
)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _check_supports(supports: list[str], field: str = "supports") -> None:
    if not supports:
        raise ValidationError({field: _("Välj minst ett uppdrag.")})
    unknown = set(supports) - SUPPORT_VALUES
    if unknown:
        raise ValidationError({field: _("Okänt uppdrag.")})


# ---------------------------------------------------------------------------
# Interest registrations
# ---------------------------------------------------------------------------
REGISTRATION_FIELDS = (
    "supports",
    "first_name",
    "last_name",
    "email",
    "phone",
    "street_address",
    "postal_code",
    "city",
    "area",
    "household",
    "adults",
    "children_ages",
    "languages",
    "message",
)


def _next_reference(municipality: Any, year: int) -> str:
    """IA-<year>-<number>: the municipality's counter for the year, locked while it is incremented
    (the mechanism of casework's case numbers), so concurrent registrations never share a number."""
    return f"IA-{year}-{next_number(InterestSequence, municipality=municipality, year=year):05d}"


def _send_receipt(municipality: Any, email: str, reference: str) -> None:
    """The confirmation e-mail: that the registration was received, and its reference. Nothing the
    person typed (no name, no free text). A failing mail server loses nothing: it is logged."""
    body = _(
        "Din intresseanmälan till %(municipality)s har kommit fram.\n\n"
        "Referensnummer: %(reference)s\n\n"
        "Vi hör av oss. Ange referensnumret om du kontaktar oss om anmälan.\n\n"
        "Har du inte gjort någon anmälan kan du bortse från det här meddelandet."
    ) % {"municipality": municipality.name, "reference": reference}
    try:
        send_mail(_("Vi har tagit emot din intresseanmälan"), body, None, [email])
    except Exception:  # the registration is stored and the receipt page showed the reference
        logger.exception("interest registration %s: the receipt e-mail could not be sent", reference)


def register_interest(
    *, municipality: Any, data: dict[str, Any], consent_text: str, source: str, tenant: Tenant | None = None
) -> InterestRegistration:
    """From the public form (no tenant) or entered by staff. Consent to processing is required."""
    if source == InterestRegistration.Source.STAFF:
        _require(tenant is not None and can_manage_supporters(tenant))
    unknown = set(data) - set(REGISTRATION_FIELDS)
    if unknown:
        raise ValidationError({name: _("Okänt fält.") for name in sorted(unknown)})
    _check_supports(list(data.get("supports") or []))
    if not (data.get("email") or data.get("phone")):
        raise ValidationError({"phone": _("Ange telefon eller e-post så att vi kan nå dig.")})
    now = timezone.now()
    registration = InterestRegistration(
        municipality=municipality,
        received_at=now,
        reference="",
        source=source,
        consent_text=consent_text,
        consent_given_at=now,
        **data,
    )
    # Every field is validated; not in the database, though: the municipality is the caller's row
    # (and a foreign key), the id a fresh UUID and the reference is numbered below, under its lock
    # (the constraints hold them) — two lookups fewer on every submission.
    registration.full_clean(exclude=["municipality"], validate_unique=False, validate_constraints=False)
    with transaction.atomic():
        registration.reference = _next_reference(municipality, timezone.localdate(now).year)
        registration.save()
        record(
            action=Action.CREATE,
            tenant=tenant,
            municipality=municipality,
            obj=registration,
            via="web" if tenant else "public",
            detail={"source": source, "reference": registration.reference},
        )
        if source == InterestRegistration.Source.PUBLIC and registration.email:
            language = translation.get_language()
            email, reference = registration.email, registration.reference

            def send() -> None:
                with translation.override(language):
                    _send_receipt(municipality, email, reference)

            transaction.on_commit(send)
    return registration


_Status = InterestRegistration.Status
_NEXT = {
    _Status.NEW: {_Status.CONTACTED, _Status.INVITED, _Status.INVESTIGATING, _Status.CLOSED},
    _Status.CONTACTED: {_Status.INVITED, _Status.INVESTIGATING, _Status.CLOSED},
    _Status.INVITED: {_Status.INVESTIGATING, _Status.CLOSED},
    _Status.INVESTIGATING: set(),
    _Status.CLOSED: set(),
}


def move_registration(
    *, tenant: Tenant, registration: InterestRegistration, to: str, note: str = "", close_reason: str = ""
) -> InterestRegistration:
    """new → contacted → invited → investigating, or closed with a reason, in the inbox."""
    _require(can_manage_supporters(tenant))
    if to == InterestRegistration.Status.INVESTIGATING:
        raise IllegalTransition(_("Påbörja utredningen med knappen för det."))
    with transaction.atomic():
        locked(registration)
        if to not in _NEXT[registration.status]:  # type: ignore[index]
            raise IllegalTransition(_("Anmälan kan inte flyttas dit från sin nuvarande status."))
        if (
            to == InterestRegistration.Status.CLOSED
            and close_reason not in InterestRegistration.CloseReason.values
        ):
            raise ValidationError({"close_reason": _("Ange varför anmälan avslutas.")})
        registration.status = to
        registration.handled_by = tenant.user
        if to == InterestRegistration.Status.CLOSED:
            registration.close_reason = close_reason
            registration.closed_note = note
            registration.closed_on = timezone.localdate()
        registration.save()
        InterestEvent.objects.create(
            municipality=registration.municipality,
            registration=registration,
            status=to,
            note=note,
            by=tenant.user,
        )
        record(action=Action.UPDATE, tenant=tenant, obj=registration, detail={"status": to})
    return registration


def start_investigation(
    *, tenant: Tenant, registration: InterestRegistration, started_on: datetime.date, co_officer: Any = None
) -> Supporter:
    """Turn a registration into a supporter under investigation, with an open assessment."""
    _require(can_manage_supporters(tenant))
    require_dates(Assessment, started_on=started_on)
    with transaction.atomic():
        locked(registration)
        if InterestRegistration.Status.INVESTIGATING not in _NEXT[registration.status]:  # type: ignore[index]
            raise IllegalTransition(_("Anmälan är avslutad eller redan under utredning."))
        supporter = Supporter.objects.create(
            municipality=registration.municipality,
            name=f"{registration.first_name} {registration.last_name}",
            supports=registration.supports,
            registration=registration,
            responsible=tenant.user,
            email=registration.email,
            phone=registration.phone,
            street_address=registration.street_address,
            postal_code=registration.postal_code,
            city=registration.city,
            area=registration.area,
        )
        point = locate(registration.city, registration.area)
        if point is not None:
            supporter.latitude, supporter.longitude = point
            supporter.save(update_fields=["latitude", "longitude"])
        Assessment.objects.create(
            municipality=supporter.municipality,
            supporter=supporter,
            officer=tenant.user,
            co_officer=co_officer,
            started_on=started_on,
            supports=registration.supports,
        )
        registration.status = InterestRegistration.Status.INVESTIGATING
        registration.handled_by = tenant.user
        registration.save()
        InterestEvent.objects.create(
            municipality=registration.municipality,
            registration=registration,
            status=InterestRegistration.Status.INVESTIGATING,
            by=tenant.user,
        )
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=supporter,
            detail={"from_registration": str(registration.pk)},
        )
    return supporter


def add_member(
    *, tenant: Tenant, supporter: Supporter, person: Person, adult: bool = True
) -> SupporterMember:
    _require(can_manage_supporters(tenant))
    if person.municipality_id != supporter.municipality_id:
        raise PermissionDenied
    with transaction.atomic():
        locked(supporter)  # the household changes one member at a time
        member, _created = SupporterMember.objects.get_or_create(
            supporter=supporter,
            person=person,
            defaults={"municipality": supporter.municipality, "adult": adult},
        )
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=supporter,
            person_id=person.pk,
            detail={"member_added": True},
        )
    return member


def _open_assessment(supporter: Supporter) -> Assessment:
    assessment = supporter.assessments.filter(status=Assessment.Status.OPEN).first()
    if assessment is None:
        raise IllegalTransition(_("Det finns ingen pågående utredning."))
    return assessment


def record_activity(*, tenant: Tenant, assessment: Assessment, data: dict[str, Any]) -> AssessmentActivity:
    _require(can_manage_supporters(tenant))
    with transaction.atomic():
        locked(assessment)
        if assessment.status != Assessment.Status.OPEN:
            raise IllegalTransition(_("Utredningen är avslutad."))
        activity = AssessmentActivity(
            municipality=assessment.municipality, assessment=assessment, recorded_by=tenant.user, **data
        )
        if activity.kind == AssessmentActivity.Kind.REFERENCE and not activity.reference_name.strip():
            raise ValidationError({"reference_name": _("Ange vem referensen är.")})
        activity.full_clean()
        activity.save()
        record(action=Action.CREATE, tenant=tenant, obj=activity, detail={"kind": activity.kind})
    return activity


def default_validity(municipality: Any) -> int:
    """Months a register check stays valid (a per-municipality setting, default 12)."""
    return int(municipality.settings.get("register_check_valid_months", 12))


def record_register_check(
    *,
    tenant: Tenant,
    member: SupporterMember,
    kind: str,
    requested_on: datetime.date,
    received_on: datetime.date | None = None,
    outcome: str = RegisterCheck.Outcome.PENDING,
    note: str = "",
    valid_until: datetime.date | None = None,
) -> RegisterCheck:
    from bredvid.core.legal_time import add_months

    _require(can_manage_supporters(tenant))
    require_dates(RegisterCheck, requested_on=requested_on, received_on=received_on, valid_until=valid_until)
    if received_on is not None and received_on < requested_on:
        raise ValidationError({"received_on": _("Utdraget kan inte ha kommit före begäran.")})
    if outcome != RegisterCheck.Outcome.PENDING and received_on is None:
        raise ValidationError({"received_on": _("Ange när utdraget kom.")})
    with transaction.atomic():
        locked(member)
        if not member.adult:
            raise ValidationError({"member": _("Registerutdrag begärs för vuxna i hushållet.")})
        if received_on is not None and valid_until is None:
            valid_until = add_months(received_on, default_validity(member.municipality))
        check = RegisterCheck(
            municipality=member.municipality,
            member=member,
            kind=kind,
            requested_on=requested_on,
            received_on=received_on,
            outcome=outcome,
            note=note,
            valid_until=valid_until,
        )
        check.full_clean()
        check.save()
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=check,
            person_id=member.person_id,
            detail={"kind": kind, "outcome": outcome},
        )
    return check


def record_training(
    *,
    tenant: Tenant,
    supporter: Supporter,
    course: str,
    sessions_attended: int,
    sessions_total: int = 8,
    completed_on: datetime.date | None = None,
) -> Training:
    _require(can_manage_supporters(tenant))
    if sessions_attended > sessions_total:
        raise ValidationError({"sessions_attended": _("Fler träffar än utbildningen har.")})
    with transaction.atomic():
        locked(supporter)  # one course row per supporter, even when two officers save at once
        training, _created = Training.objects.get_or_create(
            supporter=supporter,
            course=course,
            defaults={"municipality": supporter.municipality, "sessions_total": sessions_total},
        )
        training.sessions_total = sessions_total
        training.sessions_attended = sessions_attended
        training.completed_on = completed_on
        training.full_clean()
        training.save()
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=supporter,
            detail={"training": course, "sessions": sessions_attended},
        )
    return training


def police_check_problems(supporter: Supporter, on: datetime.date) -> list[str]:
    """Every adult member needs valid police register checks (SoF 3 kap. 3 §). Swedish messages."""
    problems = []
    members = list(supporter.members.filter(active=True, adult=True).select_related("person"))
    if not members:
        return [_("Hushållet har inga registrerade vuxna.")]
    valid = set(
        RegisterCheck.objects.filter(member__in=members)
        .police()
        .valid_on(on)
        .values_list("member_id", "kind")
    )
    labels = dict(RegisterCheck.Kind.choices)
    for member in members:
        for kind in POLICE_KINDS:
            if (member.pk, kind) not in valid:
                problems.append(
                    _("%(name)s saknar giltigt utdrag ur %(check)s.")
                    % {"name": member.person.full_name, "check": str(labels[kind]).replace("Polisen: ", "")}
                )
    return problems


def conclude_assessment(
    *, tenant: Tenant, assessment: Assessment, conclusion: str, supports: list[str], method_notes: str = ""
) -> Assessment:
    _require(can_manage_supporters(tenant))
    if not conclusion.strip():
        raise ValidationError({"conclusion": _("Skriv den sammanfattande bedömningen.")})
    _check_supports(supports)
    with transaction.atomic():
        locked(assessment)
        if assessment.status != Assessment.Status.OPEN:
            raise IllegalTransition(_("Utredningen är redan avgjord."))
        assessment.conclusion = conclusion
        assessment.supports = supports
        assessment.method_notes = method_notes
        assessment.save()
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=assessment,
            detail={"fields": ["conclusion", "supports"]},
        )
    return assessment


def approve(*, tenant: Tenant, assessment: Assessment, decided_on: datetime.date) -> Supporter:
    """The manager approves the supporter for the assessed supports."""
    _require(can_approve_supporters(tenant))
    require_dates(Assessment, decided_on=decided_on)
    with transaction.atomic():
        supporter = locked(assessment.supporter)  # the supporter first, as every supporter service
        locked(assessment)
        if assessment.status != Assessment.Status.OPEN:
            raise IllegalTransition(_("Utredningen är redan avgjord."))
        if not assessment.conclusion.strip():
            raise IllegalTransition(_("Utredningen saknar sammanfattande bedömning."))
        if set(assessment.supports) & set(POLICE_CHECKS_REQUIRED_FOR):
            problems = police_check_problems(supporter, decided_on)
            if problems:
                raise ValidationError({"supports": problems})
        assessment.status = Assessment.Status.APPROVED
        assessment.approved_by = tenant.user
        assessment.decided_on = decided_on
        assessment.save()
        supporter.status = Supporter.Status.APPROVED
        supporter.approved_supports = sorted(set(supporter.approved_supports) | set(assessment.supports))
        supporter.approved_on = decided_on
        supporter.save()
        for kind in assessment.supports:
            SupporterProfile.objects.get_or_create(
                supporter=supporter, support_kind=kind, defaults={"municipality": supporter.municipality}
            )
        record(action=Action.UPDATE, tenant=tenant, obj=supporter, detail={"approved": assessment.supports})
    return supporter


def reject(*, tenant: Tenant, assessment: Assessment, decided_on: datetime.date, reason: str) -> Supporter:
    _require(can_approve_supporters(tenant))
    if not reason.strip():
        raise ValidationError({"reason": _("Ange skälet.")})
    require_dates(Assessment, decided_on=decided_on)
    with transaction.atomic():
        supporter = locked(assessment.supporter)
        locked(assessment)
        if assessment.status != Assessment.Status.OPEN:
            raise IllegalTransition(_("Utredningen är redan avgjord."))
        assessment.status = Assessment.Status.REJECTED
        assessment.approved_by = tenant.user
        assessment.decided_on = decided_on
        assessment.conclusion = assessment.conclusion or reason
        assessment.save()
        supporter.status = Supporter.Status.ENDED
        supporter.ended_on = decided_on
        supporter.ended_reason = reason
        supporter.save()
        record(action=Action.UPDATE, tenant=tenant, obj=supporter, detail={"rejected": True})
    return supporter


def ensure_assignable(supporter: Supporter, support_kind: str, on: datetime.date) -> None:
    """Guard for assignments (the matching issue): approved for the kind and, for familjehem and
    jourhem, valid police checks for every adult on the day the assignment starts."""
    if supporter.status != Supporter.Status.APPROVED or support_kind not in supporter.approved_supports:
        raise IllegalTransition(_("Uppdragstagaren är inte godkänd för uppdraget."))
    if support_kind in POLICE_CHECKS_REQUIRED_FOR:
        problems = police_check_problems(supporter, on)
        if problems:
            raise IllegalTransition(" ".join(problems))


#: What staff edit on a matching profile (the supporter, kind and municipality are fixed).
PROFILE_FIELDS = frozenset(f.name for f in SupporterProfile._meta.concrete_fields) - {
    "id",
    "municipality",
    "supporter",
    "support_kind",
}


def save_profile(
    *, tenant: Tenant, supporter: Supporter, kind: str, data: dict[str, Any]
) -> SupporterProfile:
    """The matching profile of an approved support kind (one per kind, created on first save)."""
    _require(can_manage_supporters(tenant))
    unknown = set(data) - PROFILE_FIELDS
    if unknown:
        raise ValidationError({name: _("Okänt fält.") for name in sorted(unknown)})
    with transaction.atomic():
        locked(supporter)
        if kind not in supporter.approved_supports:
            raise IllegalTransition(_("Profilen fylls i för uppdrag som uppdragstagaren är godkänd för."))
        profile = SupporterProfile.objects.filter(supporter=supporter, support_kind=kind).first()
        if profile is None:
            profile = SupporterProfile(
                supporter=supporter, support_kind=kind, municipality=supporter.municipality
            )
        for name, value in data.items():
            setattr(profile, name, value)
        profile.full_clean(exclude=["needs"], validate_constraints=False)  # an empty list is a valid answer
        profile.save()
        record(action=Action.UPDATE, tenant=tenant, obj=supporter, detail={"profile": kind})
    return profile


def pause(*, tenant: Tenant, supporter: Supporter, reason: str, until: datetime.date | None) -> Supporter:
    _require(can_manage_supporters(tenant))
    if not reason.strip():
        raise ValidationError({"reason": _("Ange skälet.")})
    require_dates(Supporter, paused_until=until)
    with transaction.atomic():
        locked(supporter)
        if supporter.status != Supporter.Status.APPROVED:
            raise IllegalTransition(_("Bara en godkänd uppdragstagare kan göras vilande."))
        supporter.status = Supporter.Status.PAUSED
        supporter.paused_reason = reason
        supporter.paused_until = until
        supporter.save()
        record(action=Action.UPDATE, tenant=tenant, obj=supporter, detail={"status": "paused"})
    return supporter


def resume(*, tenant: Tenant, supporter: Supporter) -> Supporter:
    _require(can_manage_supporters(tenant))
    with transaction.atomic():
        locked(supporter)
        if supporter.status != Supporter.Status.PAUSED:
            raise IllegalTransition(_("Uppdragstagaren är inte vilande."))
        supporter.status = Supporter.Status.APPROVED
        supporter.paused_until = None
        supporter.save()
        record(action=Action.UPDATE, tenant=tenant, obj=supporter, detail={"status": "approved"})
    return supporter


def end(*, tenant: Tenant, supporter: Supporter, reason: str, ended_on: datetime.date) -> Supporter:
    _require(can_manage_supporters(tenant))
    if not reason.strip():
        raise ValidationError({"reason": _("Ange skälet.")})
    require_dates(Supporter, ended_on=ended_on)
    with transaction.atomic():
        locked(supporter)
        if supporter.status == Supporter.Status.ENDED:
            raise IllegalTransition(_("Uppdragstagaren är redan avslutad."))
        supporter.status = Supporter.Status.ENDED
        supporter.ended_reason = reason
        supporter.ended_on = ended_on
        supporter.save()
        record(action=Action.UPDATE, tenant=tenant, obj=supporter, detail={"status": "ended"})
    return supporter
