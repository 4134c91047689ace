"""Agreement versions and signatures; the municipality's template.

`create_version` generates the PDF from the template and the confirmed terms, stores its bytes and
SHA-256 on a new version: the previous versions and their signatures stay, but only signatures of the
current version count (`status`). `sign` signs the current version for a party: the stored PDF is
read back and hashed, and must still match the version's hash; the signature keeps that hash. The
officer signs in Bredvid (`method="in_app"`) or records a paper signature with its date
(`method="paper"`); the supporters' e-service (issue 15) calls `sign` with `method="eservice"` and a
tenant acting for the supporter.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bredvid.agreements import documents
from bredvid.agreements.models import Agreement, AgreementTemplate, AgreementVersion, Signature
from bredvid.agreements.perms import can_edit_agreement_template, can_write_agreements
from bredvid.agreements.template import check_template
from bredvid.agreements.terms import Terms
from bredvid.assignments.models import Assignment
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.core import uploads
from bredvid.core.date_bounds import require
from bredvid.core.errors import IllegalTransition
from bredvid.core.locking import locked

if TYPE_CHECKING:
    import datetime

    from bredvid.tenancy.context import Tenant


@dataclass(frozen=True)
class Status:
    """Where the current version stands: which parties have signed it."""

    current: AgreementVersion | None
    signed: dict[str, Signature]

    @property
    def fully_signed(self) -> bool:
        return self.current is not None and set(self.signed) == set(Signature.Party.values)

    @property
    def waiting_for(self) -> list[str]:
        return [p for p in Signature.Party.values if p not in self.signed]


def status(agreement: Agreement | None) -> Status:
    """The current version and the signatures that count for it (same version, same PDF hash)."""
    if agreement is None:
        return Status(None, {})
    current = agreement.versions.order_by("-number").first()
    if current is None:
        return Status(None, {})
    signed = {s.party: s for s in current.signatures.all() if s.pdf_sha256 == current.sha256}
    return Status(current, signed)


def _validate(terms: Terms) -> None:
    require(Assignment, start_on=terms.start_on)
    if terms.end_on is not None:
        require(Assignment, end_on=terms.end_on)
        if terms.end_on < terms.start_on:
            raise ValidationError({"end_on": _("Slutdatum kan inte vara före startdatum.")})
    for name in ("fee_amount", "allowance_amount", "child_allowance_deduction", "planned_per_month"):
        value = getattr(terms, name)
        if value is not None and value < 0:
            raise ValidationError({name: _("Beloppet kan inte vara negativt.")})
    if not 0 <= terms.notice_days <= 365:
        raise ValidationError({"notice_days": _("Ange en uppsägningstid från 0 till 365 dagar.")})


def create_version(
    *, tenant: Tenant, assignment: Assignment, terms: Terms, change_note: str = ""
) -> AgreementVersion:
    """A new version of the assignment's agreement (the first creates the agreement)."""
    if not can_write_agreements(tenant):
        raise PermissionDenied
    _validate(terms)
    stored: list[str] = []
    with uploads.removed_on_error(stored), transaction.atomic():
        locked(assignment)  # one agreement per assignment, one version number at a time
        if assignment.status != Assignment.Status.ACTIVE:
            raise IllegalTransition(_("Uppdraget är avslutat."))
        agreement = Agreement.objects.filter(assignment=assignment).first()
        if agreement is None:
            agreement = Agreement.objects.create(
                municipality=assignment.municipality, assignment=assignment, created_by=tenant.user
            )
            record(action=Action.CREATE, tenant=tenant, obj=agreement, person_id=_person(assignment))
        last: int = (
            AgreementVersion.objects.filter(agreement=agreement)
            .order_by("-number")
            .values_list("number", flat=True)
            .first()
        ) or 0
        if last and not change_note.strip():
            raise ValidationError({"change_note": _("Skriv vad som har ändrats sedan förra versionen.")})
        number = last + 1
        values = documents.variables(
            assignment, terms, number=number, officer=tenant.user.display_name, on=timezone.localdate()
        )
        pdf = documents.agreement_pdf(documents.template_body(assignment.municipality), values)
        name = uploads.store(pdf, f"agreements/{assignment.municipality_id}", "pdf")
        stored.append(name)
        version = AgreementVersion.objects.create(
            municipality=assignment.municipality,
            agreement=agreement,
            number=number,
            terms=terms.as_json(),
            pdf=name,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            change_note=change_note.strip(),
            created_by=tenant.user,
        )
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=version,
            person_id=_person(assignment),
            detail={"number": number, "sha256": version.sha256, "terms": version.terms},
        )
    return version


