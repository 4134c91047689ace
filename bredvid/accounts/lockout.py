"""django-axes with two thresholds: per user name (at one address) and per client address.

axes counts failures per lockout parameter but compares every count with one AXES_FAILURE_LIMIT.
A per-user limit of 5 must not also be the per-address limit (a municipality's whole office may
share one address behind its NAT), and without a per-address limit password spraying (one wrong
password for each of many user names) is never throttled. This handler keeps axes' own records
and per-user rule and adds the second rule over the same records: the failures from one address,
summed over every user name inside the cool-off window, against AXES_ADDRESS_FAILURE_LIMIT.
"""

from __future__ import annotations

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


class AddressLimitAxesHandler(AxesDatabaseHandler):
    def address_failures(self, request: HttpRequest) -> int:
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return int(attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0)

    def _address_locked(self, request: HttpRequest) -> bool:
        return bool(settings.AXES_LOCK_OUT_AT_FAILURE) and (
            self.address_failures(request) >= settings.AXES_ADDRESS_FAILURE_LIMIT
        )

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        """axes records the failure and applies the per-user limit; then the per-address limit."""
        super().user_login_failed(sender, credentials, request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False) or not self._address_locked(request):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send("axes", request=request, username=None, ip_address=request.axes_ip_address)

    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        return super().is_locked(request, credentials) or self._address_locked(request)
