"""Medication-safety alerts: each fires on a minimal case and stays quiet on the nearest safe case."""

from __future__ import annotations

from typing import Any

import pytest
from builders import case, med

from stepcare.clinical import medications
from stepcare.clinical.case import Case
from stepcare.clinical.result import Alert


def alerts(c: Case) -> list[Alert]:
    return medications.assess(c)[1]


def codes(c: Case) -> list[str]:
    return [a.code for a in alerts(c)]


def one(c: Case, code: str) -> Alert:
    found = [a for a in alerts(c) if a.code == code]
    assert len(found) == 1, [a.code for a in alerts(c)]
    return found[0]


MONITORED: dict[str, Any] = {"monitoring": {"pdmp_reviewed": "2026-11-01", "urine_drug_test": "2026-06-01"}}


def morphine(daily: float, **extra: Any) -> dict[str, Any]:
    return med("morphine", daily / 2, per_day=2, **extra)


# ---- MME thresholds
def test_mme_exactly_50_raises_mme_50_and_49_does_not() -> None:
    a = one(case(morphine(50), **MONITORED), "mme-50")
    assert a.severity == "warning" and "50 MME/day (CDC 2022)" in a.message
    assert "mme-50" not in codes(case(morphine(49), **MONITORED))


def test_mme_exactly_90_raises_mme_90_instead_of_mme_50_and_89_stays_at_50() -> None:
    found = codes(case(morphine(90), **MONITORED))
    assert "mme-90" in found and "mme-50" not in found
    a = one(case(morphine(90), **MONITORED), "mme-90")
    assert a.severity == "high" and "no hard limit" in a.action and "carefully justify" in a.action
    found = codes(case(morphine(89), **MONITORED))
    assert "mme-50" in found and "mme-90" not in found


# ---- naloxone
def test_naloxone_is_offered_at_50_mme() -> None:
    a = one(case(morphine(50), **MONITORED), "naloxone-offer")
    assert "morphine" in a.message and "50 MME/day (>= 50)" in a.message


def test_naloxone_is_not_offered_below_50_mme_without_other_risk() -> None:
    assert "naloxone-offer" not in codes(case(morphine(49), **MONITORED))


@pytest.mark.parametrize(
    "condition",
    [
        "overdose-history",
        "substance-use-disorder",
        "opioid-use-disorder",
        "alcohol-use-disorder",
        "sleep-apnea",
    ],
)
def test_naloxone_is_offered_for_each_risk_condition(condition: str) -> None:
    assert "naloxone-offer" in codes(case(morphine(20), conditions=(condition,), **MONITORED))


def test_naloxone_is_offered_with_a_benzodiazepine() -> None:
    a = one(case(morphine(20), med("Xanax", 0.5, per_day=2), **MONITORED), "naloxone-offer")
    assert "alprazolam" in a.message


def test_naloxone_is_never_offered_without_an_active_opioid() -> None:
    c = case(med("alprazolam", 1, per_day=2), conditions=("overdose-history", "sleep-apnea"))
    assert "naloxone-offer" not in codes(c)
    planned = case(morphine(60, start="2026-12-01"), conditions=("overdose-history",))
    assert "naloxone-offer" not in codes(planned)


def test_naloxone_on_the_list_or_dispensed_satisfies_the_offer() -> None:
    assert "naloxone-offer" not in codes(
        case(morphine(60), med("Narcan", 4, per_day=1, route="intranasal", prn=True), **MONITORED)
    )
    dispensed = {"monitoring": {**MONITORED["monitoring"], "naloxone_dispensed": "2026-01-10"}}
    assert "naloxone-offer" not in codes(case(morphine(60), **dispensed))


