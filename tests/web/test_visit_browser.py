"""Real browser, one whole visit: a patient's intake on the body map with a red flag → the top of the
triage queue → a physician acknowledges it, reads the evaluation and charts, builds and finalizes the
plan, writes and signs the note; afterwards an edit is refused and an amendment is appended."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from stepcare.care.models import CarePlan, EncounterNote
from stepcare.intake.models import Intake, IntakeStatus
from stepcare.records.models import Clinic, Encounter, EncounterAmendment
from tests.web.conftest import make_patient, make_user
from tests.web.test_browser import audit_rows_cleared, browser_page, log_in  # noqa: F401 - shared browser fixtures
from tests.web.test_intake_browser import save, start_intake_to_red_flag

RESULTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"


def shot(page: Any, name: str) -> Path:
    path = RESULTS / f"visit-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    return path


@pytest.fixture
def visit_clinic(audit_rows_cleared: None) -> dict[str, Any]:  # noqa: F811
    """Created before the browser starts: ORM calls made while Playwright's loop runs use another connection."""
    clinic = Clinic.objects.create(name="Visit Clinic", slug="visit", timezone="UTC")
    make_user("dr.visit", "physician", clinic)
    patient = make_patient(
        clinic,
        given_name="Vera",
        family_name="Visitova",
        mrn="VIS-1",
        date_of_birth=datetime.date(1966, 9, 12),
        primary_condition="",
        presenting_problem="Low back and buttock pain",
    )
    make_user("vera", "patient", clinic, patient=patient)
    # An earlier routine intake is already waiting: the red flag must put Vera above it.
    waiting = make_patient(clinic, given_name="Rob", family_name="Routineman", mrn="VIS-2")
    Intake.objects.create(
        patient=waiting,
        clinic=clinic,
        started_by=make_user("desk.visit", "front_desk", clinic),
        current_step="review",
        status=IntakeStatus.SUBMITTED,
        triage_level="routine",
        triage_action="Routine clinic assessment.",
        triaged_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1),
        submitted_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1),
    )
    return {"patient": patient}


def patient_completes_intake(page: Any, base: str) -> None:
    advice = start_intake_to_red_flag(
        page,
        base,
        username="vera",
        onset="2025-02-01",
        nrs="7",
        narrative="Back and left buttock pain.",
        body_map_key="Enter",
        on_body_map=lambda p: shot(p, "intake"),
    )
    shot(page, "intake-red-flag")
    advice.get_by_role("link", name="continue with the other questions").click()

    page.get_by_role("heading", level=1, name="Your health").wait_for()
    page.get_by_role("group", name="Are you pregnant now?").get_by_label("No").check()
    page.get_by_role("group", name="Do you have a liver problem?").get_by_label(
        "No liver problem that I know of"
    ).check()
    page.get_by_role("button", name="Save and continue", exact=True).last.click()
    page.get_by_role("heading", level=1, name="Sleep, mood and work").wait_for()
    page.get_by_role("group", name="How well do you sleep?").get_by_label("Poor").check()
    page.get_by_role("group", name="Does the pain wake you at night?").get_by_label("No").check()
    page.get_by_role("group", name="How has your mood been lately?").get_by_label("Mostly good").check()
    page.get_by_label("What best describes your work now?").select_option("full-time")
    save(page, "Scans and reports")
    save(page, "Medicines tried")
    save(page, "Treatments tried")
    save(page, "Your goals")

    page.get_by_label("Your work goal").fill("Sit through a full shift")
    page.get_by_label("How will you measure it?").first.fill("hours sitting")
    page.get_by_label("Target (a number)").first.fill("8")
    page.get_by_label("Your life goal").fill("Garden for an hour")
    page.get_by_label("How will you measure it?").last.fill("minutes gardening")
    page.get_by_label("Target (a number)").last.fill("60")
    save(page, "Questionnaires")

    for radio in page.locator('input[type="radio"][value="2"]').all():
        radio.check()
    shot(page, "intake-questionnaires")
    save(page, "Review and send")
    page.get_by_role("button", name="Send to the clinic").click()
    page.get_by_text("Your answers were sent to the clinic.").wait_for()
    page.get_by_role("button", name="Log out").click()


