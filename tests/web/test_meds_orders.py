"""Ordering, changing and stopping medicines: the engine preview saves nothing; bad input keeps what was typed."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care.models import MedicationEntry
from stepcare.meds.forms import CONFIRM_UNRECOGNIZED, PER_DAY_REQUIRED, STOP_REASON_REQUIRED
from stepcare.records.models import Patient
from tests.web.care_helpers import add_medication
from tests.web.conftest import client_for

OXYCODONE: dict[str, str] = {
    "name": "oxycodone", "dose": "10", "unit": "mg", "per_day": "4", "route": "oral", "formulation": "ir",
    "start": "2026-01-05", "reason": "post-operative pain",
}  # fmt: skip


def new_url(patient: Patient) -> str:
    return reverse("meds-order-new", kwargs={"patient_id": patient.pk})


def test_preview_shows_the_post_order_mme_and_new_alerts_and_saves_nothing(p1: Patient, alice: User) -> None:
    add_medication(p1, name="alprazolam", dose=1, unit="mg", per_day=2)
    rows, events = MedicationEntry.objects.count(), AuditEvent.objects.count()

    response = client_for(alice).post(new_url(p1), {**OXYCODONE, "action": "preview"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()

    assert response.status_code == 200
    assert "<html" not in html  # the htmx fragment only
    assert re.search(r'id="preview-before">0(\.0)?<', html)
    assert re.search(r'id="preview-after"><strong>60\.0<', html)
    new = html[html.index('id="preview-new-alerts"') :]
    assert 'data-code="benzodiazepine-opioid"' in new and 'data-code="mme-50"' in new
    assert MedicationEntry.objects.count() == rows
    assert AuditEvent.objects.count() - events == 1
    assert AuditEvent.objects.latest("id").detail["page"] == "medication-order-preview"


def test_preview_without_htmx_renders_the_whole_page_with_the_form_kept(p1: Patient, alice: User) -> None:
    html = client_for(alice).post(new_url(p1), {**OXYCODONE, "action": "preview"}).content.decode()

    assert "<html" in html and 'value="oxycodone"' in html and 'id="preview-after"' in html
    assert MedicationEntry.objects.count() == 0


def test_preview_of_an_invalid_order_lists_the_problems(p1: Patient, alice: User) -> None:
    data = {**OXYCODONE, "per_day": "", "action": "preview"}

    html = client_for(alice).post(new_url(p1), data, HTTP_HX_REQUEST="true").content.decode()

    assert 'id="preview-errors"' in html and PER_DAY_REQUIRED in html


def test_saving_an_order_adds_it_with_the_prescriber_and_one_audit_event(p1: Patient, alice: User) -> None:
    before = AuditEvent.objects.count()

    response = client_for(alice).post(new_url(p1), {**OXYCODONE, "action": "save"})

    assert response.status_code == 302
    entry = MedicationEntry.objects.get(patient=p1)
    assert (entry.name, entry.dose, entry.per_day, entry.prescriber, entry.reason) == (
        "oxycodone", 10.0, 4.0, alice, "post-operative pain")  # fmt: skip
    assert AuditEvent.objects.count() - before == 1
    event = AuditEvent.objects.latest("id")
    assert (event.action, event.patient, event.object_id) == ("create", p1, str(entry.pk))


def test_an_invalid_order_names_the_field_and_keeps_the_typed_values(p1: Patient, alice: User) -> None:
    data = {**OXYCODONE, "per_day": "", "reason": "typed reason", "action": "save"}

    response = client_for(alice).post(new_url(p1), data)
    html = response.content.decode()

    assert response.status_code == 400
    assert PER_DAY_REQUIRED in html
    assert 'value="oxycodone"' in html and 'value="10"' in html
    assert 'value="typed reason"' in html and 'value="2026-01-05"' in html
    assert MedicationEntry.objects.count() == 0


def test_an_unknown_medicine_shows_the_engines_message_and_needs_confirmation(
    p1: Patient, alice: User
) -> None:
    data = {**OXYCODONE, "name": "Zorblax", "action": "save"}
    client = client_for(alice)

    refused = client.post(new_url(p1), data)

    assert refused.status_code == 400
    html = refused.content.decode()
    assert "is not in the Stepcare drug knowledge base" in html and CONFIRM_UNRECOGNIZED in html
    assert 'value="Zorblax"' in html
    assert MedicationEntry.objects.count() == 0

    saved = client.post(new_url(p1), {**data, "confirm_unrecognized": "on"})

    assert saved.status_code == 302
    assert MedicationEntry.objects.get().name == "Zorblax"
    assert AuditEvent.objects.latest("id").detail["unrecognized_confirmed"] is True


def test_preview_of_an_unknown_medicine_shows_the_unrecognized_alert(p1: Patient, alice: User) -> None:
    data = {**OXYCODONE, "name": "Zorblax", "action": "preview"}

    html = client_for(alice).post(new_url(p1), data, HTTP_HX_REQUEST="true").content.decode()

    assert 'data-code="unrecognized-medication"' in html


def combination(**extra: str) -> dict[str, str]:
    return {
        "name": "Percocet", "per_day": "4", "route": "oral", "formulation": "ir", "start": "2026-01-05",
        "ingredient_0_name": "oxycodone", "ingredient_0_dose": "5", "ingredient_0_unit": "mg",
        "ingredient_1_name": "acetaminophen", "ingredient_1_dose": "325", "ingredient_1_unit": "mg", **extra,
    }  # fmt: skip


def test_a_combination_product_is_ordered_by_ingredient_and_counted(p1: Patient, alice: User) -> None:
    client = client_for(alice)

    response = client.post(new_url(p1), combination(action="save"))

    assert response.status_code == 302
    entry = MedicationEntry.objects.get()
    assert entry.ingredients == [
        {"name": "oxycodone", "dose": 5.0, "unit": "mg"},
        {"name": "acetaminophen", "dose": 325.0, "unit": "mg"},
    ]
    html = client.get(reverse("meds-list", kwargs={"patient_id": p1.pk})).content.decode()
    assert re.search(r'id="mme-total">30\.0<', html)


def test_a_combination_product_without_ingredient_doses_gets_the_engines_message(
    p1: Patient, alice: User
) -> None:
    data = {**OXYCODONE, "name": "Percocet", "dose": "5", "action": "save"}

    html = client_for(alice).post(new_url(p1), data).content.decode()

    assert "combination product (oxycodone + acetaminophen)" in html
    assert MedicationEntry.objects.count() == 0


def test_a_half_filled_ingredient_row_names_the_missing_parts(p1: Patient, alice: User) -> None:
    data = combination(action="save", ingredient_1_dose="")

    response = client_for(alice).post(new_url(p1), data)

    assert response.status_code == 400
    assert "Give this ingredient&#x27;s name, dose and unit" in response.content.decode()


def test_changing_an_order_stops_the_old_one_and_adds_the_new_one(p1: Patient, alice: User) -> None:
    old = add_medication(p1)
    url = reverse("meds-order-change", kwargs={"patient_id": p1.pk, "medication_id": old.pk})
    data = {**OXYCODONE, "per_day": "3", "start": "2026-02-01", "reason": "less pain", "action": "save"}

    form = client_for(alice).get(url).content.decode()
    response = client_for(alice).post(url, data)

    assert 'value="oxycodone"' in form and 'value="4.0"' in form
    assert response.status_code == 302
    old.refresh_from_db()
    new = MedicationEntry.objects.exclude(pk=old.pk).get()
    assert (old.stop, old.stop_reason) == (datetime.date(2026, 2, 1), "Changed to oxycodone: less pain")
    assert (new.per_day, new.start) == (3.0, datetime.date(2026, 2, 1))


def test_preview_of_a_change_replaces_the_line_instead_of_adding_one(p1: Patient, alice: User) -> None:
    old = add_medication(p1)
    url = reverse("meds-order-change", kwargs={"patient_id": p1.pk, "medication_id": old.pk})

    html = client_for(alice).post(
        url, {**OXYCODONE, "per_day": "2", "action": "preview"}, HTTP_HX_REQUEST="true"
    )

    body = html.content.decode()
    assert re.search(r'id="preview-before">60\.0<', body) and re.search(
        r'id="preview-after"><strong>30\.0<', body
    )


def test_a_change_cannot_start_before_the_current_order(p1: Patient, alice: User) -> None:
    old = add_medication(p1)
    url = reverse("meds-order-change", kwargs={"patient_id": p1.pk, "medication_id": old.pk})

    response = client_for(alice).post(url, {**OXYCODONE, "start": "2025-12-01", "action": "save"})

    assert response.status_code == 400
    assert "on or after the day the current order started (2026-01-05)" in response.content.decode()


def test_stopping_an_order_needs_a_reason_and_keeps_the_date(p1: Patient, alice: User) -> None:
    entry = add_medication(p1)
    url = reverse("meds-order-stop", kwargs={"patient_id": p1.pk, "medication_id": entry.pk})
    client = client_for(alice)

    refused = client.post(url, {"stop": "2026-03-01", "stop_reason": ""})
    done = client.post(url, {"stop": "2026-03-01", "stop_reason": "tapered off"})

    assert refused.status_code == 400
    assert (
        STOP_REASON_REQUIRED in refused.content.decode() and 'value="2026-03-01"' in refused.content.decode()
    )
    assert done.status_code == 302
    entry.refresh_from_db()
    assert (entry.stop, entry.stop_reason) == (datetime.date(2026, 3, 1), "tapered off")


def test_a_nurse_practitioner_may_order(p1: Patient, clinic_a: Any) -> None:
    from tests.web.conftest import make_user

    nina = make_user("nina", "nurse", clinic_a, credential="NP")

    response = client_for(nina).post(new_url(p1), {**OXYCODONE, "action": "save"})

    assert response.status_code == 302
    assert MedicationEntry.objects.get().prescriber == nina


def test_a_registered_nurse_reads_the_list_but_cannot_order(p1: Patient, bob: User) -> None:
    entry = add_medication(p1)
    client = client_for(bob)

    html = client.get(reverse("meds-list", kwargs={"patient_id": p1.pk})).content.decode()
    refused = client.post(new_url(p1), {**OXYCODONE, "action": "save"})

    assert "Order a medicine" not in html and f"/orders/{entry.pk}/change/" not in html
    assert refused.status_code == 403
    assert MedicationEntry.objects.count() == 1
    assert AuditEvent.objects.latest("id").action == "denied"


def test_an_unknown_mme_table_in_the_form_falls_back_to_the_default(p1: Patient, alice: User) -> None:
    response = client_for(alice).post(new_url(p1), {**OXYCODONE, "table": "made-up", "action": "save"})

    assert response.status_code == 302
    assert response["Location"] == reverse("meds-list", kwargs={"patient_id": p1.pk})


def test_an_order_added_then_stopped_moves_to_the_stopped_list(p1: Patient, alice: User) -> None:
    client = client_for(alice)
    client.post(
        new_url(p1), {**OXYCODONE, "name": "gabapentin", "dose": "300", "per_day": "3", "action": "save"}
    )
    entry = MedicationEntry.objects.get(patient=p1)
    stop_url = reverse("meds-order-stop", kwargs={"patient_id": p1.pk, "medication_id": entry.pk})

    response = client.post(stop_url, {"stop": "2026-03-01", "stop_reason": "dizziness"})

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.name, entry.stop, entry.stop_reason, entry.prescriber) == (
        "gabapentin", datetime.date(2026, 3, 1), "dizziness", alice)  # fmt: skip
    html = client.get(reverse("meds-list", kwargs={"patient_id": p1.pk})).content.decode()
    assert "dizziness" in html[html.index('id="stopped-medications"') :]


def test_a_registered_nurse_cannot_stop_an_order_but_a_nurse_practitioner_can(
    p1: Patient, bob: User, clinic_a: Any
) -> None:
    from tests.web.conftest import make_user

    entry = add_medication(p1)
    url = reverse("meds-order-stop", kwargs={"patient_id": p1.pk, "medication_id": entry.pk})
    data = {"stop": "2026-03-01", "stop_reason": "tapered off"}

    refused = client_for(bob).post(url, data)
    entry.refresh_from_db()

    assert refused.status_code == 403
    assert entry.stop is None
    assert AuditEvent.objects.latest("id").action == "denied"

    nina = make_user("nina", "nurse", clinic_a, credential="NP")
    done = client_for(nina).post(url, data)
    entry.refresh_from_db()

    assert done.status_code == 302
    assert entry.stop == datetime.date(2026, 3, 1)


def test_a_therapist_reads_the_list_but_cannot_order_change_or_stop(p1: Patient, theo: User) -> None:
    entry = add_medication(p1)
    client = client_for(theo)
    stop_url = reverse("meds-order-stop", kwargs={"patient_id": p1.pk, "medication_id": entry.pk})

    html = client.get(reverse("meds-list", kwargs={"patient_id": p1.pk})).content.decode()
    ordered = client.post(new_url(p1), {**OXYCODONE, "action": "save"})
    stopped = client.post(stop_url, {"stop": "2026-03-01", "stop_reason": "no benefit"})

    assert f'id="med-{entry.pk}"' in html and "oxycodone" in html
    assert "Order a medicine" not in html and f"/orders/{entry.pk}/" not in html
    assert (ordered.status_code, stopped.status_code) == (403, 403)
    entry.refresh_from_db()
    assert MedicationEntry.objects.count() == 1 and entry.stop is None
