"""Abuse protection for the public forms: rate limits per client address and per e-mail address (on
the cache, django-ratelimit), a honeypot field, and a size limit. No captcha: it would shut out
screen-reader users. A refused submission stores nothing and says so in Swedish.

A public form view is wrapped in `public_form`: the size limit is checked before anything reads the
body (Django's CSRF middleware would otherwise parse it first), then the CSRF check runs as usual.
The form derives from `ProtectedForm` and renders `public/protection/honeypot.html`; the view
answers `refused(...)` when `form.is_bot()` or `rate_limited(...)`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django_ratelimit.core import is_ratelimited

from bredvid.core.http import client_ip
from bredvid.www.public.site import public_context, published_municipality

#: The honeypot: hidden from people (a visually hidden, aria-hidden wrapper, out of the tab order),
#: filled in by bots.
HONEYPOT_FIELD = "webbplats"


class ProtectedForm(forms.Form):
    """Base of every public form: carries the honeypot (a bot that fills it in is refused)."""

    webbplats = forms.CharField(required=False, label=_lazy("Lämna detta fält tomt"), max_length=200)

    def clean_webbplats(self) -> str:
        value = self.cleaned_data.get(HONEYPOT_FIELD, "")
        if value:
            raise forms.ValidationError(_lazy("Anmälan kunde inte tas emot."), code="honeypot")
        return str(value)

    def is_bot(self) -> bool:
        """The honeypot was filled in: refuse the whole submission (the form is never valid then)."""
        return self.is_bound and bool(self.data.get(HONEYPOT_FIELD))


def too_large(request: HttpRequest) -> bool:
    """A public form's body over PUBLIC_FORM_MAX_BYTES is refused before it is parsed."""
    length = request.META.get("CONTENT_LENGTH") or "0"
    try:
        return int(length) > settings.PUBLIC_FORM_MAX_BYTES
    except ValueError:
        return True


def rate_limited(request: HttpRequest, *, group: str, email: str = "") -> bool:
    """Count this submission; True when the client address or the e-mail address is over its limit."""
    by_address = is_ratelimited(
        request,
        group=f"{group}:ip",
        key=lambda _group, req: client_ip(req) or "unknown",
        rate=settings.PUBLIC_FORM_RATE_PER_IP,
        increment=True,
    )
    by_email = bool(email) and is_ratelimited(
        request,
        group=f"{group}:email",
        key=lambda _group, _req: email.strip().lower(),
        rate=settings.PUBLIC_FORM_RATE_PER_EMAIL,
        increment=True,
    )
    return bool(by_address or by_email)


def refused(request: HttpRequest, municipality: Any, *, status: int, message: str) -> HttpResponse:
    """The page for a refused submission: what happened, that nothing was stored, what to do."""
    context = public_context(request, municipality, message=message, status=status)
    return render(request, "public/protection/refused.html", context, status=status)


def refused_too_large(request: HttpRequest, municipality: Any) -> HttpResponse:
    message = _("Det du skickade var för stort. Korta texterna och försök igen.")
    return refused(request, municipality, status=413, message=message)


def refused_as_bot(request: HttpRequest, municipality: Any) -> HttpResponse:
    message = _("Det du skickade kunde inte tas emot. Gå tillbaka till formuläret och försök igen.")
    return refused(request, municipality, status=400, message=message)


def refused_rate_limited(request: HttpRequest, municipality: Any) -> HttpResponse:
    message = _(
        "Vi har tagit emot många anmälningar från dig eller din e-postadress på kort tid. "
        "Vänta en timme och försök igen, eller ring oss."
    )
    response = refused(request, municipality, status=429, message=message)
    response["Retry-After"] = "3600"
    return response


def public_form(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a public form view: a POST over the size limit gets the Swedish 413 page before its body
    is read (so nothing is parsed, let alone stored); every other request gets the CSRF check."""
    protected = csrf_protect(view)

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST" and too_large(request):
            municipality = published_municipality(kwargs["slug"]) if "slug" in kwargs else None
            return refused_too_large(request, municipality)
        return protected(request, *args, **kwargs)

    # The middleware's check would parse the body first; `protected` makes the same check after the size.
    return csrf_exempt(wrapper)
