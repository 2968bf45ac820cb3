"""Drug knowledge (names, brands, classes, evidence tags) and opioid monitoring status."""

from __future__ import annotations

import string

import pytest
from builders import case, med

from stepcare.clinical import medications
from stepcare.clinical.medications import Combination, DrugInfo


@pytest.mark.parametrize(
    ("name", "generic"),
    [("Ultram", "tramadol"), ("LYRICA", "pregabalin"), ("neurontin", "gabapentin"), ("Cymbalta", "duloxetine"),
     ("Xanax", "alprazolam"), ("Eliquis", "apixaban"), ("Celebrex", "celecoxib"), ("Narcan", "naloxone"),
     ("paracetamol", "acetaminophen"), ("morphine sulfate", "morphine")],
)  # fmt: skip
def test_brand_and_generic_names_resolve_case_insensitively(name: str, generic: str) -> None:
    found = medications.resolve(name)
    assert isinstance(found, DrugInfo) and found.id == generic


@pytest.mark.parametrize(
    ("name", "ingredients"),
    [("Percocet", ("oxycodone", "acetaminophen")), ("norco", ("hydrocodone", "acetaminophen")),
     ("acetaminophen/hydrocodone", ("hydrocodone", "acetaminophen")), ("Tylenol #3", ("codeine", "acetaminophen"))],
)  # fmt: skip
def test_combination_products_resolve_to_their_ingredients(name: str, ingredients: tuple[str, ...]) -> None:
    found = medications.resolve(name)
    assert isinstance(found, Combination) and found.ingredients == ingredients


def test_classes_and_flags_drive_the_rules() -> None:
    def info(name: str) -> DrugInfo:
        found = medications.resolve(name)
        assert isinstance(found, DrugInfo)
        return found

    assert info("celecoxib").classes >= {"nsaid", "cox2"}
    assert info("tramadol").has("serotonergic") and info("tramadol").has("opioid")
    assert info("alprazolam").has("cns-depressant") and info("alprazolam").has("benzodiazepine")
    assert info("aspirin").has("antiplatelet") and not info("aspirin").has("nsaid")
    assert medications.resolve("unobtainium") is None


def test_renal_facts_from_secondary_sources_are_tagged_and_rxnorm_codes_say_how_far_they_were_checked() -> (
    None
):
    kb = medications.knowledge()
    drugs = {d.id: d for d in kb.drugs.drugs}
    assert drugs["gabapentin"].evidence == "secondary" and drugs["pregabalin"].evidence == "secondary"
    assert [b.egfr_from for b in drugs["gabapentin"].renal] == [60, 30, 15, 0]
    assert drugs["morphine"].rxcui == "7052" and drugs["morphine"].rxcui_evidence == "verified"
    assert all(d.rxcui_evidence == "unverified" for d in drugs.values() if d.id != "morphine")


def test_unverified_and_secondary_thresholds_carry_their_tag() -> None:
    thresholds = {t.id: t for t in medications.knowledge().alerts.thresholds}
    assert thresholds["acetaminophen-ceiling-mg"].evidence == "secondary"
    assert thresholds["acetaminophen-ceiling-severe-liver-mg"].evidence == "secondary"
    assert all(h.evidence == "unverified" for h in medications.knowledge().alerts.neuraxial_holds)
    rules = {r.id: r for r in medications.knowledge().alerts.alerts}
    assert rules["nsaid-pregnancy"].evidence == "unverified"


# ---- monitoring status
def status(**monitoring: str) -> dict[str, dict[str, object]]:
    c = case(med("oxycodone", 5, per_day=3, start="2026-11-01"), monitoring=monitoring)
    return {s["check"]: s for s in medications.monitoring_status(c)}  # type: ignore[misc]


def test_no_monitoring_without_an_opioid() -> None:
    assert medications.monitoring_status(case(med("gabapentin", 300, per_day=3))) == []


def test_never_recorded_checks_are_due_today() -> None:
    s = status()
    assert s["pdmp"]["status"] == "due" and s["pdmp"]["due"] == "2026-11-24" and s["pdmp"]["last"] is None
    assert s["naloxone"]["status"] == "due"


@pytest.mark.parametrize(
    ("last", "expected"),
    [("2026-09-10", "ok"), ("2026-09-09", "due"), ("2026-08-26", "due"), ("2026-08-25", "overdue")],
)
def test_pdmp_status_by_its_3_month_interval(last: str, expected: str) -> None:
    assert status(pdmp_reviewed=last)["pdmp"]["status"] == expected


def test_reassessment_is_due_within_4_weeks_of_a_start_then_every_3_months() -> None:
    s = status()
    assert s["opioid-reassessment"]["due"] == "2026-11-29" and s["opioid-reassessment"]["status"] == "due"
    later = status(opioid_reassessed="2026-11-20")
    assert (
        later["opioid-reassessment"]["due"] == "2027-02-18" and later["opioid-reassessment"]["status"] == "ok"
    )


def test_naloxone_on_the_list_is_ok_and_every_check_cites_its_source() -> None:
    c = case(med("oxycodone", 5, per_day=3), med("naloxone", 4, route="intranasal", prn=True))
    rows = medications.monitoring_status(c)
    assert next(r for r in rows if r["check"] == "naloxone")["status"] == "ok"
    assert {r["check"] for r in rows} == {
        "pdmp",
        "urine-drug-test",
        "treatment-agreement",
        "naloxone",
        "opioid-reassessment",
    }
    assert all(r["citation"] for r in rows)


def _sample_fields(template: str, number: float) -> dict[str, object]:
    fields: dict[str, object] = {}
    for _, name, spec, _ in string.Formatter().parse(template):
        if name is not None:
            fields[name] = number if spec else f"value of {name}"
    return fields


@pytest.mark.parametrize("number", [0, 1.0, 92.5, 1234.56789])
def test_every_alert_message_and_action_is_filled_by_generated_code_exactly_like_format_map(
    number: float,
) -> None:
    for rule in medications.knowledge().rules.values():
        if rule.message_capitalized is not None:
            assert rule.render_message is not None
            fields = _sample_fields(rule.message_capitalized, number)
            assert rule.render_message(fields) == rule.message_capitalized.format_map(fields)
        else:
            assert rule.render_raw is not None
            fields = _sample_fields(rule.message, number)
            assert rule.render_raw(fields) == rule.message.format_map(fields)
        if rule.action_fixed is None:
            assert rule.render_action is not None
            fields = _sample_fields(rule.action, number)
            assert rule.render_action(fields) == rule.action.format_map(fields)


def test_a_template_with_a_nested_field_in_its_format_spec_is_left_to_format_map() -> None:
    assert medications._renderer("{total:{width}}") is None
    assert medications._renderer("{0}") is None
    render = medications._renderer("Dose {total:g} MME ({table!r}) {{literal}}")
    assert render is not None
    assert render({"total": 90.0, "table": "CDC"}) == "Dose 90 MME ('CDC') {literal}"
