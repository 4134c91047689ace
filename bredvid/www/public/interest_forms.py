"""The public interest registration form (intresseanmälan): who wants to become a kontaktperson,
kontaktfamilj, familjehem or jourhem. Validated here with a Swedish message per field; the service
(`bredvid.supporters.services.register_interest`) checks again and stores it."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bredvid.core.choices import SupportKind
from bredvid.people.validators import UNPRINTABLE, has_unprintable
from bredvid.supporters.models import check_children_ages
from bredvid.www.public.protection import ProtectedForm

#: The supports a person can offer from the public form.
PUBLIC_SUPPORTS = [
    (kind.value, kind.label)
    for kind in (
        SupportKind.KONTAKTPERSON,
        SupportKind.KONTAKTFAMILJ,
        SupportKind.FAMILJEHEM,
        SupportKind.JOURHEM,
    )
]
#: The processing notice shown next to the consent box; the text shown is stored with the registration.
NOTICE = _(
    "Socialnämnden behandlar uppgifterna i anmälan för att kontakta dig och utreda om du kan bli "
    "uppdragstagare (dataskyddsförordningen artikel 6.1 e). Uppgifterna omfattas av sekretess, läses "
    "bara av de som arbetar med uppdragstagare och gallras om anmälan inte leder till ett uppdrag."
)
POSTAL_CODE = re.compile(r"^(\d{3}) ?(\d{2})$")
PHONE = re.compile(r"^\+?[0-9 ()-]{6,30}$")
AGES_SEPARATOR = re.compile(r"[,;\s]+")


def printable(value: str) -> None:
    if has_unprintable(value):
        raise ValidationError(UNPRINTABLE, code="unprintable")


def _line(
    label: str, max_length: int, *, required: bool = True, missing: str = "", **kwargs: Any
) -> forms.CharField:
    """A one-line text field: printable characters only, `missing` the message when it is left empty."""
    messages = {"max_length": _("Skriv högst %(limit_value)d tecken.")}
    if missing:
        messages["required"] = missing
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[printable],
        error_messages=messages,
        **kwargs,
    )


class InterestForm(ProtectedForm):
    supports = forms.MultipleChoiceField(
        label=_("Vad är du intresserad av?"),
        help_text=_("Välj ett eller flera."),
        choices=PUBLIC_SUPPORTS,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Välj minst ett uppdrag."),
            "invalid_choice": _("Välj bland uppdragen i listan."),
        },
    )
    adults = forms.IntegerField(
        label=_("Hur många vuxna bor i hushållet?"),
        help_text=_("Räkna med dig själv."),
        min_value=1,
        max_value=20,
        error_messages={
            "required": _("Ange hur många vuxna som bor i hushållet."),
            "invalid": _("Ange antalet vuxna med siffror, till exempel 2."),
            "min_value": _("Ange minst 1 vuxen."),
            "max_value": _("Ange högst 20 vuxna."),
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "spellcheck": "false"}),
    )
    children_ages = _line(
        _("Åldrar på barn som bor hemma"),
        200,
        required=False,
        help_text=_(
            "Skriv barnens åldrar med kommatecken emellan, till exempel 4, 9. "
            "Lämna tomt om inga barn bor hemma."
        ),
    )
    first_name = _line(_("Förnamn"), 100, missing=_("Ange ditt förnamn."))
    last_name = _line(_("Efternamn"), 100, missing=_("Ange ditt efternamn."))
    email = forms.EmailField(
        label=_("E-post"),
        required=False,
        max_length=254,
        help_text=_("Ange e-post, telefon eller båda. Till e-posten skickar vi en bekräftelse."),
        error_messages={"invalid": _("Ange en e-postadress i rätt format, till exempel namn@example.se.")},
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )
    phone = _line(
        _("Telefon"), 30, required=False, widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"})
    )
    street_address = _line(
        _("Gatuadress"),
        200,
        missing=_("Ange din gatuadress."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    postal_code = _line(
        _("Postnummer"),
        6,
        missing=_("Ange ditt postnummer."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}),
    )
    city = _line(
        _("Ort"),
        100,
        missing=_("Ange din ort."),
        widget=forms.TextInput(attrs={"autocomplete": "address-level2"}),
    )
    area = _line(_("Område eller stadsdel"), 100, required=False, help_text=_("Var i kommunen du bor."))
    languages = _line(
        _("Språk du talar"), 200, required=False, help_text=_("Till exempel svenska, arabiska.")
    )
    message = forms.CharField(
        label=_("Vill du berätta något mer?"),
        required=False,
        max_length=5000,
        help_text=_("Till exempel erfarenhet, intressen eller när du har tid."),
        error_messages={"max_length": _("Skriv högst %(limit_value)d tecken.")},
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    consent = forms.BooleanField(
        label=_("Jag har läst informationen om hur mina personuppgifter behandlas"),
        error_messages={"required": _("Bekräfta att du har läst informationen om personuppgifter.")},
    )

    def clean_children_ages(self) -> list[int]:
        text = self.cleaned_data.get("children_ages", "").strip(" ,;")
        if not text:
            return []
        parts = AGES_SEPARATOR.split(text)
        if not all(part.isascii() and part.isdigit() and len(part) <= 3 for part in parts):
            raise ValidationError(
                _("Skriv åldrarna som heltal med kommatecken emellan, till exempel 4, 9."), code="invalid"
            )
        ages = [int(part) for part in parts]
        check_children_ages(ages)  # how many, and each CHILD_AGE_MIN..CHILD_AGE_MAX
        return ages

    def clean_postal_code(self) -> str:
        match = POSTAL_CODE.match(self.cleaned_data.get("postal_code", "").strip())
        if match is None:
            raise ValidationError(_("Ange postnumret med fem siffror, till exempel 123 45."), code="invalid")
        return f"{match[1]} {match[2]}"

    def clean_phone(self) -> str:
        phone = self.cleaned_data.get("phone", "").strip()
        if phone and (PHONE.match(phone) is None or sum(char.isdigit() for char in phone) < 6):
            raise ValidationError(
                _("Ange telefonnumret med siffror, till exempel 070-123 45 67."), code="invalid"
            )
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if "email" in data and "phone" in data and not (data["email"] or data["phone"]):
            self.add_error("email", _("Ange telefon eller e-post så att vi kan nå dig."))
        return data

    def registration_data(self) -> dict[str, Any]:
        """The cleaned values under the names `register_interest` takes."""
        data = dict(self.cleaned_data)
        for name in ("consent", "webbplats"):
            data.pop(name, None)
        return data
