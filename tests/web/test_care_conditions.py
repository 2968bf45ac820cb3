"""A clinician rules out a condition the patient reported at intake (with a reason), and can undo it: the
evaluation leaves the ruled-out report out, the chart shows it struck through with who, when and why."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care import selectors
from stepcare.care.forms import RULING_REASON_TOO_LONG
from stepcare.care.models import (
    RULING_REASON_REQUIRED,
    ClinicalProfile,
    EvaluationSnapshot,
    ReportedConditionRuling,
    RulingAppendOnlyError,
)
from stepcare.care.services import (
    NOT_A_PROFILE_EDITOR_MESSAGE,
    condition_rule_out,
    condition_rule_out_undo,
)
from stepcare.intake.models import Intake, IntakeStatus
from stepcare.records.models import Patient
from tests.web.care_helpers import add_medication, add_note
from tests.web.conftest import client_for, make_encounter

pytestmark = pytest.mark.django_db

KNEE_PAIN: dict[str, Any] = {
    "pain": {
        "duration_days": 900,
        "sites": [{"region": "knee", "side": "bilateral"}],
        "qualities": ["aching"],
        "worse_with": ["walking"],
    },
}
REASON = "eGFR 94 on last month's labs; no kidney disease in the PCP's records"


def submit_intake(patient: Patient, user: User, conditions: list[str], **fields: Any) -> Intake:
    values: dict[str, Any] = {"submitted_at": timezone.now() - datetime.timedelta(hours=1)}
    values.update(fields)
    return Intake.objects.create(
        patient=patient,
        clinic=patient.clinic,
        started_by=user,
        current_step="review",
        status=IntakeStatus.SUBMITTED,
        data={**KNEE_PAIN, "patient": {"conditions": conditions}},
        **values,
    )


def profile_url(patient: Patient) -> str:
    return reverse("care-clinical-profile", kwargs={"patient_id": patient.pk})


def rule_out_url(patient: Patient, name: str = "care-condition-rule-out") -> str:
    return reverse(name, kwargs={"patient_id": patient.pk})


def conditions_in_case(patient: Patient) -> list[str]:
    return list(selectors.case_for_patient(patient)["patient"].get("conditions", []))


@pytest.fixture
def ckd_report(p1: Patient, pat: User, alice: User) -> Patient:
    """Paula reported kidney disease and diabetes at intake; knee osteoarthritis is confirmed at a visit."""
    submit_intake(p1, pat, ["ckd", "diabetes"])
    add_note(make_encounter(p1, alice), alice, diagnoses=["knee-osteoarthritis"])
    return p1


# -------------------------------------------------------------------------------------------- services
def test_ruling_out_a_reported_condition_leaves_it_out_of_the_case_and_re_evaluates(
    ckd_report: Patient, alice: User
) -> None:
    ruling = condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=f"  {REASON} ")

    assert (ruling.ruled_out, ruling.reason, ruling.recorded_by) == (True, REASON, alice)
    assert conditions_in_case(ckd_report) == ["diabetes"]
    snapshot = EvaluationSnapshot.objects.get(patient=ckd_report)
    assert snapshot.case["patient"]["conditions"] == ["diabetes"]
    event = AuditEvent.objects.get(object_type="care.reportedconditionruling")
    assert (event.action, event.user, event.patient) == ("create", alice, ckd_report)
    assert event.detail["condition"] == "ckd" and event.detail["ruled_out"] is True
    assert event.detail["snapshot"] == snapshot.pk


def test_undoing_a_rule_out_brings_the_report_back_and_keeps_both_rulings(
    ckd_report: Patient, alice: User, bob: User
) -> None:
    condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=REASON)

    undo = condition_rule_out_undo(actor=bob, patient=ckd_report, condition="ckd")

    assert (undo.ruled_out, undo.recorded_by, undo.reason) == (False, bob, "")
    assert conditions_in_case(ckd_report) == ["ckd", "diabetes"]
    assert ReportedConditionRuling.objects.filter(patient=ckd_report).count() == 2
    events = AuditEvent.objects.filter(object_type="care.reportedconditionruling").order_by("id")
    assert [e.detail["ruled_out"] for e in events] == [True, False]


@pytest.mark.parametrize(
    ("condition", "reason", "message"),
    [
        ("ckd", "   ", RULING_REASON_REQUIRED),
        ("copd", REASON, "The patient does not report copd in the latest intake"),
    ],
)
def test_a_rule_out_needs_a_reason_and_a_reported_condition(
    ckd_report: Patient, alice: User, condition: str, reason: str, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        condition_rule_out(actor=alice, patient=ckd_report, condition=condition, reason=reason)

    assert not ReportedConditionRuling.objects.exists()
    assert not EvaluationSnapshot.objects.exists()


def test_a_condition_is_ruled_out_once_and_undone_only_when_ruled_out(
    ckd_report: Patient, alice: User
) -> None:
    with pytest.raises(ValueError, match="ckd is not ruled out"):
        condition_rule_out_undo(actor=alice, patient=ckd_report, condition="ckd")
    condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=REASON)

    with pytest.raises(ValueError, match="ckd is already ruled out"):
        condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=REASON)

    assert ReportedConditionRuling.objects.count() == 1


def test_a_condition_the_clinicians_profile_confirms_cannot_be_ruled_out(
    ckd_report: Patient, alice: User
) -> None:
    ClinicalProfile.objects.create(patient=ckd_report, conditions=["ckd"], recorded_by=alice)

    with pytest.raises(ValueError, match="confirmed in the clinical profile"):
        condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=REASON)


@pytest.mark.parametrize("role", ["theo", "fiona", "ada"])
def test_only_physicians_and_nurses_rule_out_or_undo(
    request: pytest.FixtureRequest, ckd_report: Patient, alice: User, role: str
) -> None:
    user = request.getfixturevalue(role)
    with pytest.raises(PermissionError, match=NOT_A_PROFILE_EDITOR_MESSAGE):
        condition_rule_out(actor=user, patient=ckd_report, condition="ckd", reason=REASON)
    condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=REASON)

    with pytest.raises(PermissionError, match=NOT_A_PROFILE_EDITOR_MESSAGE):
        condition_rule_out_undo(actor=user, patient=ckd_report, condition="ckd")

    assert ReportedConditionRuling.objects.count() == 1


def test_rulings_cannot_be_changed_or_deleted_and_a_rule_out_needs_its_reason_in_the_database(
    p1: Patient, alice: User
) -> None:
    ruling = ReportedConditionRuling.objects.create(
        patient=p1, condition="ckd", ruled_out=True, reason=REASON, recorded_by=alice
    )

    ruling.reason = "changed"
    with pytest.raises(RulingAppendOnlyError):
        ruling.save()
    with pytest.raises(RulingAppendOnlyError):
        ruling.delete()
    with pytest.raises(RulingAppendOnlyError):
        ReportedConditionRuling.objects.filter(pk=ruling.pk).update(reason="changed")
    with pytest.raises(RulingAppendOnlyError):
        ReportedConditionRuling.objects.filter(pk=ruling.pk).delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportedConditionRuling.objects.create(
            patient=p1, condition="copd", ruled_out=True, recorded_by=alice
        )


# ------------------------------------------------------------------------------------------- selectors
def test_the_latest_ruling_per_condition_is_in_force(p1: Patient, alice: User, bob: User) -> None:
    first = ReportedConditionRuling.objects.create(
        patient=p1, condition="ckd", ruled_out=True, reason=REASON, recorded_by=alice
    )
    undone = ReportedConditionRuling.objects.create(
        patient=p1, condition="ckd", ruled_out=False, recorded_by=bob
    )
    copd = ReportedConditionRuling.objects.create(
        patient=p1, condition="copd", ruled_out=True, reason="Normal spirometry", recorded_by=bob
    )

    rulings = selectors.latest_condition_rulings(p1)

    assert rulings == {"ckd": undone, "copd": copd}
    assert first not in rulings.values()
    assert selectors.ruled_out_reports(rulings, None) == {"copd": copd}


def test_a_rule_out_older_than_the_intake_does_not_correct_a_new_report(p1: Patient, alice: User) -> None:
    ruling = ReportedConditionRuling.objects.create(
        patient=p1, condition="ckd", ruled_out=True, reason=REASON, recorded_by=alice
    )
    rulings = {"ckd": ruling}

    assert selectors.ruled_out_reports(rulings, ruling.created_at - datetime.timedelta(days=1)) == rulings
    assert selectors.ruled_out_reports(rulings, ruling.created_at + datetime.timedelta(days=1)) == {}


def test_a_later_intake_that_reports_the_condition_again_brings_it_back(
    ckd_report: Patient, pat: User, alice: User
) -> None:
    condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=REASON)
    submit_intake(ckd_report, pat, ["ckd"], submitted_at=timezone.now() + datetime.timedelta(minutes=5))

    background = selectors.clinical_background(ckd_report, None)

    assert conditions_in_case(ckd_report) == ["ckd"]
    (row,) = background.reported_conditions
    assert row.code == "ckd" and not row.ruled_out
    assert row.superseded is not None and row.superseded.reason == REASON


def test_the_background_lists_each_reported_condition_with_its_ruling(
    ckd_report: Patient, alice: User
) -> None:
    ruling = condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=REASON)
    profile = ClinicalProfile.objects.create(patient=ckd_report, conditions=["diabetes"], recorded_by=alice)

    background = selectors.clinical_background(ckd_report, profile)

    assert [(r.code, r.ruling, r.confirmed) for r in background.reported_conditions] == [
        ("ckd", ruling, False),
        ("diabetes", None, True),
    ]
    assert background.in_use["conditions"] == ["diabetes"]
    assert background.reported["conditions"] == ["ckd", "diabetes"]  # what the patient said stays visible


def test_assemble_case_leaves_out_the_ruled_out_report_but_keeps_the_clinicians_conditions(
    p1: Patient, alice: User
) -> None:
    ReportedConditionRuling.objects.create(
        patient=p1, condition="ckd", ruled_out=True, reason=REASON, recorded_by=alice
    )
    ClinicalProfile.objects.create(patient=p1, conditions=["hypertension"], recorded_by=alice)
    data = selectors.CareData(
        patient=p1,
        measurements=[],
        medications=[],
        latest_note=None,
        intake={"patient": {"conditions": ["ckd", "diabetes"]}},
        intake_submitted_at=timezone.now() - datetime.timedelta(days=3),
    )

    assembly = selectors.assemble_case(data)

    assert assembly.case["patient"]["conditions"] == ["hypertension", "diabetes"]
    assert assembly.problems == []


# ------------------------------------------------------------------------------------------- the pages
def test_ruling_out_a_mistaken_kidney_report_takes_away_the_nsaid_kidney_alert(
    ckd_report: Patient, alice: User
) -> None:
    add_medication(ckd_report, name="naproxen", dose=500, per_day=2, start=datetime.date(2025, 6, 1))
    client = client_for(alice)
    client.get(reverse("care-chart", kwargs={"patient_id": ckd_report.pk}))
    before = EvaluationSnapshot.objects.filter(patient=ckd_report).latest("id")
    assert "nsaid-kidney" in [a["code"] for a in before.result["alerts"]]

    response = client.post(rule_out_url(ckd_report), {"condition": "ckd", "reason": REASON})

    assert response.status_code == 302
    assert response["Location"] == profile_url(ckd_report) + "#reported-conditions"
    after = EvaluationSnapshot.objects.filter(patient=ckd_report).latest("id")
    assert "nsaid-kidney" not in [a["code"] for a in after.result["alerts"]]
    assert "ckd" not in after.case["patient"]["conditions"]


def test_the_chart_and_the_profile_show_the_report_struck_through_with_who_when_and_why(
    ckd_report: Patient, alice: User, theo: User
) -> None:
    ruling = condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=REASON)
    # shown on the clinic's wall clock, with the zone's abbreviation
    when = ruling.created_at.astimezone(ZoneInfo(ckd_report.clinic.timezone)).strftime("%Y-%m-%d %H:%M %Z")

    chart = client_for(theo).get(reverse("care-chart", kwargs={"patient_id": ckd_report.pk})).content.decode()
    profile = client_for(theo).get(profile_url(ckd_report)).content.decode()

    for html in (chart, profile):
        assert "<del>Chronic kidney disease</del>" in html
        assert f"ruled out by {alice.display_name} on {when}: " in html
        assert escape(REASON) in html
        assert "<del>Diabetes</del>" not in html and "Diabetes" in html
    assert "Undo rule-out" not in profile and "Rule out diabetes" not in profile  # the therapist reads


def test_a_nurse_rules_out_and_undoes_from_the_profile_page(ckd_report: Patient, bob: User) -> None:
    client = client_for(bob)
    page = client.get(profile_url(ckd_report)).content.decode()
    assert "Rule out chronic kidney disease" in page and 'id="id_ruleout_ckd_reason"' in page

    client.post(rule_out_url(ckd_report), {"condition": "ckd", "reason": REASON})
    struck = client.get(profile_url(ckd_report)).content.decode()
    undo = client.post(rule_out_url(ckd_report, "care-condition-rule-out-undo"), {"condition": "ckd"})
    restored = client.get(profile_url(ckd_report)).content.decode()

    assert "<del>Chronic kidney disease</del>" in struck and "Undo rule-out" in struck
    assert undo.status_code == 302
    assert "<del>" not in restored
    assert conditions_in_case(ckd_report) == ["ckd", "diabetes"]


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", RULING_REASON_REQUIRED), ("   ", RULING_REASON_REQUIRED), ("x" * 301, RULING_REASON_TOO_LONG)],
)
def test_a_rule_out_without_a_usable_reason_is_refused_naming_the_field_and_keeping_the_text(
    ckd_report: Patient, alice: User, reason: str, message: str
) -> None:
    before = AuditEvent.objects.count()

    response = client_for(alice).post(rule_out_url(ckd_report), {"condition": "ckd", "reason": reason})

    html = response.content.decode()
    assert response.status_code == 400
    assert message in html
    assert 'id="id_ruleout_ckd_reason_error"' in html
    assert "<details open>" in html
    if reason.strip():
        assert f'value="{reason}"' in html
    assert not ReportedConditionRuling.objects.exists()
    assert not EvaluationSnapshot.objects.exists()
    events = list(AuditEvent.objects.order_by("id"))[before:]
    assert [(e.action, e.detail.get("invalid")) for e in events] == [("view", True)]


def test_ruling_out_a_condition_twice_is_refused_with_the_conditions_name(
    ckd_report: Patient, alice: User, bob: User
) -> None:
    condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=REASON)

    response = client_for(bob).post(rule_out_url(ckd_report), {"condition": "ckd", "reason": "Also normal"})

    html = response.content.decode()
    assert response.status_code == 400
    assert "Condition: Chronic kidney disease is already ruled out." in html
    assert ReportedConditionRuling.objects.count() == 1


def test_undoing_a_condition_that_is_not_ruled_out_is_refused(ckd_report: Patient, alice: User) -> None:
    response = client_for(alice).post(
        rule_out_url(ckd_report, "care-condition-rule-out-undo"), {"condition": "ckd"}
    )

    assert response.status_code == 400
    assert (
        "Chronic kidney disease is not ruled out, so there is nothing to undo." in response.content.decode()
    )
    assert not ReportedConditionRuling.objects.exists()


@pytest.mark.parametrize("role", ["theo", "fiona", "pat"])
def test_roles_other_than_physician_and_nurse_are_refused_and_audited(
    request: pytest.FixtureRequest, ckd_report: Patient, role: str
) -> None:
    user = request.getfixturevalue(role)

    response = client_for(user).post(rule_out_url(ckd_report), {"condition": "ckd", "reason": REASON})

    assert response.status_code == 403
    assert not ReportedConditionRuling.objects.exists()
    assert AuditEvent.objects.filter(action="denied", user=user).count() == 1


def test_a_clinician_at_another_clinic_cannot_find_the_patient(ckd_report: Patient, charlie: User) -> None:
    response = client_for(charlie).post(rule_out_url(ckd_report), {"condition": "ckd", "reason": REASON})

    assert response.status_code == 404
    assert not ReportedConditionRuling.objects.exists()


def test_a_condition_confirmed_after_its_report_was_ruled_out_is_used_and_says_so(
    ckd_report: Patient, alice: User
) -> None:
    condition_rule_out(actor=alice, patient=ckd_report, condition="ckd", reason=REASON)
    ClinicalProfile.objects.create(patient=ckd_report, conditions=["ckd"], recorded_by=alice)

    html = client_for(alice).get(profile_url(ckd_report)).content.decode()

    assert conditions_in_case(ckd_report) == ["ckd", "diabetes"]
    assert "<del>Chronic kidney disease</del>" in html
    assert "since confirmed in the clinical profile, so the evaluation uses it" in html
