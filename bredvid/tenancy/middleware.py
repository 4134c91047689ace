"""Puts the active municipality on the request as `request.tenant`.

A user with roles in one municipality gets it at once; a user with several chooses after
login (`staff:choose_municipality`). Pages that need a tenant use `@tenant_required`.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from bredvid.core.http import client_ip
from bredvid.tenancy.context import build_tenant, memberships_by_municipality

SESSION_KEY = "active_municipality_id"


class TenantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            request.tenant = self._resolve(request)  # type: ignore[attr-defined]
        return self.get_response(request)

    @staticmethod
    def _resolve(request: HttpRequest):
        raw = request.session.get(SESSION_KEY)
        if raw:
            tenant = build_tenant(request.user, uuid.UUID(raw), ip=client_ip(request))  # type: ignore[arg-type]
            if tenant is not None:
                return tenant
            del request.session[SESSION_KEY]
        grouped = memberships_by_municipality(request.user)  # type: ignore[arg-type]
        if len(grouped) == 1:
            municipality_id = next(iter(grouped))
            request.session[SESSION_KEY] = str(municipality_id)
            return build_tenant(request.user, municipality_id, ip=client_ip(request))  # type: ignore[arg-type]
        return None
