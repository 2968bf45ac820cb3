"""Procedure eligibility: payer criteria as data, each rule tested at its threshold and one step below."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from stepcare.clinical import evaluate, knowledge, parse_case, procedures
from stepcare.clinical.case import Case
from stepcare.clinical.knowledge import KnowledgeError
from stepcare.clinical.result import Eligibility

AS_OF = dt.date(2026, 11, 24)


def _ago(days: int) -> str:
    return (AS_OF - dt.timedelta(days=days)).isoformat()


def _case(**extra: Any) -> Case:
    data: dict[str, Any] = {
        "as_of": AS_OF.isoformat(),
        "patient": {"age": 62},
        "pain": {"duration_days": 200, "sites": [{"region": "low-back"}]},
        "therapies": [{"code": "physical-therapy", "weeks": 6, "completed": True, "response": "partial"}],
        "history": [{"date": _ago(150), "instrument": "odi", "score": 44}],
    }
    data.update(extra)
    return parse_case(data)


def _mbb(days_ago: int, relief: float) -> dict[str, Any]:
    return {
        "code": "medial-branch-block",
        "date": _ago(days_ago),
        "region": "low-back",
        "relief_percent": relief,
    }


def _facet(*procs: dict[str, Any], **extra: Any) -> Case:
    return _case(**{"diagnoses": ["lumbar-facet-pain"], "procedures": list(procs), **extra})


def _esi(days_ago: int, relief: float = 60, hours: float = 2400, **more: Any) -> dict[str, Any]:
    return {
        "code": "epidural-steroid-injection",
        "date": _ago(days_ago),
        "region": "low-back",
        "relief_percent": relief,
        "relief_hours": hours,
        **more,
    }


def _radicular(*procs: dict[str, Any], **extra: Any) -> Case:
    base: dict[str, Any] = {
        "diagnoses": ["lumbar-radiculopathy"],
        "imaging": [
            {
                "modality": "mri",
                "date": _ago(120),
                "region": "low-back",
                "level": "L5-S1",
                "side": "left",
                "findings": ["disc-herniation", "nerve-root-compression"],
            }
        ],
        "procedures": list(procs),
    }
    base.update(extra)
    return _case(**base)


def _elig(case: Case, *codes: str, payer: str = "medicare") -> dict[str, Eligibility]:
    return procedures.eligibility(case, plan_codes=list(codes), payer=payer)


def _unmet_text(e: Any) -> str:
    return " | ".join(e.unmet)


# ------------------------------------------------------------------------------- facet: MBB -> RFA


def test_rfa_is_eligible_after_two_medial_branch_blocks_each_exactly_80_percent() -> None:
    e = _elig(_facet(_mbb(60, 80), _mbb(40, 80)), "facet-rfa")["facet-rfa"]
    assert e.eligible
    assert e.unmet == ()
    assert any(f"MBB {_ago(60)}: 80% relief (>= 80%)" in m for m in e.met)
    assert any(f"MBB {_ago(40)}: 80% relief (>= 80%)" in m for m in e.met)
    assert "L38773" in e.citation
    assert "version 32" in e.citation


def test_rfa_is_refused_when_the_second_block_gives_79_percent() -> None:
    e = _elig(_facet(_mbb(60, 85), _mbb(40, 79)), "facet-rfa")["facet-rfa"]
    assert not e.eligible
    assert f"MBB {_ago(40)}: 79% relief (< 80%)" in _unmet_text(e)
    assert "have 1" in _unmet_text(e)


def test_one_positive_block_makes_rfa_relevant_but_not_eligible() -> None:
    result = _elig(_facet(_mbb(30, 95)))
    assert list(result) == ["facet-rfa"]
    assert not result["facet-rfa"].eligible
    assert "need 2 at >= 80% in one region, have 1" in _unmet_text(result["facet-rfa"])


def test_blocks_in_different_regions_do_not_add_up() -> None:
    other = {**_mbb(40, 90), "region": "neck"}
    e = _elig(_facet(_mbb(60, 90), other), "facet-rfa")["facet-rfa"]
    assert not e.eligible


def test_facet_pain_needs_90_days_and_89_is_one_short() -> None:
    at = _elig(_facet(_mbb(60, 90), _mbb(40, 90), pain={"duration_days": 90}), "facet-rfa")["facet-rfa"]
    below = _elig(_facet(_mbb(60, 90), _mbb(40, 90), pain={"duration_days": 89}), "facet-rfa")["facet-rfa"]
    assert at.eligible
    assert "pain for 90 days (>= 90)" in " | ".join(at.met)
    assert not below.eligible
    assert "pain for 89 days (< 90)" in _unmet_text(below)


def test_facet_procedures_need_a_disability_scale_and_no_radiculopathy() -> None:
    case = _facet(
        _mbb(60, 90), _mbb(40, 90), history=[], diagnoses=["lumbar-facet-pain", "lumbar-radiculopathy"]
    )
    e = _elig(case, "facet-rfa")["facet-rfa"]
    assert not e.eligible
    text = _unmet_text(e)
    assert "none of odi, ndi recorded" in text
    assert "confirmed lumbar-radiculopathy" in text


def test_the_confirmatory_block_needs_14_days_after_the_first_and_13_is_refused() -> None:
    at = _elig(_facet(_mbb(14, 90)), "medial-branch-block")["medial-branch-block"]
    below = _elig(_facet(_mbb(13, 90)), "medial-branch-block")["medial-branch-block"]
    assert at.eligible
    assert not below.eligible
    assert f"last MBB {_ago(13)}, 13 days ago (< 14; not before 2026-11-25)" in _unmet_text(below)


def test_the_confirmatory_block_needs_the_first_at_80_percent() -> None:
    e = _elig(_facet(_mbb(30, 79)), "medial-branch-block")["medial-branch-block"]
    assert not e.eligible
    assert "79% relief (< 80%)" in _unmet_text(e)


def _rfa(days_ago: int, relief: float = 70, hours: float = 4320) -> dict[str, Any]:
    return {
        "code": "facet-rfa",
        "date": _ago(days_ago),
        "region": "low-back",
        "relief_percent": relief,
        "relief_hours": hours,
    }


def test_repeat_rfa_is_allowed_at_180_days_and_refused_at_179() -> None:
    at = _elig(_facet(_rfa(180)), "facet-rfa")["facet-rfa"]
    below = _elig(_facet(_rfa(179)), "facet-rfa")["facet-rfa"]
    assert at.eligible, at.unmet
    assert f"last facet RFA {_ago(180)}, 180 days ago (>= 180)" in " | ".join(at.met)
    assert not below.eligible
    assert "179 days ago (< 180" in _unmet_text(below)


def test_repeat_rfa_needs_50_percent_for_4320_hours() -> None:
    assert _elig(_facet(_rfa(200, 50, 4320)), "facet-rfa")["facet-rfa"].eligible
    short = _elig(_facet(_rfa(200, 50, 4319)), "facet-rfa")["facet-rfa"]
    weak = _elig(_facet(_rfa(200, 49, 5000)), "facet-rfa")["facet-rfa"]
    assert not short.eligible
    assert not weak.eligible
    assert "49% relief" in _unmet_text(weak)


def test_repeat_rfa_does_not_need_the_original_blocks_again() -> None:
    e = _elig(_facet(_rfa(200)), "facet-rfa")["facet-rfa"]
    assert e.eligible
    assert not any("medial branch blocks" in m for m in e.met + e.unmet)


def test_a_third_rfa_in_twelve_months_is_refused() -> None:
    two = _elig(_facet(_rfa(364), _rfa(182)), "facet-rfa")["facet-rfa"]
    one = _elig(_facet(_rfa(365), _rfa(182)), "facet-rfa")["facet-rfa"]
    assert not two.eligible
    assert "2 facet RFA in the 365 days" in _unmet_text(two)
    assert one.eligible, one.unmet


# ------------------------------------------------------------------------------------------- ESI


def test_esi_is_eligible_for_imaging_concordant_radiculopathy_after_4_weeks_of_care() -> None:
    e = _elig(_radicular(), "epidural-steroid-injection")["epidural-steroid-injection"]
    assert e.eligible, e.unmet
    met = " | ".join(e.met)
    assert f"MRI {_ago(120)} low-back L5-S1 left: disc-herniation, nerve-root-compression" in met
    assert "physical-therapy 6 weeks, partial response (>= 4 weeks)" in met
    assert "L39240" in e.citation


def test_esi_fourth_session_in_12_months_is_allowed_and_fifth_refused() -> None:
    three = _radicular(_esi(300), _esi(200), _esi(100))
    four = _radicular(_esi(364), _esi(300), _esi(200), _esi(100))
    allowed = _elig(three, "epidural-steroid-injection")["epidural-steroid-injection"]
    refused = _elig(four, "epidural-steroid-injection")["epidural-steroid-injection"]
    assert allowed.eligible, allowed.unmet
    assert "this would be number 4 of at most 4" in " | ".join(allowed.met)
    assert not refused.eligible
    assert "another would exceed the limit of 4" in _unmet_text(refused)


def test_an_esi_365_days_ago_has_left_the_rolling_window() -> None:
    four = _radicular(_esi(365), _esi(300), _esi(200), _esi(100))
    assert _elig(four, "epidural-steroid-injection")["epidural-steroid-injection"].eligible


def test_esi_needs_4_weeks_of_failed_care_and_3_weeks_is_refused() -> None:
    three = _radicular(therapies=[{"code": "physical-therapy", "weeks": 3, "response": "none"}])
    four = _radicular(therapies=[{"code": "physical-therapy", "weeks": 4, "response": "none"}])
    assert _elig(four, "epidural-steroid-injection")["epidural-steroid-injection"].eligible
    refused = _elig(three, "epidural-steroid-injection")["epidural-steroid-injection"]
    assert "longest: physical-therapy 3 weeks, none response (< 4 weeks)" in _unmet_text(refused)


def test_conservative_care_that_worked_does_not_count_as_failed() -> None:
    case = _radicular(therapies=[{"code": "physical-therapy", "weeks": 8, "response": "good"}])
    e = _elig(case, "epidural-steroid-injection")["epidural-steroid-injection"]
    assert "no failed conservative care recorded" in _unmet_text(e)


def test_esi_needs_28_days_of_pain_and_27_is_refused() -> None:
    pain = {"sites": [{"region": "low-back"}]}
    assert _elig(_radicular(pain={**pain, "duration_days": 28}), "epidural-steroid-injection")[
        "epidural-steroid-injection"
    ].eligible
    e = _elig(_radicular(pain={**pain, "duration_days": 27}), "epidural-steroid-injection")[
        "epidural-steroid-injection"
    ]
    assert "pain for 27 days (< 28)" in _unmet_text(e)


def test_esi_is_refused_for_axial_pain_without_concordant_imaging_or_diagnosis() -> None:
    e = _elig(_case(diagnoses=["nonspecific-low-back-pain"]), "epidural-steroid-injection")[
        "epidural-steroid-injection"
    ]
    text = _unmet_text(e)
    assert not e.eligible
    assert "no confirmed diagnosis among lumbar-radiculopathy" in text
    assert "no imaging of the painful region" in text


def test_repeat_esi_needs_50_percent_for_2160_hours_or_functional_gain() -> None:
    def verdict(**last: Any) -> Any:
        return _elig(_radicular(_esi(120, **last)), "epidural-steroid-injection")[
            "epidural-steroid-injection"
        ]

    assert verdict(relief=50, hours=2160).eligible
    assert not verdict(relief=49, hours=2160).eligible
    assert not verdict(relief=50, hours=2159).eligible
    assert verdict(relief=30, hours=2160, function_improved=True).eligible
    assert "function improved" in " | ".join(verdict(relief=30, hours=2160, function_improved=True).met)


def test_a_past_esi_makes_a_repeat_relevant_without_a_plan_step() -> None:
    assert list(_elig(_radicular(_esi(120)))) == ["epidural-steroid-injection"]


def test_a_commercial_payer_applies_its_own_rules_from_data() -> None:
    case = _radicular(_esi(13, relief=80, hours=300))
    medicare = _elig(case, "epidural-steroid-injection")["epidural-steroid-injection"]
    evicore = _elig(case, "epidural-steroid-injection", payer="evicore")["epidural-steroid-injection"]
    assert "eviCore CMM-200" in evicore.citation
    assert "13 days ago (< 14" in _unmet_text(evicore)
    assert "300 h (12 days) (need >= 50% for >= 336 h (14 days))" in _unmet_text(evicore)
    assert "2160 h" in _unmet_text(medicare)


def test_an_unknown_payer_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"payer: unknown payer 'acme' \(known: evicore, medicare\)"):
        _elig(_radicular(), "epidural-steroid-injection", payer="acme")


# ------------------------------------------------------------------------------------- SI, TPI


def _si(**extra: Any) -> Case:
    return _case(**{"diagnoses": ["si-joint-pain"], "exam": {"si-provocation-positive": 3}, **extra})


def test_si_injection_needs_3_of_6_provocation_tests_and_2_is_refused() -> None:
    assert _elig(_si(), "si-joint-injection")["si-joint-injection"].eligible
    e = _elig(_si(exam={"si-provocation-positive": 2}), "si-joint-injection")["si-joint-injection"]
    assert "si-provocation-positive 2 (< 3)" in _unmet_text(e)


def test_si_lateral_branch_rfa_is_not_covered_by_medicare() -> None:
    e = _elig(_si(), "si-lateral-branch-rfa")["si-lateral-branch-rfa"]
    assert not e.eligible
    assert "non-covered" in _unmet_text(e)
    assert "L39462" in e.citation


def _tpi(days_ago: int) -> dict[str, Any]:
    return {
        "code": "trigger-point-injection",
        "date": _ago(days_ago),
        "relief_percent": 60,
        "relief_hours": 1008,
    }


def test_trigger_point_injections_third_in_12_months_allowed_fourth_refused() -> None:
    two = _case(diagnoses=["myofascial-pain"], procedures=[_tpi(200), _tpi(100)])
    three = _case(diagnoses=["myofascial-pain"], procedures=[_tpi(300), _tpi(200), _tpi(100)])
    assert _elig(two, "trigger-point-injection")["trigger-point-injection"].eligible
    assert not _elig(three, "trigger-point-injection")["trigger-point-injection"].eligible


# ---------------------------------------------------------------------------------- SCS trial -> implant


def _trial(relief: float, function: bool | None = True) -> dict[str, Any]:
    return {"code": "scs-trial", "date": _ago(20), "relief_percent": relief, "function_improved": function}


def _scs(*procs: dict[str, Any], cleared: bool | None = True, **extra: Any) -> Case:
    base: dict[str, Any] = {"diagnoses": ["post-laminectomy-syndrome"], "procedures": list(procs)}
    if cleared is not None:
        base["psych_evaluation"] = {"date": _ago(60), "cleared": cleared}
    base.update(extra)
    return _case(**base)


def test_scs_implant_follows_a_trial_with_exactly_50_percent_relief_and_function_gain() -> None:
    e = _elig(_scs(_trial(50)))["scs-implant"]
    assert e.eligible, e.unmet
    assert f"SCS trial {_ago(20)}: 50% relief (>= 50%), function improved" in " | ".join(e.met)
    assert "NCD 160.7" in e.citation


def test_scs_implant_is_refused_after_a_trial_with_49_percent() -> None:
    e = _elig(_scs(_trial(49)))["scs-implant"]
    assert not e.eligible
    assert "49% relief (< 50%)" in _unmet_text(e)


def test_scs_implant_needs_documented_functional_improvement() -> None:
    e = _elig(_scs(_trial(70, function=None)))["scs-implant"]
    assert "functional improvement not documented" in _unmet_text(e)


def test_scs_implant_is_refused_without_psychological_clearance() -> None:
    missing = _elig(_scs(_trial(80), cleared=None))["scs-implant"]
    refused = _elig(_scs(_trial(80), cleared=False))["scs-implant"]
    assert "no psychological evaluation recorded" in _unmet_text(missing)
    assert f"psychological evaluation {_ago(60)}: not cleared" in _unmet_text(refused)


def test_scs_trial_needs_psych_clearance_and_no_substance_use_disorder() -> None:
    ok = _elig(_scs(), "scs-trial")["scs-trial"]
    no_psych = _elig(_scs(cleared=None), "scs-trial")["scs-trial"]
    sud = _elig(_scs(patient={"age": 62, "conditions": ["opioid-use-disorder"]}), "scs-trial")["scs-trial"]
    assert ok.eligible, ok.unmet
    assert not no_psych.eligible
    assert "opioid-use-disorder on the condition list" in _unmet_text(sud)


def test_a_third_scs_trial_in_a_lifetime_is_refused() -> None:
    old = {"code": "scs-trial", "date": "2010-01-01", "relief_percent": 10}
    e = _elig(_scs(old, {**old, "date": "2012-01-01"}), "scs-trial")["scs-trial"]
    assert not e.eligible
    assert "2 SCS trial to date (lifetime)" in _unmet_text(e)


# ------------------------------------------------------------------------------ selection and citation


def test_a_procedure_without_a_payer_policy_is_not_called_eligible() -> None:
    case = _case(
        diagnoses=["knee-osteoarthritis"], procedures=[{"code": "genicular-nerve-block", "date": _ago(30)}]
    )
    e = _elig(case)["genicular-rfa"]
    assert not e.eligible
    assert e.unmet == (
        f"no medicare coverage policy for Genicular nerve radiofrequency ablation on file for {AS_OF.isoformat()}: "
        "confirm coverage with the payer",
    )
    assert "ACR/Arthritis Foundation osteoarthritis guideline" in e.citation


def test_the_facet_policy_applies_from_its_effective_date_and_not_the_day_before() -> None:
    blocks = [_mbb(0, 90) | {"date": "2026-05-01"}, _mbb(0, 90) | {"date": "2026-06-01"}]
    odi = [{"date": "2026-01-01", "instrument": "odi", "score": 40}]
    on = _facet(*blocks, as_of="2026-07-23", history=odi)
    before = _facet(*blocks, as_of="2026-07-22", history=odi)
    assert _elig(on, "facet-rfa")["facet-rfa"].eligible
    e = _elig(before, "facet-rfa")["facet-rfa"]
    assert not e.eligible
    assert e.unmet[0].startswith("no medicare coverage policy for Facet")


def test_non_procedure_plan_codes_get_no_verdict() -> None:
    assert _elig(_radicular(), "physical-therapy", "duloxetine", "mri") == {}


def test_plan_order_comes_first_then_follow_ons() -> None:
    case = _scs(_trial(60), _esi(150))
    assert list(_elig(case, "trigger-point-injection", "scs-trial")) == [
        "trigger-point-injection",
        "scs-trial",
        "epidural-steroid-injection",
        "scs-implant",
    ]


def test_every_verdict_carries_a_citation() -> None:
    codes = [p.id for p in procedures.knowledge().procedures]
    result = _elig(_scs(_trial(60), _esi(150), _mbb(40, 90)), *codes)
    assert set(result) == set(codes)
    for code, e in result.items():
        assert e.citation, code
        assert e.met or e.unmet, code


def test_every_tier_4_and_5_step_code_has_procedure_knowledge_with_risks() -> None:
    tiers_4_5 = {
        "epidural-steroid-injection", "selective-nerve-root-block", "medial-branch-block", "facet-rfa",
        "si-joint-injection", "si-lateral-branch-rfa", "genicular-nerve-block", "genicular-rfa",
        "joint-injection-corticosteroid", "hyaluronic-acid-injection", "trigger-point-injection",
        "occipital-nerve-block", "sympathetic-block", "prp-injection", "scs-trial", "scs-implant",
        "drg-stimulation-trial", "intrathecal-pump",
    }  # fmt: skip
    kb = {p.id: p for p in procedures.knowledge().procedures}
    assert set(kb) == tiers_4_5
    assert all(p.risks for p in kb.values())
    assert [c.code for c in kb["facet-rfa"].cpt] == ["64635", "64636", "64633", "64634"]
    assert kb["medial-branch-block"].follow_on == ("facet-rfa",)
    assert kb["scs-trial"].follow_on == ("scs-implant",)


def test_the_engine_returns_eligibility_for_the_plans_procedures() -> None:
    result = evaluate(_scs(_trial(60)))
    assert result.eligibility["scs-implant"].eligible
    assert result.to_dict()["eligibility"]["scs-implant"]["citation"].startswith("Medicare NCD 160.7")


# ------------------------------------------------------------------------------------ epidural approach


def test_unilateral_single_level_radicular_pain_suggests_transforaminal() -> None:
    a = procedures.approach(_radicular())
    assert a.approach == "transforaminal"
    assert a.cpt == ("64483",)
    assert a.max_levels == 2
    assert "left" in a.reason
    assert "Epidural approach selection" in a.citation


def test_two_levels_suggest_interlaminar_and_prior_surgery_caudal() -> None:
    assert procedures.approach(_radicular(), levels=2).approach == "interlaminar"
    surgery = _radicular(events=[{"kind": "surgery", "date": "2020-05-01", "region": "low-back"}])
    a = procedures.approach(surgery)
    assert (a.approach, a.alternatives, a.max_levels) == ("caudal", ("interlaminar",), 1)


def test_bilateral_symptoms_suggest_interlaminar_and_the_neck_uses_cervical_codes() -> None:
    assert procedures.approach(_radicular(), side="bilateral").approach == "interlaminar"
    neck = procedures.approach(
        _case(pain={"duration_days": 60, "sites": [{"region": "neck", "side": "right"}]})
    )
    assert (neck.approach, neck.cpt) == ("transforaminal", ("64479",))


# ------------------------------------------------------------------------------ versions as data


@pytest.fixture
def kdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the knowledge base the test may change; every cache is cleared around it."""
    for f in knowledge.knowledge_files():
        shutil.copy(f, tmp_path / f.name)
    monkeypatch.setattr(knowledge, "KNOWLEDGE_DIR", tmp_path)

    def clear() -> None:
        for fn in (knowledge._raw, knowledge.sources, knowledge.knowledge_version, procedures.knowledge,
                   procedures.payer_knowledge, procedures._index):  # fmt: skip
            fn.cache_clear()

    clear()
    yield tmp_path
    monkeypatch.undo()
    clear()


