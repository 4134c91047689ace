"""State changes and audited reads of persons. Views and the API call only these."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core.locking import locked
from bredvid.people.models import Guardianship, Person, PersonStaffAccess
from bredvid.people.perms import (
    READ_ROLES,
    can_create_person,
    can_edit_person,
    can_manage_named_staff,
    can_read_persons,
)
from bredvid.tenancy.context import Tenant

if TYPE_CHECKING:
    from bredvid.accounts.models import User

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
        detail: dict[str, Any] = {}
        if person.is_protected:
            # The creator typed the address in: they are named on the person, or they could not
            # open what they just registered (only named staff see a protected person's address).
            _name(person, tenant.user.pk)
            detail["named_staff_added"] = tenant.user.pk
        record(action=Action.CREATE, tenant=tenant, obj=person, person_id=person.pk, detail=detail)
    return person


def _name(person: Person, user_id: int) -> bool:
    """Name a member of staff on the person; True if they were not named before."""
    _, created = PersonStaffAccess.objects.get_or_create(
        person=person, user_id=user_id, defaults={"municipality": person.municipality}
    )
    return created


def update_person(
    *, tenant: Tenant, person: Person, data: dict[str, Any], returns_person: bool = False
) -> Person:
    """Change a person. `returns_person`: the caller shows the whole changed person in its answer
    (the API's PATCH does); for a protected person, where every view is logged with its reason,
    that answer is a view of the address and is logged as one too."""
    if not can_edit_person(tenant, person):
        raise PermissionDenied
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Okänt fält.") for name in sorted(unknown)})
    with transaction.atomic():
        locked(person)  # what was there before is what is stored now, not what the page showed
        if not can_edit_person(tenant, person):
            raise PermissionDenied
        before = {name: getattr(person, name) for name in EDITABLE_FIELDS}
        was_protected = person.is_protected
        for name, value in data.items():
            setattr(person, name, value)
        _save_validated(person)
        # compared after validation, which normalises the number and derives the birth date
        changed = sorted(name for name in EDITABLE_FIELDS if getattr(person, name) != before[name])
        # Field names only: the log must not become a second copy of the personal data.
        detail: dict[str, Any] = {"fields": changed}
        if person.is_protected and not was_protected and _name(person, tenant.user.pk):
            # Whoever marks a person protected keeps the access they had (as the creator would).
            detail["named_staff_added"] = tenant.user.pk
        record(action=Action.UPDATE, tenant=tenant, obj=person, person_id=person.pk, detail=detail)
        if returns_person and person.is_protected:
            record(
                action=Action.VIEW,
                tenant=tenant,
                obj=person,
                person_id=person.pk,
                detail={"implied_by": "update"},
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


def eligible_named_staff(*, tenant: Tenant) -> list[User]:
    """Staff of the municipality who work with persons (and so may be named on one)."""
    from django.contrib.auth import get_user_model

    from bredvid.tenancy.models import Membership

    user_ids = Membership.objects.filter(
        municipality=tenant.municipality, active=True, role__in=READ_ROLES
    ).values("user_id")
    return list(
        get_user_model().objects.filter(pk__in=user_ids, is_active=True).order_by("last_name", "first_name")
    )


def set_named_staff(*, tenant: Tenant, person: Person, user_id: int, named: bool) -> None:
    """Name (or un-name) a member of staff on a protected person; audited as a change of the person."""
    if not can_manage_named_staff(tenant, person):
        raise PermissionDenied
    eligible = {user.pk: user for user in eligible_named_staff(tenant=tenant)}
    if named and user_id not in eligible:
        raise ValidationError({"user": _("Välj en medarbetare i kommunen som arbetar med personer.")})
    # A manager who gives themself access to the address decides about their own access: the event
    # is of its own kind, which the log reviewer's page lists as needing review.
    self_named = named and user_id == tenant.user.pk
    with transaction.atomic():
        locked(person)
        if not can_manage_named_staff(tenant, person):
            raise PermissionDenied
        if named:
            _name(person, user_id)
        else:
            # Named-staff rows are access grants, not records about the person: removing one is allowed.
            PersonStaffAccess.objects.filter(person=person, user_id=user_id).delete()
        record(
            action=Action.NAMED_SELF if self_named else Action.UPDATE,
            tenant=tenant,
            obj=person,
            person_id=person.pk,
            detail={"named_staff_added" if named else "named_staff_removed": user_id},
        )


def add_guardian(*, tenant: Tenant, child: Person, guardian_number: str) -> Guardianship:
    """Register a guardian (vårdnadshavare), who must be a registered person in the municipality."""
    from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number

    if not can_edit_person(tenant, child):
        raise PermissionDenied
    try:
        number = parse_identity_number(guardian_number).number
    except InvalidIdentityNumber as exc:
        raise ValidationError({"guardian": str(exc)}) from exc
    guardian = Person.objects.visible_to(tenant).filter(identity_number=number).first()
    if guardian is None:
        raise ValidationError(
            {"guardian": _("Ingen person med det numret är registrerad. Registrera personen först.")}
        )
    if guardian.pk == child.pk:
        raise ValidationError({"guardian": _("En person kan inte vara sin egen vårdnadshavare.")})
    with transaction.atomic():
        locked(child)
        link, created = Guardianship.objects.get_or_create(
            child=child, guardian=guardian, defaults={"municipality": child.municipality}
        )
        if not created and link.ended_on is not None:
            raise ValidationError({"guardian": _("Vårdnaden är registrerad som upphörd.")})
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=child,
            person_id=child.pk,
            detail={"guardian_added": str(guardian.pk)},
        )
    return link
