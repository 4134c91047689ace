"""The public interest pages (issue 13)."""

from __future__ import annotations

from typing import Any


def urls() -> list[Any]:
    return []
