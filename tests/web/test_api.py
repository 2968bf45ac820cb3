"""JSON API: evaluate parity with the engine/CLI, errors, token auth, patient endpoints, roles, OpenAPI."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.api.api import api
from stepcare.api.auth import api_token_create, api_token_revoke
from stepcare.api.models import ApiToken, token_hash
from stepcare.audit.models import AuditEvent
from stepcare.care.models import CarePlan
from stepcare.care.services import evaluation_run, plan_item_decide, plan_start
from stepcare.clinical import evaluate
from stepcare.records.models import Patient
from tests.web.conftest import client_for

EXAMPLE = Path(__file__).resolve().parents[3] / "shared" / "spec" / "example-case.json"
MINIMAL = {"id": "m-1", "as_of": "2026-03-02", "patient": {"age": 50}}


def _bearer(token: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR="10.9.9.9")


def _post(client: Client, body: Any) -> Any:
    raw = body if isinstance(body, str) else json.dumps(body)
    return client.post("/api/v1/evaluate", raw, content_type="application/json")


@pytest.fixture
def alice_token(alice: User) -> str:
    return api_token_create(user=alice, name="tests")[1]


def test_evaluate_returns_exactly_the_engines_evaluation_of_the_contract_example(alice_token: str) -> None:
    if not EXAMPLE.exists():
        pytest.skip("the contract example is not beside the project")
    case = json.loads(EXAMPLE.read_text())

    response = _post(_bearer(alice_token), case)

    assert response.status_code == 200
    assert response.json() == json.loads(json.dumps(evaluate(case).to_dict()))


def test_evaluate_matches_the_command_line(
    alice_token: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from stepcare.cli import main

    path = tmp_path / "case.json"
    path.write_text(json.dumps(MINIMAL))
    assert main(["evaluate", str(path)]) == 0
    cli = json.loads(capsys.readouterr().out)

    assert _post(_bearer(alice_token), MINIMAL).json() == cli


def test_invalid_case_gives_422_with_every_error_named_as_the_cli_does(
    alice_token: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from stepcare.cli import main

    bad = {"patient": {"age": 130}, "pain": {"nrs": 11}, "colour": "red"}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    assert main(["evaluate", str(path)]) == 2
    cli_lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]

    response = _post(_bearer(alice_token), bad)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert any(e.startswith("patient.age:") for e in errors)
    assert any(e.startswith("pain.nrs:") for e in errors)
    assert "colour: unknown key" in errors
    for error in errors:
        assert any(error in line for line in cli_lines), error


def test_body_that_is_not_json_or_not_an_object_is_a_named_error(alice_token: str) -> None:
    client = _bearer(alice_token)

    broken = _post(client, "{not json")
    listed = _post(client, "[1, 2]")

    assert broken.status_code == 422 and "not valid JSON" in broken.json()["errors"][0]
    assert listed.json() == {"errors": ["case: must be a JSON object, not list"]}


def test_evaluate_is_audited_without_a_patient(alice: User, alice_token: str) -> None:
    _post(_bearer(alice_token), MINIMAL)

    event = AuditEvent.objects.get(action="evaluate")
    assert (event.user, event.patient, event.detail["case_id"], event.detail["valid"]) == (
        alice,
        None,
        "m-1",
        True,
    )


def test_session_auth_works_for_the_browser(alice: User) -> None:
    assert _post(client_for(alice), MINIMAL).status_code == 200


def test_missing_wrong_and_revoked_tokens_are_refused(alice: User) -> None:
    record, token = api_token_create(user=alice, name="to revoke")

    assert _post(Client(), MINIMAL).status_code == 401
    assert _post(_bearer("stc_not-a-token"), MINIMAL).status_code == 401
    assert _post(_bearer(token), MINIMAL).status_code == 200
    api_token_revoke(token=record)
    assert _post(_bearer(token), MINIMAL).status_code == 401


def test_only_the_token_hash_is_stored_and_use_is_recorded(alice: User) -> None:
    record, token = api_token_create(user=alice, name="ehr")
    assert token.startswith("stc_") and token not in record.token_hash
    assert record.token_hash == token_hash(token)

    _post(_bearer(token), MINIMAL)

    record.refresh_from_db()
    assert record.last_used_at is not None


def test_create_api_token_command_prints_a_working_token(alice: User) -> None:
    out = StringIO()
    call_command("create_api_token", "alice", "EHR integration", stdout=out, stderr=StringIO())

    token = out.getvalue().strip()
    assert ApiToken.objects.get(name="EHR integration").token_hash == token_hash(token)
    assert _post(_bearer(token), MINIMAL).status_code == 200


def test_create_api_token_names_an_unknown_user(db: None) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("create_api_token", "nobody", "x", stdout=StringIO())


def test_patient_evaluation_returns_the_latest_snapshot(p1: Patient, alice: User, alice_token: str) -> None:
    snapshot = evaluation_run(actor=alice, patient=p1)

    body = _bearer(alice_token).get(f"/api/v1/patients/{p1.pk}/evaluation").json()

    assert body["snapshot_id"] == snapshot.pk and body["stored"] is True
    assert body["evaluation"] == snapshot.result
    assert AuditEvent.objects.filter(action="view", patient=p1, detail__api="patient-evaluation").count() == 1


def test_patient_evaluation_is_computed_when_none_is_stored(p1: Patient, alice_token: str) -> None:
    body = _bearer(alice_token).get(f"/api/v1/patients/{p1.pk}/evaluation").json()

    assert body["stored"] is False and body["snapshot_id"] is None
    assert body["evaluation"]["triage"]["level"] == "routine"


def test_patient_plan_lists_items_with_decisions(p1: Patient, alice: User, alice_token: str) -> None:
    plan = plan_start(actor=alice, patient=p1)
    first = plan.items.first()
    assert first is not None
    plan_item_decide(actor=alice, item=first, decision="declined", decline_reason="done before")

    body = _bearer(alice_token).get(f"/api/v1/patients/{p1.pk}/plan").json()

    assert body["plan"]["id"] == plan.pk
    assert body["plan"]["knowledge_version"] == plan.knowledge_version
    declined = body["plan"]["items"][0]
    assert (declined["decision"], declined["decline_reason"], declined["decided_by"]) == (
        "declined",
        "done before",
        "alice",
    )


def test_patient_plan_is_null_when_there_is_none(p1: Patient, alice_token: str) -> None:
    assert _bearer(alice_token).get(f"/api/v1/patients/{p1.pk}/plan").json() == {
        "patient_id": p1.pk,
        "plan": None,
    }
    assert not CarePlan.objects.exists()


ENDPOINTS = ("evaluate", "evaluation", "plan")


def _call(client: Client, endpoint: str, patient: Patient) -> Any:
    if endpoint == "evaluate":
        return _post(client, MINIMAL)
    return client.get(f"/api/v1/patients/{patient.pk}/{endpoint}")


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize(
    ("role", "expected"), [("fiona", 403), ("ada", 403), ("pat", 403), ("bob", 200), ("theo", 200)]
)
def test_roles_for_each_endpoint(
    request: pytest.FixtureRequest, endpoint: str, role: str, expected: int, p1: Patient
) -> None:
    user: User = request.getfixturevalue(role)
    token = api_token_create(user=user, name="t")[1]
    before = AuditEvent.objects.count()

    response = _call(_bearer(token), endpoint, p1)

    assert response.status_code == expected
    assert AuditEvent.objects.count() - before == 1
    if expected == 403:
        assert AuditEvent.objects.get(action="denied", user=user).detail["reason"] == "role"


@pytest.mark.parametrize("endpoint", ("evaluation", "plan"))
def test_outsider_clinic_gets_404_and_a_denied_event(endpoint: str, charlie: User, p1: Patient) -> None:
    token = api_token_create(user=charlie, name="t")[1]

    response = _call(_bearer(token), endpoint, p1)

    assert response.status_code == 404
    event = AuditEvent.objects.get(action="denied", user=charlie)
    assert event.detail["object_id"] == str(p1.pk) and event.patient is None


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_anonymous_gets_401(endpoint: str, p1: Patient) -> None:
    assert _call(Client(), endpoint, p1).status_code == 401


def test_openapi_schema_lists_the_endpoints_and_both_auth_schemes(db: None) -> None:
    response = Client().get(reverse("api-v1:openapi-json"))

    schema = response.json()
    assert set(schema["paths"]) == {
        "/api/v1/evaluate",
        "/api/v1/patients/{patient_id}/evaluation",
        "/api/v1/patients/{patient_id}/plan",
    }
    body = schema["paths"]["/api/v1/evaluate"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "patient" in body["required"]
    assert {"BearerToken", "BrowserSession"} <= set(schema["components"]["securitySchemes"])
    assert Client().get("/api/v1/docs").status_code == 200


def test_every_api_operation_declares_its_roles() -> None:
    """The API's counterpart of test_every_stepcare_view_declares_its_roles (ninja routes are not views)."""
    operations = [
        op
        for router in api._routers
        for path_view in router[1].path_operations.values()
        for op in path_view.operations
    ]

    assert len(operations) == 3
    assert [
        op.view_func.__name__ for op in operations if not getattr(op.view_func, "allowed_roles", ())
    ] == []
