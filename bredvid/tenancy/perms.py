"""Who may administer the municipality: its users, memberships, units and settings."""

from __future__ import annotations

from bredvid.tenancy.context import Tenant
from bredvid.tenancy.models import Role


def can_administer(tenant: Tenant) -> bool:
    """The municipality's own administrators (Systemförvaltare), not the platform's superusers."""
    return tenant.has_role(Role.ADMIN)
