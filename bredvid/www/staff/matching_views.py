"""Matching pages: the request list and detail, the family-care unit's shortlist with
explanations, offers (förfrågningar) as call tasks, the municipality's weights and the global
proposal. The actions (the order, its changes, answers to offers) are in matching_actions.py.

The shortlist is computed (and audited as shown) by `services.shortlist` on every GET: never
cached here.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework.perms import can_read_cases
from bredvid.core.choices import SupportKind
from bredvid.core.errors import DomainError
from bredvid.matching import services
from bredvid.matching.models import MatchingWeights, Offer, SupportRequest
from bredvid.matching.perms import can_edit_weights, can_match, can_order_support, can_read_requests
from bredvid.supporters.models import Supporter
from bredvid.supporters.needs import needs_for
from bredvid.tenancy.context import Tenant
from bredvid.www.staff import matching_actions as actions
from bredvid.www.staff import matching_forms as f
from bredvid.www.staff.actions import action_page, apply_errors, paginate, posted, tenant_of
from bredvid.www.staff.decorators import permission_required
from bredvid.www.staff.matching_actions import load_request, may_edit, supporter_choices

SHORTLIST_SIZES = (10, 20, 50)


# ---------------------------------------------------------------------------
# List and detail
# ---------------------------------------------------------------------------
REQUEST_STATUS_FILTERS = [
    ("open", SupportRequest.Status.OPEN.label),
    *[(value, label) for value, label in SupportRequest.Status.choices if value != "open"],
]


@permission_required(can_read_requests)
def request_list(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    status = request.GET.get("status", SupportRequest.Status.OPEN)
    kind = request.GET.get("uppdrag", "")
    qs = SupportRequest.objects.visible_to(tenant).select_related("case")
    if status in SupportRequest.Status.values:
        qs = qs.filter(status=status)
    else:
        status = "all"
    if kind in SupportKind.values:
        qs = qs.filter(support_kind=kind)
    qs = qs.annotate(
        offer_count=Count("offers"), live_offers=Count("offers", filter=Q(offers__status="sent"))
    )
    page = paginate(request, qs.order_by("ordered_on", "created_at"))
    today = timezone.localdate()
    rows = [(r, ((r.closed_on or today) - r.ordered_on).days) for r in page]
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="matching.supportrequest",
        subjects=[r.case.client_id for r, _days in rows],
        detail={"status": status, "kind": kind, "count": len(rows)},
    )
    query = request.GET.copy()
    query.pop("sida", None)
    context = {
        "page": page,
        "rows": rows,
        "status": status,
        "kind": kind,
        "statuses": REQUEST_STATUS_FILTERS,
        "kinds": SupportKind.choices,
        "querystring": query.urlencode(),
        "can_match": can_match(tenant),
        "can_edit_weights": can_edit_weights(tenant),
    }
    return render(request, "matching/request_list.html", context)


@permission_required(can_read_requests)
def request_detail(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    support_request = load_request(tenant, request_id)
    siblings = list(support_request.siblings.select_related("intervention__case"))
    offers = list(
        support_request.offers.select_related("supporter", "answered_by").order_by("sent_on", "created_at")
    )
    record(
        action=Action.VIEW,
        tenant=tenant,
        obj=support_request,
        person_id=support_request.case.client_id,
        subjects=[s.intervention.case.client_id for s in siblings],
    )
    today = timezone.localdate()
    client = support_request.case.client
    start = support_request.start_on
    age = (
        start.year
        - client.birth_date.year
        - ((start.month, start.day) < (client.birth_date.month, client.birth_date.day))
    )
    needs = dict(needs_for(tenant.municipality))
    context = {
        "sr": support_request,
        "siblings": siblings,
        "offers": [(o, services.is_expired(o, today)) for o in offers],
        "relatives": list(support_request.relatives.select_related("supporter")),
        "places": list(support_request.protected_places.all()),
        "assignment": support_request.assignments.select_related("supporter").first(),
        "needs": [needs.get(n, n) for n in support_request.needs],
        "age": age,
        "protected_client": client.is_protected,
        "can_match": can_match(tenant),
        "can_edit": may_edit(tenant, support_request),
        "can_read_case": can_read_cases(tenant) and can_order_support(tenant, support_request.case),
        "is_open": support_request.status == SupportRequest.Status.OPEN,
        "waiting": ((support_request.closed_on or today) - support_request.ordered_on).days,
    }
    return render(request, "matching/request_detail.html", context)


# ---------------------------------------------------------------------------
# Shortlist
# ---------------------------------------------------------------------------
def _k(params: Any) -> int:
    try:
        k = int(params.get("k", 20))
    except (TypeError, ValueError):
        return 20
    return k if k in SHORTLIST_SIZES else 20


def _filters(params: Any) -> tuple[services.Filters, str]:
    """The list's filters from the query string, and the error of a distance that is not valid."""
    km = params.get("km", "").strip()[:10]
    valid = km.isdigit() and 0 < int(km) <= 2000
    error = "" if not km or valid else _("Ange ett helt antal kilometer mellan 1 och 2 000.")
    filters = services.Filters(
        max_km=float(km) if valid else None,
        not_asked=params.get("ej_tillfragade") == "1",
        all_needs=params.get("alla_behov") == "1",
        language=params.get("sprak") == "1",
    )
    return filters, error


