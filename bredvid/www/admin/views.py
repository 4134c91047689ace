"""The municipality's administration: users and their roles per unit, units, and the settings.

Only the municipality's admin role reaches these pages (`can_administer`); every change is a
service in `bredvid.accounts.administration`, which checks the same again. A user, unit or
membership of another municipality is a 404.
"""

from __future__ import annotations

import base64
import uuid
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from bredvid.accounts import administration as services
from bredvid.accounts.models import User
from bredvid.tenancy.context import Tenant
from bredvid.tenancy.models import Membership, PublicPage, PublicText, Unit
from bredvid.tenancy.perms import can_administer
from bredvid.www.admin import forms as f
from bredvid.www.public import pagetexts
from bredvid.www.public.site import page_url
from bredvid.www.staff.actions import action_page, paginate, posted, tenant_of
from bredvid.www.staff.decorators import permission_required

administers = permission_required(can_administer)


def _users(tenant: Tenant) -> QuerySet[User]:
    """The users with a role (active or ended) in the tenant's municipality, with their roles here."""
    here = Membership.objects.visible_to(tenant)
    return (
        User.objects.filter(pk__in=here.values("user_id"))
        .annotate(enrolled=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)))
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=here.select_related("unit").order_by("-active", "unit__name", "role"),
                to_attr="here",
            )
        )
    )


def _user(tenant: Tenant, user_id: int) -> User:
    return get_object_or_404(_users(tenant), pk=user_id)


def _unit(tenant: Tenant, unit_id: uuid.UUID) -> Unit:
    return get_object_or_404(Unit.objects.visible_to(tenant), pk=unit_id)


def _user_url(user: User) -> str:
    return reverse("municipal_admin:user_detail", args=[user.pk])


# ---------------------------------------------------------------------------
# Overview
# ---------------------------------------------------------------------------
@administers
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    memberships = Membership.objects.visible_to(tenant).filter(active=True)
    counts = memberships.aggregate(users=Count("user", distinct=True), units=Count("unit", distinct=True))
    context = {
        "municipality": tenant.municipality,
        "active_users": counts["users"],
        "units": Unit.objects.visible_to(tenant).filter(active=True).count(),
    }
    return render(request, "municipal_admin/overview.html", context)


