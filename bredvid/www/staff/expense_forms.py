"""Forms for expenses, trips and purchase requests on an assignment (shapes only; rules in the services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bredvid.core.date_bounds import PLAN
from bredvid.core.uploads import UPLOAD_MAX_BYTES
from bredvid.www.staff.casework_forms import date_field, text_field

ACCEPT = "application/pdf,image/jpeg,image/png,image/heic,image/heif,.heic,.heif"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ReceiptsField(forms.FileField):
    """One or more files (Django's documented pattern for several files in one input)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault(
            "help_text",
            _("PDF, JPEG, PNG eller HEIC, högst %(mb)s MB per fil. Platsuppgifter i bilder tas bort.")
            % {"mb": UPLOAD_MAX_BYTES // (1024 * 1024)},
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def amount_field(label: str, **kwargs: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0.01,
        max_digits=10,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "class": "govuk-input--width-10"}),
        **kwargs,
    )


class ExpenseForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Typ"),
        choices=[("expense", _("Utlägg")), ("trip", _("Resa"))],
        widget=forms.RadioSelect,
    )
    description = forms.CharField(label=_("Vad gäller det?"), max_length=300)
    incurred_on = date_field(_("Datum"), kind=PLAN)
    amount = amount_field(_("Belopp (kr)"))
    files = ReceiptsField(label=_("Kvitton"), required=False)


class PurchaseForm(forms.Form):
    description = forms.CharField(label=_("Vad ska köpas?"), max_length=300)
    incurred_on = date_field(_("Planerat datum för inköpet"), kind=PLAN)
    requested_amount = amount_field(_("Begärt belopp (kr)"))


class ApproveForm(forms.Form):
    """For a purchase: the amount approved (empty: the amount asked). Other kinds: a confirmation."""

    approved_amount = amount_field(_("Godkänt belopp (kr)"), required=False)

    def __init__(self, *args: Any, purchase: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not purchase:
            del self.fields["approved_amount"]


class RejectForm(forms.Form):
    reason = text_field(_("Skäl"), max_length=2000)


class SettleForm(forms.Form):
    amount = amount_field(_("Belopp på kvittot (kr)"))
    files = ReceiptsField(label=_("Kvitton"))
