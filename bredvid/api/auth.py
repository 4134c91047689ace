"""Bearer-token authentication for API v1: the token decides user and municipality."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import translation
from ninja.security import HttpBearer

from bredvid.accounts.models import ApiToken, hash_token
from bredvid.core.http import client_ip
from bredvid.tenancy.context import Tenant, build_tenant


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Tenant | None:
        # API messages are Swedish unless the client asks for English.
        translation.activate(translation.get_language_from_request(request) or "sv")
        if not token or len(token) > 200:
            return None
        api_token = (
            ApiToken.objects.select_related("user")
            .filter(token_hash=hash_token(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if api_token is None:
            return None
        tenant = build_tenant(api_token.user, api_token.municipality_id, ip=client_ip(request), via="api")
        request.tenant = tenant  # type: ignore[attr-defined]
        return tenant
