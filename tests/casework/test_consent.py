"""Consent by age and custody (SoL 21 kap. 1 §)."""

import datetime as dt

import pytest

from bredvid.casework.consent import age_on, consent_findings

ON = dt.date(2026, 11, 22)


def born(years: int, days_before_birthday: int = 0) -> dt.date:
    return dt.date(ON.year - years, ON.month, ON.day) + dt.timedelta(days=days_before_birthday)


def test_age_turns_on_the_birthday() -> None:
    assert age_on(born(12), ON) == 12
    assert age_on(born(12, days_before_birthday=1), ON) == 11


@pytest.mark.parametrize(
    ("guardians", "consenting", "satisfied"),
    [({1, 2}, {1, 2}, True), ({1, 2}, {1}, False), ({1}, {1}, True), (set(), set(), False)],
)
def test_under_twelve_needs_every_guardian(guardians, consenting, satisfied) -> None:  # type: ignore[no-untyped-def]
    result = consent_findings(
        birth_date=born(9),
        on=ON,
        guardian_ids=guardians,
        consenting_guardian_ids=consenting,
        child_consented=True,
        child_consent_reason="Barnet vill själv",
    )
    assert result.satisfied is satisfied
    if guardians and not satisfied:
        assert result.missing == ["Samtycke saknas från 1 av 2 vårdnadshavare."]


def test_twelve_to_fourteen_child_consent_suffices_only_with_recorded_reason() -> None:
    base = {"birth_date": born(13), "on": ON, "guardian_ids": {1, 2}, "consenting_guardian_ids": set()}
    without = consent_findings(**base, child_consented=True, child_consent_reason="  ")
    assert not without.satisfied
    assert "Ange varför barnets eget samtycke räcker." in without.missing
    assert consent_findings(
        **base, child_consented=True, child_consent_reason="Mogen, konflikt i hemmet"
    ).satisfied
    both_guardians = {**base, "consenting_guardian_ids": {1, 2}}
    assert consent_findings(**both_guardians, child_consented=False, child_consent_reason="").satisfied


def test_from_fifteen_the_youth_consents() -> None:
    base = {"birth_date": born(15), "on": ON, "guardian_ids": {1, 2}, "consenting_guardian_ids": {1, 2}}
    assert not consent_findings(**base, child_consented=False, child_consent_reason="").satisfied
    assert consent_findings(**base, child_consented=True, child_consent_reason="").satisfied
    adult = {**base, "birth_date": born(30), "guardian_ids": set(), "consenting_guardian_ids": set()}
    assert consent_findings(**adult, child_consented=True, child_consent_reason="").satisfied
