"""/api/v1/persons/ — scoped to the token's municipality and audited like the pages."""

import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status
from pydantic import Field

from bredvid.api.pagination import Listed, paged
from bredvid.api.schemas import BODY_ERRORS, ERRORS, Clean, PersonIn, PersonOut, PersonPatch
from bredvid.people import services
from bredvid.people.models import Person, PersonStaffAccess
from bredvid.people.perms import can_read_persons, can_see_address, needs_access_reason
from bredvid.people.queries import search_persons
from bredvid.tenancy.context import Tenant

router = Router(tags=["persons"])


class ViewParams(Clean):
    reason: str = Field("", max_length=500, description="required for persons with protected identity")


class ListParams(Clean):
    q: str = Field("", max_length=100, description="name or identity number")


def _tenant(request: HttpRequest) -> Tenant:
    tenant: Tenant = request.auth  # type: ignore[attr-defined]
    return tenant


def _out(person: Person, address_visible: bool) -> dict[str, Any]:
    return {
        "id": person.pk,
        "identity_kind": person.identity_kind,
        "identity_number": person.identity_number,
        "birth_date": person.birth_date,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "street_address": person.street_address if address_visible else None,
        "postal_code": person.postal_code if address_visible else None,
        "city": person.city if address_visible else None,
        "address_hidden": not address_visible,
        "phone": person.phone,
        "email": person.email,
        "languages": person.languages,
        "needs_interpreter": person.needs_interpreter,
        "protection_level": person.protection_level,
        "created_at": person.created_at,
        "updated_at": person.updated_at,
    }


def _require_read(tenant: Tenant) -> None:
    if not can_read_persons(tenant):
        raise PermissionDenied


@router.get("/", response={200: list[PersonOut], **ERRORS}, summary="Search and list persons")
@paged
def list_persons(request: HttpRequest, params: Query[ListParams]) -> Listed:
    tenant = _tenant(request)
    _require_read(tenant)
    qs = search_persons(Person.objects.visible_to(tenant), params.q).annotate(
        named=Exists(PersonStaffAccess.objects.filter(person=OuterRef("pk"), user_id=tenant.user.pk))
    )

    def audit(shown: list[Person], page: int) -> None:
        services.record_person_search(tenant=tenant, query=params.q, shown=shown, page=page)

    return Listed(
        qs.order_by("last_name", "first_name", "id"),
        audit,
        lambda p: _out(p, not p.is_protected or p.named),
    )


@router.post("/", response={201: PersonOut, **BODY_ERRORS}, summary="Register a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Status[dict[str, Any]]:
    tenant = _tenant(request)
    person = services.create_person(tenant=tenant, data=payload.model_dump())
    return Status(201, _out(person, True))


@router.get("/{person_id}", response={200: PersonOut, **ERRORS}, summary="One person")
def get_person(
    request: HttpRequest,
    person_id: uuid.UUID,
    params: Query[ViewParams],
) -> dict[str, Any]:
    tenant = _tenant(request)
    _require_read(tenant)
    person = get_object_or_404(Person.objects.visible_to(tenant), pk=person_id)
    if needs_access_reason(person) and len(params.reason.strip()) < 5:
        raise PermissionDenied(
            _("Personen har skyddade personuppgifter. Ange skäl (minst fem tecken) i parametern reason.")
        )
    services.record_person_view(tenant=tenant, person=person, reason=params.reason.strip())
    return _out(person, can_see_address(tenant, person))


@router.patch("/{person_id}", response={200: PersonOut, **BODY_ERRORS}, summary="Change a person")
def patch_person(request: HttpRequest, person_id: uuid.UUID, payload: PersonPatch) -> dict[str, Any]:
    tenant = _tenant(request)
    _require_read(tenant)
    person = get_object_or_404(Person.objects.visible_to(tenant), pk=person_id)
    data = payload.model_dump(exclude_unset=True)  # null is refused by the schema, except for birth_date
    services.update_person(tenant=tenant, person=person, data=data, returns_person=True)
    return _out(person, True)
