"""Log-ins, log-outs and failed log-ins go to the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from bredvid.audit.models import Action
from bredvid.audit.services import record, record_for_user_municipalities
from bredvid.core.http import client_ip


@receiver(user_logged_in)
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    ip = client_ip(request) if request is not None else None
    backend = getattr(user, "backend", "") or ""
    record_for_user_municipalities(action=Action.LOGIN, actor=user, ip=ip, detail={"backend": backend})


@receiver(user_logged_out)
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    ip = client_ip(request) if request is not None else None
    record_for_user_municipalities(action=Action.LOGOUT, actor=user, ip=ip, detail={})


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    ip = client_ip(request) if request is not None else None
    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is not None:
        record_for_user_municipalities(action=Action.LOGIN_FAILED, actor=user, ip=ip, detail={})
    else:
        record(action=Action.LOGIN_FAILED, ip=ip, detail={"username": username})
