"""State changes in casework. Each runs in one transaction and writes its audit event there.

Workflows are explicit: an action allowed only in some states raises `IllegalTransition`
with a Swedish message; a missing permission raises `PermissionDenied`.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.audit.signing import signed_content_detail
from bredvid.casework.consent import ConsentFindings, consent_findings
from bredvid.casework.errors import SignedEntryImmutable
from bredvid.casework.models import (
    Application,
    Case,
    CaseSequence,
    CaseShare,
    ConcernReport,
    Consent,
    Decision,
    FollowUp,
    Intervention,
    InterventionPause,
    Investigation,
    InvestigationExtension,
    IvoReport,
    JournalEntry,
    PlacementEvent,
    Plan,
)
from bredvid.casework.perms import (
    CASE_ROLES,
    can_decide,
    can_extend_investigation,
    can_open_case,
    can_report_to_ivo,
    can_share_case,
    can_sign_entry,
    can_work_on_case,
)
from bredvid.core.date_bounds import as_date
from bredvid.core.date_bounds import require as require_dates
from bredvid.core.errors import IllegalTransition
from bredvid.core.locking import locked, next_number
from bredvid.people.models import Guardianship, Person
from bredvid.tenancy.context import Tenant

if TYPE_CHECKING:
    from bredvid.accounts.models import User
from bredvid.tenancy.models import CASE_ACCESS_MUNICIPALITY, Membership, Municipality, Unit


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _audit(tenant: Tenant, action: str, obj: models.Model, case: Case, **detail: Any) -> None:
    record(action=action, tenant=tenant, obj=obj, person_id=case.client_id, detail=detail)


def _validated(obj: models.Model) -> None:
    obj.full_clean(validate_constraints=False)


def _fields(obj: models.Model, data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError({name: _("Okänt fält.") for name in sorted(unknown)})
    for name, value in data.items():
        setattr(obj, name, value)


# ---------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------
def _next_number(municipality: Municipality, year: int, series: str = "case") -> int:
    """The next number of the municipality's series for the year (the counter row locked meanwhile)."""
    return next_number(CaseSequence, municipality=municipality, series=series, year=year)


def _next_reference(tenant: Tenant, year: int) -> str:
    return f"{tenant.municipality.kommunkod}-{year}-{_next_number(tenant.municipality, year):05d}"


def open_case(*, tenant: Tenant, client: Person, unit: Unit, opened_on: datetime.date | None = None) -> Case:
    _require(can_open_case(tenant))
    if client.municipality_id != tenant.municipality.pk or unit.pk not in tenant.unit_ids:
        raise PermissionDenied
    opened_on = opened_on or timezone.localdate()
    with transaction.atomic():
        case = Case(
            municipality=tenant.municipality,
            unit=unit,
            client=client,
            responsible=tenant.user,
            opened_on=opened_on,
            reference=_next_reference(tenant, opened_on.year),
        )
        _validated(case)
        case.save()
        _audit(tenant, Action.CREATE, case, case)
    return case


def _still_open(case: Case) -> None:
    """On the locked case row: a closed case takes no new investigation, decision or intervention."""
    if case.status == Case.Status.CLOSED:
        raise IllegalTransition(_("Ärendet är avslutat."))


def close_case(*, tenant: Tenant, case: Case, closed_on: datetime.date) -> Case:
    require_dates(Case, closed_on=closed_on)
    with transaction.atomic():
        # the case row is the lock for the case: deciding and opening investigations take it too
        locked(case)
        _require(can_work_on_case(tenant, case))
        if case.status == Case.Status.CLOSED:
            raise IllegalTransition(_("Ärendet är redan avslutat."))
        if case.interventions.exclude(status=Intervention.Status.ENDED).exists():
            raise IllegalTransition(_("Avsluta pågående och ej verkställda insatser först."))
        if case.investigations.filter(status=Investigation.Status.OPEN).exists():
            raise IllegalTransition(_("Avsluta pågående utredningar först."))
        case.status = Case.Status.CLOSED
        case.closed_on = closed_on
        case.save(update_fields=["status", "closed_on", "updated_at"])
        _audit(tenant, Action.UPDATE, case, case, fields=["status", "closed_on"])
    return case


