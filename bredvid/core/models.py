"""Shared model parts: UUID primary keys, timestamps and the municipality scoping contract."""

from __future__ import annotations

import uuid

from django.db import models


class BaseModel(models.Model):
    """UUID primary key (never guessable, never reused) and created/updated times."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Every concrete model in bredvid/ states whether it holds personal data of clients,
    # supporters or the public. Those that do must carry `municipality` and a manager with
    # `visible_to(tenant)`; tests/test_consistency.py enforces it.
    holds_personal_data: bool

    class Meta:
        abstract = True
