"""The intake in plain language, step by step, for the review page (and anyone reading it back)."""

from __future__ import annotations

from typing import Any

from stepcare.intake import wording as w
from stepcare.intake.models import Intake


def _labels(codes: list[str], labels: dict[str, str]) -> str:
    return ", ".join(labels.get(code, code) for code in codes) or "—"


def _pain(data: dict[str, Any], extra: dict[str, Any]) -> list[str]:
    pain = data.get("pain", {})
    lines = []
    if pain.get("onset"):
        lines.append(f"Started on {pain['onset']}")
    elif extra.get("pain", {}).get("duration_value"):
        saved = extra["pain"]
        lines.append(f"For about {saved['duration_value']} {saved['duration_unit']}")
    if pain.get("nrs") is not None:
        lines.append(f"Pain now: {pain['nrs']} out of 10")
    lines.append(f"Feels: {_labels(pain.get('qualities', []), w.QUALITY_LABELS)}")
    lines.append(f"Also: {_labels(pain.get('symptoms', []), w.SYMPTOM_LABELS)}")
    lines.append(f"Worse with: {_labels(pain.get('worse_with', []), w.MODIFIER_LABELS)}")
    lines.append(f"Better with: {_labels(pain.get('better_with', []), w.MODIFIER_LABELS)}")
    for event in data.get("events", []):
        lines.append(f"Started after: {w.EVENT_LABELS.get(event['kind'], event['kind'])} ({event['date']})")
    if pain.get("narrative"):
        lines.append(f"In your words: {pain['narrative']}")
    return lines


def _where(data: dict[str, Any]) -> list[str]:
    pain = data.get("pain", {})
    sites = [w.site_label(s["region"], s.get("side")) for s in pain.get("sites", [])]
    return [
        f"Hurts: {', '.join(sites) or '—'}",
        f"Travels: {_labels(pain.get('radiation', []), w.RADIATION_LABELS)}",
    ]


def _warning_signs(data: dict[str, Any], extra: dict[str, Any]) -> list[str]:
    questions = {q.code: q.question for q in w.RED_FLAG_QUESTIONS}
    flags = data.get("red_flags", [])
    if not extra.get("red_flags_asked") and not flags:
        return []
    if not flags:
        return ["No to every warning-sign question"]
    return [f"Yes: {questions.get(code, code)}" for code in flags]


def _health(data: dict[str, Any]) -> list[str]:
    if "patient" not in data:
        return []  # an intake from before this step was added
    patient = data["patient"]
    conditions = patient.get("conditions", [])
    listed = _labels(conditions, w.CONDITION_LABELS) if conditions else "none of those listed"
    lines = [f"Other health problems: {listed}"]
    if "pregnant" in patient:
        lines.append(f"Pregnant now: {'yes' if patient['pregnant'] else 'no'}")
    if patient.get("liver_disease"):
        lines.append(f"Liver: {w.LIVER_LABELS.get(patient['liver_disease'], patient['liver_disease'])}")
    return lines


def _daily_life(extra: dict[str, Any]) -> list[str]:
    d = extra.get("daily_life")
    if not d:
        return []
    lines = [
        f"Sleep: {w.SLEEP_QUALITY_LABELS.get(d['sleep_quality'], '—')}"
        + (f", about {d['sleep_hours']} hours" if d.get("sleep_hours") is not None else ""),
        f"Pain wakes you at night: {'yes' if d['night_pain'] == 'yes' else 'no'}",
        f"Mood: {w.MOOD_LABELS.get(d['mood'], '—')}",
        f"Work: {w.WORK_STATUS_LABELS.get(d['work_status'], '—')}",
    ]
    if d.get("work_notes"):
        lines.append(f"About work: {d['work_notes']}")
    if d.get("hopes"):
        lines.append(f"Hoping for: {d['hopes']}")
    return lines


def _imaging(data: dict[str, Any], extra: dict[str, Any]) -> list[str]:
    notes = extra.get("imaging_notes", [])
    lines = []
    for i, scan in enumerate(data.get("imaging", [])):
        where = w.site_label(scan["region"], scan.get("side")) if scan.get("region") else "part not given"
        note = f" — {notes[i]}" if i < len(notes) and notes[i] else ""
        lines.append(
            f"{w.MODALITY_LABELS.get(scan['modality'], scan['modality'])}, {scan['date']}, {where}{note}"
        )
    return lines or ["No scans listed"]


def _medicines(data: dict[str, Any]) -> list[str]:
    lines = []
    for t in data.get("medication_trials", []):
        per_day = f", {t['per_day']} times a day" if t.get("per_day") else ""
        weeks = f", {t['weeks']} weeks" if t.get("weeks") is not None else ""
        now = "still taking" if t.get("still_taking") else "stopped"
        effects = f"; side effects: {t['side_effects']}" if t.get("side_effects") else ""
        lines.append(
            f"{t['name']} {t['dose']} {t['unit']}{per_day}{weeks} ({now}) — "
            f"{w.RESPONSE_LABELS.get(t.get('response') or '', '—')}{effects}"
        )
    return lines or ["No medicines listed"]


def _therapies(data: dict[str, Any]) -> list[str]:
    lines = [
        f"{w.THERAPY_LABELS.get(t['code'], t['code'])}, {t['weeks']} weeks"
        f"{' (finished)' if t.get('completed') else ''} — {w.RESPONSE_LABELS.get(t.get('response') or '', '—')}"
        for t in data.get("therapies", [])
    ]
    return lines or ["No treatments listed"]


def _goals(data: dict[str, Any]) -> list[str]:
    return [
        f"{g['kind'].capitalize()} goal: {g['text']} — {g.get('measure') or ''}: {g.get('target')}"
        for g in data.get("goals", [])
    ]


def _questionnaires(data: dict[str, Any], extra: dict[str, Any]) -> list[str]:
    lines = [f"{q['instrument'].upper()}: {len(q['items'])} answers" for q in data.get("questionnaires", [])]
    if extra.get("dn4_interview"):
        lines.append("DN4: your part answered (the clinician completes the examination part)")
    return lines


def intake_summary(intake: Intake) -> list[tuple[str, str, list[str]]]:
    """(step slug, step title, lines) for every step but the review itself."""
    data, extra = intake.data, intake.extra
    by_step = {
        "pain": _pain(data, extra),
        "where": _where(data),
        "warning-signs": _warning_signs(data, extra),
        "health": _health(data),
        "daily-life": _daily_life(extra),
        "imaging": _imaging(data, extra),
        "medicines": _medicines(data),
        "therapies": _therapies(data),
        "goals": _goals(data),
        "questionnaires": _questionnaires(data, extra),
    }
    return [
        (slug, w.STEP_TITLES[slug], by_step[slug] if slug in intake.completed_steps else [])
        for slug in w.STEP_SLUGS
        if slug != "review"
    ]
