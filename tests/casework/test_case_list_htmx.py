"""The case list's filters update the results in place (htmx) and work the same without JavaScript."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from bredvid.audit.models import Action, AuditEvent
from bredvid.casework.models import Case
from tests.casework.factories import CaseFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def cases(world):  # type: ignore[no-untyped-def]
    open_case = CaseFactory(unit=world.home_unit, reference="T-2026-OPEN1")
    closed = CaseFactory(unit=world.home_unit, reference="T-2026-SHUT1", status=Case.Status.CLOSED)
    return open_case, closed


def test_a_plain_request_gets_the_whole_page_with_the_form_and_the_live_count(world, cases) -> None:  # type: ignore[no-untyped-def]
    response = world.client("caseworker").get(reverse("staff:case_list"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page and 'role="search"' in page
    # the form works without JavaScript (method and action) and with it (hx-get into the results)
    assert 'method="get"' in page and 'hx-get="/arenden/"' in page and 'hx-push-url="true"' in page
    assert re.search(r'<p class="govuk-body" role="status" id="case-count">\s*1 ärende', page)
    assert 'id="case-results"' in page and "T-2026-OPEN1" in page and "T-2026-SHUT1" not in page
    assert "hx-swap-oob" not in page
    assert "HX-Request" in response["Vary"]


def test_an_htmx_request_gets_only_the_filtered_results_and_the_new_count(world, cases) -> None:  # type: ignore[no-untyped-def]
    response = world.client("caseworker").get(reverse("staff:case_list"), {"status": "closed"}, **HTMX)
    fragment = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in fragment and "<form" not in fragment
    assert "T-2026-SHUT1" in fragment and "T-2026-OPEN1" not in fragment
    # the live region above the results keeps its place; only its text changes (announced politely)
    assert re.search(r'<span id="case-count" hx-swap-oob="innerHTML">\s*1 ärende', fragment)
    assert "HX-Request" in response["Vary"]
    search = AuditEvent.objects.filter(action=Action.SEARCH, object_type="casework.case").latest("seq")
    assert search.detail["status"] == "closed"


def test_a_history_restore_gets_the_whole_page(world, cases) -> None:  # type: ignore[no-untyped-def]
    response = world.client("caseworker").get(
        reverse("staff:case_list"), {"status": "all"}, HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )
    page = response.content.decode()
    assert "<html" in page and "T-2026-OPEN1" in page and "T-2026-SHUT1" in page


@override_settings(STAFF_PAGE_SIZE=1)
def test_the_pages_keep_the_filters(world, cases) -> None:  # type: ignore[no-untyped-def]
    CaseFactory(unit=world.home_unit, reference="T-2026-SHUT2", status=Case.Status.CLOSED)
    response = world.client("caseworker").get(
        reverse("staff:case_list"), {"status": "closed", "q": "SHUT"}, **HTMX
    )
    assert "?q=SHUT&amp;status=closed&amp;sida=2" in response.content.decode()


def test_the_fragment_is_refused_like_the_page(world, cases) -> None:  # type: ignore[no-untyped-def]
    url = reverse("staff:case_list")
    assert world.client("auditor").get(url, **HTMX).status_code == 403
    assert Client().get(url, **HTMX).status_code == 302
    other = world.client("caseworker", other=True).get(url, {"status": "all"}, **HTMX).content.decode()
    assert "T-2026-OPEN1" not in other and "T-2026-SHUT1" not in other


def test_the_fragment_has_a_constant_number_of_queries(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    cw = world.client("caseworker")
    CaseFactory.create_batch(2, unit=world.home_unit)
    cw.get(reverse("staff:case_list"), **HTMX)
    with django_assert_max_num_queries(25) as small:
        cw.get(reverse("staff:case_list"), **HTMX)
    CaseFactory.create_batch(30, unit=world.home_unit)
    with django_assert_max_num_queries(25) as large:
        cw.get(reverse("staff:case_list"), **HTMX)
    assert len(small.captured_queries) == len(large.captured_queries)