def test_the_naloxone_inside_buprenorphine_naloxone_is_not_a_rescue_kit() -> None:
    suboxone = {
        "name": "Suboxone",
        "ingredients": [
            {"name": "buprenorphine", "dose": 8, "unit": "mg"},
            {"name": "naloxone", "dose": 2, "unit": "mg"},
        ],
        "per_day": 1,
        "route": "sublingual",
    }
    assert "naloxone-offer" in codes(case(suboxone, conditions=("opioid-use-disorder",), **MONITORED))


# ---- CNS depressants
def test_benzodiazepine_with_opioid_is_high_and_names_both() -> None:
    a = one(case(med("oxycodone", 5, per_day=3), med("lorazepam", 1, per_day=2)), "benzodiazepine-opioid")
    assert a.severity == "high"
    assert a.message.startswith("Lorazepam with oxycodone")


def test_benzodiazepine_alone_raises_no_concurrent_use_alert() -> None:
    assert "benzodiazepine-opioid" not in codes(case(med("lorazepam", 1, per_day=2)))


def test_gabapentin_with_tramadol_warns_of_respiratory_depression() -> None:
    a = one(case(med("gabapentin", 300, per_day=3), med("tramadol", 50, per_day=4)), "gabapentinoid-opioid")
    assert a.message == "Gabapentin with tramadol raises the risk of respiratory depression."
    assert a.citation == "FDA Drug Safety Communication, 2019-12-19"


def test_gabapentinoid_without_opioid_is_quiet() -> None:
    assert "gabapentinoid-opioid" not in codes(case(med("Lyrica", 75, per_day=2)))


def test_a_z_drug_with_an_opioid_raises_the_cns_depressant_alert() -> None:
    a = one(case(med("Ambien", 10), med("oxycodone", 5, per_day=2)), "cns-depressant-opioid")
    assert "zolpidem" in a.message.lower()


# ---- ER/LA in acute pain, first-line
def test_extended_release_opioid_for_acute_pain_is_flagged() -> None:
    a = one(
        case(med("oxycodone", 10, per_day=2, formulation="er"), pain={"duration_days": 10}, **MONITORED),
        "opioid-er-acute",
    )
    assert "10 days" in a.message


def test_immediate_release_for_acute_pain_or_er_for_subacute_pain_is_not_flagged() -> None:
    assert "opioid-er-acute" not in codes(case(med("oxycodone", 5, per_day=4), pain={"duration_days": 10}))
    assert "opioid-er-acute" not in codes(
        case(med("oxycodone", 10, per_day=2, formulation="er"), pain={"duration_days": 30})
    )


def test_methadone_and_patches_count_as_long_acting_whatever_the_formulation_field() -> None:
    assert "opioid-er-acute" in codes(case(med("methadone", 5, per_day=2), pain={"duration_days": 5}))
    assert "opioid-er-acute" in codes(case(med("fentanyl", 12.5, unit="mcg/hr"), pain={"duration_days": 5}))


def test_opioid_for_chronic_pain_with_no_non_opioid_therapy_is_flagged() -> None:
    a = one(case(med("oxycodone", 5, per_day=3), pain={"duration_days": 200}), "opioid-first-line")
    assert "chronic pain" in a.message


@pytest.mark.parametrize(
    "extra",
    [
        {"therapies": [{"code": "physical-therapy", "weeks": 6}]},
        {"patient_conditions": ["cancer-active"]},
        {"diagnoses": ["cancer-pain"]},
    ],
)
def test_opioid_first_line_is_quiet_after_non_opioid_therapy_or_for_cancer_pain(
    extra: dict[str, Any],
) -> None:
    assert "opioid-first-line" not in codes(
        case(med("oxycodone", 5, per_day=3), pain={"duration_days": 200}, **extra)
    )


def test_a_standalone_non_opioid_analgesic_counts_as_tried_but_the_acetaminophen_in_a_combination_does_not() -> (
    None
):
    assert "opioid-first-line" not in codes(
        case(med("oxycodone", 5, per_day=3), med("duloxetine", 60), pain={"duration_days": 200})
    )
    norco = {
        "name": "Norco",
        "ingredients": [
            {"name": "hydrocodone", "dose": 5, "unit": "mg"},
            {"name": "acetaminophen", "dose": 325, "unit": "mg"},
        ],
        "per_day": 4,
    }
    assert "opioid-first-line" in codes(
        case(norco, pain={"duration_days": 200}, therapies=[{"code": "tramadol", "weeks": 4}])
    )


