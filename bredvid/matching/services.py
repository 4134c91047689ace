"""State changes and queries for matching. Each change runs in one transaction with its audit event.

The shortlist is computed by the engine over the municipality's cached feature arrays
(features.py); every shortlist shown is written to the audit log with the candidates in their
order, their scores and the weights version, so a later review can tell why someone was or was
not asked.
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bredvid.assignments.models import Assignment
from bredvid.assignments.services import create_assignment
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.casework.models import Decision, Intervention
from bredvid.core.date_bounds import require as require_dates
from bredvid.core.errors import IllegalTransition
from bredvid.core.locking import locked
from bredvid.matching import engine
from bredvid.matching.features import MunicipalPool, engine_request, pool_for
from bredvid.matching.models import (
    DEFAULT_MAX_KM,
    MatchingWeights,
    Offer,
    ProtectedPlace,
    RequestRelative,
    RequestSibling,
    SupportRequest,
)
from bredvid.matching.perms import can_edit_weights, can_match, can_order_support
from bredvid.supporters.models import Supporter
from bredvid.tenancy.context import Tenant

RULE_LABELS = {
    "approved_for_kind": gettext_lazy("Inte godkänd för uppdraget"),
    "police_checks": gettext_lazy("Saknar giltiga utdrag ur polisens register under perioden"),
    "capacity": gettext_lazy("Har inte plats (för hela syskongruppen)"),
    "age": gettext_lazy("Tar inte emot barn i den åldern"),
    "available": gettext_lazy("Vilande eller inte tillgänglig under perioden"),
    "exclusions": gettext_lazy("Husdjur, rökning eller allergier i hemmet krockar med barnets behov"),
    "max_distance": gettext_lazy("Bor längre bort än högsta avstånd"),
    "protected_distance": gettext_lazy("Bor för nära en plats barnet ska skyddas från"),
}
CRITERION_LABELS = {
    "needs": gettext_lazy("Behov"),
    "languages": gettext_lazy("Språk"),
    "culture": gettext_lazy("Kultur och religion"),
    "distance": gettext_lazy("Avstånd"),
    "experience": gettext_lazy("Erfarenhet"),
    "wishes": gettext_lazy("Önskemål"),
}
REQUEST_FIELDS = (
    "gender",
    "needs",
    "languages",
    "culture_religion",
    "location_name",
    "latitude",
    "longitude",
    "max_distance_km",
    "no_pets",
    "no_smoking",
    "allergies",
    "wishes",
    "start_on",
    "end_on",
)
OFFER_DAYS = 7


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _require_open(support_request: SupportRequest) -> None:
    if support_request.status != SupportRequest.Status.OPEN:
        raise IllegalTransition(_("Beställningen är inte längre öppen."))


def _audit(tenant: Tenant, action: str, obj: Any, support_request: SupportRequest, **detail: Any) -> None:
    record(
        action=action,
        tenant=tenant,
        obj=obj,
        person_id=support_request.case.client_id,
        subjects=[s.intervention.case.client_id for s in support_request.siblings.all()],
        detail=detail,
    )


# ---------------------------------------------------------------------------
# Weights
# ---------------------------------------------------------------------------
def current_weights(municipality: Any) -> engine.Weights:
    latest = MatchingWeights.objects.filter(municipality=municipality).order_by("-version").first()
    return _weights(latest)


_weights_by_id: dict[int, engine.Weights] = {}  # a saved version never changes: cached by its id


def with_current_weights(requests: QuerySet[SupportRequest]) -> QuerySet[SupportRequest]:
    """The requests with the id of their municipality's current weights (`latest_weights_id`), so
    that a shortlist reads the weights from the process cache, not with a query of its own."""
    latest = MatchingWeights.objects.filter(municipality=OuterRef("municipality")).order_by("-version")
    return requests.annotate(latest_weights_id=Subquery(latest.values("pk")[:1]))


def weights_for(support_request: SupportRequest) -> engine.Weights:
    if not hasattr(support_request, "latest_weights_id"):
        return current_weights(support_request.municipality)
    weights_id = support_request.latest_weights_id
    if weights_id is None:
        return engine.Weights(version=0)
    if weights_id not in _weights_by_id:
        _weights_by_id[weights_id] = _weights(MatchingWeights.objects.get(pk=weights_id))
    return _weights_by_id[weights_id]


def _weights(latest: MatchingWeights | None) -> engine.Weights:
    if latest is None:
        return engine.Weights(version=0)
    return engine.Weights(
        needs=latest.needs,
        languages=latest.languages,
        culture=latest.culture,
        distance=latest.distance,
        experience=latest.experience,
        wishes=latest.wishes,
        version=latest.version,
    )


def save_weights(*, tenant: Tenant, values: dict[str, float]) -> MatchingWeights:
    """A new version of the municipality's weights (the old ones are kept for review)."""
    _require(can_edit_weights(tenant))
    unknown = set(values) - set(engine.CRITERIA)
    if unknown:
        raise ValidationError({name: _("Okänt fält.") for name in sorted(unknown)})
    for name, value in values.items():
        if not 0 <= float(value) <= 100:
            raise ValidationError({name: _("Vikten ska vara mellan 0 och 100.")})
    try:
        with transaction.atomic():
            previous = current_weights(tenant.municipality)  # unchanged weights carry over
            latest = (
                MatchingWeights.objects.select_for_update()
                .filter(municipality=tenant.municipality)
                .order_by("-version")
                .first()
            )
            weights = MatchingWeights.objects.create(
                municipality=tenant.municipality,
                version=(latest.version if latest else 0) + 1,
                created_by=tenant.user,
                **{name: float(values.get(name, getattr(previous, name))) for name in engine.CRITERIA},
            )
            record(
                action=Action.UPDATE,
                tenant=tenant,
                obj=weights,
                detail={"version": weights.version, **values},
            )
    except IntegrityError as exc:  # another manager saved a version at the same moment
        raise ValidationError(_("Vikterna ändrades samtidigt av någon annan. Försök igen.")) from exc
    return weights


