from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bredvid.audit.models import Action
from bredvid.core.date_bounds import EVENT, bounded
from bredvid.people.models import Person, ProtectionLevel

IDENTITY_CHOICES = [
    ("auto", _("Personnummer eller samordningsnummer")),
    ("reserve", _("Reservnummer")),
]


class PersonForm(forms.ModelForm):
    identity_choice = forms.ChoiceField(
        label=_("Typ av nummer"), choices=IDENTITY_CHOICES, widget=forms.RadioSelect, initial="auto"
    )

    class Meta:
        model = Person
        fields = [
            "identity_number",
            "birth_date",
            "first_name",
            "last_name",
            "street_address",
            "postal_code",
            "city",
            "phone",
            "email",
            "languages",
            "needs_interpreter",
            "protection_level",
        ]
        widgets = {"birth_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        help_texts = {
            "identity_number": _("ÅÅÅÅMMDD-NNNN. Födelsedatumet hämtas ur numret."),
            "birth_date": _("Behövs bara för reservnummer."),
        }

    def __init__(self, *args: Any, show_address: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["birth_date"].required = False
        if self.instance.pk and self.instance.identity_kind == "reserve":
            self.fields["identity_choice"].initial = "reserve"
        if not show_address:
            for name in ("street_address", "postal_code", "city"):
                del self.fields[name]

    def clean_postal_code(self) -> str:
        value = (self.cleaned_data.get("postal_code") or "").replace(" ", "")
        if value and (len(value) != 5 or not value.isdigit()):
            raise forms.ValidationError(_("Postnumret har fem siffror, till exempel 123 45."))
        return f"{value[:3]} {value[3:]}" if value else ""

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.fields}
        data["identity_kind"] = (
            "reserve" if self.cleaned_data["identity_choice"] == "reserve" else "personnummer"
        )
        return data

    def _post_clean(self) -> None:
        # The model's own validation runs in the service (one rule set for pages and API).
        pass


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl till att du öppnar uppgifterna"),
        help_text=_("Personen har skyddade personuppgifter. Skälet loggas och granskas."),
        min_length=5,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": _("Ange varför du behöver öppna uppgifterna."),
            "min_length": _("Skriv ett skäl med minst fem tecken."),
        },
    )


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Sök på namn eller identitetsnummer"), required=False, max_length=100, strip=True
    )


class AuditSearchForm(forms.Form):
    person = forms.CharField(
        label=_("Person (identitetsnummer)"), required=False, max_length=20, help_text=_("ÅÅÅÅMMDD-NNNN")
    )
    user = forms.CharField(label=_("Användare"), required=False, max_length=150)
    action = forms.ChoiceField(
        label=_("Händelse"), required=False, choices=[("", _("Alla")), *Action.choices]
    )
    date_from = forms.DateField(
        label=_("Från och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=bounded(EVENT),
    )
    date_to = forms.DateField(
        label=_("Till och med"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        validators=bounded(EVENT),
    )
    protected_only = forms.BooleanField(label=_("Bara personer med skyddade personuppgifter"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("Slutdatumet ligger före startdatumet."))
        return data


PROTECTED_LEVELS = [level for level in ProtectionLevel.values if level != ProtectionLevel.NONE]
