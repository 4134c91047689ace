"""The calendar feed is issued through deadlines.services.issue_calendar_feed."""

import pytest
from django.core.exceptions import PermissionDenied

from bredvid.audit.models import Action, AuditEvent
from bredvid.deadlines.models import CalendarFeed, hash_feed_token
from bredvid.deadlines.services import issue_calendar_feed


def test_a_new_feed_replaces_the_old_and_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    tenant = world.tenant("caseworker")
    first = issue_calendar_feed(tenant=tenant)
    second = issue_calendar_feed(tenant=tenant)
    feed = CalendarFeed.objects.get()
    assert feed.token_hash == hash_feed_token(second) != hash_feed_token(first)
    assert (
        AuditEvent.objects.filter(action=Action.TOKEN_ISSUED, object_type="deadlines.calendarfeed").count()
        == 2
    )
    # another user's feed is untouched
    issue_calendar_feed(tenant=world.tenant("manager"))
    assert CalendarFeed.objects.count() == 2


def test_only_roles_with_deadlines_get_a_feed(world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        issue_calendar_feed(tenant=world.tenant("auditor"))
    assert not CalendarFeed.objects.exists()