# ---------------------------------------------------------------------------
# Support requests
# ---------------------------------------------------------------------------
def _check_intervention(intervention: Intervention) -> None:
    if intervention.status != Intervention.Status.PENDING:
        raise ValidationError({"intervention": _("Insatsen är redan verkställd eller avslutad.")})
    decision = intervention.decision
    if decision.status != Decision.Status.DECIDED or decision.outcome == Decision.Outcome.REFUSED:
        raise ValidationError({"intervention": _("Det finns inget beviljat beslut för insatsen.")})


def _validate_request(support_request: SupportRequest) -> None:
    errors: dict[str, list[str]] = {}
    from bredvid.supporters.needs import needs_for

    known = {key for key, _label in needs_for(support_request.municipality)}
    if not isinstance(support_request.needs, list) or any(n not in known for n in support_request.needs):
        errors["needs"] = [_("Välj behov ur listan.")]
    if not -90 <= support_request.latitude <= 90:
        errors["latitude"] = [_("Latituden ska vara mellan -90 och 90.")]
    if not -180 <= support_request.longitude <= 180:
        errors["longitude"] = [_("Longituden ska vara mellan -180 och 180.")]
    if not 1 <= support_request.max_distance_km <= 2000:
        errors["max_distance_km"] = [_("Ange ett avstånd mellan 1 och 2 000 km.")]
    if support_request.end_on and support_request.end_on < support_request.start_on:
        errors["end_on"] = [_("Slutdatum kan inte ligga före start.")]
    if errors:
        raise ValidationError(errors)
    support_request.full_clean(exclude=["needs"], validate_constraints=False)


