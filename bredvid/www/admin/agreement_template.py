"""The municipality's agreement template, kept by its administrator (no case content on the page).

"Förhandsgranska PDF" renders the typed template with example values (agreements.template.SAMPLE)
as the PDF an agreement would get, without saving; the HTML itself is never shown as a page.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bredvid.agreements import services
from bredvid.agreements.documents import agreement_pdf, template_body
from bredvid.agreements.models import AgreementTemplate
from bredvid.agreements.perms import can_edit_agreement_template
from bredvid.agreements.template import DEFAULT_TEMPLATE, SAMPLE, VARIABLES, check_template
from bredvid.www.staff.actions import action_page, apply_errors, posted, tenant_of
from bredvid.www.staff.decorators import permission_required


class AgreementTemplateForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Avtalstext (HTML med variabler)"),
        max_length=100_000,
        widget=forms.Textarea(attrs={"rows": 30, "class": "govuk-textarea bv-mono", "spellcheck": "false"}),
    )


@permission_required(can_edit_agreement_template)
@require_http_methods(["GET", "POST"])
def agreement_template(request: HttpRequest) -> HttpResponse:
    tenant = tenant_of(request)
    own = AgreementTemplate.objects.visible_to(tenant).first()
    form = AgreementTemplateForm(posted(request), initial={"body": template_body(tenant.municipality)})
    back = reverse("municipal_admin:overview")
    title = _("Mall för uppdragsavtal")
    context = {"variables": VARIABLES, "own": own, "default": DEFAULT_TEMPLATE}
    template = "municipal_admin/agreement_template.html"
    if request.method == "POST" and "preview" in request.POST:
        if form.is_valid():
            try:
                check_template(form.cleaned_data["body"])
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                response = HttpResponse(
                    agreement_pdf(form.cleaned_data["body"], SAMPLE), content_type="application/pdf"
                )
                response["Content-Disposition"] = 'inline; filename="avtalsmall-forhandsgranskning.pdf"'
                return response
        return render(request, template, {"form": form, "title": title, "back": back, **context})
    return action_page(
        request,
        form,
        run=lambda d: services.save_template(tenant=tenant, body=d["body"]),
        success=_("Mallen för uppdragsavtal är sparad. Nya avtalsversioner använder den."),
        done=lambda _t: reverse("municipal_admin:agreement_template"),
        title=title,
        back=back,
        template=template,
        context=context,
    )
