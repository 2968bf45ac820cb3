"""Every medication URL x every role (+ anonymous): the expected status, and exactly one audit event per request."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care.models import MedicationEntry
from stepcare.records.models import Clinic, Patient
from tests.web.care_helpers import add_medication
from tests.web.conftest import client_for, make_user

ROLES = ("anonymous", "alice", "bob", "fiona", "theo", "ada", "charlie", "pat", "quinn")
#            anon alice bob fiona theo ada charlie pat quinn
LIST_READ = (302, 200, 200, 403, 200, 403, 404, 403, 403)
CLINICAL = (302, 200, 200, 403, 403, 403, 404, 403, 403)
ORDER_PAGE = (302, 200, 403, 403, 403, 403, 404, 403, 403)
ORDER_POST = (302, 302, 403, 403, 403, 403, 404, 403, 403)
RECORD_POST = (302, 302, 302, 403, 403, 403, 404, 403, 403)

TAPER = {"pace": "standard", "start": "2026-12-01", "table": "cdc-2022", "target_mme": "0"}
ORDER = {"name": "morphine", "dose": "15", "unit": "mg", "per_day": "2", "route": "oral", "formulation": "ir",
         "start": "2026-01-05", "action": "save"}  # fmt: skip

# (url name, method, data, expected per role)
MATRIX: list[tuple[str, str, dict[str, str], tuple[int, ...]]] = [
    ("meds-list", "get", {}, LIST_READ),
    ("meds-order-new", "get", {}, ORDER_PAGE),
    ("meds-order-new", "post", ORDER, ORDER_POST),
    ("meds-order-change", "get", {}, ORDER_PAGE),
    ("meds-order-change", "post", ORDER, ORDER_POST),
    ("meds-order-stop", "get", {}, ORDER_PAGE),
    ("meds-order-stop", "post", {"stop": "2026-03-01", "stop_reason": "no benefit"}, ORDER_POST),
    ("meds-monitoring", "get", {}, CLINICAL),
    ("meds-monitoring", "post", {"kind": "pdmp-reviewed", "date": "2026-01-10"}, RECORD_POST),
    ("meds-taper", "get", TAPER, CLINICAL),
    ("meds-taper", "post", TAPER, ORDER_POST),
    ("meds-taper-print", "get", TAPER, CLINICAL),
    ("meds-taper-text", "get", TAPER, CLINICAL),
    ("meds-titration", "get", {"drug": "gabapentin"}, CLINICAL),
]
CASES = [
    (name, method, data, role, status)
    for name, method, data, row in MATRIX
    for role, status in zip(ROLES, row, strict=True)
]


def test_matrix_covers_every_meds_url() -> None:
    from stepcare.meds.urls import urlpatterns

    assert {p.name for p in urlpatterns} == {name for name, *_ in MATRIX}


def _url(name: str, patient: Patient, entry: MedicationEntry) -> str:
    if name in ("meds-order-change", "meds-order-stop"):
        return reverse(name, kwargs={"patient_id": patient.pk, "medication_id": entry.pk})
    return reverse(name, kwargs={"patient_id": patient.pk})


@pytest.mark.parametrize(
    ("name", "method", "data", "role", "expected"), CASES, ids=[f"{n}-{m}-{r}" for n, m, _, r, _ in CASES]
)
def test_status_for_role(
    request: pytest.FixtureRequest,
    name: str,
    method: str,
    data: dict[str, Any],
    role: str,
    expected: int,
    p2: Patient,
) -> None:
    for fixture in ROLES[1:]:
        request.getfixturevalue(fixture)
    user: User | None = None if role == "anonymous" else request.getfixturevalue(role)
    entry = add_medication(p2)  # oxycodone 10 mg x 4: an opioid to taper and an order to change
    before = AuditEvent.objects.count()

    response = getattr(client_for(user), method)(_url(name, p2, entry), data)

    assert response.status_code == expected, f"{role} {method.upper()} {name}"
    if user is None:
        assert response["Location"].startswith(reverse("login") + "?next=")
        return
    assert AuditEvent.objects.count() - before == 1
    if expected in (403, 404):
        assert AuditEvent.objects.filter(action="denied", user=user).count() == 1


def test_nurse_practitioners_and_physician_assistants_may_order(clinic_a: Clinic, p2: Patient) -> None:
    entry = add_medication(p2)
    for username, credential in (("nina", "NP"), ("paul", "PA")):
        user = make_user(username, "nurse", clinic_a, credential=credential)
        url = reverse("meds-order-change", kwargs={"patient_id": p2.pk, "medication_id": entry.pk})

        assert client_for(user).get(url).status_code == 200


def test_a_medication_of_another_patient_is_not_found(alice: User, p1: Patient, p2: Patient) -> None:
    other = add_medication(p1)
    url = reverse("meds-order-stop", kwargs={"patient_id": p2.pk, "medication_id": other.pk})

    response = client_for(alice).get(url)

    assert response.status_code == 404
    assert AuditEvent.objects.latest("id").detail["object_id"] == str(other.pk)