# ---- PDMP and urine drug test
def test_pdmp_never_reviewed_is_due() -> None:
    assert "No PDMP review" in one(case(med("oxycodone", 5, per_day=2)), "pdmp-review").message


def test_pdmp_90_days_old_is_fine_and_91_days_is_overdue_with_the_dates() -> None:
    assert "pdmp-review" not in codes(
        case(med("oxycodone", 5, per_day=2), monitoring={"pdmp_reviewed": "2026-08-26"})
    )
    a = one(case(med("oxycodone", 5, per_day=2), monitoring={"pdmp_reviewed": "2026-08-25"}), "pdmp-review")
    assert "2026-08-25" in a.message and "2026-11-23" in a.message


def test_urine_drug_test_for_chronic_pain_on_opioids() -> None:
    chronic = {"pain": {"duration_days": 200}}
    a = one(case(med("oxycodone", 5, per_day=2), **chronic), "urine-drug-test")
    assert a.severity == "info"
    assert "urine-drug-test" not in codes(
        case(med("oxycodone", 5, per_day=2), monitoring={"urine_drug_test": "2025-11-24"}, **chronic)
    )
    late = one(
        case(med("oxycodone", 5, per_day=2), monitoring={"urine_drug_test": "2025-11-23"}, **chronic),
        "urine-drug-test",
    )
    assert "2025-11-23" in late.message and "no fixed interval" in late.message


def test_urine_drug_test_not_asked_for_acute_pain_on_a_new_opioid() -> None:
    assert "urine-drug-test" not in codes(
        case(med("oxycodone", 5, per_day=2, start="2026-11-20"), pain={"duration_days": 5})
    )


def test_an_opioid_started_90_days_ago_counts_as_long_term_when_duration_is_unknown() -> None:
    assert "urine-drug-test" in codes(case(med("oxycodone", 5, per_day=2, start="2026-08-26")))
    assert "urine-drug-test" not in codes(case(med("oxycodone", 5, per_day=2, start="2026-08-27")))


# ---- taper
def test_taper_is_considered_at_90_mme_not_at_89() -> None:
    a = one(case(morphine(90), **MONITORED), "taper-consider")
    assert "90 MME/day" in a.message and "never stop abruptly" in a.action
    assert "taper-consider" not in codes(case(morphine(89), **MONITORED))


def test_taper_is_considered_with_a_benzodiazepine_or_overdose_history_but_not_in_cancer() -> None:
    assert "taper-consider" in codes(case(morphine(20), med("diazepam", 5), **MONITORED))
    assert "taper-consider" in codes(case(morphine(20), conditions=("overdose-history",), **MONITORED))
    assert "taper-consider" not in codes(case(morphine(120), conditions=("cancer-active",), **MONITORED))


def test_stewardship_rules_are_for_adults_but_interactions_apply_at_any_age() -> None:
    teen = codes(case(morphine(120), med("alprazolam", 0.5), age=17))
    assert "benzodiazepine-opioid" in teen
    assert not {"mme-90", "naloxone-offer", "pdmp-review", "taper-consider"} & set(teen)


# ---- acetaminophen
def norco(apap: float, per_day: float) -> dict[str, Any]:
    return {
        "name": "Norco",
        "ingredients": [
            {"name": "hydrocodone", "dose": 5, "unit": "mg"},
            {"name": "acetaminophen", "dose": apap, "unit": "mg"},
        ],
        "per_day": per_day,
    }