# ---------------------------------------------------------------------------
# Users and memberships
# ---------------------------------------------------------------------------
@administers
@require_GET
def user_list(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    users = _users(tenant).order_by("last_name", "first_name", "username")
    return render(request, "municipal_admin/user_list.html", {"page": paginate(request, users)})


@administers
@require_GET
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    tenant = tenant_of(request)
    user = _user(tenant, user_id)
    context = {
        "person": user,
        "memberships": user.here,  # type: ignore[attr-defined]
        "has_active_role": any(m.active for m in user.here),  # type: ignore[attr-defined]
        "is_self": user.pk == tenant.user.pk,
        "grant_form": f.RoleForm(tenant=tenant),
    }
    return render(request, "municipal_admin/user_detail.html", context)


@administers
@require_http_methods(["GET", "POST"])
def user_invite(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    return action_page(
        request,
        f.InviteForm(posted(request), tenant=tenant),
        run=lambda data: services.invite_user(tenant=tenant, **data),
        success=_("Inbjudan är skickad."),
        done=lambda membership: _user_url(membership.user),
        title=_("Bjud in en användare"),
        back=reverse("municipal_admin:user_list"),
        context={
            "intro": _(
                "Personen får ett e-postmeddelande med en länk som fungerar en gång. Med den aktiverar "
                "hen kontot och ställer in tvåfaktorsinloggning."
            )
        },
    )


@administers
@require_http_methods(["GET", "POST"])
def user_grant(request: HttpRequest, user_id: int) -> HttpResponse:
    tenant = tenant_of(request)
    user = _user(tenant, user_id)
    return action_page(
        request,
        f.RoleForm(posted(request), tenant=tenant),
        run=lambda data: services.grant_role(tenant=tenant, user=user, **data),
        success=_("Rollen är tillagd."),
        done=lambda _result: _user_url(user),
        title=_("Ge en roll"),
        back=_user_url(user),
        context={"caption": user.display_name},
    )


def _confirm(
    request: HttpRequest, user: User, *, run: Any, success: str, title: str, intro: str
) -> HttpResponse:
    return action_page(
        request,
        f.ConfirmForm(posted(request)),
        run=lambda _data: run(),
        success=success,
        done=lambda _result: _user_url(user),
        title=title,
        back=_user_url(user),
        context={"caption": user.display_name, "intro": intro},
    )


@administers
@require_http_methods(["GET", "POST"])
def membership_end(request: HttpRequest, membership_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    membership = get_object_or_404(
        Membership.objects.visible_to(tenant).select_related("user", "unit"), pk=membership_id
    )
    return _confirm(
        request,
        membership.user,
        run=lambda: services.end_membership(tenant=tenant, membership=membership),
        success=_("Rollen är avslutad."),
        title=_("Avsluta rollen"),
        intro=_("%(role)s i %(unit)s avslutas. Historiken finns kvar.")
        % {"role": membership.get_role_display(), "unit": membership.unit.name},
    )


@administers
@require_http_methods(["GET", "POST"])
def user_invite_again(request: HttpRequest, user_id: int) -> HttpResponse:
    tenant = tenant_of(request)
    user = _user(tenant, user_id)
    return _confirm(
        request,
        user,
        run=lambda: services.invite_again(tenant=tenant, user=user),
        success=_("En ny länk är skickad."),
        title=_("Skicka en ny inbjudan"),
        intro=_("En ny länk som fungerar en gång skickas till användarens e-postadress."),
    )


@administers
@require_http_methods(["GET", "POST"])
def user_reset_second_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    tenant = tenant_of(request)
    user = _user(tenant, user_id)
    return _confirm(
        request,
        user,
        run=lambda: services.reset_second_factor(tenant=tenant, user=user),
        success=_("Tvåfaktorsinloggningen är återställd och en ny länk är skickad."),
        title=_("Återställ tvåfaktorsinloggningen"),
        intro=_(
            "Användarens autentiseringsappar slutar fungera direkt. En ny länk som fungerar en gång "
            "skickas till användarens e-postadress."
        ),
    )


@administers
@require_http_methods(["GET", "POST"])
def user_deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    tenant = tenant_of(request)
    user = _user(tenant, user_id)
    return _confirm(
        request,
        user,
        run=lambda: services.deactivate_user(tenant=tenant, user=user),
        success=_("Användarens roller i kommunen är avslutade."),
        title=_("Inaktivera användaren"),
        intro=_(
            "Alla användarens roller i kommunen avslutas och hens API-nycklar här spärras. "
            "Historiken finns kvar."
        ),
    )


# ---------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------
@administers
@require_GET
def unit_list(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    units = (
        Unit.objects.visible_to(tenant)
        .annotate(members=Count("memberships__user", filter=Q(memberships__active=True), distinct=True))
        .order_by("-active", "name")
    )
    return render(request, "municipal_admin/unit_list.html", {"page": paginate(request, units)})


@administers
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    return action_page(
        request,
        f.UnitForm(posted(request)),
        run=lambda data: services.create_unit(tenant=tenant, **data),
        success=_("Enheten är skapad."),
        done=lambda _unit: reverse("municipal_admin:unit_list"),
        title=_("Ny enhet"),
        back=reverse("municipal_admin:unit_list"),
    )


@administers
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    unit = _unit(tenant, unit_id)
    initial = {"name": unit.name, "caseworker_may_decide": unit.caseworker_may_decide}
    return action_page(
        request,
        f.UnitForm(posted(request), initial=initial),
        run=lambda data: services.update_unit(tenant=tenant, unit=unit, **data),
        success=_("Enheten är ändrad."),
        done=lambda _unit: reverse("municipal_admin:unit_list"),
        title=_("Ändra enheten"),
        back=reverse("municipal_admin:unit_list"),
        context={"caption": unit.name},
    )


@administers
@require_http_methods(["GET", "POST"])
def unit_close(request: HttpRequest, unit_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    unit = _unit(tenant, unit_id)
    return action_page(
        request,
        f.ConfirmForm(posted(request)),
        run=lambda _data: services.close_unit(tenant=tenant, unit=unit),
        success=_("Enheten är avslutad."),
        done=lambda _unit: reverse("municipal_admin:unit_list"),
        title=_("Avsluta enheten"),
        back=reverse("municipal_admin:unit_list"),
        context={
            "caption": unit.name,
            "intro": _("Ingen kan få en roll i enheten längre. Historiken och ärendena finns kvar."),
        },
    )


# ---------------------------------------------------------------------------
# Settings
# ---------------------------------------------------------------------------
@administers
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    municipality = tenant.municipality
    initial = {
        "register_check_valid_months": municipality.register_check_valid_months,
        "report_overdue_days": municipality.report_overdue_days,
        "case_access": municipality.case_access,
        "publishes_site": municipality.publishes_site,
        "uses_skolfam": municipality.uses_skolfam,
        **{name: getattr(municipality, name) for name in services.PROFILE_FIELDS},
    }
    form = f.SettingsForm(posted(request), request.FILES or None, initial=initial)
    logo = ""
    if municipality.logo_type:
        logo = f"data:{municipality.logo_type};base64," + base64.b64encode(bytes(municipality.logo)).decode()
    return action_page(
        request,
        form,
        run=lambda data: services.update_settings(tenant=tenant, **data),
        success=_("Inställningarna är sparade."),
        done=lambda _m: reverse("municipal_admin:settings"),
        title=_("Kommunens inställningar"),
        back=reverse("municipal_admin:overview"),
        template="municipal_admin/settings.html",
        context={"logo": logo, "municipality": municipality},
    )


# ---------------------------------------------------------------------------
# The texts of the public pages
# ---------------------------------------------------------------------------
def _page_language(page: str, language: str) -> tuple[str, str]:
    if page not in PublicPage.values or language not in dict(settings.LANGUAGES):
        raise Http404
    return page, language


def _text_url(page: str, language: str) -> str:
    return reverse("municipal_admin:text_edit", args=[page, language])


@administers
@require_GET
def text_list(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    own = {
        (t.page, t.language): t
        for t in PublicText.objects.visible_to(tenant).exclude(markdown="").select_related("updated_by")
    }
    rows = [
        {
            "label": label,
            "public_url": page_url(tenant.municipality, page),
            "texts": [
                {"language": name, "url": _text_url(page, code), "own": own.get((page, code))}
                for code, name in settings.LANGUAGES
            ],
        }
        for page, label in PublicPage.choices
    ]
    context = {"rows": rows, "municipality": tenant.municipality}
    return render(request, "municipal_admin/text_list.html", context)


@administers
@require_http_methods(["GET", "POST"])
def text_edit(request: HttpRequest, page: str, language: str) -> HttpResponse:
    """Edit one page's text; "Förhandsgranska" shows the page's exact rendering without saving."""
    tenant = tenant_of(request)
    page, language = _page_language(page, language)
    current = pagetexts.page_text(tenant.municipality, page, language)
    form = f.PublicTextForm(posted(request), initial={"markdown": current.markdown})
    title = _("Ändra texten: %(page)s") % {"page": PublicPage(page).label}
    context: dict[str, Any] = {
        "caption": dict(settings.LANGUAGES)[language],
        "current": current,
        "language": language,
        "reset_url": reverse("municipal_admin:text_reset", args=[page, language]),
        "municipality": tenant.municipality,
    }
    back = reverse("municipal_admin:text_list")
    template = "municipal_admin/text_edit.html"
    if request.method == "POST" and "preview" in request.POST:
        if form.is_valid():
            context["preview"] = pagetexts.render(tenant.municipality, form.cleaned_data["markdown"])
        return render(request, template, {"form": form, "title": title, "back": back, **context})
    return action_page(
        request,
        form,
        run=lambda data: services.save_public_text(tenant=tenant, page=page, language=language, **data),
        success=_("Texten är sparad."),
        done=lambda _text: _text_url(page, language),
        title=title,
        back=back,
        template=template,
        context=context,
    )


@administers
@require_http_methods(["GET", "POST"])
def text_reset(request: HttpRequest, page: str, language: str) -> HttpResponse:
    tenant = tenant_of(request)
    page, language = _page_language(page, language)
    return action_page(
        request,
        f.ConfirmForm(posted(request)),
        run=lambda _data: services.reset_public_text(tenant=tenant, page=page, language=language),
        success=_("Sidan visar nu standardtexten."),
        done=lambda _text: _text_url(page, language),
        title=_("Återställ standardtexten"),
        back=_text_url(page, language),
        context={
            "caption": f"{PublicPage(page).label} ({dict(settings.LANGUAGES)[language]})",
            "intro": _("Kommunens egen text tas bort från sidan och Bredvids standardtext visas i stället."),
        },
    )
