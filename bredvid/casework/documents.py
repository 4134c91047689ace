"""Printed documents: the decision (with appeal instructions when refused) and the personal file."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from bredvid.casework.models import Case, Decision


def _pdf(template: str, context: dict[str, object]) -> bytes:
    html = render_to_string(template, {**context, "printed_at": timezone.localtime()})
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]


def decision_pdf(decision: Decision) -> bytes:
    return _pdf(
        "casework/pdf/decision.html",
        {"decision": decision, "case": decision.case, "client": decision.case.client},
    )


def case_file_pdf(case: Case) -> bytes:
    context = {
        "case": case,
        "client": case.client,
        "decisions": list(case.decisions.select_related("decided_by")),
        "investigations": list(case.investigations.all()),
        "interventions": list(case.interventions.all()),
        "journal": list(
            case.journal_entries.filter(status="signed").select_related("author").order_by("occurred_on")
        ),
    }
    return _pdf("casework/pdf/case_file.html", context)
