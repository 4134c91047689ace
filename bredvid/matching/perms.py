"""Who may do what in matching. Plain functions over the tenant (and the object)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bredvid.tenancy.models import Role

if TYPE_CHECKING:
    from bredvid.casework.models import Case
    from bredvid.tenancy.context import Tenant


def can_read_requests(tenant: Tenant) -> bool:
    """Caseworkers follow their own units' orders; the family-care unit and managers see all."""
    return tenant.has_role(Role.CASEWORKER, Role.FAMILY_CARE_OFFICER, Role.MANAGER)


def can_order_support(tenant: Tenant, case: Case) -> bool:
    """The caseworker (or manager) of the case's unit orders a supporter for it."""
    from bredvid.casework.perms import can_work_on_case

    return can_work_on_case(tenant, case)


def can_match(tenant: Tenant) -> bool:
    """Shortlists, offers, confirmation and the global proposal: the family-care unit."""
    return tenant.has_role(Role.FAMILY_CARE_OFFICER, Role.MANAGER)


def can_edit_weights(tenant: Tenant) -> bool:
    return tenant.has_role(Role.MANAGER)
