"""Actions on an assignment's agreement: a new version (with a preview of its PDF), the officer's
signature in Bredvid, and a signature recorded as made on paper with its date (ADR 0013)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bredvid.agreements import services
from bredvid.agreements.models import AgreementVersion, Signature
from bredvid.agreements.perms import can_write_agreements
from bredvid.agreements.terms import suggested_terms
from bredvid.assignments.models import Assignment
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.tenancy.context import Tenant
from bredvid.www.staff import agreement_forms as f
from bredvid.www.staff.actions import action_page, apply_errors, posted, tenant_of
from bredvid.www.staff.decorators import permission_required
from bredvid.www.staff.expense_actions import caption, load_assignment

GET_POST = require_http_methods(["GET", "POST"])


def detail_url(assignment: Assignment) -> str:
    return reverse("staff:agreement_detail", args=[assignment.pk])


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def load_version(
    request: HttpRequest, assignment_id: uuid.UUID, version_id: uuid.UUID
) -> tuple[Tenant, Assignment, AgreementVersion]:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    version = get_object_or_404(
        AgreementVersion.objects.visible_to(tenant).select_related("agreement"),
        pk=version_id,
        agreement__assignment=assignment,
    )
    version.agreement.assignment = assignment
    return tenant, assignment, version


@permission_required(can_write_agreements)
@GET_POST
def agreement_new_version(request: HttpRequest, assignment_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    assignment = load_assignment(tenant, assignment_id)
    current = services.status(getattr(assignment, "agreement", None)).current
    initial = current.terms if current is not None else suggested_terms(assignment)
    form = f.TermsForm(posted(request), initial=initial)
    back = detail_url(assignment)
    context = {"caption": caption(assignment), "template_preview": True, "current": current}
    if request.method == "POST" and "preview" in request.POST and form.is_valid():
        try:
            content = services.preview_pdf(tenant=tenant, assignment=assignment, terms=form.terms())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            record(
                action=Action.PRINT,
                tenant=tenant,
                obj=assignment,
                person_id=assignment.intervention.case.client_id,
                detail={"document": "agreement_preview"},
            )
            return pdf_response(content, "uppdragsavtal-forhandsgranskning.pdf")
    title = _("Ny version av uppdragsavtalet") if current else _("Skriv uppdragsavtal")
    if request.method == "POST" and "preview" in request.POST:  # the form with its errors; nothing saved
        page = {"form": form, "title": title, "back": back, **context}
        return render(request, "agreements/version_form.html", page)
    return action_page(
        request,
        form,
        run=lambda d: services.create_version(
            tenant=tenant, assignment=assignment, terms=form.terms(), change_note=d.get("change_note", "")
        ),
        success=lambda v: (
            _("Version %(n)s av avtalet är skapad. Den ska skrivas under av båda parter.") % {"n": v.number}
        ),
        done=lambda _v: back,
        title=title,
        back=back,
        template="agreements/version_form.html",
        context=context,
    )


@permission_required(can_write_agreements)
@GET_POST
def agreement_sign(request: HttpRequest, assignment_id: uuid.UUID, version_id: uuid.UUID) -> HttpResponse:
    tenant, assignment, version = load_version(request, assignment_id, version_id)
    back = detail_url(assignment)
    return action_page(
        request,
        f.SignForm(posted(request)),
        run=lambda _d: services.sign(
            tenant=tenant, version=version, party=Signature.Party.OFFICER, method=Signature.Method.IN_APP
        ),
        success=_("Du har skrivit under avtalet för kommunen."),
        done=lambda _s: back,
        title=_("Skriv under version %(n)s") % {"n": version.number},
        back=back,
        context={
            "caption": caption(assignment),
            "summary": "agreements/includes/version_summary.html",
            "version": version,
            "assignment": assignment,
        },
    )


@permission_required(can_write_agreements)
@GET_POST
def agreement_paper(request: HttpRequest, assignment_id: uuid.UUID, version_id: uuid.UUID) -> HttpResponse:
    tenant, assignment, version = load_version(request, assignment_id, version_id)
    back = detail_url(assignment)
    signed = set(version.signatures.values_list("party", flat=True))
    parties = [p for p in Signature.Party.values if p not in signed] or list(Signature.Party.values)
    return action_page(
        request,
        f.PaperSignatureForm(posted(request), parties=parties, initial={"party": parties[-1]}),
        run=lambda d: services.sign(tenant=tenant, version=version, method=Signature.Method.PAPER, **d),
        success=_("Underskriften på papper är registrerad."),
        done=lambda _s: back,
        title=_("Registrera underskrift på papper"),
        back=back,
        context={
            "caption": caption(assignment),
            "summary": "agreements/includes/version_summary.html",
            "version": version,
            "assignment": assignment,
        },
    )
