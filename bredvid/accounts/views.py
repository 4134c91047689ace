from __future__ import annotations

import base64
from io import BytesIO
from typing import cast

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import SetPasswordForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from bredvid.accounts import administration, services
from bredvid.accounts.forms import LoginForm, OTPForm
from bredvid.accounts.models import User
from bredvid.core.errors import DomainError, IllegalTransition
from bredvid.core.http import client_ip, safe_next


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_redirect_url(self) -> str:
        return safe_next(self.request)

    def get_context_data(self, **kwargs):  # type: ignore[no-untyped-def]
        context = super().get_context_data(**kwargs)
        context["oidc_enabled"] = settings.OIDC_ENABLED
        return context


class LogoutView(auth_views.LogoutView):
    def get_redirect_url(self) -> str:
        return safe_next(self.request)


login_view = login_not_required(LoginView.as_view())
logout_view = LogoutView.as_view()


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage)
    buffer = BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@sensitive_post_parameters("token")
def otp_view(request: HttpRequest) -> HttpResponse:
    """Second factor: verify a TOTP code, or set up the authenticator app the first time."""
    user = request.user
    if user.is_verified():  # type: ignore[union-attr]
        return redirect("staff:home")
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    # Opened through an enrolment link: a new app is set up, even if one exists (a lost phone).
    through_link = request.session.get(services.ENROLMENT_SESSION_KEY) == user.pk
    setting_up = device is None or through_link
    if setting_up:
        if not services.may_enrol(request):
            # In production the password alone never enrols a second factor.
            return render(request, "accounts/otp_needs_link.html", status=403)
        device = services.start_enrolment(request=request)
    assert device is not None
    form = OTPForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not device.verify_token(form.cleaned_data["token"]):
            form.add_error("token", _("Koden stämmer inte. Vänta på nästa kod och försök igen."))
        else:
            try:
                if setting_up:
                    services.confirm_enrolment(request=request, device=device)
            except IllegalTransition as exc:  # confirmed meanwhile in another tab
                form.add_error("token", exc.message)
            else:
                otp_login(request, device)
                if not user.has_usable_password():  # type: ignore[union-attr]  # an invited account chooses a password now
                    return redirect("accounts:first_password")
                return redirect(safe_next(request) or "staff:home")
    context = {"form": form, "setting_up": setting_up}
    if setting_up:
        context["qr"] = _qr_data_uri(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/otp.html", context)


@login_not_required
@require_http_methods(["GET", "POST"])
def enrol_view(request: HttpRequest) -> HttpResponse:
    """The single-use link to set up an authenticator app. GET only shows a button: link checkers in
    mail systems open links, and must not use it up; the POST uses the link and signs the user in
    for nothing but the enrolment (every other page still asks for the second factor)."""
    if request.method == "GET":
        return render(request, "accounts/enrol.html", {"valid": "sesame" in request.GET})
    user = services.user_from_enrolment_link(request)
    if user is None:
        return render(request, "accounts/enrol.html", {"valid": False}, status=403)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[services.ENROLMENT_SESSION_KEY] = user.pk
    return redirect("accounts:otp")


@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def first_password_view(request: HttpRequest) -> HttpResponse:
    """An invited account chooses its password, after the second factor is set up (once only)."""
    user = cast(User, request.user)
    if settings.OTP_REQUIRED and not user.is_verified():  # type: ignore[attr-defined]
        return redirect("accounts:otp")
    if user.has_usable_password():
        return render(request, "accounts/first_password.html", {"done": True})
    form = SetPasswordForm(user, request.POST or None)  # validates only; the service saves
    if request.method == "POST" and form.is_valid():
        try:
            administration.choose_first_password(
                user=user,
                password=form.cleaned_data["new_password1"],
                ip=client_ip(request),
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            update_session_auth_hash(request, user)
            return redirect("staff:home")
    return render(request, "accounts/first_password.html", {"form": form, "done": False})
