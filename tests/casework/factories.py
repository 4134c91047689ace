from __future__ import annotations

import datetime

import factory

from bredvid.casework.models import Case
from tests.factories import PersonFactory, UnitFactory


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    unit = factory.SubFactory(UnitFactory)
    municipality = factory.LazyAttribute(lambda o: o.unit.municipality)
    client = factory.SubFactory(PersonFactory, municipality=factory.SelfAttribute("..municipality"))
    reference = factory.Sequence(lambda n: f"T-2026-{n:05d}")
    opened_on = datetime.date(2026, 1, 10)