def share_case(*, tenant: Tenant, case: Case, user: User, reason: str) -> CaseShare:
    """Shares the case with a named colleague outside its unit (the municipality's `case_access` is
    "units"): the colleague then reads and works on it like the unit's own staff."""
    _require(can_share_case(tenant, case))
    if tenant.municipality.case_access == CASE_ACCESS_MUNICIPALITY:
        raise IllegalTransition(_("Alla handläggare i kommunen ser redan ärendet."))
    with transaction.atomic():
        locked(case)
        _require(can_share_case(tenant, case))  # the case may have moved to another unit meanwhile
        roles = set(
            Membership.objects.visible_to(tenant)
            .filter(user=user, active=True, role__in=CASE_ROLES)
            .values_list("unit_id", flat=True)
        )
        if not roles:
            raise ValidationError({"user": _("Välj en handläggare eller chef i kommunen.")})
        if case.unit_id in roles:
            raise ValidationError({"user": _("Kollegan arbetar redan i ärendets enhet.")})
        if CaseShare.objects.filter(case=case, user=user, ended_at__isnull=True).exists():
            raise IllegalTransition(_("Ärendet är redan delat med kollegan."))
        share = CaseShare(
            municipality=tenant.municipality, case=case, user=user, reason=reason, shared_by=tenant.user
        )
        _validated(share)
        share.save()
        _audit(tenant, Action.CREATE, share, case, shared_with=user.pk)
    return share


def end_case_share(*, tenant: Tenant, share: CaseShare) -> CaseShare:
    with transaction.atomic():
        locked(share)
        _require(can_share_case(tenant, share.case) or share.user_id == tenant.user.pk)
        if share.ended_at is not None:
            raise IllegalTransition(_("Delningen är redan avslutad."))
        share.ended_at = timezone.now()
        share.ended_by = tenant.user
        share.save(update_fields=["ended_at", "ended_by", "updated_at"])
        _audit(tenant, Action.UPDATE, share, share.case, fields=["ended_at"], shared_with=share.user_id)
    return share


# ---------------------------------------------------------------------------
# Applications and consent (SoL 21 kap. 1 §)
# ---------------------------------------------------------------------------
APPLICATION_FIELDS = (
    "received_on",
    "form",
    "applicant",
    "support_kind",
    "description",
    "child_consent_reason",
)


def register_application(
    *, tenant: Tenant, case: Case, data: dict[str, Any], source: str = "staff"
) -> Application:
    _require(can_work_on_case(tenant, case))
    application = Application(municipality=case.municipality, case=case, source=source)
    _fields(application, data, APPLICATION_FIELDS)
    age = _age(case.client, application.received_on)
    if application.applicant == Application.Applicant.YOUTH_SELF and age is not None and age < 15:
        raise ValidationError({"applicant": _("Ett barn under 15 år ansöker genom sina vårdnadshavare.")})
    if application.applicant == Application.Applicant.ADULT_SELF and age is not None and age < 18:
        raise ValidationError({"applicant": _("Klienten är inte vuxen: välj vårdnadshavare eller ungdom.")})
    with transaction.atomic():
        _validated(application)
        application.save()
        _audit(tenant, Action.CREATE, application, case)
    return application


def _age(person: Person, on: datetime.date | None) -> int | None:
    if on is None or person.birth_date is None:
        return None
    from bredvid.casework.consent import age_on

    return age_on(person.birth_date, on)


