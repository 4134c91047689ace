"""Forms of the municipality's administration pages. The services validate again and decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from bredvid.core.markdown import MAX_LENGTH
from bredvid.tenancy.context import Tenant
from bredvid.tenancy.models import CASE_ACCESS_MUNICIPALITY, CASE_ACCESS_UNITS, Role, Unit


class _UnitChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


def _unit_field(tenant: Tenant) -> forms.ModelChoiceField:
    return _UnitChoice(
        label=_("Enhet"),
        queryset=Unit.objects.visible_to(tenant).filter(active=True).order_by("name"),
        empty_label=None,
        error_messages={"invalid_choice": _("Välj en enhet i kommunen.")},
    )


class RoleForm(forms.Form):
    """A role in a unit of the administrator's own municipality (no other unit is offered or accepted)."""

    role = forms.ChoiceField(label=_("Roll"), choices=Role.choices)

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields = {"unit": _unit_field(tenant), **self.fields}


class InviteForm(RoleForm):
    email = forms.EmailField(label=_("E-postadress"), max_length=254)
    first_name = forms.CharField(
        label=_("Förnamn"), max_length=150, required=False, help_text=_("Behövs när personen saknar konto.")
    )
    last_name = forms.CharField(label=_("Efternamn"), max_length=150, required=False)

    field_order = ["email", "first_name", "last_name", "unit", "role"]

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, tenant=tenant, **kwargs)
        self.order_fields(self.field_order)


class ConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Ja, jag vill göra det här"),
        error_messages={"required": _("Bekräfta att du vill göra det här.")},
    )


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=150)
    caseworker_may_decide = forms.BooleanField(
        label=_("Handläggarna får fatta beslut"),
        required=False,
        help_text=_("Enligt delegationsordningen; annars föreslår handläggaren och enhetschefen beslutar."),
    )


class SettingsForm(forms.Form):
    register_check_valid_months = forms.IntegerField(
        label=_("Registerutdrag gäller (månader)"),
        min_value=1,
        max_value=60,
        help_text=_("Hur länge ett utdrag ur belastnings- eller misstankeregistret räknas som giltigt."),
    )
    report_overdue_days = forms.IntegerField(
        label=_("Påminnelse om rapporter (dagar)"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_(
            "Ett uppdrag med planerade träffar eller vistelser visas under Att göra "
            "när inget har rapporterats på så många dagar."
        ),
    )
    case_access = forms.ChoiceField(
        label=_("Vem ser ärendena"),
        widget=forms.RadioSelect,
        choices=[
            (CASE_ACCESS_UNITS, _("Personalen på ärendets enhet och de som ärendet delats med")),
            (CASE_ACCESS_MUNICIPALITY, _("All personal med roll i handläggningen")),
        ],
    )
    public_phone = forms.CharField(label=_("Telefon"), max_length=40, required=False)
    public_email = forms.EmailField(label=_("E-post"), required=False)
    public_address = forms.CharField(
        label=_("Besöksadress"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    opening_hours = forms.CharField(
        label=_("Öppettider"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    colour = forms.CharField(
        label=_("Färg"),
        max_length=7,
        required=False,
        validators=[
            RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Ange färgen som #rrggbb, till exempel #1d70b8."))
        ],
        help_text=_("Som #rrggbb, till exempel #1d70b8."),
    )
    logo = forms.FileField(
        label=_("Ny logotyp"),
        required=False,
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
        help_text=_("PNG eller JPEG, högst 1 MB."),
    )
    remove_logo = forms.BooleanField(label=_("Ta bort logotypen"), required=False)
    publishes_site = forms.BooleanField(
        label=_("Visa kommunens publika webbplats"),
        required=False,
        help_text=_("Sidorna om stöden, formulären och kommunen i listan över kommuner."),
    )
    uses_skolfam = forms.BooleanField(
        label=_("Kommunen arbetar med Skolfam"), required=False, help_text=_("Visar sidan om Skolfam.")
    )


class PublicTextForm(forms.Form):
    markdown = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 20, "spellcheck": "true"}),
        max_length=MAX_LENGTH,
        error_messages={
            "required": _("Skriv en text, eller återställ standardtexten."),
            "max_length": _("Texten får vara högst 20 000 tecken."),
        },
        help_text=_(
            "Markdown: ## Rubrik, tom rad mellan stycken, - punktlista, 1. numrerad lista, **fetstil**, "
            "*kursiv*, [länktext](https://adress), > citat. {kommun} ersätts med kommunens namn. "
            "Bilder, skript och HTML tas bort."
        ),
    )