def _why_not_supporter(tenant: Tenant, params: Any) -> tuple[Supporter | None, str]:
    """The supporter asked about: chosen in the list, or the first found by name."""
    chosen = params.get("varfor", "")
    name = params.get("namn", "").strip()[:100]
    qs = Supporter.objects.visible_to(tenant)
    if chosen:
        try:
            return qs.filter(pk=uuid.UUID(chosen)).first(), ""
        except ValueError:
            return None, _("Uppdragstagaren hittades inte.")
    if name:
        found = qs.filter(name__icontains=name).order_by("name", "id").first()
        return found, "" if found else _("Ingen uppdragstagare heter så.")
    return None, ""


def _comparison(shortlist: services.Shortlist) -> list[tuple[str, float, float | None]]:
    """The asked-about supporter's parts next to the lowest shown candidate's."""
    why = shortlist.why_not
    if why is None or why.candidate is None:
        return []
    lowest = shortlist.candidates[-1].candidate.contributions if shortlist.candidates else {}
    return [
        (str(services.CRITERION_LABELS[name]), value, lowest.get(name))
        for name, value in why.candidate.contributions.items()
    ]


@permission_required(can_match)
@require_http_methods(["GET", "POST"])
def shortlist(request: HttpRequest, request_id: uuid.UUID) -> HttpResponse:
    tenant = tenant_of(request)
    support_request = load_request(tenant, request_id)
    choices = supporter_choices(tenant, (Supporter.Status.APPROVED, Supporter.Status.PAUSED))
    form = f.SendOffersForm(posted(request), supporters=choices, initial=f.offer_initial())
    if request.method == "POST" and form.is_valid():
        chosen = Supporter.objects.visible_to(tenant).filter(pk__in=form.cleaned_data["supporters"])
        try:
            sent = services.send_offers(
                tenant=tenant,
                support_request=support_request,
                supporters=list(chosen.order_by("name")),
                expires_on=form.cleaned_data["expires_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                ngettext(
                    "%(n)s förfrågan är skickad och ligger som uppgift att ringa.",
                    "%(n)s förfrågningar är skickade och ligger som uppgifter att ringa.",
                    len(sent),
                )
                % {"n": len(sent)},
            )
            return redirect("staff:request_detail", request_id=support_request.pk)
    k = _k(request.GET)
    filters, km_error = _filters(request.GET)
    why_not, why_not_error = _why_not_supporter(tenant, request.GET)
    result = services.shortlist(
        tenant=tenant, support_request=support_request, k=k, why_not=why_not, filters=filters
    )
    shown_ids = {c.supporter.pk: c.rank for c in (*result.relatives, *result.candidates)}
    context = {
        "sr": support_request,
        "shortlist": result,
        "form": form,
        "k": k,
        "sizes": SHORTLIST_SIZES,
        "supporters": choices,
        "why_not_error": why_not_error,
        "why_not_rank": shown_ids.get(why_not.pk) if why_not else None,
        "comparison": _comparison(result),
        "checked": set(form.data.getlist("supporters")) if form.is_bound else set(),
        "is_open": support_request.status == SupportRequest.Status.OPEN,
        "params": request.GET,
        "excluded_total": sum(count for _rule, _label, count in result.excluded),
        "km_filter": request.GET.get("km", "")[:10],
        "km_error": km_error,
    }
    return render(request, "matching/shortlist.html", context)


# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------
@permission_required(can_match)
def offer_tasks(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    qs = (
        Offer.objects.visible_to(tenant)
        .filter(status=Offer.Status.SENT)
        .select_related("supporter", "request__case")
        .order_by("expires_on", "created_at")
    )
    page = paginate(request, qs)
    today = timezone.localdate()
    rows = [(o, services.is_expired(o, today)) for o in page]
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="matching.offer",
        subjects=sorted({o.request.case.client_id for o, _expired in rows}),
        detail={"status": "sent", "count": len(rows)},
    )
    return render(request, "matching/offer_tasks.html", {"page": page, "rows": rows, "querystring": ""})


# ---------------------------------------------------------------------------
# Weights
# ---------------------------------------------------------------------------
@permission_required(can_edit_weights)
@require_http_methods(["GET", "POST"])
def weights(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    current = services.current_weights(tenant.municipality)
    form = f.WeightsForm(
        posted(request),
        initial={name: getattr(current, name) for name in f.WEIGHT_FIELDS},
    )
    history = list(
        MatchingWeights.objects.visible_to(tenant).select_related("created_by").order_by("-version")[:50]
    )
    return action_page(
        request,
        form,
        title=_("Vikter för matchning"),
        back=reverse("staff:request_list"),
        run=lambda d: services.save_weights(tenant=tenant, values=d),
        success=_("Vikterna är sparade som en ny version."),
        done=lambda w: reverse("staff:weights"),
        template="matching/weights.html",
        context={"current": current, "history": history, "fields": f.WEIGHT_FIELDS},
    )


# ---------------------------------------------------------------------------
# Global proposal (never assigns: each row leads to the request's shortlist)
# ---------------------------------------------------------------------------
@permission_required(can_match)
@require_http_methods(["GET"])
def global_proposal(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    proposal = services.global_proposal(tenant=tenant)
    return render(request, "matching/global_proposal.html", {"proposal": proposal})


def urls() -> list[URLPattern]:
    return [
        path(
            "arenden/<uuid:case_id>/insatser/<uuid:intervention_id>/bestall/",
            actions.request_new,
            name="request_new",
        ),
        path("matchning/", request_list, name="request_list"),
        path("matchning/forfragningar/", offer_tasks, name="offer_tasks"),
        path("matchning/vikter/", weights, name="weights"),
        path("matchning/samlat-forslag/", global_proposal, name="global_proposal"),
        path("matchning/<uuid:request_id>/", request_detail, name="request_detail"),
        path("matchning/<uuid:request_id>/andra/", actions.request_edit, name="request_edit"),
        path("matchning/<uuid:request_id>/aterkalla/", actions.request_cancel, name="request_cancel"),
        path(
            "matchning/<uuid:request_id>/skyddad-plats/",
            actions.request_protected_place,
            name="request_protected_place",
        ),
        path("matchning/<uuid:request_id>/narstaende/", actions.request_relative, name="request_relative"),
        path("matchning/<uuid:request_id>/kandidater/", shortlist, name="shortlist"),
        path("matchning/forfragningar/<uuid:offer_id>/svar/", actions.offer_answer, name="offer_answer"),
        path(
            "matchning/forfragningar/<uuid:offer_id>/aterta/", actions.offer_withdraw, name="offer_withdraw"
        ),
        path(
            "matchning/forfragningar/<uuid:offer_id>/bekrafta/", actions.offer_confirm, name="offer_confirm"
        ),
    ]