def record_consent(
    *,
    tenant: Tenant,
    application: Application,
    giver: str,
    given_on: datetime.date,
    guardian: Person | None = None,
    note: str = "",
) -> Consent:
    with transaction.atomic():
        locked(application)  # consents to one application are recorded one at a time
        case = application.case
        _require(can_work_on_case(tenant, case))
        if giver == Consent.Giver.GUARDIAN:
            is_guardian = (
                guardian is not None
                and Guardianship.objects.filter(
                    child=case.client, guardian=guardian, ended_on__isnull=True
                ).exists()
            )
            if not is_guardian:
                raise ValidationError({"guardian": _("Välj en av barnets registrerade vårdnadshavare.")})
        consent = Consent(
            municipality=case.municipality,
            case=case,
            application=application,
            giver=giver,
            guardian=guardian if giver == Consent.Giver.GUARDIAN else None,
            given_on=given_on,
            note=note,
        )
        _validated(consent)
        consent.save()
        _audit(tenant, Action.CREATE, consent, case, giver=giver)
    return consent


def application_consent(application: Application, on: datetime.date | None = None) -> ConsentFindings:
    client = application.case.client
    guardian_ids = set(
        Guardianship.objects.filter(child=client, ended_on__isnull=True).values_list("guardian_id", flat=True)
    )
    consents = list(application.consents.all())
    return consent_findings(
        birth_date=client.birth_date,
        on=on or application.received_on,
        guardian_ids=guardian_ids,  # type: ignore[arg-type]
        consenting_guardian_ids={c.guardian_id for c in consents if c.guardian_id},  # type: ignore[misc]
        child_consented=any(c.giver == Consent.Giver.CHILD for c in consents),
        child_consent_reason=application.child_consent_reason,
    )


# ---------------------------------------------------------------------------
# Concern reports (SoL 20 kap. 1–2 §§)
# ---------------------------------------------------------------------------
CONCERN_FIELDS = ("received_at", "reporter", "reporter_name", "content")


def register_concern_report(*, tenant: Tenant, case: Case, data: dict[str, Any]) -> ConcernReport:
    _require(can_work_on_case(tenant, case))
    report = ConcernReport(municipality=case.municipality, case=case)
    _fields(report, data, CONCERN_FIELDS)
    with transaction.atomic():
        _validated(report)
        report.save()
        _audit(tenant, Action.CREATE, report, case)
    return report


def record_protection_assessment(
    *, tenant: Tenant, report: ConcernReport, assessed_at: datetime.datetime, assessment: str, immediate: bool
) -> ConcernReport:
    require_dates(ConcernReport, protection_assessed_at=assessed_at)
    with transaction.atomic():
        locked(report)
        _require(can_work_on_case(tenant, report.case))
        if report.protection_assessed_at is not None:
            raise IllegalTransition(_("Skyddsbedömningen är redan gjord."))
        if assessed_at < report.received_at:
            raise ValidationError(
                {"protection_assessed_at": _("Skyddsbedömningen kan inte göras före anmälan.")}
            )
        if not assessment.strip():
            raise ValidationError({"protection_assessment": _("Beskriv skyddsbedömningen.")})
        report.protection_assessed_at = assessed_at
        report.protection_assessment = assessment
        report.immediate_protection_needed = immediate
        report.save()
        _audit(tenant, Action.UPDATE, report, report.case, fields=["protection_assessment"])
    return report


