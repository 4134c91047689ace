"""One factory per model (factory_boy)."""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.contrib.auth import get_user_model

from bredvid.people.models import Person, PersonStaffAccess, ProtectionLevel
from bredvid.tenancy.models import Membership, Municipality, Role, Unit


class MunicipalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Municipality
        django_get_or_create = ("kommunkod",)

    name = factory.Sequence(lambda n: f"Testkommun {n}")
    kommunkod = factory.Sequence(lambda n: f"{9000 + n % 999:04d}")
    slug = factory.Sequence(lambda n: f"testkommun-{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    municipality = factory.SubFactory(MunicipalityFactory)
    name = factory.Sequence(lambda n: f"Enhet {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Användare{n}")
    password = factory.PostGenerationMethodCall("set_password", "test-password-123")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # type: ignore[no-untyped-def]
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.CASEWORKER


def _number(n: int) -> str:
    """A valid personnummer per sequence number: birth dates spread over 1950–2019."""
    from stdnum import luhn

    day = datetime.date(1950, 1, 1) + datetime.timedelta(days=(n * 37) % 25_000)
    serial = f"{(n // 25_000) % 1000:03d}"
    body = day.strftime("%y%m%d") + serial
    return f"{day.strftime('%Y%m%d')}-{serial}{luhn.calc_check_digit(body)}"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    municipality = factory.SubFactory(MunicipalityFactory)
    identity_kind = "personnummer"
    identity_number = factory.Sequence(_number)
    birth_date = factory.LazyAttribute(lambda o: datetime.date.fromisoformat(o.identity_number[:8]))
    first_name = factory.Faker("first_name", locale="sv_SE")
    last_name = factory.Faker("last_name", locale="sv_SE")
    street_address = factory.Faker("street_address", locale="sv_SE")
    postal_code = "123 45"
    city = factory.Faker("city", locale="sv_SE")
    protection_level = ProtectionLevel.NONE


class PersonStaffAccessFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PersonStaffAccess

    person = factory.SubFactory(PersonFactory)
    municipality = factory.LazyAttribute(lambda o: o.person.municipality)
    user = factory.SubFactory(UserFactory)


def active_assignment(world: Any, *, kind: str = "kontaktfamilj", other: bool = False, **fields: Any) -> Any:
    """An active assignment of an approved supporter for a granted intervention (as matching makes it)."""
    from bredvid.assignments.models import Assignment
    from tests.matching.factories import approved_supporter, granted_intervention

    intervention = granted_intervention(world, kind=kind, other=other)
    supporter = approved_supporter(world, kind=kind, other=other)
    users = world.other_users if other else world.users
    values: dict[str, Any] = {
        "municipality": intervention.municipality,
        "supporter": supporter,
        "intervention": intervention,
        "support_kind": kind,
        "start_on": intervention.decision.period_start,
        "scope_unit": "days" if kind == "kontaktfamilj" else "meetings",
        "planned_per_month": 2,
        "fee_level": "grund",
        "allowance_level": "grund",
        "created_by": users["family_care_officer"],
        **fields,
    }
    return Assignment.objects.create(**values)
