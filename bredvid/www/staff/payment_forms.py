"""Forms of the payment pages. Shapes only; `bredvid.payments.services` decides."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthForm(forms.Form):
    period = forms.CharField(
        label=_("Månad"),
        max_length=7,
        help_text=_("Som ÅÅÅÅ-MM, till exempel 2026-03."),
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "off", "class": "govuk-input--width-5"}
        ),
    )

    def clean_period(self) -> dt.date:
        text = self.cleaned_data["period"].strip()
        match = _MONTH.match(text)
        if not match or not 1 <= int(match.group(2)) <= 12 or not 2000 <= int(match.group(1)) <= 2100:
            raise forms.ValidationError(_("Ange månaden som ÅÅÅÅ-MM, till exempel 2026-03."))
        month = dt.date(int(match.group(1)), int(match.group(2)), 1)
        if month > timezone.localdate():
            raise forms.ValidationError(_("Månaden har inte börjat än."))
        return month


class ConfirmForm(forms.Form):
    """No fields: the button confirms."""
