"""The clinic outcome report checked against a small cohort computed by hand (PEG: MCID 1.75 points or
30% of baseline, at goal <= 3; horizons 91/182/365 days +-45)."""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from typing import Any

import pytest
from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.care.models import Measurement
from stepcare.records.models import Clinic, Patient
from stepcare.reports import outcomes
from tests.web.conftest import client_for, make_patient
from tests.web.procedure_helpers import performed

START, END = datetime.date(2025, 1, 1), datetime.date(2025, 6, 30)


def _series(patient: Patient, base: datetime.date, points: dict[int, float], instrument: str = "peg") -> None:
    Measurement.objects.bulk_create(
        Measurement(patient=patient, instrument=instrument, date=base + datetime.timedelta(days=d), score=s)
        for d, s in points.items()
    )


@pytest.fixture
def cohort(clinic_a: Clinic, clinic_b: Clinic, alice: User) -> dict[str, Patient]:
    rad, facet = "lumbar-radiculopathy", "lumbar-facet-pain"
    people = {
        "p1": make_patient(clinic_a, mrn="C-1", primary_condition=rad),
        "p2": make_patient(clinic_a, mrn="C-2", primary_condition=rad),
        "p3": make_patient(clinic_a, mrn="C-3", primary_condition=facet),
        "p4": make_patient(clinic_a, mrn="C-4", primary_condition=facet),
        "p7": make_patient(clinic_a, mrn="C-7", primary_condition=rad),
        "early": make_patient(clinic_a, mrn="C-5", primary_condition=rad),
        "other": make_patient(clinic_b, mrn="B-6", primary_condition=rad),
    }
    # p1: 3 m is the reading nearest day 91 (day 92, not day 80); improved at every horizon; latest 3 at goal.
    _series(people["p1"], datetime.date(2025, 1, 10), {0: 8.0, 80: 5.5, 92: 5.0, 180: 4.0, 370: 3.0})
    # p2: -1 point (14%) at 3 m and -0.5 at 6 m: followed up, not improved.
    _series(people["p2"], datetime.date(2025, 2, 1), {0: 7.0, 95: 6.0, 200: 6.5})
    # p3: -2 points at 3 m (improved); -1.5 points = 25% at 12 m (not improved).
    _series(people["p3"], datetime.date(2025, 3, 1), {0: 6.0, 85: 4.0, 365: 4.5})
    # p4: a reading at day 20 is no horizon's follow-up.
    _series(people["p4"], datetime.date(2025, 4, 1), {0: 5.0, 20: 5.0})
    # p7: 4.0 → 2.8 is exactly 30% (improved by the percent rule), and 2.8 is at goal.
    _series(people["p7"], datetime.date(2025, 5, 1), {0: 4.0, 91: 2.8})
    # outside the period, and another clinic: not in the cohort.
    _series(people["early"], datetime.date(2024, 12, 1), {0: 9.0, 91: 2.0})
    _series(people["other"], datetime.date(2025, 2, 1), {0: 9.0, 91: 2.0})
    performed(people["p1"], alice, "epidural-steroid-injection", datetime.date(2025, 1, 20), relief=70.0)
    performed(people["p3"], alice, "medial-branch-block", datetime.date(2025, 3, 20), relief=85.0)
    return people


def _row(report: outcomes.OutcomeReport, kind: str, key: str) -> dict[str, Any]:
    [row] = [r.to_dict() for r in report.rows if r.kind == kind and r.key == key and r.instrument == "peg"]
    return row


def test_the_whole_cohort_matches_the_hand_computation(cohort: dict[str, Patient], clinic_a: Clinic) -> None:
    report = outcomes.outcome_report(clinic_id=clinic_a.pk, start=START, end=END)
    row = _row(report, "all", "all")
    assert report.patients == 5
    assert (row["patients"], row["followed_up_any"], row["followed_up_any_share"]) == (5, 4, 80.0)
    assert (row["followed_up_3m"], row["improved_3m"], row["improved_share_3m"], row["median_change_3m"]) == (
        4, 3, 75.0, -1.6
    )  # fmt: skip
    assert (row["followed_up_6m"], row["improved_6m"], row["median_change_6m"]) == (2, 1, -2.25)
    assert (row["followed_up_12m"], row["improved_12m"], row["median_change_12m"]) == (2, 1, -3.25)
    assert (row["followed_up_share_3m"], row["followed_up_share_12m"]) == (80.0, 40.0)
    assert (row["at_goal"], row["at_goal_share"]) == (2, 40.0)


