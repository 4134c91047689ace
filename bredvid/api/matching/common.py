"""What the matching routes of API v1 share: who may read and match, the service's field names."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest

from bredvid.matching.perms import can_match, can_read_requests
from bredvid.tenancy.context import Tenant


def reader(request: HttpRequest) -> Tenant:
    """Support requests and offers: whoever orders (caseworkers) or matches (family-care unit, managers)."""
    tenant: Tenant = request.auth  # type: ignore[attr-defined]
    if not can_read_requests(tenant):
        raise PermissionDenied
    return tenant


def matcher(request: HttpRequest) -> Tenant:
    """Shortlists, offers and confirmation: the family-care unit and managers."""
    tenant = reader(request)
    if not can_match(tenant):
        raise PermissionDenied
    return tenant


def renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    """The service's field names as the API's body fields (intervention → intervention_id)."""
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(name, name): messages for name, messages in exc.message_dict.items()})
