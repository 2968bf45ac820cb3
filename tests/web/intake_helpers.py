"""Valid answers for every intake step, as a browser would post them, and a helper to walk the steps."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from stepcare.intake import wording as w
from stepcare.intake.forms import flag_field

PAIN = {
    "onset": "2025-01-10",
    "duration_value": "",
    "duration_unit": "months",
    "nrs": "7",
    "qualities": ["burning", "shooting"],
    "symptoms": ["weakness"],
    "worse_with": ["sitting", "flexion"],
    "better_with": ["walking"],
    "started_after": "injury",
    "started_after_date": "",
    "narrative": "Lifting a box at work; pain down the left leg.",
}
WHERE = {"sites": ["low-back:midline", "buttock:left"], "radiation": ["thigh", "below-knee"]}
HEALTH = {"conditions": ["ckd", "hypertension"], "pregnant": "no", "liver_disease": "mild"}
DAILY_LIFE = {
    "sleep_hours": "5",
    "sleep_quality": "poor",
    "night_pain": "yes",
    "mood": "low-sometimes",
    "work_status": "off-work-pain",
    "work_notes": "Warehouse job, lifting",
    "hopes": "Back to work",
}
IMAGING = {
    "scan-count": "1",
    "scan-0-modality": "mri",
    "scan-0-date": "2025-02-01",
    "scan-0-region": "low-back",
    "scan-0-side": "",
    "scan-0-notes": "Slipped disc",
}
MEDICINES = {
    "med-count": "2",
    "med-0-name": "Gabapentin",
    "med-0-dose": "300",
    "med-0-unit": "mg",
    "med-0-per_day": "3",
    "med-0-weeks": "8",
    "med-0-still_taking": "yes",
    "med-0-response": "partial",
    "med-0-side_effects": "Dizzy",
    "med-1-name": "Ibuprofen",
    "med-1-dose": "400",
    "med-1-unit": "mg",
    "med-1-per_day": "3",
    "med-1-weeks": "2",
    "med-1-still_taking": "no",
    "med-1-response": "intolerant",
    "med-1-side_effects": "Stomach pain",
}
THERAPIES = {
    "therapy-count": "1",
    "therapy-0-code": "physical-therapy",
    "therapy-0-weeks": "6",
    "therapy-0-completed": "yes",
    "therapy-0-response": "partial",
}
GOALS = {
    "work_text": "Go back to my warehouse shifts",
    "work_measure": "hours per shift",
    "work_target": "8",
    "life_text": "Walk the dog",
    "life_measure": "km walked",
    "life_target": "3",
}


def warning_signs(yes: tuple[str, ...] = (), regions: set[str] | None = None) -> dict[str, str]:
    questions = w.red_flag_questions_for(regions if regions is not None else {"low-back", "buttock"})
    return {flag_field(q.code): "yes" if q.code in yes else "no" for q in questions}


def questionnaires(**overrides: Any) -> dict[str, str]:
    """PEG, PHQ-9, GAD-7, ODI (low back) and DN4's patient items (burning quality)."""
    answers: dict[str, str] = {}
    for n in range(1, 4):
        answers[f"q_peg_{n}"] = "6"
    for n in range(1, 10):
        answers[f"q_phq9_{n}"] = "1"
    answers["q_phq9_9"] = "0"
    for n in range(1, 8):
        answers[f"q_gad7_{n}"] = "1"
    for n in range(1, 11):
        answers[f"q_odi_{n}"] = "2"
    for n in range(1, 8):
        answers[f"q_dn4_{n}"] = "0"
    answers["q_dn4_1"] = "1"
    answers.update({k: str(v) for k, v in overrides.items()})
    return answers


def answers_by_step(red_flags: tuple[str, ...] = ()) -> dict[str, dict[str, Any]]:
    return {
        "pain": PAIN,
        "where": WHERE,
        "warning-signs": warning_signs(red_flags),
        "health": HEALTH,
        "daily-life": DAILY_LIFE,
        "imaging": IMAGING,
        "medicines": MEDICINES,
        "therapies": THERAPIES,
        "goals": GOALS,
        "questionnaires": questionnaires(),
    }


def portal_step(step: str) -> str:
    return reverse("portal-intake-step", args=[step])


def walk(
    client: Client, url_for_step: Any, *, until: str = "review", red_flags: tuple[str, ...] = ()
) -> None:
    """Post every step's valid answers in order, up to (not including) `until`."""
    for step, data in answers_by_step(red_flags).items():
        if step == until:
            return
        response = client.post(url_for_step(step), data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])
