"""View decorators: a view runs only with an active municipality and the right permission."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.tenancy.context import Tenant, memberships_by_municipality

View = Callable[..., HttpResponse]


def tenant_required(view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "tenant", None) is None:
            if len(memberships_by_municipality(request.user)) > 1:  # type: ignore[arg-type]
                return redirect("staff:choose_municipality")
            return render(request, "staff/no_access.html", status=403)
        return view(request, *args, **kwargs)

    return wrapper


def permission_required(check: Callable[[Tenant], bool]) -> Callable[[View], View]:
    """Deny (403, audited) unless `check(request.tenant)` holds."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            tenant: Tenant = request.tenant  # type: ignore[attr-defined]
            if not check(tenant):
                record(
                    action=Action.PERMISSION_DENIED,
                    tenant=tenant,
                    object_type="page",
                    object_id=request.resolver_match.view_name if request.resolver_match else "",
                    detail={"path": request.path[:200]},
                )
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # Visible through every outer functools.wraps (it copies __dict__): the URL walker
        # (tests/test_url_walker.py) reads it to know which roles must get 200 and which 403.
        wrapper.required_permission = check  # type: ignore[attr-defined]
        return tenant_required(wrapper)

    return decorator
