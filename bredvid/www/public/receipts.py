"""The receipt of a public form: what the browser that just submitted it may see once more.

The reference number is handed to that browser in a signed cookie (Django's `set_signed_cookie`:
HMAC with SECRET_KEY, timestamped, HttpOnly, SameSite=Lax, Secure where the session cookie is), never
in the URL, so receipts cannot be enumerated, and no other browser can read or forge one. The cookie
is scoped to the municipality's site (its path) and its signature to the municipality and the form,
so another municipality's receipt page never shows it.

A cookie rather than the session: a member of the public needs no server-side session, and the
submission then writes nothing but its record, its audit event and its e-mail — no session row to
create (a lookup and a transaction of its own) on every submission, nor to clear out later.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from bredvid.tenancy.models import Municipality


def _cookie(form: str) -> str:
    return f"bv_receipt_{form}"


def _salt(form: str, municipality: Municipality) -> str:
    return f"bredvid.public.receipt:{form}:{municipality.pk}"


def _path(municipality: Municipality) -> str:
    return f"/{municipality.slug}/"


def give(response: HttpResponse, form: str, municipality: Municipality, receipt: dict[str, Any]) -> None:
    """Hand the receipt to the browser with the response to its submission."""
    response.set_signed_cookie(
        _cookie(form),
        json.dumps(receipt, separators=(",", ":")),
        salt=_salt(form, municipality),
        max_age=settings.SESSION_COOKIE_AGE,
        path=_path(municipality),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def shown(request: HttpRequest, form: str, municipality: Municipality) -> dict[str, Any] | None:
    """The receipt this browser was given for this municipality's form, or None (none, expired,
    tampered with, or another municipality's)."""
    value = request.get_signed_cookie(
        _cookie(form), default=None, salt=_salt(form, municipality), max_age=settings.SESSION_COOKIE_AGE
    )
    try:
        receipt = json.loads(value) if value else None
    except ValueError:
        return None
    return receipt if isinstance(receipt, dict) else None


def take_back(response: HttpResponse, form: str, municipality: Municipality) -> None:
    """The receipt is shown once: the browser forgets it."""
    response.delete_cookie(_cookie(form), path=_path(municipality), samesite="Lax")
