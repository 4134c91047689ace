"""Expense pages: register with receipts, decide, settle; receipts only to those who see the assignment."""

from __future__ import annotations

import hashlib
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bredvid.audit.models import Action, AuditEvent
from bredvid.expenses import services
from bredvid.expenses.models import Expense, Receipt
from tests.core.test_uploads import jpeg_with_gps, pdf_bytes
from tests.factories import active_assignment


def test_register_approve_and_download(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.client("family_care_officer")
    new = reverse("staff:expense_new", args=[assignment.pk])
    assert 'enctype="multipart/form-data"' in officer.get(new).content.decode()
    response = officer.post(
        new,
        {
            "kind": "expense",
            "description": "Biobiljetter",
            "incurred_on": "2027-06-12",
            "amount": "240",
            "files": [
                SimpleUploadedFile("kvitto.jpg", jpeg_with_gps()),
                SimpleUploadedFile("kvitto2.pdf", pdf_bytes()),
            ],
        },
    )
    assert response.status_code == 302
    expense = Expense.objects.get()
    assert expense.receipts.count() == 2
    listing = officer.get(reverse("staff:expense_list", args=[assignment.pk])).content.decode()
    assert "Biobiljetter" in listing

    receipt = expense.receipts.filter(content_type="image/jpeg").get()
    url = reverse("staff:receipt_download", args=[assignment.pk, expense.pk, receipt.pk])
    served = officer.get(url)
    assert served.status_code == 200
    body = b"".join(served.streaming_content)
    assert hashlib.sha256(body).hexdigest() == receipt.sha256
    assert served["Cache-Control"] == "private, no-store"
    assert AuditEvent.objects.filter(action=Action.PRINT, object_id=str(receipt.pk)).count() == 1

    officer.post(reverse("staff:expense_approve", args=[assignment.pk, expense.pk]), {})
    expense.refresh_from_db()
    assert expense.status == "approved"


def test_a_refused_file_is_shown_next_to_the_field_and_nothing_is_kept(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.client("family_care_officer")
    response = officer.post(
        reverse("staff:expense_new", args=[assignment.pk]),
        {
            "kind": "expense",
            "description": "Biobiljetter",
            "incurred_on": "2027-06-12",
            "amount": "240",
            "files": [SimpleUploadedFile("kvitto.pdf", b"<html>inte en pdf</html>")],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "PDF, JPEG, PNG eller HEIC" in page
    assert 'value="Biobiljetter"' in page
    assert not Expense.objects.exists() and not Receipt.objects.exists()


def test_reject_needs_a_reason_and_purchase_is_settled(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.client("family_care_officer")
    officer.post(
        reverse("staff:purchase_new", args=[assignment.pk]),
        {"description": "Cykel", "incurred_on": "2027-06-20", "requested_amount": "2500"},
    )
    purchase = Expense.objects.get()
    reject = reverse("staff:expense_reject", args=[assignment.pk, purchase.pk])
    assert officer.post(reject, {"reason": ""}).status_code == 200
    officer.post(
        reverse("staff:expense_approve", args=[assignment.pk, purchase.pk]), {"approved_amount": "2000"}
    )
    settle = reverse("staff:expense_settle", args=[assignment.pk, purchase.pk])
    too_much = officer.post(
        settle, {"amount": "2400", "files": [SimpleUploadedFile("k.pdf", pdf_bytes())]}
    ).content.decode()
    assert "godkännas igen" in too_much
    officer.post(settle, {"amount": "1999", "files": [SimpleUploadedFile("k.pdf", pdf_bytes())]})
    purchase.refresh_from_db()
    assert (purchase.status, purchase.amount) == ("settled", Decimal("1999.00"))


def test_receipts_only_for_those_who_see_the_assignment(world, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    tenant = world.tenant("family_care_officer")
    for n in range(3):
        services.submit_expense(
            tenant=tenant, assignment=assignment, kind="expense", description=f"Utlägg {n}",
            incurred_on=assignment.start_on, amount=Decimal("10"),
            files=[SimpleUploadedFile("k.pdf", pdf_bytes())],
        )  # fmt: skip
    expense = Expense.objects.first()
    assert expense is not None
    receipt = expense.receipts.get()
    url = reverse("staff:receipt_download", args=[assignment.pk, expense.pk, receipt.pk])
    assert world.client("manager").get(url).status_code == 200
    assert world.client("admin").get(url).status_code == 403
    assert world.client("auditor").get(url).status_code == 403
    assert world.client("family_care_officer", other=True).get(url).status_code == 404
    assert (
        world.client("caseworker").get(reverse("staff:expense_new", args=[assignment.pk])).status_code == 403
    )
    anonymous = world.client("manager")
    anonymous.logout()
    assert anonymous.get(url).status_code == 302
    officer = world.client("family_care_officer")
    listing = reverse("staff:expense_list", args=[assignment.pk])
    officer.get(listing)
    with django_assert_max_num_queries(20):
        assert officer.get(listing).status_code == 200