def test_per_condition_and_per_intervention(cohort: dict[str, Patient], clinic_a: Clinic) -> None:
    report = outcomes.outcome_report(clinic_id=clinic_a.pk, start=START, end=END)
    rad = _row(report, "condition", "lumbar-radiculopathy")
    assert (rad["patients"], rad["followed_up_3m"], rad["improved_3m"], rad["median_change_3m"]) == (
        3,
        3,
        2,
        -1.2,
    )
    facet = _row(report, "condition", "lumbar-facet-pain")
    assert (facet["patients"], facet["followed_up_3m"], facet["improved_3m"], facet["median_change_3m"]) == (
        2, 1, 1, -2.0
    )  # fmt: skip
    assert (facet["followed_up_12m"], facet["improved_12m"], facet["median_change_12m"]) == (1, 0, -1.5)
    esi = _row(report, "intervention", "epidural-steroid-injection")
    assert (esi["group_label"], esi["patients"], esi["improved_12m"], esi["at_goal"]) == (
        "Epidural steroid injection", 1, 1, 1
    )  # fmt: skip
    mbb = _row(report, "intervention", "medial-branch-block")
    assert (mbb["patients"], mbb["improved_3m"], mbb["improved_12m"]) == (1, 1, 0)


def test_each_instrument_is_reported_separately(cohort: dict[str, Patient], clinic_a: Clinic) -> None:
    _series(cohort["p2"], datetime.date(2025, 2, 1), {0: 40.0, 90: 28.0}, instrument="odi")
    report = outcomes.outcome_report(clinic_id=clinic_a.pk, start=START, end=END)
    [odi] = [r.to_dict() for r in report.rows if r.kind == "all" and r.instrument == "odi"]
    assert (odi["patients"], odi["improved_3m"], odi["median_change_3m"]) == (1, 1, -12.0)  # 12 >= 10 points
    assert _row(report, "all", "all")["patients"] == 5


def test_the_page_shows_the_numbers_and_the_chart_data(cohort: dict[str, Patient], ada: User) -> None:
    response = client_for(ada).get(
        reverse("outcome-report"), {"start": START.isoformat(), "end": END.isoformat()}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<strong>5</strong> patients in the cohort" in body
    data = json.loads(re.search(r'id="outcome-chart-data"[^>]*>(.*?)</script>', body, re.S).group(1))  # type: ignore[union-attr]
    [peg] = [c for c in data["charts"] if c["instrument"] == "peg"]
    by_condition = dict(zip(peg["labels"], peg["datasets"][0]["data"], strict=True))
    assert by_condition == {"Lumbar facet pain": 100.0, "Lumbar radiculopathy": 66.7}
    assert "vendor/chartjs/chart.umd.min.js" in body


def test_the_csv_export_has_the_documented_columns(cohort: dict[str, Patient], alice: User) -> None:
    response = client_for(alice).get(
        reverse("outcome-report"), {"start": START.isoformat(), "end": END.isoformat(), "format": "csv"}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert list(rows[0]) == [
        "period_start", "period_end", "group_kind", "group", "group_label", "instrument", "patients",
        "followed_up_any", "followed_up_any_share",
        "followed_up_3m", "followed_up_share_3m", "improved_3m", "improved_share_3m", "median_change_3m",
        "followed_up_6m", "followed_up_share_6m", "improved_6m", "improved_share_6m", "median_change_6m",
        "followed_up_12m", "followed_up_share_12m", "improved_12m", "improved_share_12m", "median_change_12m",
        "at_goal", "at_goal_share",
    ]  # fmt: skip
    first = rows[0]
    assert (first["group_kind"], first["instrument"], first["patients"], first["median_change_3m"]) == (
        "all", "peg", "5", "-1.6"
    )  # fmt: skip
    assert {r["group"] for r in rows} == {
        "all", "lumbar-radiculopathy", "lumbar-facet-pain", "epidural-steroid-injection", "medial-branch-block"
    }  # fmt: skip


def test_a_reversed_period_is_refused_with_a_message(alice: User) -> None:
    response = client_for(alice).get(reverse("outcome-report"), {"start": "2025-06-30", "end": "2025-01-01"})
    assert response.status_code == 400
    assert "The start of the period must be on or before its end." in response.content.decode()


def test_another_clinic_sees_only_its_own_patients(cohort: dict[str, Patient], charlie: User) -> None:
    response = client_for(charlie).get(
        reverse("outcome-report"), {"start": START.isoformat(), "end": END.isoformat(), "format": "csv"}
    )
    [row] = [r for r in csv.DictReader(io.StringIO(response.content.decode())) if r["group_kind"] == "all"]
    assert (row["patients"], row["improved_3m"]) == ("1", "1")
