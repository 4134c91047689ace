"""The municipality's agreement template: Django template syntax over a documented set of variables.

The template is rendered by an engine of its own with no loaders and no tag libraries, from a
context of plain text values (never a model instance), so a template can show only the variables
below: `{% include %}`, `{% extends %}`, `{% load %}` and `{% debug %}` are refused when the template
is saved, as is any variable not in `VARIABLES`. Autoescaping stays on; WeasyPrint fetches nothing
(agreements.documents), so an image or a stylesheet cannot reach out of the server either.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.template import Context, Engine, TemplateSyntaxError
from django.template.base import Node, VariableNode
from django.template.defaulttags import DebugNode, IfNode, LoadNode
from django.template.loader_tags import BlockNode, ExtendsNode, IncludeNode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: Every variable a template may use, with what it holds (shown on the template's edit page).
VARIABLES: dict[str, object] = {
    "kommun": gettext_lazy("kommunens namn"),
    "enhet": gettext_lazy("enheten som ansvarar för uppdraget"),
    "handlaggare": gettext_lazy("familjehemssekreterarens namn"),
    "uppdragstagare": gettext_lazy("uppdragstagarens namn"),
    "uppdragstagare_adress": gettext_lazy("uppdragstagarens adress"),
    "den_enskilde": gettext_lazy("den enskildes namn"),
    "den_enskilde_fodd": gettext_lazy("den enskildes födelsedatum"),
    "uppdrag": gettext_lazy("uppdragets typ (t.ex. kontaktfamilj)"),
    "antal_barn": gettext_lazy("antal barn i uppdraget"),
    "startdatum": gettext_lazy("uppdragets startdatum"),
    "slutdatum": gettext_lazy("slutdatum, eller tomt när uppdraget gäller tills vidare"),
    "omfattning": gettext_lazy("planerad omfattning, t.ex. ”2 dygn per månad”"),
    "arvode": gettext_lazy("arvodet i kronor med enhet, t.ex. ”292 kr per dygn”"),
    "arvodesniva": gettext_lazy("arvodesnivå"),
    "omkostnad": gettext_lazy("omkostnadsersättningen i kronor med enhet"),
    "omkostnadsniva": gettext_lazy("omkostnadsnivå"),
    "barnbidragsavdrag": gettext_lazy("avdrag för barnbidrag per månad, eller tomt"),
    "uppsagningstid": gettext_lazy("uppsägningstid i dagar"),
    "sarskilda_villkor": gettext_lazy("särskilda villkor, eller tomt"),
    "version": gettext_lazy("avtalets versionsnummer"),
    "datum": gettext_lazy("datum då versionen skapades"),
}

#: Example values for the template's preview (no real person's data).
SAMPLE: dict[str, str] = {
    "kommun": "Exempelkommun",
    "enhet": "Familjehemsenheten",
    "handlaggare": "Kim Handläggare",
    "uppdragstagare": "Familjen Exempel",
    "uppdragstagare_adress": "Exempelgatan 1, 123 45 Exempelstad",
    "den_enskilde": "Alex Exempel",
    "den_enskilde_fodd": "2015-03-14",
    "uppdrag": "Kontaktfamilj",
    "antal_barn": "1",
    "startdatum": "2027-07-01",
    "slutdatum": "",
    "omfattning": "2 dygn per månad",
    "arvode": "292 kr per dygn",
    "arvodesniva": "grund",
    "omkostnad": "173 kr per dygn",
    "omkostnadsniva": "grund",
    "barnbidragsavdrag": "",
    "uppsagningstid": "30",
    "sarskilda_villkor": "",
    "version": "1",
    "datum": "2027-06-15",
}

FORBIDDEN_NODES: tuple[type[Node], ...] = (IncludeNode, ExtendsNode, BlockNode, LoadNode, DebugNode)

ENGINE = Engine(debug=False, loaders=[], libraries={}, builtins=[], autoescape=True, string_if_invalid="")

#: Bredvid's agreement text (Swedish), used until the municipality saves its own.
DEFAULT_TEMPLATE = (Path(__file__).parent.parent / "templates/agreements/default_template.html").read_text(
    encoding="utf-8"
)


def _nodes(template: object) -> list[Node]:
    return list(template.nodelist.get_nodes_by_type(Node))  # type: ignore[attr-defined]


def _names_used(nodes: list[Node]) -> set[str]:
    names: set[str] = set()
    for node in nodes:
        expressions: list[Any] = []
        if isinstance(node, VariableNode):
            expressions.append(node.filter_expression)
        if isinstance(node, IfNode):
            for condition, _nodelist in node.conditions_nodelists:
                stack = [condition]
                while stack:
                    item = stack.pop()
                    if item is None:
                        continue
                    if hasattr(item, "value") and hasattr(item.value, "var"):
                        expressions.append(item.value)
                    stack.extend(
                        x for x in (getattr(item, "first", None), getattr(item, "second", None)) if x
                    )
        for expression in expressions:
            var = getattr(expression, "var", None)
            lookups = getattr(var, "lookups", None)
            if lookups:
                names.add(lookups[0])
    return names


def check_template(body: str) -> None:
    """Refuse a template that does not compile, loads or includes anything, or names other variables."""
    try:
        template = ENGINE.from_string(body)
    except TemplateSyntaxError as exc:
        raise ValidationError({"body": _("Mallen går inte att tolka: %(error)s") % {"error": exc}}) from exc
    nodes = _nodes(template)
    if any(isinstance(node, FORBIDDEN_NODES) for node in nodes):
        raise ValidationError(
            {"body": _("Mallen får inte använda include, extends, block, load eller debug.")}
        )
    unknown = sorted(_names_used(nodes) - set(VARIABLES))
    if unknown:
        raise ValidationError(
            {"body": _("Okända variabler i mallen: %(names)s.") % {"names": ", ".join(unknown)}}
        )


def render_template(body: str, values: dict[str, str]) -> str:
    """The template rendered with only the documented variables (each a plain text value)."""
    context = {name: str(values.get(name, "")) for name in VARIABLES}
    return ENGINE.from_string(body).render(Context(context, autoescape=True))
