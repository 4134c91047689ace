"""Person services change the row as stored, locked: a stale copy never writes back what it showed."""

from __future__ import annotations

from bredvid.audit.models import Action, AuditEvent
from bredvid.people import services
from bredvid.people.models import Person
from tests.factories import PersonFactory


def test_an_edit_from_a_stale_copy_keeps_what_another_user_saved_meanwhile(world) -> None:  # type: ignore[no-untyped-def]
    stale = PersonFactory(municipality=world.home, phone="070-111", city="Alafors")
    Person.objects.filter(pk=stale.pk).update(phone="070-999")  # another caseworker, meanwhile
    services.update_person(tenant=world.tenant("caseworker"), person=stale, data={"city": "Nödinge"})
    stored = Person.objects.get(pk=stale.pk)
    assert (stored.phone, stored.city) == ("070-999", "Nödinge")
    [event] = AuditEvent.objects.filter(action=Action.UPDATE, person_id=stale.pk)
    assert event.detail == {"fields": ["city"]}  # the changes of this edit, against the stored row
