"""One rule for a register check that counts: RegisterCheck.objects.valid_on(day)."""

import datetime as dt

from bredvid.supporters.models import RegisterCheck, SupporterMember
from bredvid.supporters.services import police_check_problems
from tests.matching.factories import approved_supporter

DAY = dt.date(2026, 11, 2)


def test_valid_on_counts_received_not_disqualifying_unexpired_checks(world) -> None:  # type: ignore[no-untyped-def]
    supporter = approved_supporter(world, police_valid=False)
    member = SupporterMember.objects.get(supporter=supporter)
    base = {"municipality": world.home, "member": member, "requested_on": DAY - dt.timedelta(days=30)}
    received = DAY - dt.timedelta(days=20)
    rows = {
        "valid": dict(outcome="no_record", received_on=received, valid_until=DAY),
        "no_end": dict(outcome="record", received_on=received, valid_until=None),
        "expired": dict(outcome="no_record", received_on=received, valid_until=DAY - dt.timedelta(days=1)),
        "pending": dict(outcome="pending", received_on=None, valid_until=None),
        "disqualifying": dict(outcome="disqualifying", received_on=received, valid_until=None),
    }
    ids = {
        name: RegisterCheck.objects.create(**base, kind="social", note=name, **r).pk
        for name, r in rows.items()
    }
    valid = set(RegisterCheck.objects.valid_on(DAY).values_list("pk", flat=True))
    assert valid == {ids["valid"], ids["no_end"]}
    assert ids["valid"] not in set(
        RegisterCheck.objects.valid_on(DAY + dt.timedelta(days=1)).values_list("pk", flat=True)
    )


def test_approval_uses_the_same_rule(world) -> None:  # type: ignore[no-untyped-def]
    supporter = approved_supporter(world, police_valid=False)
    member = SupporterMember.objects.get(supporter=supporter)
    for kind in (RegisterCheck.Kind.POLICE_RECORD, RegisterCheck.Kind.POLICE_SUSPICION):
        RegisterCheck.objects.create(
            municipality=world.home,
            member=member,
            kind=kind,
            requested_on=DAY - dt.timedelta(days=30),
            received_on=DAY - dt.timedelta(days=20),
            outcome="no_record",
            valid_until=DAY,
        )
    assert police_check_problems(supporter, DAY) == []
    assert len(police_check_problems(supporter, DAY + dt.timedelta(days=1))) == 2
