"""What the Django admin may do with domain models: read them (superusers), never change them.

Every change goes through a service (permission, row lock, state guard and audit event in one
transaction; ADR 0012). A model admin that shows domain rows extends `ServicesOnlyAdmin`; a change the
operator needs there is an admin action that calls the service.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest


class ServicesOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Superusers list and read the rows; adding, editing and deleting happen through services."""

    def _superuser(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
