"""An assignment's agreement: the current version with its signatures, every older version, and
each version's PDF exactly as stored (the bytes signed). Every PDF served is a PRINT in the audit
log. The actions are in agreement_actions.py."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import URLPattern, path
from django.views.decorators.http import require_GET

from bredvid.agreements import services
from bredvid.agreements.models import Agreement
from bredvid.agreements.perms import can_read_agreements, can_write_agreements
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core import uploads
from bredvid.www.staff import agreement_actions as actions
from bredvid.www.staff.actions import tenant_of
from bredvid.www.staff.decorators import permission_required
from bredvid.www.staff.expense_actions import caption, load_assignment


@permission_required(can_read_agreements)
@require_GET
def agreement_detail(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    agreement = Agreement.objects.visible_to(tenant).filter(assignment=assignment).first()
    versions = (
        list(
            agreement.versions.select_related("created_by").prefetch_related("signatures").order_by("-number")
        )
        if agreement
        else []
    )
    state = services.status(agreement)
    record(
        action=Action.VIEW,
        tenant=tenant,
        obj=agreement or assignment,
        person_id=assignment.intervention.case.client_id,
        detail={"page": "agreement", "versions": len(versions)},
    )
    context = {
        "assignment": assignment,
        "caption": caption(assignment),
        "versions": versions,
        "state": state,
        "can_write": can_write_agreements(tenant) and assignment.status == "active",
    }
    return render(request, "agreements/agreement_detail.html", context)


@permission_required(can_read_agreements)
@require_GET
def agreement_pdf(request: HttpRequest, assignment_id: uuid.UUID, version_id: uuid.UUID) -> HttpResponse:
    tenant, assignment, version = actions.load_version(request, assignment_id, version_id)
    content = uploads.read_stored(version.pdf.name)
    record(
        action=Action.PRINT,
        tenant=tenant,
        obj=version,
        person_id=assignment.intervention.case.client_id,
        detail={"document": "agreement", "number": version.number, "sha256": version.sha256},
    )
    return actions.pdf_response(content, f"uppdragsavtal-v{version.number}.pdf")


def urls() -> list[URLPattern]:
    base = "uppdrag/<uuid:assignment_id>/avtal/"
    version = base + "versioner/<uuid:version_id>/"
    return [
        path(base, agreement_detail, name="agreement_detail"),
        path(base + "ny-version/", actions.agreement_new_version, name="agreement_new_version"),
        path(version + "pdf/", agreement_pdf, name="agreement_pdf"),
        path(version + "signera/", actions.agreement_sign, name="agreement_sign"),
        path(version + "papper/", actions.agreement_paper, name="agreement_paper"),
    ]
