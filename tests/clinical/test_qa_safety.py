"""Clinical QA regressions: triage, chronicity, questionnaires, medication safety and EHR-style input.

Each test states the outcome the reference documents expect (../shared/reference/clinical-facts.md and
condition-pathways.md, the engine contract), not a copy of the engine's whole output.
"""

from __future__ import annotations

from typing import Any

import pytest

import stepcare
from stepcare.clinical.medications import MedicationError

RED_FLAGS = (
    "saddle-anesthesia", "bladder-dysfunction", "bowel-incontinence", "progressive-weakness", "fever",
    "iv-drug-use", "immunosuppression", "recent-infection", "cancer-history", "unexplained-weight-loss",
    "night-pain-at-rest", "major-trauma", "osteoporosis", "long-term-steroids", "thunderclap-headache",
    "headache-neuro-deficit",
)  # fmt: skip


def _evaluate(**fields: Any) -> dict[str, Any]:
    case: dict[str, Any] = {"id": "qa-safety", "as_of": "2026-11-24", "patient": {"age": 45}}
    case.update(fields)
    return stepcare.evaluate(case).to_dict()


def _spine(**pain: Any) -> dict[str, Any]:
    return {"sites": [{"region": "low-back", "side": "midline"}], "duration_days": 20, **pain}


def _codes(ev: dict[str, Any]) -> list[str]:
    return [a["code"] for a in ev["alerts"]]


# ------------------------------------------------------------------------------------------- triage


@pytest.mark.parametrize("age", [35, 49, 72])
@pytest.mark.parametrize("flag", ["osteoporosis", "long-term-steroids"])
def test_fracture_features_with_back_pain_are_urgent_at_any_age(flag: str, age: int) -> None:
    # CF 4.7: osteoporosis and prolonged corticosteroid use are each vertebral-fracture features
    # (prompt plain radiographs); the reference gives no age limit for them
    ev = _evaluate(patient={"age": age}, pain=_spine(), red_flags=[flag])
    assert ev["triage"]["level"] == "urgent"
    assert flag in ev["triage"]["reasons"]
    assert "radiograph" in ev["triage"]["action"]


@pytest.mark.parametrize("flag", RED_FLAGS)
@pytest.mark.parametrize("region", [None, "knee", "head", "low-back", "widespread"])
def test_a_recorded_red_flag_is_never_dropped_from_the_triage_reasons(flag: str, region: str | None) -> None:
    pain = {"sites": [{"region": region}]} if region else {}
    ev = _evaluate(patient={"age": 70}, pain=pain, red_flags=[flag])
    assert flag in ev["triage"]["reasons"]
    assert "no red flags recorded" not in ev["triage"]["action"]


@pytest.mark.parametrize("flag", ["saddle-anesthesia", "bladder-dysfunction", "bowel-incontinence"])
def test_cauda_equina_is_an_emergency_with_a_same_day_action(flag: str) -> None:
    ev = _evaluate(pain=_spine(), red_flags=[flag])
    assert ev["triage"]["level"] == "emergency"
    assert "same-day" in ev["triage"]["action"].lower()


@pytest.mark.parametrize("flag", ["thunderclap-headache", "headache-neuro-deficit"])
def test_headache_red_flags_are_emergencies(flag: str) -> None:
    ev = _evaluate(pain={"sites": [{"region": "head"}], "duration_days": 1}, red_flags=[flag])
    assert ev["triage"]["level"] == "emergency"


# ---------------------------------------------------------------------------------- EHR-style names


