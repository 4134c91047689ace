"""Unit-level access: staff see their units' cases, cases shared with them by name, or every case when
the municipality chooses so (Municipality.case_access)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from bredvid.audit.models import Action, AuditEvent
from bredvid.casework import services
from bredvid.casework.models import Case, CaseShare, JournalEntry
from bredvid.casework.perms import can_work_on_case
from bredvid.core.errors import IllegalTransition
from bredvid.tenancy.context import build_tenant
from bredvid.tenancy.models import CASE_ACCESS_MUNICIPALITY, Role
from tests.casework.factories import CaseFactory
from tests.factories import MembershipFactory, UnitFactory, UserFactory


@pytest.fixture
def sibling(world):  # type: ignore[no-untyped-def]
    """A caseworker of a second unit of the home municipality."""
    unit = UnitFactory(municipality=world.home, name="Vuxen")
    user = UserFactory(username="sibling.caseworker", first_name="Sara", last_name="Syskon")
    MembershipFactory(user=user, unit=unit, role=Role.CASEWORKER)
    return user


@pytest.fixture
def case(world):  # type: ignore[no-untyped-def]
    case = CaseFactory(unit=world.home_unit, responsible=world.users["caseworker"])
    JournalEntry.objects.create(
        municipality=world.home,
        case=case,
        author=world.users["caseworker"],
        title="Samtal",
        text="-",
        occurred_on=case.opened_on,
    )
    return case


def _tenant(user, municipality):  # type: ignore[no-untyped-def]
    tenant = build_tenant(user, municipality.pk, ip=None)
    assert tenant is not None
    return tenant


def _page(client, case):  # type: ignore[no-untyped-def]
    return client.get(reverse("staff:case_detail", args=[case.pk]))


def _sibling_client(sibling):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    client.force_login(sibling)
    return client


def test_another_units_case_is_hidden_until_shared_by_name(world, case, sibling) -> None:  # type: ignore[no-untyped-def]
    other_unit = _tenant(sibling, world.home)
    assert not Case.objects.visible_to(other_unit).filter(pk=case.pk).exists()
    assert not JournalEntry.objects.visible_to(other_unit).exists()
    assert _page(_sibling_client(sibling), case).status_code == 404

    share = services.share_case(
        tenant=world.tenant("caseworker"), case=case, user=sibling, reason="Semestervikarie"
    )
    assert Case.objects.visible_to(other_unit).get() == case
    assert JournalEntry.objects.visible_to(other_unit).count() == 1
    assert can_work_on_case(other_unit, case)
    body = _page(_sibling_client(sibling), case).content.decode()
    assert "Semestervikarie" in body
    event = AuditEvent.objects.get(object_type="casework.caseshare", action=Action.CREATE)
    assert event.person_id == case.client_id and event.detail["shared_with"] == sibling.pk

    services.end_case_share(tenant=world.tenant("caseworker"), share=share)
    assert not Case.objects.visible_to(other_unit).exists()
    assert _page(_sibling_client(sibling), case).status_code == 404
    assert CaseShare.objects.get().ended_by == world.users["caseworker"]  # kept, not deleted


def test_a_municipality_may_let_staff_see_every_case(world, case, sibling) -> None:  # type: ignore[no-untyped-def]
    world.home.settings = {"case_access": CASE_ACCESS_MUNICIPALITY}
    world.home.save()
    other_unit = _tenant(sibling, world.home)
    assert Case.objects.visible_to(other_unit).get() == case
    assert _page(_sibling_client(sibling), case).status_code == 200
    with pytest.raises(IllegalTransition):
        services.share_case(tenant=world.tenant("caseworker"), case=case, user=sibling, reason="x")
    # still never another municipality's
    assert not Case.objects.visible_to(world.tenant("caseworker", other=True)).exists()


def test_only_the_cases_unit_shares_and_only_with_casework_staff_of_the_municipality(  # type: ignore[no-untyped-def]
    world, case, sibling
) -> None:
    with pytest.raises(PermissionDenied):
        services.share_case(tenant=_tenant(sibling, world.home), case=case, user=sibling, reason="x")
    with pytest.raises(PermissionDenied):  # a family-care officer of the unit does not work on cases
        services.share_case(tenant=world.tenant("family_care_officer"), case=case, user=sibling, reason="x")
    caseworker = world.tenant("caseworker")
    for user in (world.other_users["caseworker"], world.users["auditor"]):
        with pytest.raises(ValidationError) as error:
            services.share_case(tenant=caseworker, case=case, user=user, reason="x")
        assert "user" in error.value.message_dict
    with pytest.raises(ValidationError):  # already in the unit
        services.share_case(tenant=caseworker, case=case, user=world.users["manager"], reason="x")
    services.share_case(tenant=caseworker, case=case, user=sibling, reason="Vikarie")
    with pytest.raises(IllegalTransition):
        services.share_case(tenant=caseworker, case=case, user=sibling, reason="Igen")
    assert CaseShare.objects.count() == 1


def test_share_page_for_the_unit_wrong_role_other_municipality_and_anonymous(world, case, sibling) -> None:  # type: ignore[no-untyped-def]
    url = reverse("staff:case_case_share", args=[case.pk])
    caseworker = world.client("caseworker")
    form = caseworker.get(url)
    assert form.status_code == 200
    assert "Sara Syskon" in form.content.decode()
    assert world.users["manager"].display_name not in form.content.decode()  # already in the unit

    missing = caseworker.post(url, {"user": "", "reason": ""})
    assert missing.status_code == 200 and "Skäl" in missing.content.decode()
    assert CaseShare.objects.count() == 0

    done = caseworker.post(url, {"user": str(sibling.pk), "reason": "Vikarie"})
    assert done.status_code == 302 and CaseShare.objects.get().user == sibling

    assert world.client("family_care_officer").get(url).status_code == 403
    assert world.client("caseworker", other=True).get(url).status_code == 404
    assert _sibling_client(sibling).get(url).status_code == 403  # sees the shared case, may not re-share
    anonymous = world.client("caseworker")
    anonymous.logout()
    assert anonymous.get(url).status_code == 302


def test_the_colleague_ends_a_share_themself(world, case, sibling) -> None:  # type: ignore[no-untyped-def]
    share = services.share_case(tenant=world.tenant("caseworker"), case=case, user=sibling, reason="Vikarie")
    url = reverse("staff:case_case_share_end", args=[case.pk, share.pk])
    assert world.client("caseworker", other=True).post(url).status_code == 404
    assert _sibling_client(sibling).post(url).status_code == 302
    share.refresh_from_db()
    assert share.ended_by == sibling
    assert _page(_sibling_client(sibling), case).status_code == 404
