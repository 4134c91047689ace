"""Agreements (uppdragsavtal) on an assignment, in versions, each signed by the hash of its PDF.

An `Agreement` belongs to one assignment. Every change of its terms is a new `AgreementVersion`:
the terms as the officer confirmed them (`terms`, remuneration figures included), the exact PDF
bytes generated from the municipality's `AgreementTemplate` (stored through the storage API) and
their SHA-256. A `Signature` is given to one version by one party (the officer, the supporter), in
Bredvid or recorded as signed on paper with its date, and stores the SHA-256 of the PDF signed. The
current version is the newest; signatures of older versions do not count for it (they stay, as do
the old versions, readable).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bredvid.casework.models import case_access
from bredvid.core.date_bounds import RECEIPT, bounded
from bredvid.core.models import BaseModel
from bredvid.tenancy.scoping import ScopedQuerySet

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant


class _ByAssignment(ScopedQuerySet[Any]):
    """Visible to those who see the assignment (assignments.perms); `path` leads to the case."""

    path = "assignment__intervention__case__"

    def may_read(self, tenant: Tenant) -> bool:
        from bredvid.assignments.perms import can_read_assignments

        return can_read_assignments(tenant)

    def restrict(self, tenant: Tenant) -> Self:
        from bredvid.assignments.perms import can_read_all_assignments

        if can_read_all_assignments(tenant):
            return self
        return self.filter(case_access(tenant, self.path))


class AgreementTemplateScoped(ScopedQuerySet["AgreementTemplate"]):
    """The municipality's template: no personal data."""


class AgreementTemplate(models.Model):
    """The municipality's agreement text: HTML with the documented variables (agreements.template)."""

    holds_personal_data = False

    id = models.BigAutoField(primary_key=True)
    municipality = models.OneToOneField(
        "tenancy.Municipality", on_delete=models.PROTECT, related_name="agreement_template"
    )
    body = models.TextField(_("avtalstext (HTML)"), max_length=100_000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgreementTemplateScoped.as_manager()

    class Meta:
        verbose_name = _("avtalsmall")
        verbose_name_plural = _("avtalsmallar")

    def __str__(self) -> str:
        return f"{self.municipality_id}"


class AgreementScoped(_ByAssignment):
    pass


class Agreement(BaseModel):
    holds_personal_data = True

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    assignment = models.OneToOneField(
        "assignments.Assignment", on_delete=models.PROTECT, related_name="agreement"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = AgreementScoped.as_manager()

    class Meta:
        verbose_name = _("uppdragsavtal")
        verbose_name_plural = _("uppdragsavtal")

    def __str__(self) -> str:
        return f"{self.assignment_id}"


class VersionScoped(_ByAssignment):
    path = "agreement__assignment__intervention__case__"


class AgreementVersion(BaseModel):
    holds_personal_data = True

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    #: The terms as confirmed (agreements.terms.Terms.as_json): period, scope, remuneration figures.
    terms = models.JSONField(_("villkor"))
    pdf = models.FileField(upload_to="agreements/", max_length=300)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    change_note = models.CharField(_("vad har ändrats"), max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = VersionScoped.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("avtalsversion")
        verbose_name_plural = _("avtalsversioner")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="agreement_version_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id} v{self.number}"


class SignatureScoped(_ByAssignment):
    path = "version__agreement__assignment__intervention__case__"


class Signature(BaseModel):
    holds_personal_data = True

    class Party(models.TextChoices):
        OFFICER = "officer", _("Kommunen (familjehemssekreterare)")
        SUPPORTER = "supporter", _("Uppdragstagaren")

    class Method(models.TextChoices):
        IN_APP = "in_app", _("Signerat i Bredvid")
        ESERVICE = "eservice", _("Signerat i e-tjänsten")
        PAPER = "paper", _("Signerat på papper")

    municipality = models.ForeignKey("tenancy.Municipality", on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(_("part"), max_length=10, choices=Party.choices)
    method = models.CharField(_("sätt"), max_length=10, choices=Method.choices)
    #: Who signed: the user who signed in Bredvid or the e-service; for paper, the name on the paper.
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signer_name = models.CharField(_("namn"), max_length=200)
    signed_at = models.DateTimeField(validators=bounded(RECEIPT))
    paper_signed_on = models.DateField(_("signerat den"), null=True, blank=True, validators=bounded(RECEIPT))
    #: The SHA-256 of the exact PDF signed (the version's file, read back and hashed when signing).
    pdf_sha256 = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = SignatureScoped.as_manager()

    class Meta:
        ordering = ["signed_at"]
        verbose_name = _("underskrift")
        verbose_name_plural = _("underskrifter")
        constraints = [
            models.UniqueConstraint(fields=["version", "party"], name="one_signature_per_party_and_version"),
            models.CheckConstraint(
                condition=~models.Q(method="paper") | models.Q(paper_signed_on__isnull=False),
                name="paper_signature_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} {self.party}"
