"""Real browser: a patient completes an intake on the body map with a red flag; a nurse sees it on top of triage."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from stepcare.records.models import Clinic
from tests.web.conftest import make_patient, make_user
from tests.web.test_browser import audit_rows_cleared, browser_page, log_in  # noqa: F401 - shared browser fixtures

RESULTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"
BODYMAP_SHOT = RESULTS / "intake-bodymap.png"
TRIAGE_SHOT = RESULTS / "triage-queue.png"


@pytest.fixture
def intake_clinic(audit_rows_cleared: None) -> None:  # noqa: F811
    """Created before the browser starts: ORM calls made while Playwright's loop runs use another connection."""
    clinic = Clinic.objects.create(name="Browser Clinic", slug="browser-intake", timezone="UTC")
    make_user("nurse.browser", "nurse", clinic, credential="RN")
    patient = make_patient(
        clinic,
        given_name="Ines",
        family_name="Intakeova",
        mrn="BR-7001",
        date_of_birth=datetime.date(1968, 4, 2),
    )
    make_user("ines", "patient", clinic, patient=patient)
    # Someone already waiting with an urgent flag: the new emergency must go above them.
    other = make_patient(clinic, given_name="Uri", family_name="Urgentman", mrn="BR-7002")
    from stepcare.intake.models import Intake, IntakeStatus

    Intake.objects.create(
        patient=other,
        clinic=clinic,
        started_by=make_user("frontdesk.browser", "front_desk", clinic),
        current_step="review",
        status=IntakeStatus.SUBMITTED,
        triage_level="urgent",
        triage_reasons=["progressive-weakness"],
        triage_action="Immediate MRI and same-day specialist contact.",
        triaged_at=datetime.datetime.now(datetime.UTC),
        submitted_at=datetime.datetime.now(datetime.UTC),
    )


def save(page: Any, heading: str) -> None:
    page.get_by_role("button", name="Save and continue", exact=True).last.click()
    page.get_by_role("heading", level=1, name=heading).wait_for()


def start_intake_to_red_flag(
    page: Any,
    base: str,
    *,
    username: str,
    onset: str,
    nrs: str,
    narrative: str,
    body_map_key: str,
    on_body_map: Callable[[Any], object],
) -> Any:
    """Log in as the patient and answer the first three steps: pain, the body map (a click on the lower back,
    the keyboard — focus and `body_map_key`, Space or Enter — for the left buttock) and warning signs with
    saddle anaesthesia. Returns the triage advice the patient is shown."""
    log_in(page, base, username)
    page.get_by_role("link", name="Fill in or continue your intake").click()
    page.get_by_role("button", name="Start the intake").click()

    # 1 About your pain
    page.get_by_role("heading", level=1, name="About your pain").wait_for()
    page.get_by_label("When did this pain start?").fill(onset)
    page.get_by_label("How bad is your pain right now, from 0 to 10?").fill(nrs)
    page.get_by_role("group", name="What does the pain feel like?").get_by_label("Aching").check()
    page.get_by_role("group", name="What makes it worse?").get_by_label("Sitting").check()
    page.get_by_role("group", name="What makes it better?").get_by_label("Walking").check()
    page.get_by_label("In your own words, tell us about your pain").fill(narrative)
    save(page, "Where it hurts")

    # 2 Body map
    page.locator('[data-site="low-back:midline"]').click()
    buttock = page.get_by_role("checkbox", name="Left buttock (back)")
    buttock.focus()
    page.keyboard.press(body_map_key)
    assert page.locator('[data-site="low-back:midline"]').get_attribute("aria-checked") == "true"
    assert buttock.get_attribute("aria-checked") == "true"
    assert page.locator('input[name="sites"][value="buttock:left"]').is_checked()
    assert page.get_by_text("Marked: Lower back, Left buttock").is_visible()
    on_body_map(page)
    page.get_by_role("group", name="Does the pain travel (spread) anywhere?").get_by_label(
        "Down the thigh"
    ).check()
    save(page, "Warning signs")

    # 3 Warning signs: no to all but saddle anaesthesia; the patient is told what to do now
    for radio in page.locator('input[type="radio"][value="no"]').all():
        radio.check()
    page.get_by_role("group", name="Numbness between your legs").get_by_label("Yes").check()
    save(page, "Warning signs")
    advice = page.locator("#triage-advice")
    advice.wait_for()
    assert "Please get emergency help now" in advice.inner_text()
    return advice


