"""The one way to write a staff page that changes something, and the helpers every staff view shares.

An action is one small typed view function: it loads what it works on through the scoping point
(`Model.objects.visible_to(tenant)`, so another municipality's or unit's object is a 404), checks the
permission, builds its form and hands over to `action_page`:

    @permission_required(can_manage_supporters)
    @require_http_methods(["GET", "POST"])
    def supporter_end(request: HttpRequest, supporter_id: uuid.UUID) -> HttpResponse:
        tenant = tenant_of(request)
        supporter = get_object_or_404(Supporter.objects.visible_to(tenant), pk=supporter_id)
        back = reverse("staff:supporter_detail", args=[supporter.pk])
        return action_page(
            request,
            f.EndSupporterForm(posted(request), initial=today("ended_on")),
            run=lambda data: services.end(tenant=tenant, supporter=supporter, **data),
            success=_("Uppdragstagaren är avslutad."),
            done=lambda _result: back,
            title=_("Avsluta uppdragstagare"),
            back=back,
        )

An area may wrap `action_page` once for what all its actions share (casework_actions.case_page: the
case's caption and the way back to the case); the wrapper still ends in `action_page`.

`action_page` is form → service → message → redirect: GET (or an invalid form) renders the form; a
valid POST calls the service, which checks permission again, locks, guards the state and audits; a
`ValidationError` from the service goes next to its fields, a `DomainError` (an illegal transition)
above the form; success shows a message and redirects (post/redirect/get). A view never writes to the
database itself (tests/test_layers.py scans for it). See docs/adr/0013-staff-action-pattern.md.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers

from bredvid.core.errors import DomainError
from bredvid.tenancy.context import Tenant

#: The query parameter of the page number on every staff list.
PAGE_PARAMETER = "sida"


def tenant_of(request: HttpRequest) -> Tenant:
    """The municipality, units and roles the request acts in (set by the tenancy middleware)."""
    return request.tenant  # type: ignore[attr-defined,no-any-return]


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's `ValidationError` next to the fields it names (the rest above the form)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, errors in error.message_dict.items():
        target = name if name in form.fields else None
        for message in errors:
            form.add_error(target, message)


def paginate(request: HttpRequest, queryset: QuerySet[Any] | list[Any], per_page: int | None = None) -> Page:
    """One page of an ordered list; a page number out of range or not a number gives the nearest page."""
    size = per_page or settings.STAFF_PAGE_SIZE
    return Paginator(queryset, size).get_page(request.GET.get(PAGE_PARAMETER))


def today(*names: str) -> dict[str, Any]:
    """Initial values: today's date in each named field."""
    day = timezone.localdate()
    return {name: day for name in names}


def now_minute() -> Any:
    """The local time to the minute, the initial value of a time-of-day field."""
    return timezone.localtime().replace(second=0, microsecond=0)


def posted(request: HttpRequest) -> Any:
    """The form data of a POST, or None (an unbound form) for a GET."""
    return request.POST if request.method == "POST" else None


def list_page(request: HttpRequest, template: str, results: str, context: dict[str, Any]) -> HttpResponse:
    """A list page whose filters update the results in place (htmx) and work without JavaScript.

    A plain request gets the whole page (`template`, which includes `results`); an htmx request
    from the filter form gets only the results fragment. A history restore asks for the whole page.
    The same address answers both, so caches are told it varies by the `HX-Request` header.
    """
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]
    response = render(request, results if partial else template, {**context, "partial": partial})
    patch_vary_headers(response, ["HX-Request"])
    return response


def action_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    run: Callable[[dict[str, Any]], Any],
    success: str | Callable[[Any], str],
    done: Callable[[Any], str],
    title: str,
    back: str,
    template: str = "staff/action.html",
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """Form → service → message → redirect; on GET or errors the form again, with what was typed.

    `run` gets the cleaned data and calls the service; `success` is the message (or makes it from
    what `run` returned); `done` gives the address to go to from what `run` returned; `context`
    adds to the page (`caption`, `intro`, and `summary`: a template included above the form).
    """
    if request.method == "POST" and form.is_valid():
        try:
            result = run(dict(form.cleaned_data))
        except ValidationError as exc:
            apply_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, str(success(result) if callable(success) else success))
            return redirect(done(result))
    page = {"form": form, "title": title, "back": back, **(context or {})}
    return render(request, template, page)
