"""seed_demo: idempotent, deterministic, covers every demo condition, always prints the logins.

The demo's clinical history must make every page show real content: valid cases, a triage queue with
emergency and urgent intakes, safety alerts, plateaus, procedures that qualify for prior authorization
and an outcome report with numbers.
"""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import reverse

from stepcare.accounts.models import Role, User
from stepcare.audit.models import AuditEvent
from stepcare.care.models import CarePlan, EncounterNote, Measurement, MedicationEntry, PlanStatus
from stepcare.care.selectors import assemble_case, load_care_data, patient_today
from stepcare.clinical import evaluate, parse_case
from stepcare.intake.models import Intake, IntakeStatus, TriageLevel
from stepcare.intake.selectors import intake_case, triage_queue
from stepcare.meds.models import MonitoringEvent
from stepcare.procedures.models import BlockDiary, ProcedureRecord, Status
from stepcare.procedures.selectors import prior_auth_packet
from stepcare.records import demo_data
from stepcare.records.demo_history import HISTORIES
from stepcare.records.models import Clinic, Encounter, EncounterStatus, InsurancePlan, Patient
from stepcare.records.selectors import clinic_today, dashboard_summary
from stepcare.reports.outcomes import outcome_report


def run() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


CREATED_MODELS = (
    Clinic,
    InsurancePlan,
    Patient,
    Encounter,
    User,
    Intake,
    Measurement,
    MedicationEntry,
    EncounterNote,
    MonitoringEvent,
    ProcedureRecord,
    BlockDiary,
    CarePlan,
    AuditEvent,
)


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in CREATED_MODELS)


@pytest.mark.django_db
def test_seed_demo_twice_creates_data_once_and_prints_logins_both_times() -> None:
    first = run()
    after_first = counts()
    mrns = sorted(Patient.objects.values_list("mrn", flat=True))

    second = run()

    assert counts() == after_first
    assert sorted(Patient.objects.values_list("mrn", flat=True)) == mrns
    assert "Demo data created." in first
    assert "patients with their history: 32/32" in first  # progress as it goes
    assert "measurements: " in first and "awaiting triage: emergency" in first
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
        *Encounter.objects.order_by("patient__family_name", "date").values_list(
            "patient__family_name", "date", "start_time", "type", "status"
        ),
        *Measurement.objects.order_by("patient__family_name", "date", "instrument").values_list(
            "patient__family_name", "date", "instrument", "score", "items"
        ),
        *MedicationEntry.objects.order_by("patient__family_name", "name", "start").values_list(
            "patient__family_name", "name", "dose", "start", "stop"
        ),
        *ProcedureRecord.objects.order_by("patient__family_name", "code", "planned_date").values_list(
            "patient__family_name", "code", "status", "performed_on", "relief_percent"
        ),
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


# ------------------------------------------------------------------------------ clinical history
@pytest.fixture
def seeded(db: None) -> User:
    run()
    return User.objects.get(username="dr.reyes")


def _evaluations() -> dict[str, dict[str, Any]]:
    out = {}
    for patient in Patient.objects.select_related("clinic"):
        assembly = assemble_case(load_care_data(patient))
        assert assembly.problems == [], (patient.family_name, assembly.problems)
        out[patient.family_name] = evaluate(assembly.case).to_dict()
    return out


def test_every_demo_patient_has_a_valid_case_that_evaluates(seeded: User) -> None:
    evaluations = _evaluations()

    assert len(evaluations) == len(demo_data.PATIENTS) == len(HISTORIES)
    for name, result in evaluations.items():
        assert result["differential"], name
        assert {"peg", "phq9", "gad7"} <= set(result["scores"]), name
    for intake in Intake.objects.select_related("patient", "clinic"):
        assert intake.status == IntakeStatus.SUBMITTED
        day = intake.submitted_at.date() if intake.submitted_at else None
        assert day is not None
        parse_case(intake_case(intake, as_of=day))  # every stored intake is a valid case on its day
    assert not Patient.objects.filter(intakes__isnull=True).exists()


def test_demo_alerts_show_plateau_and_medication_safety(seeded: User) -> None:
    evaluations = _evaluations()
    alerts = {name: {a["code"] for a in r["alerts"]} for name, r in evaluations.items()}
    statuses = {
        (name, code): o["status"] for name, r in evaluations.items() for code, o in r["outcomes"].items()
    }

    assert any("plan-plateau" in codes for codes in alerts.values())
    franklin = alerts["Redo"]  # oxycodone 10 mg x4 with lorazepam
    assert {"benzodiazepine-opioid", "mme-50", "naloxone-offer"} <= franklin
    assert "nsaid-kidney" in alerts["Imaginary"]  # naproxen with an ACE inhibitor and a diuretic
    assert "suicide-risk" in alerts["Surrogate"]
    assert "meaningful-improvement" in statuses.values()
    assert "worsening" in statuses.values()


def test_demo_background_reaches_the_evaluation(seeded: User) -> None:
    cases = {
        name: assemble_case(load_care_data(Patient.objects.get(family_name=name))).case
        for name in ("Imaginary", "Redo", "Surrogate")
    }
    results = {name: evaluate(case).to_dict() for name, case in cases.items()}
    rupert, franklin = cases["Imaginary"], cases["Redo"]

    # Rupert: CKD with the eGFR his clinician entered; no oral NSAID is suggested to him.
    assert rupert["patient"]["egfr"] == 38 and "ckd" in rupert["patient"]["conditions"]
    assert "nsaid-oral" not in {step["code"] for step in results["Imaginary"]["plan"]}
    # Franklin: cleared by a psychologist before his stimulator trial.
    assert franklin["psych_evaluation"]["cleared"] is True
    scs = results["Redo"]["eligibility"]["scs-implant"]
    assert any(m.startswith("psychological evaluation with clearance") for m in scs["met"])
    # Cora reported her depression at intake.
    assert cases["Surrogate"]["patient"]["conditions"] == ["depression"]