def create_request(
    *,
    tenant: Tenant,
    intervention: Intervention,
    data: dict[str, Any],
    siblings: Sequence[Intervention] = (),
) -> SupportRequest:
    """The caseworker orders a supporter for a granted, not yet executed intervention."""
    case = intervention.case
    _require(can_order_support(tenant, case))
    _check_intervention(intervention)  # early; again below on the locked rows
    unknown = set(data) - set(REQUEST_FIELDS)
    if unknown:
        raise ValidationError({name: _("Okänt fält.") for name in sorted(unknown)})
    for sibling in siblings:
        if sibling.municipality_id != case.municipality_id or sibling.pk == intervention.pk:
            raise ValidationError({"siblings": _("Syskonet hittades inte.")})
        if sibling.support_kind != intervention.support_kind:
            raise ValidationError({"siblings": _("Syskonens insatser måste vara av samma slag.")})
        _check_intervention(sibling)
    data = dict(data)
    data.setdefault("max_distance_km", DEFAULT_MAX_KM.get(intervention.support_kind, 30))
    data.setdefault("start_on", timezone.localdate())
    support_request = SupportRequest(
        municipality=case.municipality,
        case=case,
        intervention=intervention,
        support_kind=intervention.support_kind,
        ordered_by=tenant.user,
        ordered_on=timezone.localdate(),
        **data,
    )
    _validate_request(support_request)
    try:
        with transaction.atomic():
            # the interventions' states are what is ordered for: locked, in one order (no deadlock)
            for ordered in sorted([intervention, *siblings], key=lambda i: str(i.pk)):
                _check_intervention(locked(ordered))
            support_request.save()
            for sibling in siblings:
                RequestSibling.objects.create(
                    municipality=case.municipality, request=support_request, intervention=sibling
                )
            _audit(tenant, Action.CREATE, support_request, support_request, siblings=len(siblings))
    except IntegrityError as exc:
        raise ValidationError(
            {"intervention": _("Det finns redan en öppen beställning för insatsen.")}
        ) from exc
    return support_request


def update_request(
    *, tenant: Tenant, support_request: SupportRequest, data: dict[str, Any]
) -> SupportRequest:
    _require(can_order_support(tenant, support_request.case) or can_match(tenant))
    unknown = set(data) - set(REQUEST_FIELDS)
    if unknown:
        raise ValidationError({name: _("Okänt fält.") for name in sorted(unknown)})
    with transaction.atomic():
        locked(support_request)
        _require_open(support_request)
        changed = sorted(name for name, value in data.items() if getattr(support_request, name) != value)
        for name, value in data.items():
            setattr(support_request, name, value)
        _validate_request(support_request)
        support_request.save()
        _audit(tenant, Action.UPDATE, support_request, support_request, fields=changed)
    return support_request


def cancel_request(*, tenant: Tenant, support_request: SupportRequest, reason: str) -> SupportRequest:
    _require(can_order_support(tenant, support_request.case) or can_match(tenant))
    if not reason.strip():
        raise ValidationError({"reason": _("Ange skälet.")})
    with transaction.atomic():
        locked(support_request)
        _require_open(support_request)
        support_request.status = SupportRequest.Status.CANCELLED
        support_request.cancelled_reason = reason
        support_request.closed_on = timezone.localdate()
        support_request.save()
        Offer.objects.filter(
            request=support_request, status__in=[Offer.Status.SENT, Offer.Status.ACCEPTED]
        ).update(status=Offer.Status.WITHDRAWN, updated_at=timezone.now())
        _audit(tenant, Action.UPDATE, support_request, support_request, status="cancelled")
    return support_request


def add_protected_place(
    *,
    tenant: Tenant,
    support_request: SupportRequest,
    label: str,
    latitude: float,
    longitude: float,
    min_distance_km: int,
) -> ProtectedPlace:
    _require(can_order_support(tenant, support_request.case) or can_match(tenant))
    _require_open(support_request)
    place = ProtectedPlace(
        municipality=support_request.municipality,
        request=support_request,
        label=label,
        latitude=latitude,
        longitude=longitude,
        min_distance_km=min_distance_km,
    )
    errors = {}
    if not -90 <= latitude <= 90:
        errors["latitude"] = [_("Latituden ska vara mellan -90 och 90.")]
    if not -180 <= longitude <= 180:
        errors["longitude"] = [_("Longituden ska vara mellan -180 och 180.")]
    if not 1 <= min_distance_km <= 1000:
        errors["min_distance_km"] = [_("Ange ett avstånd mellan 1 och 1 000 km.")]
    if errors:
        raise ValidationError(errors)
    place.full_clean(exclude=["request", "municipality"])
    with transaction.atomic():
        locked(support_request)
        _require_open(support_request)
        place.save()
        _audit(tenant, Action.CREATE, place, support_request, min_distance_km=min_distance_km)
    return place


