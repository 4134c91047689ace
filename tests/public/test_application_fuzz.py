"""Random, oversized and odd-Unicode input to the public application: never a 500 (the test client
re-raises server errors), never a half-saved record (every stored application has its reference and
its audit event, and one is stored exactly when the answer is the redirect to the receipt)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bredvid.audit.models import AuditEvent
from bredvid.casework.models import EApplication
from tests.public.application_data import adult_form, guardian_form

# The public sites answer only when the municipality publishes.
pytestmark = pytest.mark.usefixtures("published_sites")

FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

ODD = st.sampled_from(
    [
        "\x00",
        "\u202e",
        "\ufeff",
        "\ud800",
        "\u200d",
        "Ω≈ç√",
        "👨‍👩‍👧",
        "\n\r\t",
        "' OR 1=1 --",
        "<script>",
        "ß" * 300,
    ]
)
TEXT = st.one_of(st.text(max_size=300), ODD, st.text(max_size=5000), st.just("x" * 70_000))
FIELDS = list(guardian_form())


@pytest.fixture(autouse=True)
def _no_limits(settings):  # type: ignore[no-untyped-def]
    settings.PUBLIC_FORM_RATE_PER_IP = "100000/h"
    settings.PUBLIC_FORM_RATE_PER_EMAIL = "100000/h"
    cache.clear()


@pytest.mark.django_db
@FUZZ
@given(
    base=st.sampled_from([guardian_form, adult_form]),
    changes=st.dictionaries(st.sampled_from(FIELDS), TEXT, max_size=6),
)
def test_application_form_never_fails_or_half_saves(world, base, changes: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    before = EApplication.objects.count()
    data = base() | changes
    try:
        response = Client().post(reverse("public:application_new", args=[world.home.slug]), data)
    except UnicodeEncodeError:  # the test client cannot encode a lone surrogate; a browser cannot send one
        return
    assert response.status_code in {200, 302, 413, 429}
    stored = EApplication.objects.count() - before
    assert stored == (1 if response.status_code == 302 else 0)
    for e in EApplication.objects.all():
        assert e.reference.startswith("EA-")
        assert AuditEvent.objects.filter(object_id=str(e.pk), action="create", via="public").exists()
