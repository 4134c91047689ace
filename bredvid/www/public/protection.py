"""Abuse protection for the public forms: rate limits per client address and per e-mail address (on
the cache, django-ratelimit), a honeypot field, and a size limit. No captcha: it would shut out
screen-reader users. A refused submission stores nothing and says so in Swedish."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from bredvid.core.http import client_ip

#: The honeypot: hidden from people (CSS and aria-hidden, out of the tab order), filled in by bots.
HONEYPOT_FIELD = "webbplats"


class ProtectedForm(forms.Form):
    """Base of every public form: carries the honeypot (a bot that fills it in is refused)."""

    webbplats = forms.CharField(required=False, label=_("Lämna detta fält tomt"), max_length=200)

    def clean_webbplats(self) -> str:
        value = self.cleaned_data.get(HONEYPOT_FIELD, "")
        if value:
            raise forms.ValidationError(_("Anmälan kunde inte tas emot."), code="honeypot")
        return str(value)


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
