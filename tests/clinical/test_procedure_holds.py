"""Which procedures need the anticoagulant hold review is data (procedures.yaml anticoagulant_hold)."""

from __future__ import annotations

from stepcare.clinical import procedures


def test_spine_and_neuromodulation_procedures_need_the_hold_review() -> None:
    for code in ("epidural-steroid-injection", "selective-nerve-root-block", "scs-trial", "intrathecal-pump"):
        assert procedures.hold_required(code), code


def test_low_risk_injections_do_not_need_the_hold_review() -> None:
    for code in ("trigger-point-injection", "joint-injection-corticosteroid", "hyaluronic-acid-injection"):
        assert not procedures.hold_required(code), code


def test_every_hold_code_is_a_known_procedure_with_a_citation() -> None:
    kb = procedures.knowledge()
    known = {p.id for p in kb.procedures}
    assert set(kb.anticoagulant_hold.codes) <= known
    assert kb.anticoagulant_hold.citation == ("ASRA-PAIN18",)
