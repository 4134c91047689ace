import ipaddress

from django.conf import settings
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for the audit log and the lockout.

    Behind PROXY_COUNT trusted reverse proxies, each appends the address it received from to
    X-Forwarded-For; the client is the entry PROXY_COUNT places from the end. Without proxies (or
    when the header is missing or malformed) it is REMOTE_ADDR — a client cannot spoof it then.
    """
    proxies = settings.PROXY_COUNT
    if proxies > 0:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= proxies:
            candidate = forwarded[-proxies]
            try:
                return str(ipaddress.ip_address(candidate))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR") or None


def safe_next(request: HttpRequest, fallback: str = "") -> str:
    """The `next` target of the request (POST before GET) if it stays on this site, else `fallback`.

    Every view that follows a `next` parameter goes through this: Django's
    `url_has_allowed_host_and_scheme` refuses other hosts, scheme-relative `//host` and the
    backslash forms browsers read as `//host`, and an http target from an https page.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
