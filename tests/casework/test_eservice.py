"""The e-service's applications: submission, the second guardian's link, taking one into a case."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from bredvid.audit.models import AuditEvent
from bredvid.casework import eservice
from bredvid.casework.models import Application, Case, Consent, EApplication
from bredvid.core.errors import IllegalTransition
from bredvid.people.models import Person
from tests.public.application_data import (
    ADULT,
    CHILD,
    adult_form,
    guardian_form,
    pnr,
    service_data,
    years_ago,
)

pytestmark = pytest.mark.django_db


def _submit(world, form=None, now=None):  # type: ignore[no-untyped-def]
    return eservice.submit(municipality=world.home, data=service_data(form or guardian_form()), now=now)


def test_joint_custody_waits_for_the_second_guardian(world) -> None:  # type: ignore[no-untyped-def]
    submitted = _submit(world)
    e = submitted.eapplication
    assert e.status == EApplication.Status.AWAITING_CONSENT
    assert e.reference == f"EA-{timezone.localdate().year}-00001"
    assert submitted.consent_token.startswith(e.pk.hex + ".")
    assert submitted.consent_token.split(".", 1)[1] not in e.consent_token_hash  # stored hashed
    assert e.identity_number == CHILD
    event = AuditEvent.objects.get(object_id=str(e.pk))
    assert (event.via, event.action, event.actor_id) == ("public", "create", None)
    assert _submit(world).eapplication.reference.endswith("-00002")


def test_adult_without_joint_custody_is_ready_and_drops_guardian_fields(world) -> None:  # type: ignore[no-untyped-def]
    submitted = _submit(world, adult_form(second_guardian_email="x@example.org", joint_custody="ja"))
    assert submitted.eapplication.status == EApplication.Status.READY
    assert submitted.consent_token == ""
    assert submitted.eapplication.second_guardian_email == ""


def test_sole_custody_is_ready_and_asks_nobody(world) -> None:  # type: ignore[no-untyped-def]
    submitted = _submit(world, guardian_form(joint_custody="nej"))
    assert submitted.eapplication.status == EApplication.Status.READY
    assert (submitted.consent_token, submitted.eapplication.second_guardian_email) == ("", "")


@pytest.mark.parametrize(
    ("kind", "age", "field"),
    [
        ("youth_self", (14, 300), "identity_number"),
        ("adult_self", (17, 300), "identity_number"),
        ("guardians", (18, 1), "identity_number"),
    ],
)
def test_ages_by_the_identity_number(world, kind, age, field) -> None:  # type: ignore[no-untyped-def]
    born = years_ago(*age)
    form = (
        adult_form(applicant_kind=kind, identity_number=pnr(born))
        if kind != "guardians"
        else guardian_form(identity_number=pnr(born))
    )
    with pytest.raises(ValidationError) as exc:
        _submit(world, form)
    assert field in exc.value.message_dict
    assert not EApplication.objects.exists()


def test_youth_from_15_may_apply(world) -> None:  # type: ignore[no-untyped-def]
    e = _submit(
        world, adult_form(applicant_kind="youth_self", identity_number=pnr(years_ago(15)))
    ).eapplication
    assert e.status == EApplication.Status.READY


def test_check_digit_refused_in_swedish(world) -> None:  # type: ignore[no-untyped-def]
    wrong = ADULT[:-1] + str((int(ADULT[-1]) + 1) % 10)
    with pytest.raises(ValidationError) as exc:
        _submit(world, adult_form(identity_number=wrong))
    assert exc.value.message_dict["identity_number"] == ["Kontrollsiffran stämmer inte."]


def test_link_confirms_once(world) -> None:  # type: ignore[no-untyped-def]
    submitted = _submit(world)
    e = eservice.confirm_second_guardian(municipality=world.home, token=submitted.consent_token)
    assert e.status == EApplication.Status.READY
    assert e.second_guardian_consented_at is not None
    assert e.consent_token_hash == ""
    with pytest.raises(IllegalTransition):
        eservice.confirm_second_guardian(municipality=world.home, token=submitted.consent_token)
    assert AuditEvent.objects.filter(object_id=str(e.pk), action="update", via="public").count() == 1


def test_link_expires(world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EAPPLICATION_CONSENT_DAYS = 14
    sent = timezone.now() - datetime.timedelta(days=20)
    submitted = _submit(world, now=sent)
    just_before = sent + datetime.timedelta(days=14) - datetime.timedelta(minutes=1)
    assert eservice.awaiting_consent(world.home, submitted.consent_token, now=just_before) is not None
    with pytest.raises(IllegalTransition):
        eservice.confirm_second_guardian(
            municipality=world.home, token=submitted.consent_token, now=sent + datetime.timedelta(days=14)
        )
    assert EApplication.objects.get().status == EApplication.Status.AWAITING_CONSENT


def test_link_cannot_confirm_another_application(world) -> None:  # type: ignore[no-untyped-def]
    x = _submit(world)
    y = _submit(world)
    forged = f"{y.eapplication.pk.hex}.{x.consent_token.split('.', 1)[1]}"
    for token in (forged, "nonsense", "", f"{y.eapplication.pk.hex}."):
        with pytest.raises(IllegalTransition):
            eservice.confirm_second_guardian(municipality=world.home, token=token)
    with pytest.raises(IllegalTransition):  # another municipality's site
        eservice.confirm_second_guardian(municipality=world.other, token=x.consent_token)
    assert set(EApplication.objects.values_list("status", flat=True)) == {
        EApplication.Status.AWAITING_CONSENT
    }


def test_not_in_the_inbox_as_ready_before_consent(world) -> None:  # type: ignore[no-untyped-def]
    submitted = _submit(world)
    tenant = world.tenant("caseworker")
    inbox = EApplication.objects.visible_to(tenant).in_inbox()
    assert list(inbox.filter(status=EApplication.Status.READY)) == []
    with pytest.raises(IllegalTransition):
        eservice.take_into_case(tenant=tenant, eapplication=submitted.eapplication, unit=world.home_unit)
    assert not Case.objects.exists()


def test_other_municipality_never_sees_it(world) -> None:  # type: ignore[no-untyped-def]
    _submit(world)
    assert not EApplication.objects.visible_to(world.tenant("caseworker", other=True)).exists()
    assert EApplication.objects.visible_to(world.tenant("caseworker")).count() == 1
    assert not EApplication.objects.visible_to(world.tenant("auditor")).exists()


def test_take_into_case_creates_person_case_and_application(world) -> None:  # type: ignore[no-untyped-def]
    submitted = _submit(world)
    eservice.confirm_second_guardian(municipality=world.home, token=submitted.consent_token)
    tenant = world.tenant("caseworker")
    e = EApplication.objects.get()
    application = eservice.take_into_case(tenant=tenant, eapplication=e, unit=world.home_unit)
    assert application.source == Application.Source.PUBLIC
    assert application.applicant == Application.Applicant.GUARDIANS
    assert application.case.client.identity_number == CHILD
    assert application.case.unit == world.home_unit
    e.refresh_from_db()
    assert (e.status, e.application, e.taken_by) == (EApplication.Status.TAKEN, application, tenant.user)
    for obj in (application.case.client, application.case, application):
        assert AuditEvent.objects.filter(object_id=str(obj.pk), action="create").exists()
    assert AuditEvent.objects.filter(object_id=str(e.pk), action="update", actor_id=tenant.user.pk).exists()
    with pytest.raises(IllegalTransition):  # twice
        eservice.take_into_case(tenant=tenant, eapplication=e, unit=world.home_unit)


def test_take_with_a_stale_copy_is_refused(world) -> None:  # type: ignore[no-untyped-def]
    _submit(world, adult_form())
    tenant = world.tenant("caseworker")
    first, stale = EApplication.objects.get(), EApplication.objects.get()
    eservice.take_into_case(tenant=tenant, eapplication=first, unit=world.home_unit)
    with pytest.raises(IllegalTransition):
        eservice.take_into_case(tenant=tenant, eapplication=stale, unit=world.home_unit)
    assert Application.objects.count() == 1


def test_take_uses_the_existing_person_and_open_case(world) -> None:  # type: ignore[no-untyped-def]
    from bredvid.casework.services import open_case
    from tests.factories import PersonFactory

    tenant = world.tenant("caseworker")
    person = PersonFactory(municipality=world.home, identity_number=ADULT)
    PersonFactory(municipality=world.other, identity_number=pnr(years_ago(50)))
    case = open_case(tenant=tenant, client=person, unit=world.home_unit)
    _submit(world, adult_form())
    application = eservice.take_into_case(
        tenant=tenant, eapplication=EApplication.objects.get(), unit=world.home_unit
    )
    assert application.case == case
    assert Person.objects.filter(municipality=world.home).count() == 1


def test_take_needs_a_case_role_in_the_unit(world) -> None:  # type: ignore[no-untyped-def]
    _submit(world, adult_form())
    e = EApplication.objects.get()
    with pytest.raises(PermissionDenied):
        eservice.take_into_case(tenant=world.tenant("auditor"), eapplication=e, unit=world.home_unit)
    with pytest.raises(PermissionDenied):
        eservice.take_into_case(tenant=world.tenant("caseworker"), eapplication=e, unit=world.other_unit)
    with pytest.raises(PermissionDenied):
        eservice.take_into_case(
            tenant=world.tenant("caseworker", other=True), eapplication=e, unit=world.other_unit
        )
    assert EApplication.objects.get().status == EApplication.Status.READY


def test_close_without_case_keeps_the_reason_and_ends_the_consent_link(world) -> None:  # type: ignore[no-untyped-def]
    submitted = _submit(world)  # joint custody: awaiting the second guardian
    e = submitted.eapplication
    tenant = world.tenant("caseworker")
    closed = eservice.close_without_case(
        tenant=tenant,
        eapplication=e,
        status=EApplication.Status.WITHDRAWN,
        note="Mamma ringde och tog tillbaka.",
    )
    assert (closed.status, closed.closed_note, closed.taken_by) == (
        EApplication.Status.WITHDRAWN,
        "Mamma ringde och tog tillbaka.",
        tenant.user,
    )
    assert not EApplication.objects.in_inbox().exists()  # out of the inbox
    with pytest.raises(IllegalTransition):  # the second guardian's link no longer works
        eservice.confirm_second_guardian(municipality=world.home, token=submitted.consent_token)
    event = AuditEvent.objects.filter(object_id=str(e.pk), action="update").get()
    assert event.detail["status"] == "withdrawn" and "Mamma" not in event.detail_json
    with pytest.raises(IllegalTransition):
        eservice.close_without_case(tenant=tenant, eapplication=e, status="rejected", note="Dubblett")


def test_close_without_case_refusals_write_nothing(world) -> None:  # type: ignore[no-untyped-def]
    e = _submit(world, adult_form()).eapplication
    stale = EApplication.objects.get(pk=e.pk)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as no_reason:
        eservice.close_without_case(
            tenant=world.tenant("caseworker"), eapplication=e, status="rejected", note=" "
        )
    assert "note" in no_reason.value.message_dict
    with pytest.raises(ValidationError):
        eservice.close_without_case(
            tenant=world.tenant("caseworker"), eapplication=e, status="taken", note="x"
        )
    with pytest.raises(PermissionDenied):
        eservice.close_without_case(
            tenant=world.tenant("auditor"), eapplication=e, status="rejected", note="x"
        )
    with pytest.raises(PermissionDenied):  # another municipality's caseworker
        eservice.close_without_case(
            tenant=world.tenant("caseworker", other=True), eapplication=e, status="rejected", note="x"
        )
    assert AuditEvent.objects.count() == events
    eservice.take_into_case(tenant=world.tenant("caseworker"), eapplication=e, unit=world.home_unit)
    with pytest.raises(IllegalTransition):  # taken meanwhile: the stale copy is refused
        eservice.close_without_case(
            tenant=world.tenant("caseworker"), eapplication=stale, status="rejected", note="Dubblett"
        )
    assert EApplication.objects.get(pk=e.pk).status == EApplication.Status.TAKEN


def test_the_second_guardians_link_becomes_a_consent_on_the_application(world) -> None:  # type: ignore[no-untyped-def]
    submitted = _submit(world)
    confirmed = eservice.confirm_second_guardian(municipality=world.home, token=submitted.consent_token)
    tenant = world.tenant("caseworker")
    application = eservice.take_into_case(tenant=tenant, eapplication=confirmed, unit=world.home_unit)
    [consent] = Consent.objects.filter(application=application)
    assert (consent.giver, consent.guardian, consent.giver_name) == ("guardian", None, "Per Föräldersson")
    assert consent.via == Consent.Via.ESERVICE_LINK
    assert consent.given_at == confirmed.second_guardian_consented_at
    assert consent.given_on == timezone.localdate(confirmed.second_guardian_consented_at)
    assert "per@example.org" in consent.note and confirmed.reference in consent.note
    assert (consent.case, consent.municipality) == (application.case, world.home)
    event = AuditEvent.objects.get(object_id=str(consent.pk), action="create")
    assert (event.actor_id, event.detail["via"]) == (tenant.user.pk, "eservice_link")
    taken = AuditEvent.objects.get(object_id=str(confirmed.pk), action="update", actor_id=tenant.user.pk)
    assert taken.detail["consent"] == str(consent.pk)
    html = world.client("caseworker").get(f"/arenden/{application.case_id}/").content.decode()
    assert "Per Föräldersson" in html and "via e-tjänstens länk" in html


def test_no_consent_without_a_second_guardian(world) -> None:  # type: ignore[no-untyped-def]
    for form in (guardian_form(joint_custody="nej"), adult_form()):
        e = _submit(world, form).eapplication
        eservice.take_into_case(tenant=world.tenant("caseworker"), eapplication=e, unit=world.home_unit)
    assert not Consent.objects.exists()
