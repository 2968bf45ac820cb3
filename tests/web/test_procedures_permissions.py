"""Every procedure and report URL x every role (+ anonymous): the expected status, each request audited once."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import Action, AuditEvent
from stepcare.procedures.models import ProcedureRecord, Status
from stepcare.records.models import Patient
from tests.web.conftest import client_for
from tests.web.procedure_helpers import make_procedure

ROLES = ("anonymous", "alice", "bob", "fiona", "theo", "ada", "charlie", "pat", "quinn")

# (url name, action) → (method, expected status per role in ROLES order); the procedure is quinn's (p2).
MATRIX: dict[tuple[str, str], tuple[str, tuple[int, ...]]] = {
    #                                          anon alice bob fiona theo ada charlie pat quinn
    ("patient-procedures", ""): ("get", (302, 200, 200, 200, 200, 200, 404, 403, 403)),
    ("procedure-create", ""): ("get", (302, 200, 403, 403, 403, 403, 404, 403, 403)),
    ("procedure-detail", ""): ("get", (302, 200, 200, 200, 200, 200, 404, 403, 403)),
    ("procedure-consent", ""): ("get", (302, 200, 200, 403, 403, 403, 404, 403, 403)),
    ("procedure-diary", ""): ("get", (302, 200, 200, 403, 403, 403, 404, 403, 403)),
    ("procedure-prior-auth", ""): ("get", (302, 200, 200, 200, 403, 403, 404, 403, 403)),
    ("procedure-prior-auth-pdf", ""): ("get", (302, 200, 200, 200, 403, 403, 404, 403, 403)),
    ("procedure-action", "request-auth"): ("get", (302, 200, 200, 200, 403, 403, 404, 403, 403)),
    ("procedure-action", "authorize"): ("get", (302, 200, 200, 200, 403, 403, 404, 403, 403)),
    ("procedure-action", "deny"): ("get", (302, 200, 200, 200, 403, 403, 404, 403, 403)),
    ("procedure-action", "schedule"): ("get", (302, 200, 200, 403, 403, 403, 404, 403, 403)),
    ("procedure-action", "perform"): ("get", (302, 200, 403, 403, 403, 403, 404, 403, 403)),
    ("procedure-action", "record-response"): ("get", (302, 200, 200, 403, 403, 403, 404, 403, 403)),
    ("procedure-action", "cancel"): ("get", (302, 200, 200, 403, 403, 403, 404, 403, 403)),
    ("procedure-action", "no-such-step"): ("get", (302, 403, 403, 403, 403, 403, 404, 403, 403)),
    ("portal-procedures", ""): ("get", (302, 403, 403, 403, 403, 403, 403, 200, 200)),
    ("portal-diary", ""): ("get", (302, 403, 403, 403, 403, 403, 403, 404, 200)),
    ("outcome-report", ""): ("get", (302, 200, 403, 403, 403, 200, 200, 403, 403)),
}
CASES = [
    (name, action, role, status)
    for (name, action), (_, row) in MATRIX.items()
    for role, status in zip(ROLES, row, strict=True)
]


def _url(name: str, action: str, patient: Patient, procedure: ProcedureRecord) -> str:
    if name in ("patient-procedures", "procedure-create"):
        return reverse(name, kwargs={"patient_id": patient.pk})
    if name == "procedure-action":
        return reverse(name, kwargs={"procedure_id": procedure.pk, "action": action})
    if name == "portal-procedures" or name == "outcome-report":
        return reverse(name)
    return reverse(name, kwargs={"procedure_id": procedure.pk})


@pytest.mark.parametrize(
    ("name", "action", "role", "expected"),
    CASES,
    ids=[f"{n}-{a}-{r}".replace("--", "-") for n, a, r, _ in CASES],
)
def test_status_for_role(
    request: pytest.FixtureRequest, name: str, action: str, role: str, expected: int, p2: Patient, alice: User
) -> None:
    users = {r: request.getfixturevalue(r) for r in ROLES[1:]}
    procedure = make_procedure(
        p2, alice, status=Status.PERFORMED, performed_on=datetime.date(2026, 11, 1), performed_by=alice
    )
    before = AuditEvent.objects.count()
    client = client_for(users.get(role))
    response = getattr(client, MATRIX[(name, action)][0])(_url(name, action, p2, procedure))

    assert response.status_code == expected
    events = AuditEvent.objects.count() - before
    assert events == (0 if role == "anonymous" else 1)
    if expected in (403, 404):
        assert AuditEvent.objects.order_by("-id").first().action == Action.DENIED  # type: ignore[union-attr]


def test_every_new_url_name_is_in_the_matrix() -> None:
    from stepcare.procedures import urls as procedure_urls
    from stepcare.reports import urls as report_urls

    names = {p.name for p in [*procedure_urls.urlpatterns, *report_urls.urlpatterns]}
    assert names == {name for name, _ in MATRIX}
