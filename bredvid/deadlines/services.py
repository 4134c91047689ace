"""State changes in deadlines: the user's calendar feed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.deadlines.models import CalendarFeed
from bredvid.deadlines.perms import can_see_deadlines
from bredvid.tenancy.context import Tenant


def issue_calendar_feed(*, tenant: Tenant) -> str:
    """A new secret feed token for the tenant's own deadlines; earlier feeds stop working.
    Returns the raw token (shown once; only its hash is stored)."""
    if not can_see_deadlines(tenant):
        raise PermissionDenied
    raw, digest = CalendarFeed.generate()
    with transaction.atomic():
        # the user's row is the lock: two tabs subscribing at once leave exactly one feed
        tenant.user.__class__.objects.select_for_update().filter(pk=tenant.user.pk).first()
        CalendarFeed.objects.visible_to(tenant).delete()
        feed = CalendarFeed.objects.create(
            user=tenant.user, municipality=tenant.municipality, token_hash=digest
        )
        record(action=Action.TOKEN_ISSUED, tenant=tenant, obj=feed, detail={"kind": "calendar"})
    return raw
