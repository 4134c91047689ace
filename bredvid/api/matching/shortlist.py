"""The shortlist of API v1: ranked and explained candidates for a support request (family-care unit).

The service writes the audit event of a shortlist (who was shown, with which weights).
"""

import uuid
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import ValidationError as NinjaValidationError

from bredvid.api.matching.common import matcher
from bredvid.api.schemas import ERRORS, Clean
from bredvid.matching import services
from bredvid.matching.models import SupportRequest
from bredvid.supporters.models import Supporter

router = Router()


class ShortlistParams(Clean):
    k: int = Field(20, ge=1, le=100, description="how many candidates (besides relatives)")
    why_not: uuid.UUID = Field(None, description="a supporter id: why is this one (not) shown?")  # type: ignore[assignment]
    max_km: int = Field(None, ge=1, le=2000, description="filter: only candidates at most this far")  # type: ignore[assignment]
    not_asked: bool = Field(False, description="filter: hide supporters already asked about this request")
    all_needs: bool = Field(False, description="filter: only candidates who can meet every need")
    language: bool = Field(False, description="filter: only candidates who speak one of the languages")


class Contribution(Schema):
    criterion: str
    label: str
    value: float


class CandidateOut(Schema):
    rank: int
    supporter_id: uuid.UUID
    name: str
    relative: bool
    score: float
    contributions: list[Contribution]
    distance_km: float | None = Field(description="null for protected requests: only the band is shown")
    distance_band: str
    offer_id: uuid.UUID | None
    offer_status: str | None


class ExcludedOut(Schema):
    rule: str
    label: str
    count: int


class WhyNotOut(Schema):
    supporter_id: uuid.UUID
    name: str
    eligible: bool
    reasons: list[str]
    score: float | None
    contributions: list[Contribution]
    lowest_shown_score: float | None


class ShortlistOut(Schema):
    request_id: uuid.UUID
    protected: bool
    k: int
    relatives: list[CandidateOut]
    candidates: list[CandidateOut]
    excluded: list[ExcludedOut]
    eligible: int
    pool_size: int
    weights_version: int
    pool_version: int
    why_not: WhyNotOut | None
    filtered_out: int


def _contributions(values: dict[str, float]) -> list[dict[str, Any]]:
    return [
        {"criterion": name, "label": str(services.CRITERION_LABELS[name]), "value": round(value, 4)}
        for name, value in values.items()
    ]


def _candidate_out(shown: services.ShownCandidate) -> dict[str, Any]:
    cand = shown.candidate
    return {
        "rank": shown.rank,
        "supporter_id": shown.supporter.pk,
        "name": shown.supporter.name,
        "relative": cand.relative,
        "score": round(cand.score, 4),
        "contributions": _contributions(cand.contributions),
        "distance_km": None if cand.distance_km is None else round(cand.distance_km, 1),
        "distance_band": cand.distance_band,
        "offer_id": shown.offer.pk if shown.offer else None,
        "offer_status": shown.offer.status if shown.offer else None,
    }


@router.get(
    "/support-requests/{object_id}/shortlist",
    response={200: ShortlistOut, **ERRORS},
    tags=["support requests"],
    summary="Ranked and explained candidates for a request (written to the audit log)",
)
def get_shortlist(
    request: HttpRequest, object_id: uuid.UUID, params: Query[ShortlistParams]
) -> dict[str, Any]:
    tenant = matcher(request)
    requests = SupportRequest.objects.visible_to(tenant).select_related("case__client", "municipality")
    sr = get_object_or_404(services.with_current_weights(requests), pk=object_id)
    why_not = None
    if params.why_not is not None:
        why_not = Supporter.objects.visible_to(tenant).filter(pk=params.why_not).first()
        if why_not is None:  # a query parameter: reported as query.why_not
            error = {"loc": ("query", "why_not"), "type": "value_error"}
            raise NinjaValidationError([{**error, "ctx": {"error": _("Uppdragstagaren hittades inte.")}}])
    filters = services.Filters(
        max_km=float(params.max_km) if params.max_km is not None else None,
        not_asked=params.not_asked,
        all_needs=params.all_needs,
        language=params.language,
    )
    result = services.shortlist(
        tenant=tenant, support_request=sr, k=params.k, why_not=why_not, filters=filters
    )
    explained = None
    if result.why_not is not None:
        cand = result.why_not.candidate
        explained = {
            "supporter_id": result.why_not.supporter.pk,
            "name": result.why_not.supporter.name,
            "eligible": not result.why_not.reasons,
            "reasons": result.why_not.reasons,
            "score": round(cand.score, 4) if cand else None,
            "contributions": _contributions(cand.contributions) if cand else [],
            "lowest_shown_score": result.why_not.lowest_shown_score,
        }
    return {
        "request_id": sr.pk,
        "protected": result.protected,
        "k": params.k,
        "relatives": [_candidate_out(c) for c in result.relatives],
        "candidates": [_candidate_out(c) for c in result.candidates],
        "excluded": [{"rule": rule, "label": label, "count": n} for rule, label, n in result.excluded],
        "eligible": result.eligible,
        "pool_size": result.pool_size,
        "weights_version": result.weights_version,
        "pool_version": result.pool_version,
        "why_not": explained,
        "filtered_out": result.filtered_out,
    }
