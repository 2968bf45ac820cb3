"""The clinician chart: evaluation panel, trend charts (JSON + text alternative), timeline, snapshots."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care.models import EvaluationSnapshot, SnapshotAppendOnlyError
from stepcare.records.models import Encounter, Patient
from tests.web.care_helpers import (
    RADICULAR_EXAM,
    RADICULAR_PAIN,
    add_measurement,
    add_medication,
    add_note,
    history,
    use_intake,
)
from tests.web.conftest import client_for, make_encounter


@pytest.fixture
def radicular(p1: Patient, alice: User, draft_p1: Encounter, monkeypatch: pytest.MonkeyPatch) -> Patient:
    use_intake(monkeypatch)
    add_note(draft_p1, alice, exam=RADICULAR_EXAM)
    add_medication(p1)  # oxycodone 10 mg x4 = 60 MME
    add_measurement(p1, "peg", datetime.date(2026, 1, 5), 8.0, [8, 8, 8])
    add_measurement(p1, "peg", datetime.date(2026, 3, 2), 6.0, [6, 6, 6])
    add_measurement(p1, "phq9", datetime.date(2026, 3, 2), 6.0, [1, 1, 1, 1, 1, 1, 0, 0, 0])
    return p1


def _chart(user: User, patient: Patient, **params: str) -> str:
    response = client_for(user).get(reverse("care-chart", kwargs={"patient_id": patient.pk}), params)
    assert response.status_code == 200
    return response.content.decode()


def test_evaluation_panel_shows_radiculopathy_with_its_supporting_features(
    radicular: Patient, alice: User
) -> None:
    page = _chart(alice, radicular)

    assert "Clinical decision support for licensed clinicians — the clinician decides." in page
    assert 'data-code="lumbar-radiculopathy"' in page
    differential = page[page.index('id="differential"') :]
    first = differential[: differential.index("</li>")]
    assert "lumbar-radiculopathy" in first
    assert "positive straight leg raise" in first
    assert "dermatomal sensory loss" in first
    assert 'Triage: <span class="level">routine</span>' in page
    assert 'id="ev-chronicity">chronic<' in page


def test_alerts_show_severity_and_citation(radicular: Patient, alice: User) -> None:
    page = _chart(alice, radicular)
    snapshot = EvaluationSnapshot.objects.get(patient=radicular)

    alerts = snapshot.result["alerts"]
    assert any(a["code"] == "mme-50" for a in alerts)
    for alert in alerts:
        assert f'data-code="{alert["code"]}"' in page
        assert alert["citation"] and alert["citation"] in page.replace("&#x27;", "'").replace("&amp;", "&")
    assert f'id="ev-mme">{snapshot.result["mme"]["total"]} mg/day' in page


def test_charts_json_has_series_markers_and_a_text_summary(radicular: Patient, alice: User) -> None:
    page = _chart(alice, radicular)

    start = page.index('<script id="care-charts-data" type="application/json">') + len(
        '<script id="care-charts-data" type="application/json">'
    )
    charts = json.loads(page[start : page.index("</script>", start)])
    pain = next(g for g in charts["groups"] if g["id"] == "pain")
    peg = next(s for s in pain["series"] if s["instrument"] == "peg")
    assert peg["points"] == [{"x": "2026-01-05", "y": 8.0}, {"x": "2026-03-02", "y": 6.0}]
    assert {"x": "2026-01-05", "label": "Started oxycodone"} in charts["markers"]
    assert pain["summary"][0]["baseline"] == 8.0 and pain["summary"][0]["latest"] == 6.0
    assert 'id="chart-pain"' in page and 'aria-describedby="summary-pain"' in page
    assert 'id="summary-pain"' in page
    assert "vendor/chartjs/chart.umd.min.js" in page


def test_first_view_today_saves_a_snapshot_and_the_second_reuses_it(radicular: Patient, alice: User) -> None:
    _chart(alice, radicular)
    _chart(alice, radicular)

    snapshot = EvaluationSnapshot.objects.get(patient=radicular)
    assert snapshot.created_by == alice
    assert snapshot.knowledge_version == snapshot.result["knowledge_version"]
    actions = list(
        AuditEvent.objects.filter(patient=radicular).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["evaluate", "view"]  # one event per request


def test_evaluate_button_saves_a_new_snapshot(radicular: Patient, bob: User) -> None:
    client = client_for(bob)
    client.get(reverse("care-chart", kwargs={"patient_id": radicular.pk}))

    response = client.post(reverse("care-evaluate", kwargs={"patient_id": radicular.pk}))

    assert response.status_code == 302
    assert EvaluationSnapshot.objects.filter(patient=radicular).count() == 2
    assert AuditEvent.objects.filter(patient=radicular, action="evaluate").count() == 2


def test_snapshots_are_append_only(radicular: Patient, alice: User) -> None:
    _chart(alice, radicular)
    snapshot = EvaluationSnapshot.objects.get(patient=radicular)

    with pytest.raises(SnapshotAppendOnlyError):
        snapshot.save()
    with pytest.raises(SnapshotAppendOnlyError):
        EvaluationSnapshot.objects.filter(pk=snapshot.pk).update(result={})
    with pytest.raises(SnapshotAppendOnlyError):
        snapshot.delete()


def test_invalid_stored_data_is_listed_on_the_page(p1: Patient, alice: User) -> None:
    add_measurement(p1, "phq9", datetime.date(2026, 3, 1), 5.0, [1, 1, 1])

    page = _chart(alice, p1)

    assert "Some stored data could not be used" in page
    assert "questionnaires[0].items: phq9 needs 9 answers, got 3" in page


def test_timeline_lists_encounters_questionnaires_and_medication_changes(
    radicular: Patient, alice: User
) -> None:
    page = _chart(alice, radicular)

    assert "Started oxycodone" in page
    assert "Follow-up (draft)" in page
    assert "PEG three-item pain intensity" in page


def test_timeline_filter_returns_only_the_fragment_for_htmx(radicular: Patient, alice: User) -> None:
    response = client_for(alice).get(
        reverse("care-chart", kwargs={"patient_id": radicular.pk}),
        {"kind": "medication"},
        HTTP_HX_REQUEST="true",
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<tbody id="timeline-rows">')
    assert "Started oxycodone" in body
    assert "Follow-up" not in body
    assert not EvaluationSnapshot.objects.filter(patient=radicular).exists()  # the fragment does not evaluate
    assert AuditEvent.objects.filter(patient=radicular, action="view").count() == 1


def test_a_long_timeline_shows_the_newest_rows_and_offers_the_rest(
    p1: Patient, alice: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from stepcare.care.views import TIMELINE_ROWS

    use_intake(monkeypatch)
    history(p1, 40)  # 120 measurements and 10 medications started and stopped: 140 rows

    page = _chart(alice, p1)
    everything = _chart(alice, p1, all="1")

    assert page.count('<tr class="tl-') == TIMELINE_ROWS
    assert "40 older entries not shown." in page
    assert 'href="?all=1#timeline-title"' in page
    assert everything.count('<tr class="tl-') == 140
    assert "timeline-older" not in everything


def _query_count(user: User, patient: Patient) -> int:
    client = client_for(user)
    url = reverse("care-chart", kwargs={"patient_id": patient.pk})
    client.get(url)  # today's snapshot exists from here on
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _visits(patient: Patient, doctor: User, count: int) -> None:
    """`count` signed encounters, each with a structured note, and performed procedures (one in four)."""
    from stepcare.care.models import ClinicalProfile
    from stepcare.intake.models import Intake, IntakeStatus
    from tests.web.procedure_helpers import performed

    for i in range(count):
        day = datetime.date(2024, 1, 1) + datetime.timedelta(days=28 * i)
        encounter = make_encounter(patient, doctor, date=day)
        add_note(encounter, doctor, exam=RADICULAR_EXAM)
        encounter.status, encounter.signed_by, encounter.signed_at = "signed", doctor, timezone.now()
        encounter.save(update_fields=["status", "signed_by", "signed_at"])
        if i % 4 == 0:
            performed(patient, doctor, "epidural-steroid-injection", day, relief=60.0)
    Intake.objects.create(
        patient=patient,
        clinic=patient.clinic,
        started_by=doctor,
        current_step="review",
        status=IntakeStatus.SUBMITTED,
        data={**RADICULAR_PAIN, "patient": {"conditions": ["hypertension"], "liver_disease": "none"}},
        submitted_at=timezone.now(),
    )
    for i in range(max(1, count // 10)):  # the clinician's profile, re-recorded now and then
        ClinicalProfile.objects.create(
            patient=patient, egfr=70 - i, conditions=["diabetes"], recorded_by=doctor
        )


def test_chart_runs_the_same_small_number_of_queries_whatever_the_history(
    p1: Patient, p2: Patient, alice: User
) -> None:
    # Questionnaires, goal measures, medication changes, signed encounters with notes, procedures and the
    # submitted intake: a short history and a five-year one.
    history(p1, 3)
    _visits(p1, alice, 2)
    history(p2, 130)
    _visits(p2, alice, 60)

    short, long = _query_count(alice, p1), _query_count(alice, p2)

    assert short == long
    assert long <= 14
