"""Procedure records: the workflow's legal and illegal steps, consent, the anticoagulant hold, the diary."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import Action, AuditEvent
from stepcare.procedures import selectors, services
from stepcare.procedures.models import BlockDiaryEntry, ProcedureConsent, ProcedureRecord, Status
from stepcare.records.models import Patient
from tests.web.care_helpers import add_medication
from tests.web.conftest import client_for
from tests.web.procedure_helpers import consent, make_procedure

DAY = datetime.date(2026, 12, 10)


def _refresh(p: ProcedureRecord) -> ProcedureRecord:
    return ProcedureRecord.objects.get(pk=p.pk)


# ------------------------------------------------------------------------------------------ workflow
def test_a_procedure_moves_from_planned_to_response_recorded(p1: Patient, alice: User) -> None:
    p = services.procedure_plan(actor=alice, patient=p1, code="trigger-point-injection", region="low-back")
    p = services.procedure_request_auth(actor=alice, procedure=p, payer="medicare")
    p = services.procedure_authorize(actor=alice, procedure=p, authorization_number="AUTH-1")
    p = services.procedure_schedule(actor=alice, procedure=p, scheduled_for=DAY)
    consent(p, alice)
    p = services.procedure_perform(
        actor=alice, procedure=p, performed_on=DAY, guidance="ultrasound", complications="none"
    )
    p = services.procedure_record_response(
        actor=alice, procedure=p, relief_percent=60, relief_hours=2000, function_improved=True
    )

    stored = _refresh(p)
    assert stored.status == Status.RESPONSE_RECORDED
    assert stored.authorization_number == "AUTH-1"
    assert stored.performed_by == alice and stored.performed_on == DAY
    assert all(
        getattr(stored, f) is not None
        for f in (
            "auth_requested_at",
            "authorized_at",
            "scheduled_at",
            "performed_at",
            "response_recorded_at",
        )
    )
    steps = [
        e.detail.get("transition") for e in AuditEvent.objects.filter(object_id=str(p.pk)).order_by("id")
    ]
    assert steps == [None, "request-auth", "authorize", "schedule", "perform", "record-response"]


def test_a_denial_can_be_appealed_with_a_new_request(p1: Patient, alice: User) -> None:
    p = make_procedure(p1, alice, status=Status.AUTH_REQUESTED)
    p = services.procedure_deny(actor=alice, procedure=p, denial_reason="second block missing")
    assert p.status == Status.DENIED and p.denied_at is not None
    p = services.procedure_request_auth(actor=alice, procedure=p, payer="medicare")
    assert p.status == Status.AUTH_REQUESTED and p.denial_reason == ""


@pytest.mark.parametrize(
    ("status", "action", "message"),
    [
        (Status.PLANNED, "perform", "Cannot perform: this procedure is planned; it must be scheduled first."),
        (Status.PLANNED, "authorize", "Cannot authorize: this procedure is planned; it must be prior authorization requested first."),
        (Status.PLANNED, "schedule", "Cannot schedule: this procedure is planned; it must be authorized or scheduled first."),
        (Status.AUTHORIZED, "record-response", "Cannot record response: this procedure is authorized; it must be performed or response recorded first."),
        (Status.CANCELLED, "request-auth", "Cannot request auth: this procedure is cancelled; it must be planned or denied first."),
        (Status.PERFORMED, "cancel", "Cannot cancel: this procedure is performed; it must be planned or prior authorization requested or authorized or denied or scheduled first."),
    ],
)  # fmt: skip
def test_illegal_jumps_are_refused_naming_the_status_needed(
    p1: Patient, alice: User, status: str, action: str, message: str
) -> None:
    p = make_procedure(p1, alice, status=status)
    with pytest.raises(services.ProcedureRuleError) as caught:
        services.check_transition(p, action)
    assert caught.value.message == message


def test_an_illegal_step_posted_from_the_page_changes_nothing(p1: Patient, alice: User) -> None:
    p = make_procedure(p1, alice, status=Status.PLANNED)
    response = client_for(alice).post(
        reverse("procedure-action", args=[p.pk, "authorize"]), {"authorization_number": "X-9"}
    )
    assert response.status_code == 400
    assert "it must be prior authorization requested first" in response.content.decode()
    stored = _refresh(p)
    assert stored.status == Status.PLANNED and stored.authorization_number == ""


def test_a_step_page_keeps_what_was_typed_and_names_the_field(p1: Patient, alice: User) -> None:
    p = make_procedure(p1, alice, status=Status.AUTH_REQUESTED)
    response = client_for(alice).post(reverse("procedure-action", args=[p.pk, "deny"]), {"denial_reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert _refresh(p).status == Status.AUTH_REQUESTED


def test_planning_refuses_a_region_the_procedure_is_not_done_in(p1: Patient, alice: User) -> None:
    response = client_for(alice).post(
        reverse("procedure-create", args=[p1.pk]),
        {"code": "genicular-rfa", "region": "neck", "payer": "medicare", "levels": "typed text"},
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Genicular" in body and "Choose one of those regions." in body
    assert 'value="typed text"' in body
    assert not ProcedureRecord.objects.exists()


def test_planning_by_a_physician_creates_a_planned_procedure(p1: Patient, alice: User) -> None:
    response = client_for(alice).post(
        reverse("procedure-create", args=[p1.pk]),
        {"code": "epidural-steroid-injection", "region": "low-back", "side": "left", "approach": "transforaminal",
         "guidance": "fluoroscopy", "payer": "medicare", "levels": "L5-S1"},
    )  # fmt: skip
    p = ProcedureRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("procedure-detail", args=[p.pk])
    assert (p.status, p.approach, p.created_by) == (Status.PLANNED, "transforaminal", alice)


def test_the_plan_page_suggests_the_epidural_approach(p1: Patient, alice: User) -> None:
    body = client_for(alice).get(reverse("procedure-create", args=[p1.pk])).content.decode()
    assert "Epidural approach suggested from the chart" in body and "Epidural approach selection" in body


# ------------------------------------------------------------------------------------------- consent
def test_performing_needs_the_consent_checklist(p1: Patient, alice: User) -> None:
    p = make_procedure(p1, alice, status=Status.SCHEDULED, scheduled_for=DAY)
    with pytest.raises(services.ProcedureRuleError, match="consent checklist"):
        services.procedure_perform(actor=alice, procedure=p, performed_on=DAY, guidance="fluoroscopy")
    response = client_for(alice).post(
        reverse("procedure-action", args=[p.pk, "perform"]),
        {"performed_on": DAY.isoformat(), "guidance": "fluoroscopy"},
    )
    assert response.status_code == 400
    assert "Record the consent checklist" in response.content.decode()
    assert _refresh(p).status == Status.SCHEDULED


def test_consent_needs_every_risk_ticked(p1: Patient, alice: User) -> None:
    p = make_procedure(p1, alice, code="medial-branch-block", status=Status.SCHEDULED)
    risks = list(p.entry.risks)
    response = client_for(alice).post(reverse("procedure-consent", args=[p.pk]), {"risks": risks[:-1]})
    assert response.status_code == 400
    assert f"not yet discussed: {risks[-1]}" in response.content.decode()
    assert not ProcedureConsent.objects.exists()

    response = client_for(alice).post(
        reverse("procedure-consent", args=[p.pk]), {"risks": risks, "questions": "Q&A"}
    )
    assert response.status_code == 302
    stored = ProcedureConsent.objects.get(procedure=p)
    assert stored.risks == risks and stored.confirmed_by == alice and stored.confirmed_at is not None


def test_the_consent_page_lists_the_procedures_risks_from_the_knowledge_file(
    p1: Patient, bob: User, alice: User
) -> None:
    p = make_procedure(p1, alice, code="scs-trial", region="thoracic-back", status=Status.AUTHORIZED)
    body = client_for(bob).get(reverse("procedure-consent", args=[p.pk])).content.decode()
    for risk in p.entry.risks:
        assert risk in body


def test_then_performing_records_the_details(p1: Patient, alice: User) -> None:
    p = make_procedure(p1, alice, code="epidural-steroid-injection", status=Status.SCHEDULED)
    consent(p, alice)
    response = client_for(alice).post(
        reverse("procedure-action", args=[p.pk, "perform"]),
        {"performed_on": DAY.isoformat(), "side": "left", "levels": "L5-S1", "approach": "transforaminal",
         "guidance": "fluoroscopy", "anaesthetic": "lidocaine", "anaesthetic_dose": "1 mL 1%",
         "steroid": "dexamethasone", "steroid_dose": "10 mg", "complications": "none"},
    )  # fmt: skip
    assert response.status_code == 302
    stored = _refresh(p)
    assert (stored.status, stored.steroid_dose, stored.anaesthetic, stored.performed_by) == (
        Status.PERFORMED, "10 mg", "lidocaine", alice
    )  # fmt: skip


# --------------------------------------------------------------------------------- anticoagulant hold
@pytest.fixture
def on_apixaban(p1: Patient) -> Patient:
    add_medication(p1, name="apixaban", dose=5, unit="mg", per_day=2, start=datetime.date(2025, 1, 1))
    return p1


def test_the_hold_review_lists_each_anticoagulant_with_its_hold_time(
    on_apixaban: Patient, alice: User
) -> None:
    p = make_procedure(on_apixaban, alice, code="medial-branch-block", status=Status.AUTHORIZED)
    holds = selectors.hold_review(p, as_of=datetime.date(2026, 11, 25))
    assert [(h["drug"], h["hold_days"]) for h in holds] == [("apixaban", 3)]
    body = client_for(alice).get(reverse("procedure-action", args=[p.pk, "schedule"])).content.decode()
    assert "apixaban" in body and "hold 3 days" in body and "Last dose of apixaban" in body


def test_scheduling_a_spine_procedure_without_the_hold_confirmation_is_refused(
    on_apixaban: Patient, alice: User
) -> None:
    p = make_procedure(on_apixaban, alice, code="medial-branch-block", status=Status.AUTHORIZED)
    url = reverse("procedure-action", args=[p.pk, "schedule"])
    response = client_for(alice).post(
        url, {"scheduled_for": DAY.isoformat(), "last_dose_apixaban": "2026-12-06"}
    )
    assert response.status_code == 400
    assert "Confirm the anticoagulant/antiplatelet hold plan" in response.content.decode()
    assert _refresh(p).status == Status.AUTHORIZED

    with pytest.raises(services.ProcedureRuleError, match="Confirm the anticoagulant"):
        services.procedure_schedule(
            actor=alice, procedure=p, scheduled_for=DAY, holds=selectors.hold_review(p, as_of=DAY)
        )


def test_a_last_dose_inside_the_hold_window_is_refused(on_apixaban: Patient, alice: User) -> None:
    p = make_procedure(on_apixaban, alice, code="epidural-steroid-injection", status=Status.AUTHORIZED)
    response = client_for(alice).post(
        reverse("procedure-action", args=[p.pk, "schedule"]),
        {"scheduled_for": DAY.isoformat(), "last_dose_apixaban": "2026-12-08", "hold_confirmed": "on"},
    )
    assert response.status_code == 400
    assert "leaves 2 days before 2026-12-10; the hold is 3 days (last dose on or before 2026-12-07)" in (
        response.content.decode()
    )
    assert _refresh(p).status == Status.AUTHORIZED


def test_a_confirmed_hold_of_exactly_the_hold_time_schedules_and_is_stored(
    on_apixaban: Patient, alice: User
) -> None:
    p = make_procedure(on_apixaban, alice, code="epidural-steroid-injection", status=Status.AUTHORIZED)
    response = client_for(alice).post(
        reverse("procedure-action", args=[p.pk, "schedule"]),
        {"scheduled_for": DAY.isoformat(), "last_dose_apixaban": "2026-12-07", "hold_confirmed": "on"},
    )
    assert response.status_code == 302
    stored = _refresh(p)
    assert stored.status == Status.SCHEDULED and stored.scheduled_for == DAY
    assert stored.hold_confirmed_by == alice
    assert [(h["drug"], h["hold_days"], h["last_dose"]) for h in stored.hold_review] == [
        ("apixaban", 3, "2026-12-07")
    ]


def test_a_low_risk_injection_schedules_without_a_hold_review(on_apixaban: Patient, alice: User) -> None:
    p = make_procedure(on_apixaban, alice, code="trigger-point-injection", status=Status.AUTHORIZED)
    response = client_for(alice).post(
        reverse("procedure-action", args=[p.pk, "schedule"]), {"scheduled_for": DAY.isoformat()}
    )
    assert response.status_code == 302
    assert _refresh(p).hold_review == []


def test_without_anticoagulants_a_spine_procedure_schedules_directly(p1: Patient, alice: User) -> None:
    p = make_procedure(p1, alice, code="medial-branch-block", status=Status.AUTHORIZED)
    response = client_for(alice).post(
        reverse("procedure-action", args=[p.pk, "schedule"]), {"scheduled_for": DAY.isoformat()}
    )
    assert response.status_code == 302 and _refresh(p).status == Status.SCHEDULED


# --------------------------------------------------------------------------------------- block diary
DIARY = {
    "anaesthetic": "lidocaine",
    "pre_nrs": "10",
    "nrs_0_25": "2",
    "nrs_0_5": "1",
    "nrs_1": "1",
    "nrs_2": "2",
    "nrs_4": "6",
    "nrs_6": "8",
    "nrs_8": "9",
}


@pytest.fixture
def mbb_done(p1: Patient, alice: User) -> ProcedureRecord:
    return make_procedure(p1, alice, status=Status.PERFORMED, performed_on=DAY, performed_by=alice)


def test_the_diary_computes_peak_relief_duration_and_concordance(
    mbb_done: ProcedureRecord, bob: User
) -> None:
    response = client_for(bob).post(reverse("procedure-diary", args=[mbb_done.pk]), DIARY)
    assert response.status_code == 302
    stored = _refresh(mbb_done)
    diary = stored.diary
    # pre 10 → 90% at 0.5 h; >= 80% (the MBB threshold) until the 2 h reading; lidocaine acts 1-3 h.
    assert diary.result["peak_relief_percent"] == 90.0 and diary.result["peak_at_hours"] == 0.5
    assert diary.result["hours_at_threshold"] == 2 and diary.result["concordance"] == "concordant"
    assert (stored.relief_percent, stored.relief_hours) == (90.0, 2)
    assert BlockDiaryEntry.objects.filter(diary=diary).count() == 7
    page = client_for(bob).get(reverse("procedure-diary", args=[mbb_done.pk])).content.decode()
    assert "90%" in page and "concordant" in page


def test_a_diary_score_out_of_range_is_refused_and_nothing_stored(
    mbb_done: ProcedureRecord, bob: User
) -> None:
    response = client_for(bob).post(reverse("procedure-diary", args=[mbb_done.pk]), {**DIARY, "nrs_1": "11"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Pain scores are 0-10." in body and 'value="9"' in body
    assert not BlockDiaryEntry.objects.exists() and _refresh(mbb_done).relief_percent is None


def test_the_diary_opens_only_after_the_block(p1: Patient, alice: User) -> None:
    p = make_procedure(p1, alice, status=Status.SCHEDULED)
    response = client_for(alice).post(reverse("procedure-diary", args=[p.pk]), DIARY)
    assert response.status_code == 400
    assert "The diary is kept after the block is done" in response.content.decode()
    assert not BlockDiaryEntry.objects.exists()


def test_the_patient_keeps_their_own_diary_in_the_portal(mbb_done: ProcedureRecord, pat: User) -> None:
    url = reverse("portal-diary", args=[mbb_done.pk])
    assert client_for(pat).get(url).status_code == 200
    response = client_for(pat).post(url, DIARY)
    assert response.status_code == 302
    assert set(BlockDiaryEntry.objects.values_list("recorded_by", flat=True)) == {pat.pk}
    assert _refresh(mbb_done).relief_percent == 90.0
    listing = client_for(pat).get(reverse("portal-procedures")).content.decode()
    assert url in listing


def test_the_htmx_diary_post_returns_the_panel(mbb_done: ProcedureRecord, pat: User) -> None:
    response = client_for(pat).post(
        reverse("portal-diary", args=[mbb_done.pk]), DIARY, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<div id="diary-panel">') and "90%" in body
    assert AuditEvent.objects.filter(action=Action.UPDATE, object_id=str(mbb_done.pk)).count() == 1


def test_another_patients_diary_is_not_found(mbb_done: ProcedureRecord, quinn: User) -> None:
    url = reverse("portal-diary", args=[mbb_done.pk])
    assert client_for(quinn).get(url).status_code == 404
    assert client_for(quinn).post(url, DIARY).status_code == 404
    assert not BlockDiaryEntry.objects.exists()
    assert AuditEvent.objects.filter(action=Action.DENIED, username="quinn").count() == 2


def test_recorded_procedures_flow_into_the_assembled_case(p1: Patient, alice: User) -> None:
    from stepcare.care.selectors import case_for_patient

    make_procedure(
        p1, alice, status=Status.RESPONSE_RECORDED, performed_on=datetime.date(2026, 10, 1), relief_percent=85.0,
        relief_hours=6, function_improved=True,
    )  # fmt: skip
    make_procedure(p1, alice, status=Status.PLANNED)
    case = case_for_patient(p1, as_of=datetime.date(2026, 11, 25))
    assert case["procedures"] == [
        {"code": "medial-branch-block", "date": "2026-10-01", "region": "low-back", "side": "left", "level": "L4-L5",
         "relief_percent": 85.0, "relief_hours": 6.0, "function_improved": True}
    ]  # fmt: skip


def test_the_procedure_pages_read_the_charts_case_with_each_recorded_procedure_once(
    p1: Patient, alice: User
) -> None:
    from stepcare.care.selectors import case_for_patient

    make_procedure(p1, alice, status=Status.PERFORMED, performed_on=datetime.date(2026, 10, 1))
    as_of = datetime.date(2026, 11, 25)

    case = selectors.case_for(p1, as_of=as_of)

    assert case == case_for_patient(p1, as_of=as_of)
    assert [p["code"] for p in case["procedures"]] == ["medial-branch-block"]
