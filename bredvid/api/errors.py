"""Error answers of API v1: Swedish messages with field paths; never a 500 for bad input."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from bredvid.core.errors import DomainError
from bredvid.people.validators import UNPRINTABLE


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("Fältet måste fyllas i.")
    if kind == "null_refused":  # a field that cannot be emptied (the schema does not offer null for it)
        return _("Fältet kan inte vara null.")
    if kind == "string_unprintable":
        return str(UNPRINTABLE)
    if kind in {"string_unstorable", "string_unicode"}:  # NUL, or an unpaired surrogate
        return _("Texten innehåller otillåtna tecken (NUL eller ett ensamt surrogattecken).")
    if kind == "extra_forbidden":
        return _("Okänt fält.")
    if kind == "string_too_long":
        return _("Högst %(n)s tecken.") % {"n": ctx.get("max_length")}
    if kind == "string_too_short":
        return _("Minst %(n)s tecken.") % {"n": ctx.get("min_length")}
    if kind == "string_type":
        return _("Ska vara text.")
    if kind.startswith("bool"):
        return _("Ska vara true eller false.")
    if kind.startswith("date") or kind.startswith("datetime"):
        return _("Ange datum som ÅÅÅÅ-MM-DD.")
    if kind.startswith("int"):
        return _("Ska vara ett heltal.")
    if kind == "less_than_equal":
        return _("Högst %(n)s.") % {"n": ctx.get("le")}
    if kind == "greater_than_equal":
        return _("Minst %(n)s.") % {"n": ctx.get("ge")}
    if kind == "less_than":
        return _("Ska vara mindre än %(n)s.") % {"n": ctx.get("lt")}
    if kind == "greater_than":
        return _("Ska vara större än %(n)s.") % {"n": ctx.get("gt")}
    if kind in {"literal_error", "enum"}:
        return _("Ogiltigt värde. Tillåtna värden: %(expected)s.") % {"expected": ctx.get("expected", "")}
    if kind.startswith("uuid"):
        return _("Ogiltigt id.")
    if kind in {"json_invalid", "model_attributes_type", "dict_type", "model_type"}:
        return _("Ogiltig JSON i anropet.")
    if kind == "value_error" and ctx.get("error"):
        return str(ctx["error"])
    return _("Ogiltigt värde.")


def _path(loc: Any) -> str:
    return ".".join(str(part) for part in loc)


def validation_payload(errors: list[dict[str, Any]]) -> dict[str, Any]:
    items = []
    for error in errors:
        loc = list(error.get("loc", []))
        # ninja puts the schema parameter name after "body"; drop it so paths read body.first_name
        if len(loc) >= 2 and loc[0] == "body" and loc[1] == "payload":
            loc = ["body", *loc[2:]]
        items.append({"field": _path(loc), "loc": loc, "message": _message(error), "type": error.get("type")})
    return {"detail": items}


def too_big_message() -> str:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return _("Anropets innehåll är för stort (högst %(n)s kB).") % {"n": (limit or 0) // 1024}


def install(api: NinjaAPI) -> None:
    @api.exception_handler(NinjaValidationError)
    def _validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        return api.create_response(request, validation_payload(list(exc.errors)), status=422)

    @api.exception_handler(DjangoValidationError)
    def _domain_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            items = [
                {"field": f"body.{name}", "loc": ["body", name], "message": str(msg), "type": "invalid"}
                for name, messages in exc.message_dict.items()
                for msg in messages
            ]
        else:
            items = [
                {"field": "body", "loc": ["body"], "message": str(m), "type": "invalid"} for m in exc.messages
            ]
        return api.create_response(request, {"detail": items}, status=422)

    @api.exception_handler(DomainError)
    def _conflict(request: HttpRequest, exc: DomainError) -> HttpResponse:
        """An action not allowed in the object's current state (a signed entry, a decided decision)."""
        return api.create_response(request, {"detail": exc.message}, status=409)

    @api.exception_handler(AuthenticationError)
    def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = api.create_response(
            request, {"detail": _("API-nyckel saknas eller är ogiltig.")}, status=401
        )
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(PermissionDenied)
    def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        detail = str(exc) or _("Din roll ger inte tillgång till detta.")
        return api.create_response(request, {"detail": detail}, status=403)

    @api.exception_handler(Http404)
    def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, {"detail": _("Finns inte.")}, status=404)

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return api.create_response(request, {"detail": too_big_message()}, status=413)

    @api.exception_handler(SuspiciousOperation)
    def _unreadable(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        """Django refuses to read the request (too many query parameters, a malformed header)."""
        return api.create_response(request, {"detail": _("Anropet kunde inte läsas.")}, status=400)

    @api.exception_handler(HttpError)
    def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400:
            # ninja's only 400 is a body it cannot parse ("Cannot parse request body", in English).
            detail = _("Anropets innehåll kunde inte tolkas. Skicka JSON med Content-Type: application/json.")
            return api.create_response(request, {"detail": detail}, status=400)
        return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)