def record_preliminary_assessment(
    *, tenant: Tenant, report: ConcernReport, decided_on: datetime.date, outcome: str, reasons: str
) -> Investigation | None:
    """Decide whether to open an investigation; opens it at once when the answer is yes."""
    require_dates(ConcernReport, preliminary_decided_on=decided_on)
    with transaction.atomic():
        locked(report.case)  # an investigation may be opened: the case first, as start_investigation
        locked(report)
        case = report.case
        _require(can_work_on_case(tenant, case))
        if report.preliminary_decided_on is not None:
            raise IllegalTransition(_("Förhandsbedömningen är redan beslutad."))
        if report.protection_assessed_at is None:
            raise IllegalTransition(_("Gör skyddsbedömningen först."))
        received_on = as_date(report.received_at)  # None for a stored time the zone cannot convert
        if received_on is not None and decided_on < received_on:
            raise ValidationError({"preliminary_decided_on": _("Datumet ligger före anmälan.")})
        if not reasons.strip():
            raise ValidationError({"preliminary_reasons": _("Ange skälen till bedömningen.")})
        report.preliminary_decided_on = decided_on
        report.preliminary_outcome = outcome
        report.preliminary_reasons = reasons
        _validated(report)
        report.save()
        _audit(tenant, Action.UPDATE, report, case, fields=["preliminary_outcome"])
        if outcome == ConcernReport.Outcome.INVESTIGATE:
            return start_investigation(tenant=tenant, case=case, started_on=decided_on, concern_report=report)
    return None


# ---------------------------------------------------------------------------
# Investigations (SoL 20 kap. 3 §, BBIC)
# ---------------------------------------------------------------------------
BBIC_FIELDS = ("child_needs", "parents_capacity", "family_environment", "child_view")


def start_investigation(
    *,
    tenant: Tenant,
    case: Case,
    started_on: datetime.date,
    concern_report: ConcernReport | None = None,
    application: Application | None = None,
) -> Investigation:
    with transaction.atomic():
        locked(case)
        _require(can_work_on_case(tenant, case))
        _still_open(case)
        age = _age(case.client, started_on)
        investigation = Investigation(
            municipality=case.municipality,
            case=case,
            started_on=started_on,
            concern_report=concern_report,
            application=application,
            about_child=age is not None and age < 18,
        )
        _validated(investigation)
        investigation.save()
        _audit(tenant, Action.CREATE, investigation, case)
    return investigation


def update_investigation(
    *, tenant: Tenant, investigation: Investigation, data: dict[str, Any]
) -> Investigation:
    with transaction.atomic():
        locked(investigation)
        _require(can_work_on_case(tenant, investigation.case))
        if investigation.status != Investigation.Status.OPEN:
            raise IllegalTransition(_("Utredningen är avslutad."))
        _fields(investigation, data, BBIC_FIELDS)
        _validated(investigation)
        investigation.save()
        _audit(tenant, Action.UPDATE, investigation, investigation.case, fields=sorted(data))
    return investigation


def extend_investigation(
    *,
    tenant: Tenant,
    investigation: Investigation,
    until: datetime.date,
    reason: str,
    decided_on: datetime.date,
) -> InvestigationExtension:
    if until <= decided_on:
        raise ValidationError({"until": _("Den nya tidpunkten måste ligga efter beslutsdatumet.")})
    if not reason.strip():
        raise ValidationError({"reason": _("Ange de särskilda skälen till förlängningen.")})
    with transaction.atomic():
        locked(investigation)
        case = investigation.case
        _require(can_extend_investigation(tenant, case))
        if investigation.status != Investigation.Status.OPEN:
            raise IllegalTransition(_("Utredningen är avslutad."))
        extension = InvestigationExtension(
            municipality=case.municipality,
            case=case,
            investigation=investigation,
            until=until,
            reason=reason,
            decided_by=tenant.user,
            decided_on=decided_on,
        )
        _validated(extension)
        extension.save()
        _audit(tenant, Action.CREATE, extension, case, until=until.isoformat())
    return extension


def conclude_investigation(
    *, tenant: Tenant, investigation: Investigation, concluded_on: datetime.date, conclusion: str
) -> Investigation:
    require_dates(Investigation, concluded_on=concluded_on)
    with transaction.atomic():
        locked(investigation)
        _require(can_work_on_case(tenant, investigation.case))
        if investigation.status != Investigation.Status.OPEN:
            raise IllegalTransition(_("Utredningen är redan avslutad."))
        if concluded_on < investigation.started_on:
            raise ValidationError({"concluded_on": _("Utredningen kan inte avslutas före den inleddes.")})
        if not conclusion.strip():
            raise ValidationError({"conclusion": _("Skriv utredningens slutsats.")})
        investigation.status = Investigation.Status.CONCLUDED
        investigation.concluded_on = concluded_on
        investigation.conclusion = conclusion
        investigation.save()
        _audit(tenant, Action.UPDATE, investigation, investigation.case, fields=["status", "conclusion"])
    return investigation


