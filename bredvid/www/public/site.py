"""Which municipality a public URL belongs to, and what every public page shows of it."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from django.urls import NoReverseMatch, reverse

from bredvid.tenancy.models import Municipality, PublicPage

#: Each public page's URL name (in the `public:` namespace).
URL_NAMES: dict[str, str] = {
    PublicPage.START: "start",
    PublicPage.CONTACT_PERSON: "contact_person",
    PublicPage.CONTACT_FAMILY: "contact_family",
    PublicPage.FOSTER_HOME: "foster_home",
    PublicPage.EMERGENCY_HOME: "emergency_home",
    PublicPage.BECOME: "become_supporter",
    PublicPage.CONFIDENTIALITY: "confidentiality",
    PublicPage.SKOLFAM: "skolfam",
    PublicPage.CONTACT: "contact",
    PublicPage.ACCESSIBILITY: "accessibility",
    PublicPage.PRIVACY: "privacy",
}
#: The pages in the service navigation, in order (the accessibility statement and the privacy
#: notice are linked from every page's footer).
NAVIGATION = [
    PublicPage.START,
    PublicPage.CONTACT_PERSON,
    PublicPage.CONTACT_FAMILY,
    PublicPage.FOSTER_HOME,
    PublicPage.EMERGENCY_HOME,
    PublicPage.SKOLFAM,
    PublicPage.BECOME,
    PublicPage.CONFIDENTIALITY,
    PublicPage.CONTACT,
]


def published_municipality(slug: str) -> Municipality:
    """The municipality whose public site this is; a 404 for an unknown or unpublished one.
    (The logo's bytes are left in the database: only the logo's own URL reads them.)"""
    municipality = Municipality.objects.defer("logo").filter(slug=slug, publishes_site=True).first()
    if municipality is None:
        raise Http404
    return municipality


def shows_page(municipality: Municipality, page: str) -> bool:
    """Skolfam has a page only where the municipality works with it."""
    return page != PublicPage.SKOLFAM or municipality.uses_skolfam


def page_url(municipality: Municipality, page: str) -> str:
    return reverse(f"public:{URL_NAMES[page]}", args=[municipality.slug])


def optional_url(name: str, municipality: Municipality) -> str:
    """The address of another area's public page (the forms), or "" while it does not exist."""
    try:
        return reverse(name, args=[municipality.slug])
    except NoReverseMatch:
        return ""


def public_context(request: HttpRequest, municipality: Municipality, **extra: Any) -> dict[str, Any]:
    """The context of every public page: the municipality (name, logo, colour, contact details),
    the service navigation and the footer's links."""
    current = request.path
    navigation = [
        {"label": PublicPage(page).label, "url": page_url(municipality, page)}
        for page in NAVIGATION
        if shows_page(municipality, page)
    ]
    for item in navigation:
        item["current"] = item["url"] == current
    return {
        "municipality": municipality,
        "navigation": navigation,
        "accessibility_url": page_url(municipality, PublicPage.ACCESSIBILITY),
        "privacy_url": page_url(municipality, PublicPage.PRIVACY),
        "contact_url": page_url(municipality, PublicPage.CONTACT),
        **extra,
    }
