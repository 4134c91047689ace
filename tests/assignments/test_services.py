"""Assignment services: permission, state guards on the locked row, audit, history, report rules."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bredvid.assignments import services
from bredvid.assignments.models import Assignment, AssignmentChange, Report, Supervision
from bredvid.audit.models import Action, AuditEvent
from bredvid.core.errors import IllegalTransition
from tests.assignments.factories import make_assignment, meeting, stay

DAY = dt.timedelta(days=1)


def _terms(**overrides):  # type: ignore[no-untyped-def]
    values = {
        "scope_unit": "meetings",
        "planned_per_month": Decimal(4),
        "fee_level": "2",
        "allowance_level": "25",
        "child_allowance_deduction": None,
    }
    return {**values, **overrides}


def test_terms_change_is_kept_in_history_and_audited(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world, kind="kontaktperson")
    officer = world.tenant("family_care_officer")
    services.change_terms(tenant=officer, assignment=a, **_terms())
    a.refresh_from_db()
    assert (a.planned_per_month, a.fee_level, a.allowance_level) == (Decimal(4), "2", "25")
    (change,) = AssignmentChange.objects.filter(assignment=a)
    assert change.changed_by == world.users["family_care_officer"]
    assert change.changes["fee_level"] == {"before": "1", "after": "2"}
    assert change.changes["planned_per_month"] == {"before": "2", "after": "4"}
    assert "scope_unit" not in change.changes  # unchanged fields are not history
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=str(a.pk))
    assert event.detail["change"] == "terms" and event.person_id == a.intervention.case.client_id
    # the same values again: nothing to record
    services.change_terms(tenant=officer, assignment=a, **_terms())
    assert AssignmentChange.objects.filter(assignment=a).count() == 1


def test_terms_are_validated_next_to_their_field(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world, kind="kontaktperson")
    officer = world.tenant("family_care_officer")
    for bad, field in (
        ({"planned_per_month": None}, "planned_per_month"),
        ({"planned_per_month": Decimal("0.2")}, "planned_per_month"),
        ({"scope_unit": "", "planned_per_month": Decimal(3)}, "scope_unit"),
        ({"scope_unit": "weeks"}, "scope_unit"),
        ({"child_allowance_deduction": Decimal(-1)}, "child_allowance_deduction"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.change_terms(tenant=officer, assignment=a, **_terms(**bad))
        assert field in exc.value.message_dict, bad
    a.refresh_from_db()
    assert a.fee_level == "1" and not AssignmentChange.objects.exists()
    # a placement counts nothing per month
    services.change_terms(tenant=officer, assignment=a, **_terms(scope_unit="placement"))
    a.refresh_from_db()
    assert a.scope_unit == "placement" and a.planned_per_month is None


def test_only_the_family_care_unit_changes_and_ends(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    for role in ("caseworker", "auditor", "admin"):
        tenant = world.tenant(role)
        with pytest.raises(PermissionDenied):
            services.change_terms(tenant=tenant, assignment=a, **_terms())
        with pytest.raises(PermissionDenied):
            services.end_assignment(
                tenant=tenant, assignment=a, end_on=timezone.localdate(), end_reason="moved"
            )
        with pytest.raises(PermissionDenied):
            services.create_report(tenant=tenant, assignment=a, data=meeting())
    assert not Report.objects.exists() and not AssignmentChange.objects.exists()


def test_ending_records_history_and_refuses_later_reports(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world, kind="kontaktperson")
    officer = world.tenant("manager")
    today = timezone.localdate()
    services.create_report(tenant=officer, assignment=a, data=meeting(days_ago=20))
    with pytest.raises(ValidationError) as exc:
        services.end_assignment(tenant=officer, assignment=a, end_on=today - 30 * DAY, end_reason="moved")
    assert "end_on" in exc.value.message_dict  # before a report
    with pytest.raises(ValidationError) as exc:
        services.end_assignment(tenant=officer, assignment=a, end_on=today, end_reason="")
    assert "end_reason" in exc.value.message_dict
    services.end_assignment(
        tenant=officer, assignment=a, end_on=today - 10 * DAY, end_reason="plan_completed"
    )
    a.refresh_from_db()
    assert a.status == Assignment.Status.ENDED and a.end_on == today - 10 * DAY
    assert AssignmentChange.objects.get(assignment=a).kind == AssignmentChange.Kind.ENDED
    assert AuditEvent.objects.filter(object_id=str(a.pk), detail_json__contains='"ended"').exists()
    with pytest.raises(IllegalTransition):
        services.end_assignment(tenant=officer, assignment=a, end_on=today, end_reason="moved")
    with pytest.raises(IllegalTransition):
        services.change_terms(tenant=officer, assignment=a, **_terms())
    # up to the end date a report may still come in; after it, none
    services.create_report(tenant=officer, assignment=a, data=meeting(days_ago=12))
    with pytest.raises(ValidationError) as exc:
        services.create_report(tenant=officer, assignment=a, data=meeting(days_ago=5))
    assert "slutade" in exc.value.message_dict["starts_on"][0]


def test_report_lifecycle_and_approved_reports_are_locked(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    officer = world.tenant("family_care_officer")
    report = services.create_report(tenant=officer, assignment=a, data=stay())
    assert report.status == Report.Status.DRAFT and report.channel == Report.Channel.STAFF
    report = services.edit_report(tenant=officer, report=report, data=stay(activity="Bad"))
    assert report.activity == "Bad"
    with pytest.raises(IllegalTransition):
        services.approve_report(tenant=officer, report=report)  # a draft is not approved
    services.submit_report(tenant=officer, report=report)
    with pytest.raises(IllegalTransition):
        services.edit_report(tenant=officer, report=report, data=stay(activity="Sent"))
    with pytest.raises(ValidationError) as exc:
        services.return_report(tenant=officer, report=report, comment="  ")
    assert "comment" in exc.value.message_dict
    services.return_report(tenant=officer, report=report, comment="Fel avresetid")
    assert report.status == Report.Status.RETURNED and report.comment == "Fel avresetid"
    services.edit_report(tenant=officer, report=report, data=stay(departs="14:00"))
    services.submit_report(tenant=officer, report=report)
    services.approve_report(tenant=officer, report=report)
    assert report.decided_by == world.users["family_care_officer"] and report.decided_at is not None
    for change in (
        lambda: services.edit_report(tenant=officer, report=report, data=stay()),
        lambda: services.submit_report(tenant=officer, report=report),
        lambda: services.return_report(tenant=officer, report=report, comment="Nej"),
        lambda: services.approve_report(tenant=officer, report=report),
    ):
        with pytest.raises(IllegalTransition):
            change()
    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED and report.departs_at == dt.time(14, 0)
    changes = list(AuditEvent.objects.filter(object_id=str(report.pk)).order_by("seq"))
    assert [e.detail.get("change", "created") for e in changes] == [
        "created", "edited", "submitted", "returned", "edited", "submitted", "approved",
    ]  # fmt: skip


def test_a_stale_copy_cannot_decide_twice(world) -> None:  # type: ignore[no-untyped-def]
    """Two officers with the same submitted report open: the second sees the stored state."""
    a = make_assignment(world)
    officer = world.tenant("family_care_officer")
    report = services.create_report(tenant=officer, assignment=a, data=stay())
    services.submit_report(tenant=officer, report=report)
    first, second = Report.objects.get(pk=report.pk), Report.objects.get(pk=report.pk)
    services.approve_report(tenant=officer, report=first)
    with pytest.raises(IllegalTransition):
        services.return_report(tenant=world.tenant("manager"), report=second, comment="Fel")
    assert Report.objects.get(pk=report.pk).status == Report.Status.APPROVED


def test_the_eservice_channel_has_no_writer_yet(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    with pytest.raises(PermissionDenied):
        services.create_report(
            tenant=world.tenant("family_care_officer"), assignment=a, data=meeting(), channel="eservice"
        )


@pytest.mark.parametrize(
    ("make", "field", "words"),
    [
        (lambda: meeting(hours="0.4"), "hours", "0,5 och 24"),
        (lambda: meeting(hours="24.5"), "hours", "0,5 och 24"),
        (lambda: meeting() | {"hours": None}, "hours", "timmar"),
        (lambda: stay() | {"arrives_at": None}, "arrives_at", "ankomst"),
        (lambda: stay() | {"departs_at": None}, "departs_at", "avresa"),
        (lambda: stay(nights=0, arrives="15:00", departs="14:00"), "departs_at", "efter ankomsten"),
        (lambda: stay(nights=-1), "ends_on", "före startdatum"),
        (lambda: meeting(days_ago=-1), "starts_on", "framtiden"),
        (lambda: stay(arrive_days_ago=1, nights=3), "ends_on", "framtiden"),
        (lambda: meeting(days_ago=400), "starts_on", "började"),
        (lambda: meeting() | {"kind": "party"}, "kind", "träff eller vistelse"),
        (lambda: meeting() | {"starts_on": dt.date(1, 1, 1)}, "starts_on", "tio år"),
    ],
)
def test_report_rules_have_a_swedish_message_next_to_the_field(world, make, field, words) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    with pytest.raises(ValidationError) as exc:
        services.create_report(tenant=world.tenant("family_care_officer"), assignment=a, data=make())
    assert field in exc.value.message_dict, exc.value.message_dict
    assert words in " ".join(exc.value.message_dict[field])
    assert not Report.objects.exists()


def test_two_stays_of_one_assignment_never_overlap(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    other = make_assignment(world, name="Familjen Annan")
    officer = world.tenant("family_care_officer")
    first = services.create_report(tenant=officer, assignment=a, data=stay(arrive_days_ago=10, nights=2))
    with pytest.raises(ValidationError) as exc:
        services.create_report(tenant=officer, assignment=a, data=stay(arrive_days_ago=9, nights=3))
    assert "överlappar" in exc.value.message_dict["starts_on"][0]
    # departing at 15:00 and the next stay arriving at 17:00 the same day is no overlap
    services.create_report(
        tenant=officer, assignment=a, data=stay(arrive_days_ago=8, nights=1, arrives="17:00", departs="12:00")
    )
    # another assignment's stay at the same time is fine, and a report does not overlap itself
    services.create_report(tenant=officer, assignment=other, data=stay(arrive_days_ago=10, nights=2))
    services.edit_report(tenant=officer, report=first, data=stay(arrive_days_ago=10, nights=2, activity="Ny"))
    # meetings on the same day as a stay are not stays
    services.create_report(tenant=officer, assignment=a, data=meeting(days_ago=9))
    assert Report.objects.filter(assignment=a).count() == 3


def test_meeting_ignores_stay_fields(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world, kind="kontaktperson")
    data = meeting(days_ago=2) | {"ends_on": timezone.localdate(), "arrives_at": dt.time(9, 0)}
    report = services.create_report(tenant=world.tenant("family_care_officer"), assignment=a, data=data)
    assert report.ends_on == report.starts_on and report.arrives_at is None


def test_supervision_notes_are_dated_written_by_staff_and_audited(world) -> None:  # type: ignore[no-untyped-def]
    a = make_assignment(world)
    officer = world.tenant("family_care_officer")
    today = timezone.localdate()
    note = services.add_supervision(
        tenant=officer, assignment=a, held_on=today, form="phone", text=" Samtal "
    )
    assert note.text == "Samtal" and note.written_by == world.users["family_care_officer"]
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=str(note.pk)).exists()
    for kwargs, field in (
        ({"held_on": today, "form": "phone", "text": ""}, "text"),
        ({"held_on": today, "form": "fax", "text": "x"}, "form"),
        ({"held_on": today - 400 * DAY, "form": "phone", "text": "x"}, "held_on"),
        ({"held_on": today + 30 * DAY, "form": "phone", "text": "x"}, "held_on"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.add_supervision(tenant=officer, assignment=a, **kwargs)
        assert field in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.add_supervision(
            tenant=world.tenant("caseworker"), assignment=a, held_on=today, form="phone", text="x"
        )
    assert Supervision.objects.count() == 1


def test_a_supporter_may_hold_several_assignments(world) -> None:  # type: ignore[no-untyped-def]
    from bredvid.matching import services as matching
    from tests.matching.factories import approved_supporter, granted_intervention, request_data

    supporter = approved_supporter(world, kind="kontaktperson", places=2)
    officer = world.tenant("family_care_officer")
    made = []
    for _ in range(2):
        req = matching.create_request(
            tenant=world.tenant("caseworker"), intervention=granted_intervention(world, kind="kontaktperson"),
            data=request_data(),
        )  # fmt: skip
        (offer,) = matching.send_offers(tenant=officer, support_request=req, supporters=[supporter])
        matching.answer_offer(tenant=officer, offer=offer, accepted=True)
        made.append(matching.confirm_offer(tenant=officer, offer=offer, start_on=timezone.localdate()))
    assert {a.supporter_id for a in made} == {supporter.pk} and len(set(made)) == 2
