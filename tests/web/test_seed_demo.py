"""seed_demo: idempotent, deterministic, covers every demo condition, always prints the logins."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from stepcare.accounts.models import Role, User
from stepcare.records import demo_data
from stepcare.records.models import Clinic, Encounter, EncounterStatus, InsurancePlan, Patient
from stepcare.records.selectors import dashboard_summary


def run() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Clinic, InsurancePlan, Patient, Encounter, User))


@pytest.mark.django_db
def test_seed_demo_twice_creates_data_once_and_prints_logins_both_times() -> None:
    first = run()
    after_first = counts()
    mrns = sorted(Patient.objects.values_list("mrn", flat=True))

    second = run()

    assert counts() == after_first
    assert sorted(Patient.objects.values_list("mrn", flat=True)) == mrns
    assert "Demo data created." in first
    assert "patients: 32/32" in first  # progress as it goes
    assert "nothing created" in second
    for output in (first, second):
        for role in Role.values:
            assert any(
                line.split("|")[-1].strip().startswith(role) for line in output.splitlines() if "|" in line
            ), role
        assert "dr.reyes" in output and "stepcare-demo" in output


@pytest.mark.django_db
def test_seed_demo_content() -> None:
    run()

    riverside = Clinic.objects.get(name="Riverside Pain & Spine Center")
    Clinic.objects.get(name="Northgate Pain Clinic")
    assert Patient.objects.count() >= 30
    conditions = set(Patient.objects.values_list("primary_condition", flat=True))
    assert set(demo_data.REQUIRED_CONDITIONS) <= conditions
    assert all(p.story for p in Patient.objects.all())
    for patient in Patient.objects.all():
        statuses = list(patient.encounters.values_list("status", flat=True))
        assert 2 <= len(statuses) <= 4
        assert EncounterStatus.SIGNED in statuses and EncounterStatus.DRAFT in statuses
    commercial = InsurancePlan.objects.get(clinic=riverside, referral_required=True)
    assert commercial.visits_allowed_per_year == 20
    assert {p.name for p in InsurancePlan.objects.filter(clinic=riverside)} >= {"Medicare Part B"}
    for username in ("dr.reyes", "nurse.kim", "frontdesk.lee", "pt.okafor", "admin.shah"):
        assert User.objects.get(username=username).clinic == riverside
    patient_users = User.objects.filter(role=Role.PATIENT)
    assert patient_users.count() >= 3
    assert all(u.username.startswith("patient.") and u.patient_id for u in patient_users)
    assert User.objects.get(username="dr.reyes").check_password(demo_data.DEMO_PASSWORD)


@pytest.mark.django_db
def test_seed_demo_puts_encounters_on_today_for_the_dashboard() -> None:
    run()
    reyes = User.objects.get(username="dr.reyes")

    summary = dashboard_summary(user=reyes)

    assert len(summary.my_encounters_today) >= 3


def snapshot() -> list[tuple[object, ...]]:
    return [
        *Patient.objects.order_by("family_name").values_list(
            "family_name", "mrn", "phone", "member_id", "address"
        ),
        *Encounter.objects.filter(date__lte=demo_data.ANCHOR)
        .order_by("patient__family_name", "date")
        .values_list("patient__family_name", "date", "start_time", "type", "status"),
    ]


@pytest.mark.django_db
def test_seed_demo_is_deterministic() -> None:
    with transaction.atomic():
        run()
        first = snapshot()
        transaction.set_rollback(True)  # start again from an empty database
    assert not Patient.objects.exists()

    run()

    assert snapshot() == first