def test_acetaminophen_is_summed_across_a_combination_and_a_plain_product() -> None:
    a = one(case(norco(325, 4), med("Tylenol", 1, unit="g", per_day=3)), "acetaminophen-max-dose")
    assert "4300 mg/day" in a.message and "4000 mg/day" in a.message
    assert "Norco" in a.message and "Tylenol" in a.message


def test_acetaminophen_at_exactly_4_g_is_approaching_not_over() -> None:
    found = codes(case(med("acetaminophen", 1000, per_day=4)))
    assert "acetaminophen-approaching" in found and "acetaminophen-max-dose" not in found


def test_acetaminophen_approaching_starts_at_80_percent_of_the_ceiling() -> None:
    assert "acetaminophen-approaching" in codes(case(med("acetaminophen", 800, per_day=4)))
    assert not {"acetaminophen-approaching", "acetaminophen-max-dose"} & set(
        codes(case(med("acetaminophen", 799, per_day=4)))
    )


@pytest.mark.parametrize(
    ("extra", "ceiling"),
    [
        ({"patient_liver_disease": "mild"}, "3000"),
        ({"patient_liver_disease": "severe"}, "2000"),
        ({"patient_conditions": ["alcohol-use-disorder"]}, "3000"),
    ],
)
def test_liver_disease_or_alcohol_lowers_the_acetaminophen_ceiling(
    extra: dict[str, Any], ceiling: str
) -> None:
    a = one(case(med("acetaminophen", 650, per_day=5), **extra), "acetaminophen-max-dose")
    assert f"{ceiling} mg/day ceiling" in a.message


# ---- NSAIDs
def test_nsaid_with_a_doac_brand_is_a_high_bleeding_alert() -> None:
    a = one(case(med("ibuprofen", 400, per_day=3), med("Eliquis", 5, per_day=2)), "nsaid-anticoagulant")
    assert a.severity == "high" and "Ibuprofen with apixaban" in a.message


def test_a_topical_nsaid_raises_no_systemic_alert() -> None:
    assert codes(case(med("diclofenac", 40, per_day=4, route="topical"), med("apixaban", 5, per_day=2))) == []


@pytest.mark.parametrize(("egfr", "severity"), [(29, "high"), (30, "warning"), (59, "warning")])
def test_nsaid_kidney_alert_by_egfr(egfr: float, severity: str) -> None:
    a = one(case(med("naproxen", 500, per_day=2), patient_egfr=egfr), "nsaid-kidney")
    assert a.severity == severity and f"eGFR {egfr}" in a.message


def test_nsaid_kidney_is_quiet_at_egfr_60() -> None:
    assert "nsaid-kidney" not in codes(case(med("naproxen", 500, per_day=2), patient_egfr=60))


def test_nsaid_kidney_for_ckd_or_the_triple_whammy() -> None:
    assert "nsaid-kidney" in codes(case(med("naproxen", 500, per_day=2), conditions=("ckd",)))
    a = one(
        case(med("naproxen", 500, per_day=2), med("lisinopril", 10), med("hydrochlorothiazide", 25)),
        "nsaid-kidney",
    )
    assert "triple whammy" in a.message


def test_nsaid_gi_risk_at_65_without_a_ppi_but_not_at_64_or_with_a_ppi() -> None:
    a = one(case(med("meloxicam", 15), age=65), "nsaid-gi-risk")
    assert "age 65" in a.message and "no PPI" in a.message
    assert "nsaid-gi-risk" not in codes(case(med("meloxicam", 15), age=64))
    assert "nsaid-gi-risk" not in codes(case(med("meloxicam", 15), med("omeprazole", 20), age=70))


def test_a_past_ulcer_is_flagged_even_with_a_ppi() -> None:
    a = one(case(med("meloxicam", 15), med("Prilosec", 20), conditions=("peptic-ulcer",)), "nsaid-gi-risk")
    assert "past peptic ulcer" in a.message and "omeprazole" in a.message


