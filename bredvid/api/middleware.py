"""JSON answers for whatever Django or ninja answers outside an operation under /api/v1/.

An unknown path (Django's 404 page), a method the path does not have (ninja's plain-text 405), a body
over DATA_UPLOAD_MAX_MEMORY_SIZE refused before an operation runs, a request Django cannot read (400):
a client of the API gets `{"detail": "..."}` in Swedish (English on request) with the same status and
headers (the 405's `Allow`), never an HTML page. Successful answers (the docs page) pass untouched.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from bredvid.api.errors import too_big_message

PREFIX = "/api/v1/"
#: Headers of the original answer that still hold for the JSON one.
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")


def _detail(request: HttpRequest, status: int) -> str:
    if status == 404:
        return _("Finns inte.")
    if status == 405:
        return _("Metoden %(method)s stöds inte här.") % {"method": request.method}
    if status == 413:
        return too_big_message()
    if status >= 500:
        return _("Ett internt fel uppstod. Försök igen senare.")
    return _("Anropet kunde inte läsas.")


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        with translation.override(translation.get_language_from_request(request) or "sv"):
            answer = JsonResponse(
                {"detail": _detail(request, response.status_code)}, status=response.status_code
            )
        for header in KEPT_HEADERS:
            if header in response:
                answer[header] = response[header]
        return answer
