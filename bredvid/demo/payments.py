"""Demo remuneration: SKR's 2025 and 2026 tables with the municipality's own decisions filled in
(kontaktperson fees, the sibling reduction), lönearter, and attested payment runs for every past
month with something to pay — from whatever assignments and approved reports the demo has.

A run is prepared by the demo manager and attested by a second manager (`attest-<kommunkod>`), since
the one who prepares a run may not attest it. Idempotent: a month already paid adds nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Min
from django.utils import timezone

from bredvid.assignments.models import Assignment
from bredvid.core.errors import IllegalTransition
from bredvid.demo.casework import _tenant
from bredvid.payments import services
from bredvid.payments.models import Component, LineKind, PaymentRun, Rate, RateTable
from bredvid.tenancy.context import build_tenant
from bredvid.tenancy.models import Membership, Municipality, Role, Unit

#: The demo municipalities' own decisions (kronor per month by category; percent for siblings).
KP_FEES = {"1": Decimal(1150), "2": Decimal(2300), "3": Decimal(3450)}
SIBLING_REDUCTION = Decimal(20)
WAGE_TYPES = {
    LineKind.FEE: ("711", "Arvode uppdragstagare"),
    LineKind.ALLOWANCE: ("712", "Omkostnadsersättning"),
    LineKind.EXPENSE: ("790", "Utlägg"),
}


def _attester(municipality: Municipality, password: str):  # type: ignore[no-untyped-def]
    username = f"attest-{municipality.kommunkod}"
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": "Anders", "last_name": "Ekholm", "email": f"{username}@example.invalid"},
    )
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    unit = Unit.objects.filter(municipality=municipality).order_by("name").first()
    Membership.objects.get_or_create(user=user, unit=unit, role=Role.MANAGER)
    tenant = build_tenant(user, municipality.pk, ip=None, via="cli")
    assert tenant is not None
    return tenant


def _months(first: dt.date, before: dt.date) -> list[dt.date]:
    months, day = [], first.replace(day=1)
    while day < before:
        months.append(day)
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return months


def load_demo_payments(municipality: Municipality, *, password: str) -> int:
    """Returns the number of runs attested."""
    services.seed_known_years(municipality=municipality)
    admin, manager = _tenant(municipality, Role.ADMIN), _tenant(municipality, Role.MANAGER)
    for rate in Rate.objects.in_municipality(municipality).filter(
        component__in=[Component.FEE, Component.SIBLING_REDUCTION], amount__isnull=True, percent__isnull=True
    ):
        value = (
            SIBLING_REDUCTION if rate.component == Component.SIBLING_REDUCTION else KP_FEES.get(rate.level)
        )
        if value is not None:
            services.update_rate(tenant=admin, rate=rate, value=value, note="Demokommunens beslut")
    for kind, (code, name) in WAGE_TYPES.items():
        services.set_wage_type(tenant=admin, kind=kind, code=code, name=name)
    attester = _attester(municipality, password)
    first = Assignment.objects.in_municipality(municipality).aggregate(first=Min("start_on"))["first"]
    if first is None:
        return 0
    years = set(RateTable.objects.in_municipality(municipality).values_list("year", flat=True))
    this_month = timezone.localdate().replace(day=1)
    attested = 0
    for month in _months(first, this_month):
        if month.year not in years:
            continue
        prepared = services.prepare_run(tenant=manager, period=month)
        run = prepared.run
        if run is None or run.status != PaymentRun.Status.PREPARED:
            continue
        try:
            services.attest_run(tenant=attester, run=run)
        except IllegalTransition:
            continue
        attested += 1
    return attested
