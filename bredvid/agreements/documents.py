"""The agreement PDF: the municipality's template (sandboxed, agreements.template) in a fixed frame.

WeasyPrint is given a fetcher that allows only `data:` URLs, so a template cannot make the server
fetch anything. The bytes are generated once per version and stored; what is served and signed is
always the stored file, never a new rendering.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.template.loader import render_to_string
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from bredvid.agreements.template import DEFAULT_TEMPLATE, render_template

if TYPE_CHECKING:
    import datetime
    from decimal import Decimal

    from bredvid.agreements.terms import Terms
    from bredvid.assignments.models import Assignment
    from bredvid.tenancy.models import Municipality


def template_body(municipality: Municipality) -> str:
    from bredvid.agreements.models import AgreementTemplate

    own = AgreementTemplate.objects.in_municipality(municipality).only("body").first()
    return own.body if own is not None else DEFAULT_TEMPLATE


def _day(value: datetime.date | None) -> str:
    return value.isoformat() if value else ""


def _kronor(amount: Decimal | None, per: str) -> str:
    if amount is None:
        return _("enligt kommunens gällande ersättningsnivåer")
    text = formats.number_format(
        amount, decimal_pos=2 if amount % 1 else 0, use_l10n=True, force_grouping=True
    )
    unit = {"day": _("per dygn"), "month": _("per månad")}.get(per, "")
    return f"{text} kr {unit}".strip()


def variables(
    assignment: Assignment, terms: Terms, *, number: int, officer: str, on: datetime.date
) -> dict[str, str]:
    """The template's variables for one version (plain text; agreements.template.VARIABLES)."""
    from bredvid.assignments.models import ScopeUnit

    client = assignment.intervention.case.client
    supporter = assignment.supporter
    address = ", ".join(
        p for p in (supporter.street_address, f"{supporter.postal_code} {supporter.city}".strip()) if p
    )
    scope_label = dict(ScopeUnit.choices).get(terms.scope_unit, "")
    scope = (
        f"{formats.number_format(terms.planned_per_month, use_l10n=True)} {scope_label}".strip()
        if terms.planned_per_month is not None
        else str(scope_label or _("enligt genomförandeplanen"))
    )
    return {
        "kommun": assignment.municipality.name,
        "enhet": assignment.intervention.case.unit.name,
        "handlaggare": officer,
        "uppdragstagare": supporter.name,
        "uppdragstagare_adress": address,
        "den_enskilde": client.full_name,
        "den_enskilde_fodd": _day(client.birth_date),
        "uppdrag": str(assignment.get_support_kind_display()),
        "antal_barn": str(assignment.children),
        "startdatum": _day(terms.start_on),
        "slutdatum": _day(terms.end_on),
        "omfattning": scope,
        "arvode": _kronor(terms.fee_amount, terms.fee_per),
        "arvodesniva": terms.fee_level,
        "omkostnad": _kronor(terms.allowance_amount, terms.allowance_per),
        "omkostnadsniva": terms.allowance_level,
        "barnbidragsavdrag": _kronor(terms.child_allowance_deduction, "")
        if terms.child_allowance_deduction
        else "",
        "uppsagningstid": str(terms.notice_days),
        "sarskilda_villkor": terms.special_terms,
        "version": str(number),
        "datum": _day(on),
    }


def agreement_pdf(body: str, values: dict[str, str]) -> bytes:
    content = render_template(body, values)
    html = render_to_string("agreements/pdf/agreement.html", {**values, "body": mark_safe(content)})
    fetcher = URLFetcher(allowed_protocols=["data"])
    return HTML(string=html, url_fetcher=fetcher).write_pdf()  # type: ignore[no-any-return]
