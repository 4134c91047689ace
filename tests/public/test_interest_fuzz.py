"""Random, oversized and odd-Unicode input to the public interest form (control characters, unpaired
surrogates, bidi marks, NUL, very long strings): never a 500 (the test client re-raises server
errors), and never a half-saved record — either one complete registration with its audit event, or
nothing at all."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bredvid.audit.models import AuditEvent
from bredvid.supporters.models import InterestRegistration
from tests.conftest import World
from tests.public.test_interest import VALID

# The public sites answer only when the municipality publishes.
pytestmark = pytest.mark.usefixtures("published_sites")

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ODD = st.sampled_from(
    [
        "", " ", "\x00", "Zel\x00mira", "\ud800", "a\udfffb", "\u202eerimleZ", "\u200f", "\ufeff", "\u2028",
        "\t", "\r\n", "𝔷𝔢𝔩", "ـ" * 50, "x" * 101, "x" * 5001, "9" * 400, "-1", "0", "1e3", "٣", "1,2,,3",
        "4, 9", "26", "12345", "123 45", "a@b.se", "@", "\x7f", "✓" * 300, "x" * 70_000,
    ]
)  # fmt: skip
TEXT = st.one_of(ODD, st.text(max_size=300), st.text(alphabet=st.characters(codec=None), max_size=80))
FIELDS = [name for name in VALID if name != "supports"]


def _value(original: Any) -> Any:
    return st.one_of(st.just(original), TEXT, st.none())


ANYTHING = st.fixed_dictionaries(
    {
        **{name: _value(VALID[name]) for name in FIELDS},
        "supports": st.one_of(
            st.just(VALID["supports"]),
            st.lists(st.one_of(st.sampled_from(["jourhem", "x"]), TEXT), max_size=5),
        ),
        "webbplats": st.one_of(st.just(""), TEXT),
    }
)
#: A valid submission with one to three fields replaced: the odd text often reaches the database.
MOSTLY_VALID = st.builds(
    lambda names, values: {**VALID, **dict(zip(names, values, strict=False))},
    st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True),
    st.lists(TEXT, min_size=3, max_size=3),
)
SUBMISSION = st.one_of(ANYTHING, MOSTLY_VALID)


@FUZZ
@given(submission=SUBMISSION)
def test_odd_input_never_fails_and_never_half_saves(world: World, settings: Any, submission: Any) -> None:
    settings.PUBLIC_FORM_RATE_PER_IP = "100000/h"
    settings.PUBLIC_FORM_RATE_PER_EMAIL = "100000/h"
    cache.clear()
    pairs = [
        (name, item)
        for name, value in submission.items()
        if value is not None
        for item in (value if isinstance(value, list) else [value])
    ]
    # Unpaired surrogates cannot be encoded as UTF-8; "surrogatepass" sends the bytes a broken client would.
    body = urlencode(pairs, encoding="utf-8", errors="surrogatepass")
    registrations, events = InterestRegistration.objects.count(), AuditEvent.objects.count()
    url = reverse("public:interest_new", kwargs={"slug": world.home.slug})
    response = Client().post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code in {200, 302, 400, 413}
    event(f"status {response.status_code}")
    added = InterestRegistration.objects.count() - registrations, AuditEvent.objects.count() - events
    if response.status_code == 302:
        assert added == (1, 1)
        registration = InterestRegistration.objects.order_by("-received_at").first()
        assert registration is not None and registration.reference
        registration.full_clean()  # what was stored passes every model check
    else:
        assert added == (0, 0)
