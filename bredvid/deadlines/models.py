"""Calendar feeds of a user's own deadlines (iCalendar), addressed by a secret token."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


def hash_feed_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class CalendarFeedQuerySet(ScopedQuerySet["CalendarFeed"]):
    """A member sees their own calendar feeds."""

    def restrict(self, tenant: Tenant) -> Self:
        return self.filter(user=tenant.user)


class CalendarFeed(models.Model):
    """One per user and municipality. Only the token's hash is stored; the URL is shown once."""

    holds_personal_data = False

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kalenderprenumeration")
        constraints = [models.UniqueConstraint(fields=["user", "municipality"], name="calendar_feed_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.municipality_id}"

    @staticmethod
    def generate() -> tuple[str, str]:
        raw = secrets.token_urlsafe(32)
        return raw, hash_feed_token(raw)
