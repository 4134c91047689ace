"""Assignments and what is recorded on them: terms, the end, reports, supervision notes.

An assignment is created only by `matching.services.confirm_offer` (which holds the locks, see
`create_assignment`). Every other change is a service here: permission, lock, state guard, audit
event and (for terms and the end) a row of the assignment's history, all in one transaction.

Reports are written by staff now and by the supporters' e-service later: the services take the
`channel` and ask `perms.can_write_report(tenant, channel)`, so the e-service calls the same code.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bredvid.assignments.models import Assignment, AssignmentChange, Report, ScopeUnit, Supervision
from bredvid.assignments.perms import can_decide_report, can_manage_assignments, can_write_report
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework import services as casework_services
from bredvid.core.date_bounds import require as require_dates
from bredvid.core.errors import IllegalTransition
from bredvid.core.locking import locked
from bredvid.supporters.models import SupporterProfile
from bredvid.supporters.services import ensure_assignable

if TYPE_CHECKING:
    from bredvid.casework.models import Intervention
    from bredvid.matching.models import Offer, SupportRequest
    from bredvid.supporters.models import Supporter
    from bredvid.tenancy.context import Tenant


def places_used(supporter: Supporter, support_kind: str) -> int:
    used = Assignment.objects.filter(
        supporter=supporter, support_kind=support_kind, status=Assignment.Status.ACTIVE
    ).aggregate(n=Sum("children"))["n"]
    return int(used or 0)


def create_assignment(
    *,
    tenant: Tenant,
    supporter: Supporter,
    support_request: SupportRequest,
    interventions: Sequence[Intervention],
    offer: Offer | None,
    start_on: datetime.date,
) -> Assignment:
    """Must run inside a transaction that has locked `support_request` and `supporter` rows (the
    permission is matching's, checked by `confirm_offer`); a savepoint of its own keeps it whole."""
    with transaction.atomic():
        kind = support_request.support_kind
        ensure_assignable(supporter, kind, start_on)
        profile = SupporterProfile.objects.filter(supporter=supporter, support_kind=kind).first()
        if profile is None:
            raise IllegalTransition(_("Uppdragstagaren har ingen profil för uppdraget."))
        children = len(interventions)
        if places_used(supporter, kind) + children > profile.children_at_once:
            raise IllegalTransition(_("Hemmet har inte plats för fler barn i det här uppdraget."))
        assignment = Assignment.objects.create(
            municipality=support_request.municipality,
            supporter=supporter,
            intervention=interventions[0],
            request=support_request,
            offer=offer,
            support_kind=kind,
            children=children,
            start_on=start_on,
            created_by=tenant.user,
        )
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=assignment,
            person_id=support_request.case.client_id,
            subjects=[i.case.client_id for i in interventions[1:]],
            detail={"supporter": str(supporter.pk), "request": str(support_request.pk), "children": children},
        )
        for intervention in interventions:
            casework_services.execute_by_assignment(
                tenant=tenant, intervention=intervention, executed_on=start_on, assignment_id=assignment.pk
            )
        return assignment


# ---------------------------------------------------------------------------
# Terms and the end
# ---------------------------------------------------------------------------
#: The terms an officer sets on an assignment, in the order the history shows them.
TERMS = ("scope_unit", "planned_per_month", "fee_level", "allowance_level", "child_allowance_deduction")
MAX_PER_MONTH = Decimal("744")  # hours in 31 days: the most any unit can count in a month
MAX_DEDUCTION = Decimal("100000")


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _client_id(assignment: Assignment) -> Any:
    return assignment.intervention.case.client_id


def _stored(value: Any) -> str:
    """A value as the history shows it: numbers without trailing zeros (4, 2.5), nothing as ""."""
    if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
        return f"{Decimal(value).normalize():f}"
    return "" if value is None else str(value)


def _keep(
    tenant: Tenant, assignment: Assignment, kind: str, changes: dict[str, Any], detail: dict[str, Any]
) -> None:
    """The change in the assignment's history and in the audit log (inside the caller's transaction)."""
    AssignmentChange.objects.create(
        municipality=assignment.municipality,
        assignment=assignment,
        kind=kind,
        changes=changes,
        changed_by=tenant.user,
    )
    record(
        action=Action.UPDATE, tenant=tenant, obj=assignment, person_id=_client_id(assignment), detail=detail
    )


