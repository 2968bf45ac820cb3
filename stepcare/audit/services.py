"""Writing audit events. Every read or write of patient data goes through audit_record once per request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.http import HttpRequest

from stepcare.audit.models import AuditEvent

if TYPE_CHECKING:
    from stepcare.accounts.models import User
    from stepcare.records.models import Patient


def client_address(request: HttpRequest) -> str | None:
    """REMOTE_ADDR only: forwarded headers are client-controlled unless a trusted proxy rewrites them."""
    address = request.META.get("REMOTE_ADDR") or None
    return str(address) if address else None


def audit_record(
    *,
    action: str,
    request: HttpRequest | None = None,
    user: User | None = None,
    patient: Patient | None = None,
    obj: models.Model | None = None,
    detail: dict[str, Any] | None = None,
    username: str = "",
) -> AuditEvent:
    """Append one audit event; the acting user comes from `user` or else the request's user."""
    if user is None and request is not None:
        request_user = getattr(request, "user", None)
        if request_user is not None and request_user.is_authenticated:
            user = request_user
    clinic_id = None
    if user is not None:
        clinic_id = user.clinic_id
    elif patient is not None:
        clinic_id = patient.clinic_id
    event = AuditEvent(
        user=user,
        username=user.username if user is not None else username,
        role=user.role if user is not None else "",
        clinic_id=clinic_id,
        action=action,
        patient=patient,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        client_address=client_address(request) if request is not None else None,
        path=request.get_full_path()[:500] if request is not None else "",
        detail=detail or {},
    )
    event.save()
    return event
