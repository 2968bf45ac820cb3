"""Reading the audit log: a clinic admin sees their own clinic's events, filtered."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from stepcare.audit.models import AuditEvent

if TYPE_CHECKING:
    from stepcare.accounts.models import User
    from stepcare.records.models import Patient


def audit_events_for_clinic(
    *,
    admin: User,
    user: User | None = None,
    patient: Patient | None = None,
    action: str = "",
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
) -> QuerySet[AuditEvent]:
    """Events of the admin's clinic, newest first, narrowed by the optional filters.

    Dates are calendar days in the active zone (the clinic's, set by ClinicTimeZoneMiddleware): Django
    converts each UTC timestamp to it before taking its date.
    """
    if admin.clinic_id is None:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(clinic_id=admin.clinic_id).select_related("user", "patient")
    if user is not None:
        events = events.filter(user=user)
    if patient is not None:
        events = events.filter(patient=patient)
    if action:
        events = events.filter(action=action)
    if date_from is not None:
        events = events.filter(timestamp__date__gte=date_from)
    if date_to is not None:
        events = events.filter(timestamp__date__lte=date_to)
    return events.order_by("-timestamp", "-id")