def _check_terms(values: dict[str, Any]) -> dict[str, Any]:
    unit = values["scope_unit"] or ""
    per_month = values["planned_per_month"]
    errors: dict[str, str] = {}
    if unit and unit not in ScopeUnit.values:
        errors["scope_unit"] = _("Välj vad omfattningen avser.")
    if unit == ScopeUnit.PLACEMENT:
        per_month = None  # a placement is full time: nothing to count per month
    elif unit and per_month is None:
        errors["planned_per_month"] = _("Ange den planerade omfattningen per månad.")
    elif per_month is not None and not unit:
        errors["scope_unit"] = _("Välj vad omfattningen avser.")
    elif per_month is not None and not (Decimal("0.5") <= per_month <= MAX_PER_MONTH):
        errors["planned_per_month"] = _("Ange en omfattning mellan 0,5 och 744 per månad.")
    deduction = values["child_allowance_deduction"] or Decimal(0)
    if not (0 <= deduction < MAX_DEDUCTION):
        errors["child_allowance_deduction"] = _("Ange ett avdrag mellan 0 och 99 999 kr.")
    if errors:
        raise ValidationError(errors)
    return {
        "scope_unit": unit,
        "planned_per_month": per_month,
        "fee_level": (values["fee_level"] or "").strip(),
        "allowance_level": (values["allowance_level"] or "").strip(),
        "child_allowance_deduction": deduction,
    }


def change_terms(
    *,
    tenant: Tenant,
    assignment: Assignment,
    scope_unit: str,
    planned_per_month: Decimal | None,
    fee_level: str,
    allowance_level: str,
    child_allowance_deduction: Decimal | None = None,
) -> Assignment:
    """Set or change the planned scope and the fee and allowance levels; the change is kept in the
    assignment's history (before and after, who, when) and in the audit log."""
    _require(can_manage_assignments(tenant))
    values = _check_terms(
        {
            "scope_unit": scope_unit,
            "planned_per_month": planned_per_month,
            "fee_level": fee_level,
            "allowance_level": allowance_level,
            "child_allowance_deduction": child_allowance_deduction,
        }
    )
    with transaction.atomic():
        locked(assignment)
        if assignment.status != Assignment.Status.ACTIVE:
            raise IllegalTransition(_("Ett avslutat uppdrag kan inte ändras."))
        changes = {
            name: {"before": _stored(getattr(assignment, name)), "after": _stored(value)}
            for name, value in values.items()
            if _stored(getattr(assignment, name)) != _stored(value)
        }
        if not changes:
            return assignment
        for name, value in values.items():
            setattr(assignment, name, value)
        assignment.full_clean(exclude=["municipality", "supporter", "intervention", "request", "offer"])
        assignment.save()
        _keep(
            tenant, assignment, AssignmentChange.Kind.TERMS, changes, {"change": "terms", "fields": changes}
        )
    return assignment


def end_assignment(
    *, tenant: Tenant, assignment: Assignment, end_on: datetime.date, end_reason: str
) -> Assignment:
    """End the assignment on `end_on` for `end_reason`. Reports up to the end date stay (and may
    still come in); none can be dated after it. The home's place is free from now on."""
    _require(can_manage_assignments(tenant))
    require_dates(Assignment, end_on=end_on)
    if end_reason not in Assignment.EndReason.values:
        raise ValidationError({"end_reason": _("Välj skälet till att uppdraget avslutas.")})
    with transaction.atomic():
        locked(assignment)
        if assignment.status != Assignment.Status.ACTIVE:
            raise IllegalTransition(_("Uppdraget är redan avslutat."))
        if end_on < assignment.start_on:
            raise ValidationError(
                {
                    "end_on": _("Slutdatum kan inte ligga före startdatum (%(d)s).")
                    % {"d": assignment.start_on}
                }
            )
        last = (
            assignment.reports.exclude(status=Report.Status.RETURNED)
            .order_by("-ends_on")
            .values_list("ends_on", flat=True)
            .first()
        )
        if last is not None and end_on < last:
            raise ValidationError(
                {
                    "end_on": _("Det finns en rapport till och med %(d)s: slutdatum kan inte ligga före den.")
                    % {"d": last}
                }
            )
        assignment.status = Assignment.Status.ENDED
        assignment.end_on = end_on
        assignment.end_reason = end_reason
        assignment.save()
        changes = {
            "end_on": {"before": "", "after": end_on.isoformat()},
            "end_reason": {"before": "", "after": end_reason},
        }
        detail = {"change": "ended", "end_on": end_on.isoformat(), "end_reason": end_reason}
        _keep(tenant, assignment, AssignmentChange.Kind.ENDED, changes, detail)
    return assignment


