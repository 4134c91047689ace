"""The public pages. Each area adds its pages through `site_urls()` (under /<slug>/)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.urls import path
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from bredvid.tenancy.models import Municipality, PublicPage
from bredvid.www.public import application_views, interest_views, pagetexts
from bredvid.www.public.site import (
    URL_NAMES,
    optional_url,
    public_context,
    published_municipality,
    shows_page,
)

#: The forms a page offers (by URL name; shown once the form exists).
ACTIONS: dict[str, list[str]] = {
    PublicPage.START: ["public:application_new", "public:interest_new"],
    PublicPage.CONTACT_PERSON: ["public:application_new"],
    PublicPage.CONTACT_FAMILY: ["public:application_new"],
    PublicPage.FOSTER_HOME: ["public:application_new"],
    PublicPage.EMERGENCY_HOME: ["public:application_new"],
    PublicPage.BECOME: ["public:interest_new"],
}
#: Pages that show the municipality's contact details under the text.
WITH_CONTACT = {PublicPage.CONTACT, PublicPage.ACCESSIBILITY, PublicPage.PRIVACY}


@login_not_required
@require_GET
def municipality_list(request: HttpRequest) -> HttpResponse:
    municipalities = Municipality.objects.defer("logo").filter(publishes_site=True).order_by("name")
    return render(request, "public/municipality_list.html", {"municipalities": municipalities})


@login_not_required
@require_GET
def page(request: HttpRequest, slug: str, page: str) -> HttpResponse:
    municipality = published_municipality(slug)
    if not shows_page(municipality, page):
        raise Http404
    text = pagetexts.page_text(municipality, page, pagetexts.current_language())
    actions = {
        name.removeprefix("public:"): optional_url(name, municipality) for name in ACTIONS.get(page, [])
    }
    context = public_context(
        request,
        municipality,
        page=page,
        title=PublicPage(page).label,
        text=text,
        html=pagetexts.render(municipality, text.markdown),
        actions=actions,
        with_contact=page in WITH_CONTACT,
    )
    template = "public/start.html" if page == PublicPage.START else "public/page.html"
    return render(request, template, context)


@login_not_required
@require_GET
def logo(request: HttpRequest, slug: str) -> HttpResponse:
    """The municipality's logo, as uploaded (checked to be PNG or JPEG when it was), cacheable."""
    municipality = published_municipality(slug)
    if not municipality.logo_type:
        raise Http404
    data = bytes(Municipality.objects.values_list("logo", flat=True).get(pk=municipality.pk))
    etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
    if etag in request.headers.get("If-None-Match", ""):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(data, content_type=municipality.logo_type)
        response["Content-Disposition"] = "inline"
    response["ETag"] = etag
    patch_cache_control(response, public=True, max_age=3600)
    return response


@login_not_required
@require_GET
def theme(request: HttpRequest, slug: str) -> HttpResponse:
    """The municipality's colour as a CSS custom property: a stylesheet of our own origin, so the
    Content-Security-Policy needs no inline styles. The colour was validated as #rrggbb when saved
    and is checked again here."""
    municipality = published_municipality(slug)
    colour = municipality.colour if _is_colour(municipality.colour) else ""
    body = f":root {{ --bv-municipality-colour: {colour}; }}\n" if colour else ""
    response = HttpResponse(body, content_type="text/css; charset=utf-8")
    patch_cache_control(response, public=True, max_age=300)
    return response


def _is_colour(value: str) -> bool:
    return len(value) == 7 and value[0] == "#" and all(c in "0123456789abcdefABCDEF" for c in value[1:])


def site_urls() -> list[Any]:
    pages = [
        path("" if value == PublicPage.START else f"{value}/", page, {"page": value}, name=URL_NAMES[value])
        for value in PublicPage.values
    ]
    return [
        *pages,
        path("logotyp", logo, name="logo"),
        path("tema.css", theme, name="theme"),
        *interest_views.urls(),
        *application_views.urls(),
    ]
