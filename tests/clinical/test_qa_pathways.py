"""Clinical QA regressions for the differential, the mechanism and the stepped plan.

Each test is a case a reviewer could write from shared/reference/condition-pathways.md ("CP"),
clinical-facts.md ("CF") or the seeds, asserting the clinically expected outcome only.
"""

from __future__ import annotations

from typing import Any

import stepcare

AS_OF = "2026-11-24"


def evaluate(**parts: Any) -> dict[str, Any]:
    case: dict[str, Any] = {"as_of": AS_OF, **parts}
    return stepcare.evaluate(case).to_dict()


def plan_codes(ev: dict[str, Any]) -> list[str]:
    return [s["code"] for s in ev["plan"]]


def alert_codes(ev: dict[str, Any]) -> list[str]:
    return [a["code"] for a in ev["alerts"]]


# ---------------------------------------------------------------- migraine mechanism (CP 3.18)

_MIGRAINE_PAIN = {
    "duration_days": 800,
    "sites": [{"region": "head", "side": "left"}],
    "qualities": ["throbbing"],
    "symptoms": ["nausea", "photophobia", "phonophobia"],
    "worse_with": ["activity"],
    "nrs": 7,
    "headache_days_per_month": 3,
}


def test_migraine_worse_with_routine_activity_is_nociplastic_not_mixed() -> None:
    # CP 3.18: "worse with routine activity" is an ICHD-3 migraine criterion; the mechanism is nociplastic.
    ev = evaluate(id="qa-migraine", patient={"age": 32, "sex": "female"}, pain=_MIGRAINE_PAIN)
    assert ev["differential"][0]["code"] == "migraine"
    assert ev["mechanism"] == "nociplastic"


def test_back_pain_worse_with_activity_still_counts_as_a_mechanical_pattern() -> None:
    pain = {
        "duration_days": 10,
        "sites": [{"region": "low-back", "side": "midline"}],
        "worse_with": ["activity"],
    }
    ev = evaluate(id="qa-lbp-activity", patient={"age": 35}, pain={**pain, "nrs": 5})
    assert ev["mechanism"] == "nociceptive"


# ---------------------------------------------------------------- steroid injection with diabetes (CF)


def _knee_oa_for_injection(conditions: list[str]) -> dict[str, Any]:
    return evaluate(
        id="qa-knee-injection",
        patient={"age": 67, "conditions": conditions},
        pain={
            "duration_days": 700,
            "sites": [{"region": "knee", "side": "left"}],
            "qualities": ["aching"],
            "worse_with": ["walking"],
            "nrs": 7,
        },
        therapies=[
            {"code": "physical-therapy", "weeks": 12, "completed": True, "response": "partial"},
            {"code": "nsaid-topical", "weeks": 6, "completed": True, "response": "none"},
        ],
    )


def test_planned_steroid_injection_in_diabetes_raises_the_steroid_glucose_alert() -> None:
    ev = _knee_oa_for_injection(["diabetes"])
    assert "joint-injection-corticosteroid" in plan_codes(ev)
    assert "steroid-glucose" in alert_codes(ev)
    assert alert_codes(ev).count("steroid-glucose") == 1


def test_planned_steroid_injection_without_diabetes_raises_no_glucose_alert() -> None:
    ev = _knee_oa_for_injection([])
    assert "joint-injection-corticosteroid" in plan_codes(ev)
    assert "steroid-glucose" not in alert_codes(ev)


# ---------------------------------------------------------------- lumbar radiculopathy "against" (CP 3.1)


def test_axial_back_pain_without_radiation_below_the_knee_argues_against_radiculopathy() -> None:
    # CP 3.1 Against: pain confined to back/buttock/thigh.
    pain = {
        "duration_days": 7,
        "sites": [{"region": "low-back", "side": "midline"}],
        "qualities": ["aching"],
        "worse_with": ["lifting", "flexion"],
        "nrs": 6,
    }
    ev = evaluate(id="qa-axial-lbp", patient={"age": 35}, pain=pain)
    assert ev["differential"][0]["code"] == "nonspecific-low-back-pain"
    radic = [d for d in ev["differential"] if d["code"] == "lumbar-radiculopathy"]
    assert all(any("below the knee" in a for a in d["against"]) for d in radic)