# ---------------------------------------------------------------------------
# Reports (träffrapport, vistelserapport)
# ---------------------------------------------------------------------------
REPORT_FIELDS = ("kind", "starts_on", "ends_on", "arrives_at", "departs_at", "hours", "activity", "note")
MIN_HOURS, MAX_HOURS = Decimal("0.5"), Decimal("24")


def _span(starts_on: datetime.date, ends_on: datetime.date, arrives: Any, departs: Any) -> Any:
    begin = datetime.datetime.combine(starts_on, arrives or datetime.time.min)
    end = datetime.datetime.combine(ends_on, departs or datetime.time.max)
    return begin, end


def _clean_report(assignment: Assignment, data: dict[str, Any], *, report: Report | None) -> dict[str, Any]:
    """The report's values when they follow the rules; else a ValidationError naming each field."""
    values: dict[str, Any] = {name: data.get(name) for name in REPORT_FIELDS}
    kind = values["kind"]
    if kind not in Report.Kind.values:
        raise ValidationError({"kind": _("Välj träff eller vistelse.")})
    require_dates(Report, starts_on=values["starts_on"], ends_on=values["ends_on"] or values["starts_on"])
    errors: dict[str, str] = {}
    starts_on: datetime.date | None = values["starts_on"]
    if starts_on is None:
        raise ValidationError({"starts_on": _("Ange datum.")})
    values["activity"] = (values["activity"] or "").strip()
    values["note"] = (values["note"] or "").strip()
    if kind == Report.Kind.MEETING:
        values["ends_on"] = starts_on
        values["arrives_at"] = values["departs_at"] = None
        hours = values["hours"]
        if hours is None:
            errors["hours"] = _("Ange hur många timmar träffen varade.")
        elif not (MIN_HOURS <= hours <= MAX_HOURS):
            errors["hours"] = _("Ange mellan 0,5 och 24 timmar.")
    else:
        values["hours"] = None
        values["ends_on"] = values["ends_on"] or starts_on
        if values["arrives_at"] is None:
            errors["arrives_at"] = _("Ange när vistelsen började (ankomst).")
        if values["departs_at"] is None:
            errors["departs_at"] = _("Ange när vistelsen slutade (avresa).")
        if values["ends_on"] < starts_on:
            errors["ends_on"] = _("Slutdatum kan inte ligga före startdatum.")
        elif not errors and (values["ends_on"], values["departs_at"]) <= (starts_on, values["arrives_at"]):
            errors["departs_at"] = _("Avresan måste ligga efter ankomsten.")
    ends_on: datetime.date = values["ends_on"]
    if starts_on < assignment.start_on:
        errors.setdefault(
            "starts_on",
            _("Uppdraget började %(d)s: rapporten kan inte gälla tiden före.") % {"d": assignment.start_on},
        )
    if assignment.end_on is not None and ends_on > assignment.end_on:
        errors.setdefault(
            "ends_on" if kind == Report.Kind.STAY else "starts_on",
            _("Uppdraget slutade %(d)s: rapporten kan inte gälla tiden efter.") % {"d": assignment.end_on},
        )
    if ends_on > timezone.localdate():
        errors.setdefault(
            "ends_on" if kind == Report.Kind.STAY else "starts_on",
            _("Rapportera i efterhand: datumet kan inte ligga i framtiden."),
        )
    if errors:
        raise ValidationError(errors)
    if kind == Report.Kind.STAY:
        begin, end = _span(starts_on, ends_on, values["arrives_at"], values["departs_at"])
        others = assignment.reports.filter(
            kind=Report.Kind.STAY, starts_on__lte=ends_on, ends_on__gte=starts_on
        ).exclude(pk=getattr(report, "pk", None))
        for other in others:
            o_begin, o_end = _span(other.starts_on, other.ends_on, other.arrives_at, other.departs_at)
            if begin < o_end and o_begin < end:
                raise ValidationError(
                    {
                        "starts_on": _(
                            "Vistelsen överlappar en annan vistelse i uppdraget (%(from)s–%(to)s)."
                        )
                        % {"from": other.starts_on, "to": other.ends_on}
                    }
                )
    return values


def _audit_report(tenant: Tenant, action: str, report: Report, **detail: Any) -> None:
    record(
        action=action,
        tenant=tenant,
        obj=report,
        person_id=_client_id(report.assignment),
        detail={"assignment": str(report.assignment_id), "kind": report.kind, **detail},
    )


