"""Staff accounts and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


class User(AbstractUser):
    """A staff account. Supporters and the public get their own, narrower identities later."""

    holds_personal_data = False

    class Meta:
        verbose_name = _("användare")
        verbose_name_plural = _("användare")

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.get_username()


TOKEN_PREFIX = "bv1_"  # noqa: S105 (a public prefix, not a secret)


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(ScopedQuerySet["ApiToken"]):
    """A member sees their own tokens in the municipality."""

    def restrict(self, tenant: Tenant) -> Self:
        return self.filter(user=tenant.user)


class ApiToken(models.Model):
    """A bearer token for API v1. Only its SHA-256 is stored; the token is shown once."""

    holds_personal_data = False

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API-nyckel")
        verbose_name_plural = _("API-nycklar")

    def __str__(self) -> str:
        return f"{self.name or 'token'} ({self.user_id})"

    @staticmethod
    def generate() -> tuple[str, str]:
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        return raw, hash_token(raw)