def test_sciatica_below_the_knee_has_no_confined_pain_against() -> None:
    pain = {
        "duration_days": 20,
        "sites": [{"region": "low-back", "side": "right"}],
        "radiation": ["buttock", "thigh", "below-knee"],
        "qualities": ["shooting"],
        "nrs": 7,
    }
    ev = evaluate(id="qa-sciatica", patient={"age": 44}, pain=pain, exam={"slr-positive": "right"})
    top = ev["differential"][0]
    assert top["code"] == "lumbar-radiculopathy"
    assert not any("confined" in a for a in top["against"])


# ---------------------------------------------------------------- lumbar facet: 3-month conservative trial (CP 2.1, 3.3)


def _facet(therapies: list[dict[str, Any]]) -> dict[str, Any]:
    return evaluate(
        id="qa-facet",
        patient={"age": 61},
        pain={
            "duration_days": 240,
            "sites": [{"region": "low-back", "side": "bilateral"}],
            "radiation": ["buttock"],
            "qualities": ["aching"],
            "worse_with": ["extension", "rotation"],
            "nrs": 6,
        },
        exam={"facet-loading-positive": True},
        therapies=therapies,
    )


def test_facet_pain_after_six_weeks_of_failed_therapy_gets_no_medial_branch_block_yet() -> None:
    ev = _facet([{"code": "physical-therapy", "weeks": 6, "completed": True, "response": "none"}])
    assert ev["differential"][0]["code"] == "lumbar-facet-pain"
    assert "medial-branch-block" not in plan_codes(ev)
    assert "facet-rfa" not in plan_codes(ev)


def test_facet_pain_after_three_months_of_failed_therapy_gets_a_medial_branch_block() -> None:
    ev = _facet([{"code": "physical-therapy", "weeks": 12, "completed": True, "response": "none"}])
    assert "medial-branch-block" in plan_codes(ev)
    assert "epidural-steroid-injection" not in plan_codes(ev)


# ---------------------------------------------------------------- left and right sites count as bilateral


def test_feet_recorded_left_and_right_are_bilateral_symmetric_neuropathy() -> None:
    # CP 3.14: distal, symmetric, bilateral foot symptoms; EHR data often lists one site per side.
    pain = {
        "duration_days": 300,
        "qualities": ["burning", "tingling"],
        "worse_with": ["night"],
        "nrs": 6,
    }
    split = evaluate(
        id="qa-pdn-split",
        patient={"age": 62, "conditions": ["diabetes"]},
        pain={
            **pain,
            "sites": [{"region": "ankle-foot", "side": "left"}, {"region": "ankle-foot", "side": "right"}],
        },
    )
    joined = evaluate(
        id="qa-pdn-joined",
        patient={"age": 62, "conditions": ["diabetes"]},
        pain={**pain, "sites": [{"region": "ankle-foot", "side": "bilateral"}]},
    )
    top = split["differential"][0]
    assert top["code"] == "peripheral-neuropathy"
    assert "bilateral (symmetric) foot symptoms" in top["supporting"]
    assert top["score"] == joined["differential"][0]["score"]
    assert split["mechanism"] == "neuropathic"


def test_one_foot_alone_is_not_bilateral() -> None:
    ev = evaluate(
        id="qa-one-foot",
        patient={"age": 62, "conditions": ["diabetes"]},
        pain={
            "duration_days": 300,
            "sites": [{"region": "ankle-foot", "side": "left"}],
            "qualities": ["burning"],
        },
    )
    pn = [d for d in ev["differential"] if d["code"] == "peripheral-neuropathy"]
    assert pn and "bilateral (symmetric) foot symptoms" not in pn[0]["supporting"]


# ---------------------------------------------------------------- facet vs stenosis (CP 3.2, 3.3; seeds/002)


