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


def can_manage_assignments(tenant: Tenant) -> bool:
    """The family-care unit and managers change an assignment's terms, end it, write supervision
    notes and enter, approve and return reports."""
    return tenant.has_role(Role.FAMILY_CARE_OFFICER, Role.MANAGER)


def can_write_report(tenant: Tenant, channel: str) -> bool:
    """Who may create, edit and submit a report through `channel`.

    Staff enter reports for the supporter ("staff"). The supporters' e-service ("eservice") will
    call the same services with its own actor; until it exists, no tenant writes through it. This
    is the one function the e-service changes (docs/adr/0014-assignments.md)."""
    if channel == "staff":
        return can_manage_assignments(tenant)
    return False


def can_decide_report(tenant: Tenant) -> bool:
    """The officer (or a manager) approves or returns a submitted report."""
    return can_manage_assignments(tenant)