def add_relative(
    *, tenant: Tenant, support_request: SupportRequest, supporter: Supporter, relation: str
) -> RequestRelative:
    _require(can_order_support(tenant, support_request.case) or can_match(tenant))
    if supporter.municipality_id != support_request.municipality_id:
        raise ValidationError({"supporter": _("Uppdragstagaren hittades inte.")})
    if not relation.strip():
        raise ValidationError({"relation": _("Ange relationen till barnet.")})
    try:
        with transaction.atomic():
            relative = RequestRelative.objects.create(
                municipality=support_request.municipality,
                request=support_request,
                supporter=supporter,
                relation=relation.strip()[:100],
            )
            _audit(tenant, Action.CREATE, relative, support_request, supporter=str(supporter.pk))
    except IntegrityError as exc:
        raise ValidationError({"supporter": _("Personen är redan angiven som närstående.")}) from exc
    return relative


# ---------------------------------------------------------------------------
# Shortlists
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ShownCandidate:
    rank: int
    supporter: Supporter
    candidate: engine.Candidate
    offer: Offer | None

    @property
    def contributions(self) -> list[tuple[str, float]]:
        return [(str(CRITERION_LABELS[name]), value) for name, value in self.candidate.contributions.items()]


@dataclass(frozen=True)
class WhyNot:
    supporter: Supporter
    reasons: list[str]  # the hard rules the supporter breaks (Swedish), or empty when eligible
    candidate: engine.Candidate | None  # when eligible: the score and its parts
    lowest_shown_score: float | None


@dataclass(frozen=True)
class Filters:
    """The officer's narrowing of the ranked list (never of the relatives' tier): applied after the
    hard rules, so scores and the rules' exclusion counts stay those of the request."""

    max_km: float | None = None  # closer than the request's maximum
    not_asked: bool = False  # hide supporters already asked about this request
    all_needs: bool = False  # only those who can meet every need of the request
    language: bool = False  # only those who speak one of the request's languages

    @property
    def active(self) -> bool:
        return self.max_km is not None or self.not_asked or self.all_needs or self.language

    def as_detail(self) -> dict[str, Any]:
        return {name: value for name, value in dataclasses.asdict(self).items() if value not in (None, False)}


@dataclass(frozen=True)
class Shortlist:
    support_request: SupportRequest
    relatives: list[ShownCandidate]
    candidates: list[ShownCandidate]
    excluded: list[tuple[str, str, int]]  # (rule, label, count)
    eligible: int
    pool_size: int
    weights_version: int
    pool_version: int
    protected: bool
    why_not: WhyNot | None
    filters: Filters = Filters()
    filtered_out: int = 0  # eligible candidates the filters hid


def _sub_pool(pool: engine.Pool, rows: list[int]) -> engine.Pool:
    index = np.array(rows, dtype=np.int64)
    values = {f.name: getattr(pool, f.name)[index] for f in dataclasses.fields(pool) if f.init}
    return engine.Pool(**values)


def _why_not(
    mpool: MunicipalPool,
    request: engine.Request,
    weights: engine.Weights,
    supporter: Supporter,
    kind: str,
    lowest: float | None,
) -> WhyNot:
    rows = mpool.rows_for(supporter.pk, kind)
    if not rows:
        if supporter.status not in (Supporter.Status.APPROVED, Supporter.Status.PAUSED):
            reason = _("Inte godkänd (status: %(status)s)") % {"status": supporter.get_status_display()}
        else:
            reason = _("Har ingen profil för uppdraget")
        return WhyNot(supporter=supporter, reasons=[reason], candidate=None, lowest_shown_score=lowest)
    # the supporter alone: which rule drops them (relatives are judged by the same rules)
    alone = dataclasses.replace(request, relatives=())
    result = engine.shortlist(_sub_pool(mpool.pool, rows[:1]), alone, weights, k=1)
    reasons = [str(RULE_LABELS[rule]) for rule, count in result.excluded.items() if count]
    candidate = result.candidates[0] if result.candidates else None
    return WhyNot(supporter=supporter, reasons=reasons, candidate=candidate, lowest_shown_score=lowest)


