"""Checks on the text of names and identity numbers: printable characters only.

A name or a reserve number is one line of text that is printed on decisions, agreements and
payroll files and compared when searching. Control characters (a tab, a line break, a bidi
override that reverses what is shown, a byte-order mark) and unpaired UTF-16 surrogates (which no
encoding can store) are refused with one Swedish message. Ordinary spaces are fine, and so are the
zero-width (non-)joiners that Persian and several Indic scripts need inside words.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext_lazy as _

#: Format characters that belong inside words of some scripts (ZWNJ, ZWJ).
ALLOWED_FORMAT = frozenset({"\u200c", "\u200d"})
#: Control, format, surrogate and line/paragraph separator categories.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})

UNPRINTABLE = _(
    "Texten innehåller tecken som inte går att skriva ut (till exempel tabb, radbrytning eller styrtecken)."
)


def has_unprintable(text: str) -> bool:
    """True when `text` holds a control or format character or an unpaired surrogate."""
    return any(
        unicodedata.category(char) in REFUSED_CATEGORIES and char not in ALLOWED_FORMAT for char in text
    )
