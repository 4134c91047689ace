"""Every URL and API route, visited by anonymous visitors and every role of both municipalities.

The walk itself lives in tests/walker.py; this file asserts it finds nothing, and proves that it
would find an unscoped view and a URL keyword it cannot fill.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import pytest
from django.test import override_settings

from tests.walker import PARAMS, PUBLIC, Endpoint, format_failures, iter_endpoints, walk

#: The walk is split into parts (by a hash of the route) so pytest-xdist runs them in parallel;
#: together they cover every URL and API operation exactly once.
PARTS = 3


def _part(n: int) -> Callable[[Endpoint], bool]:
    return lambda ep: zlib.crc32(ep.route.encode()) % PARTS == n


@pytest.mark.parametrize("part", range(PARTS))
def test_every_url_keeps_to_its_municipality_and_roles(world, part: int) -> None:  # type: ignore[no-untyped-def]
    failures = walk(world, include=_part(part))
    assert not failures, format_failures(failures)


def test_the_walk_covers_pages_api_and_admin() -> None:
    endpoints = list(iter_endpoints())
    names = {ep.name for ep in endpoints}
    kinds = {ep.kind for ep in endpoints}
    assert {"page", "api", "admin"} <= kinds
    assert {"staff:person_detail", "staff:case_detail", "accounts:login", "admin:index"} <= names
    # every public URL still exists (a renamed one would silently lose its exemption)
    assert set(PUBLIC) <= names


def _test_urls(ep: Endpoint) -> bool:
    return ep.route.startswith("test-")


@override_settings(ROOT_URLCONF="tests.unscoped_urls")
def test_the_walker_reports_an_unscoped_view(world) -> None:  # type: ignore[no-untyped-def]
    failures = walk(world, include=_test_urls, api=False)
    report = format_failures(failures)
    unscoped = [f for f in failures if "[test_unscoped" in f]
    for role in world.other_users:
        assert any(
            f"as {role}@other: expected 404 for another municipality's object, got 200" in f for f in unscoped
        ), report
        assert any(f"as {role}@other: shows the home municipality's data" in f for f in unscoped), report
    assert any(
        "as the other municipality: changed the home municipality's people.Person" in f for f in unscoped
    )
    # the home municipality's users are fine: the page needs no role and answers 200
    assert not [f for f in unscoped if "@home" in f], report


@override_settings(ROOT_URLCONF="tests.unscoped_urls")
def test_the_walker_reports_a_case_of_another_unit(world) -> None:  # type: ignore[no-untyped-def]
    failures = walk(world, include=_test_urls, api=False)
    report = format_failures(failures)
    unit = [f for f in failures if "[test_unit" in f]
    assert any(
        "as caseworker@another unit: expected 404 for another unit's case, got 200" in f for f in unit
    ), report
    # the other municipality still gets its 404: the municipality filter is there
    assert not [f for f in unit if "@other" in f], report


@override_settings(ROOT_URLCONF="tests.unscoped_urls")
def test_the_walker_reports_an_object_reached_through_an_own_parent(world) -> None:  # type: ignore[no-untyped-def]
    failures = walk(world, include=_test_urls, api=False)
    mixed = [f for f in failures if "[test_mixed" in f]
    # with only home ids the case lookup hides the mistake; with its own case it shows
    assert not [f for f in mixed if "@other:" in f], format_failures(mixed)
    assert any(
        "as caseworker@other with its own case_id: expected 404 for another municipality's object, got 200"
        in f
        for f in mixed
    ), format_failures(failures)


@override_settings(ROOT_URLCONF="tests.unscoped_urls")
def test_the_walker_reports_a_page_open_to_anonymous_visitors(world) -> None:  # type: ignore[no-untyped-def]
    failures = walk(world, include=_test_urls, api=False)
    assert (
        "GET /test-open/ [test_open (test-open/)] as anonymous: expected a 302 to the login page, got 200"
        in (failures)
    ), format_failures(failures)


@override_settings(ROOT_URLCONF="tests.unscoped_urls")
def test_the_walker_reports_a_keyword_missing_from_the_registry(world) -> None:  # type: ignore[no-untyped-def]
    assert "widget_id" not in PARAMS
    failures = walk(world, include=_test_urls, api=False)
    unregistered = [f for f in failures if f.startswith("test_unregistered")]
    assert len(unregistered) == 1
    assert "`widget_id` is not in the walker's registry" in unregistered[0]
    assert "PARAMS in tests/walker.py" in unregistered[0]


@override_settings(ROOT_URLCONF="tests.unscoped_urls")
def test_the_real_urls_are_unaffected_by_the_test_urlconf(world) -> None:  # type: ignore[no-untyped-def]
    """The mistakes are the only findings: the override does not break the real URLs' checks."""
    failures = walk(world, include=lambda ep: ep.name.startswith("staff:person") or _test_urls(ep), api=False)
    assert failures
    assert all("[test_" in f or f.startswith("test_") for f in failures), format_failures(failures)


def test_the_walker_reports_an_unscoped_api_route(world, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The person routes look the person up without `visible_to`: the walker must notice."""
    from django.shortcuts import get_object_or_404

    def unscoped(queryset, **lookup):  # type: ignore[no-untyped-def]
        return get_object_or_404(queryset.model.objects.all(), **lookup)

    monkeypatch.setattr("bredvid.api.persons.get_object_or_404", unscoped)
    failures = walk(world, include=lambda ep: ep.route == "/api/v1/persons/{person_id}")
    report = format_failures(failures)

    def found(method: str, problem: str) -> bool:
        return any(f.startswith(f"{method} /api/v1/persons/") and problem in f for f in failures)

    # GET (with a reason): the person is shown
    assert found("GET", "as caseworker@other: expected 404 for another municipality's object, got 200"), (
        report
    )
    assert found("GET", "as caseworker@other: shows the home municipality's data"), report
    # PATCH: refused (403) instead of not found, which confirms that the person exists
    assert found("PATCH", "as caseworker@other: got 403 for the home object but 404 for a missing id"), report


def test_the_snapshot_sees_changes_in_the_home_municipality_only(world) -> None:  # type: ignore[no-untyped-def]
    from bredvid.people.models import Person
    from tests.factories import PersonFactory
    from tests.walker import _diff, home_snapshot

    home_person = PersonFactory(municipality=world.home)
    PersonFactory(municipality=world.other)
    before = home_snapshot(world.home)
    assert any(
        row[0] == home_person.pk or str(row[0]).replace("-", "") == home_person.pk.hex
        for row in before["people.Person"]
    )
    PersonFactory(municipality=world.other)
    assert _diff(before, home_snapshot(world.home)) == ""
    Person.objects.filter(pk=home_person.pk).update(phone="070-000 00 00")
    assert _diff(before, home_snapshot(world.home)) == "people.Person"
