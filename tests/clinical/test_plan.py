"""The stepped plan (stepcare/clinical/plan.py, knowledge/pathways.yaml and plan_rules.yaml)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stepcare.clinical import parse_case, plan
from stepcare.clinical.result import DifferentialItem, PlanStep, Score, Triage
from stepcare.clinical.vocab import DIAGNOSIS_CODES, STEP_CODES

AS_OF = dt.date(2026, 11, 24)
ROUTINE = Triage(level="routine", reasons=(), action="Routine new-patient evaluation.", citation="x")
TIERED = (1, 2, 3, 4, 5)


def make_case(**over: Any) -> dict[str, Any]:
    """A minimal valid case; keyword groups (patient, pain, exam) are merged, the rest replaced."""
    case: dict[str, Any] = {
        "as_of": AS_OF.isoformat(),
        "patient": {"age": 50},
        "pain": {"duration_days": 200, "nrs": 6},
    }
    for key, value in over.items():
        if key in ("patient", "pain") and isinstance(value, dict):
            case[key] = {**case[key], **value}
        else:
            case[key] = value
    return case


def build(
    case: dict[str, Any],
    *conditions: str,
    triage: Triage = ROUTINE,
    scores: dict[str, float] | None = None,
    confirmed: bool = True,
) -> tuple[PlanStep, ...]:
    diff = tuple(
        DifferentialItem(
            code=c, score=round(0.9 - 0.05 * i, 2), supporting=(), against=(), confirmed=confirmed
        )
        for i, c in enumerate(conditions)
    )
    sc = {
        k: Score(instrument=k, score=v, band=None, loinc=None, date=None) for k, v in (scores or {}).items()
    }
    return plan.build(parse_case(case), triage=triage, differential=diff, scores=sc)


def codes(steps: tuple[PlanStep, ...]) -> list[str]:
    return [s.code for s in steps]


def step(steps: tuple[PlanStep, ...], code: str) -> PlanStep:
    found = [s for s in steps if s.code == code]
    assert found, f"{code} not in {codes(steps)}"
    return found[0]


def therapy(code: str, weeks: float, response: str | None, completed: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "weeks": weeks, "completed": completed}
    if response is not None:
        out["response"] = response
    return out


def med(name: str, route: str = "oral", start: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"name": name, "dose": 10, "unit": "mg", "per_day": 1, "route": route}
    if start:
        out["start"] = start
    return out


def assert_plan_invariants(steps: tuple[PlanStep, ...]) -> None:
    assert [s.order for s in steps] == list(range(1, len(steps) + 1))
    tiers = [s.tier for s in steps if s.tier in TIERED]
    assert tiers == sorted(tiers)
    assert len(set(codes(steps))) == len(steps)
    for s in steps:
        assert s.citation.strip(), s
        assert s.rationale.strip(), s
        assert s.label.strip(), s
        assert s.code in STEP_CODES


# ------------------------------------------------------------------------------------------ knowledge


def test_every_condition_has_a_pathway_and_every_step_code_a_catalog_entry() -> None:
    kb = plan.knowledge()
    assert set(kb.pathways) == set(DIAGNOSIS_CODES)
    catalog = plan.step_catalog()
    assert list(catalog) == list(STEP_CODES)
    assert catalog["epidural-steroid-injection"]["tier"] == 4
    assert catalog["mri"]["tier"] == "diagnostic"
    assert catalog["psychology-referral"]["tier"] == "referral"
    assert catalog["snri"]["tier"] == 3


def test_no_pathway_lists_a_step_it_avoids() -> None:
    for cp in plan.knowledge().pathways.values():
        assert not {s.code for s in cp.pathway.steps} & cp.avoid, cp.pathway.id


# --------------------------------------------------------------------------------- per-condition plans

# A case that makes the condition's escalation steps reachable, and the steps the plan must hold.
CONDITION_CASES: dict[str, tuple[dict[str, Any], set[str]]] = {
    "lumbar-radiculopathy": (
        make_case(
            pain={"sites": [{"region": "low-back"}], "radiation": ["below-knee"], "nrs": 8},
            exam={"slr-positive": "right"},
            therapies=[therapy("physical-therapy", 6, "partial")],
        ),
        {"education", "physical-therapy", "mri", "epidural-steroid-injection"},
    ),
    "lumbar-spinal-stenosis": (
        make_case(therapies=[therapy("physical-therapy", 8, "partial")], pain={"nrs": 7}),
        {"education", "home-exercise", "physical-therapy", "mri", "surgical-referral"},
    ),
    "lumbar-facet-pain": (
        make_case(therapies=[therapy("physical-therapy", 12, "partial")]),
        {"education", "physical-therapy", "nsaid-oral", "medial-branch-block"},
    ),
    "si-joint-pain": (
        make_case(exam={"si-provocation-positive": 3}, therapies=[therapy("physical-therapy", 8, "partial")]),
        {"education", "physical-therapy", "si-joint-injection"},
    ),
    "nonspecific-low-back-pain": (
        make_case(),
        {"education", "graded-activity", "physical-therapy", "cbt", "nsaid-oral"},
    ),
    "cervical-radiculopathy": (
        make_case(
            pain={"radiation": ["arm"]},
            exam={"reflex-loss": True},
            therapies=[therapy("physical-therapy", 6, "partial")],
        ),
        {"education", "physical-therapy", "mri", "epidural-steroid-injection"},
    ),
    "cervical-facet-pain": (
        make_case(therapies=[therapy("physical-therapy", 6, "partial")]),
        {"education", "physical-therapy", "medial-branch-block"},
    ),
    "myofascial-pain": (
        make_case(exam={"trigger-points": True}, therapies=[therapy("home-exercise", 6, "partial")]),
        {"education", "home-exercise", "trigger-point-injection"},
    ),
    "knee-osteoarthritis": (
        make_case(therapies=[therapy("home-exercise", 8, "partial")]),
        {
            "home-exercise",
            "weight-management",
            "nsaid-topical",
            "joint-injection-corticosteroid",
            "genicular-nerve-block",
        },
    ),
    "hip-osteoarthritis": (
        make_case(therapies=[therapy("home-exercise", 8, "partial")]),
        {"home-exercise", "weight-management", "nsaid-oral", "joint-injection-corticosteroid"},
    ),
    "shoulder-tendinopathy": (
        make_case(therapies=[therapy("physical-therapy", 6, "partial")]),
        {"education", "home-exercise", "physical-therapy", "joint-injection-corticosteroid"},
    ),
    "crps": (
        make_case(pain={"nrs": 8, "worse_with": ["walking"]}),
        {"education", "desensitization-therapy", "physical-therapy", "cbt", "sympathetic-block"},
    ),
    "fibromyalgia": (
        make_case(),
        {"education", "graded-activity", "sleep-hygiene", "cbt", "duloxetine", "tca"},
    ),
    "peripheral-neuropathy": (
        make_case(),
        {"education", "labs", "duloxetine", "gabapentinoid", "tca"},
    ),
    "postherpetic-neuralgia": (
        make_case(),
        {"lidocaine-topical", "capsaicin-topical", "gabapentinoid", "tca"},
    ),
    "trigeminal-neuralgia": (
        make_case(),
        {"mri", "carbamazepine"},
    ),
    "occipital-neuralgia": (
        make_case(),
        {"education", "occipital-nerve-block"},
    ),
    "migraine": (
        make_case(pain={"headache_days_per_month": 8}),
        {"education", "cbt", "nsaid-oral", "triptan", "tca", "snri"},
    ),
    "cancer-pain": (
        make_case(pain={"nrs": 7}),
        {"oncology-coordination", "acetaminophen", "nsaid-oral", "opioid-cancer-pain"},
    ),
    "persistent-postsurgical-pain": (
        make_case(),
        {"surgical-referral", "physical-therapy", "lidocaine-topical", "gabapentinoid"},
    ),
    "post-laminectomy-syndrome": (
        make_case(
            pain={"radiation": ["below-knee"], "nrs": 7},
            therapies=[therapy("physical-therapy", 16, "partial")],
            psych_evaluation={"cleared": True},
        ),
        {"physical-therapy", "cbt", "epidural-steroid-injection", "scs-trial"},
    ),
    "pelvic-pain": (
        make_case(exam={"trigger-points": True}),
        {"pelvic-floor-therapy", "cbt", "duloxetine", "trigger-point-injection"},
    ),
}


def test_every_condition_has_a_sample_case() -> None:
    assert set(CONDITION_CASES) == set(DIAGNOSIS_CODES)


@pytest.mark.parametrize("condition", DIAGNOSIS_CODES)
def test_condition_plan_holds_its_key_steps_and_none_it_avoids(condition: str) -> None:
    case, expected = CONDITION_CASES[condition]
    steps = build(case, condition)
    assert expected <= set(codes(steps)), (condition, codes(steps))
    assert not set(codes(steps)) & plan.knowledge().pathways[condition].avoid
    assert all(s.condition == condition for s in steps)
    assert_plan_invariants(steps)


def test_sciatica_never_gets_gabapentinoids_or_antidepressants_even_when_neuropathic() -> None:
    case = make_case(pain={"radiation": ["below-knee"], "qualities": ["burning", "electric"]})
    got = set(codes(build(case, "lumbar-radiculopathy")))
    assert not got & {"gabapentinoid", "tca", "duloxetine", "opioid-short-course", "carbamazepine"}


def test_knee_osteoarthritis_never_suggests_hyaluronic_acid_and_the_conflict_is_recorded() -> None:
    case, _ = CONDITION_CASES["knee-osteoarthritis"]
    assert "hyaluronic-acid-injection" not in codes(build(case, "knee-osteoarthritis"))
    avoid = next(
        a for a in plan.knowledge().pathways["knee-osteoarthritis"].pathway.avoid if a.id == "ko-avoid-ha"
    )
    assert "OARSI" in avoid.says and set(avoid.citation) == {"ACR19", "OARSI19"}


def test_axial_facet_pain_never_gets_an_epidural() -> None:
    case = make_case(
        pain={"nrs": 9, "worse_with": ["extension"]}, therapies=[therapy("physical-therapy", 12, "none")]
    )
    assert "epidural-steroid-injection" not in codes(build(case, "lumbar-facet-pain"))


# ------------------------------------------------------------------------------------ imaging, opioids


def test_acute_nonspecific_low_back_pain_gets_no_imaging_and_no_injection() -> None:
    case = make_case(pain={"duration_days": 10, "nrs": 8, "sites": [{"region": "low-back"}]})
    got = codes(build(case, "nonspecific-low-back-pain"))
    assert not set(got) & {"mri", "xray", "ct", "epidural-steroid-injection", "medial-branch-block"}
    assert got[:3] == ["education", "graded-activity", "heat-cold"]
    assert "physical-therapy" not in got  # exercise therapy starts once pain persists
    assert "muscle-relaxant" in got


def test_mri_for_radiculopathy_only_with_a_persistent_deficit_and_not_when_already_done() -> None:
    base = {
        "pain": {"radiation": ["below-knee"], "nrs": 5},
        "therapies": [therapy("physical-therapy", 6, "none")],
    }
    without_deficit = build(make_case(**base), "lumbar-radiculopathy")
    assert "mri" not in codes(without_deficit)
    with_deficit = build(make_case(**base, exam={"reflex-loss": True}), "lumbar-radiculopathy")
    mri = step(with_deficit, "mri")
    assert mri.tier == "diagnostic"
    assert codes(with_deficit).index("mri") == codes(with_deficit).index("epidural-steroid-injection") - 1
    imaged = make_case(
        **base,
        exam={"reflex-loss": True},
        imaging=[
            {"modality": "mri", "date": "2026-10-01", "region": "low-back", "findings": ["disc-herniation"]}
        ],
    )
    assert "mri" not in codes(build(imaged, "lumbar-radiculopathy"))


def test_acute_severe_back_pain_gets_a_short_opioid_course_only_when_an_nsaid_is_unsuitable() -> None:
    acute = {"duration_days": 5, "nrs": 8}
    assert "opioid-short-course" not in codes(build(make_case(pain=acute), "nonspecific-low-back-pain"))
    unsuitable = make_case(pain=acute, patient={"conditions": ["gi-bleed-history"]})
    got = build(unsuitable, "nonspecific-low-back-pain")
    assert "An NSAID is unsuitable." in step(got, "opioid-short-course").rationale
    assert "nsaid-oral" not in codes(got)


@pytest.mark.parametrize("duration", [30, 120, 400])
def test_chronic_or_subacute_non_cancer_pain_never_gets_an_opioid_course(duration: int) -> None:
    case = make_case(
        pain={"duration_days": duration, "nrs": 9},
        patient={"conditions": ["gi-bleed-history"]},
        therapies=[therapy("nsaid-oral", 6, "none")],
    )
    for condition in DIAGNOSIS_CODES:
        assert "opioid-short-course" not in codes(build(case, condition)), condition


def test_cancer_pain_coordinates_with_oncology_and_climbs_the_who_ladder() -> None:
    got = build(make_case(pain={"nrs": 7}), "cancer-pain")
    order = codes(got)
    assert order[0] == "oncology-coordination"
    assert order.index("acetaminophen") < order.index("nsaid-oral") < order.index("opioid-cancer-pain")
    assert "opioid-short-course" not in order
    assert "WHO" in step(got, "opioid-cancer-pain").citation
    mild = build(make_case(pain={"nrs": 3}), "cancer-pain")
    assert "opioid-cancer-pain" not in codes(mild)


def test_fibromyalgia_gets_exercise_sleep_cbt_and_drugs_but_never_injections() -> None:
    case = make_case(
        exam={"trigger-points": True, "wpi": 12, "sss": 8},
        pain={"nrs": 8, "worse_with": ["activity"]},
        therapies=[therapy("graded-activity", 20, "none"), therapy("cbt", 12, "partial")],
        psych_evaluation={"cleared": True},
    )
    got = build(case, "fibromyalgia")
    assert not [s for s in got if s.tier in (4, 5)]
    assert {"cbt", "sleep-hygiene"} <= set(codes(got))
    assert {"duloxetine", "tca"} & set(codes(got))


# ---------------------------------------------------------------------------------- contraindications


@pytest.mark.parametrize(("egfr", "allowed"), [(30, True), (29, False), (29.9, False), (31, True)])
def test_oral_nsaid_needs_egfr_of_at_least_30(egfr: float, allowed: bool) -> None:
    got = codes(build(make_case(patient={"egfr": egfr}), "shoulder-tendinopathy"))
    assert ("nsaid-oral" in got) is allowed
    assert ("nsaid-topical" in got) is not allowed


def test_anticoagulant_swaps_the_oral_nsaid_for_a_topical_one_and_says_why() -> None:
    got = build(make_case(medications=[med("apixaban")]), "shoulder-tendinopathy")
    assert "nsaid-oral" not in codes(got)
    topical = step(got, "nsaid-topical")
    assert "anticoagulant" in topical.rationale
    assert topical.tier == 3
    assert "Stepcare clinical facts reference" in topical.citation


@pytest.mark.parametrize(
    "patient",
    [
        {"pregnant": True},
        {"conditions": ["pregnancy"]},
        {"conditions": ["gi-bleed-history"]},
        {"conditions": ["peptic-ulcer"]},
        {"conditions": ["ckd"]},
        {"conditions": ["heart-failure"]},
    ],
)
def test_oral_nsaid_is_ruled_out_by_each_listed_risk(patient: dict[str, Any]) -> None:
    got = codes(build(make_case(patient=patient), "knee-osteoarthritis"))
    assert "nsaid-oral" not in got
    assert "nsaid-topical" in got


def test_hip_osteoarthritis_gets_acetaminophen_not_a_topical_nsaid_when_oral_nsaid_is_ruled_out() -> None:
    got = build(make_case(patient={"conditions": ["ckd"]}), "hip-osteoarthritis")
    assert "nsaid-topical" not in codes(got)
    assert "kidney" in step(got, "acetaminophen").rationale


@pytest.mark.parametrize(("egfr", "allowed"), [(30, True), (29, False)])
def test_duloxetine_needs_egfr_of_at_least_30_and_the_class_alternative_stays(
    egfr: float, allowed: bool
) -> None:
    got = codes(build(make_case(patient={"egfr": egfr}), "peripheral-neuropathy"))
    assert ("duloxetine" in got) is allowed
    assert {"tca", "gabapentinoid"} <= set(got)


def test_duloxetine_is_ruled_out_by_liver_disease() -> None:
    assert "duloxetine" not in codes(build(make_case(patient={"liver_disease": "severe"}), "fibromyalgia"))


def test_tramadol_is_ruled_out_with_a_serotonergic_drug() -> None:
    over = {
        "pain": {"duration_days": 200},
        "therapies": [therapy("nsaid-oral", 6, "none"), therapy("duloxetine", 12, "none")],
    }
    assert "tramadol" in codes(build(make_case(**over), "nonspecific-low-back-pain"))
    with_ssri = make_case(**over, medications=[med("sertraline")])
    assert "tramadol" not in codes(build(with_ssri, "nonspecific-low-back-pain"))


@pytest.mark.parametrize(("age", "warned"), [(65, True), (64, False)])
def test_tricyclic_in_older_adults_carries_a_caution(age: int, warned: bool) -> None:
    got = build(make_case(patient={"age": age}), "fibromyalgia")
    assert ("Older adult" in step(got, "tca").rationale) is warned
    assert ("Beers" in step(got, "tca").citation) is warned


def test_steroid_injection_in_diabetes_keeps_the_step_and_advises_glucose_monitoring() -> None:
    case, _ = CONDITION_CASES["lumbar-radiculopathy"]
    diabetic = {**case, "patient": {"age": 50, "conditions": ["diabetes"]}}
    esi = step(build(diabetic, "lumbar-radiculopathy"), "epidural-steroid-injection")
    assert "glucose" in esi.rationale
    assert "glucose" not in step(build(case, "lumbar-radiculopathy"), "epidural-steroid-injection").rationale


def test_triptan_is_replaced_by_a_gepant_in_vascular_disease() -> None:
    got = build(make_case(patient={"conditions": ["cardiovascular-disease"]}), "migraine")
    assert "triptan" not in codes(got)
    assert "vascular" in step(got, "gepant").rationale


# ------------------------------------------------------------------------------ tried therapies, escalation


def facet_case(**over: Any) -> dict[str, Any]:
    return make_case(pain={"duration_days": 120, "nrs": 6, "sites": [{"region": "low-back"}]}, **over)


def si_case(**over: Any) -> dict[str, Any]:
    # SI injection: >= 3 months of pain and >= 4 weeks of failed conservative care (CF 3.4); lumbar facet
    # blocks need a 3-month conservative trial instead (FACET-L, condition-pathways 2.1)
    return make_case(
        pain={"duration_days": 120, "nrs": 6, "sites": [{"region": "buttock"}]},
        exam={"si-provocation-positive": 3},
        **over,
    )


def test_physical_therapy_without_response_after_the_minimum_trial_moves_the_plan_up() -> None:
    got = build(si_case(therapies=[therapy("physical-therapy", 4, "none")]), "si-joint-pain")
    assert "physical-therapy" not in codes(got)
    injection = step(got, "si-joint-injection")
    assert "3 months" in injection.rationale


def test_lumbar_facet_blocks_wait_for_a_three_month_conservative_trial() -> None:
    # FACET-L via condition-pathways 2.1/3.3: 3 months of conservative care before facet interventions
    short = build(facet_case(therapies=[therapy("physical-therapy", 6, "none")]), "lumbar-facet-pain")
    assert "medial-branch-block" not in codes(short)
    done = build(facet_case(therapies=[therapy("physical-therapy", 12, "none")]), "lumbar-facet-pain")
    assert "physical-therapy" not in codes(done)
    assert "3 months" in step(done, "medial-branch-block").rationale


def test_physical_therapy_for_two_weeks_without_response_is_still_suggested() -> None:
    got = build(facet_case(therapies=[therapy("physical-therapy", 2, "none")]), "lumbar-facet-pain")
    pt = step(got, "physical-therapy")
    assert pt.label.startswith("Continue")
    assert "2 weeks" in pt.rationale and "4-week" in pt.rationale
    assert "medial-branch-block" not in codes(got)


def test_physical_therapy_one_week_short_of_the_minimum_does_not_escalate() -> None:
    got = codes(build(facet_case(therapies=[therapy("physical-therapy", 3, "none")]), "lumbar-facet-pain"))
    assert "physical-therapy" in got and "medial-branch-block" not in got


def test_a_completed_course_without_response_counts_as_failed_conservative_care_whatever_its_length() -> None:
    done = [therapy("physical-therapy", 3, "none", completed=True)]
    got = codes(build(si_case(therapies=done), "si-joint-pain"))
    assert "physical-therapy" not in got and "si-joint-injection" in got
    ongoing = [therapy("physical-therapy", 3, "none", completed=False)]
    assert "si-joint-injection" not in codes(build(si_case(therapies=ongoing), "si-joint-pain"))


def test_a_conservative_drug_not_tolerated_counts_as_failed_conservative_care() -> None:
    case = make_case(
        pain={"duration_days": 900, "nrs": 6}, therapies=[therapy("nsaid-oral", 3, "intolerant")]
    )
    got = build(case, "knee-osteoarthritis")
    assert "not tolerated" in step(got, "joint-injection-corticosteroid").rationale
    assert "joint-injection-corticosteroid" not in codes(
        build(make_case(pain={"nrs": 6}), "knee-osteoarthritis")
    )


def test_partial_response_continues_the_step_and_adds_the_next_tier() -> None:
    got = build(si_case(therapies=[therapy("physical-therapy", 6, "partial")]), "si-joint-pain")
    pt = step(got, "physical-therapy")
    assert pt.label == "Continue: Physical therapy (supervised exercise)"
    assert pt.rationale.startswith("Partial response after 6 weeks")
    assert "si-joint-injection" in codes(got)


def test_good_response_continues_without_escalating() -> None:
    got = build(facet_case(therapies=[therapy("physical-therapy", 8, "good")]), "lumbar-facet-pain")
    assert step(got, "physical-therapy").rationale.startswith("Good response after 8 weeks")
    assert "medial-branch-block" not in codes(got)


def test_intolerance_is_never_suggested_again_and_the_class_alternative_is_offered() -> None:
    got = build(make_case(therapies=[therapy("nsaid-oral", 1, "intolerant")]), "shoulder-tendinopathy")
    assert "nsaid-oral" not in codes(got)
    assert "not tolerated" in step(got, "nsaid-topical").rationale


def test_a_neuropathic_drug_failing_after_twelve_weeks_switches_class() -> None:
    failed = build(make_case(therapies=[therapy("duloxetine", 12, "none")]), "postherpetic-neuralgia")
    assert "duloxetine" not in codes(failed)
    assert {"gabapentinoid", "tca"} <= set(codes(failed))
    early = build(make_case(therapies=[therapy("duloxetine", 8, "none")]), "postherpetic-neuralgia")
    assert step(early, "duloxetine").label.startswith("Continue")


def test_a_medication_in_use_is_continued_and_counts_as_tried_after_its_trial() -> None:
    case = make_case(
        medications=[med("pregabalin", start="2026-07-01")], pain={"nrs": 8, "worse_with": ["walking"]}
    )
    got = build(case, "crps")
    gaba = step(got, "gabapentinoid")
    assert gaba.label.startswith("Continue") and "pregabalin" in gaba.rationale
    assert "tca" in codes(got)  # offered once the first class has had its trial


def test_a_topical_nsaid_in_use_is_not_read_as_an_oral_one() -> None:
    got = build(make_case(medications=[med("diclofenac", route="topical")]), "knee-osteoarthritis")
    assert step(got, "nsaid-topical").label.startswith("Continue")
    assert not step(got, "nsaid-oral").label.startswith("Continue")


def radicular_case(**over: Any) -> dict[str, Any]:
    base = {
        "pain": {"radiation": ["below-knee"], "nrs": 7},
        "exam": {"slr-positive": "left"},
        "therapies": [therapy("physical-therapy", 8, "partial")],
        "imaging": [
            {
                "modality": "mri",
                "date": "2026-06-01",
                "region": "low-back",
                "findings": ["nerve-root-compression"],
            }
        ],
    }
    return make_case(**{**base, **over})


def test_an_epidural_with_less_than_half_relief_is_not_repeated_and_surgery_is_considered() -> None:
    case = radicular_case(
        procedures=[{"code": "epidural-steroid-injection", "date": "2026-09-01", "relief_percent": 30}]
    )
    got = build(case, "lumbar-radiculopathy")
    assert "epidural-steroid-injection" not in codes(got)
    assert step(got, "surgical-referral").tier == "referral"


@pytest.mark.parametrize(("relief", "repeated"), [(50, True), (49, False)])
def test_an_epidural_is_repeated_only_after_at_least_half_relief(relief: float, repeated: bool) -> None:
    case = radicular_case(
        procedures=[{"code": "epidural-steroid-injection", "date": "2026-09-01", "relief_percent": relief}]
    )
    got = build(case, "lumbar-radiculopathy")
    assert ("epidural-steroid-injection" in codes(got)) is repeated
    if repeated:
        assert step(got, "epidural-steroid-injection").label.startswith("Repeat")


@pytest.mark.parametrize(("relief", "rfa"), [(50, True), (49, False)])
def test_facet_ablation_follows_a_positive_medial_branch_block(relief: float, rfa: bool) -> None:
    case = facet_case(
        therapies=[therapy("physical-therapy", 8, "partial")],
        procedures=[{"code": "medial-branch-block", "date": "2026-10-01", "relief_percent": relief}],
    )
    got = codes(build(case, "lumbar-facet-pain"))
    assert "medial-branch-block" not in got
    assert ("facet-rfa" in got) is rfa


def test_radicular_pain_that_blocks_rehab_justifies_an_early_epidural() -> None:
    case = make_case(
        pain={"duration_days": 10, "radiation": ["below-knee"], "nrs": 8, "worse_with": ["sitting"]},
        exam={"slr-positive": "right"},
    )
    esi = step(build(case, "lumbar-radiculopathy"), "epidural-steroid-injection")
    assert "blocks rehabilitation" in esi.rationale
    mild = make_case(
        pain={"duration_days": 10, "radiation": ["below-knee"], "nrs": 6, "worse_with": ["sitting"]}
    )
    assert "epidural-steroid-injection" not in codes(build(mild, "lumbar-radiculopathy"))


def test_scs_needs_six_months_conventional_care_and_a_psychological_evaluation() -> None:
    case, _ = CONDITION_CASES["post-laminectomy-syndrome"]
    assert "scs-trial" in codes(build(case, "post-laminectomy-syndrome"))
    no_psych = {k: v for k, v in case.items() if k != "psych_evaluation"}
    got = build(no_psych, "post-laminectomy-syndrome")
    assert "scs-trial" not in codes(got)
    assert "psychological evaluation" in step(got, "psychology-referral").rationale
    short = {**case, "pain": {**case["pain"], "duration_days": 179}}
    assert "scs-trial" not in codes(build(short, "post-laminectomy-syndrome"))


def test_scs_implant_follows_a_successful_trial_with_functional_gain() -> None:
    case, _ = CONDITION_CASES["post-laminectomy-syndrome"]
    trial = {"code": "scs-trial", "date": "2026-10-01", "relief_percent": 60, "function_improved": True}
    assert "scs-implant" in codes(build({**case, "procedures": [trial]}, "post-laminectomy-syndrome"))
    no_gain = {**trial, "function_improved": False}
    assert "scs-implant" not in codes(build({**case, "procedures": [no_gain]}, "post-laminectomy-syndrome"))


# ------------------------------------------------------------------------------------- red flags, triage


def test_emergency_triage_puts_the_emergency_referral_first_with_only_safety_steps() -> None:
    triage = Triage(
        level="emergency", reasons=("saddle-anesthesia",), action="Same-day ED and MRI.", citation="x"
    )
    case, _ = CONDITION_CASES["lumbar-radiculopathy"]
    got = build(case, "lumbar-radiculopathy", triage=triage, scores={"phq9": 20})
    assert got[0].code == "emergency-referral"
    assert got[0].tier == "referral"
    assert "saddle-anesthesia" in got[0].rationale and "Same-day ED" in got[0].rationale
    assert codes(got) == ["emergency-referral", "education"]


def test_emergency_without_any_condition_still_refers() -> None:
    triage = Triage(level="emergency", reasons=("thunderclap-headache",), action="ED now.", citation="x")
    got = plan.build(parse_case(make_case()), triage=triage, differential=(), scores={})
    assert codes(got)[0] == "emergency-referral"


def test_urgent_triage_puts_the_work_up_first_and_holds_procedures() -> None:
    triage = Triage(
        level="urgent", reasons=("fever", "iv-drug-use"), action="Same-day MRI and ESR/CRP.", citation="x"
    )
    case, _ = CONDITION_CASES["lumbar-radiculopathy"]
    got = build(case, "lumbar-radiculopathy", triage=triage)
    assert codes(got)[:2] == ["mri", "labs"]
    assert not [s for s in got if s.tier in (4, 5)]
    assert_plan_invariants(got)


def test_urgent_triage_reads_the_action_when_the_reasons_name_no_red_flag() -> None:
    triage = Triage(
        level="urgent", reasons=("new neurological deficit",), action="Prompt X-ray.", citation="x"
    )
    got = build(make_case(), "nonspecific-low-back-pain", triage=triage)
    assert codes(got)[0] == "xray"


# ----------------------------------------------------------------------------------------- psychology


@pytest.mark.parametrize(
    ("scores", "referred"),
    [
        ({"phq9": 10}, True),
        ({"phq9": 9}, False),
        ({"gad7": 10}, True),
        ({"gad7": 9}, False),
        ({"pcs": 30}, True),
        ({"pcs": 29}, False),
    ],
)
def test_psychology_when_mood_or_catastrophizing_is_moderate_or_worse(
    scores: dict[str, float], referred: bool
) -> None:
    got = build(make_case(), "knee-osteoarthritis", scores=scores)
    assert ("psychology-referral" in codes(got)) is referred
    assert ("cbt" in codes(got)) is referred
    if referred:
        assert str(next(iter(scores.values()))) in step(got, "psychology-referral").rationale


# ------------------------------------------------------------------------------- conditions and merging


def diff_items(*pairs: tuple[str, float], confirmed: bool = False) -> tuple[DifferentialItem, ...]:
    return tuple(
        DifferentialItem(code=c, score=s, supporting=(), against=(), confirmed=confirmed) for c, s in pairs
    )


@pytest.mark.parametrize(("second", "included"), [(0.65, True), (0.64, False), (0.75, True)])
def test_a_runner_up_within_the_margin_of_the_top_item_is_planned_too(second: float, included: bool) -> None:
    diff = diff_items(("knee-osteoarthritis", 0.8), ("fibromyalgia", second))
    got = plan.build(parse_case(make_case()), triage=ROUTINE, differential=diff, scores={})
    assert ("fibromyalgia" in {s.condition for s in got}) is included


def test_a_runner_up_below_the_minimum_score_is_not_planned() -> None:
    diff = diff_items(("knee-osteoarthritis", 0.55), ("fibromyalgia", 0.49))
    got = plan.build(parse_case(make_case()), triage=ROUTINE, differential=diff, scores={})
    assert {s.condition for s in got} == {"knee-osteoarthritis"}


def test_confirmed_diagnoses_decide_the_plan_over_higher_scores() -> None:
    diff = (*diff_items(("fibromyalgia", 0.95)), *diff_items(("knee-osteoarthritis", 0.4), confirmed=True))
    got = plan.build(parse_case(make_case()), triage=ROUTINE, differential=diff, scores={})
    assert {s.condition for s in got} == {"knee-osteoarthritis"}


def test_steps_shared_by_two_conditions_are_merged_with_both_citations() -> None:
    got = build(make_case(), "knee-osteoarthritis", "fibromyalgia")
    education = [s for s in got if s.code == "education"]
    assert len(education) == 1
    assert education[0].condition == "knee-osteoarthritis"
    assert "EULAR" in education[0].citation and "NICE NG226" in education[0].citation
    assert "joint-injection-corticosteroid" not in codes(got)  # no conservative trial yet
    assert_plan_invariants(got)


def test_no_condition_gives_a_cited_non_drug_start() -> None:
    got = plan.build(parse_case(make_case()), triage=ROUTINE, differential=(), scores={})
    assert codes(got) == ["education", "graded-activity"]
    assert all(s.condition is None and s.citation for s in got)


# ------------------------------------------------------------------------------------------------ seeds


def test_seed_nurse_with_l5_s1_herniation_gets_therapy_then_an_epidural() -> None:
    case = make_case(
        patient={"age": 44, "sex": "female"},
        pain={
            "duration_days": 14,
            "nrs": 8,
            "radiation": ["below-knee"],
            "worse_with": ["sitting", "lifting"],
            "sites": [{"region": "low-back", "side": "right"}],
        },
        exam={"slr-positive": "right", "weakness": ["great toe extension"], "dermatomal-sensory-loss": True},
        imaging=[
            {
                "modality": "mri",
                "date": "2026-11-20",
                "region": "low-back",
                "level": "L5-S1",
                "findings": ["disc-herniation", "nerve-root-compression"],
            }
        ],
    )
    got = build(case, "lumbar-radiculopathy")
    order = codes(got)
    assert order.index("physical-therapy") < order.index("epidural-steroid-injection")
    assert "mri" not in order and "surgical-referral" not in order
    assert "gabapentinoid" not in order


def test_seed_retiree_with_knee_osteoarthritis_escalates_from_exercise_to_genicular_ablation() -> None:
    base = {
        "patient": {"age": 68, "sex": "male"},
        "pain": {"duration_days": 720, "nrs": 7, "worse_with": ["walking"], "sites": [{"region": "knee"}]},
        "therapies": [therapy("nsaid-oral", 3, "intolerant"), therapy("home-exercise", 8, "partial")],
    }
    got = codes(build(make_case(**base), "knee-osteoarthritis"))
    assert {"home-exercise", "weight-management", "nsaid-topical", "duloxetine"} <= set(got)
    assert {"joint-injection-corticosteroid", "genicular-nerve-block"} <= set(got)
    assert "nsaid-oral" not in got and "genicular-rfa" not in got
    after_block = make_case(
        **base, procedures=[{"code": "genicular-nerve-block", "date": "2026-11-01", "relief_percent": 80}]
    )
    later = codes(build(after_block, "knee-osteoarthritis"))
    assert "genicular-rfa" in later and "genicular-nerve-block" not in later


def test_seed_crps_after_ankle_fracture_starts_with_desensitization_and_a_block_to_enable_therapy() -> None:
    early = make_case(
        patient={"age": 36},
        pain={
            "duration_days": 60,
            "nrs": 8,
            "qualities": ["allodynia"],
            "symptoms": ["color-change"],
            "worse_with": ["touch", "walking"],
            "sites": [{"region": "ankle-foot"}],
        },
        events=[{"kind": "fracture", "date": "2026-09-25", "region": "ankle-foot"}],
    )
    got = codes(build(early, "crps"))
    assert got.index("desensitization-therapy") < got.index("sympathetic-block")
    assert "physical-therapy" in got
    assert not {"drg-stimulation-trial", "scs-trial"} & set(got)
    later = make_case(
        patient={"age": 36},
        pain={"duration_days": 220, "nrs": 7, "worse_with": ["walking"]},
        therapies=[
            therapy("desensitization-therapy", 16, "partial"),
            therapy("physical-therapy", 16, "partial"),
        ],
        procedures=[{"code": "sympathetic-block", "date": "2026-08-01", "relief_percent": 30}],
        psych_evaluation={"cleared": True},
    )
    got_later = codes(build(later, "crps"))
    assert "drg-stimulation-trial" in got_later and "sympathetic-block" not in got_later


# ----------------------------------------------------------------------------------------- properties

THERAPY_CODES = [
    "physical-therapy",
    "home-exercise",
    "cbt",
    "nsaid-oral",
    "duloxetine",
    "gabapentinoid",
    "tca",
    "acetaminophen",
    "graded-activity",
    "carbamazepine",
    "triptan",
]
PROC_CODES = [
    "epidural-steroid-injection",
    "medial-branch-block",
    "genicular-nerve-block",
    "scs-trial",
    "sympathetic-block",
    "joint-injection-corticosteroid",
]


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    therapies = draw(
        st.lists(
            st.builds(
                therapy,
                st.sampled_from(THERAPY_CODES),
                st.sampled_from([0, 2, 4, 8, 12, 16]),
                st.sampled_from(["none", "partial", "good", "intolerant", None]),
            ),
            max_size=4,
            unique_by=lambda t: t["code"],
        )
    )
    procedures = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "code": st.sampled_from(PROC_CODES),
                    "date": st.just("2026-10-01"),
                    "relief_percent": st.sampled_from([0, 30, 50, 80]),
                    "function_improved": st.booleans(),
                }
            ),
            max_size=2,
        )
    )
    return make_case(
        patient={
            "age": draw(st.integers(18, 95)),
            "egfr": draw(st.sampled_from([None, 20, 29, 30, 60, 90])),
            "pregnant": draw(st.booleans()),
            "liver_disease": draw(st.sampled_from(["none", "mild", "severe"])),
            "conditions": draw(
                st.lists(
                    st.sampled_from(
                        [
                            "ckd",
                            "diabetes",
                            "gi-bleed-history",
                            "hypertension",
                            "cardiovascular-disease",
                            "copd",
                        ]
                    ),
                    unique=True,
                )
            ),
        },
        pain={
            "duration_days": draw(st.sampled_from([3, 20, 40, 100, 200, 800])),
            "nrs": draw(st.integers(0, 10)),
            "radiation": draw(st.lists(st.sampled_from(["below-knee", "arm", "buttock"]), unique=True)),
            "worse_with": draw(st.lists(st.sampled_from(["sitting", "walking", "touch"]), unique=True)),
            "headache_days_per_month": draw(st.sampled_from([0, 5, 16])),
        },
        exam={
            "slr-positive": draw(st.sampled_from([None, "left"])),
            "trigger-points": draw(st.booleans()),
            "si-provocation-positive": draw(st.integers(0, 6)),
        },
        therapies=therapies,
        procedures=procedures,
        medications=draw(
            st.lists(
                st.sampled_from([med("apixaban"), med("sertraline"), med("gabapentin")]),
                unique_by=lambda m: m["name"],
            )
        ),
        psych_evaluation=draw(st.sampled_from([None, {"cleared": True}, {"cleared": False}])),
    )


@st.composite
def differentials(draw: st.DrawFn) -> tuple[DifferentialItem, ...]:
    chosen = draw(st.lists(st.sampled_from(DIAGNOSIS_CODES), min_size=0, max_size=3, unique=True))
    return tuple(
        DifferentialItem(
            code=c, score=draw(st.floats(0, 1)), supporting=(), against=(), confirmed=draw(st.booleans())
        )
        for c in chosen
    )


triages = st.sampled_from(
    [
        ROUTINE,
        Triage(level="urgent", reasons=("cancer-history",), action="MRI soon.", citation="x"),
        Triage(level="emergency", reasons=("bladder-dysfunction",), action="ED now.", citation="x"),
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases(), diff=differentials(), triage=triages, phq9=st.sampled_from([None, 5, 12]))
def test_any_plan_is_ordered_cited_unique_and_deterministic(
    case: dict[str, Any], diff: tuple[DifferentialItem, ...], triage: Triage, phq9: int | None
) -> None:
    scores = {} if phq9 is None else {"phq9": Score("phq9", phq9, None, None, None)}
    parsed = parse_case(case)
    first = plan.build(parsed, triage=triage, differential=diff, scores=scores)
    assert first == plan.build(parsed, triage=triage, differential=diff, scores=scores)
    assert first, "a plan is never empty"
    assert_plan_invariants(first)
    if triage.level == "emergency":
        assert first[0].code == "emergency-referral"
        assert not [s for s in first if s.tier in (2, 3, 4, 5)]
    if triage.level == "urgent":
        assert not [s for s in first if s.tier in (4, 5)]
    if parsed.duration_days is not None and parsed.duration_days >= 30:
        assert "opioid-short-course" not in codes(first)


@settings(max_examples=200, deadline=None)
@given(case=cases(), condition=st.sampled_from(DIAGNOSIS_CODES))
def test_a_single_condition_plan_never_holds_a_step_the_condition_avoids(
    case: dict[str, Any], condition: str
) -> None:
    got = build(case, condition)
    assert not set(codes(got)) & plan.knowledge().pathways[condition].avoid
    assert all(s.condition == condition for s in got)


@pytest.mark.parametrize(("nrs", "blocked"), [(7, True), (6, False)])
def test_severe_allodynia_in_crps_justifies_a_sympathetic_block_to_enable_therapy(
    nrs: int, blocked: bool
) -> None:
    case = make_case(
        pain={"duration_days": 150, "nrs": nrs, "worse_with": ["touch"]}, exam={"allodynia": True}
    )
    assert ("sympathetic-block" in codes(build(case, "crps"))) is blocked


def test_progressive_weakness_gets_an_mri_and_same_day_specialist_contact_first() -> None:
    triage = Triage(level="urgent", reasons=("progressive-weakness",), action="Immediate MRI.", citation="x")
    case, _ = CONDITION_CASES["lumbar-radiculopathy"]
    got = build(case, "lumbar-radiculopathy", triage=triage)
    assert codes(got)[:2] == ["mri", "surgical-referral"]


def test_intrathecal_delivery_only_after_systemic_opioids_are_recorded_as_failing() -> None:
    on_morphine = make_case(pain={"nrs": 8}, medications=[med("morphine", start="2026-06-01")])
    assert "intrathecal-pump" not in codes(build(on_morphine, "cancer-pain"))
    failing = {**on_morphine, "therapies": [therapy("opioid-cancer-pain", 8, "partial")]}
    assert "intrathecal-pump" in codes(build(failing, "cancer-pain"))


def test_a_differential_too_weak_for_any_pathway_keeps_the_plan_to_general_steps() -> None:
    """One site and nothing else: no condition-specific drugs or procedures (plan_rules selection.min_top_score)."""
    from stepcare.clinical import evaluate
    from stepcare.clinical.plan import knowledge as plan_knowledge

    result = evaluate(
        {
            "as_of": "2026-11-24",
            "patient": {"age": 40},
            "pain": {"sites": [{"region": "ankle-foot", "side": "right"}]},
        }
    )
    top = result.differential[0].score if result.differential else 0.0
    assert top < plan_knowledge().rules.selection.min_top_score
    assert result.plan
    assert {s.tier for s in result.plan} <= {1, 2}
    assert all(s.condition is None for s in result.plan)


def test_plain_rule_steps_plan_exactly_like_the_general_consider(monkeypatch: pytest.MonkeyPatch) -> None:
    """Psychology, fallback and urgent steps without conditions take a direct path; it must plan the same."""
    import dataclasses
    import importlib.util
    import random
    from pathlib import Path

    from stepcare.clinical import evaluate

    path = Path(__file__).resolve().parents[2] / "bench" / "casegen.py"
    spec = importlib.util.spec_from_file_location("stepcare_bench_casegen_plan", path)
    assert spec is not None and spec.loader is not None
    casegen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(casegen)
    rng = random.Random(23)
    cases = [casegen.make_case(rng, i) for i in range(400)]
    kb = plan.knowledge()
    assert any(info.plain for info in kb.codes.values())
    fast = [evaluate(c).plan for c in cases]
    for code, info in list(kb.codes.items()):
        monkeypatch.setitem(kb.codes, code, dataclasses.replace(info, plain=False))  # type: ignore[index]
    assert [evaluate(c).plan for c in cases] == fast


def test_the_walks_cautions_are_the_catalog_cautions_with_their_citations_worked_out_at_load() -> None:
    """A pathway walk row holds each caution of its step's catalog entry; text without braces is used as it
    stands (filling it in would change nothing), and a lone caution's citations are the general merge."""
    kb = plan.knowledge()
    fmt = {"nrs": 7, "weeks": "12", "egfr": 50, "age": 70, "headache_days": None, "conservative_weeks": "6"}
    rows = 0
    for cp in kb.pathways.values():
        for row in cp.rows:
            st, cautions = row[0], row[10]
            assert len(cautions) == len(st.info.cautions)
            for (says, fill, test, keys, only), (c_says, c_keys, c_pred) in zip(
                cautions, st.info.cautions, strict=True
            ):
                rows += 1
                assert (says, keys, test) == (c_says, c_keys, c_pred.test)
                if not fill:
                    assert says.format_map(fmt) == says
                assert only == plan._cites((*st.cites.keys, *keys))
    assert rows > 0
