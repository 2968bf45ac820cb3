"""Every URL x every role (+ anonymous): the expected status, and every refusal audited as `denied`."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.records.models import Encounter, Patient
from tests.web.conftest import client_for, make_encounter

ROLES = ("anonymous", "alice", "bob", "fiona", "theo", "ada", "charlie", "pat", "quinn")

# url name → (method, expected status per role in ROLES order)
MATRIX: dict[str, tuple[str, tuple[int, ...]]] = {
    #                                     anon alice bob fiona theo ada charlie pat quinn
    "login": ("get", (200, 302, 302, 302, 302, 302, 302, 302, 302)),
    "logout": ("post", (302, 302, 302, 302, 302, 302, 302, 302, 302)),
    "password-change": ("get", (302, 200, 200, 200, 200, 200, 200, 200, 200)),
    "dashboard": ("get", (302, 200, 200, 200, 200, 200, 200, 302, 302)),
    "patient-list": ("get", (302, 200, 200, 200, 200, 200, 200, 403, 403)),
    "patient-create": ("get", (302, 200, 200, 200, 403, 200, 200, 403, 403)),
    "patient-edit": ("get", (302, 200, 200, 200, 403, 200, 404, 403, 403)),
    "patient-chart": ("get", (302, 200, 200, 200, 200, 200, 404, 404, 302)),
    "encounter-create": ("get", (302, 200, 200, 403, 200, 403, 404, 403, 403)),
    "encounter-detail": ("get", (302, 200, 200, 403, 200, 200, 404, 404, 200)),
    "encounter-sign": ("post", (302, 302, 403, 403, 403, 403, 404, 403, 403)),
    "encounter-amend": ("post", (302, 302, 302, 403, 302, 403, 404, 403, 403)),
    "portal": ("get", (302, 403, 403, 403, 403, 403, 403, 200, 200)),
    "audit-log": ("get", (302, 403, 403, 403, 403, 200, 403, 403, 403)),
}
# Views that show or change patient data write exactly one audit event per request
# (patient-create is absent: its GET shows an empty form, no patient data).
AUDITED = {
    "dashboard",
    "patient-list",
    "patient-edit",
    "patient-chart",
    "encounter-create",
    "encounter-detail",
    "encounter-sign",
    "encounter-amend",
    "portal",
    "audit-log",
}
CASES = [
    (name, role, status) for name, (_, row) in MATRIX.items() for role, status in zip(ROLES, row, strict=True)
]


def test_matrix_covers_every_url_name_in_the_brief() -> None:
    assert set(MATRIX) == {
        "login", "logout", "dashboard", "patient-list", "patient-create", "patient-edit", "patient-chart",
        "encounter-create", "encounter-detail", "encounter-sign", "encounter-amend", "portal", "audit-log",
        "password-change",
    }  # fmt: skip


def _url(name: str, p2: Patient, signed: Encounter, draft: Encounter) -> str:
    if name in ("patient-edit", "patient-chart", "encounter-create"):
        return reverse(name, kwargs={"patient_id": p2.pk})
    if name in ("encounter-detail", "encounter-amend"):
        return reverse(name, kwargs={"encounter_id": signed.pk})
    if name == "encounter-sign":
        return reverse(name, kwargs={"encounter_id": draft.pk})
    return reverse(name)


@pytest.mark.parametrize(("name", "role", "expected"), CASES, ids=[f"{n}-{r}" for n, r, _ in CASES])
def test_status_for_role(
    request: pytest.FixtureRequest,
    name: str,
    role: str,
    expected: int,
    p2: Patient,
    signed_p2: Encounter,
    alice: User,
) -> None:
    for fixture in ROLES[1:]:
        request.getfixturevalue(fixture)  # everybody exists, whoever is signed in
    user: User | None = None if role == "anonymous" else request.getfixturevalue(role)
    draft = make_encounter(p2, alice)
    url = _url(name, p2, signed_p2, draft)
    method, _ = MATRIX[name]
    data: dict[str, Any] = (
        {"reason": "Typo in dose", "text": "Dose was 300 mg."} if name == "encounter-amend" else {}
    )
    before = AuditEvent.objects.count()

    response = getattr(client_for(user), method)(url, data)

    assert response.status_code == expected, f"{role} {method.upper()} {url}"
    if user is None and name not in ("login", "logout"):
        assert response["Location"].startswith(reverse("login") + "?next=")
    if user is not None and name in AUDITED:
        redirected_patient = user.role == "patient" and expected == 302
        assert AuditEvent.objects.count() - before == (0 if redirected_patient else 1)
    if expected in (403, 404):
        denied = AuditEvent.objects.filter(action="denied", user=user)
        assert denied.count() == 1


def test_patient_cannot_open_another_patients_chart(pat: User, p2: Patient) -> None:
    response = client_for(pat).get(reverse("patient-chart", kwargs={"patient_id": p2.pk}))

    assert response.status_code == 404
    event = AuditEvent.objects.get(action="denied")
    assert event.user == pat
    assert event.detail["object_id"] == str(p2.pk)
    assert event.patient is None  # the denied patient's identity is not attached to the actor's log


def test_clinician_at_other_clinic_gets_404_and_denied_event(charlie: User, p1: Patient) -> None:
    response = client_for(charlie).get(reverse("patient-chart", kwargs={"patient_id": p1.pk}))

    assert response.status_code == 404
    event = AuditEvent.objects.get(action="denied")
    assert (event.user, event.role, event.clinic_id) == (charlie, "physician", charlie.clinic_id)


def test_patient_sees_only_their_own_portal(pat: User, p1: Patient, p2: Patient) -> None:
    response = client_for(pat).get(reverse("portal"))

    assert response.status_code == 200
    assert p1.family_name in response.content.decode()
    assert p2.family_name not in response.content.decode()


def test_patient_cannot_read_their_own_draft_encounter(pat: User, draft_p1: Encounter) -> None:
    response = client_for(pat).get(reverse("encounter-detail", kwargs={"encounter_id": draft_p1.pk}))

    assert response.status_code == 404
