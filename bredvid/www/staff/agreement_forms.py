"""Forms for agreements: the terms of a new version, signing, a paper signature (shapes only)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bredvid.agreements.models import Signature
from bredvid.agreements.terms import Terms
from bredvid.assignments.models import ScopeUnit
from bredvid.core.date_bounds import PLAN, RECEIPT
from bredvid.www.staff.casework_forms import date_field, text_field

PER = [("month", _("per månad")), ("day", _("per dygn"))]


def _money(label: str, required: bool = False) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
    )


class TermsForm(forms.Form):
    start_on = date_field(_("Uppdraget börjar"), kind=PLAN)
    end_on = date_field(_("Uppdraget slutar"), required=False, kind=PLAN, help_text=_("Tomt: tills vidare."))
    scope_unit = forms.ChoiceField(
        label=_("Omfattning avser"), required=False, choices=[("", _("Välj")), *ScopeUnit.choices]
    )
    planned_per_month = forms.DecimalField(
        label=_("Planerad omfattning per månad"), required=False, min_value=0, max_digits=5, decimal_places=1
    )
    fee_level = forms.CharField(label=_("Arvodesnivå"), max_length=24, required=False)
    fee_amount = _money(_("Arvode (kr)"))
    fee_per = forms.ChoiceField(label=_("Arvodet gäller"), choices=PER)
    allowance_level = forms.CharField(label=_("Omkostnadsnivå"), max_length=24, required=False)
    allowance_amount = _money(_("Omkostnadsersättning (kr)"))
    allowance_per = forms.ChoiceField(label=_("Omkostnaden gäller"), choices=PER)
    child_allowance_deduction = _money(_("Avdrag för barnbidrag per månad (kr)"))
    notice_days = forms.IntegerField(label=_("Uppsägningstid (dagar)"), min_value=0, max_value=365)
    special_terms = text_field(_("Särskilda villkor"), required=False, max_length=5000)
    change_note = forms.CharField(
        label=_("Vad har ändrats?"),
        max_length=500,
        required=False,
        help_text=_("Krävs för en ny version av ett befintligt avtal."),
    )

    def terms(self) -> Terms:
        data = dict(self.cleaned_data)
        data.pop("change_note", None)
        data["child_allowance_deduction"] = data["child_allowance_deduction"] or 0
        return Terms(**data)


class SignForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Jag har läst avtalet och skriver under det för kommunen"),
        error_messages={"required": _("Bekräfta att du skriver under.")},
    )


class PaperSignatureForm(forms.Form):
    party = forms.ChoiceField(label=_("Part"), choices=Signature.Party.choices, widget=forms.RadioSelect)
    paper_signed_on = date_field(_("Underskrivet den"), kind=RECEIPT)
    signer_name = forms.CharField(label=_("Namn på underskriften"), max_length=200, required=False)

    def __init__(self, *args: Any, parties: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["party"]
        field.choices = [c for c in Signature.Party.choices if c[0] in parties]  # type: ignore[attr-defined]
