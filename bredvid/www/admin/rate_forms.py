"""Forms for the rate tables and lönearter. Shapes only; `bredvid.payments.services` decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bredvid.payments.models import Rounding


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("År"), min_value=2000, max_value=2100)
    prisbasbelopp = forms.DecimalField(
        label=_("Prisbasbelopp (kronor)"),
        required=False,
        min_value=1,
        max_digits=9,
        decimal_places=2,
        help_text=_(
            "Lämna tomt för ett år vars prisbasbelopp redan är känt (2025: 58 800 kr, 2026: 59 200 kr)."
        ),
    )


class TableForm(forms.Form):
    prisbasbelopp = forms.DecimalField(
        label=_("Prisbasbelopp (kronor)"), min_value=1, max_digits=9, decimal_places=2
    )
    rounding = forms.ChoiceField(label=_("Avrundning av belopp räknade ur procent"), choices=Rounding.choices)
    note = forms.CharField(
        label=_("Anteckning"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RateForm(forms.Form):
    value = forms.DecimalField(
        label=_("Värde"),
        required=False,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        help_text=_("Procent eller kronor som raden anger. Lämna tomt om kommunen inte har beslutat."),
    )
    note = forms.CharField(label=_("Anteckning, t.ex. beslut och datum"), required=False, max_length=300)


class WageTypeForm(forms.Form):
    code = forms.CharField(label=_("Löneart"), max_length=10)
    name = forms.CharField(label=_("Benämning"), required=False, max_length=60)