def test_axial_extension_pain_eased_by_sitting_forward_is_facet_not_stenosis() -> None:
    # seeds/002: facet pain is axial, worse with extension and rotation, better sitting forward, morning
    # stiffness; CP 3.2: symptomatic stenosis gives buttock and/or leg symptoms (neurogenic claudication).
    ev = evaluate(
        id="qa-facet-seed",
        patient={"age": 58},
        pain={
            "duration_days": 200,
            "sites": [{"region": "low-back", "side": "bilateral"}],
            "qualities": ["aching"],
            "symptoms": ["morning-stiffness"],
            "worse_with": ["extension", "rotation"],
            "better_with": ["sitting", "flexion"],
            "nrs": 6,
        },
    )
    assert ev["differential"][0]["code"] == "lumbar-facet-pain"
    assert "morning stiffness" in ev["differential"][0]["supporting"]
    stenosis = [d for d in ev["differential"] if d["code"] == "lumbar-spinal-stenosis"]
    assert all("no buttock or leg symptoms (axial pain only)" in d["against"] for d in stenosis)


def test_claudication_with_leg_symptoms_stays_stenosis() -> None:
    ev = evaluate(
        id="qa-claudication",
        patient={"age": 72},
        pain={
            "duration_days": 300,
            "sites": [{"region": "low-back", "side": "bilateral"}],
            "radiation": ["buttock", "thigh"],
            "worse_with": ["walking", "standing"],
            "better_with": ["sitting", "flexion"],
            "nrs": 6,
        },
    )
    top = ev["differential"][0]
    assert top["code"] == "lumbar-spinal-stenosis"
    assert not any("axial pain only" in a for a in top["against"])


# ---------------------------------------------------------------- radicular pain blocking rehab (CP 3.1; seeds/002)

_IMG = [
    {
        "modality": "mri",
        "date": "2026-11-20",
        "region": "low-back",
        "level": "L5-S1",
        "side": "right",
        "findings": ["disc-herniation", "nerve-root-compression"],
    }
]


def _acute_sciatica(nrs: int) -> dict[str, Any]:
    return evaluate(
        id="qa-sciatica-rehab-blocked",
        patient={"age": 44, "sex": "female"},
        pain={
            "duration_days": 18,
            "sites": [{"region": "low-back", "side": "right"}],
            "radiation": ["buttock", "thigh", "below-knee"],
            "qualities": ["shooting"],
            "nrs": nrs,
        },
        exam={"slr-positive": "right"},
        imaging=_IMG,
        therapies=[{"code": "physical-therapy", "weeks": 1, "completed": False, "response": "intolerant"}],
    )


def test_severe_sciatica_that_stopped_therapy_gets_an_epidural_before_four_weeks() -> None:
    # NG59: consider an epidural for acute and severe sciatica; seeds/002: the injection makes rehab possible.
    ev = _acute_sciatica(8)
    codes = plan_codes(ev)
    assert "epidural-steroid-injection" in codes
    assert codes.index("education") < codes.index("epidural-steroid-injection")
    assert "gabapentinoid" not in codes


def test_moderate_sciatica_that_stopped_therapy_does_not_jump_to_an_epidural() -> None:
    assert "epidural-steroid-injection" not in plan_codes(_acute_sciatica(5))


# ---------------------------------------------------------------- migraine: no topical NSAID gel for attacks (CP 3.18)


def test_migraine_with_nsaid_unsuitable_gets_acetaminophen_not_a_topical_nsaid() -> None:
    # CP 3.18 acute: NSAIDs or non-opioid analgesics for mild-moderate attacks; ACP: triptan + acetaminophen.
    ev = evaluate(
        id="qa-migraine-anticoagulated",
        patient={"age": 45, "sex": "female"},
        pain=_MIGRAINE_PAIN,
        medications=[{"name": "apixaban", "dose": 5, "unit": "mg", "per_day": 2, "route": "oral"}],
    )
    codes = plan_codes(ev)
    assert "nsaid-oral" not in codes
    assert "nsaid-topical" not in codes
    assert "acetaminophen" in codes
    assert "triptan" in codes


def test_migraine_with_nsaid_suitable_keeps_the_nsaid_and_no_acetaminophen_step() -> None:
    ev = evaluate(id="qa-migraine-nsaid", patient={"age": 45, "sex": "female"}, pain=_MIGRAINE_PAIN)
    assert "nsaid-oral" in plan_codes(ev)
    assert "acetaminophen" not in plan_codes(ev)


# ---------------------------------------------------------------- STarT Back high risk (CP 3.1, 3.5; CF 1.1)