def _apply_filters(
    mpool: MunicipalPool,
    request: engine.Request,
    weights: engine.Weights,
    result: engine.Result,
    filters: Filters,
    asked: set[uuid.UUID],
    k: int,
) -> tuple[list[engine.Candidate], int]:
    """The best k of the eligible candidates that pass the filters, and how many the filters hid."""
    pool = mpool.pool
    kept = []
    for cand in result.candidates:
        row = cand.supporter_id
        if filters.not_asked and mpool.supporter_of_row[row] in asked:
            continue
        if filters.all_needs and request.needs and cand.contributions["needs"] < weights.needs - 1e-9:
            continue
        if filters.language and request.languages and cand.contributions["languages"] <= 0:
            continue
        if filters.max_km is not None:
            km = engine.haversine_km(
                pool.lat_rad[row : row + 1],
                pool.lon_rad[row : row + 1],
                pool.cos_lat[row : row + 1],
                request.lat,
                request.lon,
            )[0]
            if km > filters.max_km:
                continue
        kept.append(cand)
    return kept[:k], len(result.candidates) - len(kept)


_OFFER_SHOWN = ("id", "status", "sent_on")


def _shown_supporters(
    support_request: SupportRequest, supporter_ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, Supporter], dict[uuid.UUID, Offer]]:
    """The shown supporters and the latest offer to each about this request, in one query (the
    offer's shown fields as subqueries; its other fields load on access)."""
    latest = Offer.objects.filter(request=support_request, supporter=OuterRef("pk")).order_by(
        "-sent_on", "-created_at"
    )
    annotated = Supporter.objects.filter(pk__in=supporter_ids).annotate(
        **{f"offer_{name}": Subquery(latest.values(name)[:1]) for name in _OFFER_SHOWN}
    )
    supporters, offers = {}, {}
    for supporter in annotated:
        supporters[supporter.pk] = supporter
        values = [getattr(supporter, f"offer_{name}") for name in _OFFER_SHOWN]
        if values[0] is not None:
            known = {
                **dict(zip(_OFFER_SHOWN, values, strict=True)),
                "request_id": support_request.pk,
                "supporter_id": supporter.pk,
            }
            names = [f.attname for f in Offer._meta.concrete_fields if f.attname in known]
            offer = Offer.from_db("default", names, [known[name] for name in names])  # in field order
            offer.request, offer.supporter = support_request, supporter
            offers[supporter.pk] = offer
    return supporters, offers


