"""OpenAPI links of API v1: which answer's id a client (or schemathesis's stateful phase) can use next.

`create_person` answers a person whose `id` is the `person_id` of `get_person` and `patch_person`;
a list's first row feeds the detail, a new offer feeds its answer, and so on. The links are added to
the generated schema by `with_links`; an operation id or status that does not exist is an error, so a
renamed route cannot silently drop its links.
"""

from __future__ import annotations

from typing import Any

P = "bredvid_api_persons_"
C = "bredvid_api_casework_"
S = "bredvid_api_supporters_"
M = "bredvid_api_matching_"

ID = "$response.body#/id"
FIRST = "$response.body#/0/id"  # the first of several objects created at once
FIRST_RESULT = "$response.body#/results/0/id"  # the first row of a list (bredvid/api/pagination.py)

#: (operation, status, expression of the id, parameter of the targets, target operations)
LINKS: list[tuple[str, int, str, str, tuple[str, ...]]] = [
    (P + "create_person", 201, ID, "person_id", (P + "get_person", P + "patch_person")),
    (P + "patch_person", 200, ID, "person_id", (P + "get_person",)),
    (P + "list_persons", 200, FIRST_RESULT, "person_id", (P + "get_person", P + "patch_person")),
    (C + "create_application", 201, ID, "object_id", (C + "get_applications",)),
    (C + "create_concern_report", 201, ID, "object_id", (C + "get_concern_reports",)),
    (C + "create_investigation", 201, ID, "object_id", (C + "get_investigations",)),
    (C + "propose_decision", 201, ID, "object_id", (C + "get_decisions",)),
    (C + "create_journal_entry", 201, ID, "object_id", (C + "get_journal_entries", C + "sign_journal_entry")),
    (C + "sign_journal_entry", 200, ID, "object_id", (C + "get_journal_entries", C + "sign_journal_entry")),
    (
        C + "list_journal_entries",
        200,
        FIRST_RESULT,
        "object_id",
        (C + "get_journal_entries", C + "sign_journal_entry"),
    ),
    (C + "list_applications", 200, FIRST_RESULT, "object_id", (C + "get_applications",)),
    (C + "list_concern_reports", 200, FIRST_RESULT, "object_id", (C + "get_concern_reports",)),
    (C + "list_investigations", 200, FIRST_RESULT, "object_id", (C + "get_investigations",)),
    (C + "list_decisions", 200, FIRST_RESULT, "object_id", (C + "get_decisions",)),
    (C + "list_interventions", 200, FIRST_RESULT, "object_id", (C + "get_interventions",)),
    (S + "create_registration", 201, ID, "object_id", (S + "get_registration",)),
    (S + "list_registrations", 200, FIRST_RESULT, "object_id", (S + "get_registration",)),
    (S + "list_supporters", 200, FIRST_RESULT, "object_id", (S + "get_supporter",)),
    (S + "list_assessments", 200, FIRST_RESULT, "object_id", (S + "get_assessment",)),
    (
        M + "create_support_request",
        201,
        ID,
        "object_id",
        (M + "get_support_request", M + "patch_support_request", M + "get_shortlist"),
    ),
    (M + "patch_support_request", 200, ID, "object_id", (M + "get_support_request", M + "get_shortlist")),
    (
        M + "list_support_requests",
        200,
        FIRST_RESULT,
        "object_id",
        (M + "get_support_request", M + "patch_support_request", M + "get_shortlist"),
    ),
    (
        M + "create_offers",
        201,
        FIRST,
        "object_id",
        (M + "get_offer", M + "answer_offer", M + "withdraw_offer"),
    ),
    (M + "answer_offer", 200, ID, "object_id", (M + "get_offer", M + "confirm_offer", M + "withdraw_offer")),
    (M + "withdraw_offer", 200, ID, "object_id", (M + "get_offer", M + "answer_offer")),
    (
        M + "list_offers",
        200,
        FIRST_RESULT,
        "object_id",
        (M + "get_offer", M + "answer_offer", M + "withdraw_offer", M + "confirm_offer"),
    ),
]


def _link_name(operation_id: str) -> str:
    return "".join(part.capitalize() for part in operation_id.split("_")[3:])


def with_links(schema: Any) -> Any:
    """Add LINKS to a generated OpenAPI schema (in place) and return it."""
    operations = {
        op["operationId"]: op
        for item in schema["paths"].values()
        for op in item.values()
        if isinstance(op, dict) and "operationId" in op
    }
    for source, status, expression, parameter, targets in LINKS:
        response = operations[source]["responses"][status]
        links = response.setdefault("links", {})
        for target in targets:
            if target not in operations:
                raise KeyError(f"link to an unknown operation: {target}")
            links[_link_name(target)] = {"operationId": target, "parameters": {parameter: expression}}
    return schema
