"""Forms for the matching pages. They check shapes (and look up coordinates); the rules live in
bredvid.matching.services, whose errors the views put next to these fields."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bredvid.core.date_bounds import PLAN
from bredvid.matching.models import DEFAULT_MAX_KM, Offer, SupportRequest
from bredvid.matching.services import REQUEST_FIELDS
from bredvid.supporters.geo import locate
from bredvid.www.staff.casework_forms import date_field, text_field

WEIGHT_FIELDS = ("needs", "languages", "culture", "distance", "experience", "wishes")
NUMBER = {"invalid": _("Ange ett tal.")}
WHOLE_NUMBER = {"invalid": _("Ange ett heltal.")}


def _coordinate(label: Any) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=False,
        localize=True,
        error_messages=NUMBER,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


def _coordinates(
    form: forms.Form, name_field: str, lat_field: str, lon_field: str
) -> tuple[float, float] | None:
    """Entered latitude and longitude win; otherwise the locality's coordinates. None with errors set."""
    data = form.cleaned_data
    lat, lon = data.get(lat_field), data.get(lon_field)
    if lat_field in form.errors or lon_field in form.errors:
        return None
    if lat is not None and lon is not None:
        return lat, lon
    if lat is not None or lon is not None:
        missing = lon_field if lon is None else lat_field
        form.add_error(missing, _("Ange både latitud och longitud, eller ingen av dem."))
        return None
    name = (data.get(name_field) or "").strip()
    if name and (point := locate(name)):
        return point
    if name_field not in form.errors:
        message = _("Ange en ort, eller latitud och longitud.")
        if name:
            message = _(
                "Orten %(name)s finns inte i ortsregistret. Ange en annan ort, eller latitud och longitud."
            )
        form.add_error(name_field, message % {"name": name} if name else message)
    return None


