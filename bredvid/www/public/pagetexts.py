"""The texts of the public pages: the municipality's own (Markdown, edited under Administration) or
Bredvid's default (texts/<language>/<page>.md, written for Bredvid), always rendered by
`bredvid.core.markdown.render_markdown`, the one function the editor's preview uses too."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString
from django.utils.translation import get_language

from bredvid.core.markdown import render_markdown
from bredvid.tenancy.models import Municipality, PublicPage, PublicText

TEXTS = Path(__file__).resolve().parent / "texts"
#: When the default texts (above all the accessibility statement) were last reviewed.
DEFAULTS_REVIEWED = dt.date(2026, 12, 4)
#: Replaced by the municipality's name in every text.
NAME_PLACEHOLDER = "{kommun}"


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def current_language() -> str:
    language = (get_language() or "sv").split("-")[0]
    return language if language in languages() else "sv"


@cache
def default_markdown(page: str, language: str) -> str:
    """Bredvid's default text of a page (Swedish when the language has none)."""
    if page not in PublicPage.values or language not in languages():
        raise KeyError(page)
    path = TEXTS / language / f"{page}.md"
    if not path.exists():
        path = TEXTS / "sv" / f"{page}.md"
    return path.read_text(encoding="utf-8")


def render(municipality: Municipality, markdown: str) -> SafeString:
    """A page's text as the public sees it: the name filled in, then sanitised HTML."""
    return render_markdown(markdown.replace(NAME_PLACEHOLDER, municipality.name))


@dataclass(frozen=True)
class PageText:
    page: str
    language: str
    markdown: str
    own: PublicText | None  # the municipality's own text, None for the default

    @property
    def is_default(self) -> bool:
        return self.own is None

    @property
    def updated(self) -> dt.date:
        return self.own.updated_at.date() if self.own is not None else DEFAULTS_REVIEWED


def page_text(municipality: Municipality, page: str, language: str) -> PageText:
    """The text a page shows: the municipality's own when it wrote one, else the default."""
    own = PublicText.objects.in_municipality(municipality).filter(page=page, language=language).first()
    if own is not None and own.markdown.strip():
        return PageText(page, language, own.markdown, own)
    return PageText(page, language, default_markdown(page, language), None)
