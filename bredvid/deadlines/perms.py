from __future__ import annotations

from typing import TYPE_CHECKING

from bredvid.tenancy.models import Role

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


def can_see_deadlines(tenant: Tenant) -> bool:
    """Case deadlines for caseworkers and managers; expiring register checks for family-care officers."""
    return tenant.has_role(Role.CASEWORKER, Role.MANAGER, Role.FAMILY_CARE_OFFICER)


def can_see_case_deadlines(tenant: Tenant) -> bool:
    return tenant.has_role(Role.CASEWORKER, Role.MANAGER)


def can_see_unit_deadlines(tenant: Tenant) -> bool:
    """A manager sees the whole unit's deadlines and can filter by worker."""
    return tenant.has_role(Role.MANAGER)
