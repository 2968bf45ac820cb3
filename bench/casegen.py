"""Deterministic generator of varied, valid cases for the benchmarks (not clinical vignettes)."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

AS_OF = dt.date(2026, 11, 24)
REGIONS = [
    "low-back",
    "neck",
    "knee",
    "hip",
    "shoulder",
    "ankle-foot",
    "head",
    "pelvis",
    "widespread",
    "buttock",
]
RADIATION = ["buttock", "thigh", "below-knee", "foot", "arm", "below-elbow", "hand", "scalp"]
QUALITIES = ["aching", "burning", "electric", "shooting", "stabbing", "throbbing", "numbness", "tingling"]
MODIFIERS = [
    "standing",
    "sitting",
    "walking",
    "lying",
    "flexion",
    "extension",
    "rotation",
    "cough-sneeze",
    "activity",
    "rest",
]
SYMPTOMS = [
    "swelling",
    "color-change",
    "temperature-change",
    "stiffness",
    "weakness",
    "fatigue",
    "unrefreshing-sleep",
    "nausea",
    "photophobia",
]
CONDITIONS = [
    "hypertension",
    "diabetes",
    "ckd",
    "depression",
    "anxiety",
    "sleep-apnea",
    "gi-bleed-history",
    "cardiovascular-disease",
]
MEDS: list[dict[str, Any]] = [
    {"name": "gabapentin", "dose": 300, "unit": "mg", "per_day": 3},
    {"name": "oxycodone", "dose": 5, "unit": "mg", "per_day": 4, "prn": True},
    {"name": "ibuprofen", "dose": 400, "unit": "mg", "per_day": 3},
    {"name": "duloxetine", "dose": 60, "unit": "mg", "per_day": 1},
    {"name": "acetaminophen", "dose": 500, "unit": "mg", "per_day": 4},
    {"name": "tramadol", "dose": 50, "unit": "mg", "per_day": 4, "prn": True},
    {"name": "fentanyl", "dose": 25, "unit": "mcg/hr", "route": "transdermal"},
    {"name": "morphine", "dose": 15, "unit": "mg", "per_day": 2, "formulation": "er"},
]
THERAPIES = ["physical-therapy", "home-exercise", "nsaid-oral", "cbt", "acetaminophen"]


def make_case(rng: random.Random, index: int) -> dict[str, Any]:
    """One plausible case; roughly the size and shape of the contract's example."""
    region = rng.choice(REGIONS)
    onset = AS_OF - dt.timedelta(days=rng.randint(3, 2000))
    case: dict[str, Any] = {
        "id": f"bench-{index}",
        "as_of": AS_OF.isoformat(),
        "patient": {
            "age": rng.randint(18, 90),
            "sex": rng.choice(["female", "male"]),
            "egfr": rng.choice([None, 25, 45, 75, 95]),
            "conditions": rng.sample(CONDITIONS, rng.randint(0, 3)),
        },
        "pain": {
            "onset": onset.isoformat(),
            "sites": [{"region": region, "side": rng.choice(["left", "right", "bilateral"])}],
            "radiation": rng.sample(RADIATION, rng.randint(0, 2)),
            "qualities": rng.sample(QUALITIES, rng.randint(1, 3)),
            "symptoms": rng.sample(SYMPTOMS, rng.randint(0, 2)),
            "worse_with": rng.sample(MODIFIERS, rng.randint(0, 3)),
            "better_with": rng.sample(MODIFIERS, rng.randint(0, 2)),
            "nrs": rng.randint(2, 9),
        },
        "red_flags": rng.sample(["fever", "cancer-history", "night-pain-at-rest"], 1)
        if rng.random() < 0.05
        else [],
        "exam": {
            "slr-positive": rng.choice([None, "left", "right"]),
            "dermatomal-sensory-loss": rng.random() < 0.3,
            "facet-loading-positive": rng.random() < 0.3,
            "si-provocation-positive": rng.randint(0, 6),
        },
        "questionnaires": [
            {"instrument": "peg", "date": AS_OF.isoformat(), "items": [rng.randint(0, 10) for _ in range(3)]},
            {"instrument": "phq9", "date": AS_OF.isoformat(), "items": [rng.randint(0, 3) for _ in range(9)]},
            {"instrument": "gad7", "date": AS_OF.isoformat(), "items": [rng.randint(0, 3) for _ in range(7)]},
        ],
        "medications": [dict(m) for m in rng.sample(MEDS, rng.randint(0, 3))],
        "therapies": [
            {
                "code": code,
                "weeks": rng.randint(1, 12),
                "completed": True,
                "response": rng.choice(["none", "partial", "good"]),
            }
            for code in rng.sample(THERAPIES, rng.randint(0, 2))
        ],
        "history": [{"date": (AS_OF - dt.timedelta(days=60)).isoformat(), "instrument": "peg", "score": 7.0}],
    }
    return case
