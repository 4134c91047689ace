from __future__ import annotations

from typing import TYPE_CHECKING

from bredvid.tenancy.models import Role

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


def can_review_audit_log(tenant: Tenant) -> bool:
    """Log review is the auditor's task (logggranskare); managers do not read the log by default."""
    return tenant.has_role(Role.AUDITOR)


def can_export_audit_log(tenant: Tenant) -> bool:
    return tenant.has_role(Role.AUDITOR)
