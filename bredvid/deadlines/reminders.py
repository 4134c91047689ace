"""Daily e-mail reminders: how many deadlines are overdue and due soon — never a name or a case."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from bredvid.deadlines.perms import can_see_deadlines
from bredvid.deadlines.queries import Scope, obligations_for
from bredvid.deadlines.rules import Status
from bredvid.tenancy.context import build_tenant, memberships_by_municipality


@dataclass(frozen=True)
class Reminder:
    username: str
    email: str
    overdue: int
    due_soon: int


def collect_reminders(today: datetime.date) -> list[Reminder]:
    reminders: list[Reminder] = []
    for user in get_user_model().objects.filter(is_active=True).exclude(email="").order_by("username"):
        overdue = due_soon = 0
        for municipality_id in memberships_by_municipality(user):
            tenant = build_tenant(user, municipality_id, ip=None, via="cli")
            if tenant is None or not can_see_deadlines(tenant):
                continue
            scope = Scope(municipality=tenant.municipality, unit_ids=tenant.unit_ids, responsible_id=user.pk)
            for item in obligations_for(scope, today):
                status = item.status(today)
                overdue += status is Status.OVERDUE
                due_soon += status is Status.DUE_SOON
        if overdue or due_soon:
            reminders.append(Reminder(user.get_username(), user.email, overdue, due_soon))
    return reminders


def send_reminders(reminders: list[Reminder]) -> int:
    link = f"{settings.BASE_URL}/att-gora/"
    for reminder in reminders:
        body = _(
            "Du har %(overdue)s försenade frister och %(soon)s frister inom 14 dagar i Bredvid.\n\n"
            "Se dem under Att göra: %(link)s\n\nDet här meddelandet innehåller inga personuppgifter."
        ) % {"overdue": reminder.overdue, "soon": reminder.due_soon, "link": link}
        send_mail(_("Bredvid: frister att bevaka"), body, None, [reminder.email])
    return len(reminders)
