"""Signed content: the sign event holds the SHA-256 of what was signed, and verification recomputes it.

A domain app registers each model whose rows become immutable when signed (`register_signed_model`, from
its AppConfig.ready), with the fields that make up the signed content and the filter for signed rows. Its
sign service puts `signed_content_detail(obj)` in the sign event's detail; `verify_signed_content()`
recomputes the digest of every signed row from the database and compares it with the latest sign event
(which the keyed chain protects). The audit app imports no domain app: it reads the models by label.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models

from bredvid.audit.models import AuditEvent, canonical_time

CONTENT_KEY = "content_sha256"


@dataclass(frozen=True)
class SignedModel:
    label: str  # app_label.model_name, as AuditEvent.object_type
    fields: tuple[str, ...]
    signed: dict[str, Any]  # filter that selects the signed rows


@dataclass(frozen=True)
class ContentBreak:
    object_type: str
    object_id: str
    event_id: int | None
    problem: str

    def __str__(self) -> str:
        where = f" (sign event id={self.event_id})" if self.event_id else ""
        return f"{self.object_type} {self.object_id}{where}: {self.problem}"


@dataclass(frozen=True)
class ContentReport:
    checked: int
    unhashed: int  # signed before sign events recorded a content hash
    breaks: list[ContentBreak]


_REGISTRY: dict[str, SignedModel] = {}


def register_signed_model(label: str, *, fields: tuple[str, ...], signed: dict[str, Any]) -> None:
    _REGISTRY[label] = SignedModel(label=label, fields=("pk", *fields), signed=signed)


def _canonical(value: object) -> object:
    if isinstance(value, datetime.datetime):
        return canonical_time(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def content_digest(values: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON of the signed fields (as read from the database)."""
    body = {name: _canonical(value) for name, value in values.items()}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _model(spec: SignedModel) -> type[models.Model]:
    return apps.get_model(spec.label)


def signed_content_detail(obj: models.Model) -> dict[str, str]:
    """For the sign event's detail: the digest of the row as stored now (call after saving it)."""
    spec = _REGISTRY[obj._meta.label_lower]
    values = _model(spec)._default_manager.filter(pk=obj.pk).values(*spec.fields).get()
    return {CONTENT_KEY: content_digest(values)}


def verify_signed_content() -> ContentReport:
    """Recompute the digest of every signed row of every registered model; compare with its sign event."""
    checked = unhashed = 0
    breaks: list[ContentBreak] = []
    for spec in _REGISTRY.values():
        expected: dict[str, tuple[int, str]] = {}
        sign_events = (
            AuditEvent.objects.filter(object_type=spec.label, detail_json__contains=f'"{CONTENT_KEY}"')
            .order_by("seq")
            .values_list("id", "object_id", "detail_json")
        )
        for event_id, object_id, detail_json in sign_events.iterator(chunk_size=2000):
            digest_hex = json.loads(detail_json).get(CONTENT_KEY)
            if isinstance(digest_hex, str):
                expected[object_id] = (event_id, digest_hex)
        rows = _model(spec)._default_manager.filter(**spec.signed).values(*spec.fields)
        seen: set[str] = set()
        for values in rows.iterator(chunk_size=2000):
            object_id = str(values["pk"])
            seen.add(object_id)
            if object_id not in expected:
                unhashed += 1
                continue
            checked += 1
            event_id, digest_hex = expected[object_id]
            if content_digest(values) != digest_hex:
                breaks.append(
                    ContentBreak(spec.label, object_id, event_id, "content differs from what was signed")
                )
        for object_id in sorted(set(expected) - seen):
            event_id, _digest = expected[object_id]
            breaks.append(
                ContentBreak(spec.label, object_id, event_id, "signed row missing or no longer signed")
            )
    return ContentReport(checked=checked, unhashed=unhashed, breaks=breaks)
