"""Every page's 'today' is the clinic's calendar day: one helper serves users, patients and intakes."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from stepcare.accounts.models import User
from stepcare.care.selectors import patient_today
from stepcare.intake.models import Intake
from stepcare.intake.selectors import intake_today
from stepcare.records.models import Clinic, Patient
from stepcare.records.selectors import clinic_date, clinic_today

# 05:00 UTC on 20 November is still the 19th in Chicago (UTC-6) and already the 20th in UTC.
NOW = datetime.datetime(2026, 11, 20, 5, 0, tzinfo=datetime.UTC)


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timezone, "now", lambda: NOW)


def test_user_patient_and_intake_dates_follow_the_clinics_time_zone(
    fixed_now: None, alice: User, p1: Patient
) -> None:
    intake = Intake(patient=p1, clinic=p1.clinic)  # unsaved: only its clinic matters
    chicago = datetime.date(2026, 11, 19)

    assert (clinic_today(alice), patient_today(p1), intake_today(intake)) == (chicago, chicago, chicago)


def test_an_unknown_time_zone_or_no_clinic_falls_back_to_utc(fixed_now: None, clinic_a: Clinic) -> None:
    clinic_a.timezone = "Mars/Olympus_Mons"

    assert clinic_date(clinic_a) == datetime.date(2026, 11, 20)
    assert clinic_date(None) == datetime.date(2026, 11, 20)
