"""Casework routes of API v1: scoped to the token's municipality and units, audited like the pages."""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from bredvid.api.pagination import Listed, paged
from bredvid.api.schemas import (
    CHANGE_ERRORS,
    ERRORS,
    STATE_ERRORS,
    Clean,
    IsoDate,
    IsoDateTime,
    OneOf,
    Strict,
    SupportKind,
)
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework import services
from bredvid.casework.models import (
    Application,
    Case,
    ConcernReport,
    Decision,
    Intervention,
    Investigation,
    JournalEntry,
)
from bredvid.casework.perms import can_read_cases
from bredvid.deadlines.perms import can_see_case_deadlines
from bredvid.deadlines.queries import Scope, obligations_for
from bredvid.deadlines.rules import Kind as ObligationKind
from bredvid.deadlines.rules import Obligation
from bredvid.deadlines.rules import Status as ObligationStatus
from bredvid.tenancy.context import Tenant


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.auth  # type: ignore[attr-defined]
    if not can_read_cases(tenant):
        raise PermissionDenied
    return tenant


class Listing(Clean):
    case_id: uuid.UUID = None  # type: ignore[assignment]


def _list(tenant: Tenant, qs: QuerySet[Any], params: Listing, object_type: str) -> Listed:
    if params.case_id is not None:
        qs = qs.filter(case_id=params.case_id)

    def audit(rows: list[Any], page: int) -> None:
        record(
            action=Action.SEARCH,
            tenant=tenant,
            object_type=object_type,
            subjects=sorted({r.case.client_id for r in rows}, key=str),
            detail={"case_id": str(params.case_id or ""), "page": page, "count": len(rows)},
        )

    # the model's order, then the id: pages never overlap
    return Listed(qs.select_related("case").order_by(*qs.model._meta.ordering, "pk"), audit)


def _case(tenant: Tenant, case_id: uuid.UUID) -> Case:
    return get_object_or_404(Case.objects.visible_to(tenant), pk=case_id)


