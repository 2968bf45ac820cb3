"""AuditEvent: an append-only record of who touched which patient data, when and from where."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from stepcare.records.immutability import AppendOnlyModel, AppendOnlyQuerySet

APPEND_ONLY_MESSAGE = "Audit events are append-only: they cannot be updated or deleted."


class AuditAppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit event."""


class Action(models.TextChoices):
    VIEW = "view", "View"
    SEARCH = "search", "Search"
    CREATE = "create", "Create"
    UPDATE = "update", "Update"
    SIGN = "sign", "Sign"
    AMEND = "amend", "Amend"
    DENIED = "denied", "Access denied"
    LOGIN = "login", "Log in"
    LOGIN_FAILED = "login-failed", "Failed log in"
    LOGOUT = "logout", "Log out"
    PASSWORD_CHANGE = "password-change", "Password change"
    EVALUATE = "evaluate", "Evaluate"
    DECIDE = "decide", "Decide plan step"
    ACKNOWLEDGE = "acknowledge", "Acknowledge triage"
    UPLOAD = "upload", "Upload"


class AuditEventQuerySet(AppendOnlyQuerySet["AuditEvent"]):
    error = AuditAppendOnlyError
    message = APPEND_ONLY_MESSAGE


class AuditEvent(AppendOnlyModel):
    # PROTECT everywhere: a cascade or SET NULL would be an UPDATE/DELETE of audit rows.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, blank=True)
    clinic = models.ForeignKey(
        "records.Clinic", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField(max_length=32, choices=Action.choices)
    patient = models.ForeignKey(
        "records.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    timestamp = models.DateTimeField(default=timezone.now, db_index=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects: ClassVar[AuditEventQuerySet] = AuditEventQuerySet.as_manager()  # type: ignore[assignment]
    append_only_error = AuditAppendOnlyError
    append_only_message = APPEND_ONLY_MESSAGE

    class Meta:
        ordering = ("-timestamp", "-id")
        indexes = [
            models.Index(fields=("clinic", "timestamp")),
            models.Index(fields=("patient", "timestamp")),
        ]

    def __str__(self) -> str:
        return f"{self.timestamp:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        kwargs["force_insert"] = True  # AppendOnlyModel.save() refuses a stored row first
        super().save(*args, **kwargs)
