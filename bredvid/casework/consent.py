"""Consent by age and custody (SoL 21 kap. 1 §). Pure: takes dates and counts, returns findings."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


@dataclass(frozen=True)
class ConsentFindings:
    satisfied: bool
    age: int
    missing: list[str] = field(default_factory=list)


def consent_findings(
    *,
    birth_date: datetime.date,
    on: datetime.date,
    guardian_ids: set[int | str],
    consenting_guardian_ids: set[int | str],
    child_consented: bool,
    child_consent_reason: str,
) -> ConsentFindings:
    """Under 12: every guardian (joint custody: both). 12–14: the guardians, or the child's own
    consent where the caseworker records why it suffices. From 15: the youth's own consent."""
    age = age_on(birth_date, on)
    missing: list[str] = []
    if age >= 18:
        if not child_consented:
            missing.append(_("Den enskildes eget samtycke saknas."))
        return ConsentFindings(not missing, age, missing)
    if age >= 15:
        if not child_consented:
            missing.append(_("Den unges eget samtycke saknas (från 15 år)."))
        return ConsentFindings(not missing, age, missing)
    guardians_missing = guardian_ids - consenting_guardian_ids
    all_guardians = bool(guardian_ids) and not guardians_missing
    if age >= 12 and child_consented and child_consent_reason.strip():
        return ConsentFindings(True, age, [])
    if not guardian_ids:
        missing.append(_("Barnets vårdnadshavare är inte registrerade."))
    elif guardians_missing:
        count = len(guardians_missing)
        missing.append(
            _("Samtycke saknas från %(count)s av %(total)s vårdnadshavare.")
            % {"count": count, "total": len(guardian_ids)}
        )
    if age >= 12 and child_consented and not child_consent_reason.strip():
        missing.append(_("Ange varför barnets eget samtycke räcker."))
    return ConsentFindings(all_guardians, age, missing)