class CaseRef(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    created_at: datetime.datetime


Form = Annotated[str, OneOf(Application.Form)]
Applicant = Annotated[str, OneOf(Application.Applicant)]
Reporter = Annotated[str, OneOf(ConcernReport.Reporter)]
Outcome = Annotated[str, OneOf(Decision.Outcome)]
LegalBasis = Annotated[str, OneOf(Decision.LegalBasis)]
ScopeUnit = Annotated[str, OneOf(Decision.ScopeUnit, blank=True)]


class ApplicationOut(CaseRef):
    received_on: datetime.date
    form: Form
    applicant: Applicant
    support_kind: SupportKind
    description: str
    source: Annotated[str, OneOf(Application.Source)]


class ApplicationIn(Strict):
    case_id: uuid.UUID
    received_on: IsoDate
    form: Form
    applicant: Applicant
    support_kind: SupportKind
    description: str = Field("", max_length=10_000)
    child_consent_reason: str = Field("", max_length=10_000)


class ConcernReportOut(CaseRef):
    received_at: datetime.datetime
    reporter: Reporter
    protection_assessed_at: datetime.datetime | None
    preliminary_decided_on: datetime.date | None
    preliminary_outcome: Annotated[str, OneOf(ConcernReport.Outcome, blank=True)]


class ConcernReportIn(Strict):
    case_id: uuid.UUID
    received_at: IsoDateTime
    reporter: Reporter
    reporter_name: str = Field("", max_length=200)
    content: str = Field(min_length=1, max_length=20_000)


class InvestigationOut(CaseRef):
    status: Annotated[str, OneOf(Investigation.Status)]
    about_child: bool
    started_on: datetime.date
    concluded_on: datetime.date | None


class InvestigationIn(Strict):
    case_id: uuid.UUID
    started_on: IsoDate


class DecisionOut(CaseRef):
    status: Annotated[str, OneOf(Decision.Status)]
    outcome: Outcome
    legal_basis: LegalBasis
    support_kind: SupportKind
    scope_amount: Decimal | None
    scope_unit: ScopeUnit
    period_start: datetime.date
    period_end: datetime.date | None
    decided_on: datetime.date | None


class DecisionIn(Strict):
    case_id: uuid.UUID
    outcome: Outcome
    legal_basis: LegalBasis
    support_kind: SupportKind
    scope_amount: Decimal | None = Field(None, ge=0, max_digits=6, decimal_places=1)
    scope_unit: ScopeUnit = ""
    period_start: IsoDate
    period_end: IsoDate | None = None
    reasons: str = Field(min_length=1, max_length=20_000)


class InterventionOut(CaseRef):
    decision_id: uuid.UUID
    support_kind: SupportKind
    status: Annotated[str, OneOf(Intervention.Status)]
    executed_on: datetime.date | None
    ended_on: datetime.date | None


class JournalEntryOut(CaseRef):
    occurred_on: datetime.date
    title: str
    text: str
    status: Annotated[str, OneOf(JournalEntry.Status)]
    signed_at: datetime.datetime | None
    author_id: int
    corrects_id: uuid.UUID | None


class JournalEntryIn(Strict):
    case_id: uuid.UUID
    occurred_on: IsoDate
    title: str = Field(min_length=1, max_length=200)
    text: str = Field(min_length=1, max_length=50_000)
    corrects_id: uuid.UUID | None = None


class DeadlineParams(Clean):
    due_before: IsoDate = None  # type: ignore[assignment]
    mine: bool = False


class DeadlineOut(Schema):
    kind: Annotated[str, OneOf(ObligationKind)]
    case_id: uuid.UUID
    case_ref: str
    object_id: uuid.UUID
    due: datetime.date
    nominal_due: datetime.date
    legal_ref: str
    status: Annotated[str, OneOf(ObligationStatus)]


def build_router() -> Router:
    router = Router()

    def collection(path: str, model: type[Model], out: type[Schema], tag: str) -> None:
        @router.get(f"/{path}/", response={200: list[out], **ERRORS}, tags=[tag], summary=f"List {tag}")  # type: ignore[valid-type]
        @paged
        def listing(request: HttpRequest, params: Query[Listing]) -> Listed:
            tenant = _tenant(request)
            return _list(tenant, model.objects.visible_to(tenant), params, model._meta.label_lower)  # type: ignore[attr-defined]

        listing.__name__ = f"list_{path.replace('-', '_')}"

        @router.get(
            f"/{path}/{{object_id}}", response={200: out, **ERRORS}, tags=[tag], summary=f"One of {tag}"
        )
        def detail(request: HttpRequest, object_id: uuid.UUID) -> Any:
            tenant = _tenant(request)
            obj = get_object_or_404(model.objects.visible_to(tenant).select_related("case"), pk=object_id)  # type: ignore[attr-defined]
            record(action=Action.VIEW, tenant=tenant, obj=obj, person_id=obj.case.client_id)
            return obj

        detail.__name__ = f"get_{path.replace('-', '_')}"

    collection("applications", Application, ApplicationOut, "applications")
    collection("concern-reports", ConcernReport, ConcernReportOut, "concern reports")
    collection("investigations", Investigation, InvestigationOut, "investigations")
    collection("decisions", Decision, DecisionOut, "decisions")
    collection("interventions", Intervention, InterventionOut, "interventions")
    collection("journal-entries", JournalEntry, JournalEntryOut, "journal entries")

    @router.post("/applications/", response={201: ApplicationOut, **CHANGE_ERRORS}, tags=["applications"])
    def create_application(request: HttpRequest, payload: ApplicationIn) -> Status[Any]:
        tenant = _tenant(request)
        data = payload.model_dump(exclude={"case_id"})
        application = services.register_application(
            tenant=tenant, case=_case(tenant, payload.case_id), data=data
        )
        return Status(201, application)

    @router.post(
        "/concern-reports/", response={201: ConcernReportOut, **CHANGE_ERRORS}, tags=["concern reports"]
    )
    def create_concern_report(request: HttpRequest, payload: ConcernReportIn) -> Status[Any]:
        tenant = _tenant(request)
        data = payload.model_dump(exclude={"case_id"})
        report = services.register_concern_report(
            tenant=tenant, case=_case(tenant, payload.case_id), data=data
        )
        return Status(201, report)

    @router.post(
        "/investigations/", response={201: InvestigationOut, **CHANGE_ERRORS}, tags=["investigations"]
    )
    def create_investigation(request: HttpRequest, payload: InvestigationIn) -> Status[Any]:
        tenant = _tenant(request)
        case = _case(tenant, payload.case_id)
        return Status(
            201, services.start_investigation(tenant=tenant, case=case, started_on=payload.started_on)
        )

    @router.post(
        "/decisions/",
        response={201: DecisionOut, **CHANGE_ERRORS},
        tags=["decisions"],
        summary="Propose a decision",
    )
    def propose_decision(request: HttpRequest, payload: DecisionIn) -> Status[Any]:
        tenant = _tenant(request)
        data = payload.model_dump(exclude={"case_id"})
        return Status(
            201, services.propose_decision(tenant=tenant, case=_case(tenant, payload.case_id), data=data)
        )

    @router.post(
        "/journal-entries/", response={201: JournalEntryOut, **CHANGE_ERRORS}, tags=["journal entries"]
    )
    def create_journal_entry(request: HttpRequest, payload: JournalEntryIn) -> Status[Any]:
        tenant = _tenant(request)
        case = _case(tenant, payload.case_id)
        corrects = None
        if payload.corrects_id is not None:
            corrects = get_object_or_404(
                JournalEntry.objects.visible_to(tenant), pk=payload.corrects_id, case=case
            )
        data = payload.model_dump(exclude={"case_id", "corrects_id"})
        return Status(
            201, services.write_journal_entry(tenant=tenant, case=case, data=data, corrects=corrects)
        )

    @router.post(
        "/journal-entries/{object_id}/sign",
        response={200: JournalEntryOut, **STATE_ERRORS},
        tags=["journal entries"],
    )
    def sign_journal_entry(request: HttpRequest, object_id: uuid.UUID) -> Any:
        tenant = _tenant(request)
        entry = get_object_or_404(
            JournalEntry.objects.visible_to(tenant).select_related("case"), pk=object_id
        )
        return services.sign_journal_entry(tenant=tenant, entry=entry)

    @router.get("/deadlines/", response={200: list[DeadlineOut], **ERRORS}, tags=["deadlines"])
    @paged
    def deadlines(request: HttpRequest, params: Query[DeadlineParams]) -> Listed:
        tenant: Tenant = request.auth  # type: ignore[attr-defined]
        if not can_see_case_deadlines(tenant):
            raise PermissionDenied
        scope = Scope(
            municipality=tenant.municipality,
            unit_ids=tenant.unit_ids,
            responsible_id=tenant.user.pk if params.mine else None,
        )
        today = timezone.localdate()
        items = [o for o in obligations_for(scope, today) if o.done_on is None]
        if params.due_before is not None:
            items = [o for o in items if o.due < params.due_before]

        def audit(rows: list[Obligation], page: int) -> None:
            cases = Case.objects.visible_to(tenant).filter(pk__in={o.case_id for o in rows})
            record(
                action=Action.SEARCH,
                tenant=tenant,
                object_type="deadlines",
                subjects=sorted(set(cases.values_list("client_id", flat=True)), key=str),
                detail={"page": page, "count": len(rows)},
            )

        def out(o: Obligation) -> dict[str, Any]:
            return {
                "kind": o.kind.value,
                "case_id": o.case_id,
                "case_ref": o.case_ref,
                "object_id": o.object_id,
                "due": o.due,
                "nominal_due": o.nominal_due,
                "legal_ref": o.legal_ref,
                "status": o.status(today).value,
            }

        return Listed(sorted(items, key=lambda o: (o.due, o.case_ref, str(o.object_id))), audit, out)

    return router


router = build_router()
