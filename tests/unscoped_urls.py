"""A urlconf for tests/test_url_walker.py: the real URLs plus deliberate mistakes.

* `test-unscoped/<person_id>/` loads (and on POST changes) the person without `visible_to`;
* `test-mixed/<case_id>/<entry_id>/` scopes the case but loads the journal entry by id alone,
  so another municipality's user reaches it through its own case;
* `test-unit/<case_id>/` scopes the case to the municipality but not to the caseworker's units;
* `test-open/` is open to anonymous visitors without being in the walker's PUBLIC list;
* `test-unregistered/<widget_id>/` takes a keyword the walker's registry does not know.

The walker must report each of them.
"""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path

from bredvid.casework.models import Case, JournalEntry
from bredvid.casework.perms import can_read_cases
from bredvid.people.models import Person
from bredvid.www.staff.decorators import permission_required
from config.urls import urlpatterns as real_urlpatterns


def unscoped_person(request: HttpRequest, person_id: uuid.UUID) -> HttpResponse:
    person = Person.objects.get(pk=person_id)  # the mistake: no Person.objects.visible_to(tenant)
    if request.method == "POST":
        Person.objects.filter(pk=person.pk).update(phone="070-123 45 67")
    return HttpResponse(person.full_name)


@permission_required(can_read_cases)
def mixed_view(request: HttpRequest, case_id: uuid.UUID, entry_id: uuid.UUID) -> HttpResponse:
    get_object_or_404(Case.objects.visible_to(request.tenant), pk=case_id)  # type: ignore[attr-defined]
    entry = get_object_or_404(JournalEntry.objects.all(), pk=entry_id)  # the mistake: not scoped
    return HttpResponse(entry.title)


@permission_required(can_read_cases)
def unit_unscoped_case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    tenant = request.tenant  # type: ignore[attr-defined]
    # the mistake: the municipality is checked, the unit rule (Case.objects.visible_to) is not
    case = get_object_or_404(Case.objects.in_municipality(tenant.municipality), pk=case_id)
    return HttpResponse(case.reference)


@login_not_required
def open_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse("open")


def unregistered(request: HttpRequest, widget_id: int) -> HttpResponse:
    return HttpResponse("widget")


urlpatterns = [
    path("test-unscoped/<uuid:person_id>/", unscoped_person, name="test_unscoped"),
    path("test-mixed/<uuid:case_id>/<uuid:entry_id>/", mixed_view, name="test_mixed"),
    path("test-unit/<uuid:case_id>/", unit_unscoped_case, name="test_unit"),
    path("test-open/", open_page, name="test_open"),
    path("test-unregistered/<int:widget_id>/", unregistered, name="test_unregistered"),
    *real_urlpatterns,
]
