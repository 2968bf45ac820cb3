"""The JSON API (django-ninja) at /api/v1/: the engine's evaluate, a patient's evaluation and plan.

Same rules as the pages: each operation checks the role (`api_roles`), reaches patients only through
`get_patient_for_user` (404 + denied audit for others) and writes one audit event.
No `from __future__ import annotations` here: django-ninja reads the operations' annotations at import.
"""

import json
from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI, Schema, Status

from stepcare.accounts.models import CLINICAL_ROLES
from stepcare.api.auth import API_AUTH, api_roles
from stepcare.audit.models import Action
from stepcare.audit.services import audit_record
from stepcare.care import selectors as care_selectors
from stepcare.clinical import CaseError, evaluate
from stepcare.clinical.case import Case
from stepcare.records.selectors import get_patient_for_user

api = NinjaAPI(
    title="Stepcare API",
    version="1",
    description=(
        "Clinical decision support for licensed clinicians — the clinician decides. "
        "Authenticate with a bearer token (`create_api_token USERNAME NAME`) or a signed-in session."
    ),
    auth=API_AUTH,
    urls_namespace="api-v1",
)


class ErrorsOut(Schema):
    errors: list[str]


class DetailOut(Schema):
    detail: str


def _case_schema() -> dict[str, Any]:
    schema = Case.model_json_schema(by_alias=True, ref_template="#/components/schemas/{model}")
    return {k: v for k, v in schema.items() if k != "$defs"}


@api.post(
    "/evaluate",
    response={200: dict[str, Any], 401: DetailOut, 403: DetailOut, 422: ErrorsOut},
    summary="Evaluate a case (same output as `stepcare evaluate`)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _case_schema()}},
            "description": "The case, as in the engine contract.",
        }
    },
)
@api_roles(*CLINICAL_ROLES)
def evaluate_case(request: HttpRequest) -> Any:
    """The body is the case; the answer is exactly the engine's evaluation JSON, or 422 with every error."""
    errors: list[str] = []
    data: Any = None
    try:
        data = json.loads(request.body.decode("utf-8") or "null")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"(line {exc.lineno}, column {exc.colno}): " if isinstance(exc, json.JSONDecodeError) else ""
        errors = [f"{where}not valid JSON: {getattr(exc, 'msg', exc)}"]
    result: dict[str, Any] | None = None
    if not errors:
        try:
            result = evaluate(data).to_dict()
        except CaseError as exc:
            errors = exc.errors
        except ValueError as exc:  # e.g. a medication the MME table does not cover (as the CLI)
            errors = [str(exc)]
    case_id = data.get("id") if isinstance(data, dict) else None
    audit_record(
        request=request,
        action=Action.EVALUATE,
        detail={
            "api": "evaluate",
            "case_id": str(case_id) if case_id is not None else None,
            "valid": not errors,
        },
    )
    if errors:
        return Status(422, {"errors": errors})
    return result


@api.get(
    "/patients/{patient_id}/evaluation",
    response={200: dict[str, Any], 401: DetailOut, 403: DetailOut, 404: DetailOut},
    summary="A patient's latest evaluation (computed now when none is stored)",
)
@api_roles(*CLINICAL_ROLES)
def patient_evaluation(request: HttpRequest, patient_id: int) -> Any:
    patient = get_patient_for_user(user=request.user, patient_id=patient_id, request=request)  # type: ignore[arg-type]
    snapshot = care_selectors.latest_snapshot(patient)
    if snapshot is not None:
        body = {
            "patient_id": patient.pk,
            "snapshot_id": snapshot.pk,
            "stored": True,
            "created_at": snapshot.created_at.isoformat(),
            "as_of": snapshot.as_of.isoformat(),
            "knowledge_version": snapshot.knowledge_version,
            "problems": snapshot.problems,
            "evaluation": snapshot.result,
        }
    else:
        assembly = care_selectors.assemble_case(care_selectors.load_care_data(patient))
        result = evaluate(assembly.case).to_dict()
        body = {
            "patient_id": patient.pk,
            "snapshot_id": None,
            "stored": False,
            "created_at": None,
            "as_of": result["as_of"],
            "knowledge_version": result["knowledge_version"],
            "problems": assembly.problems,
            "evaluation": result,
        }
    audit_record(
        request=request,
        action=Action.VIEW,
        patient=patient,
        obj=snapshot or patient,
        detail={"api": "patient-evaluation", "stored": body["stored"]},
    )
    return body


@api.get(
    "/patients/{patient_id}/plan",
    response={200: dict[str, Any], 401: DetailOut, 403: DetailOut, 404: DetailOut},
    summary="A patient's latest care plan with every step's decision",
)
@api_roles(*CLINICAL_ROLES)
def patient_plan(request: HttpRequest, patient_id: int) -> Any:
    patient = get_patient_for_user(user=request.user, patient_id=patient_id, request=request)  # type: ignore[arg-type]
    plan = care_selectors.latest_plan(patient)
    body: dict[str, Any] = {"patient_id": patient.pk, "plan": None}
    if plan is not None:
        body["plan"] = {
            "id": plan.pk,
            "status": plan.status,
            "knowledge_version": plan.knowledge_version,
            "snapshot_id": plan.snapshot_id,
            "created_at": plan.created_at.isoformat(),
            "created_by": plan.created_by.username,
            "finalized_at": plan.finalized_at.isoformat() if plan.finalized_at else None,
            "finalized_by": plan.finalized_by.username if plan.finalized_by else None,
            "items": [
                {
                    "order": i.order,
                    "code": i.code,
                    "tier": i.tier,
                    "label": i.label,
                    "edited_label": i.edited_label,
                    "rationale": i.rationale,
                    "citation": i.citation,
                    "origin": i.origin,
                    "decision": i.decision,
                    "decline_reason": i.decline_reason,
                    "decided_by": i.decided_by.username if i.decided_by else None,
                    "decided_at": i.decided_at.isoformat() if i.decided_at else None,
                    "order_kind": i.order_kind,
                    "order_detail": i.order_detail,
                    "medication_id": i.medication_id,
                }
                for i in care_selectors.plan_items(plan)
            ],
        }
    audit_record(
        request=request,
        action=Action.VIEW,
        patient=patient,
        obj=plan or patient,
        detail={"api": "patient-plan"},
    )
    return body