def preview_pdf(*, tenant: Tenant, assignment: Assignment, terms: Terms) -> bytes:
    """The PDF a new version with `terms` would get; nothing is stored (the caller audits the print)."""
    if not can_write_agreements(tenant):
        raise PermissionDenied
    _validate(terms)
    number = (
        AgreementVersion.objects.filter(agreement__assignment=assignment)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    ) + 1
    values = documents.variables(
        assignment, terms, number=number, officer=tenant.user.display_name, on=timezone.localdate()
    )
    return documents.agreement_pdf(documents.template_body(assignment.municipality), values)


def _person(assignment: Assignment) -> Any:
    return assignment.intervention.case.client_id


def _may_sign(tenant: Tenant, version: AgreementVersion, party: str, method: str) -> bool:
    if method == Signature.Method.ESERVICE:  # the supporter, in the e-service (issue 15)
        supporter_id = getattr(tenant, "supporter_id", None)
        return (
            party == Signature.Party.SUPPORTER and supporter_id == version.agreement.assignment.supporter_id
        )
    if method == Signature.Method.IN_APP:  # only the officer signs in Bredvid, for the municipality
        return party == Signature.Party.OFFICER and can_write_agreements(tenant)
    return can_write_agreements(tenant)  # paper: the officer records either party's signature


def sign(
    *,
    tenant: Tenant,
    version: AgreementVersion,
    party: str,
    method: str,
    paper_signed_on: datetime.date | None = None,
    signer_name: str = "",
) -> Signature:
    """Sign the current version for `party`, by the hash of its stored PDF."""
    if party not in Signature.Party.values or method not in Signature.Method.values:
        raise ValidationError({"party": _("Välj part och sätt.")})
    if not _may_sign(tenant, version, party, method):
        raise PermissionDenied
    if method == Signature.Method.PAPER:
        if paper_signed_on is None:
            raise ValidationError({"paper_signed_on": _("Ange datumet då avtalet skrevs under.")})
        require(Signature, paper_signed_on=paper_signed_on)
        created_on = timezone.localdate(version.created_at)
        if paper_signed_on < created_on:
            raise ValidationError(
                {"paper_signed_on": _("Versionen skapades först %(day)s.") % {"day": created_on.isoformat()}}
            )
    agreement = version.agreement
    with transaction.atomic():
        locked(agreement)
        latest = agreement.versions.order_by("-number").values_list("pk", flat=True).first()
        if latest != version.pk:
            raise IllegalTransition(_("Det finns en nyare version av avtalet; den ska skrivas under."))
        if version.signatures.filter(party=party).exists():
            raise IllegalTransition(_("Den här parten har redan skrivit under versionen."))
        digest = hashlib.sha256(uploads.read_stored(str(version.pdf.name))).hexdigest()
        if digest != version.sha256:
            raise IllegalTransition(_("Avtalsfilen stämmer inte med versionens kontrollsumma."))
        if party == Signature.Party.SUPPORTER:
            name = signer_name.strip() or agreement.assignment.supporter.name
        else:
            name = signer_name.strip() or tenant.user.display_name
        signature = Signature.objects.create(
            municipality=version.municipality,
            version=version,
            party=party,
            method=method,
            signed_by=tenant.user if method != Signature.Method.PAPER else None,
            signer_name=name[:200],
            signed_at=timezone.now(),
            paper_signed_on=paper_signed_on if method == Signature.Method.PAPER else None,
            pdf_sha256=digest,
            recorded_by=tenant.user,
        )
        record(
            action=Action.CREATE,
            tenant=tenant,
            obj=signature,
            person_id=_person(agreement.assignment),
            detail={"version": version.number, "party": party, "method": method, "sha256": digest},
        )
    return signature


def save_template(*, tenant: Tenant, body: str) -> AgreementTemplate:
    """The municipality's own agreement template (checked: documented variables only)."""
    if not can_edit_agreement_template(tenant):
        raise PermissionDenied
    check_template(body)
    with transaction.atomic():
        locked(tenant.municipality)
        template = AgreementTemplate.objects.in_municipality(tenant.municipality).first()
        if template is None:
            template = AgreementTemplate.objects.create(
                municipality=tenant.municipality, body=body, updated_by=tenant.user
            )
        else:
            template.body = body
            template.updated_by = tenant.user
            template.save(update_fields=["body", "updated_by", "updated_at"])
        record(
            action=Action.UPDATE,
            tenant=tenant,
            obj=template,
            detail={"sha256": hashlib.sha256(body.encode()).hexdigest()},
        )
    return template
