"""The public application pages (issue 13): the form, its receipt, and the second guardian's link.

The receipt's reference number is handed to the submitting browser in a signed cookie (`receipts`)
and shown once (nothing in the URL to guess). The link page shows only the municipality and the
support applied for; a GET never uses up the link, only the POST of its button does.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from bredvid.casework import eservice
from bredvid.casework.models import EApplication
from bredvid.core.errors import DomainError
from bredvid.core.http import client_ip
from bredvid.www.public import eid, receipts
from bredvid.www.public.application_forms import ApplicationForm, ConfirmForm
from bredvid.www.public.protection import public_form, rate_limited
from bredvid.www.public.site import public_context, published_municipality
from bredvid.www.staff.actions import apply_errors

RECEIPT = "application"
TEMPLATES = "public/application/"


@login_not_required
@require_http_methods(["GET", "POST"])
@public_form  # a body over the limit gets the 413 page before it is read; then the CSRF check
def application_new(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = published_municipality(slug)
    verified = eid.verified_number(request, municipality)

    def page(form: ApplicationForm, status: int = 200, refused: str = "") -> HttpResponse:
        context = public_context(
            request,
            municipality,
            form=form,
            refused=refused,
            eid_enabled=eid.enabled(),
            eid_notice=eid.take_notice(request),
        )
        return render(request, f"{TEMPLATES}form.html", context, status=status)

    if request.method != "POST":
        return page(ApplicationForm(verified=verified))
    form = ApplicationForm(request.POST, verified=verified)
    if not form.is_valid():
        return page(form)
    email = form.cleaned_data.get("email") or form.cleaned_data.get("second_guardian_email") or ""
    if rate_limited(request, group="application", email=email):
        message = _(
            "Vi har tagit emot många ansökningar härifrån. Vänta en stund och försök igen, eller ring oss."
        )
        return page(form, 429, message)
    try:
        submitted = eservice.submit(
            municipality=municipality,
            data=form.submission(),
            ip=client_ip(request),
            identified=EApplication.Identified.EID if verified else EApplication.Identified.TYPED,
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return page(form)
    consent_url = ""
    if submitted.consent_token:
        consent_url = request.build_absolute_uri(
            reverse("public:application_consent", args=[slug, submitted.consent_token])
        )
    eservice.send_submission_mails(submitted, consent_url)
    if verified:
        eid.forget(request)  # one application per sign-in
    response = redirect("public:application_receipt", slug)
    receipt = {"reference": submitted.eapplication.reference, "awaits_consent": bool(submitted.consent_token)}
    receipts.give(response, RECEIPT, municipality, receipt)
    return response


@login_not_required
@require_GET
def application_receipt(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = published_municipality(slug)
    receipt = receipts.shown(request, RECEIPT, municipality)
    if receipt is None:
        return redirect("public:application_new", slug)
    response = render(
        request, f"{TEMPLATES}receipt.html", public_context(request, municipality, receipt=receipt)
    )
    receipts.take_back(response, RECEIPT, municipality)
    return response


@login_not_required
@require_http_methods(["GET", "POST"])
def application_consent(request: HttpRequest, slug: str, consent_token: str) -> HttpResponse:
    municipality = published_municipality(slug)
    eapplication = eservice.awaiting_consent(municipality, consent_token)
    if eapplication is None:
        return render(
            request, f"{TEMPLATES}link_invalid.html", public_context(request, municipality), status=404
        )
    form = ConfirmForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            eservice.confirm_second_guardian(
                municipality=municipality, token=consent_token, ip=client_ip(request)
            )
        except DomainError:
            return render(
                request, f"{TEMPLATES}link_invalid.html", public_context(request, municipality), status=404
            )
        context = public_context(request, municipality, reference=eapplication.reference)
        return render(request, f"{TEMPLATES}consent_done.html", context)
    context = public_context(request, municipality, form=form, eapplication=eapplication)
    return render(request, f"{TEMPLATES}consent.html", context)


def urls() -> list[Any]:
    return [
        path("ansok/", application_new, name="application_new"),
        path("ansok/kvitto/", application_receipt, name="application_receipt"),
        path("ansok/e-legitimation/", eid.eid_start, name="eid_start"),
        path("ansok/e-legitimation/avsluta/", eid.eid_forget, name="eid_forget"),
        path("ansok/bekrafta/<str:consent_token>/", application_consent, name="application_consent"),
    ]