class RequestForm(forms.Form):
    """Uppdragsbeställning: the order (and, when ordering, siblings and a protected place)."""

    gender = forms.ChoiceField(
        label=_("Barnets kön"), choices=SupportRequest.Gender.choices, widget=forms.RadioSelect
    )
    needs = forms.MultipleChoiceField(
        label=_("Behov som uppdragstagaren behöver kunna möta"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.CharField(
        label=_("Språk"), max_length=200, required=False, help_text=_("Flera språk skiljs med komma.")
    )
    culture_religion = forms.CharField(label=_("Kultur och religion"), max_length=200, required=False)
    location_name = forms.CharField(
        label=_("Skola eller område"),
        max_length=200,
        help_text=_("Orten där barnet går i skolan eller bor. Koordinaterna hämtas ur ortsregistret."),
    )
    latitude = _coordinate(_("Latitud"))
    longitude = _coordinate(_("Longitud"))
    max_distance_km = forms.IntegerField(
        label=_("Högsta avstånd (km)"),
        error_messages=WHOLE_NUMBER,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    no_pets = forms.BooleanField(label=_("Inga husdjur (allergi eller rädsla)"), required=False)
    no_smoking = forms.BooleanField(label=_("Ingen rökning i hemmet"), required=False)
    allergies = forms.CharField(
        label=_("Barnets allergier"), max_length=200, required=False, help_text=_("Flera skiljs med komma.")
    )
    wishes = text_field(_("Önskemål"), required=False, max_length=5000)
    start_on = date_field(_("Önskad start"), kind=PLAN)
    end_on = date_field(_("Planerat slut"), required=False, kind=PLAN)
    siblings = forms.MultipleChoiceField(
        label=_("Syskon som ska placeras tillsammans"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Andra ej verkställda insatser av samma slag i enheten."),
    )
    place_label = forms.CharField(
        label=_("Skyddad plats: beskrivning"),
        max_length=200,
        required=False,
        help_text=_("T.ex. den förälder skyddet gäller. Platsen visas aldrig som koordinater."),
    )
    place_location = forms.CharField(label=_("Skyddad plats: ort"), max_length=200, required=False)
    place_latitude = _coordinate(_("Skyddad plats: latitud"))
    place_longitude = _coordinate(_("Skyddad plats: longitud"))
    place_min_distance_km = forms.IntegerField(
        label=_("Skyddad plats: minsta avstånd (km)"),
        required=False,
        error_messages=WHOLE_NUMBER,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    PLACE_FIELDS = (
        "place_label",
        "place_location",
        "place_latitude",
        "place_longitude",
        "place_min_distance_km",
    )

    def __init__(
        self,
        *args: Any,
        needs: list[tuple[str, Any]],
        siblings: list[tuple[str, str]] | None = None,
        ordering: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needs"].choices = needs
        if ordering and siblings:
            self.fields["siblings"].choices = siblings
        else:
            del self.fields["siblings"]
        if not ordering:
            for name in self.PLACE_FIELDS:
                del self.fields[name]
        self.coordinates: tuple[float, float] | None = None
        self.place: dict[str, Any] | None = None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.coordinates = _coordinates(self, "location_name", "latitude", "longitude")
        if "place_label" in self.fields:
            self._clean_place(data)
        return data

    def _clean_place(self, data: dict[str, Any]) -> None:
        given = [name for name in self.PLACE_FIELDS if data.get(name) not in (None, "")]
        if not given and not any(name in self.errors for name in self.PLACE_FIELDS):
            return
        if not (data.get("place_label") or "").strip():
            self.add_error("place_label", _("Beskriv den skyddade platsen."))
        if data.get("place_min_distance_km") is None and "place_min_distance_km" not in self.errors:
            self.add_error("place_min_distance_km", _("Ange minsta avstånd till den skyddade platsen."))
        point = _coordinates(self, "place_location", "place_latitude", "place_longitude")
        if point is not None and not self.errors.keys() & set(self.PLACE_FIELDS):
            self.place = {
                "label": data["place_label"].strip(),
                "latitude": point[0],
                "longitude": point[1],
                "min_distance_km": data["place_min_distance_km"],
            }

    def request_data(self) -> dict[str, Any]:
        """The service's fields (REQUEST_FIELDS), coordinates resolved."""
        assert self.coordinates is not None
        data = {name: self.cleaned_data[name] for name in REQUEST_FIELDS if name in self.cleaned_data}
        data["latitude"], data["longitude"] = self.coordinates
        return data


def request_initial(support_request: SupportRequest | None, kind: str) -> dict[str, Any]:
    if support_request is None:
        return {"max_distance_km": DEFAULT_MAX_KM.get(kind, 30), "start_on": timezone.localdate()}
    initial = {name: getattr(support_request, name) for name in REQUEST_FIELDS}
    # coordinates that the locality gives are looked up again: the fields stay empty
    if locate(support_request.location_name) == (support_request.latitude, support_request.longitude):
        initial["latitude"] = initial["longitude"] = None
    return initial


class ProtectedPlaceForm(forms.Form):
    label = forms.CharField(
        label=_("Beskrivning"),
        max_length=200,
        help_text=_("T.ex. den förälder skyddet gäller. Platsen visas aldrig som koordinater."),
    )
    location_name = forms.CharField(label=_("Ort"), max_length=200, required=False)
    latitude = _coordinate(_("Latitud"))
    longitude = _coordinate(_("Longitud"))
    min_distance_km = forms.IntegerField(
        label=_("Minsta avstånd (km)"),
        error_messages=WHOLE_NUMBER,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        self.coordinates = _coordinates(self, "location_name", "latitude", "longitude")
        return data


class RelativeForm(forms.Form):
    supporter = forms.ChoiceField(label=_("Uppdragstagare"))
    relation = forms.CharField(label=_("Relation till barnet"), max_length=100, help_text=_("T.ex. mormor."))

    def __init__(self, *args: Any, supporters: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supporter"].choices = [("", _("Välj")), *supporters]


class CancelRequestForm(forms.Form):
    reason = text_field(_("Skäl till återkallelse"), max_length=2000)


ANSWERS = [("accepted", _("Tackar ja")), ("declined", _("Tackar nej"))]


class AnswerOfferForm(forms.Form):
    answer = forms.ChoiceField(label=_("Svar"), choices=ANSWERS, widget=forms.RadioSelect)
    decline_reason = forms.ChoiceField(
        label=_("Skäl (om uppdragstagaren tackar nej)"),
        required=False,
        choices=[("", _("Välj")), *Offer.DeclineReason.choices],
    )
    note = text_field(_("Anteckning"), required=False, max_length=2000)


class ConfirmOfferForm(forms.Form):
    start_on = date_field(_("Uppdraget startar"), kind=PLAN)


class ConfirmForm(forms.Form):
    """No fields: the button confirms."""


class SendOffersForm(forms.Form):
    supporters = forms.MultipleChoiceField(
        label=_("Uppdragstagare att fråga"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Välj minst en uppdragstagare."),
            "invalid_choice": _("Uppdragstagaren hittades inte."),
        },
    )
    expires_on = date_field(_("Svar senast"), kind=PLAN)
    note = text_field(_("Anteckning till förfrågan"), required=False, max_length=2000)

    def __init__(self, *args: Any, supporters: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["supporters"].choices = supporters


def offer_initial() -> dict[str, Any]:
    return {"expires_on": timezone.localdate() + datetime.timedelta(days=7)}


def _weight(label: Any) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        localize=True,
        error_messages=NUMBER,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class WeightsForm(forms.Form):
    needs = _weight(_("Behov som kan mötas"))
    languages = _weight(_("Språk"))
    culture = _weight(_("Kultur och religion"))
    distance = _weight(_("Avstånd"))
    experience = _weight(_("Erfarenhet"))
    wishes = _weight(_("Önskemål"))
