from __future__ import annotations

from django.db import transaction

from bredvid.accounts.models import ApiToken, User
from bredvid.audit.models import Action
from bredvid.audit.services import record
from bredvid.tenancy.models import Municipality


def issue_api_token(*, user: User, municipality: Municipality, name: str = "") -> str:
    """Create a token for `user` in `municipality`; return the raw token (shown once, stored hashed)."""
    raw, digest = ApiToken.generate()
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, municipality=municipality, name=name, token_hash=digest)
        record(
            action=Action.TOKEN_ISSUED, actor=user, municipality=municipality, obj=token, via="cli", detail={}
        )
    return raw
