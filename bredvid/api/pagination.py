"""The one pagination of API v1: every list answers `{"count", "page", "page_size", "results"}`.

A list operation is declared with `response={200: list[ItemOut], ...}` and decorated with `@paged`
(django-ninja's `paginate` with `Pagination`); ninja documents the envelope (`PagedItemOut`) and the
`page` and `page_size` query parameters. The view returns a `Listed`: the ordered rows to page
through, the audit of the page and, if the rows need it, how to show one row. The audit sees exactly
the rows of the page returned, so a list read names whom it showed, and the queries do not grow with
the page size (one count, one page, the prefetches of the queryset, the audit).

The page size defaults to `settings.API_PAGE_SIZE` and is at most `settings.API_PAGE_SIZE_MAX`; a page
past the end is the last page (as on the staff pages).
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase, paginate

from bredvid.api.schemas import Clean


def _same(row: Any) -> Any:
    return row


@dataclass(frozen=True)
class Listed:
    """What a list operation returns to `Pagination`."""

    rows: QuerySet[Any] | Sequence[Any]
    #: audit(rows of the page, page number): writes the SEARCH event naming whom the page shows
    audit: Callable[[list[Any], int], None]
    #: the answer for one row (a model instance is read through the item schema as it is)
    out: Callable[[Any], Any] = _same


class PageParams(Clean):
    page: int = Field(1, ge=1, le=100_000, description="a page past the end is the last page")
    page_size: int = Field(
        settings.API_PAGE_SIZE,
        ge=1,
        le=settings.API_PAGE_SIZE_MAX,
        description=f"rows per page (at most {settings.API_PAGE_SIZE_MAX})",
    )


class Pagination(PaginationBase):
    items_attribute = "results"
    Input = PageParams  # type: ignore[assignment]  # named for the schema (not "Input")

    class Output(Schema):
        count: int = Field(description="rows on all pages")
        page: int = Field(description="the page answered")
        page_size: int
        results: list[Any]

    def paginate_queryset(
        self, queryset: Any, pagination: PageParams, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        if not isinstance(queryset, Listed):
            raise TypeError("a paginated operation returns a Listed (its rows and their audit)")
        rows = queryset.rows
        if isinstance(rows, QuerySet) and not rows.ordered:
            raise TypeError("a paginated queryset needs an order: pages must not overlap")
        paginator = Paginator(rows, pagination.page_size)
        page = paginator.get_page(pagination.page)
        shown = list(page)
        queryset.audit(shown, page.number)
        return {
            "count": paginator.count,
            "page": page.number,
            "page_size": pagination.page_size,
            "results": [queryset.out(row) for row in shown],
        }


#: The decorator of every list operation.
paged = paginate(Pagination)
