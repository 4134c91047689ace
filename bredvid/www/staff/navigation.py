"""The staff menu, by role: each user sees only what their roles can reach."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bredvid.assignments.perms import can_read_assignments
from bredvid.audit.perms import can_review_audit_log
from bredvid.casework.perms import can_read_cases, can_read_eapplications, can_report_to_ivo
from bredvid.deadlines.perms import can_see_deadlines
from bredvid.matching.perms import can_read_requests
from bredvid.payments.perms import can_run_payments
from bredvid.people.perms import can_read_persons
from bredvid.supporters.perms import can_read_supporters
from bredvid.tenancy.context import Tenant, memberships_by_municipality
from bredvid.tenancy.perms import can_administer


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    check: Any

    def url(self) -> str:
        return reverse(self.url_name)


def _everyone(tenant: Tenant) -> bool:
    return True


NAV = (
    NavItem(_("Start"), "staff:home", _everyone),
    NavItem(_("Att göra"), "staff:todo", can_see_deadlines),
    NavItem(_("Ärenden"), "staff:case_list", can_read_cases),
    NavItem(_("E-ansökningar"), "staff:eapplication_list", can_read_eapplications),
    NavItem(_("Intresseanmälningar"), "staff:registration_list", can_read_supporters),
    NavItem(_("Uppdragstagare"), "staff:supporter_list", can_read_supporters),
    NavItem(_("Matchning"), "staff:request_list", can_read_requests),
    NavItem(_("Uppdrag"), "staff:assignment_list", can_read_assignments),
    NavItem(_("Personer"), "staff:person_list", can_read_persons),
    NavItem(_("Utbetalningar"), "staff:payment_run_list", can_run_payments),
    NavItem(_("IVO-rapport"), "staff:ivo_report", can_report_to_ivo),
    NavItem(_("Logggranskning"), "staff:audit_log", can_review_audit_log),
    NavItem(_("Administration"), "municipal_admin:overview", can_administer),
)


def reachable(tenant: Tenant) -> list[NavItem]:
    return [item for item in NAV if item.check(tenant)]


def navigation(request: HttpRequest) -> dict[str, Any]:
    tenant = getattr(request, "tenant", None)
    if tenant is None:
        return {}
    current = request.resolver_match.view_name if request.resolver_match else ""
    items = []
    for item in reachable(tenant):
        url = item.url()
        is_current = current == item.url_name or (
            item.url_name != "staff:home" and request.path.startswith(url)
        )
        items.append({"label": item.label, "url": url, "current": is_current})
    several = len(memberships_by_municipality(request.user)) > 1  # type: ignore[arg-type]
    return {"nav_items": items, "user_has_several_municipalities": several}
