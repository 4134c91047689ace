"""Forms for casework actions. Validation of rules lives in the services; these check shapes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bredvid.casework.models import (
    Application,
    ConcernReport,
    Consent,
    Decision,
    PlacementEvent,
    Plan,
)
from bredvid.core.choices import SupportKind
from bredvid.core.date_bounds import EVENT, PLAN, RECEIPT, bounded

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
TEXT = forms.Textarea(attrs={"rows": 4})


def date_field(label: str, required: bool = True, *, kind: str, **kwargs: Any) -> forms.DateField:
    """A date input; `kind` names its plausible range in core/date_bounds.py (checked next to the field)."""
    return forms.DateField(label=label, required=required, widget=DATE, validators=bounded(kind), **kwargs)


def datetime_field(label: str, *, kind: str, **kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(label=label, widget=DATETIME, validators=bounded(kind), **kwargs)


def text_field(label: str, required: bool = True, max_length: int = 10_000, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, required=required, max_length=max_length, widget=TEXT, **kwargs)


class OpenCaseForm(forms.Form):
    identity_number = forms.CharField(
        label=_("Klientens identitetsnummer"),
        max_length=20,
        help_text=_("Personen måste vara registrerad. ÅÅÅÅMMDD-NNNN."),
    )
    unit = forms.ChoiceField(label=_("Enhet"))
    opened_on = date_field(_("Datum"), kind=EVENT)

    def __init__(self, *args: Any, units: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(str(u.pk), u.name) for u in units]


class ApplicationForm(forms.Form):
    received_on = date_field(_("Ansökan inkom"), kind=RECEIPT)
    form = forms.ChoiceField(label=_("Form"), choices=Application.Form.choices, widget=forms.RadioSelect)
    applicant = forms.ChoiceField(
        label=_("Sökande"), choices=Application.Applicant.choices, widget=forms.RadioSelect
    )
    support_kind = forms.ChoiceField(label=_("Insats som söks"), choices=SupportKind.choices)
    description = text_field(_("Vad ansökan gäller"), required=False)
    child_consent_reason = text_field(
        _("Skäl till att barnets eget samtycke räcker"),
        required=False,
        help_text=_("Bara för barn 12–14 år (SoL 21 kap. 1 §)."),
    )


class ConsentForm(forms.Form):
    giver = forms.ChoiceField(
        label=_("Samtycke från"), choices=Consent.Giver.choices, widget=forms.RadioSelect
    )
    guardian = forms.ChoiceField(label=_("Vårdnadshavare"), required=False)
    given_on = date_field(_("Datum"), kind=RECEIPT)
    note = forms.CharField(label=_("Anteckning"), required=False, max_length=500)

    def __init__(self, *args: Any, guardians: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guardian"].choices = [("", _("Välj"))] + [(str(g.pk), g.full_name) for g in guardians]


class ConcernReportForm(forms.Form):
    received_at = datetime_field(_("Anmälan inkom (datum och tid)"), kind=RECEIPT)
    reporter = forms.ChoiceField(label=_("Anmälare"), choices=ConcernReport.Reporter.choices)
    reporter_name = forms.CharField(label=_("Anmälarens namn"), required=False, max_length=200)
    content = text_field(_("Anmälans innehåll"))


class ProtectionAssessmentForm(forms.Form):
    assessed_at = datetime_field(_("Skyddsbedömningen gjord (datum och tid)"), kind=RECEIPT)
    assessment = text_field(_("Skyddsbedömning"))
    immediate = forms.BooleanField(label=_("Barnet behöver omedelbart skydd"), required=False)


class PreliminaryAssessmentForm(forms.Form):
    decided_on = date_field(_("Beslutsdatum"), kind=EVENT)
    outcome = forms.ChoiceField(
        label=_("Bedömning"), choices=ConcernReport.Outcome.choices, widget=forms.RadioSelect
    )
    reasons = text_field(_("Skäl"))


class StartInvestigationForm(forms.Form):
    started_on = date_field(_("Utredningen inleds"), kind=EVENT)


class InvestigationForm(forms.Form):
    child_needs = text_field(_("Barnets behov"), required=False)
    parents_capacity = text_field(_("Föräldrarnas förmåga"), required=False)
    family_environment = text_field(_("Familj och miljö"), required=False)
    child_view = text_field(_("Barnets egen syn"), required=False)


class ExtensionForm(forms.Form):
    until = date_field(_("Förlängd till"), kind=PLAN)
    reason = text_field(_("Särskilda skäl"))
    decided_on = date_field(_("Beslutsdatum"), kind=EVENT)


class ConcludeInvestigationForm(forms.Form):
    concluded_on = date_field(_("Avslutad"), kind=EVENT)
    conclusion = text_field(_("Slutsats"))


class DecisionForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Beslut"), choices=Decision.Outcome.choices, widget=forms.RadioSelect)
    legal_basis = forms.ChoiceField(label=_("Lagrum"), choices=Decision.LegalBasis.choices)
    support_kind = forms.ChoiceField(label=_("Insats"), choices=SupportKind.choices)
    scope_amount = forms.DecimalField(
        label=_("Omfattning"), required=False, min_value=0, max_digits=6, decimal_places=1
    )
    scope_unit = forms.ChoiceField(
        label=_("Enhet för omfattningen"),
        required=False,
        choices=[("", _("Välj")), *Decision.ScopeUnit.choices],
    )
    period_start = date_field(_("Gäller från"), kind=PLAN)
    period_end = date_field(_("Gäller till"), required=False, kind=PLAN)
    reasons = text_field(_("Motivering"))


class DecideForm(forms.Form):
    decided_on = date_field(_("Beslutsdatum"), kind=EVENT)


class ExecuteForm(forms.Form):
    executed_on = date_field(_("Verkställd"), kind=EVENT)


class DelayReasonForm(forms.Form):
    reason = text_field(
        _("Skäl till att insatsen inte verkställts"), help_text=_("Redovisas till IVO efter tre månader.")
    )


class PauseForm(forms.Form):
    paused_on = date_field(_("Vilande från"), kind=EVENT)
    reason = text_field(_("Skäl"))
    planned_resume_on = date_field(_("Planerad återupptagning"), required=False, kind=PLAN)


class ResumeForm(forms.Form):
    resumed_on = date_field(_("Återupptagen"), kind=EVENT)


class EndInterventionForm(forms.Form):
    ended_on = date_field(_("Avslutad"), kind=EVENT)
    reason = text_field(_("Skäl till avslut"))


class PlanForm(forms.Form):
    kind = forms.ChoiceField(label=_("Plan"), choices=Plan.Kind.choices, widget=forms.RadioSelect)
    version_on = date_field(_("Datum"), kind=EVENT)
    goals = text_field(_("Mål"))
    actions = text_field(_("Vad som ska göras, när och hur"))
    follow_up = text_field(_("Uppföljning (datum och hur)"))
    next_follow_up_on = date_field(_("Nästa uppföljning"), required=False, kind=PLAN)
    contact_arrangements = text_field(_("Umgänge och kontakter"), required=False)
    child_view = text_field(_("Barnets synpunkter"), required=False)
    guardians_view = text_field(_("Vårdnadshavarnas synpunkter"), required=False)


class PlacementEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Typ"), choices=PlacementEvent.Kind.choices, widget=forms.RadioSelect)
    occurred_on = date_field(_("Datum"), kind=EVENT)
    private_talk = forms.BooleanField(label=_("Enskilt samtal med barnet"), required=False)
    notes = text_field(_("Anteckning"), required=False)


class FollowUpForm(forms.Form):
    started_on = date_field(_("Påbörjad"), kind=EVENT)
    notes = text_field(_("Anteckning"), required=False)


class EndFollowUpForm(forms.Form):
    ended_on = date_field(_("Avslutad"), kind=EVENT)
    notes = text_field(_("Anteckning"), required=False)


class JournalForm(forms.Form):
    occurred_on = date_field(_("Händelsedatum"), kind=EVENT)
    title = forms.CharField(label=_("Rubrik"), max_length=200)
    text = text_field(_("Anteckning"))


class ConfirmForm(forms.Form):
    """Actions without fields (sign, close): the button is the confirmation."""


class CloseCaseForm(forms.Form):
    closed_on = date_field(_("Avslutat"), kind=EVENT)


class ShareCaseForm(forms.Form):
    """Share the case with a named caseworker or manager of another unit of the municipality."""

    user = forms.ChoiceField(label=_("Kollega"))
    reason = forms.CharField(
        label=_("Skäl"),
        max_length=200,
        help_text=_("Till exempel: ersätter ansvarig handläggare under semester."),
    )

    def __init__(self, *args: Any, colleagues: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.colleagues = {str(user.pk): user for user in colleagues}
        self.fields["user"].choices = [("", _("Välj kollega"))] + [
            (str(user.pk), user.display_name) for user in colleagues
        ]

    def clean_user(self) -> Any:
        return self.colleagues[self.cleaned_data["user"]]
