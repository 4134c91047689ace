"""Row locks for services: re-read what a service changes `FOR UPDATE`, then guard its state.

A service is handed an instance that a view loaded a moment (or a form's round trip) ago; two
people pressing at once hand it two copies of the same row. The guard ("the case is not closed
yet") must be checked on the row as it is now, locked until the transaction ends, or both pass:

    with transaction.atomic():
        locked(case)                       # the same instance, re-read and locked
        if case.status == Case.Status.CLOSED:
            raise IllegalTransition(...)

SQLite has no row locks (it serialises writers to the whole file); there the re-read still makes
the guard see the stored state. PostgreSQL holds the lock until commit or rollback.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models, router, transaction
from django.db.transaction import TransactionManagementError

M = TypeVar("M", bound=models.Model)


def locked(instance: M) -> M:
    """Re-read `instance`'s row `SELECT … FOR UPDATE` into the same instance and return it.

    Must run inside `transaction.atomic()` (a lock outside a transaction ends at once). Field values
    become the stored ones; a cached related object stays when its key is unchanged, and prefetched
    or reverse relations are dropped (they may be stale)."""
    model = instance.__class__  # not type(): request.user is a lazy object around the user
    using = instance._state.db or router.db_for_write(model, instance=instance)
    if not transaction.get_connection(using).in_atomic_block:
        raise TransactionManagementError(f"locked({model.__name__}) outside transaction.atomic()")
    fresh = model._base_manager.db_manager(using).select_for_update().get(pk=instance.pk)
    for field in model._meta.concrete_fields:
        value = getattr(fresh, field.attname)
        changed = getattr(instance, field.attname) != value
        if changed and isinstance(field, models.ForeignKey) and field.is_cached(instance):
            field.delete_cached_value(instance)
        setattr(instance, field.attname, value)
    for rel in model._meta.related_objects:
        if rel.is_cached(instance):
            rel.delete_cached_value(instance)
    instance._prefetched_objects_cache = {}  # type: ignore[attr-defined]
    instance._state.db = using
    instance._state.adding = False
    return instance