def test_triage_queue_has_unacknowledged_emergency_and_urgent_intakes(seeded: User) -> None:
    queue = triage_queue(user=seeded)

    assert [i.triage_level for i in queue[:2]] == [TriageLevel.EMERGENCY, TriageLevel.URGENT]
    assert {"saddle-anesthesia", "bladder-dysfunction"} <= set(queue[0].triage_reasons)  # cauda equina
    assert "cancer-history" in queue[1].triage_reasons  # new spinal pain after breast cancer
    assert all(i.acknowledged_at is None for i in queue)
    # Intakes reviewed at the first consult were acknowledged then, so they do not crowd the queue.
    assert Intake.objects.filter(acknowledged_at__isnull=False).count() == len(demo_data.PATIENTS)


def test_demo_history_spans_months_with_visits_in_order(seeded: User) -> None:
    for patient in Patient.objects.select_related("clinic"):
        pegs = list(
            Measurement.objects.filter(patient=patient, instrument="peg").values_list("date", flat=True)
        )
        assert (max(pegs) - min(pegs)).days >= 150, patient.family_name
        assert max(pegs) <= patient_today(patient)
        dates = list(patient.encounters.order_by("id").values_list("date", flat=True))
        assert dates == sorted(dates) and len(set(dates)) == len(dates), patient.family_name
        signed = patient.encounters.filter(status=EncounterStatus.SIGNED)
        assert EncounterNote.objects.filter(encounter__in=signed).count() == signed.count()


def test_facet_patient_rfa_packet_meets_every_payer_criterion(seeded: User) -> None:
    harold = Patient.objects.get(family_name="Mockingbird-Testa")
    blocks = ProcedureRecord.objects.filter(patient=harold, code="medial-branch-block").order_by(
        "performed_on"
    )
    rfa = ProcedureRecord.objects.get(patient=harold, code="facet-rfa")

    packet = prior_auth_packet(procedure=rfa, user=seeded)

    assert [b.status for b in blocks] == [Status.RESPONSE_RECORDED] * 2
    assert all(b.relief_percent is not None and b.relief_percent >= 80 for b in blocks)
    assert rfa.status == Status.PLANNED and rfa.planned_date is not None
    assert rfa.planned_date > patient_today(harold)
    assert packet.eligible and packet.met and packet.unmet == []


def test_outcome_report_for_the_last_two_years_has_the_demo_patients(seeded: User) -> None:
    today = clinic_today(seeded)
    assert seeded.clinic_id is not None
    report = outcome_report(clinic_id=seeded.clinic_id, start=today - datetime.timedelta(days=730), end=today)

    assert report.patients >= 20
    everyone = [r for r in report.rows if r.kind == "all" and r.instrument == "peg"]
    assert everyone and any(h.improved > 0 for h in everyone[0].horizons.values())
    assert any(r.kind == "intervention" for r in report.rows)


def test_demo_physician_pages_show_the_history(seeded: User) -> None:
    client = Client()
    client.force_login(seeded)
    franklin = Patient.objects.get(family_name="Redo")

    chart = client.get(reverse("care-chart", args=[franklin.pk]))
    meds = client.get(reverse("meds-list", args=[franklin.pk]))
    triage = client.get(reverse("triage-queue"))
    report = client.get(reverse("outcome-report"))

    assert chart.status_code == 200
    assert {a["code"] for a in chart.context["evaluation"]["alerts"]} >= {
        "plan-plateau",
        "benzodiazepine-opioid",
    }
    pain = next(g for g in chart.context["charts"]["groups"] if g["id"] == "pain")
    assert all(len(s["points"]) >= 6 for s in pain["series"])
    assert meds.status_code == 200 and b"MME" in meds.content
    assert triage.status_code == 200 and b"Samplesworth" in triage.content
    assert report.status_code == 200 and report.context["report"].patients > 0
    assert CarePlan.objects.filter(status=PlanStatus.FINAL).count() >= 2


def test_demo_has_dn4_examinations_and_a_ruled_out_report_that_reach_the_evaluation(seeded: User) -> None:
    examined = EncounterNote.objects.filter(dn4_exam__isnull=False).select_related("encounter__patient")
    assert examined.exists()
    for note in examined:
        patient = note.encounter.patient
        # only the latest signed visit of a patient who answered DN4's interview part examines items 8-10
        assert note.encounter.status == EncounterStatus.SIGNED
        assert not EncounterNote.objects.filter(
            encounter__patient=patient, encounter__date__gt=note.encounter.date, dn4_exam__isnull=False
        ).exists()
        case = assemble_case(load_care_data(patient)).case
        dn4 = [q for q in case["questionnaires"] if q["instrument"] == "dn4"]
        assert len(dn4) == 1 and len(dn4[0]["items"]) == 10 and dn4[0]["items"][7:] == note.dn4_exam
        assert "dn4" in evaluate(case).to_dict()["scores"]

    # Ernest reported kidney disease at intake; his physician ruled it out (eGFR 68, a past kidney stone).
    ernest = Patient.objects.get(family_name="Pretendly")
    intake = Intake.objects.filter(patient=ernest).latest("submitted_at")
    assert "ckd" in intake_case(intake, as_of=patient_today(ernest))["patient"]["conditions"]
    assembled = assemble_case(load_care_data(ernest)).case
    assert "ckd" not in assembled["patient"]["conditions"]
    assert "diabetes" in assembled["patient"]["conditions"]
