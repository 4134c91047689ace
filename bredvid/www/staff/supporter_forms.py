"""Forms for the family-care unit's pages (supporters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bredvid.core.choices import SupportKind
from bredvid.core.date_bounds import EVENT, EXPIRY, PLAN, RECEIPT
from bredvid.supporters.models import AssessmentActivity, InterestRegistration, PreferredGender, RegisterCheck
from bredvid.www.staff.casework_forms import date_field, text_field

SUPPORT_CHOICES = SupportKind.choices


class SupportsField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", SUPPORT_CHOICES)
        kwargs.setdefault("error_messages", {"required": _("Välj minst ett uppdrag.")})
        super().__init__(**kwargs)


class RegistrationForm(forms.Form):
    supports = SupportsField(label=_("Intresserad av"))
    first_name = forms.CharField(label=_("Förnamn"), max_length=100)
    last_name = forms.CharField(label=_("Efternamn"), max_length=100)
    phone = forms.CharField(label=_("Telefon"), max_length=30, required=False)
    email = forms.EmailField(label=_("E-post"), required=False)
    street_address = forms.CharField(label=_("Gatuadress"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postnummer"), max_length=6, required=False)
    city = forms.CharField(label=_("Ort"), max_length=100, required=False)
    area = forms.CharField(label=_("Område"), max_length=100, required=False)
    household = text_field(_("Vilka bor i hushållet?"), required=False, max_length=2000)
    message = text_field(_("Meddelande"), required=False, max_length=5000)


class MoveRegistrationForm(forms.Form):
    to = forms.ChoiceField(
        label=_("Ny status"),
        choices=[(k, v) for k, v in InterestRegistration.Status.choices if k not in ("new", "investigating")],
        widget=forms.RadioSelect,
    )
    close_reason = forms.ChoiceField(
        label=_("Skäl (om anmälan avslutas)"),
        required=False,
        choices=[("", _("Välj")), *InterestRegistration.CloseReason.choices],
    )
    note = text_field(_("Anteckning"), required=False, max_length=2000)


class StartInvestigationForm(forms.Form):
    started_on = date_field(_("Utredningen påbörjas"), kind=EVENT)
    co_officer = forms.ChoiceField(label=_("Medutredare"), required=False)

    def __init__(self, *args: Any, officers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["co_officer"].choices = [("", _("Ingen än"))] + [
            (str(u.pk), u.display_name) for u in officers
        ]


class MemberForm(forms.Form):
    identity_number = forms.CharField(
        label=_("Identitetsnummer"), max_length=20, help_text=_("ÅÅÅÅMMDD-NNNN")
    )
    first_name = forms.CharField(
        label=_("Förnamn"),
        max_length=100,
        required=False,
        help_text=_("Behövs om personen inte redan är registrerad."),
    )
    last_name = forms.CharField(label=_("Efternamn"), max_length=100, required=False)
    adult = forms.BooleanField(label=_("Vuxen i hushållet"), required=False, initial=True)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Typ"), choices=AssessmentActivity.Kind.choices, widget=forms.RadioSelect
    )
    occurred_on = date_field(_("Datum"), kind=EVENT)
    reference_name = forms.CharField(label=_("Referensens namn"), max_length=200, required=False)
    reference_relation = forms.CharField(label=_("Relation"), max_length=100, required=False)
    notes = text_field(_("Anteckning / sammanfattning"))


class RegisterCheckForm(forms.Form):
    member = forms.ChoiceField(label=_("Vuxen i hushållet"))
    kind = forms.ChoiceField(label=_("Register"), choices=RegisterCheck.Kind.choices)
    requested_on = date_field(_("Begärd"), kind=EVENT)
    received_on = date_field(_("Mottagen"), required=False, kind=RECEIPT)
    outcome = forms.ChoiceField(label=_("Resultat"), choices=RegisterCheck.Outcome.choices)
    note = text_field(_("Bedömning"), required=False, max_length=5000)

    def __init__(self, *args: Any, members: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(str(m.pk), m.person.full_name) for m in members if m.adult]


class TrainingForm(forms.Form):
    course = forms.CharField(label=_("Utbildning"), max_length=200, initial="Ett hem att växa i")
    sessions_total = forms.IntegerField(label=_("Antal träffar"), min_value=1, max_value=50, initial=8)
    sessions_attended = forms.IntegerField(label=_("Deltagit i"), min_value=0, max_value=50)
    completed_on = date_field(_("Avslutad"), required=False, kind=EVENT)


class ConcludeForm(forms.Form):
    supports = SupportsField(label=_("Bedöms lämplig för"))
    method_notes = text_field(_("BRA-Fam eller Kälvesten"), required=False)
    conclusion = text_field(_("Sammanfattande bedömning"))


class DecideApprovalForm(forms.Form):
    decided_on = date_field(_("Beslutsdatum"), kind=EVENT)


class RejectForm(forms.Form):
    decided_on = date_field(_("Beslutsdatum"), kind=EVENT)
    reason = text_field(_("Skäl"))


class PauseSupporterForm(forms.Form):
    reason = text_field(_("Skäl"))
    until = date_field(_("Vilande till"), required=False, kind=PLAN)


class EndSupporterForm(forms.Form):
    reason = text_field(_("Skäl"))
    ended_on = date_field(_("Avslutad"), kind=EXPIRY)


class ProfileForm(forms.Form):
    children_at_once = forms.IntegerField(label=_("Antal barn samtidigt"), min_value=1, max_value=10)
    days_per_month = forms.IntegerField(label=_("Dygn per månad"), min_value=0, max_value=31, required=False)
    hours_per_week = forms.IntegerField(
        label=_("Timmar per vecka"), min_value=0, max_value=80, required=False
    )
    age_min = forms.IntegerField(label=_("Från ålder"), min_value=0, max_value=25)
    age_max = forms.IntegerField(label=_("Till ålder"), min_value=0, max_value=25)
    sibling_groups = forms.BooleanField(label=_("Kan ta emot syskon"), required=False)
    needs = forms.MultipleChoiceField(
        label=_("Behov de kan möta"), required=False, widget=forms.CheckboxSelectMultiple
    )
    languages = forms.CharField(label=_("Språk"), max_length=200, required=False)
    culture_religion = forms.CharField(label=_("Kultur och religion"), max_length=200, required=False)
    pets = forms.BooleanField(label=_("Husdjur i hemmet"), required=False)
    smoking = forms.BooleanField(label=_("Rökning i hemmet"), required=False)
    allergies = forms.CharField(label=_("Allergier i hemmet"), max_length=200, required=False)
    own_car = forms.BooleanField(label=_("Egen bil"), required=False)
    preferred_gender = forms.ChoiceField(
        label=_("Önskar ta emot"),
        choices=PreferredGender.choices,
        initial=PreferredGender.ANY,
        required=False,
    )
    wishes = text_field(_("Önskemål"), required=False)

    def __init__(self, *args: Any, needs: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = needs

    def clean_preferred_gender(self) -> str:
        return self.cleaned_data.get("preferred_gender") or PreferredGender.ANY

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            data.get("age_min") is not None
            and data.get("age_max") is not None
            and data["age_min"] > data["age_max"]
        ):
            self.add_error("age_max", _("Högsta åldern är lägre än den lägsta."))
        return data