def _mme(*meds: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return _evaluate(medications=list(meds), **fields)


@pytest.mark.parametrize(
    ("name", "dose", "per_day", "mme"),
    [
        ("oxycodone 5 mg tablet", 5, 4, 30),
        ("Oxycodone HCl 10 MG Oral Tablet", 10, 4, 60),  # peer worked example: 60 MME
        ("oxycodone 10mg tab", 10, 4, 60),
        ("OxyContin 30 mg 12 hr tablet", 30, 2, 90),  # peer worked example: oxycodone ER 30 mg bid = 90
        ("  OXYCODONE   hydrochloride ", 10, 4, 60),
        ("oxycodone 60 mg ER tablet", 10, 2, 30),  # peer: the dose ordered wins over the product strength
    ],
)
def test_a_strength_written_in_the_name_is_understood(
    name: str, dose: float, per_day: float, mme: float
) -> None:
    ev = _mme({"name": name, "dose": dose, "unit": "mg", "per_day": per_day})
    assert ev["mme"]["total"] == pytest.approx(mme)
    assert "unrecognized-medication" not in _codes(ev)


def test_an_er_brand_with_its_strength_in_the_name_is_still_extended_release() -> None:
    ev = _mme(
        {"name": "OxyContin 20 mg 12 hr tablet", "dose": 20, "unit": "mg", "per_day": 2},
        pain=_spine(duration_days=5),
    )
    assert "opioid-er-acute" in _codes(ev)


def test_a_fentanyl_patch_named_with_its_rate_counts_2_4_per_mcg_per_hour() -> None:
    ev = _mme(
        {"name": "fentanyl 25 mcg/hr transdermal patch", "dose": 25, "unit": "mcg/hr", "route": "transdermal"}
    )
    assert ev["mme"]["total"] == pytest.approx(60)


def test_tylenol_extra_strength_counts_toward_the_acetaminophen_ceiling() -> None:
    ev = _mme({"name": "Tylenol Extra Strength 500 mg", "dose": 500, "unit": "mg", "per_day": 9})
    assert "acetaminophen-max-dose" in _codes(ev)
    assert "unrecognized-medication" not in _codes(ev)


def test_naloxone_written_as_a_nasal_spray_satisfies_the_naloxone_offer() -> None:
    ev = _mme(
        {"name": "oxycodone", "dose": 20, "unit": "mg", "per_day": 2},
        {
            "name": "Narcan nasal spray",
            "dose": 4,
            "unit": "mg",
            "per_day": 1,
            "route": "intranasal",
            "prn": True,
        },
    )
    assert ev["mme"]["total"] == pytest.approx(60)
    assert "naloxone-offer" not in _codes(ev)
    assert "unrecognized-medication" not in _codes(ev)


@pytest.mark.parametrize(
    "name",
    [
        "Percocet 5/325 mg tablet",
        "Oxycodone HCl / Acetaminophen 5 mg/325 mg Oral Tablet",
        "Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet",
    ],
)
def test_a_combination_named_as_an_ehr_writes_it_counts_every_ingredient(name: str) -> None:
    ingredients = [
        {"name": "oxycodone", "dose": 5, "unit": "mg"},
        {"name": "acetaminophen", "dose": 325, "unit": "mg"},
    ]
    ev = _mme({"name": name, "ingredients": ingredients, "per_day": 4})
    assert ev["mme"]["total"] == pytest.approx(30)
    assert "unrecognized-medication" not in _codes(ev)


@pytest.mark.parametrize("name", ["Norco 10/325", "hydrocodone/acetaminophen 10-325 mg"])
def test_a_combination_with_a_single_dose_is_refused_naming_the_field(name: str) -> None:
    with pytest.raises(MedicationError, match=r"^medications\[0\]\.name: .*combination product"):
        _mme({"name": name, "dose": 10, "unit": "mg", "per_day": 4})


def test_a_brand_whose_ingredients_contradict_it_is_refused_naming_the_field() -> None:
    # Percocet is oxycodone + acetaminophen: counting hydrocodone would mis-count the MME silently
    wrong = [
        {"name": "hydrocodone", "dose": 5, "unit": "mg"},
        {"name": "acetaminophen", "dose": 325, "unit": "mg"},
    ]
    with pytest.raises(
        MedicationError, match=r"^medications\[0\]\.ingredients\[0\]\.name: 'hydrocodone' is not an"
    ):
        _mme({"name": "Percocet", "ingredients": wrong, "per_day": 4})
    # a misspelt ingredient of a known product is refused too (it would add nothing to the MME)
    typo = [
        {"name": "oxycodon", "dose": 5, "unit": "mg"},
        {"name": "acetaminophen", "dose": 325, "unit": "mg"},
    ]
    with pytest.raises(MedicationError, match=r"^medications\[0\]\.ingredients\[0\]\.name: 'oxycodon'"):
        _mme({"name": "Percocet", "ingredients": typo, "per_day": 4})
    # a combination given without its acetaminophen would under-count the acetaminophen total
    with pytest.raises(MedicationError, match=r"^medications\[0\]\.ingredients"):
        _mme(
            {
                "name": "Norco",
                "ingredients": [{"name": "hydrocodone", "dose": 10, "unit": "mg"}],
                "per_day": 4,
            }
        )


def test_numbers_that_are_part_of_a_name_are_kept() -> None:
    ev = _mme(
        {"name": "Tylenol #3", "ingredients": [{"name": "codeine", "dose": 30, "unit": "mg"}, {"name": "acetaminophen", "dose": 300, "unit": "mg"}], "per_day": 4},
        {"name": "PEG 3350", "dose": 17, "unit": "g", "per_day": 1},
    )  # fmt: skip
    assert ev["mme"]["total"] == pytest.approx(18)
    assert "unrecognized-medication" not in _codes(ev)


# ---------------------------------------------------------------------------------- medication safety


@pytest.mark.parametrize(
    "opioid",
    [
        {"name": "methadone", "dose": 80, "unit": "mg", "per_day": 1},
        {
            "name": "Suboxone",
            "ingredients": [
                {"name": "buprenorphine", "dose": 8, "unit": "mg"},
                {"name": "naloxone", "dose": 2, "unit": "mg"},
            ],
            "per_day": 2,
            "route": "sublingual",
        },
    ],
)
def test_medication_for_oud_with_a_benzodiazepine_is_not_prompted_for_a_taper(opioid: dict[str, Any]) -> None:
    # CDC 2022: do not withhold buprenorphine or methadone for OUD because of a benzodiazepine;
    # detoxification alone is not recommended (rec 12). The interaction and naloxone alerts remain.
    benzo = {"name": "clonazepam", "dose": 1, "unit": "mg", "per_day": 1}
    ev = _mme(opioid, benzo, patient={"age": 40, "conditions": ["opioid-use-disorder"]})
    assert "taper-consider" not in _codes(ev)
    assert "benzodiazepine-opioid" in _codes(ev)
    assert "naloxone-offer" in _codes(ev)
    # the same methadone without OUD on record is opioid therapy for pain: the taper prompt stays
    ev = _mme({"name": "methadone", "dose": 80, "unit": "mg", "per_day": 1}, benzo)
    assert "taper-consider" in _codes(ev)


def test_a_combination_above_325_mg_acetaminophen_per_unit_is_flagged() -> None:
    # clinical-facts 4.1: prescription combination products are limited to 325 mg acetaminophen per unit
    old = [
        {"name": "hydrocodone", "dose": 7.5, "unit": "mg"},
        {"name": "acetaminophen", "dose": 750, "unit": "mg"},
    ]
    assert "acetaminophen-combination-strength" in _codes(
        _mme({"name": "Vicodin ES", "ingredients": old, "per_day": 4})
    )
    current = [
        {"name": "hydrocodone", "dose": 10, "unit": "mg"},
        {"name": "acetaminophen", "dose": 325, "unit": "mg"},
    ]
    assert "acetaminophen-combination-strength" not in _codes(
        _mme({"name": "Norco", "ingredients": current, "per_day": 4})
    )


@pytest.mark.parametrize(
    "name", ["Hydrocodone-APAP 10-325", "hydrocodone / paracetamol", "APAP/hydrocodone bitartrate"]
)
def test_a_combination_named_by_its_ingredients_synonyms_is_recognized(name: str) -> None:
    # named without its per-ingredient doses it is refused naming the field (not counted as unknown)
    with pytest.raises(MedicationError, match=r"^medications\[0\]\.name: .*combination product"):
        _mme({"name": name, "dose": 10, "unit": "mg", "per_day": 4})
    ingredients = [
        {"name": "hydrocodone", "dose": 10, "unit": "mg"},
        {"name": "acetaminophen", "dose": 325, "unit": "mg"},
    ]
    ev = _mme({"name": name, "ingredients": ingredients, "per_day": 4})
    assert ev["mme"]["total"] == pytest.approx(40)


@pytest.mark.parametrize(
    ("extra", "patient"),
    [
        ([], {"age": 50, "conditions": ["copd"]}),
        ([], {"age": 78}),
        ([{"name": "lorazepam", "dose": 1, "unit": "mg", "per_day": 2}], {"age": 50}),
    ],
)
def test_a_gabapentinoid_with_a_respiratory_risk_factor_is_flagged(
    extra: list[dict[str, Any]], patient: dict[str, Any]
) -> None:
    # clinical-facts 4.3 (FDA 2019): opioids or other CNS depressants, COPD, the elderly
    ev = _mme({"name": "pregabalin", "dose": 75, "unit": "mg", "per_day": 2}, *extra, patient=patient)
    assert "gabapentinoid-respiratory" in _codes(ev)
    plain = _mme({"name": "pregabalin", "dose": 75, "unit": "mg", "per_day": 2}, patient={"age": 50})
    assert "gabapentinoid-respiratory" not in _codes(plain)


def test_a_triptan_counts_as_nonopioid_therapy_tried_before_an_opioid() -> None:
    # the opioid-first-line message says "no non-opioid therapy recorded": a triptan for migraine is one
    meds = [
        {"name": "Imitrex 50 mg", "dose": 50, "unit": "mg", "per_day": 2, "prn": True},
        {"name": "Ultram 50mg", "dose": 50, "unit": "mg", "per_day": 4},
    ]
    ev = _mme(
        *meds, pain={"duration_days": 400, "sites": [{"region": "head"}], "headache_days_per_month": 10}
    )
    assert "opioid-first-line" not in _codes(ev)
    assert "serotonin-syndrome" in _codes(ev)


@pytest.mark.parametrize(
    ("med", "mme", "er"),
    [
        ({"name": "Fentanyl Transdermal System 25 mcg/hr", "dose": 25, "unit": "mcg/hr"}, 60, True),
        ({"name": "Oxycodone extended release 10 mg", "dose": 10, "unit": "mg", "per_day": 2}, 30, True),
        (
            {
                "name": "Morphine Sulfate Extended Release 15 MG Oral Tablet",
                "dose": 15,
                "unit": "mg",
                "per_day": 2,
            },
            30,
            True,
        ),
        ({"name": "oxycodone immediate release 5 mg", "dose": 5, "unit": "mg", "per_day": 4}, 30, False),
    ],
)
def test_release_and_dosage_form_words_are_understood(med: dict[str, Any], mme: float, er: bool) -> None:
    ev = _mme(med, pain=_spine(duration_days=5))
    assert ev["mme"]["total"] == pytest.approx(mme)
    assert "unrecognized-medication" not in _codes(ev)
    assert ("opioid-er-acute" in _codes(ev)) is er


def test_otc_acetaminophen_combinations_count_toward_the_ceiling_without_the_prescription_unit_limit() -> (
    None
):
    # clinical-facts 4.1: sum acetaminophen across all products, OTC included; the 325 mg unit limit is for
    # prescription combinations
    tylenol_pm = {
        "name": "Tylenol PM",
        "ingredients": [
            {"name": "acetaminophen", "dose": 1000, "unit": "mg"},
            {"name": "diphenhydramine", "dose": 50, "unit": "mg"},
        ],
        "per_day": 1,
    }
    excedrin = {
        "name": "Excedrin Migraine",
        "ingredients": [
            {"name": "acetaminophen", "dose": 500, "unit": "mg"},
            {"name": "aspirin", "dose": 500, "unit": "mg"},
            {"name": "caffeine", "dose": 130, "unit": "mg"},
        ],
        "per_day": 4,
    }
    norco = {
        "name": "Norco",
        "ingredients": [
            {"name": "hydrocodone", "dose": 10, "unit": "mg"},
            {"name": "acetaminophen", "dose": 325, "unit": "mg"},
        ],
        "per_day": 4,
    }
    ev = _mme(tylenol_pm, excedrin, norco)
    codes = _codes(ev)
    assert "acetaminophen-max-dose" in codes  # 1000 + 2000 + 1300 = 4300 mg/day
    assert "cns-depressant-opioid" in codes  # the diphenhydramine in Tylenol PM
    assert "acetaminophen-combination-strength" not in codes
    assert "unrecognized-medication" not in codes


def test_a_cancer_diagnosis_event_counts_as_a_history_of_neoplasm_for_headache_and_other_sites() -> None:
    # SNNOOP10 (condition-pathways 3.18): headache with a history of neoplasm is a red flag, however the
    # history is recorded (red flag, condition or a cancer-diagnosis event)
    event = [{"kind": "cancer-diagnosis", "date": "2025-01-01"}]
    head = _evaluate(pain={"sites": [{"region": "head"}], "duration_days": 10}, events=event)
    assert head["triage"]["level"] == "urgent"
    knee = _evaluate(pain={"sites": [{"region": "knee"}], "duration_days": 10}, events=event)
    assert knee["triage"]["level"] == "routine"
    assert "no red flags recorded" not in knee["triage"]["action"]


def test_an_active_triptan_with_vascular_disease_or_hypertension_is_flagged() -> None:
    # condition-pathways 3.18 (AHS 2021): triptans are avoided in coronary or peripheral vascular disease
    # and uncontrolled hypertension
    triptan = {"name": "Imitrex", "dose": 50, "unit": "mg", "per_day": 2, "prn": True}
    vascular = _mme(triptan, patient={"age": 60, "conditions": ["cardiovascular-disease"]})
    assert [a["severity"] for a in vascular["alerts"] if a["code"] == "triptan-cardiovascular"] == ["high"]
    assert "triptan-hypertension" in _codes(
        _mme(triptan, patient={"age": 60, "conditions": ["hypertension"]})
    )
    assert not _codes(_mme(triptan, patient={"age": 60}))
