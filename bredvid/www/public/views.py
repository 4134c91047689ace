"""The public pages. Each area adds its pages through `site_urls()` (under /<slug>/)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from bredvid.tenancy.models import Municipality
from bredvid.www.public import application_views, interest_views
from bredvid.www.public.site import public_context, published_municipality


@login_not_required
@require_GET
def municipality_list(request: HttpRequest) -> HttpResponse:
    municipalities = Municipality.objects.order_by("name")
    return render(request, "public/municipality_list.html", {"municipalities": municipalities})


@login_not_required
@require_GET
def start(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = published_municipality(slug)
    return render(request, "public/start.html", public_context(request, municipality))


def site_urls() -> list[Any]:
    return [
        path("", start, name="start"),
        *interest_views.urls(),
        *application_views.urls(),
    ]
