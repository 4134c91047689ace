"""Random Markdown and HTML fragments through the one rendering function: whatever an administrator
types, the page never gets a tag, attribute or URL scheme outside the allow-list."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from bredvid.core.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown

PIECES = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[a](javascript:alert(1))",
        "[b](JaVaScRiPt:alert(1))",
        "[c](data:text/html,<script>x</script>)",
        "<a href='vbscript:x'>d</a>",
        '<div style="x" onclick="y">e</div>',
        "<svg onload=alert(1)>",
        "<iframe src=//x>",
        "<style>*{}</style>",
        "# h",
        "## h2",
        "- li",
        "1. li",
        "> q",
        "**b**",
        "*i*",
        "`code`",
        "\n\n",
        "<",
        ">",
        "&",
        '"',
        "'",
        '<a href="https://ok.example">ok</a>',
        "<!-- c -->",
        "<p class=evil id=main-content>p</p>",
    ]
)
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=20)), max_size=12).map("".join)


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_only_allowed_tags_attributes_and_schemes_survive(text: str) -> None:
    parser = _Collect()
    parser.feed(str(render_markdown(text)))
    for tag, attrs in parser.found:
        assert tag in ALLOWED_TAGS, tag
        for name, value in attrs:
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"class", "rel"}, (tag, name)
            if name == "href" and value:
                assert not re.match(r"\s*(javascript|data|vbscript):", value, re.I), value
            if name == "class":
                assert value is not None and value.startswith("govuk-"), value
