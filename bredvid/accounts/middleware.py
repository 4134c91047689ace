from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

_API_PREFIX = "/api/"
# The SSO views log the user in themselves (mozilla-django-oidc); they must be reachable without a session.
_OIDC_PREFIX = "/oidc/"


class StaffLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Deny by default: every page needs a login unless marked `login_not_required`.

    The API is excluded here only because it authenticates every route itself with bearer
    tokens (NinjaAPI(auth=...) is global), answering 401 instead of redirecting.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):  # type: ignore[no-untyped-def]
        if request.path.startswith((_API_PREFIX, _OIDC_PREFIX)):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


_OTP_EXEMPT = ("/konto/", "/static/", "/i18n/", "/healthz", "/readyz", _API_PREFIX)


class OTPRequiredMiddleware:
    """When OTP_REQUIRED is on, a signed-in user must also pass TOTP before any page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.OTP_REQUIRED
            and user is not None
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(_OTP_EXEMPT)
        ):
            return redirect("accounts:otp")
        return self.get_response(request)
