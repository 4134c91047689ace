"""Who may do what with persons. Plain functions; every view and API route calls them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bredvid.tenancy.models import Role

if TYPE_CHECKING:
    from bredvid.people.models import Person
    from bredvid.tenancy.context import Tenant

READ_ROLES = (Role.CASEWORKER, Role.FAMILY_CARE_OFFICER, Role.MANAGER)
_WRITE_ROLES = (Role.CASEWORKER, Role.FAMILY_CARE_OFFICER, Role.MANAGER)


def can_read_persons(tenant: Tenant) -> bool:
    """Casework staff read persons; auditors and administrators do not see case content."""
    return tenant.has_role(*READ_ROLES)


def can_create_person(tenant: Tenant) -> bool:
    return tenant.has_role(*_WRITE_ROLES)


def can_edit_person(tenant: Tenant, person: Person) -> bool:
    """A protected person is edited only by staff named on the person (they alone see the address)."""
    if not tenant.has_role(*_WRITE_ROLES) or person.municipality_id != tenant.municipality.pk:
        return False
    return can_see_address(tenant, person)


def can_see_address(tenant: Tenant, person: Person) -> bool:
    """A protected person's address and whereabouts: only staff named on the person."""
    if not person.is_protected:
        return True
    return person.staff_access.filter(user_id=tenant.user.pk).exists()


def needs_access_reason(person: Person) -> bool:
    """Every view of a protected person asks for and logs a reason."""
    return person.is_protected


def can_manage_named_staff(tenant: Tenant, person: Person) -> bool:
    """The manager decides which staff are named on a protected person."""
    return (
        tenant.has_role(Role.MANAGER)
        and person.is_protected
        and person.municipality_id == tenant.municipality.pk
    )
