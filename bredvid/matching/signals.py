"""Keep the matching feature arrays current: any change to what they are built from bumps the
municipality's PoolVersion when the transaction commits (features.py rebuilds on the next use)."""

from __future__ import annotations

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


@receiver(post_save)
@receiver(post_delete)
def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if sender._meta.label in WATCHED:
        bump_pool_version(instance.municipality_id)
