"""Forms for the assignment pages. They check shapes; the rules live in `assignments.services`."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bredvid.assignments.models import Assignment, Report, ScopeUnit, Supervision
from bredvid.core.date_bounds import EVENT, PLAN
from bredvid.www.staff.casework_forms import date_field, text_field

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class TermsForm(forms.Form):
    scope_unit = forms.ChoiceField(
        label=_("Omfattningen avser"), required=False, choices=[("", _("Inte angiven")), *ScopeUnit.choices]
    )
    planned_per_month = forms.DecimalField(
        label=_("Planerad omfattning per månad"),
        required=False,
        max_digits=5,
        decimal_places=1,
        help_text=_("Antal träffar, timmar eller dygn per månad. Lämnas tomt för en placering."),
    )
    fee_level = forms.CharField(
        label=_("Arvodesnivå"),
        required=False,
        max_length=24,
        help_text=_("Koden för raden i kommunens arvodestabell, till exempel kategori 1–3 eller en nivå."),
    )
    allowance_level = forms.CharField(
        label=_("Omkostnadsnivå"),
        required=False,
        max_length=24,
        help_text=_("Koden för raden i kommunens tabell för omkostnadsersättning."),
    )
    child_allowance_deduction = forms.DecimalField(
        label=_("Avdrag för barnbidrag per månad (kr)"),
        required=False,
        min_value=0,
        max_digits=8,
        decimal_places=2,
        help_text=_("Familjehem: barn- eller studiebidrag som hemmet får och som dras från omkostnaden."),
    )


class EndForm(forms.Form):
    end_on = date_field(_("Slutdatum"), kind=PLAN)
    end_reason = forms.ChoiceField(
        label=_("Skäl"), choices=Assignment.EndReason.choices, widget=forms.RadioSelect
    )


class ReportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Typ av rapport"), choices=Report.Kind.choices, widget=forms.RadioSelect)
    starts_on = date_field(_("Datum (för en vistelse: ankomstdagen)"), kind=PLAN)
    ends_on = date_field(_("Avresedag (vistelse)"), required=False, kind=PLAN)
    arrives_at = forms.TimeField(label=_("Ankomst (vistelse)"), required=False, widget=TIME)
    departs_at = forms.TimeField(label=_("Avresa (vistelse)"), required=False, widget=TIME)
    hours = forms.DecimalField(
        label=_("Timmar (träff)"), required=False, max_digits=4, decimal_places=1, min_value=0
    )
    activity = forms.CharField(label=_("Aktivitet"), required=False, max_length=200)
    note = text_field(_("Kort anteckning"), required=False, max_length=2000)


class ReturnForm(forms.Form):
    comment = text_field(
        _("Vad behöver rättas?"),
        max_length=2000,
        error_messages={"required": _("Skriv vad som behöver rättas.")},
    )


class ConfirmForm(forms.Form):
    """A button only: the action needs no input."""


class SupervisionForm(forms.Form):
    held_on = date_field(_("Datum"), kind=EVENT)
    form = forms.ChoiceField(label=_("Form"), choices=Supervision.Form.choices, widget=forms.RadioSelect)
    text = text_field(_("Anteckning"), max_length=10_000)
