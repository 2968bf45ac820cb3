"""Every care URL x every role (+ anonymous): expected status, one audit event per request, refusals audited."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care.models import CarePlan, ReportedConditionRuling
from stepcare.care.services import plan_start
from stepcare.intake.models import Intake, IntakeStatus
from stepcare.records.models import Encounter, Patient
from tests.web.conftest import client_for, make_encounter

ROLES = ("anonymous", "alice", "bob", "fiona", "theo", "ada", "charlie", "pat", "quinn")
READ = (302, 200, 200, 403, 200, 403, 404, 403, 403)
CLINICAL_POST = (302, 302, 302, 403, 302, 403, 404, 403, 403)
PHYSICIAN_POST = (302, 302, 403, 403, 403, 403, 404, 403, 403)
PROFILE_POST = (302, 302, 302, 403, 403, 403, 404, 403, 403)  # physicians and nurses; the therapist reads
MATRIX: dict[str, tuple[str, tuple[int, ...]]] = {
    "care-chart": ("get", READ),
    "care-evaluate": ("post", CLINICAL_POST),
    "care-plan": ("get", READ),
    "care-plan-start": ("post", PHYSICIAN_POST),
    "care-plan-add": ("post", PHYSICIAN_POST),
    "care-plan-decide": ("post", PHYSICIAN_POST),
    "care-plan-finalize": ("post", PHYSICIAN_POST),
    "care-measures": ("get", READ),
    "encounter-note": ("get", READ),
    "encounter-note-sign": ("post", PHYSICIAN_POST),
    "encounter-note-amend": ("post", CLINICAL_POST),
    "care-clinical-profile": ("post", PROFILE_POST),  # its GET: tests/web/test_care_profile.py
    "care-condition-rule-out": ("post", PROFILE_POST),
    "care-condition-rule-out-undo": ("post", PROFILE_POST),
}
CASES = [(n, r, s) for n, (_, row) in MATRIX.items() for r, s in zip(ROLES, row, strict=True)]


def test_matrix_covers_every_care_url() -> None:
    from stepcare.care.urls import urlpatterns

    assert set(MATRIX) == {p.name for p in urlpatterns}


@pytest.fixture
def p2_plan(p2: Patient, alice: User) -> CarePlan:
    return plan_start(actor=alice, patient=p2)


def _request(
    name: str, p2: Patient, plan: CarePlan, draft: Encounter, signed: Encounter
) -> tuple[str, dict[str, Any]]:
    pid = {"patient_id": p2.pk}
    if name == "care-plan-decide":
        item = plan.items.first()
        assert item is not None
        return reverse(name, kwargs={**pid, "item_id": item.pk}), {f"i{item.pk}-decision": "accepted"}
    if name == "care-plan-add":
        return reverse(name, kwargs=pid), {"label": "Walking programme"}
    if name in ("encounter-note", "encounter-note-sign"):
        return reverse(name, kwargs={"encounter_id": draft.pk}), {}
    if name == "encounter-note-amend":
        return reverse(name, kwargs={"encounter_id": signed.pk}), {
            "reason": "Typo",
            "text": "Dose was 300 mg.",
        }
    if name in ("care-condition-rule-out", "care-condition-rule-out-undo"):
        _reports_ckd(p2)
        if name == "care-condition-rule-out":
            return reverse(name, kwargs=pid), {"condition": "ckd", "reason": "eGFR 95 last month"}
        ReportedConditionRuling.objects.create(
            patient=p2, condition="ckd", ruled_out=True, reason="eGFR 95", recorded_by=plan.created_by
        )
        return reverse(name, kwargs=pid), {"condition": "ckd"}
    return reverse(name, kwargs=pid), {}


def _reports_ckd(patient: Patient) -> None:
    """A submitted intake in which the patient reports kidney disease."""
    Intake.objects.create(
        patient=patient,
        clinic=patient.clinic,
        started_by=patient.clinic.users.filter(role="physician").first(),
        current_step="review",
        status=IntakeStatus.SUBMITTED,
        submitted_at=timezone.now() - datetime.timedelta(days=1),
        data={"patient": {"conditions": ["ckd"]}},
    )


@pytest.mark.parametrize(("name", "role", "expected"), CASES, ids=[f"{n}-{r}" for n, r, _ in CASES])
def test_status_for_role(
    request: pytest.FixtureRequest,
    name: str,
    role: str,
    expected: int,
    p2: Patient,
    p2_plan: CarePlan,
    signed_p2: Encounter,
    alice: User,
) -> None:
    for fixture in ROLES[1:]:
        request.getfixturevalue(fixture)
    user: User | None = None if role == "anonymous" else request.getfixturevalue(role)
    draft = make_encounter(p2, alice)
    url, data = _request(name, p2, p2_plan, draft, signed_p2)
    method, _ = MATRIX[name]
    before = AuditEvent.objects.count()

    response = getattr(client_for(user), method)(url, data)

    assert response.status_code == expected, f"{role} {method.upper()} {url}"
    if user is None:
        assert response["Location"].startswith(reverse("login") + "?next=")
        assert AuditEvent.objects.count() == before
    else:
        assert AuditEvent.objects.count() - before == 1
    if expected in (403, 404):
        assert AuditEvent.objects.filter(action="denied", user=user).count() == 1


def test_a_plan_item_of_another_patient_is_not_found(p1: Patient, p2_plan: CarePlan, alice: User) -> None:
    item = p2_plan.items.first()
    assert item is not None

    response = client_for(alice).post(
        reverse("care-plan-decide", kwargs={"patient_id": p1.pk, "item_id": item.pk}),
        {f"i{item.pk}-decision": "accepted"},
    )

    assert response.status_code == 404
    item.refresh_from_db()
    assert item.decision == "pending"
    assert AuditEvent.objects.filter(action="denied", detail__object_type="care.planitem").count() == 1
