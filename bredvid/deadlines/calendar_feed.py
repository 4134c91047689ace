"""iCalendar feed of a user's deadlines. Entries carry the case reference only: no names."""

from __future__ import annotations

import datetime

from django.conf import settings
from icalendar import Calendar, Event

from bredvid.deadlines.rules import Obligation

LABELS = {
    "protection_assessment": "Skyddsbedömning",
    "preliminary_assessment": "Förhandsbedömning",
    "investigation": "Utredning klar",
    "execution": "Verkställighet senast",
    "resumption": "Återuppta insats senast",
    "review": "Övervägande",
    "visit": "Besök i placering",
    "custody_transfer": "Prövning av vårdnadsöverflyttning",
    "care_plan_revision": "Revidera vårdplan",
    "follow_up_end": "Avsluta uppföljning",
    "jourhem_limit": "Jourhemsplacering upphör",
    "plan_follow_up": "Uppföljning enligt planen",
}


def feed(items: list[Obligation], *, generated: datetime.datetime) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Bredvid//Frister//SV")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "Bredvid – frister")
    for item in items:
        if item.done_on is not None:
            continue
        event = Event()
        event.add("uid", f"{item.kind}-{item.object_id}@bredvid")
        event.add("summary", f"{LABELS.get(item.kind, item.kind)} – {item.case_ref}")
        event.add("dtstart", item.due)
        event.add("dtend", item.due + datetime.timedelta(days=1))
        event.add("dtstamp", generated)
        event.add("description", f"{item.legal_ref}. {settings.BASE_URL}/att-gora/")
        calendar.add_component(event)
    return calendar.to_ical()  # type: ignore[no-any-return]
