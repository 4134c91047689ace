"""Agreements of API v1: an assignment's agreement, its versions (terms, PDF hash), signatures.

Reading follows the assignment; new versions and the officer's signatures through
`agreements.services`. The PDF itself is read on the staff page (every print audited); here each
version gives its SHA-256, which is what every signature of it stores.
"""

import datetime
import uuid
from decimal import Decimal
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema
from ninja.responses import Status as Answer

from bredvid.agreements import services
from bredvid.agreements.models import Agreement, AgreementVersion, Signature
from bredvid.agreements.perms import can_read_agreements, can_write_agreements
from bredvid.agreements.terms import Terms, suggested_terms
from bredvid.api.pagination import Listed, paged
from bredvid.api.schemas import CHANGE_ERRORS, ERRORS, Clean, Int, IsoDate, OneOf, Strict
from bredvid.assignments.models import Assignment, ScopeUnit
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.tenancy.context import Tenant

router = Router()

Money = Annotated[Decimal, Field(ge=0, max_digits=10, decimal_places=2)]


def _reader(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.auth  # type: ignore[attr-defined]
    if not can_read_agreements(tenant):
        raise PermissionDenied
    return tenant


def _writer(request: HttpRequest) -> Tenant:
    tenant = _reader(request)
    if not can_write_agreements(tenant):
        raise PermissionDenied
    return tenant


class AgreementFilter(Clean):
    assignment_id: uuid.UUID = None  # type: ignore[assignment]


class SignatureOut(Schema):
    id: uuid.UUID
    party: Annotated[str, OneOf(Signature.Party)]
    method: Annotated[str, OneOf(Signature.Method)]
    signer_name: str
    signed_at: datetime.datetime
    paper_signed_on: datetime.date | None
    pdf_sha256: str


class VersionOut(Schema):
    id: uuid.UUID
    number: int
    terms: dict[str, Any]
    sha256: str
    size: int
    change_note: str
    created_at: datetime.datetime
    signatures: list[SignatureOut]


class AgreementOut(Schema):
    id: uuid.UUID
    assignment_id: uuid.UUID
    current_version: int | None
    fully_signed: bool = Field(description="both parties signed the current version")
    waiting_for: list[str] = Field(
        description="the parties (officer, supporter) yet to sign the current version"
    )
    versions: list[VersionOut]


class TermsIn(Strict):
    start_on: IsoDate
    end_on: IsoDate | None = None
    scope_unit: Annotated[str, OneOf(ScopeUnit, blank=True)] = ""
    planned_per_month: Annotated[Decimal, Field(ge=0, max_digits=5, decimal_places=1)] | None = None
    fee_level: str = Field("", max_length=24)
    fee_amount: Money | None = None
    allowance_level: str = Field("", max_length=24)
    allowance_amount: Money | None = None
    child_allowance_deduction: Money = Decimal(0)
    notice_days: Int = Field(30, ge=0, le=365)
    special_terms: str = Field("", max_length=5000)


class VersionIn(Strict):
    assignment_id: uuid.UUID
    terms: TermsIn
    change_note: str = Field("", max_length=500, description="required from the second version on")


class PaperIn(Strict):
    party: Annotated[str, OneOf(Signature.Party)]
    paper_signed_on: IsoDate
    signer_name: str = Field("", max_length=200)


def _agreements(tenant: Tenant) -> QuerySet[Agreement]:
    return (
        Agreement.objects.visible_to(tenant)
        .select_related("assignment__intervention__case")
        .prefetch_related("versions__signatures")
    )


def _out(agreement: Agreement) -> dict[str, Any]:
    """From the prefetched versions: the same rule as `services.status`, without a query per row."""
    versions = sorted(agreement.versions.all(), key=lambda v: v.number, reverse=True)
    current = versions[0] if versions else None
    signed = (
        {s.party for s in current.signatures.all() if s.pdf_sha256 == current.sha256} if current else set()
    )
    return {
        "id": agreement.pk,
        "assignment_id": agreement.assignment_id,
        "current_version": current.number if current else None,
        "fully_signed": current is not None and signed == set(Signature.Party.values),
        "waiting_for": [p for p in Signature.Party.values if p not in signed] if current else [],
        "versions": [
            {
                **{name: getattr(v, name) for name in VersionOut.model_fields if name != "signatures"},
                "signatures": list(v.signatures.all()),
            }
            for v in versions
        ],
    }


def _get(tenant: Tenant, object_id: uuid.UUID) -> Agreement:
    return get_object_or_404(_agreements(tenant), pk=object_id)


@router.get(
    "/agreements/", response={200: list[AgreementOut], **ERRORS}, tags=["agreements"], summary="Agreements"
)
@paged
def list_agreements(request: HttpRequest, params: Query[AgreementFilter]) -> Listed:
    tenant = _reader(request)
    qs = _agreements(tenant)
    if params.assignment_id:
        qs = qs.filter(assignment_id=params.assignment_id)

    def audit(rows: list[Agreement], page: int) -> None:
        record(
            action=Action.SEARCH,
            tenant=tenant,
            object_type="agreements.agreement",
            subjects=list(dict.fromkeys(a.assignment.intervention.case.client_id for a in rows)),
            detail={"page": page, "count": len(rows)},
        )

    return Listed(qs.order_by("-created_at", "id"), audit, _out)


@router.get(
    "/agreements/{object_id}",
    response={200: AgreementOut, **ERRORS},
    tags=["agreements"],
    summary="One agreement",
)
def get_agreement(request: HttpRequest, object_id: uuid.UUID) -> dict[str, Any]:
    tenant = _reader(request)
    agreement = _get(tenant, object_id)
    record(
        action=Action.VIEW,
        tenant=tenant,
        obj=agreement,
        person_id=agreement.assignment.intervention.case.client_id,
    )
    return _out(agreement)


@router.post(
    "/agreements/",
    response={201: AgreementOut, **CHANGE_ERRORS},
    tags=["agreements"],
    summary="A new version of an assignment's agreement (the first creates it)",
)
def create_version(request: HttpRequest, payload: VersionIn) -> Answer[dict[str, Any]]:
    tenant = _writer(request)
    assignment = get_object_or_404(
        Assignment.objects.visible_to(tenant).select_related(
            "supporter", "municipality", "intervention__case__client", "intervention__case__unit"
        ),
        pk=payload.assignment_id,
    )
    per = suggested_terms(assignment)["fee_per"]  # per dygn for kontaktfamilj, else per month
    terms = Terms(**payload.terms.model_dump(), fee_per=per, allowance_per=per)
    version = services.create_version(
        tenant=tenant, assignment=assignment, terms=terms, change_note=payload.change_note
    )
    return Answer(201, _out(_get(tenant, version.agreement_id)))


def _current(tenant: Tenant, object_id: uuid.UUID) -> AgreementVersion:
    agreement = _get(tenant, object_id)
    current = services.status(agreement).current
    if current is None:
        from django.http import Http404

        raise Http404
    current.agreement = agreement
    return current


@router.post(
    "/agreements/{object_id}/sign",
    response={200: AgreementOut, **CHANGE_ERRORS},
    tags=["agreements"],
    summary="The officer signs the current version for the municipality",
)
def sign_agreement(request: HttpRequest, object_id: uuid.UUID) -> dict[str, Any]:
    tenant = _writer(request)
    version = _current(tenant, object_id)
    services.sign(
        tenant=tenant, version=version, party=Signature.Party.OFFICER, method=Signature.Method.IN_APP
    )
    return _out(_get(tenant, object_id))


@router.post(
    "/agreements/{object_id}/paper-signatures",
    response={200: AgreementOut, **CHANGE_ERRORS},
    tags=["agreements"],
    summary="Record that a party signed the current version on paper, with the date",
)
def paper_signature(request: HttpRequest, object_id: uuid.UUID, payload: PaperIn) -> dict[str, Any]:
    tenant = _writer(request)
    version = _current(tenant, object_id)
    services.sign(
        tenant=tenant,
        version=version,
        party=payload.party,
        method=Signature.Method.PAPER,
        paper_signed_on=payload.paper_signed_on,
        signer_name=payload.signer_name,
    )
    return _out(_get(tenant, object_id))
