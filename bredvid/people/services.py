"""State changes and audited reads of persons. Views and the API call only these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.people.models import Person
from bredvid.people.perms import can_create_person, can_edit_person, can_read_persons
from bredvid.tenancy.context import Tenant

EDITABLE_FIELDS = (
    "identity_kind",
    "identity_number",
    "birth_date",
    "first_name",
    "last_name",
    "street_address",
    "postal_code",
    "city",
    "phone",
    "email",
    "languages",
    "needs_interpreter",
    "protection_level",
)


def _save_validated(person: Person) -> None:
    person.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            person.save()
    except IntegrityError as exc:  # a concurrent insert of the same number
        raise ValidationError(
            {"identity_number": _("Det finns redan en person med det numret i kommunen.")}
        ) from exc


def create_person(*, tenant: Tenant, data: dict[str, Any]) -> Person:
    if not can_create_person(tenant):
        raise PermissionDenied
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Okänt fält.") for name in sorted(unknown)})
    person = Person(municipality=tenant.municipality, **data)
    with transaction.atomic():
        _save_validated(person)
        record(action=Action.CREATE, tenant=tenant, obj=person, person_id=person.pk, detail={})
    return person


def update_person(*, tenant: Tenant, person: Person, data: dict[str, Any]) -> Person:
    if not can_edit_person(tenant, person):
        raise PermissionDenied
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Okänt fält.") for name in sorted(unknown)})
    before = {name: getattr(person, name) for name in EDITABLE_FIELDS}
    for name, value in data.items():
        setattr(person, name, value)
    changed = sorted(name for name in EDITABLE_FIELDS if getattr(person, name) != before[name])
    with transaction.atomic():
        _save_validated(person)
        # Field names only: the log must not become a second copy of the personal data.
        record(
            action=Action.UPDATE, tenant=tenant, obj=person, person_id=person.pk, detail={"fields": changed}
        )
    return person


def record_person_view(*, tenant: Tenant, person: Person, reason: str = "") -> None:
    if not can_read_persons(tenant):
        raise PermissionDenied
    record(action=Action.VIEW, tenant=tenant, obj=person, person_id=person.pk, reason=reason)


def record_person_search(*, tenant: Tenant, query: str, shown: Sequence[Person], page: int = 1) -> None:
    """One event per list or search, naming every person shown, so access by listing is reviewable."""
    record(
        action=Action.SEARCH,
        tenant=tenant,
        object_type="people.person",
        subjects=[p.pk for p in shown],
        detail={"query": query[:100], "page": page, "count": len(shown)},
    )