def _lbp_with_start_back(items: list[int]) -> dict[str, Any]:
    return evaluate(
        id="qa-start-back",
        patient={"age": 40},
        pain={
            "duration_days": 20,
            "sites": [{"region": "low-back", "side": "midline"}],
            "qualities": ["aching"],
            "worse_with": ["lifting"],
            "nrs": 6,
        },
        questionnaires=[{"instrument": "start-back", "date": AS_OF, "items": items}],
    )


def test_start_back_high_risk_adds_psychological_therapy_alongside_exercise() -> None:
    ev = _lbp_with_start_back([1, 0, 1, 1, 1, 1, 1, 1, 4])  # psychosocial subscale 5: high risk
    assert ev["scores"]["start-back"]["band"] == "high"
    codes = plan_codes(ev)
    assert "psychology-referral" in codes or "cbt" in codes
    assert "mri" not in codes


def test_start_back_medium_risk_adds_no_psychology_step() -> None:
    ev = _lbp_with_start_back([1, 1, 1, 1, 0, 0, 1, 0, 4])  # total 6, psychosocial 2: medium risk
    assert ev["scores"]["start-back"]["band"] == "medium"
    codes = plan_codes(ev)
    assert "psychology-referral" not in codes and "cbt" not in codes


# ---------------------------------------------------------------- neuropathic pain: stimulation after the first-line classes


