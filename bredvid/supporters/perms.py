"""Who may do what with supporters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bredvid.tenancy.models import Role

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


def can_read_supporters(tenant: Tenant) -> bool:
    """Family-care officers and managers read the resource register."""
    return tenant.has_role(Role.FAMILY_CARE_OFFICER, Role.MANAGER)


def can_manage_supporters(tenant: Tenant) -> bool:
    return tenant.has_role(Role.FAMILY_CARE_OFFICER, Role.MANAGER)


def can_approve_supporters(tenant: Tenant) -> bool:
    """Approval is the manager's decision."""
    return tenant.has_role(Role.MANAGER)
