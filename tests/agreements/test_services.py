"""Agreement versions, their PDFs and hashes, signatures, and the sandboxed template."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage

from bredvid.agreements import services
from bredvid.agreements.models import AgreementVersion, Signature
from bredvid.agreements.template import DEFAULT_TEMPLATE, check_template, render_template
from bredvid.agreements.terms import Terms, suggested_terms
from bredvid.audit.models import AuditEvent
from bredvid.core.errors import IllegalTransition
from tests.factories import active_assignment


def terms_for(assignment, **changes) -> Terms:  # type: ignore[no-untyped-def]
    values = {**suggested_terms(assignment), "fee_amount": Decimal("292"), "allowance_amount": Decimal("173")}
    values.update(changes)
    return Terms(**values)


def test_suggested_terms_come_from_the_assignment(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world, fee_level="förhöjd", allowance_level="tillägg")
    suggested = suggested_terms(assignment)
    assert suggested["fee_level"] == "förhöjd"
    assert suggested["allowance_level"] == "tillägg"
    assert suggested["fee_per"] == "day"  # kontaktfamilj: per dygn
    assert suggested["start_on"] == assignment.start_on


def test_suggested_terms_take_the_figures_from_the_rate_table(world) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from bredvid.payments import calc
    from bredvid.payments.services import seed_known_years

    seed_known_years(municipality=world.home)
    assignment = active_assignment(world, start_on=dt.date(2026, 3, 1), allowance_level="basic")
    age = calc.age_on(assignment.intervention.case.client.birth_date, assignment.start_on)
    fee = Decimal(225) if age <= 12 else Decimal(292) if age <= 17 else Decimal(359)
    percent = Decimal(105) if age <= 12 else Decimal(120)
    suggested = suggested_terms(assignment)
    assert suggested["fee_amount"] == fee  # SKR's kronor per dygn for the age band
    # omkostnad: percent x pbb 2026 (59 200) / 365, whole kronor half up
    assert suggested["allowance_amount"] == (percent / 100 * 59200 / 365).quantize(
        Decimal(1), "ROUND_HALF_UP"
    )


def test_suggested_terms_leave_the_figures_to_the_officer_without_a_table(world) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    assignment = active_assignment(world, start_on=dt.date(2026, 3, 1), allowance_level="basic")
    suggested = suggested_terms(assignment)
    assert suggested["fee_amount"] is None and suggested["allowance_amount"] is None


def test_a_version_stores_the_terms_the_pdf_and_its_hash(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    version = services.create_version(
        tenant=world.tenant("family_care_officer"), assignment=assignment, terms=terms_for(assignment)
    )
    data = default_storage.open(version.pdf.name).read()
    assert data.startswith(b"%PDF")
    assert hashlib.sha256(data).hexdigest() == version.sha256
    assert version.terms["fee_amount"] == "292"
    assert version.number == 1
    assert Terms.from_json(version.terms) == terms_for(assignment)


def test_a_changed_agreement_invalidates_the_old_signatures(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.tenant("family_care_officer")
    first = services.create_version(tenant=officer, assignment=assignment, terms=terms_for(assignment))
    services.sign(tenant=officer, version=first, party="officer", method="in_app")
    services.sign(
        tenant=officer, version=first, party="supporter", method="paper", paper_signed_on=dt.date(2027, 6, 15)
    )
    assert services.status(assignment.agreement).fully_signed

    with pytest.raises(ValidationError):  # a second version says what changed
        services.create_version(tenant=officer, assignment=assignment, terms=terms_for(assignment))
    second = services.create_version(
        tenant=officer,
        assignment=assignment,
        terms=terms_for(assignment, fee_amount=Decimal("359")),
        change_note="Höjt arvode",
    )
    state = services.status(assignment.agreement)
    assert state.current == second
    assert state.signed == {}
    assert not state.fully_signed
    assert state.waiting_for == ["officer", "supporter"]
    # the old version and its signatures stay readable, but cannot be signed any more
    assert first.signatures.count() == 2
    assert AgreementVersion.objects.filter(pk=first.pk).exists()
    first.refresh_from_db()
    with pytest.raises(IllegalTransition):
        services.sign(tenant=officer, version=first, party="officer", method="in_app")
    services.sign(tenant=officer, version=second, party="officer", method="in_app")
    assert list(services.status(assignment.agreement).signed) == ["officer"]


def test_a_signature_keeps_the_hash_of_the_file_signed(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.tenant("family_care_officer")
    version = services.create_version(tenant=officer, assignment=assignment, terms=terms_for(assignment))
    signature = services.sign(tenant=officer, version=version, party="officer", method="in_app")
    assert signature.pdf_sha256 == version.sha256
    assert signature.signed_by == officer.user
    with pytest.raises(IllegalTransition):  # one signature per party and version
        services.sign(tenant=officer, version=version, party="officer", method="in_app")


def test_a_tampered_file_cannot_be_signed(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.tenant("family_care_officer")
    version = services.create_version(tenant=officer, assignment=assignment, terms=terms_for(assignment))
    path = default_storage.path(version.pdf.name)
    with open(path, "ab") as handle:
        handle.write(b"% changed")
    with pytest.raises(IllegalTransition):
        services.sign(tenant=officer, version=version, party="officer", method="in_app")
    assert not Signature.objects.exists()


def test_who_may_sign_how(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.tenant("family_care_officer")
    version = services.create_version(tenant=officer, assignment=assignment, terms=terms_for(assignment))
    with pytest.raises(PermissionDenied):  # the supporter signs in the e-service or on paper
        services.sign(tenant=officer, version=version, party="supporter", method="in_app")
    with pytest.raises(PermissionDenied):
        services.sign(tenant=officer, version=version, party="supporter", method="eservice")
    with pytest.raises(PermissionDenied):
        services.sign(tenant=world.tenant("caseworker"), version=version, party="officer", method="in_app")
    with pytest.raises(ValidationError):  # paper needs its date
        services.sign(tenant=officer, version=version, party="supporter", method="paper")
    with pytest.raises(ValidationError):  # not in the future
        services.sign(
            tenant=officer,
            version=version,
            party="supporter",
            method="paper",
            paper_signed_on=dt.date(2027, 7, 1),
        )


def test_versions_and_signatures_are_audited(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.tenant("family_care_officer")
    version = services.create_version(tenant=officer, assignment=assignment, terms=terms_for(assignment))
    services.sign(tenant=officer, version=version, party="officer", method="in_app")
    types = set(AuditEvent.objects.values_list("object_type", flat=True))
    assert {"agreements.agreement", "agreements.agreementversion", "agreements.signature"} <= types
    assert AuditEvent.objects.filter(person_id=assignment.intervention.case.client_id).count() >= 3


def test_the_default_template_names_the_duties() -> None:
    check_template(DEFAULT_TEMPLATE)
    text = render_template(DEFAULT_TEMPLATE, {"uppdragstagare": "Familjen Ek", "uppsagningstid": "30"})
    for duty in ("Tystnadsplikt", "Anmälningsskyldighet", "Återrapportering", "inte fungerar", "Uppsägning"):
        assert duty in text
    assert "Familjen Ek" in text


@pytest.mark.parametrize(
    "body",
    [
        "{% load static %}",
        "{% include 'base.html' %}",
        "{% extends 'base.html' %}",
        "{% debug %}",
        "{{ settings.SECRET_KEY }}",
        "{% if request.user %}x{% endif %}",
        "{% endif %}",
    ],
)
def test_the_template_is_sandboxed(body: str) -> None:
    with pytest.raises(ValidationError):
        check_template(body)


def test_the_template_escapes_values() -> None:
    assert render_template("{{ uppdragstagare }}", {"uppdragstagare": "<script>"}) == "&lt;script&gt;"


def test_the_municipality_template_is_used(world) -> None:  # type: ignore[no-untyped-def]
    services.save_template(tenant=world.tenant("admin"), body="<p>Eget avtal för {{ uppdragstagare }}</p>")
    with pytest.raises(PermissionDenied):
        services.save_template(tenant=world.tenant("family_care_officer"), body="<p>x</p>")
    with pytest.raises(ValidationError):
        services.save_template(tenant=world.tenant("admin"), body="{{ hemligt }}")
    assignment = active_assignment(world)
    officer = world.tenant("family_care_officer")
    pdf = services.preview_pdf(tenant=officer, assignment=assignment, terms=terms_for(assignment))
    assert pdf.startswith(b"%PDF")