def _add_versions(kdir: Path, first_to: str, second_from: str) -> None:
    path = kdir / "payer_criteria.yaml"
    data = yaml.safe_load(path.read_text())
    base = {"payer": "acme", "policy": "P-1", "procedure": "trigger-point-injection", "citation": "CF"}
    crit = {"id": "c", "text": "relief threshold", "citation": "CF"}
    data["policies"] += [
        {**base, "id": "acme-v1", "version": "1", "effective_from": "2026-01-01", "effective_to": first_to,
         "criteria": [{**crit, "check": {"kind": "pain_duration_days", "gte": 100}}]},
        {**base, "id": "acme-v2", "version": "2", "effective_from": second_from, "effective_to": None,
         "criteria": [{**crit, "check": {"kind": "pain_duration_days", "gte": 50}}]},
    ]  # fmt: skip
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_clinic_adds_a_payer_whose_new_version_applies_from_its_effective_date(kdir: Path) -> None:
    _add_versions(kdir, "2026-06-30", "2026-07-01")
    case = _case(pain={"duration_days": 60})
    old = case.model_copy(update={"as_of": dt.date(2026, 6, 30)})
    new = case.model_copy(update={"as_of": dt.date(2026, 7, 1)})
    v1 = _elig(old, "trigger-point-injection", payer="acme")["trigger-point-injection"]
    v2 = _elig(new, "trigger-point-injection", payer="acme")["trigger-point-injection"]
    assert (v1.eligible, v2.eligible) == (False, True)
    assert v1.citation.endswith("version 1, effective 2026-01-01")
    assert v2.citation.endswith("version 2, effective 2026-07-01")


def test_overlapping_policy_versions_are_a_knowledge_error(kdir: Path) -> None:
    _add_versions(kdir, "2026-07-01", "2026-07-01")
    with pytest.raises(KnowledgeError, match="versions acme-v1 and acme-v2 overlap"):
        procedures.payer_knowledge()


def test_an_unknown_check_kind_is_a_knowledge_error(kdir: Path) -> None:
    path = kdir / "payer_criteria.yaml"
    path.write_text(path.read_text().replace("kind: psych_clearance", "kind: psych_clearence", 1))
    with pytest.raises(KnowledgeError, match=r"payer_criteria\.yaml is invalid"):
        procedures.payer_knowledge()
