from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client address as the app sees it (behind a proxy, gunicorn's forwarded-allow-ips sets it)."""
    return request.META.get("REMOTE_ADDR") or None
