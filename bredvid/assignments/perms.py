"""Who may see assignments. Plain functions over the tenant.

Assignments come out of matching (matching imports assignments, never the reverse; ADR 0012), so the
rules are stated here in roles, not borrowed from `matching.perms`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bredvid.tenancy.models import Role

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


def can_read_assignments(tenant: Tenant) -> bool:
    """Caseworkers follow their own units' assignments; the family-care unit and managers see all."""
    return tenant.has_role(Role.CASEWORKER, Role.FAMILY_CARE_OFFICER, Role.MANAGER)


def can_read_all_assignments(tenant: Tenant) -> bool:
    """The family-care unit and managers see every assignment of the municipality."""
    return tenant.has_role(Role.FAMILY_CARE_OFFICER, Role.MANAGER)
