"""Real browser: a physician previews an opioid order (htmx, nothing saved), then saves it and sees the MME."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from stepcare.care.models import MedicationEntry
from stepcare.records.models import Clinic, Patient
from tests.web.conftest import make_patient, make_user
from tests.web.test_browser import audit_rows_cleared, browser_page, log_in  # noqa: F401 - shared fixtures


@pytest.fixture
def meds_clinic(audit_rows_cleared: None) -> Patient:  # noqa: F811
    clinic = Clinic.objects.create(name="Browser Clinic", slug="browser", timezone="UTC")
    make_user("dr.meds", "physician", clinic)
    patient = make_patient(clinic, given_name="Wanda", family_name="Browserova", mrn="BR-4242")
    MedicationEntry.objects.create(
        patient=patient, name="alprazolam", dose=1, unit="mg", per_day=2, start=datetime.date(2026, 1, 5)
    )
    return patient


@pytest.mark.browser
def test_physician_previews_then_saves_an_opioid_order(
    meds_clinic: Patient,
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page = browser_page
    log_in(page, live_server.url, "dr.meds")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/patients/{meds_clinic.pk}/medications/")
    page.get_by_role("link", name="Order a medicine").click()
    page.get_by_label("Medicine (generic or brand name)").fill("oxycodone")
    page.get_by_label("Dose:", exact=True).fill("10")
    page.get_by_label("Unit:", exact=True).select_option("mg")
    page.get_by_label("Times per day").fill("4")
    url_before = page.url
    page.get_by_role("button", name="Preview MME and alerts").click()

    page.locator("#preview-after").wait_for()
    assert page.locator("#preview-after").inner_text() == "60.0"
    assert page.locator('#preview-new-alerts [data-code="benzodiazepine-opioid"]').count() == 1
    assert page.url == url_before  # swapped in place by htmx
    assert MedicationEntry.objects.filter(name="oxycodone").count() == 0

    page.get_by_role("button", name="Save order").click()
    page.wait_for_url(f"{live_server.url}/patients/{meds_clinic.pk}/medications/")
    assert page.locator("#mme-total").inner_text() == "60.0"
    assert MedicationEntry.objects.filter(name="oxycodone").count() == 1
