"""A new municipality's first Systemförvaltare comes from the operator's command; after that, only
from /administration/."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from bredvid.audit.models import AuditEvent
from bredvid.tenancy.models import Membership, Role
from tests.factories import MunicipalityFactory, UnitFactory, UserFactory


@pytest.fixture
def new_municipality(db):  # type: ignore[no-untyped-def]
    municipality = MunicipalityFactory(name="Nykommun", kommunkod="9901", slug="nykommun")
    return municipality, UnitFactory(municipality=municipality, name="Barn och familj")


def test_the_command_appoints_the_first_administrator_audited(new_municipality, capsys) -> None:  # type: ignore[no-untyped-def]
    municipality, unit = new_municipality
    user = UserFactory(username="anna.admin")
    call_command("first_administrator", "9901", "anna.admin")
    membership = Membership.objects.get(user=user)
    assert (membership.unit, membership.role, membership.active) == (unit, Role.ADMIN, True)
    event = AuditEvent.objects.get(municipality_id=municipality.pk, object_id=str(membership.pk))
    assert event.via == "cli" and '"first_administrator"' in event.detail_json
    assert "Systemförvaltare of Nykommun" in capsys.readouterr().out


def test_a_second_administrator_is_refused_and_nothing_is_written(new_municipality) -> None:  # type: ignore[no-untyped-def]
    UserFactory(username="anna.admin")
    UserFactory(username="bo.admin")
    call_command("first_administrator", "9901", "anna.admin")
    events = AuditEvent.objects.count()
    with pytest.raises(CommandError, match="redan en systemförvaltare"):
        call_command("first_administrator", "9901", "bo.admin")
    assert not Membership.objects.filter(user__username="bo.admin").exists()
    assert AuditEvent.objects.count() == events


def test_platform_accounts_and_unknown_names_are_refused(new_municipality) -> None:  # type: ignore[no-untyped-def]
    UserFactory(username="root", is_superuser=True, is_staff=True)
    with pytest.raises(CommandError):
        call_command("first_administrator", "9901", "root")
    with pytest.raises(CommandError, match="No municipality"):
        call_command("first_administrator", "0000", "root")
    with pytest.raises(CommandError, match="No user"):
        call_command("first_administrator", "9901", "nobody")
    assert not Membership.objects.exists()


def test_several_units_need_the_unit_named(new_municipality) -> None:  # type: ignore[no-untyped-def]
    municipality, _unit = new_municipality
    UnitFactory(municipality=municipality, name="Vuxen")
    UserFactory(username="anna.admin")
    with pytest.raises(CommandError, match="--unit"):
        call_command("first_administrator", "9901", "anna.admin")
    call_command("first_administrator", "9901", "anna.admin", unit="Vuxen")
    assert Membership.objects.get(user__username="anna.admin").unit.name == "Vuxen"
