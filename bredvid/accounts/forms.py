from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Fel användarnamn eller lösenord. Kontrollera stavningen och försök igen."),
        "inactive": _("Kontot är inaktiverat. Kontakta systemförvaltaren."),
    }

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.fields["username"].label = _("Användarnamn")
        self.fields["password"].label = _("Lösenord")
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "spellcheck": "false"})
        # No autofocus (Django's default): keyboard and screen-reader users start at the skip link and
        # the heading, and hear that all access is logged before they reach the form.
        self.fields["username"].widget.attrs.pop("autofocus", None)


class OTPForm(forms.Form):
    token = forms.CharField(
        label=_("Engångskod"),
        help_text=_("Sex siffror från din autentiseringsapp."),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={
            "required": _("Ange engångskoden."),
            "min_length": _("Koden har sex siffror."),
            "max_length": _("Koden har sex siffror."),
        },
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("Koden består bara av siffror."))
        return token
