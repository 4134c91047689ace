"""How the pages show records whose stored dates the deadline rules cannot use ("ogiltigt datum")."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from bredvid.deadlines.rules import InvalidDate

RECORD_LABELS = {
    "concern_report": _("Orosanmälan"),
    "investigation": _("Utredning"),
    "decision": _("Beslut och insats"),
    "intervention": _("Placering"),
    "follow_up": _("Uppföljning"),
    "plan": _("Plan"),
}
FIELD_LABELS = {
    "received_on": _("inkom"),
    "protection_assessed_on": _("skyddsbedömning gjord"),
    "preliminary_decided_on": _("förhandsbedömning beslutad"),
    "started_on": _("startdatum"),
    "extended_until": _("förlängd till"),
    "concluded_on": _("avslutad"),
    "decided_on": _("beslutsdatum"),
    "executed_on": _("verkställd"),
    "paused_on": _("vilande från"),
    "resumed_on": _("återupptagen"),
    "ended_on": _("avslutad"),
    "last_review_on": _("senaste övervägande"),
    "last_visit_on": _("senaste besök"),
    "last_custody_consideration_on": _("senaste prövning av vårdnadsöverflyttning"),
    "last_care_plan_on": _("senaste vårdplan"),
    "investigation_closed_on": _("utredningen avslutad"),
    "closed_on": _("utredningen avslutad"),
    "follow_up_on": _("nästa uppföljning"),
}


@dataclass(frozen=True)
class InvalidRow:
    case_id: object
    case_ref: str
    record: str
    fields: str


def describe(items: Iterable[InvalidDate]) -> list[InvalidRow]:
    rows = []
    for item in sorted(items, key=lambda i: (i.case_ref, i.record, str(i.object_id))):
        names = ", ".join(str(FIELD_LABELS.get(name, name)) for name in item.fields)
        rows.append(
            InvalidRow(item.case_id, item.case_ref, str(RECORD_LABELS.get(item.record, item.record)), names)
        )
    return rows
