"""The auditor's log review: search by person, user and period; export is audited too."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from bredvid.audit.models import Action, AuditEvent
from bredvid.audit.services import record
from bredvid.people.models import ProtectionLevel
from tests.factories import PersonFactory


@pytest.fixture
def history(world):  # type: ignore[no-untyped-def]
    protected = PersonFactory(municipality=world.home, protection_level=ProtectionLevel.SKYDDAD_FOLKBOKFORING)
    plain = PersonFactory(municipality=world.home)
    caseworker = world.tenant("caseworker")
    manager = world.tenant("manager")
    record(action=Action.VIEW, tenant=caseworker, obj=protected, person_id=protected.pk, reason="Utredning")
    record(action=Action.VIEW, tenant=manager, obj=plain, person_id=plain.pk)
    record(
        action=Action.SEARCH, tenant=manager, object_type="people.person", subjects=[plain.pk, protected.pk]
    )
    record(action=Action.VIEW, tenant=world.tenant("caseworker", other=True), object_type="x")
    return protected, plain


def test_search_by_person_finds_views_and_list_appearances(world, history) -> None:  # type: ignore[no-untyped-def]
    protected, plain = history
    client = world.client("auditor")
    response = client.get(reverse("staff:audit_log"), {"person": plain.identity_number})
    rows = response.context["rows"]
    assert {event.action for event, _ in rows} == {Action.VIEW, Action.SEARCH}
    assert all(event.municipality == world.home for event, _ in rows)
    response = client.get(
        reverse("staff:audit_log"), {"person": protected.identity_number, "protected_only": "on"}
    )
    [(event, person)] = response.context["rows"]
    assert event.reason == "Utredning"
    assert person == protected
    assert "Utredning" in response.content.decode()


def test_search_by_user_and_period(world, history) -> None:  # type: ignore[no-untyped-def]
    client = world.client("auditor")
    response = client.get(reverse("staff:audit_log"), {"user": "manager.home"})
    assert len(response.context["rows"]) == 2
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.get(reverse("staff:audit_log"), {"date_from": tomorrow})
    assert response.context["rows"] == []
    response = client.get(reverse("staff:audit_log"), {"date_from": tomorrow, "date_to": "2020-01-01"})
    assert "Slutdatumet ligger före startdatumet" in response.content.decode()


def test_other_municipalitys_events_are_never_shown(world, history) -> None:  # type: ignore[no-untyped-def]
    response = world.client("auditor", other=True).get(
        reverse("staff:audit_log"), {"user": "caseworker.home"}
    )
    assert response.context["rows"] == []


def test_log_review_is_itself_logged(world, history) -> None:  # type: ignore[no-untyped-def]
    world.client("auditor").get(reverse("staff:audit_log"), {"user": "manager.home"})
    event = AuditEvent.objects.filter(action=Action.SEARCH, actor_username="auditor.home").get()
    assert event.detail["filters"] == {"user": "manager.home"}


def test_export_is_an_excel_file_and_audited(world, history) -> None:  # type: ignore[no-untyped-def]
    protected, _ = history
    response = world.client("auditor").get(
        reverse("staff:audit_export"), {"person": protected.identity_number}
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Tidpunkt"
    # header + the view of the protected person + the list in which the person appeared
    assert [row[2] for row in rows[1:]] == ["Visning", "Sökning"]
    assert rows[1][5] == protected.identity_number
    export = AuditEvent.objects.get(action=Action.EXPORT)
    assert export.actor_username == "auditor.home"
    assert export.detail["rows"] == 2


@pytest.mark.parametrize("role", ["caseworker", "manager", "family_care_officer", "admin"])
def test_only_auditors_review_the_log(world, role) -> None:  # type: ignore[no-untyped-def]
    client = world.client(role)
    assert client.get(reverse("staff:audit_log")).status_code == 403
    assert client.get(reverse("staff:audit_export")).status_code == 403
