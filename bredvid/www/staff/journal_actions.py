"""One page per action on a case's journal (the pattern: casework_actions.py). A signed entry is
never changed: it is corrected by a new entry."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from bredvid.casework import services
from bredvid.casework.models import JournalEntry
from bredvid.casework.perms import can_read_cases, can_sign_entry, can_work_on_case
from bredvid.www.staff import casework_forms as f
from bredvid.www.staff.actions import posted, today
from bredvid.www.staff.casework_actions import (
    GET_POST,
    case_page,
    on_case,
    refuse_unless,
    workable_case,
)
from bredvid.www.staff.decorators import permission_required


# ---------------------------------------------------------------------------
# Journal
# ---------------------------------------------------------------------------
@permission_required(can_read_cases)
@GET_POST
def journal_new(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    tenant, case = workable_case(request, case_id)
    form = f.JournalForm(posted(request), initial=today("occurred_on"))
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.write_journal_entry(tenant=tenant, case=case, data=d),
        success=_("Anteckningen är sparad som utkast."),
        title=_("Ny journalanteckning"),
    )


@permission_required(can_read_cases)
@GET_POST
def journal_edit(request: HttpRequest, case_id: uuid.UUID, entry_id: uuid.UUID) -> HttpResponse:
    tenant, case, entry = on_case(request, case_id, JournalEntry, entry_id)
    refuse_unless(tenant, case, can_sign_entry(tenant, entry))
    initial = {"occurred_on": entry.occurred_on, "title": entry.title, "text": entry.text}
    form = f.JournalForm(posted(request), initial=initial)
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.edit_journal_draft(tenant=tenant, entry=entry, data=d),
        success=_("Utkastet är sparat."),
        title=_("Ändra utkast"),
        obj=entry,
        shows_content=True,
    )


@permission_required(can_read_cases)
@GET_POST
def journal_sign(request: HttpRequest, case_id: uuid.UUID, entry_id: uuid.UUID) -> HttpResponse:
    tenant, case, entry = on_case(request, case_id, JournalEntry, entry_id)
    refuse_unless(tenant, case, can_sign_entry(tenant, entry))
    return case_page(
        request,
        case,
        f.ConfirmForm(posted(request)),
        run=lambda d: services.sign_journal_entry(tenant=tenant, entry=entry),
        success=_("Anteckningen är signerad och kan inte längre ändras."),
        title=_("Signera anteckning"),
        obj=entry,
        shows_content=True,
    )


@permission_required(can_read_cases)
@GET_POST
def journal_correct(request: HttpRequest, case_id: uuid.UUID, entry_id: uuid.UUID) -> HttpResponse:
    tenant, case, entry = on_case(request, case_id, JournalEntry, entry_id)
    refuse_unless(tenant, case, can_work_on_case(tenant, case))
    title = _("Rättelse: %(title)s") % {"title": entry.title}
    form = f.JournalForm(posted(request), initial={"occurred_on": entry.occurred_on, "title": title})
    return case_page(
        request,
        case,
        form,
        run=lambda d: services.write_journal_entry(tenant=tenant, case=case, data=d, corrects=entry),
        success=_("Rättelsen är sparad som utkast."),
        title=_("Rättelse av anteckning"),
        obj=entry,
        shows_content=True,
    )
