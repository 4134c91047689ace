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

`next_number` is the other lock of the services: a counter row (case numbers, reference numbers)
incremented in one statement, locked from there until the transaction ends.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connections, models, router, transaction
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


def _column(model: type[models.Model], name: str) -> tuple[models.Field[Any, Any], str]:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise TypeError(f"{model.__name__}.{name} is not a column")
    return field, field.column


def next_number(model: type[models.Model], *, field: str = "last", **key: Any) -> int:
    """Add one to the counter `field` of the `model` row that `key` names and return the new value.

    Must run inside `transaction.atomic()`: the row stays locked until the transaction ends, so no
    two transactions get the same number, and a rolled-back one gives its number back. The usual case
    is one statement (`UPDATE … RETURNING`: the lock is taken as late, and held for as few round trips,
    as possible); the first number of a key creates its row (`get_or_create`, locked the same way —
    a concurrent first one waits on the new row, then counts on from it)."""
    using = router.db_for_write(model)
    connection = connections[using]
    if not connection.in_atomic_block:
        raise TransactionManagementError(f"next_number({model.__name__}) outside transaction.atomic()")
    quote = connection.ops.quote_name
    counter = quote(_column(model, field)[1])
    where, params = [], []
    for name, value in key.items():
        key_field, column = _column(model, name)
        where.append(f"{quote(column)} = %s")
        value = value.pk if isinstance(value, models.Model) else value
        params.append(key_field.get_db_prep_value(value, connection))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(model._meta.db_table)} SET {counter} = {counter} + 1"  # noqa: S608 (the model's names)
            f" WHERE {' AND '.join(where)} RETURNING {counter}",
            params,
        )
        row = cursor.fetchone()
    if row is not None:
        return int(row[0])
    row_object, _created = model._base_manager.db_manager(using).select_for_update().get_or_create(**key)
    setattr(row_object, field, getattr(row_object, field) + 1)
    row_object.save(update_fields=[field])
    return int(getattr(row_object, field))
