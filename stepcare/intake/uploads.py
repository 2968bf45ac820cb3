"""Upload checks: the type is decided by the file's first bytes, never by its name or the browser's word."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile


@dataclass(frozen=True, slots=True)
class FileType:
    content_type: str
    extension: str


_SIGNATURES: Final[tuple[tuple[bytes, FileType], ...]] = (
    (b"%PDF-", FileType("application/pdf", "pdf")),
    (b"\x89PNG\r\n\x1a\n", FileType("image/png", "png")),
    (b"\xff\xd8\xff", FileType("image/jpeg", "jpg")),
)
UPLOAD_EMPTY_MESSAGE = "The file is empty; choose the report file again."
UPLOAD_TYPE_MESSAGE = "Only PDF, PNG or JPEG files can be uploaded; this file is none of those."
UPLOAD_SIZE_MESSAGE = (
    "The file is {size_mb:.1f} MB; the largest allowed is {max_mb:.0f} MB. Try a smaller scan or a PDF."
)


def max_upload_bytes() -> int:
    return int(getattr(settings, "STEPCARE_UPLOAD_MAX_BYTES", 10 * 1024 * 1024))


def sniff(head: bytes) -> FileType | None:
    """The file type its magic bytes announce, or None when it is not one we accept."""
    for signature, kind in _SIGNATURES:
        if head.startswith(signature):
            return kind
    return None


def check_upload(upload: UploadedFile[bytes]) -> tuple[FileType | None, str | None]:
    """(type, None) when acceptable, else (None, the message that says what to do)."""
    size = upload.size or 0
    if size == 0:
        return None, UPLOAD_EMPTY_MESSAGE
    limit = max_upload_bytes()
    if size > limit:
        return None, UPLOAD_SIZE_MESSAGE.format(size_mb=size / 1024 / 1024, max_mb=limit / 1024 / 1024)
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        return None, UPLOAD_TYPE_MESSAGE
    return kind, None
