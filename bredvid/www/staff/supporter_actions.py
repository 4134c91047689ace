"""One page per action of the family-care unit: interest registrations and supporters.

Each action loads its registration or supporter through `visible_to` (another municipality's is a
404), and hands its form to `action_page` (form → service → message → redirect). Who may take the
action is the page's `permission_required`.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from bredvid.core.choices import SupportKind
from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.people import services as people_services
from bredvid.people.models import Person
from bredvid.people.perms import can_create_person
from bredvid.supporters import services
from bredvid.supporters.models import InterestRegistration, RegisterCheck, Supporter, SupporterMember
from bredvid.supporters.needs import needs_for
from bredvid.supporters.perms import can_approve_supporters, can_manage_supporters
from bredvid.tenancy.context import Tenant
from bredvid.tenancy.models import Membership, Role
from bredvid.www.staff import supporter_forms as f
from bredvid.www.staff.actions import action_page, posted, tenant_of, today
from bredvid.www.staff.decorators import permission_required

GET_POST = require_http_methods(["GET", "POST"])


def _registration_url(registration: InterestRegistration) -> str:
    return reverse("staff:registration_detail", kwargs={"object_id": registration.pk})


def _supporter_url(supporter: Supporter) -> str:
    return reverse("staff:supporter_detail", kwargs={"object_id": supporter.pk})


def _supporter(request: HttpRequest, supporter_id: uuid.UUID) -> tuple[Tenant, Supporter]:
    tenant = tenant_of(request)
    return tenant, get_object_or_404(Supporter.objects.visible_to(tenant), pk=supporter_id)


def _supporter_page(
    request: HttpRequest, supporter: Supporter, form: forms.Form, *, run: Any, success: str, title: str
) -> HttpResponse:
    """`action_page` for an action on a supporter: back to the supporter's page."""
    back = _supporter_url(supporter)
    return action_page(
        request, form, run=run, success=success, done=lambda _result: back, title=title, back=back
    )


