"""Which municipality a public URL belongs to, and what every public page shows of it."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest

from bredvid.tenancy.models import Municipality


def published_municipality(slug: str) -> Municipality:
    """The municipality whose public site this is; a 404 for an unknown (or unpublished) one."""
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise Http404
    return municipality


def public_context(request: HttpRequest, municipality: Municipality, **extra: Any) -> dict[str, Any]:
    """The context of every public page: the municipality (name, logo, colour, contact details)."""
    return {"municipality": municipality, **extra}
