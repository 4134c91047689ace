"""API v1's enums are the models' choices (derived, never copied), and its modules stay small."""

import json
from pathlib import Path
from typing import Any

from django.db import models

from bredvid.agreements.models import Signature
from bredvid.api.urls import api as ninja_api
from bredvid.assignments.models import Assignment, Report
from bredvid.casework.models import (
    Application,
    ConcernReport,
    Decision,
    Intervention,
    Investigation,
    JournalEntry,
)
from bredvid.core.choices import SupportKind
from bredvid.deadlines import rules
from bredvid.expenses.models import Expense
from bredvid.matching.models import Offer, SupportRequest
from bredvid.payments.models import PaymentLine, PaymentRun
from bredvid.people.models import Person
from bredvid.supporters.models import Assessment, InterestRegistration, Supporter

API = Path(__file__).resolve().parents[2] / "bredvid" / "api"

#: The model behind each component of the schema that has an enum.
MODELS: dict[str, type[models.Model]] = {
    "RunFilter": PaymentRun,
    "RunOut": PaymentRun,
    "LineFilter": PaymentLine,
    "LineOut": PaymentLine,
    "ExpenseFilter": Expense,
    "ExpenseOut": Expense,
    "PaperIn": Signature,
    "SignatureOut": Signature,
    "TermsIn": Assignment,
    "AnswerIn": Offer,
    "ApplicationIn": Application,
    "ApplicationOut": Application,
    "AssessmentFilter": Assessment,
    "AssessmentOut": Assessment,
    "AssignmentFilter": Assignment,
    "AssignmentOut": Assignment,
    "ConcernReportIn": ConcernReport,
    "ConcernReportOut": ConcernReport,
    "DecisionIn": Decision,
    "DecisionOut": Decision,
    "InterventionOut": Intervention,
    "InvestigationOut": Investigation,
    "JournalEntryOut": JournalEntry,
    "OfferFilter": Offer,
    "OfferOut": Offer,
    "PersonIn": Person,
    "PersonOut": Person,
    "PersonPatch": Person,
    "ReportFilter": Report,
    "ReportIn": Report,
    "ReportOut": Report,
    "RegistrationFilter": InterestRegistration,
    "RegistrationIn": InterestRegistration,
    "RegistrationOut": InterestRegistration,
    "RequestFilter": SupportRequest,
    "SupportRequestIn": SupportRequest,
    "SupportRequestOut": SupportRequest,
    "SupportRequestPatch": SupportRequest,
    "SupporterFilter": Supporter,
    "SupporterOut": Supporter,
}
#: Query parameters named otherwise than their model field.
RENAMED = {("RequestFilter", "kind"): "support_kind"}
#: Lists of support kinds kept in a JSON field.
SUPPORT_KIND_LISTS = {"supports", "approved_supports"}


def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(ninja_api.get_openapi_schema(), default=str))
    return schema


def _enums(schema: dict[str, Any]) -> dict[tuple[str, str], list[str]]:
    """(component, property) -> the enum it documents (of the property, or of its items)."""
    found = {}
    for name, component in schema["components"]["schemas"].items():
        for prop, spec in component.get("properties", {}).items():
            enum = spec.get("enum") or spec.get("items", {}).get("enum")
            if enum is not None:
                found[(name, prop)] = enum
    return found


def _expected(component: str, prop: str) -> tuple[list[str], bool]:
    """The values of the model's choices, and whether "" may be given besides."""
    if component == "DeadlineOut":
        kinds = {"kind": rules.Kind, "status": rules.Status}
        return [member.value for member in kinds[prop]], False
    if prop in SUPPORT_KIND_LISTS:
        return list(SupportKind.values), False
    model = MODELS[component]
    field = model._meta.get_field(RENAMED.get((component, prop), prop))
    values = [str(value) for value, _label in field.choices or []]  # type: ignore[attr-defined]
    return values, component.endswith("Filter") or bool(field.blank)  # type: ignore[attr-defined]


def test_every_enum_of_the_schema_is_its_model_fields_choices() -> None:
    enums = _enums(_schema())
    assert len(enums) >= 50
    for (component, prop), enum in enums.items():
        values, blank_allowed = _expected(component, prop)
        assert values, (component, prop)
        assert [value for value in enum if value != ""] == values, (component, prop)
        assert "" not in enum or blank_allowed, (component, prop)


def test_filters_take_every_choice_and_blank_for_any(world, api) -> None:  # type: ignore[no-untyped-def]
    parameters = {
        (path, p["name"]): p["schema"].get("enum")
        for path, item in _schema()["paths"].items()
        for p in item.get("get", {}).get("parameters", [])
    }
    assert parameters[("/api/v1/offers/", "status")] == ["", *Offer.Status.values]
    assert parameters[("/api/v1/support-requests/", "kind")] == ["", *SupportKind.values]
    assert parameters[("/api/v1/supporters/", "status")] == ["", *Supporter.Status.values]
    client = api("manager")
    for path, status in (
        ("/api/v1/supporters/", Supporter.Status.PAUSED),
        ("/api/v1/interest-registrations/", InterestRegistration.Status.CLOSED),
        ("/api/v1/assessments/", Assessment.Status.REJECTED),
    ):
        assert client.get(path, {"status": status}).status_code == 200
        assert client.get(path, {"status": ""}).status_code == 200
        refused = client.get(path, {"status": "lost"})
        assert refused.status_code == 422
        assert refused.json()["detail"][0]["message"].startswith("Ogiltigt värde. Tillåtna värden:")


def test_no_choice_is_copied_into_the_api() -> None:
    for module in API.rglob("*.py"):
        text = module.read_text()
        assert "Literal[" not in text, f"{module}: derive the values with OneOf(Model.Choices)"


def test_every_api_module_is_under_400_lines() -> None:
    sizes = {str(m.relative_to(API)): len(m.read_text().splitlines()) for m in API.rglob("*.py")}
    assert {name: size for name, size in sizes.items() if size >= 400} == {}
