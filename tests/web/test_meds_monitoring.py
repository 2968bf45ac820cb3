"""Monitoring checks: recorded dates feed the case's `monitoring` block and the due/overdue status."""

from __future__ import annotations

import datetime

from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care.selectors import case_for_patient, patient_today
from stepcare.meds.forms import FUTURE_MONITORING
from stepcare.meds.models import MonitoringEvent
from stepcare.meds.selectors import monitoring_case_data
from stepcare.records.models import Patient
from tests.web.care_helpers import add_medication
from tests.web.conftest import client_for


def record(patient: Patient, user: User, kind: str, day: datetime.date) -> MonitoringEvent:
    return MonitoringEvent.objects.create(patient=patient, kind=kind, date=day, recorded_by=user)


def status_row(html: str, check: str) -> str:
    start = html.index(f'data-check="{check}"')
    return html[start : html.index("</tr>", start)]


def test_the_latest_date_of_each_kind_feeds_the_case(p1: Patient, alice: User) -> None:
    record(p1, alice, "pdmp-reviewed", datetime.date(2026, 1, 10))
    record(p1, alice, "pdmp-reviewed", datetime.date(2026, 2, 10))
    record(p1, alice, "urine-drug-test", datetime.date(2026, 1, 20))
    record(p1, alice, "naloxone-dispensed", datetime.date(2026, 3, 1))

    data = monitoring_case_data(p1, as_of=datetime.date(2026, 2, 28))
    case = case_for_patient(p1, as_of=datetime.date(2026, 2, 28))

    assert data == {"pdmp_reviewed": "2026-02-10", "urine_drug_test": "2026-01-20"}  # nothing after as_of
    assert case["monitoring"] == data


def test_an_overdue_pdmp_review_shows_as_overdue_with_its_due_date(p1: Patient, alice: User) -> None:
    add_medication(p1)
    today = patient_today(p1)
    last = today - datetime.timedelta(days=200)
    record(p1, alice, "pdmp-reviewed", last)
    record(p1, alice, "urine-drug-test", today - datetime.timedelta(days=10))

    html = client_for(alice).get(reverse("meds-list", kwargs={"patient_id": p1.pk})).content.decode()

    pdmp = status_row(html, "pdmp")
    assert 'data-status="overdue"' in pdmp
    assert last.isoformat() in pdmp and (last + datetime.timedelta(days=90)).isoformat() in pdmp
    assert "CDC" in pdmp  # the citation
    assert 'data-status="ok"' in status_row(html, "urine-drug-test")
    assert 'data-status="due"' in status_row(html, "treatment-agreement")  # never recorded: due today


def test_without_an_opioid_no_monitoring_is_due(p1: Patient, alice: User) -> None:
    add_medication(p1, name="gabapentin", dose=300, per_day=3)

    html = client_for(alice).get(reverse("meds-monitoring", kwargs={"patient_id": p1.pk})).content.decode()

    assert "No opioid is active" in html


def test_a_nurse_records_a_check_with_one_audit_event(p1: Patient, bob: User) -> None:
    add_medication(p1)
    today = patient_today(p1)
    before = AuditEvent.objects.count()

    response = client_for(bob).post(
        reverse("meds-monitoring", kwargs={"patient_id": p1.pk}),
        {"kind": "urine-drug-test", "date": today.isoformat(), "note": "as expected"},
    )

    assert response.status_code == 302
    event = MonitoringEvent.objects.get()
    assert (event.kind, event.date, event.recorded_by, event.note) == (
        "urine-drug-test",
        today,
        bob,
        "as expected",
    )
    assert AuditEvent.objects.count() - before == 1
    html = client_for(bob).get(reverse("meds-list", kwargs={"patient_id": p1.pk})).content.decode()
    assert 'data-status="ok"' in status_row(html, "urine-drug-test")


def test_a_future_check_is_refused_and_the_note_kept(p1: Patient, alice: User) -> None:
    tomorrow = patient_today(p1) + datetime.timedelta(days=1)

    response = client_for(alice).post(
        reverse("meds-monitoring", kwargs={"patient_id": p1.pk}),
        {"kind": "pdmp-reviewed", "date": tomorrow.isoformat(), "note": "typed note"},
    )

    assert response.status_code == 400
    assert (
        FUTURE_MONITORING in response.content.decode() and 'value="typed note"' in response.content.decode()
    )
    assert MonitoringEvent.objects.count() == 0


def test_a_recorded_naloxone_dispensing_quiets_the_naloxone_offer(p1: Patient, alice: User) -> None:
    add_medication(p1, per_day=6)  # 90 MME
    url = reverse("meds-list", kwargs={"patient_id": p1.pk})
    client = client_for(alice)

    assert 'data-code="naloxone-offer"' in client.get(url).content.decode()
    record(p1, alice, "naloxone-dispensed", patient_today(p1))
    assert 'data-code="naloxone-offer"' not in client.get(url).content.decode()
