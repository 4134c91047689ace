"""Agreement pages: write, preview, sign, paper signature, versions; the PDF served is the one hashed."""

from __future__ import annotations

import hashlib

from django.urls import reverse

from bredvid.agreements.models import AgreementVersion, Signature
from bredvid.audit.models import Action, AuditEvent
from tests.factories import active_assignment


def terms_data(**changes: str) -> dict[str, str]:
    data = {
        "start_on": "2027-06-10",
        "end_on": "",
        "scope_unit": "days",
        "planned_per_month": "2",
        "fee_level": "grund",
        "fee_amount": "292",
        "fee_per": "day",
        "allowance_level": "grund",
        "allowance_amount": "173",
        "allowance_per": "day",
        "child_allowance_deduction": "",
        "notice_days": "30",
        "special_terms": "",
        "change_note": "",
    }
    data.update(changes)
    return data


def _pdf(response) -> bytes:  # type: ignore[no-untyped-def]
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_officer_writes_signs_and_changes_the_agreement(world) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    officer = world.client("family_care_officer")
    detail = reverse("staff:agreement_detail", args=[assignment.pk])
    assert "Inget avtal" in officer.get(detail).content.decode()

    new = reverse("staff:agreement_new_version", args=[assignment.pk])
    form = officer.get(new)
    assert form.status_code == 200
    assert 'value="grund"' in form.content.decode()  # suggested from the assignment

    preview = officer.post(new, {**terms_data(), "preview": "1"})
    assert preview["Content-Type"] == "application/pdf"
    assert not AgreementVersion.objects.exists()  # a preview stores nothing
    assert AuditEvent.objects.filter(action=Action.PRINT, detail_json__contains="agreement_preview").exists()

    response = officer.post(new, terms_data())
    assert response.status_code == 302
    version = AgreementVersion.objects.get()

    # the stored hash matches the PDF served, and printing is audited
    served = officer.get(reverse("staff:agreement_pdf", args=[assignment.pk, version.pk]))
    assert served.status_code == 200
    assert hashlib.sha256(_pdf(served)).hexdigest() == version.sha256
    printed = AuditEvent.objects.filter(action=Action.PRINT, object_id=str(version.pk))
    assert printed.count() == 1
    assert printed.get().person_id == assignment.intervention.case.client_id

    sign = reverse("staff:agreement_sign", args=[assignment.pk, version.pk])
    assert "Bekräfta" in officer.post(sign, {}).content.decode()  # must confirm
    assert officer.post(sign, {"confirm": "on"}).status_code == 302
    paper = reverse("staff:agreement_paper", args=[assignment.pk, version.pk])
    officer.post(paper, {"party": "supporter", "paper_signed_on": "2027-06-15", "signer_name": "Eva Ek"})
    assert {s.party: s.pdf_sha256 for s in Signature.objects.all()} == {
        "officer": version.sha256,
        "supporter": version.sha256,
    }
    assert "Underskrivet av båda parter" in officer.get(detail).content.decode()

    # a change: no change note is refused next to the field, with what was typed kept
    refused = officer.post(new, terms_data(fee_amount="359"))
    assert refused.status_code == 200
    assert "Skriv vad som har ändrats" in refused.content.decode()
    assert 'value="359"' in refused.content.decode()
    officer.post(new, terms_data(fee_amount="359", change_note="Höjt arvode"))
    page = officer.get(detail).content.decode()
    assert "Väntar på underskrift" in page
    assert "Ersatt" in page  # the old version stays readable
    old = officer.get(reverse("staff:agreement_pdf", args=[assignment.pk, version.pk]))
    assert hashlib.sha256(_pdf(old)).hexdigest() == version.sha256
    stale = officer.post(sign, {"confirm": "on"})  # the old version cannot be signed again
    assert "nyare version" in stale.content.decode()


def test_who_may_see_and_write(world) -> None:  # type: ignore[no-untyped-def]
    from bredvid.agreements import services
    from tests.agreements.test_services import terms_for

    assignment = active_assignment(world)
    version = services.create_version(
        tenant=world.tenant("family_care_officer"), assignment=assignment, terms=terms_for(assignment)
    )
    pdf = reverse("staff:agreement_pdf", args=[assignment.pk, version.pk])
    new = reverse("staff:agreement_new_version", args=[assignment.pk])
    assert world.client("manager").get(pdf).status_code == 200
    assert world.client("caseworker").get(pdf).status_code == 200  # the case is in the caseworker's unit
    assert world.client("caseworker").get(new).status_code == 403
    assert world.client("admin").get(pdf).status_code == 403
    assert world.client("family_care_officer", other=True).get(pdf).status_code == 404
    assert world.client("family_care_officer", other=True).get(new).status_code == 404
    anonymous = world.client("family_care_officer")
    anonymous.logout()
    assert anonymous.get(pdf).status_code == 302
