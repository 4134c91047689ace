"""The public interest registration (intresseanmälan, issue 13): the form and its receipt.

The registration goes through `register_interest` (source "e-tjänst") into the family-care unit's
existing inbox. The receipt shows the reference number only to the browser that submitted it: the
number is handed to that browser in a signed cookie (`receipts`), never in the URL, so receipts cannot
be enumerated.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from bredvid.supporters.models import InterestRegistration
from bredvid.supporters.services import register_interest
from bredvid.www.public import receipts
from bredvid.www.public.interest_forms import NOTICE, InterestForm
from bredvid.www.public.protection import public_form, rate_limited, refused_as_bot, refused_rate_limited
from bredvid.www.public.site import public_context, published_municipality
from bredvid.www.staff.actions import apply_errors

RATE_GROUP = "interest"


@login_not_required
@require_http_methods(["GET", "POST"])
@public_form
def interest_new(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = published_municipality(slug)
    form = InterestForm(request.POST if request.method == "POST" else None)
    if form.is_bot():
        return refused_as_bot(request, municipality)
    if form.is_bound and form.is_valid():
        if rate_limited(request, group=RATE_GROUP, email=form.cleaned_data["email"]):
            return refused_rate_limited(request, municipality)
        consent_text = f"{NOTICE}\n{form.fields['consent'].label}"
        try:
            registration = register_interest(
                municipality=municipality,
                data=form.registration_data(),
                consent_text=consent_text,
                source=InterestRegistration.Source.PUBLIC,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            response = redirect("public:interest_receipt", slug=municipality.slug)
            receipts.give(response, RATE_GROUP, municipality, {"reference": registration.reference})
            return response
    context = public_context(request, municipality, form=form, notice=NOTICE)
    return render(request, "public/interest/form.html", context)


@login_not_required
@require_GET
def interest_receipt(request: HttpRequest, slug: str) -> HttpResponse:
    """The reference of the registration this browser just sent here; without one, back to the form."""
    municipality = published_municipality(slug)
    reference = (receipts.shown(request, RATE_GROUP, municipality) or {}).get("reference")
    if not reference:
        return redirect("public:interest_new", slug=municipality.slug)
    context = public_context(request, municipality, reference=reference)
    return render(request, "public/interest/receipt.html", context)


def urls() -> list[Any]:
    return [
        path("bli-uppdragstagare/anmalan/", interest_new, name="interest_new"),
        path("bli-uppdragstagare/anmalan/kvitto/", interest_receipt, name="interest_receipt"),
    ]
