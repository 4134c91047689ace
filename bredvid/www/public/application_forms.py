"""The public application form: one page, every field shown (no JavaScript needed); which fields are
required depends on who applies and how they want to be contacted (checked in `clean`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bredvid.casework.models import Application, EApplication
from bredvid.core.choices import SupportKind
from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.people.validators import UNPRINTABLE, has_unprintable
from bredvid.www.public.protection import ProtectedForm

YES_NO = (("ja", _("Ja")), ("nej", _("Nej")))
NAMES = ("first_name", "last_name", "applicant_first_name", "applicant_last_name", "second_guardian_name")


def _text(label: Any, max_length: int, **kwargs: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=max_length, required=False, **kwargs)


class ApplicationForm(ProtectedForm):
    applicant_kind = forms.ChoiceField(
        label=_("Vem ansöker?"), choices=Application.Applicant.choices, widget=forms.RadioSelect
    )
    first_name = _text(_("Förnamn"), 100)
    last_name = _text(_("Efternamn"), 100)
    identity_number = _text(_("Personnummer"), 20, help_text=_("ÅÅÅÅMMDD-NNNN"))
    applicant_first_name = _text(_("Ditt förnamn"), 100)
    applicant_last_name = _text(_("Ditt efternamn"), 100)
    applicant_identity_number = _text(_("Ditt personnummer"), 20, help_text=_("ÅÅÅÅMMDD-NNNN"))
    joint_custody = forms.ChoiceField(
        label=_("Har barnet två vårdnadshavare (gemensam vårdnad)?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        required=False,
    )
    second_guardian_name = _text(_("Den andra vårdnadshavarens namn"), 200)
    second_guardian_email = forms.EmailField(
        label=_("Den andra vårdnadshavarens e-postadress"),
        required=False,
        help_text=_("Dit skickar vi en länk så att den andra vårdnadshavaren kan samtycka."),
    )
    support_kind = forms.ChoiceField(
        label=_("Vilket stöd söker du?"), choices=SupportKind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("Beskriv kort vad du behöver hjälp med"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    contact_by = forms.ChoiceField(
        label=_("Hur vill du bli kontaktad?"),
        choices=EApplication.ContactBy.choices,
        widget=forms.RadioSelect,
    )
    contact_times = _text(
        _("När passar det att vi hör av oss?"), 200, help_text=_("Till exempel: vardagar efter 15.")
    )
    phone = _text(_("Telefonnummer"), 30)
    email = forms.EmailField(label=_("E-postadress"), required=False)
    street_address = _text(_("Gatuadress"), 200)
    postal_code = _text(_("Postnummer"), 6)
    city = _text(_("Ort"), 100)
    do_not_call = forms.BooleanField(
        label=_("Ring inte till mig"),
        required=False,
        help_text=_("Till exempel om ett samtal kan utsätta dig för fara."),
    )
    do_not_send_post = forms.BooleanField(
        label=_("Skicka inte post till mig"),
        required=False,
        help_text=_("Till exempel om någon annan läser din post."),
    )

    def __init__(self, *args: Any, verified: str = "", **kwargs: Any) -> None:
        """`verified`: the applicant's own identity number from a sign-in with e-legitimation. It is
        shown read-only and used; a typed number for the applicant is ignored (never asked for)."""
        super().__init__(*args, **kwargs)
        self.verified = verified
        if verified:
            del self.fields["applicant_identity_number"]
            self.fields["identity_number"].label = _("Barnets personnummer")
            self.fields["identity_number"].help_text = _(
                "Bara om du ansöker för ditt barn (ÅÅÅÅMMDD-NNNN). Ansöker du för egen del används "
                "personnumret från din e-legitimation."
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.verified:
            if data.get("applicant_kind") == Application.Applicant.GUARDIANS:
                data["applicant_identity_number"] = self.verified
            else:
                self.errors.pop("identity_number", None)
                data["identity_number"] = self.verified
        for name in NAMES:
            if has_unprintable(data.get(name) or ""):
                self.add_error(name, UNPRINTABLE)
        for name in ("identity_number", "applicant_identity_number"):
            value = data.get(name) or ""
            if value:
                try:
                    parse_identity_number(value)
                except InvalidIdentityNumber as exc:
                    self.add_error(name, str(exc))
        self._require(data, "first_name", _("Ange förnamn."))
        self._require(data, "last_name", _("Ange efternamn."))
        self._require(data, "identity_number", _("Ange personnummer."))
        if data.get("applicant_kind") == Application.Applicant.GUARDIANS:
            self._require(data, "applicant_first_name", _("Ange ditt förnamn."))
            self._require(data, "applicant_last_name", _("Ange ditt efternamn."))
            self._require(data, "applicant_identity_number", _("Ange ditt personnummer."))
            self._require(data, "joint_custody", _("Svara på om barnet har två vårdnadshavare."))
            if data.get("joint_custody") == "ja":
                self._require(data, "second_guardian_name", _("Ange den andra vårdnadshavarens namn."))
                self._require(
                    data, "second_guardian_email", _("Ange den andra vårdnadshavarens e-postadress.")
                )
        self._contact(data)
        return data

    def _contact(self, data: dict[str, Any]) -> None:
        way = data.get("contact_by")
        if way == EApplication.ContactBy.PHONE:
            if data.get("do_not_call"):
                self.add_error("contact_by", _("Du har valt att vi inte ska ringa: välj ett annat sätt."))
            self._require(data, "phone", _("Ange ett telefonnummer."))
        elif way == EApplication.ContactBy.EMAIL:
            self._require(data, "email", _("Ange en e-postadress."))
        elif way == EApplication.ContactBy.POST:
            if data.get("do_not_send_post"):
                self.add_error(
                    "contact_by", _("Du har valt att vi inte ska skicka post: välj ett annat sätt.")
                )
            self._require(data, "street_address", _("Ange gatuadress."))
            self._require(data, "postal_code", _("Ange postnummer."))
            self._require(data, "city", _("Ange ort."))

    def _require(self, data: dict[str, Any], name: str, message: Any) -> None:
        if not data.get(name) and name not in self.errors:
            self.add_error(name, message)

    def submission(self) -> dict[str, Any]:
        """The cleaned data as the service takes it."""
        data = {name: value for name, value in self.cleaned_data.items() if name != "webbplats"}
        data["joint_custody"] = data.get("joint_custody") == "ja"
        return data


class ConfirmForm(ProtectedForm):
    """The second guardian's confirmation: one button."""
