"""The medication list: MME per line and total, the table switch, alerts beside the lines that cause them."""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.urls import reverse

from stepcare.accounts.models import User
from stepcare.audit.models import AuditEvent
from stepcare.care.models import MedicationEntry
from stepcare.meds.regimen import assess_regimen
from stepcare.records.models import Patient
from tests.web.care_helpers import add_medication
from tests.web.conftest import client_for

START = datetime.date(2026, 1, 5)


def crafted_regimen(patient: Patient) -> dict[str, MedicationEntry]:
    """Oxycodone 10 mg x 4 (60 MME), fentanyl 25 mcg/hr (60 MME) and alprazolam 1 mg x 2."""
    return {
        "oxycodone": add_medication(patient),
        "fentanyl": add_medication(
            patient,
            name="fentanyl",
            dose=25,
            unit="mcg/hr",
            per_day=None,
            route="transdermal",
            formulation="er",
        ),
        "alprazolam": add_medication(patient, name="alprazolam", dose=1, unit="mg", per_day=2),
    }


def page(user: User, patient: Patient, **params: str) -> str:
    response = client_for(user).get(reverse("meds-list", kwargs={"patient_id": patient.pk}), params)
    assert response.status_code == 200
    return response.content.decode()


def row(html: str, entry: MedicationEntry) -> str:
    start = html.index(f'id="med-{entry.pk}"')
    return html[start : html.index("</tr>", start)]


def cell(row_html: str, css: str) -> str:
    found = re.search(rf'<td class="{css}"[^>]*>(.*?)</td>', row_html, re.S)
    assert found, css
    return re.sub(r"<[^>]+>", " ", found.group(1)).strip()


def test_mme_per_line_and_total_for_a_crafted_regimen(p1: Patient, alice: User) -> None:
    meds = crafted_regimen(p1)

    html = page(alice, p1)

    assert 'data-mme="60.0"' in row(html, meds["oxycodone"])
    assert cell(row(html, meds["oxycodone"]), "factor") == "1.5"
    assert cell(row(html, meds["oxycodone"]), "daily") == "40.0 mg/day"
    assert 'data-mme="60.0"' in row(html, meds["fentanyl"])
    assert cell(row(html, meds["fentanyl"]), "factor") == "2.4"
    assert 'data-mme=""' in row(html, meds["alprazolam"])
    assert re.search(r'id="mme-total">120\.0<', html)


def test_the_cdc_2016_table_changes_tramadols_factor(p1: Patient, alice: User) -> None:
    tramadol = add_medication(p1, name="tramadol", dose=50, unit="mg", per_day=4)

    default = row(page(alice, p1), tramadol)
    older = page(alice, p1, table="cdc-2016")

    assert (cell(default, "factor"), cell(default, "mme").split()[0]) == ("0.2", "40.0")
    assert (cell(row(older, tramadol), "factor"), cell(row(older, tramadol), "mme").split()[0]) == (
        "0.1",
        "20.0",
    )
    assert 'id="mme-table">CDC 2016<' in older


def test_an_unknown_table_falls_back_to_the_default(p1: Patient, alice: User) -> None:
    add_medication(p1)

    assert 'id="mme-table">CDC 2022<' in page(alice, p1, table="made-up")


def test_benzodiazepine_alert_sits_beside_both_lines_that_cause_it(p1: Patient, alice: User) -> None:
    meds = crafted_regimen(p1)

    html = page(alice, p1)

    for name in ("oxycodone", "alprazolam"):
        assert 'data-code="benzodiazepine-opioid"' in row(html, meds[name]), name
    top = html[html.index('id="patient-alerts"') : html.index("</ul>", html.index('id="patient-alerts"'))]
    assert 'data-code="mme-90"' in top  # 120 MME names no line: a patient-level alert
    assert 'data-code="benzodiazepine-opioid"' not in top


def test_each_alert_shows_severity_message_action_and_citation(p1: Patient, alice: User) -> None:
    meds = crafted_regimen(p1)

    line = row(page(alice, p1), meds["alprazolam"])
    alert = line[
        line.index('data-code="benzodiazepine-opioid"') : line.index(
            "</li>", line.index("benzodiazepine-opioid")
        )
    ]

    assert '<span class="badge">high</span>' in alert
    assert "What to do:" in alert and "Source: CDC" in alert


def test_stopped_and_planned_medicines_are_listed_apart_and_not_counted(p1: Patient, alice: User) -> None:
    add_medication(p1, stop=datetime.date(2026, 2, 1), stop_reason="no benefit")
    add_medication(p1, name="morphine", dose=15, per_day=2, start=datetime.date(2099, 1, 1))

    html = page(alice, p1)

    assert "no benefit" in html[html.index('id="stopped-medications"') :]
    assert "morphine" in html[html.index('id="planned-medications"') :]
    assert re.search(r'id="mme-total">0(\.0)?<', html)


def test_an_unreadable_stored_line_is_shown_with_its_problem_and_the_rest_assessed(
    p1: Patient, alice: User
) -> None:
    bad = add_medication(p1, name="percocet", dose=5, unit="mg", per_day=4)
    good = add_medication(p1, name="morphine", dose=15, per_day=2)

    html = page(alice, p1)

    assert "is a combination product" in row(html, bad)
    assert 'data-mme="30.0"' in row(html, good)


def test_the_list_view_is_audited_once(p1: Patient, bob: User) -> None:
    crafted_regimen(p1)
    before = AuditEvent.objects.count()

    page(bob, p1)

    assert AuditEvent.objects.count() - before == 1
    assert AuditEvent.objects.latest("id").detail["page"] == "medications"


def test_the_regimen_matches_combination_ingredients_to_their_line() -> None:
    case: dict[str, Any] = {
        "as_of": "2026-03-01",
        "patient": {"age": 50},
        "medications": [
            {"name": "Percocet", "per_day": 4, "ingredients": [
                {"name": "oxycodone", "dose": 5, "unit": "mg"}, {"name": "acetaminophen", "dose": 325, "unit": "mg"}]},
            {"name": "lorazepam", "dose": 1, "unit": "mg", "per_day": 2},
        ],
    }  # fmt: skip

    result = assess_regimen(case, table="cdc-2022")

    assert [i.mme for i in result.line_mme[0]] == [30.0]
    assert "benzodiazepine-opioid" in {a.code for a in result.line_alerts[0]}
    assert "benzodiazepine-opioid" in {a.code for a in result.line_alerts[1]}


def test_the_list_only_reads_a_post_is_refused_and_writes_nothing(p1: Patient, alice: User) -> None:
    rows, events = MedicationEntry.objects.count(), AuditEvent.objects.count()
    data = {"name": "gabapentin", "dose": "300", "unit": "mg", "per_day": "3", "route": "oral",
            "formulation": "ir", "start": "2026-11-01"}  # fmt: skip

    response = client_for(alice).post(reverse("meds-list", kwargs={"patient_id": p1.pk}), data)

    assert response.status_code == 405
    assert (MedicationEntry.objects.count(), AuditEvent.objects.count()) == (rows, events)
