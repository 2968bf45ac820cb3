"""The clinical profile: the clinician's eGFR, liver disease, conditions, pregnancy and psychological
clearance reach the engine (with the intake's health answers), on a role-checked, audited page."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care import selectors
from stepcare.care.forms import (
    CONDITION_LABELS,
    EGFR_DATE_REQUIRED,
    EGFR_MESSAGE,
    FUTURE_DATE_MESSAGE,
    PSYCH_DATE_REQUIRED,
)
from stepcare.care.models import ClinicalProfile, EvaluationSnapshot, ProfileAppendOnlyError
from stepcare.care.services import clinical_profile_record
from stepcare.clinical import vocab
from stepcare.intake.models import Intake, IntakeStatus
from stepcare.records.models import Patient
from tests.web.care_helpers import add_medication, add_note, use_intake
from tests.web.conftest import client_for, make_encounter

pytestmark = pytest.mark.django_db

KNEE_PAIN: dict[str, Any] = {
    "pain": {
        "duration_days": 900,
        "sites": [{"region": "knee", "side": "bilateral"}],
        "qualities": ["aching"],
        "symptoms": ["morning-stiffness"],
        "worse_with": ["walking"],
    },
}
POST_LAMINECTOMY: dict[str, Any] = {
    "pain": {
        "duration_days": 1400,
        "sites": [{"region": "low-back", "side": "midline"}],
        "radiation": ["thigh", "below-knee"],
        "qualities": ["burning"],
    },
}
EMPTY_FORM = {
    "egfr": "",
    "egfr_date": "",
    "liver_disease": "",
    "pregnant": "",
    "psych_evaluation_date": "",
    "psych_cleared": "",
    "note": "",
}


def profile_url(patient: Patient) -> str:
    return reverse("care-clinical-profile", kwargs={"patient_id": patient.pk})


def chart_evaluation(user: User, patient: Patient) -> dict[str, Any]:
    """Open the chart as a clinician would; the evaluation it shows is the latest snapshot."""
    assert client_for(user).get(reverse("care-chart", kwargs={"patient_id": patient.pk})).status_code == 200
    snapshot = selectors.latest_snapshot(patient)
    assert snapshot is not None
    return {"case": snapshot.case, "result": snapshot.result}


def plan_codes(evaluation: dict[str, Any]) -> list[str]:
    return [step["code"] for step in evaluation["result"]["plan"]]


def alert_codes(evaluation: dict[str, Any]) -> list[str]:
    return [alert["code"] for alert in evaluation["result"]["alerts"]]


def days_ago(patient: Patient, days: int) -> str:
    return (selectors.patient_today(patient) - datetime.timedelta(days=days)).isoformat()


@pytest.fixture
def knee_patient(monkeypatch: pytest.MonkeyPatch, p1: Patient, alice: User) -> Patient:
    """Knee osteoarthritis confirmed at a visit; the knee pain story from the intake."""
    use_intake(monkeypatch, KNEE_PAIN)
    add_note(make_encounter(p1, alice), alice, diagnoses=["knee-osteoarthritis"])
    return p1


# ------------------------------------------------------------------------------- reaching the engine
def test_ckd_entered_by_the_clinician_removes_the_oral_nsaid_from_the_charts_plan(
    knee_patient: Patient, alice: User
) -> None:
    before = chart_evaluation(alice, knee_patient)
    assert "nsaid-oral" in plan_codes(before)  # the step the profile must take away

    response = client_for(alice).post(
        profile_url(knee_patient),
        {**EMPTY_FORM, "egfr": "25", "egfr_date": days_ago(knee_patient, 10), "conditions": ["ckd"]},
    )

    assert response.status_code == 302
    after = chart_evaluation(alice, knee_patient)
    assert after["case"]["patient"]["egfr"] == 25
    assert after["case"]["patient"]["conditions"] == ["ckd"]
    assert "nsaid-oral" not in plan_codes(after)
    assert "nsaid-topical" in plan_codes(after)


def test_naproxen_for_a_patient_with_a_low_egfr_raises_the_kidney_alert(
    knee_patient: Patient, alice: User
) -> None:
    add_medication(knee_patient, name="naproxen", dose=500, per_day=2, start=datetime.date(2025, 6, 1))
    assert "nsaid-kidney" not in alert_codes(chart_evaluation(alice, knee_patient))

    client_for(alice).post(
        profile_url(knee_patient), {**EMPTY_FORM, "egfr": "25", "egfr_date": days_ago(knee_patient, 3)}
    )

    assert "nsaid-kidney" in alert_codes(chart_evaluation(alice, knee_patient))


def test_conditions_from_a_submitted_intake_reach_the_evaluation(p1: Patient, alice: User) -> None:
    Intake.objects.create(
        patient=p1,
        clinic=p1.clinic,
        started_by=alice,
        current_step="review",
        status=IntakeStatus.SUBMITTED,
        submitted_at=timezone.now(),
        data={**KNEE_PAIN, "patient": {"conditions": ["ckd", "peptic-ulcer"], "liver_disease": "mild"}},
    )
    add_note(make_encounter(p1, alice), alice, diagnoses=["knee-osteoarthritis"])

    evaluation = chart_evaluation(alice, p1)

    patient = evaluation["case"]["patient"]
    assert patient["conditions"] == ["ckd", "peptic-ulcer"]
    assert patient["liver_disease"] == "mild"
    assert patient["age"] == p1.age_on(selectors.patient_today(p1))  # the record's, always
    assert "nsaid-oral" not in plan_codes(evaluation)


def test_psychological_clearance_meets_the_scs_implant_criterion(
    monkeypatch: pytest.MonkeyPatch, p1: Patient, alice: User
) -> None:
    trial = {
        "code": "scs-trial",
        "date": days_ago(p1, 30),
        "relief_percent": 60,
        "relief_hours": 168,
        "function_improved": True,
    }
    use_intake(monkeypatch, {**POST_LAMINECTOMY, "procedures": [trial]})
    add_note(make_encounter(p1, alice), alice, diagnoses=["post-laminectomy-syndrome"])
    before = chart_evaluation(alice, p1)["result"]["eligibility"]["scs-implant"]
    assert not before["eligible"]
    assert any(u.startswith("psychological evaluation") for u in before["unmet"])

    client_for(alice).post(
        profile_url(p1),
        {**EMPTY_FORM, "psych_evaluation_date": days_ago(p1, 60), "psych_cleared": "yes"},
    )

    evaluation = chart_evaluation(alice, p1)
    after = evaluation["result"]["eligibility"]["scs-implant"]
    assert evaluation["case"]["psych_evaluation"] == {"cleared": True, "date": days_ago(p1, 60)}
    assert after["eligible"]
    assert any(m.startswith("psychological evaluation with clearance") for m in after["met"])


def test_conditions_are_the_union_and_the_clinicians_facts_win(p1: Patient, alice: User) -> None:
    profile = ClinicalProfile.objects.create(
        patient=p1,
        egfr=48,
        egfr_date=datetime.date(2025, 12, 1),
        liver_disease="none",
        conditions=["hypertension", "ckd"],
        pregnant=False,
        recorded_by=alice,
    )
    data = selectors.CareData(
        patient=p1,
        measurements=[],
        medications=[],
        latest_note=None,
        intake={"patient": {"conditions": ["ckd", "diabetes"], "pregnant": True, "liver_disease": "mild"}},
    )

    case = selectors.assemble_case(data).case

    assert case["patient"]["conditions"] == ["ckd", "hypertension", "diabetes"]  # contract order
    assert case["patient"]["pregnant"] is False
    assert case["patient"]["liver_disease"] == "none"
    assert case["patient"]["egfr"] == 48
    assert "psych_evaluation" not in case
    assert selectors.latest_clinical_profile(p1) == profile


def test_unset_profile_fields_keep_the_intakes_answers(p1: Patient, alice: User) -> None:
    ClinicalProfile.objects.create(patient=p1, conditions=[], recorded_by=alice)
    data = selectors.CareData(
        patient=p1,
        measurements=[],
        medications=[],
        latest_note=None,
        intake={"patient": {"conditions": ["copd"], "pregnant": True, "liver_disease": "severe"}},
    )

    patient = selectors.assemble_case(data).case["patient"]

    assert patient["conditions"] == ["copd"]
    assert patient["pregnant"] is True
    assert patient["liver_disease"] == "severe"
    assert "egfr" not in patient


# ------------------------------------------------------------------------------------------ the page
def test_a_save_appends_a_profile_and_the_latest_one_is_shown(p1: Patient, alice: User, bob: User) -> None:
    client_for(alice).post(
        profile_url(p1), {**EMPTY_FORM, "egfr": "52", "egfr_date": days_ago(p1, 40), "note": "PCP labs"}
    )
    client_for(bob).post(
        profile_url(p1),
        {**EMPTY_FORM, "egfr": "31", "egfr_date": days_ago(p1, 2), "conditions": ["ckd", "diabetes"]},
    )

    rows = list(ClinicalProfile.objects.filter(patient=p1).order_by("id"))
    html = client_for(alice).get(profile_url(p1)).content.decode()

    assert [(r.egfr, r.recorded_by) for r in rows] == [(52, alice), (31, bob)]
    assert rows[1].conditions == ["ckd", "diabetes"]
    assert 'name="egfr" value="31.0"' in html  # the form starts from the latest profile
    assert "31 mL/min/1.73 m²" in html
    assert html.count("<tr>") == 1 + 2  # header and both recorded profiles
    assert "PCP labs" in html


@pytest.mark.parametrize(
    ("bad", "field", "message"),
    [
        ({"egfr": "250"}, "egfr", EGFR_MESSAGE),
        ({"egfr": "lots"}, "egfr", EGFR_MESSAGE),
        ({"egfr_date": ""}, "egfr_date", EGFR_DATE_REQUIRED),
        ({"egfr_date": "2999-01-01"}, "egfr_date", FUTURE_DATE_MESSAGE.split("(")[0]),
        ({"psych_evaluation_date": "", "psych_cleared": "yes"}, "psych_evaluation_date", PSYCH_DATE_REQUIRED),
        ({"conditions": ["ckd", "gout"]}, "conditions", "Choose conditions from the list only."),
    ],
)
def test_an_invalid_profile_is_refused_with_field_errors_keeping_what_was_typed(
    p1: Patient, alice: User, bad: dict[str, Any], field: str, message: str
) -> None:
    posted = {
        **EMPTY_FORM,
        "egfr": "25",
        "egfr_date": days_ago(p1, 5),
        "liver_disease": "mild",
        "conditions": ["ckd"],
        "note": "Outside nephrology letter",
        **bad,
    }
    snapshots = EvaluationSnapshot.objects.count()

    response = client_for(alice).post(profile_url(p1), posted)

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert f'id="id_{field}_error"' in html
    assert not ClinicalProfile.objects.exists()  # nothing half-written
    assert EvaluationSnapshot.objects.count() == snapshots
    assert 'value="Outside nephrology letter"' in html
    assert '<option value="mild" selected>' in html
    for name in ("egfr", "egfr_date"):
        if name not in bad:
            assert f'name="{name}" value="{posted[name]}' in html


def test_a_therapist_reads_the_profile_but_has_no_form(p1: Patient, alice: User, theo: User) -> None:
    clinical_profile_record(
        actor=alice,
        patient=p1,
        egfr=25,
        egfr_date=datetime.date(2026, 1, 5),
        liver_disease="",
        conditions=["ckd"],
        pregnant=None,
        psych_evaluation_date=None,
        psych_cleared=None,
    )

    response = client_for(theo).get(profile_url(p1))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Chronic kidney disease" in html
    assert 'id="clinical-profile-form"' not in html


ROLES = ("anonymous", "alice", "bob", "fiona", "theo", "ada", "charlie", "pat", "quinn")
GET_STATUS = (302, 200, 200, 403, 200, 403, 404, 403, 403)
POST_STATUS = (302, 302, 302, 403, 403, 403, 404, 403, 403)
MATRIX = [
    (method, role, status)
    for method, statuses in (("get", GET_STATUS), ("post", POST_STATUS))
    for role, status in zip(ROLES, statuses, strict=True)
]


@pytest.mark.parametrize(("method", "role", "expected"), MATRIX, ids=[f"{m}-{r}" for m, r, _ in MATRIX])
def test_profile_page_status_and_one_audit_event_per_request(
    request: pytest.FixtureRequest, p2: Patient, method: str, role: str, expected: int
) -> None:
    for fixture in ROLES[1:]:
        request.getfixturevalue(fixture)
    user: User | None = None if role == "anonymous" else request.getfixturevalue(role)
    before = AuditEvent.objects.count()

    response = getattr(client_for(user), method)(profile_url(p2), {**EMPTY_FORM, "conditions": ["copd"]})

    assert response.status_code == expected
    events = list(AuditEvent.objects.order_by("id"))[before:]
    if user is None:
        assert response["Location"].startswith(reverse("login") + "?next=")
        assert events == []
        return
    assert len(events) == 1
    event = events[0]
    if expected in (403, 404):
        assert event.action == "denied"
        assert not ClinicalProfile.objects.exists()
    elif method == "post":
        assert event.action == "create"
        assert event.patient_id == p2.pk
        assert event.detail["changed"] == ["conditions"]
        assert EvaluationSnapshot.objects.filter(pk=event.detail["snapshot"], patient=p2).exists()
    else:
        assert (event.action, event.detail["page"]) == ("view", "clinical-profile")


def test_an_invalid_post_writes_one_view_event_marked_invalid(p1: Patient, bob: User) -> None:
    before = AuditEvent.objects.count()

    client_for(bob).post(profile_url(p1), {**EMPTY_FORM, "egfr": "-1", "egfr_date": days_ago(p1, 1)})

    events = list(AuditEvent.objects.order_by("id"))[before:]
    assert [(e.action, e.detail.get("invalid")) for e in events] == [("view", True)]


def test_recorded_profiles_cannot_be_changed_or_deleted(p1: Patient, alice: User) -> None:
    profile = ClinicalProfile.objects.create(patient=p1, egfr=40, recorded_by=alice)

    profile.egfr = 90
    with pytest.raises(ProfileAppendOnlyError):
        profile.save()
    with pytest.raises(ProfileAppendOnlyError):
        profile.delete()
    with pytest.raises(ProfileAppendOnlyError):
        ClinicalProfile.objects.filter(pk=profile.pk).update(egfr=90)
    with pytest.raises(ProfileAppendOnlyError):
        ClinicalProfile.objects.filter(pk=profile.pk).delete()


def test_the_chart_links_to_the_clinical_profile(p1: Patient, alice: User) -> None:
    html = client_for(alice).get(reverse("care-chart", kwargs={"patient_id": p1.pk})).content.decode()

    assert f'href="{profile_url(p1)}">Clinical profile</a>' in html


def test_every_condition_code_has_a_clinician_label() -> None:
    from typing import get_args

    assert list(CONDITION_LABELS) == list(get_args(vocab.Condition))
