"""Bearer-token authentication for API v1: the token decides user and municipality."""

from __future__ import annotations

from django.db.models import F
from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer

from bredvid.accounts.models import hash_token
from bredvid.core.http import client_ip
from bredvid.tenancy.context import Tenant
from bredvid.tenancy.models import Membership


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Tenant | None:
        # API messages are Swedish unless the client asks for English.
        translation.activate(translation.get_language_from_request(request) or "sv")
        if not token or len(token) > 200:
            return None
        # one query: the token (not revoked, its user active) joined to the user's active
        # memberships in the token's municipality (a join condition: this finds the tenant, it
        # does not scope data for one), with the user and the municipality
        memberships = list(
            Membership.objects.filter(
                active=True,
                user__is_active=True,
                user__api_tokens__token_hash=hash_token(token),
                user__api_tokens__revoked_at__isnull=True,
                user__api_tokens__municipality=F("municipality"),
            ).select_related("user", "municipality")
        )
        if not memberships:
            return None
        tenant = Tenant(
            user=memberships[0].user,
            municipality=memberships[0].municipality,
            roles=frozenset(m.role for m in memberships),
            unit_ids=frozenset(m.unit_id for m in memberships),
            ip=client_ip(request),
            via="api",
        )
        request.tenant = tenant  # type: ignore[attr-defined]
        return tenant