# ---------------------------------------------------------------------------
# Interest registrations
# ---------------------------------------------------------------------------
@permission_required(can_manage_supporters)
@GET_POST
def registration_new(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    return action_page(
        request,
        f.RegistrationForm(posted(request)),
        run=lambda d: services.register_interest(
            municipality=tenant.municipality,
            data=d,
            consent_text=str(services.CONSENT_TEXT),
            source="staff",
            tenant=tenant,
        ),
        success=_("Intresseanmälan är registrerad."),
        done=_registration_url,
        title=_("Registrera intresseanmälan"),
        back=reverse("staff:registration_list"),
    )


def _registration(request: HttpRequest, registration_id: uuid.UUID) -> tuple[Tenant, InterestRegistration]:
    tenant = tenant_of(request)
    return tenant, get_object_or_404(InterestRegistration.objects.visible_to(tenant), pk=registration_id)


@permission_required(can_manage_supporters)
@GET_POST
def registration_move(request: HttpRequest, registration_id: uuid.UUID) -> HttpResponse:
    tenant, registration = _registration(request, registration_id)
    return action_page(
        request,
        f.MoveRegistrationForm(posted(request)),
        run=lambda d: services.move_registration(
            tenant=tenant,
            registration=registration,
            to=d["to"],
            note=d["note"],
            close_reason=d["close_reason"],
        ),
        success=_("Statusen är ändrad."),
        done=lambda _result: _registration_url(registration),
        title=_("Ändra status"),
        back=_registration_url(registration),
    )


def _officers(registration: InterestRegistration) -> list[Any]:
    ids = (
        Membership.objects.in_municipality(registration.municipality)
        .filter(role=Role.FAMILY_CARE_OFFICER, active=True)
        .values("user_id")
    )
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


@permission_required(can_manage_supporters)
@GET_POST
def registration_start(request: HttpRequest, registration_id: uuid.UUID) -> HttpResponse:
    tenant, registration = _registration(request, registration_id)
    officers = _officers(registration)
    form = f.StartInvestigationForm(posted(request), initial=today("started_on"), officers=officers)

    def run(d: dict[str, Any]) -> Supporter:
        co = next((u for u in officers if str(u.pk) == d["co_officer"]), None)
        return services.start_investigation(
            tenant=tenant, registration=registration, started_on=d["started_on"], co_officer=co
        )

    return action_page(
        request,
        form,
        run=run,
        success=_("Utredningen är påbörjad."),
        done=_supporter_url,
        title=_("Påbörja utredning"),
        back=_registration_url(registration),
    )


# ---------------------------------------------------------------------------
# The assessment
# ---------------------------------------------------------------------------
def _member_person(tenant: Tenant, d: dict[str, Any]) -> Person:
    """The registered person with the number, or a new one when the tenant may register persons."""
    try:
        number = parse_identity_number(d["identity_number"]).number
    except InvalidIdentityNumber as exc:
        raise ValidationError({"identity_number": str(exc)}) from exc
    person = Person.objects.visible_to(tenant).filter(identity_number=number).first()
    if person is not None:
        return person
    if not (d["first_name"] and d["last_name"]):
        raise ValidationError({"first_name": _("Personen är inte registrerad: ange för- och efternamn.")})
    if not can_create_person(tenant):
        raise ValidationError({"identity_number": _("Du kan inte registrera nya personer.")})
    data = {"identity_number": number, "first_name": d["first_name"], "last_name": d["last_name"]}
    return people_services.create_person(tenant=tenant, data=data)


@permission_required(can_manage_supporters)
@GET_POST
def supporter_member(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
    tenant, supporter = _supporter(request, supporter_id)

    def run(d: dict[str, Any]) -> SupporterMember:
        person = _member_person(tenant, d)
        return services.add_member(tenant=tenant, supporter=supporter, person=person, adult=d["adult"])

    return _supporter_page(
        request,
        supporter,
        f.MemberForm(posted(request)),
        run=run,
        success=_("Personen är tillagd."),
        title=_("Lägg till person i hushållet"),
    )


@permission_required(can_manage_supporters)
@GET_POST
def supporter_activity(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
    tenant, supporter = _supporter(request, supporter_id)
    return _supporter_page(
        request,
        supporter,
        f.ActivityForm(posted(request), initial=today("occurred_on")),
        run=lambda d: services.record_activity(
            tenant=tenant, assessment=services._open_assessment(supporter), data=d
        ),
        success=_("Anteckningen är sparad."),
        title=_("Intervju, hembesök eller referens"),
    )


@permission_required(can_manage_supporters)
@GET_POST
def supporter_check(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
    tenant, supporter = _supporter(request, supporter_id)
    members = list(supporter.members.select_related("person"))
    form = f.RegisterCheckForm(posted(request), initial=today("requested_on"), members=members)

    def run(d: dict[str, Any]) -> RegisterCheck:
        member = get_object_or_404(supporter.members.all(), pk=d.pop("member"))
        return services.record_register_check(tenant=tenant, member=member, **d)

    return _supporter_page(
        request,
        supporter,
        form,
        run=run,
        success=_("Registerutdraget är sparat."),
        title=_("Registerutdrag"),
    )


@permission_required(can_manage_supporters)
@GET_POST
def supporter_training(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
    tenant, supporter = _supporter(request, supporter_id)
    return _supporter_page(
        request,
        supporter,
        f.TrainingForm(posted(request)),
        run=lambda d: services.record_training(tenant=tenant, supporter=supporter, **d),
        success=_("Utbildningen är sparad."),
        title=_("Utbildning"),
    )


@permission_required(can_manage_supporters)
@GET_POST
def supporter_conclude(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
    tenant, supporter = _supporter(request, supporter_id)
    return _supporter_page(
        request,
        supporter,
        f.ConcludeForm(posted(request), initial={"supports": supporter.supports}),
        run=lambda d: services.conclude_assessment(
            tenant=tenant, assessment=services._open_assessment(supporter), **d
        ),
        success=_("Bedömningen är sparad."),
        title=_("Sammanfattande bedömning"),
    )


@permission_required(can_approve_supporters)
@GET_POST
def supporter_approve(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
    tenant, supporter = _supporter(request, supporter_id)
    return _supporter_page(
        request,
        supporter,
        f.DecideApprovalForm(posted(request), initial=today("decided_on")),
        run=lambda d: services.approve(
            tenant=tenant, assessment=services._open_assessment(supporter), decided_on=d["decided_on"]
        ),
        success=_("Uppdragstagaren är godkänd."),
        title=_("Godkänn uppdragstagare"),
    )


@permission_required(can_approve_supporters)
@GET_POST
def supporter_reject(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
    tenant, supporter = _supporter(request, supporter_id)
    return _supporter_page(
        request,
        supporter,
        f.RejectForm(posted(request), initial=today("decided_on")),
        run=lambda d: services.reject(tenant=tenant, assessment=services._open_assessment(supporter), **d),
        success=_("Beslutet är sparat."),
        title=_("Godkänn inte"),
    )


# ---------------------------------------------------------------------------
# An approved supporter: pause, resume, end, matching profiles
# ---------------------------------------------------------------------------
@permission_required(can_manage_supporters)
@GET_POST
def supporter_pause(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
    tenant, supporter = _supporter(request, supporter_id)
    return _supporter_page(
        request,
        supporter,
        f.PauseSupporterForm(posted(request)),
        run=lambda d: services.pause(tenant=tenant, supporter=supporter, **d),
        success=_("Uppdragstagaren är vilande."),
        title=_("Gör vilande"),
    )


@permission_required(can_manage_supporters)
@GET_POST
def supporter_resume(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
    tenant, supporter = _supporter(request, supporter_id)
    return _supporter_page(
        request,
        supporter,
        forms.Form(posted(request)),
        run=lambda d: services.resume(tenant=tenant, supporter=supporter),
        success=_("Uppdragstagaren är åter aktiv."),
        title=_("Återuppta"),
    )


@permission_required(can_manage_supporters)
@GET_POST
def supporter_end(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
    tenant, supporter = _supporter(request, supporter_id)
    return _supporter_page(
        request,
        supporter,
        f.EndSupporterForm(posted(request), initial=today("ended_on")),
        run=lambda d: services.end(tenant=tenant, supporter=supporter, **d),
        success=_("Uppdragstagaren är avslutad."),
        title=_("Avsluta uppdragstagare"),
    )


def _profile_initial(supporter: Supporter, kind: str) -> dict[str, Any]:
    profile = supporter.profiles.filter(support_kind=kind).first()
    if profile is None:
        return {"children_at_once": 1, "age_min": 0, "age_max": 18}
    return {name: getattr(profile, name) for name in f.ProfileForm.base_fields}


@permission_required(can_manage_supporters)
@GET_POST
def supporter_profile(request: HttpRequest, supporter_id: uuid.UUID, kind: str) -> HttpResponse:
    """The matching profile for one kind of support (one URL per kind: `supporter_profile_<kind>`)."""
    tenant, supporter = _supporter(request, supporter_id)
    form = f.ProfileForm(
        posted(request), initial=_profile_initial(supporter, kind), needs=needs_for(supporter.municipality)
    )
    return _supporter_page(
        request,
        supporter,
        form,
        run=lambda d: services.save_profile(tenant=tenant, supporter=supporter, kind=kind, data=d),
        success=_("Profilen är sparad."),
        title=_("Profil för matchning"),
    )


def urls() -> list[URLPattern]:
    """The actions under `familjehem/`, each named after its view."""
    routes = [
        ("anmalningar/ny/", registration_new),
        ("anmalningar/<uuid:registration_id>/status/", registration_move),
        ("anmalningar/<uuid:registration_id>/utredning/", registration_start),
        ("uppdragstagare/<uuid:supporter_id>/medlem/", supporter_member),
        ("uppdragstagare/<uuid:supporter_id>/aktivitet/", supporter_activity),
        ("uppdragstagare/<uuid:supporter_id>/registerutdrag/", supporter_check),
        ("uppdragstagare/<uuid:supporter_id>/utbildning/", supporter_training),
        ("uppdragstagare/<uuid:supporter_id>/bedomning/", supporter_conclude),
        ("uppdragstagare/<uuid:supporter_id>/godkann/", supporter_approve),
        ("uppdragstagare/<uuid:supporter_id>/avsla/", supporter_reject),
        ("uppdragstagare/<uuid:supporter_id>/vilande/", supporter_pause),
        ("uppdragstagare/<uuid:supporter_id>/ateruppta/", supporter_resume),
        ("uppdragstagare/<uuid:supporter_id>/avsluta/", supporter_end),
    ]
    profiles = [
        path(
            f"familjehem/uppdragstagare/<uuid:supporter_id>/profil/{kind}/",
            supporter_profile,
            {"kind": kind},
            name=f"supporter_profile_{kind}",
        )
        for kind in SupportKind.values
    ]
    return [path(f"familjehem/{route}", view, name=view.__name__) for route, view in routes] + profiles