def test_nsaid_cardiovascular_and_pregnancy() -> None:
    assert (
        "heart failure"
        in one(case(med("celecoxib", 200), conditions=("heart-failure",)), "nsaid-cardiovascular").message
    )
    assert "nsaid-pregnancy" in codes(case(med("ibuprofen", 400, per_day=3), age=30, patient_pregnant=True))
    assert "nsaid-pregnancy" in codes(
        case(med("ibuprofen", 400, per_day=3), age=30, conditions=("pregnancy",))
    )
    assert not {"nsaid-cardiovascular", "nsaid-pregnancy"} & set(
        codes(case(med("ibuprofen", 400, per_day=3), age=30))
    )


# ---- serotonin syndrome
def test_tramadol_with_duloxetine_warns_of_serotonin_syndrome() -> None:
    a = one(case(med("tramadol", 50, per_day=2), med("Cymbalta", 60)), "serotonin-syndrome")
    assert a.severity == "warning" and "tramadol" in a.message.lower() and "duloxetine" in a.message


def test_one_serotonergic_drug_alone_is_quiet() -> None:
    assert "serotonin-syndrome" not in codes(case(med("tramadol", 50, per_day=2)))


def test_an_maoi_with_another_serotonergic_drug_is_contraindicated() -> None:
    a = one(case(med("phenelzine", 15, per_day=3), med("sumatriptan", 50)), "serotonin-syndrome")
    assert a.severity == "high" and "contraindicated" in a.message


# ---- steroids and diabetes
def test_diabetes_with_a_systemic_steroid_advises_glucose_monitoring() -> None:
    a = one(case(med("prednisone", 20), conditions=("diabetes",)), "steroid-glucose")
    assert "prednisone" in a.message and "3 days" in a.action
    assert "steroid-glucose" not in codes(case(med("prednisone", 20)))


def test_a_steroid_injection_within_3_days_counts_and_4_days_ago_does_not() -> None:
    def esi(date: str) -> Case:
        return case(
            conditions=("diabetes",), procedures=[{"code": "epidural-steroid-injection", "date": date}]
        )

    assert "epidural-steroid-injection on 2026-11-21" in one(esi("2026-11-21"), "steroid-glucose").message
    assert "steroid-glucose" not in codes(esi("2026-11-20"))


def test_the_planned_injection_hook_alerts_only_for_diabetes() -> None:
    planned = medications.steroid_injection_glucose_alert(case(conditions=("diabetes",)), planned=True)
    assert planned is not None and "planned steroid injection" in planned.message
    assert medications.steroid_injection_glucose_alert(case(), planned=True) is None
    assert medications.steroid_injection_glucose_alert(case(conditions=("diabetes",))) is None


# ---- anticoagulants and neuraxial procedures
def test_an_anticoagulant_in_a_spine_case_gives_hold_times() -> None:
    c = case(med("apixaban", 5, per_day=2), med("Plavix", 75), pain={"sites": [{"region": "low-back"}]})
    a = one(c, "anticoagulant-neuraxial")
    assert (
        a.severity == "info"
        and "apixaban: hold 3 days" in a.message
        and "clopidogrel: hold 7 days" in a.message
    )
    holds = medications.neuraxial_hold(c)
    assert [(h["drug"], h["hold_days"], h["evidence"]) for h in holds] == [
        ("apixaban", 3, "unverified"),
        ("clopidogrel", 7, "unverified"),
    ]


def test_no_neuraxial_alert_outside_the_spine() -> None:
    assert "anticoagulant-neuraxial" not in codes(
        case(med("apixaban", 5, per_day=2), pain={"sites": [{"region": "knee"}]})
    )


# ---- renal, hepatic, maximum dose
def test_gabapentin_above_the_renal_band_is_flagged_at_the_band_boundary() -> None:
    a = one(case(med("gabapentin", 600, per_day=3), patient_egfr=59), "renal-dose-adjust")
    assert "1800 mg/day is above 1400" in a.message
    assert "renal-dose-adjust" not in codes(case(med("gabapentin", 600, per_day=3), patient_egfr=60))


