"""Template helpers that render Django form fields with the design system's markup."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.forms import BoundField
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()

_INPUT_CLASS = {
    "textarea": "govuk-textarea",
    "select": "govuk-select",
    "checkbox": "govuk-checkboxes__input",
    "radioselect": "govuk-radios__input",
    "checkboxselectmultiple": "govuk-checkboxes__input",
}


@register.simple_tag
def field(bound: BoundField, width: str = "", **kwargs: Any) -> str:
    """Label, hint, error and widget for one field, with aria-describedby wiring."""
    widget_type = bound.widget_type
    described = []
    if bound.help_text:
        described.append(f"{bound.auto_id}-hint")
    if bound.errors:
        described.append(f"{bound.auto_id}-error")
    css = _INPUT_CLASS.get(widget_type, "govuk-input")
    if bound.errors and css in {"govuk-input", "govuk-textarea", "govuk-select"}:
        css += f" {css}--error"
    if width and css.startswith("govuk-input"):
        css += f" govuk-input--width-{width}"
    attrs: dict[str, Any] = {"class": css}
    if described and widget_type not in {"radioselect", "checkboxselectmultiple"}:
        attrs["aria-describedby"] = " ".join(described)
    context = {
        "field": bound,
        "widget_type": widget_type,
        "widget_html": bound.as_widget(attrs=attrs),
        "described": " ".join(described),
        **kwargs,
    }
    return render_to_string("includes/field.html", context)


@register.filter
def error_anchor(form: Any) -> list[tuple[str, str]]:
    """(anchor id, message) for the error summary at the top of a form."""
    items: list[tuple[str, str]] = []
    for name, errors in form.errors.items():
        anchor = form[name].auto_id if name in form.fields else ""
        for message in errors:
            items.append((anchor, message))
    return items


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


@register.filter(expects_localtime=False)
def when(value: Any, fmt: str = "Y-m-d H:i") -> str:
    """`|date` for a stored time, in local time; a time the zone cannot convert (near year 1 or 9999,
    stored before the date bounds) shows as UTC with "ogiltigt datum" instead of failing the page."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        try:
            value = timezone.localtime(value)
        except (OverflowError, ValueError):
            return f"{value.isoformat()} ({_('ogiltigt datum')})"
    return str(date_filter(value, fmt))
