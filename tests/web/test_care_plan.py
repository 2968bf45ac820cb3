"""Plan builder: suggested steps by tier, accept/decline (with a reason)/edit, own steps, orders, finalize."""

from __future__ import annotations

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care.models import (
    DECLINE_REASON_REQUIRED,
    CarePlan,
    FinalPlanError,
    MedicationEntry,
    PlanItem,
)
from stepcare.care.services import plan_item_decide, plan_start
from stepcare.records.models import Encounter, Patient
from tests.web.care_helpers import RADICULAR_EXAM, add_note, use_intake
from tests.web.conftest import client_for


@pytest.fixture
def plan(p1: Patient, alice: User, draft_p1: Encounter, monkeypatch: pytest.MonkeyPatch) -> CarePlan:
    use_intake(monkeypatch)
    add_note(draft_p1, alice, exam=RADICULAR_EXAM)
    response = client_for(alice).get(reverse("care-plan", kwargs={"patient_id": p1.pk}))
    assert response.status_code == 200
    return CarePlan.objects.get(patient=p1)


def _item(plan: CarePlan, code: str) -> PlanItem:
    return plan.items.get(code=code)


def _decide(user: User, item: PlanItem, htmx: bool = False, **data: str):  # type: ignore[no-untyped-def]
    prefix = f"i{item.pk}-"
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client_for(user).post(
        reverse("care-plan-decide", kwargs={"patient_id": item.plan.patient_id, "item_id": item.pk}),
        {prefix + k: v for k, v in data.items()},
        **extra,
    )


def test_physician_gets_the_engines_steps_grouped_by_tier_with_citations(plan: CarePlan, alice: User) -> None:
    page = (
        client_for(alice).get(reverse("care-plan", kwargs={"patient_id": plan.patient_id})).content.decode()
    )

    suggested = plan.snapshot.result["plan"]
    assert [i.code for i in plan.items.all()] == [s["code"] for s in suggested]
    assert plan.knowledge_version == plan.snapshot.knowledge_version
    for step in suggested:
        assert f'data-code="{step["code"]}"' in page
        assert (
            step["citation"].replace("'", "&#x27;").replace("&", "&amp;") in page or step["citation"] in page
        )
    assert "Tier 1 · self-care and education" in page
    assert "Clinical decision support for licensed clinicians" in page
    assert CarePlan.objects.filter(patient=plan.patient).count() == 1  # a second view reuses the draft


def test_accepting_a_step_records_who_and_when(plan: CarePlan, alice: User) -> None:
    item = _item(plan, "education")

    response = _decide(alice, item, decision="accepted")

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.decision, item.decided_by) == ("accepted", alice)
    assert item.decided_at is not None
    assert AuditEvent.objects.filter(action="decide", patient=plan.patient).count() == 1


def test_declining_without_a_reason_is_refused_and_keeps_what_was_typed(plan: CarePlan, alice: User) -> None:
    item = _item(plan, "nsaid-oral")

    response = _decide(alice, item, decision="declined", decline_reason="  ", order_detail="typed order text")

    assert response.status_code == 400
    page = response.content.decode()
    assert DECLINE_REASON_REQUIRED in page
    assert 'value="typed order text"' in page
    assert re.search(r'value="declined"[^>]*checked', page)
    item.refresh_from_db()
    assert item.decision == "pending"


def test_htmx_decline_without_reason_returns_the_step_fragment_with_the_error(
    plan: CarePlan, alice: User
) -> None:
    item = _item(plan, "nsaid-oral")

    response = _decide(alice, item, htmx=True, decision="declined", edited_label="my words")

    body = response.content.decode()
    assert body.lstrip().startswith(f'<li class="plan-step decision-pending" id="step-{item.pk}"')
    assert DECLINE_REASON_REQUIRED in body
    assert 'value="my words"' in body


def test_declining_with_a_reason_is_stored(plan: CarePlan, alice: User) -> None:
    item = _item(plan, "nsaid-oral")

    response = _decide(alice, item, htmx=True, decision="declined", decline_reason="GI bleed in 2024")

    assert "Declined: GI bleed in 2024" in response.content.decode()
    item.refresh_from_db()
    assert (item.decision, item.decline_reason) == ("declined", "GI bleed in 2024")


