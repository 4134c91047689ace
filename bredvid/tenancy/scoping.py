"""The one scoping point: every municipality-owned model's manager derives from `ScopedQuerySet`.

`visible_to(tenant)` is the only way pages, the API and jobs acting for a person read such rows:

1. `may_read(tenant)` — the role rule of the model (a plain function from the app's `perms.py`);
   a tenant who may not read gets an empty queryset, so another role's row is a 404 like another
   municipality's;
2. the municipality filter, written here and nowhere else (views and the API never filter by
   `municipality=` themselves; tests/test_consistency.py looks for it);
3. `restrict(tenant)` — narrower rules of the model, such as "the cases of my units".

The unit rule for case records is `Tenant.case_filter(path)`; a municipality chooses whether staff see
only their units' cases (the default, with a case shared with a named colleague) or every case.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self, TypeVar

from django.db import models

if TYPE_CHECKING:
    from bredvid.tenancy.context import Tenant
    from bredvid.tenancy.models import Municipality

M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M]):
    """Rows owned by one municipality. Subclasses override `may_read` and `restrict`, never `visible_to`."""

    municipality_field = "municipality"

    def in_municipality(self, municipality: Municipality) -> Self:
        """Every row of one municipality: for jobs and commands that act for the municipality itself."""
        return self.filter(**{self.municipality_field: municipality})

    def visible_to(self, tenant: Tenant) -> Self:
        if not self.may_read(tenant):
            return self.none()
        return self.in_municipality(tenant.municipality).restrict(tenant)

    def may_read(self, tenant: Tenant) -> bool:
        """The role rule: who may read this kind of row at all. Default: every member."""
        return True

    def restrict(self, tenant: Tenant) -> Self:
        """Rules narrower than the municipality (units, named staff). Default: none."""
        return self
