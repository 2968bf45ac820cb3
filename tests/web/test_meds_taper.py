"""The taper planner and titration pages: schedules that never rise, print and text versions, saving audited."""

from __future__ import annotations

import datetime
import itertools
import re

from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care.models import MedicationEntry
from stepcare.clinical.knowledge import knowledge_version
from stepcare.meds.models import TaperRecord
from stepcare.records.models import Patient
from tests.web.care_helpers import add_medication
from tests.web.conftest import client_for

PARAMS = {"pace": "standard", "start": "2026-12-01", "table": "cdc-2022", "target_mme": "0"}


def taper_url(patient: Patient, name: str = "meds-taper") -> str:
    return reverse(name, kwargs={"patient_id": patient.pk})


def regimen(patient: Patient) -> None:
    add_medication(patient, dose=20, per_day=3)  # oxycodone 60 mg/day = 90 MME
    add_medication(
        patient, name="fentanyl", dose=25, unit="mcg/hr", per_day=None, route="transdermal", formulation="er"
    )


def schedule_mme(html: str, table_id: str) -> list[float]:
    table = html[html.index(f'id="{table_id}"') : html.index("</table>", html.index(f'id="{table_id}"'))]
    return [float(v) for v in re.findall(r'<tr data-mme="([\d.]+)"', table)]


def test_the_schedule_never_increases_and_reaches_zero(p1: Patient, alice: User) -> None:
    regimen(p1)

    response = client_for(alice).get(taper_url(p1), PARAMS)
    html = response.content.decode()
    mme = schedule_mme(html, "taper-schedule")

    assert response.status_code == 200
    assert mme[0] == 150.0 and mme[-1] == 0.0 and len(mme) > 3
    assert all(later <= earlier for earlier, later in itertools.pairwise(mme))
    assert "the clinician decides" in html
    assert "2026-12-01" in html  # the first reduction's date


def test_each_step_uses_real_strengths(p1: Patient, alice: User) -> None:
    regimen(p1)

    html = client_for(alice).get(taper_url(p1), PARAMS).content.decode()

    units = re.findall(r"\d+ x ([\d.]+) mg", html)
    patches = re.findall(r"\d+ x ([\d.]+) mcg/hr", html)

    assert units and patches
    assert {float(s) for s in units} <= {5, 10, 15, 20, 30}  # oxycodone IR strengths on file
    assert {float(s) for s in patches} <= {12.5, 25}


def test_the_page_never_changes_an_order(p1: Patient, alice: User) -> None:
    regimen(p1)
    before = list(MedicationEntry.objects.values_list("dose", "per_day", "stop"))

    client_for(alice).get(taper_url(p1), PARAMS)
    client_for(alice).post(taper_url(p1), PARAMS)

    assert list(MedicationEntry.objects.values_list("dose", "per_day", "stop")) == before


def test_the_print_view_renders_the_patient_version(p1: Patient, bob: User) -> None:
    regimen(p1)

    response = client_for(bob).get(taper_url(p1, "meds-taper-print"), PARAMS)
    html = response.content.decode()

    assert response.status_code == 200
    assert "Your plan for lowering your pain medicine" in html and p1.full_name in html
    mme = schedule_mme(html, "print-schedule")
    assert all(later <= earlier for earlier, later in itertools.pairwise(mme))
    assert 'class="taper-print' in html  # the print stylesheet hides the site chrome around it


def test_the_text_download_is_the_plans_text(p1: Patient, alice: User) -> None:
    regimen(p1)

    response = client_for(alice).get(taper_url(p1, "meds-taper-text"), PARAMS)
    body = response.content.decode()

    assert response["Content-Type"].startswith("text/plain")
    assert response["Content-Disposition"] == f'attachment; filename="taper-plan-{p1.mrn}.txt"'
    assert "Opioid taper plan (standard)" in body and "Month 1 from 2026-12-01" in body


def test_saving_a_taper_records_the_plan_and_knowledge_version_once(p1: Patient, alice: User) -> None:
    regimen(p1)
    before = AuditEvent.objects.count()

    response = client_for(alice).post(taper_url(p1), PARAMS)

    assert response.status_code == 302
    record = TaperRecord.objects.get()
    assert (record.patient, record.created_by, record.pace, record.start) == (
        p1, alice, "standard", datetime.date(2026, 12, 1))  # fmt: skip
    assert record.knowledge_version == knowledge_version()
    assert record.plan["steps"][1]["date"] == "2026-12-01" and record.plan["steps"][-1]["mme"] == 0
    assert AuditEvent.objects.count() - before == 1
    assert AuditEvent.objects.latest("id").action == "create"


def test_a_registered_nurse_sees_the_plan_but_cannot_save_it(p1: Patient, bob: User) -> None:
    regimen(p1)
    client = client_for(bob)

    html = client.get(taper_url(p1), PARAMS).content.decode()
    refused = client.post(taper_url(p1), PARAMS)

    assert "Save this plan" not in html
    assert refused.status_code == 403 and TaperRecord.objects.count() == 0


def test_without_an_opioid_the_engine_says_so(p1: Patient, alice: User) -> None:
    add_medication(p1, name="gabapentin", dose=300, per_day=3)

    html = client_for(alice).get(taper_url(p1), PARAMS).content.decode()

    assert 'id="taper-problem"' in html and "no active opioid to taper" in html


def test_an_invalid_start_date_names_the_field(p1: Patient, alice: User) -> None:
    regimen(p1)

    response = client_for(alice).get(taper_url(p1), {**PARAMS, "start": "12/01/2026"})

    assert response.status_code == 400
    assert "Enter the date as YYYY-MM-DD." in response.content.decode()


def test_the_faster_pace_steps_weekly(p1: Patient, alice: User) -> None:
    regimen(p1)

    html = client_for(alice).get(taper_url(p1), {**PARAMS, "pace": "faster"}).content.decode()

    assert "Week 1" in html and "2026-12-08" in html


# ------------------------------------------------------------------------------------------ titration
def titration(user: User, patient: Patient, **params: str) -> str:
    response = client_for(user).get(reverse("meds-titration", kwargs={"patient_id": patient.pk}), params)
    assert response.status_code in (200, 400)
    return response.content.decode()


def test_gabapentin_titration_uses_an_entered_egfr_for_the_renal_band(p1: Patient, alice: User) -> None:
    html = titration(alice, p1, drug="gabapentin", egfr="25")

    assert "No eGFR is on record" in html
    assert 'id="renal-band"' in html and "eGFR 25" in html
    ceiling = re.search(r'id="titration-ceiling">([\d.]+) mg/day', html)
    assert ceiling and float(ceiling.group(1)) < 1800


def test_titration_without_egfr_runs_to_the_label_ceiling(p1: Patient, bob: User) -> None:
    html = titration(bob, p1, drug="duloxetine")

    assert 'id="titration-steps"' in html and "Watch for" in html and "Sources:" in html


def test_an_indication_the_drug_lacks_is_named(p1: Patient, alice: User) -> None:
    html = titration(alice, p1, drug="duloxetine", indication="phn")

    assert "no duloxetine ceiling for &#x27;phn&#x27;" in html


def test_an_egfr_out_of_range_is_refused(p1: Patient, alice: User) -> None:
    html = titration(alice, p1, drug="gabapentin", egfr="900")

    assert "Enter an eGFR between 0 and 200" in html and 'value="900"' in html