def shortlist(
    *,
    tenant: Tenant,
    support_request: SupportRequest,
    k: int = 20,
    why_not: Supporter | None = None,
    filters: Filters | None = None,
) -> Shortlist:
    """The ranked candidates for a request, explained; recorded in the audit log as shown."""
    _require(can_match(tenant))
    k = max(1, min(int(k), 100))
    filters = filters or Filters()
    mpool = pool_for(support_request.municipality)
    weights = weights_for(support_request)
    request = engine_request(support_request, mpool)
    filtered_out = 0
    if filters.active:  # every eligible candidate, ranked, then filtered
        asked = set(Offer.objects.filter(request=support_request).values_list("supporter_id", flat=True))
        result = engine.shortlist(mpool.pool, request, weights, max(len(mpool.pool), 1))
        kept, filtered_out = _apply_filters(mpool, request, weights, result, filters, asked, k)
        result = dataclasses.replace(result, candidates=kept)
    else:
        result = engine.shortlist(mpool.pool, request, weights, k)
    rows = [c.supporter_id for c in (*result.relatives, *result.candidates)]
    supporters, offers = _shown_supporters(support_request, [mpool.supporter_of_row[r] for r in rows])

    def shown(cands: list[engine.Candidate], start: int) -> list[ShownCandidate]:
        out = []
        for i, cand in enumerate(cands):
            sid = mpool.supporter_of_row[cand.supporter_id]
            out.append(
                ShownCandidate(
                    rank=start + i, supporter=supporters[sid], candidate=cand, offer=offers.get(sid)
                )
            )
        return out

    relatives = shown(result.relatives, 1)
    candidates = shown(result.candidates, len(relatives) + 1)
    lowest = result.candidates[-1].score if result.candidates else None
    explained = None
    if why_not is not None:
        explained = _why_not(mpool, request, weights, why_not, support_request.support_kind, lowest)
    record(
        action=Action.VIEW,
        tenant=tenant,
        obj=support_request,
        person_id=support_request.case.client_id,
        detail={
            "shortlist": [
                [
                    str(c.supporter.pk),
                    c.rank,
                    round(c.candidate.score, 4),
                    "relative" if c.candidate.relative else "pool",
                ]
                for c in (*relatives, *candidates)
            ],
            "excluded": result.excluded,
            "eligible": result.eligible,
            "pool_size": result.pool_size,
            "weights_version": weights.version,
            "pool_version": mpool.version,
            "k": k,
            **({"filters": filters.as_detail(), "filtered_out": filtered_out} if filters.active else {}),
            **(
                {"why_not": str(explained.supporter.pk), "why_not_reasons": explained.reasons}
                if explained
                else {}
            ),
        },
    )
    return Shortlist(
        support_request=support_request,
        relatives=relatives,
        candidates=candidates,
        excluded=[(rule, str(RULE_LABELS[rule]), count) for rule, count in result.excluded.items()],
        eligible=result.eligible,
        pool_size=result.pool_size,
        weights_version=weights.version,
        pool_version=mpool.version,
        protected=result.protected,
        why_not=explained,
        filters=filters,
        filtered_out=filtered_out,
    )


# ---------------------------------------------------------------------------
# Offers
# ---------------------------------------------------------------------------
def send_offers(
    *,
    tenant: Tenant,
    support_request: SupportRequest,
    supporters: Sequence[Supporter],
    expires_on: datetime.date | None = None,
    note: str = "",
) -> list[Offer]:
    """Förfrågan to each supporter. Every one must pass the hard rules now; until the supporters'
    e-service exists an offer is a call task for the officer (channel "call")."""
    _require(can_match(tenant))
    today = timezone.localdate()
    expires_on = expires_on or today + datetime.timedelta(days=OFFER_DAYS)
    _require_open(support_request)  # early, before the pool is built; again below on the locked row
    if not supporters:
        raise ValidationError({"supporters": _("Välj minst en uppdragstagare.")})
    if expires_on < today:
        raise ValidationError({"expires_on": _("Svarsdatum kan inte ligga före i dag.")})
    require_dates(Offer, expires_on=expires_on)
    mpool = pool_for(support_request.municipality)
    weights = current_weights(support_request.municipality)
    request = engine_request(support_request, mpool)
    checked = []
    for supporter in supporters:
        if supporter.municipality_id != support_request.municipality_id:
            raise ValidationError({"supporters": _("Uppdragstagaren hittades inte.")})
        why = _why_not(mpool, request, weights, supporter, support_request.support_kind, None)
        if why.reasons:
            raise ValidationError(
                {
                    "supporters": _("%(name)s kan inte tillfrågas: %(reasons)s.")
                    % {"name": supporter.name, "reasons": "; ".join(why.reasons).lower()}
                }
            )
        checked.append((supporter, why.candidate))
    offers = []
    try:
        with transaction.atomic():
            locked(support_request)
            _require_open(support_request)
            for supporter, candidate in checked:
                offer = Offer.objects.create(
                    municipality=support_request.municipality,
                    request=support_request,
                    supporter=supporter,
                    channel=Offer.Channel.CALL,
                    sent_by=tenant.user,
                    sent_on=today,
                    expires_on=expires_on,
                    note=note,
                    score=round(candidate.score, 4) if candidate else None,
                )
                _audit(tenant, Action.CREATE, offer, support_request, supporter=str(supporter.pk))
                offers.append(offer)
    except IntegrityError as exc:
        raise ValidationError(
            {"supporters": _("En av uppdragstagarna har redan en obesvarad förfrågan.")}
        ) from exc
    return offers


