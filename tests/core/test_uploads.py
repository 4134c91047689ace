"""Uploads are checked by content, size-limited, stripped of image metadata and stored only when accepted."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from bredvid.core import uploads
from bredvid.expenses import services
from bredvid.expenses.models import Expense, Receipt
from tests.factories import active_assignment

GPS_IFD = 0x8825


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "Telefonmärket"  # Make
    exif[0x0112] = 1  # Orientation
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"  # GPSLatitudeRef
    gps[2] = (57.0, 55.0, 50.0)  # GPSLatitude
    gps[3] = "E"
    gps[4] = (12.0, 4.0, 28.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (10, 10), "white").save(out, format="PDF")
    return out.getvalue()


def stored_files(settings) -> list[Path]:  # type: ignore[no-untyped-def]
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_jpeg_with_gps_is_stored_without_its_metadata() -> None:
    data = jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(GPS_IFD)  # the test file really carries GPS
    clean = uploads.clean_upload(SimpleUploadedFile("kvitto.jpg", data, content_type="image/jpeg"))
    assert clean.content_type == "image/jpeg"
    with Image.open(io.BytesIO(clean.data)) as stripped:
        assert not stripped.getexif()
        assert "exif" not in stripped.info
        assert stripped.size == (64, 48)
    assert b"Telefonm" not in clean.data
    assert clean.sha256 == hashlib.sha256(clean.data).hexdigest()


def test_png_text_chunks_are_dropped() -> None:
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "Hemligadress 12")
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(out, format="PNG", pnginfo=info)
    clean = uploads.clean_upload(SimpleUploadedFile("k.png", out.getvalue()))
    assert clean.content_type == "image/png"
    assert b"Hemligadress" not in clean.data


def test_heic_is_read_and_stored_as_jpeg() -> None:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (32, 32), "green").save(out, format="HEIF")
    clean = uploads.clean_upload(SimpleUploadedFile("IMG_0001.HEIC", out.getvalue()))
    assert clean.content_type == "image/jpeg"
    assert clean.extension == "jpg"


def test_a_pdf_is_kept_as_it_is() -> None:
    data = pdf_bytes()
    clean = uploads.clean_upload(SimpleUploadedFile("kvitto.pdf", data))
    assert (clean.content_type, clean.data) == ("application/pdf", data)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("kvitto.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", "PDF, JPEG, PNG eller HEIC"),
        ("kvitto.pdf", b"", "tom"),
        ("kvitto.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024), "10 MB"),
        ("bild.jpg", b"\xff\xd8\xff\xe0" + b"inte en bild" * 10, "går inte att läsa"),
    ],
    ids=["html-renamed-pdf", "zero-bytes", "eleven-mb", "broken-jpeg"],
)
def test_refused_files(name: str, data: bytes, message: str) -> None:
    with pytest.raises(ValidationError) as error:
        uploads.clean_upload(SimpleUploadedFile(name, data, content_type="application/pdf"), "files")
    assert message in " ".join(error.value.message_dict["files"])


@pytest.mark.parametrize(
    "data",
    [b"<html><body>inte ett kvitto</body></html>", b"", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)],
    ids=["html-renamed-pdf", "zero-bytes", "eleven-mb"],
)
def test_nothing_is_stored_from_a_refused_file(world, settings, data: bytes) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    tenant = world.tenant("family_care_officer")
    with pytest.raises(ValidationError):
        services.submit_expense(
            tenant=tenant,
            assignment=assignment,
            kind=Expense.Kind.EXPENSE,
            description="Biobiljetter",
            incurred_on=dt.date(2027, 6, 10),
            amount=Decimal("240"),
            files=[SimpleUploadedFile("kvitto.pdf", data)],
        )
    assert not Expense.objects.exists()
    assert not Receipt.objects.exists()
    assert stored_files(settings) == []


def test_a_failing_transaction_removes_the_stored_file(world, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    tenant = world.tenant("family_care_officer")

    def broken(**kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("audit down")

    monkeypatch.setattr(services, "record", broken)
    with pytest.raises(RuntimeError):
        services.submit_expense(
            tenant=tenant,
            assignment=assignment,
            kind=Expense.Kind.EXPENSE,
            description="Biobiljetter",
            incurred_on=dt.date(2027, 6, 10),
            amount=Decimal("240"),
            files=[SimpleUploadedFile("kvitto.jpg", jpeg_with_gps())],
        )
    assert not Receipt.objects.exists()
    assert stored_files(settings) == []


def test_an_accepted_receipt_is_stored_stripped_with_its_hash(world, settings) -> None:  # type: ignore[no-untyped-def]
    assignment = active_assignment(world)
    expense = services.submit_expense(
        tenant=world.tenant("family_care_officer"),
        assignment=assignment,
        kind=Expense.Kind.EXPENSE,
        description="Biobiljetter",
        incurred_on=dt.date(2027, 6, 10),
        amount=Decimal("240"),
        files=[SimpleUploadedFile("kvitto.jpg", jpeg_with_gps())],
    )
    receipt = expense.receipts.get()
    (path,) = stored_files(settings)
    data = path.read_bytes()
    assert hashlib.sha256(data).hexdigest() == receipt.sha256
    assert receipt.size == len(data)
    with Image.open(path) as stored:
        assert not stored.getexif()
    assert "kvitto" not in path.name  # the stored name tells nothing


def test_s3_compatible_storage_is_chosen_by_the_environment() -> None:
    """With S3_BUCKET set, uploads go to an S3-compatible bucket (django-storages), privately."""
    import json
    import os
    import subprocess
    import sys

    script = (
        "import django, json; django.setup(); from django.conf import settings;"
        "from django.core.files.storage import storages; s = storages['default'];"
        "print(json.dumps([settings.STORAGES['default']['BACKEND'], type(s).__name__, s.bucket_name,"
        " s.default_acl, s.querystring_auth, s.file_overwrite, s.endpoint_url]))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "S3_BUCKET": "bredvid-kvitton",
        "S3_ENDPOINT_URL": "https://s3.example.invalid",
    }
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    backend, cls, bucket, acl, signed, overwrite, endpoint = json.loads(out.stdout.strip().splitlines()[-1])
    assert (backend, cls, bucket) == ("storages.backends.s3.S3Storage", "S3Storage", "bredvid-kvitton")
    assert (acl, signed, overwrite, endpoint) == (None, True, False, "https://s3.example.invalid")


def test_media_is_not_served_by_address(settings) -> None:  # type: ignore[no-untyped-def]
    from django.test import Client

    root = Path(settings.MEDIA_ROOT)
    (root / "receipts").mkdir(parents=True)
    (root / "receipts" / "x.pdf").write_bytes(pdf_bytes())
    for path in ("/media/receipts/x.pdf", "/receipts/x.pdf", "/static/receipts/x.pdf"):
        assert Client().get(path).status_code in {302, 404}