@pytest.mark.browser
def test_patient_intake_with_red_flag_lands_on_top_of_triage(
    intake_clinic: None,
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, base = browser_page, live_server.url
    RESULTS.mkdir(parents=True, exist_ok=True)

    advice = start_intake_to_red_flag(
        page,
        base,
        username="ines",
        onset="2025-03-01",
        nrs="8",
        narrative="Low back pain since March.",
        body_map_key="Space",
        on_body_map=lambda p: p.screenshot(path=str(BODYMAP_SHOT), full_page=True),
    )
    assert "call 911" in advice.inner_text()
    advice.get_by_role("link", name="continue with the other questions").click()

    # 4 Your health: kidney disease ticked, not pregnant, no liver problem
    page.get_by_role("heading", level=1, name="Your health").wait_for()
    page.get_by_role("group", name="Do you have, or have you had, any of these?").get_by_label(
        "Kidney disease"
    ).check()
    page.get_by_role("group", name="Are you pregnant now?").get_by_label("No").check()
    page.get_by_role("group", name="Do you have a liver problem?").get_by_label(
        "No liver problem that I know of"
    ).check()
    save(page, "Sleep, mood and work")

    # 5 Sleep, mood and work
    page.get_by_role("group", name="How well do you sleep?").get_by_label("Poor").check()
    page.get_by_role("group", name="Does the pain wake you at night?").get_by_label("Yes").check()
    page.get_by_role("group", name="How has your mood been lately?").get_by_label("Mostly good").check()
    page.get_by_label("What best describes your work now?").select_option("full-time")
    save(page, "Scans and reports")

    # 6 no scans; 7 one medicine added with htmx; 8 no treatments
    save(page, "Medicines tried")
    page.get_by_role("button", name="Add a medicine").click()
    page.get_by_label("Medicine name").wait_for()
    page.get_by_label("Medicine name").fill("Naproxen")
    page.get_by_label("Strength of one dose").fill("500")
    page.get_by_label("Times a day").fill("2")
    page.get_by_label("For how many weeks?").fill("4")
    page.get_by_role("group", name="Still taking it?").get_by_label("Yes").check()
    page.get_by_label("Did it help?").select_option("partial")
    save(page, "Treatments tried")
    save(page, "Your goals")

    # 9 goals
    page.get_by_label("Your work goal").fill("Sit through a full shift")
    page.get_by_label("How will you measure it?").first.fill("hours sitting")
    page.get_by_label("Target (a number)").first.fill("8")
    page.get_by_label("Your life goal").fill("Drive to my sister's")
    page.get_by_label("How will you measure it?").last.fill("minutes driving")
    page.get_by_label("Target (a number)").last.fill("90")
    save(page, "Questionnaires")

    # 10 questionnaires: PEG, PHQ-9, GAD-7 and ODI (low back)
    assert page.get_by_role("group", name="Oswestry Disability Index (v2.1a)").is_visible()
    for radio in page.locator('input[type="radio"][value="1"]').all():
        radio.check()
    save(page, "Review and send")

    # 11 review and send
    assert page.get_by_text("Pain now: 8 out of 10").is_visible()
    assert page.get_by_text("Other health problems: Kidney disease").is_visible()
    page.get_by_role("button", name="Send to the clinic").click()
    page.get_by_text("Your answers were sent to the clinic.").wait_for()
    page.get_by_role("button", name="Log out").click()

    # A nurse sees the emergency at the top of the queue, above the earlier urgent one
    log_in(page, base, "nurse.browser")
    page.get_by_role("link", name="Triage", exact=True).click()
    page.get_by_role("heading", level=1, name="Triage queue").wait_for()
    rows = page.locator("table.triage-table").first.locator("tbody tr")
    assert rows.count() == 2
    first = rows.nth(0)
    assert "Intakeova, Ines" in first.inner_text()
    assert "Emergency" in first.inner_text()
    assert "saddle-anesthesia" in first.inner_text()
    assert "Urgentman, Uri" in rows.nth(1).inner_text()
    page.screenshot(path=str(TRIAGE_SHOT), full_page=True)

    first.get_by_role("button", name="Acknowledge Intakeova, Ines").click()
    page.get_by_text("Acknowledged by Nurse.browser").wait_for()
    assert BODYMAP_SHOT.stat().st_size > 0 and TRIAGE_SHOT.stat().st_size > 0
