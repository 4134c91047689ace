from __future__ import annotations

import io

import pytest
from PIL import Image

from bredvid.tenancy.context import Tenant


@pytest.fixture(autouse=True)
def _locmem_mail(settings):  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def admin(world) -> Tenant:  # type: ignore[no-untyped-def]
    return world.tenant("admin")


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (40, 20)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (29, 112, 184)).save(buffer, format=kind)
    return buffer.getvalue()
