"""Red flags: advice on the spot, the triage level saved at once, the queue order and acknowledgement."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.intake import wording as w
from stepcare.intake.models import Intake, IntakeStatus
from stepcare.records.models import Clinic, Patient
from tests.web.conftest import client_for, make_patient, make_user
from tests.web.intake_helpers import PAIN, WHERE, portal_step, walk, warning_signs

pytestmark = pytest.mark.django_db


def to_warning_signs(user: User) -> object:
    client = client_for(user)
    client.post(reverse("portal-intake"))
    walk(client, portal_step, until="warning-signs")
    return client


def test_saddle_anaesthesia_shows_emergency_advice_on_the_same_step(pat: User, p1: Patient) -> None:
    client = to_warning_signs(pat)

    response = client.post(portal_step("warning-signs"), warning_signs(("saddle-anesthesia",)))

    assert response.status_code == 302
    assert response["Location"] == portal_step("warning-signs") + "#triage-advice"
    intake = Intake.objects.get(patient=p1)
    assert intake.triage_level == "emergency"
    assert "saddle-anesthesia" in intake.triage_reasons
    assert intake.triaged_at is not None
    assert intake.data["red_flags"] == ["saddle-anesthesia"]
    html = client.get(response["Location"]).content.decode()
    assert "Please get emergency help now" in html
    assert w.TRIAGE_PATIENT_LINES["emergency"] in html
    assert "call 911" in html
    assert intake.triage_action in html  # the engine's action, shown as well
    assert 'role="alert"' in html
    # The advice stays on every later page too.
    assert "Please get emergency help now" in client.get(portal_step("daily-life")).content.decode()


def test_progressive_weakness_is_urgent_with_same_day_advice(pat: User, p1: Patient) -> None:
    client = to_warning_signs(pat)

    client.post(portal_step("warning-signs"), warning_signs(("progressive-weakness",)))

    intake = Intake.objects.get(patient=p1)
    assert intake.triage_level == "urgent"
    html = client.get(portal_step("warning-signs")).content.decode()
    assert "Call the clinic today; we will arrange a same-day assessment" in html


def test_no_red_flags_is_routine_and_moves_on(pat: User, p1: Patient) -> None:
    client = to_warning_signs(pat)

    response = client.post(portal_step("warning-signs"), warning_signs())

    assert response["Location"] == portal_step("health")
    intake = Intake.objects.get(patient=p1)
    assert intake.triage_level == "routine"
    assert "Please get emergency help now" not in client.get(portal_step("daily-life")).content.decode()


def test_every_shown_warning_sign_question_needs_an_answer(pat: User, p1: Patient) -> None:
    client = to_warning_signs(pat)
    answers = warning_signs()
    del answers["flag_fever"]

    response = client.post(portal_step("warning-signs"), answers)

    assert response.status_code == 400
    assert "Please answer yes or no." in response.content.decode()
    assert Intake.objects.get(patient=p1).triage_level == ""


def test_headache_questions_are_asked_only_for_head_face_or_neck() -> None:
    assert "thunderclap-headache" not in {q.code for q in w.red_flag_questions_for({"low-back"})}
    assert "thunderclap-headache" in {q.code for q in w.red_flag_questions_for({"head"})}
    assert len(w.red_flag_questions_for(set())) == 16


def test_a_yes_is_kept_when_a_later_site_change_hides_its_question(pat: User, p1: Patient) -> None:
    client = client_for(pat)
    client.post(reverse("portal-intake"))
    client.post(portal_step("pain"), PAIN)
    client.post(portal_step("where"), {"sites": ["head:midline"], "radiation": []})
    client.post(portal_step("warning-signs"), warning_signs(("thunderclap-headache",), regions={"head"}))
    client.post(portal_step("where"), WHERE)  # now low back only: the headache question is not asked

    client.post(portal_step("warning-signs"), warning_signs())

    intake = Intake.objects.get(patient=p1)
    assert intake.data["red_flags"] == ["thunderclap-headache"]
    assert intake.triage_level == "emergency"


# ------------------------------------------------------------------------------------------- queue
def make_intake(
    patient: Patient, by: User, level: str, *, minutes_ago: int, submitted: bool = True
) -> Intake:
    when = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Intake.objects.create(
        patient=patient,
        clinic=patient.clinic,
        started_by=by,
        current_step="review",
        status=IntakeStatus.SUBMITTED if submitted else IntakeStatus.IN_PROGRESS,
        submitted_at=when if submitted else None,
        triage_level=level,
        triage_reasons=[f"{level} reason"],
        triage_action=f"{level} action",
        triaged_at=when,
    )


@pytest.fixture
def queue(clinic_a: Clinic, alice: User) -> dict[str, Intake]:
    people = {
        name: make_patient(clinic_a, given_name=name, family_name="Queue", mrn=f"Q-{i}")
        for i, name in enumerate(["Routine", "UrgentOld", "UrgentNew", "Emergency", "Draft", "RoutineDraft"])
    }
    return {
        "routine": make_intake(people["Routine"], alice, "routine", minutes_ago=1),
        "urgent-old": make_intake(people["UrgentOld"], alice, "urgent", minutes_ago=50),
        "urgent-new": make_intake(people["UrgentNew"], alice, "urgent", minutes_ago=5, submitted=False),
        "emergency": make_intake(people["Emergency"], alice, "emergency", minutes_ago=90),
        "routine-draft": make_intake(
            people["RoutineDraft"], alice, "routine", minutes_ago=2, submitted=False
        ),
    }


def test_queue_orders_emergency_then_urgent_then_routine_newest_first(
    queue: dict[str, Intake], bob: User
) -> None:
    response = client_for(bob).get(reverse("triage-queue"))

    html = response.content.decode()
    assert response.status_code == 200
    order = [
        html.index(f'id="triage-{queue[k].pk}"') for k in ("emergency", "urgent-new", "urgent-old", "routine")
    ]
    assert order == sorted(order)
    # An in-progress routine intake is not in the queue; an in-progress urgent one is.
    assert f'id="triage-{queue["routine-draft"].pk}"' not in html
    assert "intake in progress" in html
    assert "emergency action" in html and "urgent reason" in html


def test_acknowledge_is_audited_and_shows_who_and_when(queue: dict[str, Intake], alice: User) -> None:
    client = client_for(alice)
    target = queue["emergency"]

    response = client.post(reverse("triage-acknowledge", args=[target.pk]), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<tr id="triage-{target.pk}"')
    assert "Acknowledged by Alice" in html
    target.refresh_from_db()
    assert target.acknowledged_by == alice and target.acknowledged_at is not None
    event = AuditEvent.objects.filter(action="acknowledge").get()
    assert event.user == alice and event.patient_id == target.patient_id
    assert event.detail["triage_level"] == "emergency"
    page = client.get(reverse("triage-queue")).content.decode()
    waiting, recent = page.split("Acknowledged in the last 7 days")
    assert f'id="triage-{target.pk}"' not in waiting
    assert f'id="triage-{target.pk}"' in recent


def test_acknowledge_without_htmx_redirects_back_to_the_queue(queue: dict[str, Intake], bob: User) -> None:
    response = client_for(bob).post(reverse("triage-acknowledge", args=[queue["routine"].pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("triage-queue")


def test_a_rise_in_level_reopens_an_acknowledged_intake(pat: User, p1: Patient, alice: User) -> None:
    client = to_warning_signs(pat)
    client.post(portal_step("warning-signs"), warning_signs(("progressive-weakness",)))
    intake = Intake.objects.get(patient=p1)
    client_for(alice).post(reverse("triage-acknowledge", args=[intake.pk]))

    client.post(portal_step("warning-signs"), warning_signs(("progressive-weakness", "bladder-dysfunction")))

    intake.refresh_from_db()
    assert intake.triage_level == "emergency"
    assert intake.acknowledged_at is None


def test_red_flag_puts_the_patient_on_top_of_the_queue_before_submit(
    pat: User, p1: Patient, queue: dict[str, Intake], bob: User
) -> None:
    client = to_warning_signs(pat)
    client.post(portal_step("warning-signs"), warning_signs(("bowel-incontinence",)))

    html = client_for(bob).get(reverse("triage-queue")).content.decode()

    first_row = html.index('class="triage-row')
    assert html.index("Firstpatient, Paula") < html.index(f'id="triage-{queue["emergency"].pk}"')
    assert first_row < html.index("Firstpatient, Paula")


def test_dashboard_counts_unacknowledged_emergency_and_urgent(queue: dict[str, Intake], alice: User) -> None:
    html = client_for(alice).get(reverse("dashboard")).content.decode()

    assert '<span class="stat-value">1</span> emergency, not acknowledged' in html
    assert '<span class="stat-value">2</span> urgent, not acknowledged' in html
    assert reverse("triage-queue") in html


# ---------------------------------------------------------------------------------- permissions
def test_front_desk_therapist_admin_and_patients_cannot_see_the_queue(
    fiona: User, theo: User, ada: User, pat: User
) -> None:
    for user in (fiona, theo, ada, pat):
        assert client_for(user).get(reverse("triage-queue")).status_code == 403


def test_front_desk_cannot_acknowledge(queue: dict[str, Intake], fiona: User) -> None:
    assert (
        client_for(fiona).post(reverse("triage-acknowledge", args=[queue["emergency"].pk])).status_code == 403
    )
    queue["emergency"].refresh_from_db()
    assert queue["emergency"].acknowledged_at is None


def test_clinic_b_sees_nothing_of_clinic_a_and_cannot_acknowledge(
    queue: dict[str, Intake], charlie: User
) -> None:
    client = client_for(charlie)

    html = client.get(reverse("triage-queue")).content.decode()
    assert "Queue" not in html.split("<h1>Triage queue</h1>")[1]
    assert client.post(reverse("triage-acknowledge", args=[queue["emergency"].pk])).status_code == 404
    assert AuditEvent.objects.filter(user=charlie, action="denied").exists()


def test_clinic_b_queue_lists_its_own(clinic_b: Clinic, charlie: User) -> None:
    patient = make_patient(clinic_b, given_name="Bea", family_name="Bclinic", mrn="B-9")
    nurse = make_user("nina", "nurse", clinic_b)
    intake = make_intake(patient, nurse, "urgent", minutes_ago=3)

    assert f'id="triage-{intake.pk}"' in client_for(charlie).get(reverse("triage-queue")).content.decode()


def test_saving_the_same_red_flags_again_moves_on(pat: User, p1: Patient) -> None:
    client = to_warning_signs(pat)
    client.post(portal_step("warning-signs"), warning_signs(("saddle-anesthesia",)))

    again = client.post(portal_step("warning-signs"), warning_signs(("saddle-anesthesia",)))

    assert again["Location"] == portal_step("health")
    html = client.get(portal_step("warning-signs")).content.decode()
    assert f'href="{portal_step("health")}">continue with the other questions</a>' in html