def create_report(
    *, tenant: Tenant, assignment: Assignment, data: dict[str, Any], channel: str = Report.Channel.STAFF
) -> Report:
    """A new report (a draft) on the assignment, entered through `channel`."""
    _require(can_write_report(tenant, channel))
    with transaction.atomic():
        locked(assignment)  # reports of one assignment are checked for overlap one at a time
        values = _clean_report(assignment, data, report=None)
        report = Report.objects.create(
            municipality=assignment.municipality,
            assignment=assignment,
            channel=channel,
            created_by=tenant.user,
            **values,
        )
        _audit_report(tenant, Action.CREATE, report, channel=channel)
    return report


def edit_report(
    *, tenant: Tenant, report: Report, data: dict[str, Any], channel: str = Report.Channel.STAFF
) -> Report:
    """Change a draft or a returned report. Submitted and approved reports are never edited."""
    _require(can_write_report(tenant, channel))
    with transaction.atomic():
        locked(report.assignment)
        locked(report)
        if report.status not in (Report.Status.DRAFT, Report.Status.RETURNED):
            raise IllegalTransition(_("Bara ett utkast eller en återskickad rapport kan ändras."))
        values = _clean_report(report.assignment, data, report=report)
        changed = [name for name, value in values.items() if getattr(report, name) != value]
        for name, value in values.items():
            setattr(report, name, value)
        report.save()
        _audit_report(tenant, Action.UPDATE, report, change="edited", fields=changed)
    return report


def submit_report(*, tenant: Tenant, report: Report, channel: str = Report.Channel.STAFF) -> Report:
    """Send a draft (or a corrected returned report) to the officer for approval."""
    _require(can_write_report(tenant, channel))
    with transaction.atomic():
        locked(report)
        if report.status not in (Report.Status.DRAFT, Report.Status.RETURNED):
            raise IllegalTransition(_("Rapporten är redan inskickad."))
        report.status = Report.Status.SUBMITTED
        report.submitted_at = timezone.now()
        report.save()
        _audit_report(tenant, Action.UPDATE, report, change="submitted", channel=channel)
    return report


def approve_report(*, tenant: Tenant, report: Report) -> Report:
    """Approve a submitted report: from now on it is locked and counts in the payment run."""
    _require(can_decide_report(tenant))
    with transaction.atomic():
        locked(report)
        if report.status != Report.Status.SUBMITTED:
            raise IllegalTransition(_("Bara en inskickad rapport kan godkännas."))
        report.status = Report.Status.APPROVED
        report.decided_by = tenant.user
        report.decided_at = timezone.now()
        report.save()
        _audit_report(tenant, Action.UPDATE, report, change="approved")
    return report


def return_report(*, tenant: Tenant, report: Report, comment: str) -> Report:
    """Send a submitted report back with a comment saying what to correct."""
    _require(can_decide_report(tenant))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Skriv vad som behöver rättas.")})
    with transaction.atomic():
        locked(report)
        if report.status != Report.Status.SUBMITTED:
            raise IllegalTransition(_("Bara en inskickad rapport kan skickas tillbaka."))
        report.status = Report.Status.RETURNED
        report.comment = comment
        report.decided_by = tenant.user
        report.decided_at = timezone.now()
        report.save()
        _audit_report(tenant, Action.UPDATE, report, change="returned")
    return report


# ---------------------------------------------------------------------------
# Supervision (handledning)
# ---------------------------------------------------------------------------
def add_supervision(
    *, tenant: Tenant, assignment: Assignment, held_on: datetime.date, form: str, text: str
) -> Supervision:
    """A dated supervision note by the officer. Notes are never edited: a correction is a new note."""
    _require(can_manage_assignments(tenant))
    require_dates(Supervision, held_on=held_on)
    text = (text or "").strip()
    errors = {}
    if not text:
        errors["text"] = _("Skriv en anteckning.")
    if form not in Supervision.Form.values:
        errors["form"] = _("Välj hur handledningen gick till.")
    if held_on < assignment.start_on:
        errors["held_on"] = _("Uppdraget började %(d)s: datumet kan inte ligga före.") % {
            "d": assignment.start_on
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked(assignment)
        note = Supervision.objects.create(
            municipality=assignment.municipality,
            assignment=assignment,
            held_on=held_on,
            form=form,
            text=text,
            written_by=tenant.user,
        )
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=note,
            person_id=_client_id(assignment),
            detail={"assignment": str(assignment.pk), "held_on": held_on.isoformat()},
        )
    return note
