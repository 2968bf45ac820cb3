"""Pages: search (with and without htmx), paging, chart header, dashboard, and the encounter workflow."""

from __future__ import annotations

import datetime

from django.urls import reverse
from django.utils import timezone

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.records.models import Clinic, Encounter, Patient
from stepcare.records.selectors import clinic_today
from tests.web.conftest import client_for, make_encounter, make_patient


def test_search_by_name_mrn_and_date_of_birth(alice: User, p1: Patient, p2: Patient, pb: Patient) -> None:
    client = client_for(alice)

    def found(q: str) -> list[str]:
        response = client.get(reverse("patient-list"), {"q": q})
        return [p.mrn for p in response.context["page"].object_list]

    assert found("firstpat") == ["A-1001"]
    assert found("Paula Firstpatient") == ["A-1001"]
    assert found("a-1002") == ["A-1002"]
    assert found("1970-05-17") == ["A-1001", "A-1002"]
    assert found("Otherclinic") == []  # clinic B's patient is invisible to clinic A
    assert found("") == ["A-1001", "A-1002"]


def test_search_records_one_search_event(alice: User, p1: Patient) -> None:
    client_for(alice).get(reverse("patient-list"), {"q": "Firstpatient"})

    event = AuditEvent.objects.get()
    assert (event.action, event.detail["q"], event.detail["patients"]) == ("search", "Firstpatient", [p1.pk])


def test_htmx_search_returns_only_the_rows_fragment(alice: User, p1: Patient) -> None:
    response = client_for(alice).get(reverse("patient-list"), {"q": "Firstpatient"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert [t.name for t in response.templates] == ["records/_patient_rows.html"]
    assert "<html" not in html
    assert "Firstpatient" in html


def test_full_page_has_htmx_search_box_and_works_without_js(alice: User, p1: Patient) -> None:
    response = client_for(alice).get(reverse("patient-list"), {"q": "Firstpatient"})

    html = response.content.decode()
    assert 'hx-get="/patients/"' in html
    assert 'hx-trigger="keyup changed delay:300ms, search"' in html
    assert 'hx-target="#patient-rows"' in html
    assert '<form method="get" action="/patients/"' in html
    assert "Firstpatient" in html
    assert "/static/django_htmx/htmx-2.min.js" in html or "htmx" in html


def test_patient_list_pages_25_at_a_time(alice: User, clinic_a: Clinic) -> None:
    for i in range(30):
        make_patient(clinic_a, mrn=f"P-{i:03d}", family_name=f"Pager{i:03d}")
    client = client_for(alice)

    first = client.get(reverse("patient-list"))
    second = client.get(reverse("patient-list"), {"page": 2})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 5
    assert "Next" in first.content.decode()


def test_chart_header_shows_demographics_pcp_and_insurance(
    alice: User, p1: Patient, signed_p1: Encounter
) -> None:
    response = client_for(alice).get(reverse("patient-chart", kwargs={"patient_id": p1.pk}))

    html = response.content.decode()
    assert "Firstpatient, Paula" in html
    assert "A-1001" in html
    assert f"age {p1.age}" in html
    assert "Dr. Primary" in html and "555-0100" in html
    assert "Acme PPO" in html
    assert "Referral required</dt><dd>Yes" in html
    assert "Visits allowed per year</dt><dd>20" in html
    assert reverse("encounter-detail", kwargs={"encounter_id": signed_p1.pk}) in html


def test_base_layout_labels_the_product_and_has_a_skip_link(alice: User) -> None:
    html = client_for(alice).get(reverse("dashboard")).content.decode()

    assert "clinical decision support for licensed clinicians" in html
    assert 'href="#main"' in html and 'id="main"' in html
    assert "/static/stepcare/app.css" in html


def test_dashboard_shows_todays_encounters_for_the_clinician(alice: User, bob: User, p1: Patient) -> None:
    today = clinic_today(alice)
    mine = make_encounter(p1, alice, date=today, start_time=datetime.time(9, 30))
    make_encounter(p1, bob, date=today)
    make_encounter(p1, alice, date=today - datetime.timedelta(days=3))

    response = client_for(alice).get(reverse("dashboard"))

    summary = response.context["summary"]
    assert summary.my_encounters_today == [mine]
    assert (summary.patient_count, summary.encounters_today, summary.drafts_awaiting_signature) == (1, 2, 3)


def test_patient_user_is_redirected_from_dashboard_to_portal(pat: User) -> None:
    response = client_for(pat).get(reverse("dashboard"))

    assert response["Location"] == reverse("portal")


def test_encounter_workflow_create_edit_sign_amend(alice: User, p1: Patient) -> None:
    client = client_for(alice)
    today = timezone.localdate().isoformat()

    created = client.post(
        reverse("encounter-create", kwargs={"patient_id": p1.pk}),
        {"type": "new-consult", "date": today, "chief_complaint": "Back pain", "note": "First draft"},
    )
    encounter = Encounter.objects.get()
    detail = reverse("encounter-detail", kwargs={"encounter_id": encounter.pk})
    assert created["Location"] == detail

    edited = client.post(
        detail, {"type": "new-consult", "date": today, "chief_complaint": "Back pain", "note": "Second"}
    )
    assert edited.status_code == 302
    client.post(reverse("encounter-sign", kwargs={"encounter_id": encounter.pk}))
    encounter.refresh_from_db()
    assert (encounter.status, encounter.note) == ("signed", "Second")

    refused = client.post(detail, {"type": "new-consult", "date": today, "note": "Sneaky edit"})
    assert refused.status_code == 302
    encounter.refresh_from_db()
    assert encounter.note == "Second"

    client.post(
        reverse("encounter-amend", kwargs={"encounter_id": encounter.pk}),
        {"reason": "Missed allergy", "text": "Allergic to latex."},
    )
    page = client.get(detail).content.decode()
    assert "Allergic to latex." in page and "Missed allergy" in page
    assert [e.action for e in AuditEvent.objects.order_by("id")] == [
        "create",
        "update",
        "sign",
        "denied",
        "amend",
        "view",
    ]


def test_patient_portal_lists_only_signed_encounters(
    pat: User, signed_p1: Encounter, draft_p1: Encounter, signed_p2: Encounter
) -> None:
    response = client_for(pat).get(reverse("portal"))

    assert list(response.context["encounters"]) == [signed_p1]
