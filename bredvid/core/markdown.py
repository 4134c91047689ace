"""Markdown written by a municipality's administrator, turned into safe HTML.

One function, used by the public pages and by the editor's preview, so the preview is exactly what
the page will show. The HTML from the `markdown` library is cleaned by nh3 with an explicit
allow-list: headings, paragraphs, lists, links (with rel="noopener noreferrer"), emphasis and block
quotes. No images, scripts, styles, event handlers or `javascript:` links survive.
"""

from __future__ import annotations

import re

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

#: The longest text accepted, in characters.
MAX_LENGTH = 20_000

ALLOWED_TAGS = {"h2", "h3", "h4", "p", "br", "ul", "ol", "li", "a", "strong", "em", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
#: GOV.UK Frontend classes set on the cleaned HTML (never taken from the text itself).
CLASSES = {
    "h2": {"class": "govuk-heading-m"},
    "h3": {"class": "govuk-heading-s"},
    "h4": {"class": "govuk-heading-s"},
    "p": {"class": "govuk-body"},
    "ul": {"class": "govuk-list govuk-list--bullet"},
    "ol": {"class": "govuk-list govuk-list--number"},
    "a": {"class": "govuk-link"},
    "blockquote": {"class": "govuk-inset-text"},
}
#: The page's own title is its only h1, so a text's first-level headings become second-level ones.
_H1 = re.compile(r"<(/?)h1(\s|>)")


def render_markdown(text: str) -> SafeString:
    """Sanitised HTML for a Markdown text (raw HTML in the text is cleaned like everything else)."""
    html = markdown_lib.markdown(text[:MAX_LENGTH], output_format="html")
    html = _H1.sub(r"<\1h2\2", html)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        set_tag_attribute_values=CLASSES,
    )
    # Safe: cleaned by nh3 with the allow-list above.
    return mark_safe(cleaned)
