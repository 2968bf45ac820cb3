"""Data builders for the care/API tests: radicular back pain, measurements, medications, notes."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from stepcare.accounts.models import User
from stepcare.care import selectors
from stepcare.care.models import EncounterNote, Measurement, MedicationEntry
from stepcare.records.models import Encounter, Patient

RADICULAR_PAIN: dict[str, Any] = {
    "pain": {
        "duration_days": 120,
        "sites": [{"region": "low-back", "side": "left"}],
        "radiation": ["thigh", "below-knee"],
        "qualities": ["shooting", "electric"],
        "narrative": "Pain shoots down my left leg since I lifted a box.",
    },
    "goals": [{"kind": "work", "text": "sit through a shift", "measure": "sitting-minutes", "target": 120}],
}
RADICULAR_EXAM = {"slr-positive": "left", "dermatomal-sensory-loss": True}


def use_intake(
    monkeypatch: pytest.MonkeyPatch,
    data: dict[str, Any] | None = None,
    *,
    dn4_interview: dict[str, Any] | None = None,
    submitted_at: datetime.datetime | None = None,
) -> None:
    """Stand in for the intake app: the latest submitted intake's case-shaped data (and its DN4 interview)."""
    payload = data if data is not None else RADICULAR_PAIN
    monkeypatch.setattr(
        selectors,
        "_intake_parts",
        lambda patient: selectors.IntakeParts(
            data=dict(payload), submitted_at=submitted_at, dn4_interview=dn4_interview
        ),
    )


def add_measurement(
    patient: Patient, instrument: str, day: datetime.date, score: float, items: list[int] | None = None
) -> Measurement:
    return Measurement.objects.create(
        patient=patient, instrument=instrument, date=day, score=score, items=items
    )


def add_medication(patient: Patient, **fields: Any) -> MedicationEntry:
    values: dict[str, Any] = {
        "name": "oxycodone",
        "dose": 10,
        "unit": "mg",
        "per_day": 4,
        "route": "oral",
        "formulation": "ir",
        "start": datetime.date(2026, 1, 5),
    }
    values.update(fields)
    return MedicationEntry.objects.create(patient=patient, **values)


def add_note(encounter: Encounter, user: User, **fields: Any) -> EncounterNote:
    return EncounterNote.objects.create(encounter=encounter, updated_by=user, **fields)


def history(patient: Patient, count: int, *, start: datetime.date = datetime.date(2024, 1, 1)) -> None:
    """`count` PEG questionnaires, PHQ-9s and goal measures, one per fortnight, plus medication changes."""
    rows = []
    for i in range(count):
        day = start + datetime.timedelta(days=14 * i)
        rows.append(Measurement(patient=patient, instrument="peg", date=day, score=6.0, items=[6, 6, 6]))
        rows.append(
            Measurement(
                patient=patient, instrument="phq9", date=day, score=5.0, items=[1, 1, 1, 1, 1, 0, 0, 0, 0]
            )
        )
        rows.append(Measurement(patient=patient, instrument="sitting-minutes", date=day, score=30.0 + i))
    Measurement.objects.bulk_create(rows)
    MedicationEntry.objects.bulk_create(
        MedicationEntry(
            patient=patient,
            name="gabapentin",
            dose=300,
            unit="mg",
            per_day=3,
            start=start + datetime.timedelta(days=30 * i),
            stop=start + datetime.timedelta(days=30 * i + 20),
        )
        for i in range(max(1, count // 4))
    )