def start_follow_up(
    *, tenant: Tenant, investigation: Investigation, started_on: datetime.date, notes: str = ""
) -> FollowUp:
    with transaction.atomic():
        locked(investigation)
        case = investigation.case
        _require(can_work_on_case(tenant, case))
        if investigation.status != Investigation.Status.CONCLUDED:
            raise IllegalTransition(_("Uppföljning enligt 23 kap. 5 § görs efter en avslutad utredning."))
        follow_up = FollowUp(
            municipality=case.municipality,
            case=case,
            investigation=investigation,
            started_on=started_on,
            notes=notes,
        )
        _validated(follow_up)
        follow_up.save()
        _audit(tenant, Action.CREATE, follow_up, case)
    return follow_up


def end_follow_up(
    *, tenant: Tenant, follow_up: FollowUp, ended_on: datetime.date, notes: str = ""
) -> FollowUp:
    require_dates(FollowUp, ended_on=ended_on)
    with transaction.atomic():
        locked(follow_up)
        _require(can_work_on_case(tenant, follow_up.case))
        if follow_up.ended_on is not None:
            raise IllegalTransition(_("Uppföljningen är redan avslutad."))
        follow_up.ended_on = ended_on
        if notes:
            follow_up.notes = notes
        follow_up.save()
        _audit(tenant, Action.UPDATE, follow_up, follow_up.case, fields=["ended_on"])
    return follow_up


# ---------------------------------------------------------------------------
# Decisions and interventions
# ---------------------------------------------------------------------------
DECISION_FIELDS = (
    "investigation",
    "outcome",
    "legal_basis",
    "support_kind",
    "scope_amount",
    "scope_unit",
    "period_start",
    "period_end",
    "reasons",
)


