"""Who may do what with expenses. Plain functions over the tenant; reading follows the assignment."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bredvid.assignments.perms import can_read_assignments
from bredvid.tenancy.models import Role

if TYPE_CHECKING:
    from bredvid.assignments.models import Assignment
    from bredvid.tenancy.context import Tenant

__all__ = ["can_decide_expenses", "can_read_expenses", "can_register_expenses", "may_submit_for"]


def can_read_expenses(tenant: Tenant) -> bool:
    return can_read_assignments(tenant)


def can_register_expenses(tenant: Tenant) -> bool:
    """The family-care unit registers what a supporter sends on paper or by mail."""
    return tenant.has_role(Role.FAMILY_CARE_OFFICER, Role.MANAGER)


def can_decide_expenses(tenant: Tenant) -> bool:
    return tenant.has_role(Role.FAMILY_CARE_OFFICER, Role.MANAGER)


def may_submit_for(tenant: Tenant, assignment: Assignment, channel: str) -> bool:
    """Staff register for any assignment they see; in the e-service (issue 15) the tenant acts for
    one supporter (`tenant.supporter_id`) and may submit only on that supporter's assignments."""
    if channel == "eservice":
        supporter_id = getattr(tenant, "supporter_id", None)
        return supporter_id is not None and supporter_id == assignment.supporter_id
    return can_register_expenses(tenant)
