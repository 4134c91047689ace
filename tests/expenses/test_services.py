"""Expenses, trips and purchase requests through their services; what the payment run pays."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from bredvid.core.errors import IllegalTransition
from bredvid.expenses import services
from bredvid.expenses.models import Expense
from tests.core.test_uploads import pdf_bytes
from tests.factories import active_assignment

DAY = dt.date(2027, 6, 10)


def receipt() -> SimpleUploadedFile:
    return SimpleUploadedFile("kvitto.pdf", pdf_bytes())


def test_an_expense_is_approved_and_payable(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.tenant("family_care_officer")
    expense = services.submit_expense(
        tenant=officer, assignment=assignment, kind="expense", description="Bad",
        incurred_on=DAY, amount=Decimal("120.50"), files=[receipt()],
    )  # fmt: skip
    assert expense.status == "submitted" and expense.channel == "staff"
    assert not Expense.objects.payable().exists()
    services.approve(tenant=officer, expense=expense)
    assert list(Expense.objects.payable()) == [expense]
    with pytest.raises(IllegalTransition):
        services.reject(tenant=officer, expense=expense, reason="Sent")


def test_an_expense_needs_a_receipt_a_trip_may_not(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.tenant("family_care_officer")
    with pytest.raises(ValidationError) as error:
        services.submit_expense(
            tenant=officer, assignment=assignment, kind="expense", description="Bad",
            incurred_on=DAY, amount=Decimal("120"),
        )  # fmt: skip
    assert "files" in error.value.message_dict
    trip = services.submit_expense(
        tenant=officer, assignment=assignment, kind="trip", description="Bil till Göteborg, 40 km",
        incurred_on=DAY, amount=Decimal("100"),
    )  # fmt: skip
    assert trip.kind == "trip"


def test_a_rejection_needs_a_reason(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.tenant("family_care_officer")
    expense = services.submit_expense(
        tenant=officer, assignment=assignment, kind="trip", description="Resa",
        incurred_on=DAY, amount=Decimal("100"),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        services.reject(tenant=officer, expense=expense, reason="  ")
    assert "reason" in error.value.message_dict
    services.reject(tenant=officer, expense=expense, reason="Resan var inte godkänd i förväg.")
    expense.refresh_from_db()
    assert (expense.status, expense.reason) == ("rejected", "Resan var inte godkänd i förväg.")
    assert not Expense.objects.payable().exists()


def test_a_purchase_is_approved_then_settled_by_its_receipt(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.tenant("family_care_officer")
    purchase = services.request_purchase(
        tenant=officer, assignment=assignment, description="Cykel", incurred_on=DAY,
        requested_amount=Decimal("2500"),
    )  # fmt: skip
    with pytest.raises(IllegalTransition):  # not before it is approved
        services.settle(tenant=officer, expense=purchase, amount=Decimal("2400"), files=[receipt()])
    services.approve(tenant=officer, expense=purchase, approved_amount=Decimal("2000"))
    assert not Expense.objects.payable().exists()  # approved is not yet paid
    with pytest.raises(ValidationError) as error:  # above the approval
        services.settle(tenant=officer, expense=purchase, amount=Decimal("2400"), files=[receipt()])
    assert "amount" in error.value.message_dict
    assert not purchase.receipts.exists()
    services.approve(tenant=officer, expense=purchase, approved_amount=Decimal("2500"))  # approved again
    services.settle(tenant=officer, expense=purchase, amount=Decimal("2400"), files=[receipt()])
    purchase.refresh_from_db()
    assert (purchase.status, purchase.amount) == ("settled", Decimal("2400.00"))
    assert list(Expense.objects.payable()) == [purchase]
    assert purchase.receipts.count() == 1


def test_roles_and_channels(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    with pytest.raises(PermissionDenied):
        services.request_purchase(
            tenant=world.tenant("caseworker"), assignment=assignment, description="Cykel",
            incurred_on=DAY, requested_amount=Decimal("100"),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):  # the e-service acts for one supporter only
        services.request_purchase(
            tenant=world.tenant("family_care_officer"), assignment=assignment, description="Cykel",
            incurred_on=DAY, requested_amount=Decimal("100"), channel="eservice",
        )  # fmt: skip
    purchase = services.request_purchase(
        tenant=world.tenant("manager"), assignment=assignment, description="Cykel",
        incurred_on=DAY, requested_amount=Decimal("100"),
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.approve(tenant=world.tenant("caseworker"), expense=purchase)


def test_the_scoping_follows_the_assignment(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    services.request_purchase(
        tenant=world.tenant("family_care_officer"), assignment=assignment, description="Cykel",
        incurred_on=DAY, requested_amount=Decimal("100"),
    )  # fmt: skip
    assert Expense.objects.visible_to(world.tenant("family_care_officer")).count() == 1
    assert Expense.objects.visible_to(world.tenant("family_care_officer", other=True)).count() == 0
    assert Expense.objects.visible_to(world.tenant("admin")).count() == 0
