"""Pain mechanism in IASP terms from the differential's leaders and the case's own features.

The rules and weights are our mapping (knowledge/mechanism.yaml); these tests pin one example per label,
the `mixed` boundary and the null cases.
"""

from __future__ import annotations

from typing import Any

from stepcare.clinical import differential, mechanism, parse_case
from stepcare.clinical.case import Case
from stepcare.clinical.result import DifferentialItem


def _case(age: int = 50, conditions: tuple[str, ...] = (), **parts: Any) -> Case:
    data: dict[str, Any] = {"as_of": "2026-11-24", "patient": {"age": age, "conditions": list(conditions)}}
    data.update(parts)
    return parse_case(data)


def _classify(case: Case) -> str | None:
    return mechanism.classify(case, differential.rank(case))


def test_knee_osteoarthritis_with_a_mechanical_pattern_is_nociceptive() -> None:
    case = _case(
        age=68,
        pain={"sites": [{"region": "knee"}], "worse_with": ["walking", "activity"], "better_with": ["rest"]},
        imaging=[
            {"modality": "xray", "date": "2026-09-01", "region": "knee", "findings": ["osteoarthritis"]}
        ],
    )
    assert _classify(case) == "nociceptive"


def test_burning_numb_feet_in_diabetes_are_neuropathic() -> None:
    case = _case(
        age=63,
        conditions=("diabetes",),
        pain={"sites": [{"region": "ankle-foot", "side": "bilateral"}], "qualities": ["burning", "numbness"]},
    )
    assert _classify(case) == "neuropathic"


def test_trigeminal_paroxysms_are_neuropathic() -> None:
    case = _case(pain={"sites": [{"region": "face"}], "qualities": ["electric"]}, exam={"trigger-zone": True})
    assert _classify(case) == "neuropathic"


def test_fibromyalgia_meeting_acr_2016_is_nociplastic() -> None:
    case = _case(
        pain={
            "sites": [{"region": "widespread"}],
            "symptoms": ["fatigue", "unrefreshing-sleep"],
            "duration_days": 400,
        },
        exam={"wpi": 9, "sss": 7, "generalized-pain-regions": 5},
    )
    assert _classify(case) == "nociplastic"


def test_radiculopathy_with_axial_back_pain_is_mixed() -> None:
    # Seed 002: the nurse with low back pain radiating to the calf and an L5-S1 herniation.
    case = _case(
        age=44,
        pain={
            "sites": [{"region": "low-back", "side": "right"}],
            "radiation": ["thigh", "below-knee"],
            "worse_with": ["lifting", "cough-sneeze"],
        },
        exam={
            "slr-positive": "right",
            "dermatomal-sensory-loss": True,
            "weakness": ["great toe extension 4/5"],
        },
        imaging=[
            {
                "modality": "mri",
                "date": "2026-11-01",
                "region": "low-back",
                "findings": ["nerve-root-compression"],
            }
        ],
    )
    totals = mechanism.contributions(case, differential.rank(case))
    assert totals["neuropathic"] > totals["nociceptive"] > 0
    assert _classify(case) == "mixed"


def test_crps_after_ankle_fracture_is_mixed() -> None:
    case = _case(
        age=36,
        pain={
            "sites": [{"region": "ankle-foot"}],
            "qualities": ["burning", "allodynia"],
            "symptoms": ["color-change", "swelling", "stiffness"],
        },
        events=[{"kind": "fracture", "date": "2026-05-10", "region": "ankle-foot"}],
        exam={"allodynia": True, "color-change": True, "edema": True},
    )
    assert _classify(case) == "mixed"


def test_radicular_descriptors_without_axial_mechanical_pain_stay_neuropathic() -> None:
    case = _case(
        pain={
            "sites": [{"region": "neck"}],
            "radiation": ["below-elbow", "hand"],
            "qualities": ["electric", "tingling"],
        },
        exam={"dermatomal-sensory-loss": True, "reflex-loss": True},
    )
    assert _classify(case) == "neuropathic"


def test_mixed_needs_the_second_mechanism_to_reach_the_ratio_of_the_first() -> None:
    s = mechanism.knowledge().settings
    case = _case(pain={"nrs": 6})  # pain information, but no feature evidence of its own
    assert mechanism.contributions(case, ()) == {"nociceptive": 0.0, "neuropathic": 0.0, "nociplastic": 0.0}

    def items(facet_score: float) -> tuple[DifferentialItem, ...]:
        # Pure profiles: PHN is neuropathic (1.0), facet pain nociceptive (1.0).
        return (
            DifferentialItem(code="postherpetic-neuralgia", score=1.0, supporting=("x",), against=()),
            DifferentialItem(code="lumbar-facet-pain", score=facet_score, supporting=("x",), against=()),
        )

    # Lead = weight x 1.0, so the second reaches the ratio exactly when its score equals mixed_ratio.
    assert mechanism.classify(case, items(s.mixed_ratio)) == "mixed"
    assert mechanism.classify(case, items(s.mixed_ratio - 0.01)) == "neuropathic"


def test_no_pain_information_gives_none() -> None:
    case = _case(conditions=("hypertension",))
    assert mechanism.classify(case, differential.rank(case)) is None


def test_pain_information_without_any_mechanism_evidence_gives_none() -> None:
    case = _case(pain={"nrs": 6})
    assert differential.rank(case) == ()
    assert mechanism.classify(case, ()) is None


def test_low_scoring_differential_items_do_not_count() -> None:
    s = mechanism.knowledge().settings
    case = _case(pain={"nrs": 6})
    below = (
        DifferentialItem(
            code="fibromyalgia", score=s.differential_min_score - 0.01, supporting=("x",), against=()
        ),
    )
    at = (
        DifferentialItem(code="fibromyalgia", score=s.differential_min_score, supporting=("x",), against=()),
    )
    assert mechanism.contributions(case, below)["nociplastic"] == 0.0
    assert mechanism.contributions(case, at)["nociplastic"] > 0.0


def test_every_condition_has_a_mechanism_profile_and_every_rule_is_mapping() -> None:
    profiles = differential.mechanism_weights()
    assert len(profiles) == 22
    assert all(profile for profile in profiles.values())
    assert all(rule.evidence == "mapping" for rule in mechanism.knowledge().rules)


def test_the_generated_rule_totals_add_exactly_the_weights_of_the_rules_that_hold() -> None:
    """`_prepared` inlines every rule's condition into one function; it must add what the rules' own
    compiled tests say, in file order, for every kind of case the engine sees."""
    import importlib.util
    import random
    from pathlib import Path

    from stepcare.clinical.features import facts

    path = Path(__file__).resolve().parents[2] / "bench" / "casegen.py"
    spec = importlib.util.spec_from_file_location("stepcare_bench_casegen_mech", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rng = random.Random(5)
    _, _, totals = mechanism._prepared()
    bases = ("nociceptive", "neuropathic", "nociplastic")
    held = 0
    for i in range(400):
        f = facts(parse_case(module.make_case(rng, i)))
        want = [0.5, 0.25, 0.125]
        for rule in mechanism._rules():
            if rule.test(f):
                want[bases.index(rule.mechanism)] += rule.weight
                held += 1
        assert totals(f, 0.5, 0.25, 0.125) == tuple(want)
    assert held > 0
