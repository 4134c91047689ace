"""API v1 lists: one envelope and one page-size limit for every list, the audit names the page's rows,
and the queries of a page do not grow with its size."""

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings

from bredvid.api.pagination import Listed, PageParams, Pagination
from bredvid.api.urls import api as ninja_api
from bredvid.audit.models import Action, AuditEvent
from bredvid.casework import services
from bredvid.casework.models import Case, JournalEntry
from bredvid.supporters.models import Supporter
from tests.api.conftest import field_errors, queries_per_page
from tests.casework.factories import CaseFactory
from tests.factories import PersonFactory
from tests.matching.factories import _number_born

#: Every list of API v1 (a GET without an id in its path, besides the shortlist, which ranks).
LISTS = [
    "/api/v1/persons/",
    "/api/v1/applications/",
    "/api/v1/concern-reports/",
    "/api/v1/investigations/",
    "/api/v1/decisions/",
    "/api/v1/interventions/",
    "/api/v1/journal-entries/",
    "/api/v1/deadlines/",
    "/api/v1/interest-registrations/",
    "/api/v1/supporters/",
    "/api/v1/assessments/",
    "/api/v1/support-requests/",
    "/api/v1/offers/",
    "/api/v1/payment-runs/",
    "/api/v1/agreements/",
    "/api/v1/expenses/",
    "/api/v1/assignments/",
    "/api/v1/reports/",
]
ENVELOPE = {"count", "page", "page_size", "results"}


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(ninja_api.get_openapi_schema(), default=str))
    return schema


def test_the_schema_documents_one_envelope_for_every_list() -> None:
    schema = _schema()
    lists = [
        path
        for path, item in schema["paths"].items()
        if "get" in item and "{" not in path and not path.endswith("/shortlist")
    ]
    assert sorted(lists) == sorted(LISTS)
    for path in LISTS:
        operation = schema["paths"][path]["get"]
        ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        envelope = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
        assert set(envelope["properties"]) == ENVELOPE, path
        assert envelope["properties"]["results"]["type"] == "array", path
        params = {p["name"]: p["schema"] for p in operation["parameters"] if p["in"] == "query"}
        assert params["page"]["default"] == 1 and params["page"]["minimum"] == 1, path
        assert params["page_size"]["default"] == settings.API_PAGE_SIZE, path
        assert params["page_size"]["maximum"] == settings.API_PAGE_SIZE_MAX, path
        assert not {"limit", "offset"} & set(params), path


@pytest.mark.parametrize("path", LISTS)
def test_every_list_answers_the_envelope_and_refuses_a_page_over_the_limit(world, api, path) -> None:  # type: ignore[no-untyped-def]
    client = api("manager")
    body = client.get(path).json()
    assert set(body) == ENVELOPE, body
    assert (body["page"], body["page_size"], body["count"], body["results"]) == (
        1,
        settings.API_PAGE_SIZE,
        0,
        [],
    )
    too_big = client.get(path, {"page_size": settings.API_PAGE_SIZE_MAX + 1})
    assert field_errors(too_big) == {"query.page_size": f"Högst {settings.API_PAGE_SIZE_MAX}."}
    assert field_errors(client.get(path, {"page": 0})) == {"query.page": "Minst 1."}
    assert client.get(path, {"page_size": settings.API_PAGE_SIZE_MAX}).status_code == 200


def test_a_list_without_listed_rows_is_a_programming_error() -> None:
    pagination = Pagination()
    with pytest.raises(TypeError):
        pagination.paginate_queryset([1, 2], PageParams(), None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):  # an unordered queryset could show a row on two pages
        pagination.paginate_queryset(
            Listed(Case.objects.order_by(), lambda rows, page: None), PageParams(), None
        )  # type: ignore[arg-type]


# ---------------------------------------------------------------------------
# Casework, deadlines and supporters: the audit of a page, queries per page
# ---------------------------------------------------------------------------
@pytest.fixture
def many_cases(world):  # type: ignore[no-untyped-def]
    """25 children's cases of the home unit, each with a journal entry and an open investigation (a
    deadline)."""
    tenant = world.tenant("caseworker")
    cases = []
    for number in range(25):
        birth = dt.date(2015, 1, 1) + dt.timedelta(days=number)
        child = PersonFactory(municipality=world.home, identity_number=_number_born(birth), birth_date=birth)
        cases.append(CaseFactory(unit=world.home_unit, client=child, responsible=world.users["caseworker"]))
    for number, case in enumerate(cases):
        day = dt.date(2026, 10, 1) + dt.timedelta(days=number)
        services.write_journal_entry(
            tenant=tenant, case=case, data={"occurred_on": day, "title": "Samtal", "text": "Hej"}
        )
        services.start_investigation(tenant=tenant, case=case, started_on=day)
    CaseFactory.create_batch(2, unit=world.other_unit)  # never listed
    return cases


def _last_search(object_type: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=Action.SEARCH, object_type=object_type).latest("seq")


def test_a_casework_list_audits_exactly_the_clients_of_its_page(world, api, many_cases) -> None:  # type: ignore[no-untyped-def]
    body = api().get("/api/v1/journal-entries/", {"page_size": 3, "page": 2}).json()
    assert (body["count"], body["page"], len(body["results"])) == (25, 2, 3)
    shown = JournalEntry.objects.filter(pk__in=[e["id"] for e in body["results"]])
    event = _last_search("casework.journalentry")
    assert set(event.subjects.split()) == {str(e.case.client_id) for e in shown}
    assert event.detail == {"case_id": "", "page": 2, "count": 3}
    # the pages do not overlap and together hold every entry once
    pages = [api().get("/api/v1/journal-entries/", {"page_size": 10, "page": n}).json() for n in (1, 2, 3)]
    ids = [e["id"] for page in pages for e in page["results"]]
    assert len(ids) == len(set(ids)) == 25


def test_the_deadline_list_audits_the_clients_of_its_page(world, api, many_cases) -> None:  # type: ignore[no-untyped-def]
    body = api().get("/api/v1/deadlines/", {"page_size": 4, "page": 3}).json()
    assert body["page"] == 3 and len(body["results"]) == 4 and body["count"] >= 25
    clients = Case.objects.filter(pk__in={d["case_id"] for d in body["results"]}).values_list(
        "client_id", flat=True
    )
    event = _last_search("deadlines")
    assert set(event.subjects.split()) == {str(c) for c in clients}
    assert event.detail == {"page": 3, "count": 4}


def test_a_page_past_the_end_is_the_last_page_and_is_what_the_audit_names(world, api, many_cases) -> None:  # type: ignore[no-untyped-def]
    body = api().get("/api/v1/investigations/", {"page_size": 10, "page": 99}).json()
    assert (body["page"], len(body["results"])) == (3, 5)
    assert _last_search("casework.investigation").detail == {"case_id": "", "page": 3, "count": 5}


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("caseworker", "/api/v1/journal-entries/"),
        ("caseworker", "/api/v1/investigations/"),
        ("caseworker", "/api/v1/deadlines/"),
        ("family_care_officer", "/api/v1/supporters/"),
    ],
)
def test_the_queries_of_a_page_do_not_grow_with_its_size(
    world, api, many_cases, django_assert_max_num_queries, role, path
) -> None:  # type: ignore[no-untyped-def]
    for number in range(25):
        Supporter.objects.create(municipality=world.home, name=f"Familjen {number:02d}")
    client = api(role)
    counts = queries_per_page(client, path, (2, 20), total=25)
    assert counts[2] == counts[20], counts
    with django_assert_max_num_queries(counts[2]):
        client.get(path, {"page_size": settings.API_PAGE_SIZE_MAX})
