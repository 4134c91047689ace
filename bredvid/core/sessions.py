"""Database sessions (SESSION_ENGINE) whose save joins the caller's transaction without a savepoint.

Django's database backend wraps every save in `transaction.atomic()`, which inside a transaction is a
savepoint: two more round trips to the database. Updating an existing session needs none — a missing
row shows as zero rows updated, which aborts nothing — so inside a transaction the update is sent on
its own; creating a session (which may collide with an existing key) still goes through Django.
"""

from __future__ import annotations

from django.contrib.sessions.backends import db
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, router, transaction


class SessionStore(db.SessionStore):
    def save(self, must_create: bool = False) -> None:
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        obj = self.create_model_instance(self._get_session())  # type: ignore[attr-defined]
        using = router.db_for_write(self.model, instance=obj)
        if not transaction.get_connection(using).in_atomic_block:
            return super().save(must_create=False)
        try:
            obj.save(force_update=True, using=using)
        except DatabaseError as exc:  # "Forced update did not affect any rows": the session is gone
            raise UpdateError from exc
        return None
