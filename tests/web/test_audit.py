"""Audit: one event per patient-data request, with who/what/where; rows can never change or vanish."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditAppendOnlyError, AuditEvent
from stepcare.audit.services import audit_record
from stepcare.records.models import Encounter, Patient
from stepcare.records.selectors import clinic_today
from tests.web.conftest import client_for


def test_chart_view_writes_exactly_one_event(alice: User, p1: Patient) -> None:
    client = client_for(alice, address="192.0.2.44")

    response = client.get(
        reverse("patient-chart", kwargs={"patient_id": p1.pk}), HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert (event.user, event.role, event.patient, event.action) == (alice, "physician", p1, "view")
    assert event.client_address == "192.0.2.44"  # REMOTE_ADDR only; the forwarded header is ignored
    assert event.path == f"/patients/{p1.pk}/"
    assert event.clinic_id == alice.clinic_id
    assert event.timestamp.tzinfo is not None
    assert event.timestamp.utcoffset() == datetime.timedelta(0)


def test_sign_writes_exactly_one_sign_event(alice: User, draft_p1: Encounter) -> None:
    client_for(alice).post(reverse("encounter-sign", kwargs={"encounter_id": draft_p1.pk}))

    event = AuditEvent.objects.get()
    assert (event.action, event.patient_id, event.object_id) == (
        "sign",
        draft_p1.patient_id,
        str(draft_p1.pk),
    )


@pytest.fixture
def event(alice: User, p1: Patient) -> AuditEvent:
    return audit_record(user=alice, action="view", patient=p1, obj=p1)


def test_model_save_refuses_to_update(event: AuditEvent) -> None:
    event.action = "update"

    with pytest.raises(AuditAppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_model_delete_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditAppendOnlyError):
        event.delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_queryset_update_and_delete_refused(event: AuditEvent) -> None:
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(action="update")
    with pytest.raises(AuditAppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_raw_sql_update_blocked_by_trigger(event: AuditEvent) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditevent SET action = 'update' WHERE id = %s", [event.pk])

    assert AuditEvent.objects.get(pk=event.pk).action == "view"


def test_raw_sql_delete_blocked_by_trigger(event: AuditEvent) -> None:
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_protected_patient_cannot_be_deleted_while_audited(event: AuditEvent, p1: Patient) -> None:
    with pytest.raises(ProtectedError):
        p1.delete()


def test_admin_sees_and_filters_own_clinic_log(
    ada: User, alice: User, bob: User, p1: Patient, charlie: User
) -> None:
    audit_record(user=alice, action="view", patient=p1)
    audit_record(user=bob, action="update", patient=p1)
    audit_record(user=charlie, action="view")  # clinic B: never shown to clinic A's admin
    client = client_for(ada)

    everything = client.get(reverse("audit-log"))
    by_bob = client.get(reverse("audit-log"), {"user": bob.pk})
    by_action = client.get(reverse("audit-log"), {"action": "view", "patient_mrn": p1.mrn})

    assert everything.context["page"].paginator.count == 2
    assert "charlie" not in everything.content.decode()
    assert [e.user for e in by_bob.context["page"].object_list] == [bob]
    assert [e.user for e in by_action.context["page"].object_list] == [alice]


def test_audit_log_filters_by_date_range_and_pages(ada: User, alice: User) -> None:
    for _ in range(55):
        audit_record(user=alice, action="view")
    client = client_for(ada)
    today = clinic_today(ada)  # the filter's days are the clinic's (America/Chicago), not UTC's

    day = today.isoformat()
    first = client.get(reverse("audit-log"), {"user": alice.pk, "date_from": day, "date_to": day})
    second = client.get(reverse("audit-log"), {"user": alice.pk, "date_from": day, "page": 2})
    yesterday = (today - datetime.timedelta(days=1)).isoformat()
    none = client.get(reverse("audit-log"), {"date_to": yesterday})

    assert first.context["page"].paginator.count == 55
    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 5
    assert none.context["page"].paginator.count == 0


def test_audit_log_bad_filter_names_the_field(ada: User) -> None:
    response = client_for(ada).get(reverse("audit-log"), {"date_from": "31/12/2026", "patient_mrn": "NOPE"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "date_from": ["Enter the 'from' date as YYYY-MM-DD."],
        "patient_mrn": ["No patient with MRN NOPE at your clinic."],
    }