def test_pregabalin_bands_meet_at_30() -> None:
    assert "renal-dose-adjust" not in codes(case(med("pregabalin", 150, per_day=2), patient_egfr=30))
    assert "renal-dose-adjust" in codes(case(med("pregabalin", 150, per_day=2), patient_egfr=29))


def test_duloxetine_is_avoided_below_egfr_30_and_in_liver_disease() -> None:
    assert one(case(med("duloxetine", 60), patient_egfr=29), "renal-dose-adjust").severity == "high"
    assert "renal-dose-adjust" not in codes(case(med("duloxetine", 60), patient_egfr=30))
    assert "hepatic-avoid" in codes(case(med("duloxetine", 30), patient_liver_disease="mild"))


def test_a_dose_above_the_label_maximum_is_flagged() -> None:
    assert (
        "4800 mg/day is above the 3600"
        in one(case(med("gabapentin", 1200, per_day=4)), "dose-above-maximum").message
    )
    assert "dose-above-maximum" not in codes(case(med("gabapentin", 1200, per_day=3)))


# ---- general properties
def test_every_alert_of_a_busy_case_has_a_citation_an_action_and_a_contract_severity() -> None:
    c = case(
        morphine(120), med("tramadol", 50, per_day=2), med("alprazolam", 1), med("gabapentin", 1200, per_day=4), med("ibuprofen", 800, per_day=3),
        med("apixaban", 5, per_day=2), med("duloxetine", 60), med("prednisone", 10), med("acetaminophen", 1000, per_day=5),
        med("mystery-pill", 1), age=70, conditions=("diabetes", "heart-failure", "ckd", "peptic-ulcer", "sleep-apnea"),
        patient_egfr=25, patient_pregnant=False, pain={"duration_days": 5, "sites": [{"region": "neck"}]},
    )  # fmt: skip
    found = alerts(c)
    expected = {
        "mme-90", "naloxone-offer", "benzodiazepine-opioid", "gabapentinoid-opioid", "pdmp-review",
        "taper-consider", "acetaminophen-max-dose", "nsaid-anticoagulant", "nsaid-kidney", "nsaid-gi-risk",
        "nsaid-cardiovascular", "steroid-glucose", "anticoagulant-neuraxial", "unrecognized-medication",
        "renal-dose-adjust", "serotonin-syndrome",
    }  # fmt: skip
    assert expected <= {a.code for a in found}
    for a in found:
        assert a.citation and a.action and a.severity in ("info", "warning", "high")
        assert "{" not in a.message and "{" not in a.action


def test_no_medications_no_alerts() -> None:
    assert alerts(case(conditions=("overdose-history", "diabetes"))) == []


def test_cancer_pain_is_outside_cdc_2022_so_its_dosing_prompts_are_not_raised() -> None:
    """CDC 2022 excludes cancer-related pain: no mme-90, testing, first-line or taper prompts; interactions stay."""
    from stepcare.clinical import evaluate

    base = {
        "as_of": "2026-11-24",
        "patient": {"age": 60, "conditions": ["cancer-active"]},
        "pain": {"duration_days": 200, "sites": [{"region": "low-back"}]},
        "medications": [
            {"name": "oxycodone", "dose": 20, "unit": "mg", "per_day": 4},
            {"name": "lorazepam", "dose": 1, "unit": "mg", "per_day": 1},
        ],
    }
    with_cancer = {a.code for a in evaluate(base).alerts}
    without = {a.code for a in evaluate({**base, "patient": {"age": 60}}).alerts}
    assert {"mme-90", "urine-drug-test", "opioid-first-line", "taper-consider"} <= without
    assert not {"mme-50", "mme-90", "urine-drug-test", "opioid-first-line", "taper-consider"} & with_cancer
    assert {"benzodiazepine-opioid", "naloxone-offer"} <= with_cancer
