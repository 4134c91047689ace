"""The administrator's page for the municipality's agreement template."""

from __future__ import annotations

from django.urls import reverse

from bredvid.agreements.models import AgreementTemplate


def test_the_admin_edits_previews_and_saves_the_template(world) -> None:  # type: ignore[no-untyped-def]
    url = reverse("municipal_admin:agreement_template")
    admin = world.client("admin")
    page = admin.get(url)
    assert page.status_code == 200
    assert "Tystnadsplikt" in page.content.decode()  # the default template is filled in
    assert "uppdragstagare_adress" in page.content.decode()  # the variables are listed
    refused = admin.post(url, {"body": "<p>{{ hemligt }}</p>"})
    assert "Okända variabler" in refused.content.decode()
    assert not AgreementTemplate.objects.exists()
    preview = admin.post(url, {"body": "<p>Avtal för {{ uppdragstagare }}</p>", "preview": "1"})
    assert preview["Content-Type"] == "application/pdf"
    assert not AgreementTemplate.objects.exists()
    assert admin.post(url, {"body": "<p>Avtal för {{ uppdragstagare }}</p>"}).status_code == 302
    assert AgreementTemplate.objects.get().body == "<p>Avtal för {{ uppdragstagare }}</p>"
    assert world.client("family_care_officer").get(url).status_code == 403
    assert AgreementTemplate.objects.visible_to(world.tenant("admin", other=True)).count() == 0
