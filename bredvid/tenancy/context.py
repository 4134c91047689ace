"""The tenant context: who is acting, in which municipality, with which roles.

Every scoped query and permission check takes a `Tenant`. Pages build it from the session
(the active municipality chosen after login), the API from the bearer token.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bredvid.accounts.models import User
    from bredvid.tenancy.models import Municipality


@dataclass(frozen=True)
class Tenant:
    user: User
    municipality: Municipality
    roles: frozenset[str]
    unit_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)
    ip: str | None = None
    via: str = "web"  # "web" or "api": recorded on audit events

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def memberships_by_municipality(user: User) -> dict[uuid.UUID, list]:
    """Active memberships of a user, grouped by municipality id (one query)."""
    from bredvid.tenancy.models import Membership

    grouped: dict[uuid.UUID, list] = {}
    qs = Membership.objects.filter(user=user, active=True).select_related("unit", "municipality")
    for membership in qs:
        grouped.setdefault(membership.municipality_id, []).append(membership)
    return grouped


def build_tenant(
    user: User, municipality_id: uuid.UUID, *, ip: str | None, via: str = "web"
) -> Tenant | None:
    """The tenant for `user` acting in `municipality_id`, or None when the user has no role there."""
    from bredvid.tenancy.models import Membership

    memberships = list(
        Membership.objects.filter(user=user, municipality_id=municipality_id, active=True).select_related(
            "municipality"
        )
    )
    if not memberships:
        return None
    return Tenant(
        user=user,
        municipality=memberships[0].municipality,
        roles=frozenset(m.role for m in memberships),
        unit_ids=frozenset(m.unit_id for m in memberships),
        ip=ip,
        via=via,
    )