@pytest.mark.browser
def test_a_whole_visit_from_intake_to_the_signed_note_and_its_amendment(
    visit_clinic: dict[str, Any],
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, base = browser_page, live_server.url
    patient = visit_clinic["patient"]
    RESULTS.mkdir(parents=True, exist_ok=True)

    patient_completes_intake(page, base)

    # Triage: Vera's emergency is above the routine intake that was waiting first; acknowledge it.
    log_in(page, base, "dr.visit")
    page.get_by_role("link", name="Triage", exact=True).click()
    page.get_by_role("heading", level=1, name="Triage queue").wait_for()
    rows = page.locator("table.triage-table").first.locator("tbody tr")
    assert rows.count() == 2
    first = rows.nth(0)
    assert "Visitova, Vera" in first.inner_text()
    assert "Emergency" in first.inner_text()
    assert "Routineman, Rob" in rows.nth(1).inner_text()
    first.get_by_role("button", name="Acknowledge Visitova, Vera").click()
    page.get_by_text("Acknowledged by Dr.visit").wait_for()
    shot(page, "triage")

    # The record: a new encounter for today's visit.
    page.locator("#triage-" + str(Intake.objects.get(patient=patient).pk)).get_by_role(
        "link", name="Visitova, Vera"
    ).click()
    page.get_by_role("link", name="New encounter").click()
    page.get_by_label("Type").select_option("new-consult")
    page.get_by_label("Date").fill(datetime.datetime.now(datetime.UTC).date().isoformat())
    page.get_by_label("Chief complaint").fill("Low back pain with saddle numbness")
    page.get_by_role("button", name="Create draft").click()
    page.get_by_role("button", name="Save draft").wait_for()
    encounter = Encounter.objects.get(patient=patient)

    # The chart: evaluation panel (triage level and the differential) and a drawn trend chart.
    page.get_by_role("link", name="Evaluation & trends").click()
    evaluation = page.locator("#evaluation")
    evaluation.wait_for()
    assert evaluation.locator(".triage .level").inner_text().lower() == "emergency"
    assert "saddle-anesthesia" in evaluation.locator(".triage").inner_text()
    differential = page.locator("#differential li")
    assert differential.count() >= 1
    assert differential.first.locator("strong").inner_text().strip()
    canvas = page.locator("canvas#chart-pain")
    assert canvas.is_visible()
    page.wait_for_function("() => !!window.Chart && !!Chart.getChart(document.getElementById('chart-pain'))")
    shot(page, "chart")

    # The plan: accept the emergency referral, decline education (first without a reason).
    page.locator(".care-links").get_by_role("link", name="Plan", exact=True).click()
    page.locator("#plan-status", has_text="Draft").wait_for()
    accept = page.locator('li.plan-step[data-code="emergency-referral"]')
    accept.get_by_label("Accept", exact=True).check()
    accept.get_by_role("button", name="Save decision").click()
    page.locator('li.plan-step.decision-accepted[data-code="emergency-referral"]').wait_for()

    decline = page.locator('li.plan-step[data-code="education"]')
    decline.get_by_label("Decline", exact=True).check()
    decline.get_by_role("button", name="Save decision").click()
    error = page.locator('li.plan-step[data-code="education"] .errorlist')
    error.wait_for()
    assert "Give a reason for declining" in error.inner_text()
    decline = page.locator('li.plan-step[data-code="education"]')
    decline.get_by_label("Reason for declining").fill("Given in the emergency department first")
    decline.get_by_role("button", name="Save decision").click()
    page.locator('li.plan-step.decision-declined[data-code="education"]').wait_for()
    shot(page, "plan")

    page.get_by_role("button", name="Finalize plan").click()
    page.locator("#plan-status", has_text="Final").wait_for()
    plan = CarePlan.objects.get(patient=patient)
    assert plan.status == "final" and plan.knowledge_version
    decisions = dict(plan.items.values_list("code", "decision"))
    assert (decisions["emergency-referral"], decisions["education"]) == ("accepted", "declined")

    # The note, opened from the chart's timeline: exam findings entered, saved, signed.
    page.locator(".care-links").get_by_role("link", name="Evaluation & trends").click()
    page.locator("#timeline").get_by_role("link").first.click()
    page.locator("#note-status", has_text="Draft").wait_for()
    assert "Red flags reported: saddle-anesthesia" in page.get_by_label("History").input_value()
    page.get_by_label("Straight-leg raise positive").select_option("left")
    page.get_by_label("Dermatomal sensory loss").select_option(label="Positive / present")
    page.get_by_role("button", name="Save note").click()
    page.get_by_text("Note saved.").wait_for()
    assert page.get_by_label("Straight-leg raise positive").input_value() == "left"
    page.get_by_role("button", name="Sign note").click()
    page.locator("#note-status", has_text="Signed").wait_for()
    assert page.locator("#exam-findings").get_by_text("slr-positive").is_visible()
    assert page.get_by_role("button", name="Save note").count() == 0
    shot(page, "note")
    note = EncounterNote.objects.get(encounter=encounter)
    assert note.exam == {"slr-positive": "left", "dermatomal-sensory-loss": True}

    # An edit after signing is refused; the note is unchanged.
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        f"{base}/encounters/{encounter.pk}/note/",
        form={"history": "changed after signing"},
        headers={"X-CSRFToken": csrf, "Referer": f"{base}/"},
        max_redirects=0,
    )
    assert refused.status == 302
    page.reload()
    assert page.get_by_text("This note is signed and can no longer be edited").is_visible()
    assert EncounterNote.objects.get(encounter=encounter).history == note.history

    # An amendment is appended and shown.
    page.get_by_label("Reason").fill("Post-void residual added")
    page.get_by_label("Text").fill("Bladder scan: 80 ml after voiding.")
    page.get_by_role("button", name="Add amendment").click()
    page.locator("#amendments").get_by_text("Bladder scan: 80 ml after voiding.").wait_for()
    assert EncounterAmendment.objects.filter(encounter=encounter).count() == 1
    shot(page, "amendment")
