"""Sign-in with e-legitimation for the public application (issue 13 item 4).

When the deployment has an eID broker (`PUBLIC_OIDC_RP_CLIENT_ID`, a second OpenID Connect client
beside the staff's), the application form offers "Logga in med e-legitimation". mozilla-django-oidc
runs the code flow: its request view makes the state, nonce and PKCE verifier, and its backend
(`bredvid.accounts.oidc.PublicOIDCBackend`) exchanges the code and verifies the ID token. Nobody is
signed in as a user: the identity number from the ID token's claim (`PUBLIC_OIDC_IDENTITY_CLAIM`),
checked with python-stdnum, is kept in the session for `PUBLIC_OIDC_IDENTITY_MINUTES`, bound to the
municipality whose form started the sign-in, used for one application and then dropped.

One callback address for every municipality (`/kommuner/e-legitimation/retur/`: one redirect URI to
register at the broker); which municipality a state belongs to is kept in the session next to the
library's own record of the state.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlparse

import jwt
import requests
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from bredvid.accounts.oidc import PublicOIDCBackend, public_setting
from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.tenancy.models import Municipality
from bredvid.www.public.protection import rate_limited
from bredvid.www.public.site import published_municipality

IDENTITY_KEY = "public_eid_identity"
STATES_KEY = "public_eid_states"
NOTICE_KEY = "public_eid_notice"
_MAX_STATES = 10


def enabled() -> bool:
    return bool(getattr(settings, "PUBLIC_OIDC_ENABLED", False))


def verified_number(request: HttpRequest, municipality: Municipality) -> str:
    """The identity number verified with e-legitimation for this municipality's form, or "" (none,
    another municipality's, or expired: then it is dropped)."""
    kept = request.session.get(IDENTITY_KEY)
    if not isinstance(kept, dict):
        return ""
    if kept.get("municipality") != str(municipality.pk):
        return ""
    if not enabled() or float(kept.get("until", 0)) <= timezone.now().timestamp():
        forget(request)
        return ""
    return str(kept.get("number", ""))


def forget(request: HttpRequest) -> None:
    request.session.pop(IDENTITY_KEY, None)


def take_notice(request: HttpRequest) -> str:
    """The message of a sign-in that failed or was cancelled, shown once on the form."""
    return str(request.session.pop(NOTICE_KEY, ""))


class _RequestView(OIDCAuthenticationRequestView):
    @staticmethod
    def get_settings(attr: str, *args: Any) -> Any:
        return import_from_settings(public_setting(attr), *args)


@login_not_required
@require_GET
def eid_start(request: HttpRequest, slug: str) -> HttpResponse:
    """Off to the broker: the library's request (state, nonce, PKCE in the session), the state bound
    to this municipality."""
    municipality = published_municipality(slug)
    if not enabled():
        raise Http404
    if rate_limited(request, group="eid"):  # each sign-in makes the server call the broker
        return _back(
            request,
            slug,
            _("Många inloggningar har gjorts härifrån. Vänta en stund, eller fyll i personnumret själv."),
        )
    response = _RequestView.as_view()(request)
    state = parse_qs(urlparse(response["Location"]).query)["state"][0]
    states = dict(request.session.get(STATES_KEY) or {})
    states[state] = {"municipality": str(municipality.pk), "slug": municipality.slug}
    request.session[STATES_KEY] = dict(list(states.items())[-_MAX_STATES:])
    return response


def _back(request: HttpRequest, slug: str, notice: str = "") -> HttpResponse:
    if notice:
        request.session[NOTICE_KEY] = notice
    return redirect("public:application_new", slug)


@login_not_required
@require_GET
def eid_callback(request: HttpRequest) -> HttpResponse:
    """The broker's answer. The state must be one this session started here (else a 400, as the
    library answers); it is used up either way. A cancelled, failed or forged sign-in, or an ID token
    without a valid identity number, goes back to the form with a message and keeps nothing."""
    if not enabled():
        raise Http404
    state = request.GET.get("state", "")
    ours = dict(request.session.get(STATES_KEY) or {})
    library = dict(request.session.get("oidc_states") or {})
    started = ours.pop(state, None)
    entry = library.pop(state, None)
    request.session[STATES_KEY] = ours
    request.session["oidc_states"] = library
    if not isinstance(started, dict) or not isinstance(entry, dict):
        raise SuspiciousOperation("Public OIDC callback state not found in the session.")
    slug = str(started["slug"])
    if request.GET.get("error"):
        return _back(
            request,
            slug,
            _("Inloggningen med e-legitimation avbröts. Försök igen, eller fyll i personnumret själv."),
        )
    if not request.GET.get("code"):
        raise SuspiciousOperation("Public OIDC callback without a code.")
    failed = _(
        "Inloggningen med e-legitimation kunde inte slutföras. Försök igen, eller fyll i personnumret själv."
    )
    try:
        claims = PublicOIDCBackend().identity_claims(
            request, nonce=entry["nonce"], code_verifier=entry.get("code_verifier")
        )
    except (SuspiciousOperation, jwt.PyJWTError, requests.RequestException, KeyError, ValueError):
        return _back(request, slug, failed)
    try:
        number = parse_identity_number(str(claims.get(settings.PUBLIC_OIDC_IDENTITY_CLAIM) or ""))
    except InvalidIdentityNumber:
        invalid = _(
            "E-legitimationen gav inget giltigt personnummer. Försök igen, eller fyll i personnumret själv."
        )
        return _back(request, slug, invalid)
    until = timezone.now().timestamp() + 60 * settings.PUBLIC_OIDC_IDENTITY_MINUTES
    request.session[IDENTITY_KEY] = {
        "number": number.number,
        "municipality": started["municipality"],
        "until": until,
    }
    request.session.cycle_key()  # a new session id for the signed-in identity
    return _back(request, slug)


@login_not_required
@require_POST
def eid_forget(request: HttpRequest, slug: str) -> HttpResponse:
    """ "Logga ut": the verified identity is dropped; the form works as without e-legitimation."""
    published_municipality(slug)
    forget(request)
    return _back(request, slug)
