"""Named users and records for the web tests: Alice & co. at clinic A, Charlie at clinic B, two patients."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from stepcare.accounts.models import User
from stepcare.records.models import Clinic, Encounter, EncounterStatus, InsurancePlan, Patient

PASSWORD = "correct-horse-battery-staple"


@pytest.fixture
def clinic_a(db: None) -> Clinic:
    return Clinic.objects.create(name="Clinic A", slug="clinic-a", timezone="America/Chicago")


@pytest.fixture
def clinic_b(db: None) -> Clinic:
    return Clinic.objects.create(name="Clinic B", slug="clinic-b", timezone="UTC")


@pytest.fixture
def plan_a(clinic_a: Clinic) -> InsurancePlan:
    return InsurancePlan.objects.create(
        clinic=clinic_a,
        name="Acme PPO",
        payer="Acme Health",
        referral_required=True,
        visits_allowed_per_year=20,
    )


def make_patient(clinic: Clinic, **fields: object) -> Patient:
    values: dict[str, object] = {
        "given_name": "Pat",
        "family_name": "Example",
        "date_of_birth": datetime.date(1970, 5, 17),
        "sex": "female",
        "mrn": "A-1001",
        "primary_condition": "lumbar-radiculopathy",
        "presenting_problem": "Left leg pain",
    }
    values.update(fields)
    return Patient.objects.create(clinic=clinic, **values)


@pytest.fixture
def p1(clinic_a: Clinic, plan_a: InsurancePlan) -> Patient:
    return make_patient(
        clinic_a,
        given_name="Paula",
        family_name="Firstpatient",
        mrn="A-1001",
        insurance=plan_a,
        member_id="ACME123",
        pcp_name="Dr. Primary",
        pcp_phone="555-0100",
    )


@pytest.fixture
def p2(clinic_a: Clinic) -> Patient:
    return make_patient(clinic_a, given_name="Quincy", family_name="Secondpatient", mrn="A-1002")


@pytest.fixture
def pb(clinic_b: Clinic) -> Patient:
    return make_patient(clinic_b, given_name="Bertha", family_name="Otherclinic", mrn="B-2001")


def make_user(username: str, role: str, clinic: Clinic, **fields: object) -> User:
    user = User(username=username, role=role, clinic=clinic, first_name=username.capitalize(), **fields)
    user.set_password(PASSWORD)
    user.full_clean()
    user.save()
    return user


@pytest.fixture
def alice(clinic_a: Clinic) -> User:
    return make_user("alice", "physician", clinic_a)


@pytest.fixture
def bob(clinic_a: Clinic) -> User:
    return make_user("bob", "nurse", clinic_a, credential="RN")


@pytest.fixture
def fiona(clinic_a: Clinic) -> User:
    return make_user("fiona", "front_desk", clinic_a)


@pytest.fixture
def theo(clinic_a: Clinic) -> User:
    return make_user("theo", "therapist", clinic_a, discipline="PT")


@pytest.fixture
def ada(clinic_a: Clinic) -> User:
    return make_user("ada", "clinic_admin", clinic_a)


@pytest.fixture
def charlie(clinic_b: Clinic) -> User:
    return make_user("charlie", "physician", clinic_b)


@pytest.fixture
def pat(clinic_a: Clinic, p1: Patient) -> User:
    return make_user("pat", "patient", clinic_a, patient=p1)


@pytest.fixture
def quinn(clinic_a: Clinic, p2: Patient) -> User:
    return make_user("quinn", "patient", clinic_a, patient=p2)


def make_encounter(patient: Patient, clinician: User, **fields: object) -> Encounter:
    values: dict[str, object] = {
        "type": "follow-up",
        "date": datetime.date(2026, 3, 2),
        "chief_complaint": "Leg pain review",
        "note": "Draft note text.",
    }
    values.update(fields)
    return Encounter.objects.create(patient=patient, clinic=patient.clinic, clinician=clinician, **values)


@pytest.fixture
def draft_p1(p1: Patient, alice: User) -> Encounter:
    return make_encounter(p1, alice)


@pytest.fixture
def signed_p1(p1: Patient, alice: User) -> Encounter:
    return make_encounter(
        p1,
        alice,
        status=EncounterStatus.SIGNED,
        signed_by=alice,
        signed_at=datetime.datetime(2026, 3, 2, 18, tzinfo=datetime.UTC),
        note="Signed note text.",
    )


@pytest.fixture
def signed_p2(p2: Patient, alice: User) -> Encounter:
    return make_encounter(
        p2,
        alice,
        status=EncounterStatus.SIGNED,
        signed_by=alice,
        signed_at=datetime.datetime(2026, 3, 2, 18, tzinfo=datetime.UTC),
    )


def client_for(user: User | None, address: str = "10.1.2.3") -> Client:
    client = Client(REMOTE_ADDR=address)
    if user is not None:
        client.force_login(user)
    return client
