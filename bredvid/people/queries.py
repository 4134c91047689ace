from __future__ import annotations

from django.db.models import Q, QuerySet

from bredvid.core.identity import InvalidIdentityNumber, parse_identity_number
from bredvid.people.models import Person


def search_persons(qs: QuerySet[Person], query: str) -> QuerySet[Person]:
    """Filter by a full or partial identity number, or by name terms (all must match)."""
    query = query.strip()
    if not query:
        return qs
    digits = query.replace("-", "").replace("+", "").replace(" ", "")
    if digits.isdigit():
        try:
            return qs.filter(identity_number=parse_identity_number(query).number)
        except InvalidIdentityNumber:
            prefix = digits if len(digits) <= 8 else f"{digits[:8]}-{digits[8:]}"
            return qs.filter(identity_number__startswith=prefix)
    for term in query.split()[:4]:
        qs = qs.filter(Q(first_name__icontains=term) | Q(last_name__icontains=term))
    return qs
