"""The audit log's keys (ADR 0008): HMAC-SHA256 keys from the environment, never from the database.

`AUDIT_HMAC_KEY` (with its id `AUDIT_HMAC_KEY_ID`) signs new events and checkpoints; the retired keys in
`AUDIT_HMAC_OLD_KEYS` ("id:key,id:key") only verify what they signed. Every event stores the id of the key
that signed it; the empty id marks the events hashed with plain SHA-256 before keys were introduced.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

LEGACY_KEY_ID = ""  # events written before ADR 0008: SHA-256 without a key


@dataclass(frozen=True)
class KeyRing:
    current_id: str
    keys: dict[str, bytes]

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]


@lru_cache(maxsize=4)
def _ring(current_id: str, current: str, old: str) -> KeyRing:
    if not current_id or not current:
        raise ImproperlyConfigured("AUDIT_HMAC_KEY and AUDIT_HMAC_KEY_ID must be set")
    keys = {current_id: current.encode()}
    for item in filter(None, (part.strip() for part in old.split(","))):
        key_id, sep, secret = item.partition(":")
        if not sep or not key_id or not secret:
            raise ImproperlyConfigured("AUDIT_HMAC_OLD_KEYS must be 'id:key,id:key'")
        if key_id == current_id:
            raise ImproperlyConfigured(f"AUDIT_HMAC_OLD_KEYS repeats the current key id {key_id!r}")
        keys[key_id] = secret.encode()
    return KeyRing(current_id=current_id, keys=keys)


def key_ring() -> KeyRing:
    """The configured keys (cached; follows changed settings, e.g. in tests)."""
    return _ring(settings.AUDIT_HMAC_KEY_ID, settings.AUDIT_HMAC_KEY, settings.AUDIT_HMAC_OLD_KEYS)