def is_expired(offer: Offer, today: datetime.date | None = None) -> bool:
    return offer.status == Offer.Status.SENT and offer.expires_on < (today or timezone.localdate())


def answer_offer(*, tenant: Tenant, offer: Offer, accepted: bool, reason: str = "", note: str = "") -> Offer:
    """Record the supporter's answer (told by phone to the officer, or later through the e-service)."""
    _require(can_match(tenant))
    if not accepted and reason not in Offer.DeclineReason.values:
        raise ValidationError({"decline_reason": _("Ange varför uppdragstagaren tackar nej.")})
    with transaction.atomic():
        locked(offer.request)  # the request first, then the offer (as confirm_offer)
        locked(offer)
        if offer.status != Offer.Status.SENT:
            raise IllegalTransition(_("Förfrågan är redan besvarad eller återtagen."))
        if is_expired(offer):
            raise IllegalTransition(_("Svarstiden för förfrågan har gått ut. Skicka en ny förfrågan."))
        _require_open(offer.request)
        offer.status = Offer.Status.ACCEPTED if accepted else Offer.Status.DECLINED
        offer.decline_reason = "" if accepted else reason
        offer.note = "\n".join(filter(None, [offer.note, note.strip()]))
        offer.answered_on = timezone.localdate()
        offer.answered_by = tenant.user
        offer.save()
        _audit(tenant, Action.UPDATE, offer, offer.request, status=offer.status, reason=offer.decline_reason)
    return offer


def withdraw_offer(*, tenant: Tenant, offer: Offer) -> Offer:
    _require(can_match(tenant))
    with transaction.atomic():
        locked(offer)
        if offer.status not in (Offer.Status.SENT, Offer.Status.ACCEPTED):
            raise IllegalTransition(_("Förfrågan kan inte längre återtas."))
        offer.status = Offer.Status.WITHDRAWN
        offer.save()
        _audit(tenant, Action.UPDATE, offer, offer.request, status="withdrawn")
    return offer


def confirm_offer(*, tenant: Tenant, offer: Offer, start_on: datetime.date) -> Assignment:
    """The accepted offer (the proposal) becomes the assignment; the interventions are executed.

    Row locks on the request and the supporter (and the unique constraint on the assignment's
    request, at the latest) make two officers confirming at once safe: one assignment per request,
    and a home never gets more children than its places."""
    _require(can_match(tenant))
    require_dates(Assignment, start_on=start_on)
    if start_on > timezone.localdate():
        raise ValidationError(
            {"start_on": _("Startdatum kan inte ligga i framtiden. Bekräfta uppdraget när det börjar.")}
        )
    try:
        with transaction.atomic():
            support_request = locked(offer.request)
            if support_request.status != SupportRequest.Status.OPEN:
                raise IllegalTransition(_("Beställningen är redan tillsatt eller återkallad."))
            locked(offer)
            if offer.status != Offer.Status.ACCEPTED:
                raise IllegalTransition(_("Bara en accepterad förfrågan kan bekräftas."))
            supporter = locked(offer.supporter)
            siblings = [
                s.intervention
                for s in support_request.siblings.select_related(
                    "intervention__decision", "intervention__case"
                )
            ]
            assignment = create_assignment(
                tenant=tenant,
                supporter=supporter,
                support_request=support_request,
                interventions=[support_request.intervention, *siblings],
                offer=offer,
                start_on=start_on,
            )
            offer.status = Offer.Status.CONFIRMED
            offer.save()
            others = Offer.objects.filter(
                request=support_request, status__in=[Offer.Status.SENT, Offer.Status.ACCEPTED]
            ).exclude(pk=offer.pk)
            others.update(status=Offer.Status.WITHDRAWN, updated_at=timezone.now())
            support_request.status = SupportRequest.Status.MATCHED
            support_request.closed_on = timezone.localdate()
            support_request.save()
            _audit(
                tenant,
                Action.UPDATE,
                support_request,
                support_request,
                status="matched",
                assignment=str(assignment.pk),
            )
    except IntegrityError as exc:  # a concurrent confirmation won the race
        raise IllegalTransition(_("Beställningen är redan tillsatt eller återkallad.")) from exc
    return assignment