def propose_decision(*, tenant: Tenant, case: Case, data: dict[str, Any]) -> Decision:
    _require(can_work_on_case(tenant, case))
    decision = Decision(municipality=case.municipality, case=case, proposed_by=tenant.user)
    _fields(decision, data, DECISION_FIELDS)
    errors: dict[str, str] = {}
    if decision.period_end and decision.period_start and decision.period_end < decision.period_start:
        errors["period_end"] = _("Slutdatumet ligger före startdatumet.")
    if decision.outcome != Decision.Outcome.REFUSED and not decision.scope_unit:
        errors["scope_unit"] = _("Ange insatsens omfattning.")
    if decision.investigation is not None and decision.investigation.case_id != case.pk:
        errors["investigation"] = _("Utredningen hör till ett annat ärende.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked(case)
        _require(can_work_on_case(tenant, case))
        _still_open(case)
        _validated(decision)
        decision.save()
        _audit(tenant, Action.CREATE, decision, case)
    return decision


def decide(*, tenant: Tenant, decision: Decision, decided_on: datetime.date) -> Decision:
    """Make the proposed decision; a granted one creates its intervention, waiting for execution."""
    require_dates(Decision, decided_on=decided_on)
    with transaction.atomic():
        locked(decision.case)  # a granted decision adds an intervention: close_case must wait
        locked(decision)
        _require(can_decide(tenant, decision))
        _still_open(decision.case)  # closed while the decision waited: nothing may be added
        if decision.status != Decision.Status.PROPOSED:
            raise IllegalTransition(_("Beslutet är redan fattat."))
        decision.status = Decision.Status.DECIDED
        decision.decided_by = tenant.user
        decision.decided_on = decided_on
        decision.save()
        _audit(tenant, Action.UPDATE, decision, decision.case, fields=["status"], outcome=decision.outcome)
        if decision.outcome != Decision.Outcome.REFUSED:
            intervention = Intervention.objects.create(
                municipality=decision.municipality,
                case=decision.case,
                decision=decision,
                support_kind=decision.support_kind,
            )
            _audit(tenant, Action.CREATE, intervention, decision.case)
    return decision


def execute_intervention(
    *, tenant: Tenant, intervention: Intervention, executed_on: datetime.date
) -> Intervention:
    """Verkställ: the support has started (later set by the assignment that carries it out)."""
    require_dates(Intervention, executed_on=executed_on)
    with transaction.atomic():
        locked(intervention)
        _require(can_work_on_case(tenant, intervention.case))
        if intervention.status != Intervention.Status.PENDING:
            raise IllegalTransition(_("Insatsen är redan verkställd."))
        if intervention.decision.decided_on and executed_on < intervention.decision.decided_on:
            raise ValidationError({"executed_on": _("Insatsen kan inte verkställas före beslutet.")})
        intervention.status = Intervention.Status.ACTIVE
        intervention.executed_on = executed_on
        intervention.save()
        _audit(tenant, Action.UPDATE, intervention, intervention.case, fields=["status", "executed_on"])
    return intervention


def execute_by_assignment(
    *, tenant: Tenant, intervention: Intervention, executed_on: datetime.date, assignment_id: Any
) -> Intervention:
    """Verkställ because an assignment carries the intervention out from `executed_on`.

    Called only by `assignments.services.create_assignment` inside its transaction: the family-care
    officer who confirms the assignment executes the caseworker's intervention (the permission is
    matching's: `can_match`, checked by `confirm_offer`)."""
    with transaction.atomic():
        locked(intervention)
        if intervention.status != Intervention.Status.PENDING:
            raise IllegalTransition(_("Insatsen är redan verkställd."))
        if intervention.decision.decided_on and executed_on < intervention.decision.decided_on:
            raise ValidationError({"start_on": _("Uppdraget kan inte börja före beslutet.")})
        intervention.status = Intervention.Status.ACTIVE
        intervention.executed_on = executed_on
        intervention.save()
        _audit(
            tenant,
            Action.UPDATE,
            intervention,
            intervention.case,
            fields=["status", "executed_on"],
            assignment=str(assignment_id),
        )
    return intervention


def record_delay_reason(*, tenant: Tenant, intervention: Intervention, reason: str) -> Intervention:
    """Why a granted decision is not yet executed (reported to IVO, SoL 34 kap. 1 §)."""
    if not reason.strip():
        raise ValidationError({"reason": _("Beskriv skälet till dröjsmålet.")})
    with transaction.atomic():
        locked(intervention)
        _require(can_work_on_case(tenant, intervention.case))
        if intervention.status == Intervention.Status.ENDED:
            raise IllegalTransition(_("Insatsen är avslutad."))
        intervention.delay_reason = reason
        intervention.save()
        _audit(tenant, Action.UPDATE, intervention, intervention.case, fields=["delay_reason"])
    return intervention


def pause_intervention(
    *,
    tenant: Tenant,
    intervention: Intervention,
    paused_on: datetime.date,
    reason: str,
    planned_resume_on: datetime.date | None = None,
) -> InterventionPause:
    if not reason.strip():
        raise ValidationError({"reason": _("Ange skälet till uppehållet.")})
    with transaction.atomic():
        locked(intervention)
        _require(can_work_on_case(tenant, intervention.case))
        if intervention.status != Intervention.Status.ACTIVE:
            raise IllegalTransition(_("Bara en pågående insats kan göras vilande."))
        if intervention.executed_on and paused_on < intervention.executed_on:
            raise ValidationError({"paused_on": _("Datumet ligger före verkställigheten.")})
        pause = InterventionPause(
            municipality=intervention.municipality,
            case=intervention.case,
            intervention=intervention,
            paused_on=paused_on,
            reason=reason,
            planned_resume_on=planned_resume_on,
        )
        _validated(pause)
        pause.save()
        intervention.status = Intervention.Status.PAUSED
        intervention.save()
        _audit(
            tenant,
            Action.UPDATE,
            intervention,
            intervention.case,
            fields=["status"],
            paused_on=str(paused_on),
        )
    return pause


def resume_intervention(
    *, tenant: Tenant, intervention: Intervention, resumed_on: datetime.date
) -> Intervention:
    require_dates(InterventionPause, resumed_on=resumed_on)
    with transaction.atomic():
        locked(intervention)
        _require(can_work_on_case(tenant, intervention.case))
        if intervention.status != Intervention.Status.PAUSED:
            raise IllegalTransition(_("Insatsen är inte vilande."))
        pause = intervention.pauses.filter(resumed_on__isnull=True).order_by("-paused_on").first()
        if pause is None or resumed_on < pause.paused_on:
            raise ValidationError({"resumed_on": _("Datumet ligger före uppehållet.")})
        pause.resumed_on = resumed_on
        pause.save()
        intervention.status = Intervention.Status.ACTIVE
        intervention.save()
        _audit(
            tenant,
            Action.UPDATE,
            intervention,
            intervention.case,
            fields=["status"],
            resumed_on=str(resumed_on),
        )
    return intervention


def end_intervention(
    *, tenant: Tenant, intervention: Intervention, ended_on: datetime.date, reason: str
) -> Intervention:
    if not reason.strip():
        raise ValidationError({"end_reason": _("Ange skälet till att insatsen avslutas.")})
    require_dates(Intervention, ended_on=ended_on)
    with transaction.atomic():
        locked(intervention)
        _require(can_work_on_case(tenant, intervention.case))
        if intervention.status == Intervention.Status.ENDED:
            raise IllegalTransition(_("Insatsen är redan avslutad."))
        intervention.status = Intervention.Status.ENDED
        intervention.ended_on = ended_on
        intervention.end_reason = reason
        intervention.save()
        _audit(tenant, Action.UPDATE, intervention, intervention.case, fields=["status", "ended_on"])
    return intervention


PLAN_FIELDS = (
    "kind",
    "version_on",
    "goals",
    "actions",
    "follow_up",
    "next_follow_up_on",
    "contact_arrangements",
    "child_view",
    "guardians_view",
)


def save_plan(*, tenant: Tenant, intervention: Intervention, data: dict[str, Any]) -> Plan:
    """Every save is a new dated version; earlier versions stay as they were."""
    _require(can_work_on_case(tenant, intervention.case))
    plan = Plan(municipality=intervention.municipality, case=intervention.case, intervention=intervention)
    plan.author = tenant.user
    _fields(plan, data, PLAN_FIELDS)
    if plan.kind == Plan.Kind.CARE_PLAN and not intervention.is_placement:
        raise ValidationError({"kind": _("Vårdplan upprättas för placeringar i familjehem eller jourhem.")})
    with transaction.atomic():
        _validated(plan)
        plan.save()
        _audit(tenant, Action.CREATE, plan, intervention.case, kind=plan.kind)
    return plan


def record_placement_event(
    *,
    tenant: Tenant,
    intervention: Intervention,
    kind: str,
    occurred_on: datetime.date,
    private_talk: bool = False,
    notes: str = "",
) -> PlacementEvent:
    with transaction.atomic():
        locked(intervention)
        _require(can_work_on_case(tenant, intervention.case))
        if not intervention.is_placement:
            raise IllegalTransition(_("Övervägande och besök registreras för placeringar."))
        if intervention.status in (Intervention.Status.PENDING,):
            raise IllegalTransition(_("Placeringen har inte börjat."))
        event = PlacementEvent(
            municipality=intervention.municipality,
            case=intervention.case,
            intervention=intervention,
            kind=kind,
            occurred_on=occurred_on,
            private_talk=private_talk,
            notes=notes,
            recorded_by=tenant.user,
        )
        _validated(event)
        event.save()
        _audit(tenant, Action.CREATE, event, intervention.case, kind=kind)
    return event


# ---------------------------------------------------------------------------
# Journal (SoL 14 kap. 3–7 §§): signed entries never change
# ---------------------------------------------------------------------------
JOURNAL_FIELDS = ("occurred_on", "title", "text")


def write_journal_entry(
    *, tenant: Tenant, case: Case, data: dict[str, Any], corrects: JournalEntry | None = None
) -> JournalEntry:
    _require(can_work_on_case(tenant, case))
    if corrects is not None and (
        corrects.case_id != case.pk or corrects.status != JournalEntry.Status.SIGNED
    ):
        raise ValidationError({"corrects": _("Bara signerade anteckningar i samma ärende kan rättas.")})
    entry = JournalEntry(municipality=case.municipality, case=case, author=tenant.user, corrects=corrects)
    _fields(entry, data, JOURNAL_FIELDS)
    with transaction.atomic():
        _validated(entry)
        entry.save()
        _audit(tenant, Action.CREATE, entry, case, corrects=str(corrects.pk) if corrects else "")
    return entry


def edit_journal_draft(*, tenant: Tenant, entry: JournalEntry, data: dict[str, Any]) -> JournalEntry:
    with transaction.atomic():
        locked(entry)
        _require(can_sign_entry(tenant, entry))
        if entry.status == JournalEntry.Status.SIGNED:
            raise SignedEntryImmutable
        _fields(entry, data, JOURNAL_FIELDS)
        _validated(entry)
        entry.save()
        _audit(tenant, Action.UPDATE, entry, entry.case, fields=sorted(data))
    return entry


def sign_journal_entry(*, tenant: Tenant, entry: JournalEntry) -> JournalEntry:
    with transaction.atomic():
        locked(entry)
        _require(can_sign_entry(tenant, entry))
        if entry.status == JournalEntry.Status.SIGNED:
            raise IllegalTransition(_("Anteckningen är redan signerad."))
        entry.status = JournalEntry.Status.SIGNED
        entry.signed_at = timezone.now()
        entry.save()
        # the SHA-256 of the signed content as stored; verify_audit_chain recomputes it (ADR 0008)
        content = signed_content_detail(entry)
        _audit(tenant, Action.UPDATE, entry, entry.case, fields=["status"], signed=True, **content)
    return entry


# ---------------------------------------------------------------------------
# The quarterly IVO report (SoL 34 kap. 1–3 §§)
# ---------------------------------------------------------------------------
def file_ivo_report(*, tenant: Tenant, year: int, quarter: int) -> IvoReport:
    """Stores the quarter's report as filed (a snapshot: later changes to cases do not alter it)."""
    from bredvid.casework.ivo import build_report, quarter_bounds

    _require(can_report_to_ivo(tenant))
    if quarter_bounds(year, quarter)[1] >= timezone.localdate():
        raise IllegalTransition(_("Kvartalet är inte slut än."))
    with transaction.atomic():
        # the municipality's row is the lock: one filing per quarter even when two managers press at once
        Municipality.objects.select_for_update().filter(pk=tenant.municipality.pk).first()
        if IvoReport.objects.visible_to(tenant).filter(year=year, quarter=quarter).exists():
            raise IllegalTransition(_("Rapporten för kvartalet är redan inlämnad."))
        report = build_report(tenant.municipality, year, quarter)
        stored = IvoReport.objects.create(
            municipality=tenant.municipality, year=year, quarter=quarter, filed_by=tenant.user, **report
        )
        record(action=Action.CREATE, tenant=tenant, obj=stored, detail={"rows": len(report["rows"])})
    return stored
