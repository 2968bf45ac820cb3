"""Real browser: a physician opens the chart (evaluation + a drawn chart), builds and finalizes the plan,
signs the note; afterwards an edit is refused and an amendment is appended."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from stepcare.care.models import CarePlan, EncounterNote
from stepcare.records.models import Clinic, Encounter, EncounterAmendment
from tests.web.care_helpers import RADICULAR_EXAM, add_measurement, add_medication, add_note, use_intake
from tests.web.conftest import make_encounter, make_patient, make_user
from tests.web.test_browser import audit_rows_cleared, browser_page, log_in  # noqa: F401 - shared fixtures

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"


@pytest.fixture
def care_clinic(audit_rows_cleared: None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:  # noqa: F811
    """Created before Playwright starts; the intake stand-in is patched in this process (the live server's too)."""
    use_intake(monkeypatch)
    clinic = Clinic.objects.create(name="Care Clinic", slug="care", timezone="UTC")
    doctor = make_user("dr.care", "physician", clinic)
    patient = make_patient(clinic, given_name="Rita", family_name="Radicular", mrn="CARE-1")
    encounter = make_encounter(patient, doctor, date=datetime.date(2026, 11, 2))
    earlier = make_encounter(patient, doctor, date=datetime.date(2026, 10, 1))
    add_note(earlier, doctor, exam=RADICULAR_EXAM)
    add_medication(patient, name="gabapentin", dose=300, per_day=3, start=datetime.date(2026, 8, 1))
    for day, score in (
        (datetime.date(2026, 6, 1), 8),
        (datetime.date(2026, 8, 15), 7),
        (datetime.date(2026, 11, 2), 5),
    ):
        add_measurement(patient, "peg", day, float(score), [score, score, score])
    return {"patient": patient, "encounter": encounter}


@pytest.mark.browser
def test_physician_evaluates_builds_the_plan_and_signs(
    care_clinic: dict[str, Any],
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    patient, encounter = care_clinic["patient"], care_clinic["encounter"]
    SHOTS.mkdir(parents=True, exist_ok=True)

    log_in(page, live_server.url, "dr.care")
    page.wait_for_url(f"{live_server.url}/")

    # The chart: evaluation panel and a drawn trend chart.
    page.goto(f"{live_server.url}/patients/{patient.pk}/care/")
    assert page.get_by_text(
        "Clinical decision support for licensed clinicians — the clinician decides."
    ).is_visible()
    first = page.locator("#differential li").first
    assert first.get_attribute("data-code") == "lumbar-radiculopathy"
    assert "positive straight leg raise" in first.inner_text()
    canvas = page.locator("canvas#chart-pain")
    assert canvas.is_visible()
    assert page.evaluate("() => !!Chart.getChart(document.getElementById('chart-pain'))")
    page.screenshot(path=str(SHOTS / "chart-evaluation.png"), full_page=True)

    # The plan: accept one step, decline another (a reason is required), finalize.
    page.get_by_role("link", name="Plan", exact=True).click()
    accept = page.locator('li.plan-step[data-code="education"]')
    accept.get_by_label("Accept", exact=True).check()
    accept.get_by_role("button", name="Save decision").click()
    page.locator('li.plan-step.decision-accepted[data-code="education"]').wait_for()

    decline = page.locator('li.plan-step[data-code="nsaid-oral"]')
    decline.get_by_label("Decline", exact=True).check()
    decline.get_by_role("button", name="Save decision").click()
    error = page.locator('li.plan-step[data-code="nsaid-oral"] .errorlist')
    error.wait_for()
    assert "Give a reason for declining" in error.inner_text()
    decline = page.locator('li.plan-step[data-code="nsaid-oral"]')
    decline.get_by_label("Reason for declining").fill("Gastritis last year")
    decline.get_by_role("button", name="Save decision").click()
    page.locator('li.plan-step.decision-declined[data-code="nsaid-oral"]').wait_for()
    page.screenshot(path=str(SHOTS / "plan.png"), full_page=True)

    page.get_by_role("button", name="Finalize plan").click()
    page.locator("#plan-status", has_text="Final").wait_for()
    plan = CarePlan.objects.get(patient=patient)
    assert plan.status == "final" and plan.knowledge_version
    decisions = dict(plan.items.values_list("code", "decision"))
    assert (decisions["education"], decisions["nsaid-oral"]) == ("accepted", "declined")

    # The note: prefilled, saved, signed; then an edit is refused and an amendment appended.
    page.goto(f"{live_server.url}/encounters/{encounter.pk}/note/")
    assert "Lumbar radiculopathy" in page.get_by_label("Assessment").input_value()
    page.get_by_role("button", name="Save note").click()
    page.get_by_role("button", name="Sign note").click()
    page.locator("#note-status", has_text="Signed").wait_for()
    assert page.get_by_role("button", name="Save note").count() == 0

    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        f"{live_server.url}/encounters/{encounter.pk}/note/",
        form={"history": "changed after signing"},
        headers={"X-CSRFToken": csrf, "Referer": f"{live_server.url}/"},
        max_redirects=0,
    )
    assert refused.status == 302
    page.reload()
    assert page.get_by_text("This note is signed and can no longer be edited").is_visible()
    assert EncounterNote.objects.get(encounter=encounter).history != "changed after signing"

    page.get_by_label("Reason").fill("Reflex re-tested")
    page.get_by_label("Text").fill("Left ankle reflex absent.")
    page.get_by_role("button", name="Add amendment").click()
    page.locator("#amendments").get_by_text("Left ankle reflex absent.").wait_for()
    assert EncounterAmendment.objects.filter(encounter=Encounter.objects.get(pk=encounter.pk)).count() == 1
