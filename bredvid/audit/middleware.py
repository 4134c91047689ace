"""Sessions and the request's read events in one transaction: one commit per page view.

`SessionMiddleware` replaces Django's (same place in MIDDLEWARE, same behaviour). Around the request it
opens `deferred_reads()`, so the reads the view records outside a transaction (viewing a person, a
list, an export) wait instead of committing one by one. When the response is ready it saves the
session (SESSION_SAVE_EVERY_REQUEST: every request, for the idle timeout) and then writes those
events, in one transaction, before the response is returned — a page view commits once instead of
twice, and the chain head is locked only for that short transaction, not while the page renders.
If the events cannot be written the transaction rolls back and the request fails (500): nothing is
shown that is not in the log. Streaming bodies are produced after this middleware has returned, so
a read recorded while streaming is written at once, as outside a request.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import transaction
from django.http import HttpRequest, HttpResponse

from bredvid.audit.services import deferred_events, deferred_reads, write_deferred


def _session_will_be_saved(request: HttpRequest, response: HttpResponse) -> bool:
    """Django's SessionMiddleware.process_response saves in exactly these cases."""
    session = getattr(request, "session", None)
    if session is None or response.status_code >= 500:
        return False
    return bool((session.modified or settings.SESSION_SAVE_EVERY_REQUEST) and not session.is_empty())


class SessionMiddleware(DjangoSessionMiddleware):
    # Synchronous only (under ASGI Django runs it in a thread): deferred_reads() must enclose the whole
    # request, which a coroutine returned from __call__ would escape.
    sync_capable = True
    async_capable = False

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with deferred_reads():
            return super().__call__(request)  # type: ignore[return-value]

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        waiting = deferred_events()
        if not waiting:
            return super().process_response(request, response)
        # One event and no session save: the append is a single statement, its own transaction.
        together = len(waiting) > 1 or _session_will_be_saved(request, response)
        with transaction.atomic() if together else nullcontext():
            response = super().process_response(request, response)  # session first: shorter head lock
            write_deferred(waiting)
        waiting.clear()  # committed; if anything above raised, deferred_reads() writes them on the way out
        return response
