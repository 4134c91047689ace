"""Who may do what in casework. Plain functions over the tenant (and the object)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bredvid.tenancy.models import Role

if TYPE_CHECKING:
    from bredvid.casework.models import Case, Decision, JournalEntry
    from bredvid.tenancy.context import Tenant

CASE_ROLES = (Role.CASEWORKER, Role.MANAGER)


def can_read_cases(tenant: Tenant) -> bool:
    """Caseworkers and managers of the unit; family-care officers see only what matching needs."""
    return tenant.has_role(*CASE_ROLES)


def can_work_on_case(tenant: Tenant, case: Case) -> bool:
    """Caseworkers and managers who may see the case (its unit, shared by name, or every case when the
    municipality so chooses: `casework.models.case_access`)."""
    from bredvid.casework.models import case_accessible

    return tenant.has_role(*CASE_ROLES) and case_accessible(tenant, case)


def can_share_case(tenant: Tenant, case: Case) -> bool:
    """The staff of the case's own unit share it with a named colleague."""
    return (
        tenant.has_role(*CASE_ROLES)
        and case.municipality_id == tenant.municipality.pk
        and (case.unit_id in tenant.unit_ids)
    )


def can_open_case(tenant: Tenant) -> bool:
    return tenant.has_role(*CASE_ROLES)


def can_extend_investigation(tenant: Tenant, case: Case) -> bool:
    """Extending the four months is a decision for the manager (SoL 20 kap. 3 §)."""
    return can_work_on_case(tenant, case) and tenant.has_role(Role.MANAGER)


def caseworker_may_decide(case: Case) -> bool:
    """Delegation (delegationsordning): the unit's setting lets caseworkers decide."""
    return bool(case.unit.settings.get("caseworker_may_decide", False))


def can_decide(tenant: Tenant, decision: Decision) -> bool:
    case = decision.case
    if not can_work_on_case(tenant, case):
        return False
    if tenant.has_role(Role.MANAGER):
        return True
    return tenant.has_role(Role.CASEWORKER) and caseworker_may_decide(case)


def can_sign_entry(tenant: Tenant, entry: JournalEntry) -> bool:
    """Only the author signs their own entry."""
    return can_work_on_case(tenant, entry.case) and entry.author_id == tenant.user.pk


def can_report_to_ivo(tenant: Tenant) -> bool:
    return tenant.has_role(Role.MANAGER)


def can_print_case(tenant: Tenant, case: Case) -> bool:
    return can_work_on_case(tenant, case)


def can_read_eapplications(tenant: Tenant) -> bool:
    """The municipality's inbox of applications from the e-service: its caseworkers and managers."""
    return can_read_cases(tenant)


def can_take_eapplication(tenant: Tenant) -> bool:
    """Taking an e-application into a case opens (or uses) a case."""
    return can_open_case(tenant)