# ---------------------------------------------------------------------------
# Global assignment: a proposal over all open requests (never assigns by itself)
# ---------------------------------------------------------------------------
GLOBAL_LIST_LIMIT = 50  # each request's best candidates; the benchmark checks full lists give the same total


@dataclass(frozen=True)
class ProposalRow:
    support_request: SupportRequest
    supporter: Supporter | None
    score: float
    greedy_supporter: Supporter | None
    greedy_score: float


@dataclass(frozen=True)
class GlobalProposal:
    rows: list[ProposalRow]
    relatives_first: list[SupportRequest]  # requests with named close persons: proposed by hand
    total: float
    greedy_total: float
    gain_pct: float
    assigned: int
    greedy_assigned: int
    weights_version: int
    pool_version: int


def global_proposal(*, tenant: Tenant) -> GlobalProposal:
    """The assignment of all open requests that maximises the total score under the homes' free
    places (sibling groups as units), next to a greedy oldest-first pass. Audited as shown."""
    from bredvid.matching.global_assignment import Problem, assign

    _require(can_match(tenant))
    municipality = tenant.municipality
    open_requests = list(
        SupportRequest.objects.visible_to(tenant)
        .filter(status=SupportRequest.Status.OPEN)
        .select_related("case__client")
        .prefetch_related("siblings__intervention__case__client", "protected_places", "relatives")
        .order_by("ordered_on", "created_at")
    )
    mpool = pool_for(municipality)
    weights = current_weights(municipality)
    relatives_first = [r for r in open_requests if r.relatives.all()]
    solved = [r for r in open_requests if not r.relatives.all()]
    requests = [engine_request(support_request, mpool) for support_request in solved]
    candidates = engine.eligible_lists(mpool.pool, requests, weights, limit=GLOBAL_LIST_LIMIT)
    children = [request.children for request in requests]
    problem = Problem.from_lists(
        request_ids=np.arange(len(solved), dtype=np.int64),
        children=children,
        order_keys=np.arange(len(solved), dtype=np.int64),  # already oldest first
        candidates=candidates,
        supporter_ids=mpool.pool.ids,
        capacity=mpool.pool.capacity_free.astype(np.int64),
    )
    result = assign(problem)
    optimal, greedy = result.plan.as_dict(), result.greedy.as_dict()  # request index → pool row
    rows_used = {r for plan in (optimal, greedy) for r in plan.values() if r is not None}
    supporters = Supporter.objects.in_bulk({mpool.supporter_of_row[r] for r in rows_used})

    def supporter(row: int | None) -> Supporter | None:
        return None if row is None else supporters[mpool.supporter_of_row[row]]

    rows = [
        ProposalRow(
            support_request=support_request,
            supporter=supporter(optimal[i]),
            score=float(result.plan.scores[i]),
            greedy_supporter=supporter(greedy[i]),
            greedy_score=float(result.greedy.scores[i]),
        )
        for i, support_request in enumerate(solved)
    ]
    proposal = GlobalProposal(
        rows=rows,
        relatives_first=relatives_first,
        total=result.plan.total,
        greedy_total=result.greedy.total,
        gain_pct=result.gain_vs_greedy_pct,
        assigned=result.plan.assigned,
        greedy_assigned=result.greedy.assigned,
        weights_version=weights.version,
        pool_version=mpool.version,
    )
    record(
        action=Action.VIEW,
        tenant=tenant,
        object_type="matching.globalproposal",
        subjects=[r.case.client_id for r in open_requests],
        detail={
            "proposal": [
                [
                    str(row.support_request.pk),
                    str(row.supporter.pk) if row.supporter else None,
                    round(row.score, 4),
                ]
                for row in rows
            ],
            "total": round(proposal.total, 4),
            "greedy_total": round(proposal.greedy_total, 4),
            "weights_version": weights.version,
            "pool_version": mpool.version,
        },
    )
    return proposal
