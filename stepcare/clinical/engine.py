"""evaluate(): one case in, one evaluation out — the engine contract's single entry point.

Each step lives in its own module (triage, chronicity, differential, mechanism, questionnaires,
medications, plan); this module only orders them and assembles the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from stepcare.clinical import (
    chronicity,
    differential,
    icd10cm,
    knowledge,
    mechanism,
    medications,
    plan,
    procedures,
    questionnaires,
    triage,
)
from stepcare.clinical import outcomes as outcomes_mod
from stepcare.clinical.case import Case, parse_case
from stepcare.clinical.result import Alert, Evaluation

__all__ = ["evaluate", "load_knowledge"]

_SEVERITY_ORDER = {"high": 0, "warning": 1, "info": 2}


def _severity_rank(alert: Alert) -> int:
    return _SEVERITY_ORDER[alert.severity]


def load_knowledge() -> str:
    """Load and validate every knowledge file now, so a broken file fails at start, not mid-clinic."""
    knowledge.sources()
    procedures.knowledge()
    procedures.payer_knowledge()
    outcomes_mod.knowledge()
    chronicity.knowledge()
    triage.knowledge()
    differential.knowledge()
    icd10cm.knowledge()
    mechanism.knowledge()
    questionnaires.knowledge()
    medications.knowledge()
    plan.knowledge()
    return knowledge.knowledge_version()


def evaluate(case: Case | Mapping[str, Any], *, mme_table: str = "cdc-2022") -> Evaluation:
    """Evaluate one case; raises CaseError (naming each faulty field) for invalid input."""
    c = parse_case(case)
    scores, score_alerts = questionnaires.score_all(c)
    tri = triage.assess(c)
    ranked = differential.rank(c)
    mech = mechanism.classify(c, ranked)
    mme, med_alerts = medications.assess(c, table=mme_table)
    steps = plan.build(c, triage=tri, differential=ranked, scores=scores)
    outcomes, outcome_alerts = outcomes_mod.assess(c, scores, plan=steps, opioids=[i.name for i in mme.items])
    alerts: list[Alert] = [*score_alerts, *med_alerts, *outcome_alerts]
    if "diabetes" in c.patient.conditions and not any(a.code == "steroid-glucose" for a in med_alerts):
        # a steroid injection the plan proposes for a patient with diabetes: glucose advice (CF)
        steroid_steps = medications.knowledge().sets["steroid-procedures"]
        if any(s.code in steroid_steps for s in steps):
            planned = medications.steroid_injection_glucose_alert(c, planned=True)
            if planned is not None:
                alerts.append(planned)
    if len(alerts) > 1:
        alerts.sort(key=_severity_rank)
    # positional, in field order: id, as_of, knowledge_version, triage, chronicity, mechanism,
    # differential, scores, mme, alerts, plan, eligibility, outcomes
    return Evaluation(
        c.id,
        c.as_of,
        knowledge.knowledge_version(),
        tri,
        chronicity.classify(c),
        mech,
        ranked,
        scores,
        mme,
        tuple(alerts),
        steps,
        procedures.eligibility(c, plan_codes=[s.code for s in steps]),
        outcomes,
    )