def _pdn(therapies: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return evaluate(
        id="qa-pdn-refractory",
        patient={"age": 62, "conditions": ["diabetes"]},
        pain={
            "duration_days": 400,
            "sites": [{"region": "ankle-foot", "side": "bilateral"}],
            "qualities": ["burning", "tingling"],
            "worse_with": ["night"],
            "nrs": 7,
        },
        therapies=therapies,
        **extra,
    )


def _failed(code: str) -> dict[str, Any]:
    return {"code": code, "weeks": 12, "completed": True, "response": "none"}


def test_one_failed_neuropathic_class_switches_class_without_a_stimulation_work_up() -> None:
    # AAN22: no benefit -> try a different class; TA159: stimulation only despite conventional care.
    ev = _pdn([_failed("duloxetine")], psych_evaluation={"date": "2026-10-01", "cleared": True})
    codes = plan_codes(ev)
    assert "gabapentinoid" in codes and "tca" in codes
    assert "scs-trial" not in codes
    assert "psychology-referral" not in codes


def test_stimulation_follows_once_the_first_line_classes_failed() -> None:
    failed = [_failed("gabapentinoid"), _failed("duloxetine"), _failed("tca")]
    assert "psychology-referral" in plan_codes(_pdn(failed))
    cleared = _pdn(failed, psych_evaluation={"date": "2026-10-01", "cleared": True})
    assert "scs-trial" in plan_codes(cleared)


# ---------------------------------------------------------------- fibromyalgia with myofascial pain: no tender-spot injections


def _fibro_with_trigger_points(diagnoses: list[str]) -> dict[str, Any]:
    return evaluate(
        id="qa-fm-myofascial",
        patient={"age": 45, "sex": "female"},
        pain={
            "duration_days": 400,
            "sites": [{"region": "widespread", "side": "bilateral"}, {"region": "neck", "side": "right"}],
            "qualities": ["aching"],
            "symptoms": ["fatigue", "unrefreshing-sleep"],
            "nrs": 7,
        },
        exam={"wpi": 9, "sss": 7, "generalized-pain-regions": 5, "trigger-points": True},
        diagnoses=diagnoses,
        therapies=[{"code": "physical-therapy", "weeks": 12, "completed": True, "response": "none"}],
    )


def test_fibromyalgia_with_myofascial_trigger_points_gets_no_trigger_point_injection() -> None:
    # seeds/002: with fibromyalgia and widespread myofascial pain, avoid chasing tender spots with injections.
    ev = _fibro_with_trigger_points(["fibromyalgia", "myofascial-pain"])
    codes = plan_codes(ev)
    assert "trigger-point-injection" not in codes
    assert not [s for s in ev["plan"] if s["tier"] in (4, 5)]


def test_myofascial_pain_alone_can_still_get_a_trigger_point_injection() -> None:
    ev = evaluate(
        id="qa-myofascial",
        patient={"age": 40},
        pain={
            "duration_days": 200,
            "sites": [{"region": "neck", "side": "right"}],
            "qualities": ["aching"],
            "nrs": 6,
        },
        exam={"trigger-points": True},
        diagnoses=["myofascial-pain"],
        therapies=[{"code": "physical-therapy", "weeks": 8, "completed": True, "response": "partial"}],
    )
    assert "trigger-point-injection" in plan_codes(ev)


def test_axial_neck_pain_without_arm_symptoms_argues_against_cervical_radiculopathy() -> None:
    # CP 3.6: radicular pain is in one or both arms; CP 3.7: axial neck pain worse with extension/rotation.
    ev = evaluate(
        id="qa-neck-axial",
        patient={"age": 60},
        pain={
            "duration_days": 200,
            "sites": [{"region": "neck", "side": "right"}],
            "qualities": ["aching", "tingling"],
            "worse_with": ["rotation", "extension"],
            "nrs": 5,
        },
    )
    assert ev["differential"][0]["code"] == "cervical-facet-pain"
    radic = [d for d in ev["differential"] if d["code"] == "cervical-radiculopathy"]
    assert all("no arm symptoms (pain confined to the neck)" in d["against"] for d in radic)


def test_postsurgical_neuropathic_pain_switches_class_before_stimulation() -> None:
    # CP 3.20: treat by phenotype (neuropathic ladder), SCS under TA159 after conventional care.
    ev = evaluate(
        id="qa-ppsp",
        patient={"age": 55, "sex": "female"},
        pain={
            "duration_days": 400,
            "sites": [{"region": "chest-wall", "side": "left"}],
            "qualities": ["burning", "numbness"],
            "nrs": 7,
        },
        events=[{"kind": "surgery", "date": "2025-10-01", "region": "chest-wall", "side": "left"}],
        therapies=[_failed("gabapentinoid")],
        psych_evaluation={"date": "2026-10-01", "cleared": True},
    )
    assert ev["differential"][0]["code"] == "persistent-postsurgical-pain"
    codes = plan_codes(ev)
    assert "duloxetine" in codes or "tca" in codes
    assert "scs-trial" not in codes


# ---------------------------------------------------------------- CRPS: stimulation after conventional care (CP 3.12; seeds/002)

_CRPS_PAIN = {
    "duration_days": 200,
    "sites": [{"region": "ankle-foot", "side": "left"}],
    "qualities": ["burning", "allodynia"],
    "symptoms": ["color-change", "swelling", "temperature-change"],
    "nrs": 6,
}


def _crps(**extra: Any) -> dict[str, Any]:
    return evaluate(
        id="qa-crps",
        patient={"age": 36, "sex": "female"},
        pain=_CRPS_PAIN,
        events=[{"kind": "fracture", "date": "2026-04-01", "region": "ankle-foot", "side": "left"}],
        exam={"allodynia": True, "color-change": True},
        **extra,
    )


def test_crps_after_physical_therapy_alone_gets_no_stimulation_work_up_yet() -> None:
    ev = _crps(
        therapies=[{"code": "physical-therapy", "weeks": 12, "completed": True, "response": "partial"}]
    )
    codes = plan_codes(ev)
    assert ev["differential"][0]["code"] == "crps"
    assert "psychology-referral" not in codes
    assert not {"scs-trial", "drg-stimulation-trial"} & set(codes)


def test_seed_crps_after_desensitization_and_sympathetic_blocks_reaches_a_drg_trial() -> None:
    # seeds/002: desensitization, graded motor imagery and a sympathetic block series, partial response -> DRG trial.
    ev = _crps(
        therapies=[
            {"code": "desensitization-therapy", "weeks": 12, "completed": True, "response": "partial"}
        ],
        procedures=[
            {
                "code": "sympathetic-block",
                "date": "2026-08-01",
                "region": "ankle-foot",
                "side": "left",
                "relief_percent": 40,
                "relief_hours": 48,
            }
        ],
        psych_evaluation={"date": "2026-10-01", "cleared": True},
    )
    assert "drg-stimulation-trial" in plan_codes(ev)
