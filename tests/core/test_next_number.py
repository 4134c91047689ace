"""`next_number`: the counter rows behind case and reference numbers (one statement, locked)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.db.transaction import TransactionManagementError

from bredvid.casework.models import CaseSequence
from bredvid.core.locking import next_number
from bredvid.supporters.models import InterestSequence
from tests.conftest import World

pytestmark = pytest.mark.django_db


def test_the_first_number_creates_the_row_and_the_next_ones_count_on(world: World) -> None:
    with transaction.atomic():
        numbers = [next_number(InterestSequence, municipality=world.home, year=2027) for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert InterestSequence.objects.get(municipality=world.home, year=2027).last == 3


def test_each_key_has_its_own_counter(world: World) -> None:
    with transaction.atomic():
        next_number(CaseSequence, municipality=world.home, series="case", year=2027)
        assert next_number(CaseSequence, municipality=world.home, series="eapplication", year=2027) == 1
        assert next_number(CaseSequence, municipality=world.other, series="case", year=2027) == 1
        assert next_number(CaseSequence, municipality=world.home, series="case", year=2026) == 1
        assert next_number(CaseSequence, municipality=world.home, series="case", year=2027) == 2


def test_a_rolled_back_number_is_given_again(world: World) -> None:
    with transaction.atomic():
        next_number(InterestSequence, municipality=world.home, year=2027)
    with pytest.raises(RuntimeError), transaction.atomic():
        assert next_number(InterestSequence, municipality=world.home, year=2027) == 2
        raise RuntimeError
    with transaction.atomic():
        assert next_number(InterestSequence, municipality=world.home, year=2027) == 2


@pytest.mark.django_db(transaction=True)  # no test transaction around it
def test_outside_a_transaction_it_refuses(world: World) -> None:
    with pytest.raises(TransactionManagementError):
        next_number(InterestSequence, municipality=world.home, year=2027)
