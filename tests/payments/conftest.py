"""Building blocks for payment tests: seeded rate tables with the municipality's decided figures,
wage-type codes, assignments with approved reports, and a second manager who may attest."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from bredvid.assignments.models import Assignment, Report
from bredvid.payments import services
from bredvid.payments.models import Component, Rate, RateGroup
from bredvid.tenancy.context import build_tenant
from bredvid.tenancy.models import Role
from tests.factories import MembershipFactory, UserFactory
from tests.matching.factories import approved_supporter, granted_intervention


def decide(world: Any, *, other: bool = False) -> None:
    """The administrator's decisions on top of SKR's structure: kontaktperson fees per category, the
    sibling reduction, and the lönearter."""
    admin = world.tenant("admin", other=other)
    municipality = world.other if other else world.home
    services.seed_known_years(municipality=municipality)
    for rate in Rate.objects.in_municipality(municipality).filter(
        group=RateGroup.KONTAKTPERSON, component=Component.FEE
    ):
        services.update_rate(tenant=admin, rate=rate, value=Decimal(1000) * int(rate.level))
    for rate in Rate.objects.in_municipality(municipality).filter(component=Component.SIBLING_REDUCTION):
        services.update_rate(tenant=admin, rate=rate, value=Decimal(20))
    for kind, code in (("fee", "711"), ("allowance", "712"), ("expense", "790")):
        services.set_wage_type(tenant=admin, kind=kind, code=code, name=kind)


def make_assignment(
    world: Any,
    *,
    kind: str = "kontaktperson",
    start_on: dt.date = dt.date(2025, 11, 1),
    fee_level: str = "1",
    allowance_level: str = "25",
    children: int = 1,
    age: int = 9,
    other: bool = False,
    name: str = "Familjen Ek",
) -> Assignment:
    intervention = granted_intervention(world, kind=kind, age=age, other=other)
    supporter = approved_supporter(world, kind=kind, name=name, other=other)
    users = world.other_users if other else world.users
    return Assignment.objects.create(
        municipality=intervention.municipality,
        supporter=supporter,
        intervention=intervention,
        support_kind=kind,
        children=children,
        start_on=start_on,
        fee_level=fee_level,
        allowance_level=allowance_level,
        created_by=users["family_care_officer"],
    )


def report(assignment: Assignment, starts_on: dt.date, ends_on: dt.date | None = None, **kw: Any) -> Report:
    kind = Report.Kind.STAY if ends_on else Report.Kind.MEETING
    return Report.objects.create(
        municipality=assignment.municipality,
        assignment=assignment,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on or starts_on,
        status=kw.pop("status", Report.Status.APPROVED),
        **kw,
    )


@pytest.fixture
def second_manager(world: Any) -> Any:
    user = UserFactory(username="manager2.home")
    MembershipFactory(user=user, unit=world.home_unit, role=Role.MANAGER)
    tenant = build_tenant(user, world.home.pk, ip="127.0.0.1")  # type: ignore[arg-type]
    assert tenant is not None
    return tenant


@pytest.fixture
def decided(world: Any) -> Any:
    decide(world)
    return world


from tests.api.conftest import api, token_for  # noqa: E402, F401  (the API token clients)
