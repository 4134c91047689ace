"""Who may do what with agreements. Reading follows the assignment (assignments.perms)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bredvid.assignments.perms import can_read_assignments
from bredvid.tenancy.models import Role

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant

__all__ = ["can_edit_agreement_template", "can_read_agreements", "can_write_agreements"]


def can_read_agreements(tenant: Tenant) -> bool:
    return can_read_assignments(tenant)


def can_write_agreements(tenant: Tenant) -> bool:
    """The family-care unit writes agreements and signs for the municipality."""
    return tenant.has_role(Role.FAMILY_CARE_OFFICER, Role.MANAGER)


def can_edit_agreement_template(tenant: Tenant) -> bool:
    """The municipality's administrator keeps the template (no case content in it)."""
    return tenant.has_role(Role.ADMIN)
