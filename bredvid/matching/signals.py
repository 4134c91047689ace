"""Keep the matching feature arrays current: any change to what they are built from logs the
supporter in the municipality's pool change log, in the changing transaction (features.py patches
that supporter's rows on the next use; a rolled-back change is never seen)."""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from bredvid.matching.features import bump_pool_version

WATCHED = (
    "supporters.Supporter",
    "supporters.SupporterProfile",
    "supporters.SupporterMember",
    "supporters.RegisterCheck",
    "supporters.Unavailability",
    "assignments.Assignment",
)


def _supporter_of(label: str, instance: Any) -> uuid.UUID | None:
    if label == "supporters.Supporter":
        return instance.pk  # type: ignore[no-any-return]
    if label == "supporters.RegisterCheck":
        from bredvid.supporters.models import SupporterMember

        member = instance._meta.get_field("member").get_cached_value(instance, None)
        if member is not None:
            return member.supporter_id  # type: ignore[no-any-return]
        found = SupporterMember.objects.filter(pk=instance.member_id).values_list("supporter_id", flat=True)
        return next(iter(found), None)
    return instance.supporter_id  # type: ignore[no-any-return]


@receiver(post_save)
@receiver(post_delete)
def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    label = sender._meta.label
    if label in WATCHED and instance.municipality_id is not None:
        supporter_id = _supporter_of(label, instance)
        if supporter_id is not None:  # a check whose member is gone: the member's own change logged it
            bump_pool_version(instance.municipality_id, supporter_id)
