"""Who may see and change remuneration. Plain functions over the tenant."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bredvid.tenancy.models import Role

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


def can_read_payments(tenant: Tenant) -> bool:
    """Managers prepare, attest and export the payment runs; the family-care unit follows them."""
    return tenant.has_role(Role.MANAGER, Role.FAMILY_CARE_OFFICER)


def can_run_payments(tenant: Tenant) -> bool:
    """Preparing, attesting and exporting a run is the manager's (enhetschef)."""
    return tenant.has_role(Role.MANAGER)


def can_read_rates(tenant: Tenant) -> bool:
    return tenant.has_role(Role.ADMIN, Role.MANAGER, Role.FAMILY_CARE_OFFICER)


def can_edit_rates(tenant: Tenant) -> bool:
    """The municipality's administrator keeps the rate tables and the wage-type codes."""
    return tenant.has_role(Role.ADMIN)
