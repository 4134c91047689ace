from __future__ import annotations

import pytest

from bredvid.tenancy.models import Municipality


@pytest.fixture
def published_sites(world):  # type: ignore[no-untyped-def]
    """Both municipalities of the world publish their public sites (unpublished ones are a 404)."""
    Municipality.objects.filter(pk__in=[world.home.pk, world.other.pk]).update(publishes_site=True)
    world.home.refresh_from_db()
    world.other.refresh_from_db()
    return world
