"""Real browser: a physician logs in, searches a patient and opens the chart (Playwright + Debian chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections

from stepcare.audit import triggers
from stepcare.records.models import Clinic
from tests.web.conftest import PASSWORD, make_patient, make_user

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOT = Path(__file__).resolve().parents[2] / "test-results" / "browser" / "chart.png"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def audit_rows_cleared(transactional_db: None) -> Iterator[None]:
    """Live-server tests end with a table flush; audit rows are append-only, so clear them first.

    Runs before pytest-django's flush: lift the triggers, delete this test's audit rows, restore them.
    """
    yield
    triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {triggers.TABLE}")  # noqa: S608 - constant table name
    finally:
        triggers.install(connection)


@pytest.fixture
def browser_page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed at /usr/bin/chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1024, "height": 768})  # a tablet in landscape
            yield page
        finally:
            browser.close()
            connections.close_all()  # any connection opened inside Playwright's context would outlive the test


def log_in(page: Any, base: str, username: str) -> None:
    """Log in through the real login form (every browser test starts here)."""
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.fixture
def browser_clinic(audit_rows_cleared: None) -> None:
    """Created before the browser starts: ORM calls made while Playwright's loop runs use another connection."""
    clinic = Clinic.objects.create(name="Browser Clinic", slug="browser", timezone="UTC")
    make_user("dr.browser", "physician", clinic)
    make_patient(clinic, given_name="Wanda", family_name="Browserova", mrn="BR-4242")
    make_patient(clinic, given_name="Other", family_name="Person", mrn="BR-0001")


@pytest.mark.browser
def test_physician_searches_and_opens_a_chart(
    browser_clinic: None, live_server: Any, browser_page: Any
) -> None:
    page = browser_page

    log_in(page, live_server.url, "dr.browser")
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_text("clinical decision support for licensed clinicians").is_visible()

    page.get_by_role("link", name="Patients").click()
    page.get_by_label("Search by name, MRN or date of birth").press_sequentially("Browserova", delay=20)
    # htmx swaps the rows in place after the typing delay; the other patient disappears.
    page.locator("#patient-rows").get_by_text("Person, Other").wait_for(state="detached")
    page.get_by_role("link", name="Browserova, Wanda").click()

    header = page.locator(".chart-header")
    header.wait_for()
    assert header.locator("h1").inner_text() == "Browserova, Wanda"
    assert page.locator("#chart-mrn").inner_text() == "BR-4242"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    assert SCREENSHOT.stat().st_size > 0
