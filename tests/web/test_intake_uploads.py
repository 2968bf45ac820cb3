"""Scan report uploads: type by magic bytes, size limit, storage outside public media, checked downloads."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.intake.models import IntakeUpload
from stepcare.intake.uploads import UPLOAD_EMPTY_MESSAGE, UPLOAD_TYPE_MESSAGE, sniff
from stepcare.records.models import Patient
from tests.web.conftest import client_for
from tests.web.intake_helpers import IMAGING, portal_step, walk

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    return tmp_path / "uploads"


def at_imaging(user: User) -> Client:
    client = client_for(user)
    client.post(reverse("portal-intake"))
    walk(client, portal_step, until="imaging")
    return client


def post_report(client: Client, content: bytes, name: str = "mri-report.pdf", **extra: str) -> object:
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(portal_step("imaging"), {**IMAGING, "report": upload, "upload": "1", **extra})


@pytest.mark.parametrize(
    ("content", "kind"), [(PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg")]
)
def test_pdf_png_and_jpeg_are_accepted_by_their_magic_bytes(content: bytes, kind: str) -> None:
    found = sniff(content[:16])
    assert found is not None and found.content_type == kind


def test_upload_is_stored_under_a_random_name_and_the_step_stays(pat: User, p1: Patient, media: Path) -> None:
    client = at_imaging(pat)

    response = post_report(client, PDF)

    assert response.status_code == 302
    assert response["Location"] == portal_step("imaging")
    upload = IntakeUpload.objects.get()
    assert upload.original_name == "mri-report.pdf"
    assert upload.content_type == "application/pdf"
    assert upload.size == len(PDF)
    assert upload.uploaded_by == pat
    stored = Path(upload.file.path)
    assert stored.is_relative_to(media)
    assert "mri-report" not in stored.name and stored.suffix == ".pdf"
    assert stored.read_bytes() == PDF
    assert AuditEvent.objects.filter(action="upload", patient=p1).count() == 1
    assert "mri-report.pdf" in client.get(portal_step("imaging")).content.decode()


def test_a_disguised_file_is_refused_with_a_clear_error_and_the_rows_are_kept(pat: User, p1: Patient) -> None:
    client = at_imaging(pat)

    response = post_report(client, b"MZ\x90\x00 not really a pdf", name="report.pdf")

    html = response.content.decode()
    assert response.status_code == 400
    assert UPLOAD_TYPE_MESSAGE in html
    assert 'value="Slipped disc"' in html
    assert not IntakeUpload.objects.exists()


def test_an_empty_file_is_refused(pat: User, p1: Patient) -> None:
    response = post_report(at_imaging(pat), b"")

    assert response.status_code == 400
    assert (
        UPLOAD_EMPTY_MESSAGE in response.content.decode()
        or "The submitted file is empty." in response.content.decode()
    )


def test_a_file_over_the_size_limit_is_refused(pat: User, p1: Patient, settings: Any) -> None:
    settings.STEPCARE_UPLOAD_MAX_BYTES = 1024

    response = post_report(at_imaging(pat), PDF + b"\x00" * 2048)

    html = response.content.decode()
    assert response.status_code == 400
    assert "the largest allowed is" in html
    assert not IntakeUpload.objects.exists()


def _close(response: Any) -> None:
    """Close a streamed file response without request_finished closing the test's DB connection."""
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)


def test_download_goes_through_the_permission_checked_view(
    pat: User, quinn: User, alice: User, charlie: User, p1: Patient
) -> None:
    post_report(at_imaging(pat), PDF)
    upload = IntakeUpload.objects.get()
    url = reverse("intake-upload", args=[upload.pk])

    own = client_for(pat).get(url)
    assert own.status_code == 200
    assert b"".join(own.streaming_content) == PDF  # type: ignore[attr-defined]
    _close(own)
    assert own["Content-Type"] == "application/pdf"
    assert 'attachment; filename="mri-report.pdf"' in own["Content-Disposition"]
    staff = client_for(alice).get(url)
    _close(staff)
    assert staff.status_code == 200
    assert client_for(quinn).get(url).status_code == 404  # another patient
    assert client_for(charlie).get(url).status_code == 404  # another clinic
    assert AuditEvent.objects.filter(action="denied", detail__object_type="intake.intakeupload").count() == 2
    assert AuditEvent.objects.filter(action="view", detail__page="upload-download").count() == 2


def test_uploads_are_not_reachable_as_public_media(pat: User, p1: Patient, settings: Any) -> None:
    post_report(at_imaging(pat), PDF)
    upload = IntakeUpload.objects.get()

    assert client_for(pat).get(settings.MEDIA_URL + upload.file.name).status_code == 404
