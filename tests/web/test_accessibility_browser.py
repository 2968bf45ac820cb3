"""Accessibility in a real browser: axe-core (vendored from npm, injected by the test) finds no serious or
critical violation on the login, intake, triage, chart, plan and note pages; the body map and the plan's
decisions are reached with Tab and worked with Enter/Space."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from stepcare.intake import wording as w
from stepcare.records.models import Clinic
from tests.web.conftest import make_encounter, make_patient, make_user
from tests.web.intake_helpers import portal_step, walk
from tests.web.test_browser import audit_rows_cleared, browser_page, log_in  # noqa: F401 - shared browser fixtures

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
BLOCKING = ("serious", "critical")
MAX_TABS = 400


@pytest.fixture
def a11y_clinic(audit_rows_cleared: None) -> dict[str, Any]:  # noqa: F811
    """A patient with every intake step answered (red flag included), submitted-ready; a physician; an encounter.

    Created before the browser starts: ORM calls made while Playwright's loop runs use another connection.
    """
    clinic = Clinic.objects.create(name="Access Clinic", slug="a11y", timezone="UTC")
    doctor = make_user("dr.a11y", "physician", clinic)
    make_user("nurse.a11y", "nurse", clinic, credential="RN")
    patient = make_patient(clinic, given_name="Ada", family_name="Axeova", mrn="AX-1")
    user = make_user("ada.axe", "patient", clinic, patient=patient)
    client = Client()
    client.force_login(user)
    assert client.post(reverse("portal-intake")).status_code == 302
    walk(client, portal_step, until="review", red_flags=("fever",))
    encounter = make_encounter(patient, doctor, date=datetime.datetime.now(datetime.UTC).date())
    return {"patient": patient, "encounter": encounter}


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Inject axe-core into the page as it is and return its serious and critical violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert result["passes"], "axe-core ran no rule on this page"  # it really checked something
    return [v for v in result["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"][:5]:
            lines.append(
                f"    at {' '.join(node['target'])}: {node.get('failureSummary', '').splitlines()[-1:]}"
            )
    return "\n".join(lines)


def assert_accessible(page: Any, where: str, failures: dict[str, str]) -> None:
    page.wait_for_load_state("load")
    found = axe_violations(page)
    if found:
        failures[where] = describe(found)


def tab_to(page: Any, selector: str) -> None:
    """Press Tab (from the top of the page) until the focused element matches the CSS selector."""
    page.locator("body").focus()
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => !!document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector!r} within {MAX_TABS} presses")


@pytest.mark.browser
def test_pages_have_no_serious_or_critical_axe_violations(
    a11y_clinic: dict[str, Any],
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, base = browser_page, live_server.url
    patient, encounter = a11y_clinic["patient"], a11y_clinic["encounter"]
    failures: dict[str, str] = {}

    page.goto(f"{base}/accounts/login/")
    assert_accessible(page, "login", failures)

    log_in(page, base, "ada.axe")
    page.wait_for_url(f"{base}/portal/")
    assert_accessible(page, "portal", failures)
    for slug in w.STEP_SLUGS:  # every intake step, body map and questionnaires included
        page.goto(f"{base}{portal_step(slug)}")
        assert_accessible(page, f"intake step {slug}", failures)
    # A step re-shown with an error message (the typed answers kept) is checked too.
    page.goto(f"{base}{portal_step('pain')}")
    page.get_by_label("How bad is your pain right now, from 0 to 10?").fill("11")
    page.get_by_role("button", name="Save and continue", exact=True).last.click()
    page.locator(".errorlist").first.wait_for()
    assert_accessible(page, "intake step pain with an error", failures)
    page.get_by_role("button", name="Log out").click()

    log_in(page, base, "dr.a11y")
    page.wait_for_url(f"{base}/")
    assert_accessible(page, "dashboard", failures)
    for name, path in (
        ("triage queue", "/triage/"),
        ("chart", f"/patients/{patient.pk}/care/"),
        ("plan", f"/patients/{patient.pk}/plan/"),
        ("note", f"/encounters/{encounter.pk}/note/"),
        ("clinical profile", f"/patients/{patient.pk}/clinical-profile/"),
    ):
        page.goto(f"{base}{path}")
        assert_accessible(page, name, failures)
        if name == "plan":  # the htmx fragment with an inline error (decline without a reason)
            step = page.locator("li.plan-step").first
            step.get_by_label("Decline", exact=True).check()
            step.get_by_role("button", name="Save decision").click()
            page.locator("li.plan-step .errorlist").first.wait_for()
            assert_accessible(page, "plan with an inline error", failures)

    assert not failures, "axe-core found serious/critical violations:\n" + "\n\n".join(
        f"== {where} ==\n{text}" for where, text in failures.items()
    )


@pytest.mark.browser
def test_body_map_regions_are_reached_with_tab_and_toggled_with_enter_and_space(
    a11y_clinic: dict[str, Any],
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    page, base = browser_page, live_server.url
    log_in(page, base, "ada.axe")
    page.wait_for_url(f"{base}/portal/")
    page.goto(f"{base}{portal_step('where')}")
    neck = '[data-site="neck:midline"]'
    assert page.locator(neck).first.get_attribute("aria-checked") == "false"

    tab_to(page, neck)
    page.keyboard.press("Space")
    assert page.locator(neck).first.get_attribute("aria-checked") == "true"
    assert page.locator('input[name="sites"][value="neck:midline"]').is_checked()
    page.keyboard.press("Enter")
    assert page.locator(neck).first.get_attribute("aria-checked") == "false"
    assert not page.locator('input[name="sites"][value="neck:midline"]').is_checked()

    # The region focused by keyboard is drawn differently from one that is not (a visible focus indicator).
    look = (
        "(e) => { const c = getComputedStyle(e);"
        " return [c.outlineStyle, c.outlineWidth, c.stroke, c.strokeWidth].join(' '); }"
    )
    focused = page.evaluate(f"() => ({look})(document.activeElement)")
    other = page.evaluate(f"() => ({look})(document.querySelector('[data-site=\"head:midline\"]'))")
    assert page.evaluate("() => document.activeElement.getAttribute('data-site')") == "neck:midline"
    assert focused != other


@pytest.mark.browser
def test_plan_decisions_are_made_by_keyboard_alone(
    a11y_clinic: dict[str, Any],
    live_server: Any,
    browser_page: Any,  # noqa: F811
) -> None:
    from stepcare.care.models import CarePlan

    page, base = browser_page, live_server.url
    patient = a11y_clinic["patient"]
    log_in(page, base, "dr.a11y")
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/patients/{patient.pk}/plan/")
    step = page.locator("li.plan-step").first
    code = step.get_attribute("data-code")
    item_id = step.get_attribute("id")
    radio = f"#{item_id} input[type=radio][value=accepted]"

    tab_to(page, radio)
    page.keyboard.press("Space")
    assert page.locator(radio).is_checked()
    tab_to(page, f"#{item_id} button[type=submit]")
    assert page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.locator(f'li.plan-step.decision-accepted[data-code="{code}"]').wait_for()

    # Decline the next step by keyboard: the reason field is reachable and typed into.
    other = page.locator("li.plan-step.decision-pending").first
    other_id = other.get_attribute("id")
    other_code = other.get_attribute("data-code")
    # Tab stops once on a radio group (its first radio); the arrow keys move to, and pick, "Decline".
    tab_to(page, f"#{other_id} input[type=radio][value=accepted]")
    page.keyboard.press("ArrowDown")
    assert page.locator(f"#{other_id} input[type=radio][value=declined]").is_checked()
    tab_to(page, f"#{other_id} textarea, #{other_id} input[name$=decline_reason]")
    page.keyboard.type("Not wanted by the patient")
    tab_to(page, f"#{other_id} button[type=submit]")
    page.keyboard.press("Space")
    page.locator(f'li.plan-step.decision-declined[data-code="{other_code}"]').wait_for()

    tab_to(page, ".finalize-form button[type=submit]")
    page.keyboard.press("Enter")
    page.locator("#plan-status", has_text="Final").wait_for()
    plan = CarePlan.objects.get(patient=patient)
    decisions = dict(plan.items.values_list("code", "decision"))
    assert (decisions[code], decisions[other_code]) == ("accepted", "declined")
