"""Uploaded files (receipts now, secure messages later): checked, cleaned, hashed, then stored.

`clean_upload(upload)` decides by the file's content, never by its name or the browser's content
type: `filetype` reads the magic bytes and only PDF, JPEG, PNG and HEIC pass. A file over
`UPLOAD_MAX_BYTES` (10 MB) or of 0 bytes is refused before anything is kept. Images are opened with
Pillow (HEIC through pillow-heif) and encoded again from their pixels, so EXIF (with GPS), XMP,
IPTC and PNG text chunks are gone; the orientation EXIF carried is applied to the pixels first. A
HEIC photo is stored as JPEG (every browser shows it). The SHA-256 is of the bytes stored.

`store(cleaned, folder)` writes through Django's storage API (`default_storage`: the private
MEDIA_ROOT, or S3-compatible storage via django-storages; config/settings.py), and `removed_on_error`
deletes what was stored when the transaction that was to record it fails, so a refused or failed
upload leaves neither a row nor a file. Files are never served by URL: a view checks permission
through the owning row's `visible_to` and streams them (`stream`), and audits the read.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import filetype
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

UPLOAD_MAX_BYTES = 10 * 1024 * 1024
#: Larger images are refused (decompression bombs; a receipt photo is far smaller).
MAX_PIXELS = 60_000_000

#: What `filetype` finds → (content type stored, file extension stored).
ACCEPTED: dict[str, tuple[str, str]] = {
    "application/pdf": ("application/pdf", "pdf"),
    "image/jpeg": ("image/jpeg", "jpg"),
    "image/png": ("image/png", "png"),
    "image/heic": ("image/jpeg", "jpg"),
    "image/heif": ("image/jpeg", "jpg"),
}
IMAGE_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG"}


@dataclass(frozen=True)
class CleanFile:
    """An accepted upload, ready to store: the bytes to keep and what they are."""

    data: bytes
    content_type: str
    extension: str
    sha256: str
    original_name: str

    @property
    def size(self) -> int:
        return len(self.data)


def _refuse(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def read_limited(upload: Any, field: str = "file") -> bytes:
    """The upload's bytes, refused when empty or over the limit (never reading more than the limit)."""
    if upload is None:
        raise _refuse(field, _("Välj en fil."))
    declared = getattr(upload, "size", None)
    if declared is not None and declared > UPLOAD_MAX_BYTES:
        raise _refuse(field, _("Filen får vara högst 10 MB."))
    upload.seek(0)
    data: bytes = upload.read(UPLOAD_MAX_BYTES + 1)
    if len(data) > UPLOAD_MAX_BYTES:
        raise _refuse(field, _("Filen får vara högst 10 MB."))
    if not data:
        raise _refuse(field, _("Filen är tom."))
    return data


def _reencoded(data: bytes, kind: str, field: str) -> bytes:
    """The image drawn again from its pixels: no EXIF, GPS, XMP or text chunks survive."""
    import pillow_heif
    from PIL import Image, ImageOps, UnidentifiedImageError

    pillow_heif.register_heif_opener()
    refused = _refuse(field, _("Bilden går inte att läsa."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_PIXELS:
                raise _refuse(field, _("Bilden är för stor."))
            image.load()
            upright = ImageOps.exif_transpose(image)
            target = IMAGE_FORMATS.get(kind, "JPEG")
            if target == "JPEG" and upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            # A new image from the pixels alone: `info` (EXIF, XMP, ICC text, PNG chunks) stays behind.
            clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
            palette = upright.getpalette() if upright.mode == "P" else None
            if palette:
                clean.putpalette(palette)
            out = io.BytesIO()
            if target == "JPEG":
                clean.save(out, format="JPEG", quality=90, optimize=True)
            else:
                clean.save(out, format="PNG", optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise refused from exc
    return out.getvalue()


def clean_upload(upload: Any, field: str = "file") -> CleanFile:
    """Check an uploaded file by its content and return what to store; `ValidationError` on `field`."""
    data = read_limited(upload, field)
    kind = filetype.guess_mime(data)
    if kind not in ACCEPTED:
        raise _refuse(field, _("Filen måste vara en PDF, JPEG, PNG eller HEIC."))
    content_type, extension = ACCEPTED[kind]
    if kind != "application/pdf":
        data = _reencoded(data, kind, field)
    name = get_valid_filename(str(getattr(upload, "name", "") or "fil"))[:150] or "fil"
    return CleanFile(
        data=data,
        content_type=content_type,
        extension=extension,
        sha256=hashlib.sha256(data).hexdigest(),
        original_name=name,
    )


def store(data: bytes, folder: str, extension: str) -> str:
    """Write the bytes through the storage API under a name that tells nothing; return the name."""
    import uuid

    return default_storage.save(f"{folder}/{uuid.uuid4().hex}.{extension}", ContentFile(data))


@contextmanager
def removed_on_error(names: list[str]) -> Iterator[list[str]]:
    """Delete the stored files named in `names` if the block (the recording transaction) fails."""
    try:
        yield names
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


def read_stored(name: str) -> bytes:
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()  # type: ignore[no-any-return]
    except FileNotFoundError as exc:
        raise Http404 from exc


def stream(name: str, *, content_type: str, filename: str, inline: bool = False) -> FileResponse:
    """The stored file as a response that is never cached and never sniffed into something else."""
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