def test_a_declined_step_without_reason_is_refused_by_the_service_and_the_database(
    plan: CarePlan, alice: User
) -> None:
    item = _item(plan, "nsaid-oral")
    with pytest.raises(ValueError, match="reason"):
        plan_item_decide(actor=alice, item=item, decision="declined", decline_reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        PlanItem.objects.filter(pk=item.pk).update(decision="declined", decline_reason="")


def test_editing_a_step_keeps_the_suggestion_beside_the_new_wording(plan: CarePlan, alice: User) -> None:
    item = _item(plan, "physical-therapy")

    _decide(alice, item, decision="edited", edited_label="Physical therapy, McKenzie approach, 6 weeks")

    item.refresh_from_db()
    assert item.shown_label == "Physical therapy, McKenzie approach, 6 weeks"
    assert item.label != item.shown_label


def test_editing_without_new_wording_is_refused(plan: CarePlan, alice: User) -> None:
    response = _decide(alice, _item(plan, "physical-therapy"), decision="edited", edited_label="")

    assert response.status_code == 400
    assert "Write the step as you want it in the plan." in response.content.decode()


def test_adding_own_step_from_the_catalog_and_free_text(plan: CarePlan, alice: User) -> None:
    url = reverse("care-plan-add", kwargs={"patient_id": plan.patient_id})
    client = client_for(alice)

    client.post(url, {"code": "mri", "label": "", "rationale": "progressing deficit"})
    client.post(url, {"code": "", "label": "Ergonomic workstation review"})
    refused = client.post(url, {"code": "", "label": ""})

    mri = plan.items.get(code="mri")
    assert (mri.origin, mri.decision, mri.tier) == ("clinician", "accepted", "diagnostic")
    assert plan.items.get(label="Ergonomic workstation review").origin == "clinician"
    assert refused.status_code == 400
    assert "Choose a step from the list or write your own." in refused.content.decode()


def test_prescription_order_needs_its_dose_and_becomes_a_medication_entry_on_finalize(
    plan: CarePlan, alice: User
) -> None:
    item = _item(plan, "nsaid-oral")
    missing = _decide(alice, item, decision="accepted", order_kind="prescription", rx_name="naproxen")
    assert missing.status_code == 400
    assert "A prescription needs a dose and unit" in missing.content.decode()
    assert 'value="naproxen"' in missing.content.decode()

    _decide(
        alice,
        item,
        decision="accepted",
        order_kind="prescription",
        rx_name="Naproxen",
        rx_dose="500",
        rx_unit="mg",
        rx_per_day="2",
        rx_route="oral",
        rx_formulation="ir",
    )
    client_for(alice).post(reverse("care-plan-finalize", kwargs={"patient_id": plan.patient_id}))

    med = MedicationEntry.objects.get(patient=plan.patient)
    assert (med.name, med.dose, med.unit, med.per_day, med.prescriber) == ("naproxen", 500, "mg", 2, alice)
    item.refresh_from_db()
    assert item.medication == med


def test_imaging_order_is_recorded_with_its_detail(plan: CarePlan, alice: User) -> None:
    item = _item(plan, "physical-therapy")

    _decide(alice, item, decision="accepted", order_kind="referral", order_detail="PT 2x/week for 6 weeks")

    item.refresh_from_db()
    assert (item.order_kind, item.order_detail) == ("referral", "PT 2x/week for 6 weeks")


def test_finalize_stores_the_knowledge_version_and_freezes_the_plan(plan: CarePlan, alice: User) -> None:
    _decide(alice, _item(plan, "education"), decision="accepted")
    client = client_for(alice)

    client.post(reverse("care-plan-finalize", kwargs={"patient_id": plan.patient_id}))

    plan.refresh_from_db()
    assert plan.status == "final"
    assert plan.knowledge_version == plan.snapshot.result["knowledge_version"]
    assert plan.finalized_by == alice
    late = _decide(alice, _item(plan, "nsaid-oral"), decision="accepted")
    assert late.status_code == 302
    assert _item(plan, "nsaid-oral").decision == "pending"
    assert AuditEvent.objects.filter(action="denied", detail__reason="plan-final").count() == 1
    item = _item(plan, "nsaid-oral")
    item.decision = "accepted"
    with pytest.raises(FinalPlanError):
        item.save()
    with pytest.raises(FinalPlanError):
        plan.save()
    page = client.get(reverse("care-plan", kwargs={"patient_id": plan.patient_id})).content.decode()
    assert "Start a new plan from today" in page
    assert "Save decision" not in page


def test_a_new_plan_can_be_started_after_finalizing(plan: CarePlan, alice: User) -> None:
    client = client_for(alice)
    client.post(reverse("care-plan-finalize", kwargs={"patient_id": plan.patient_id}))

    client.post(reverse("care-plan-start", kwargs={"patient_id": plan.patient_id}))

    assert list(CarePlan.objects.filter(patient=plan.patient).values_list("status", flat=True)) == [
        "draft",
        "final",
    ]


def test_nurse_reads_the_plan_but_cannot_decide(plan: CarePlan, bob: User) -> None:
    page = client_for(bob).get(reverse("care-plan", kwargs={"patient_id": plan.patient_id})).content.decode()

    assert "Save decision" not in page
    assert _decide(bob, _item(plan, "education"), decision="accepted").status_code == 403
    with pytest.raises(PermissionError):
        plan_start(actor=bob, patient=plan.patient)


def test_a_nurse_opening_the_plan_first_does_not_start_one(p1: Patient, bob: User) -> None:
    page = client_for(bob).get(reverse("care-plan", kwargs={"patient_id": p1.pk})).content.decode()

    assert "A physician builds the plan." in page
    assert not CarePlan.objects.exists()
