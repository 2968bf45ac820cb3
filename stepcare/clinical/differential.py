"""The ranked differential diagnosis: weighted features per condition, plus Budapest and ACR 2016 gates.

Features, weights and criteria live in knowledge/conditions.yaml; this module compiles them once and
scores a case. Confirmed diagnoses come first; the rest rank by score, ties by code, so the output is
deterministic and every item says why (supporting / against phrases) and cites its source.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from stepcare.clinical.case import Case
from stepcare.clinical.features import (
    Facts,
    Feature,
    FeatureSpec,
    Predicate,
    compile_feature,
    facts,
    generate,
)
from stepcare.clinical.knowledge import Entry, KnowledgeError, KnowledgeFile, cite, load
from stepcare.clinical.result import DifferentialItem, _fast_init
from stepcare.clinical.vocab import DIAGNOSIS_CODES, DiagnosisCode

__all__ = [
    "ConditionsFile",
    "condition_label",
    "knowledge",
    "mechanism_profiles",
    "mechanism_weights",
    "rank",
]

_FILE = "knowledge/conditions.yaml"
BaseMechanism = Literal["nociceptive", "neuropathic", "nociplastic"]


class Scoring(Entry):
    id: Literal["scoring"]
    scale: float = Field(gt=0)
    min_listed_score: float = Field(ge=0, le=1)
    confirmed_label: str = Field(min_length=1)


class Budapest(Entry):
    id: Literal["budapest"]
    min_symptom_categories: int = Field(ge=1)
    min_sign_categories: int = Field(ge=1)
    weight_met: float = Field(ge=0)
    weight_unmet: float = Field(ge=0)
    label_met: str
    label_symptoms_short: str
    label_signs_short: str
    symptom_categories: dict[str, tuple[FeatureSpec, ...]]
    sign_categories: dict[str, tuple[FeatureSpec, ...]]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FibroArm(_Strict):
    wpi_min: int = Field(ge=0, le=19)
    wpi_max: int = Field(ge=0, le=19)
    sss_min: int = Field(ge=0, le=12)


class AcrFibromyalgia(Entry):
    id: Literal["acr-2016"]
    arms: tuple[FibroArm, ...] = Field(min_length=1)
    generalized_regions_min: int = Field(ge=0, le=5)
    min_duration_days: int = Field(ge=0)
    weight_met: float = Field(ge=0)
    weight_unmet: float = Field(ge=0)
    label_met: str
    label_scores_missing: str
    label_scores_short: str
    label_regions_missing: str
    label_regions_short: str
    label_duration_missing: str
    label_duration_short: str


class Condition(Entry):
    id: DiagnosisCode
    label: str = Field(min_length=3)
    mechanism: dict[BaseMechanism, float] = Field(min_length=1)
    criteria: Literal["budapest", "acr-2016"] | None = None
    supporting: tuple[FeatureSpec, ...] = Field(min_length=1)
    against: tuple[FeatureSpec, ...] = ()


class ConditionsFile(KnowledgeFile):
    scoring: Scoring
    budapest: Budapest
    acr_fibromyalgia: AcrFibromyalgia
    conditions: tuple[Condition, ...]


@_fast_init
@dataclass(frozen=True, slots=True)
class _Verdict:
    met: bool
    weight: float
    supporting: tuple[str, ...]
    against: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Condition:
    code: str
    label: str
    citation: str
    supporting: tuple[Feature, ...]
    against: tuple[Feature, ...]
    gated: bool
    gates: tuple[Predicate, ...]
    criterion: str | None
    # Generated at load from `supporting`, `against` and `gates` (same tests, same order): see _matcher.
    match: Callable[[Facts], tuple[list[str], list[str], float, bool]]
    gate_open: Predicate


@dataclass(frozen=True, slots=True)
class _Compiled:
    scale: float
    min_listed_score: float
    confirmed_label: str
    conditions: tuple[_Condition, ...]
    by_code: Mapping[str, _Condition]
    symptom_categories: tuple[tuple[Predicate, ...], ...]
    sign_categories: tuple[tuple[Predicate, ...], ...]
    # the two category lists as generated counters (the same tests inlined): how many categories hold
    count_symptoms: Callable[[Facts], int] | None = None
    count_signs: Callable[[Facts], int] | None = None
    # (condition, its gate test when a closed gate alone rules it out, i.e. gated and without formal
    # criteria; else None), in file order: what rank() walks
    scan: tuple[tuple[_Condition, Predicate | None], ...] = ()
    # `scan` as one generated function for a case without confirmed diagnoses: the conditions whose gate
    # is open or who have no gate that alone rules them out, in file order (the same gate tests, inlined)
    open_conditions: Callable[[Facts], list[_Condition]] | None = None


@functools.cache
def knowledge() -> ConditionsFile:
    kb = load("conditions.yaml", ConditionsFile)
    codes = [c.id for c in kb.conditions]
    missing = sorted(set(DIAGNOSIS_CODES) - set(codes))
    if missing or len(codes) != len(set(codes)):
        raise KnowledgeError(f"{_FILE}: needs each diagnosis code exactly once (missing: {missing})")
    for c in kb.conditions:
        for spec in (*c.supporting, *c.against):
            if not spec.label or spec.weight <= 0:
                raise KnowledgeError(f"{_FILE}: {c.id}: every feature needs a label and a weight > 0")
    for arm in kb.acr_fibromyalgia.arms:
        if arm.wpi_min > arm.wpi_max:
            raise KnowledgeError(f"{_FILE}: acr_fibromyalgia arm has wpi_min > wpi_max")
    return kb


def _features(specs: tuple[FeatureSpec, ...], where: str) -> tuple[Feature, ...]:
    return tuple(compile_feature(s, f"{where}[{i}]") for i, s in enumerate(specs))


def _matcher(
    supporting: tuple[Feature, ...], against: tuple[Feature, ...], gated: bool
) -> tuple[Callable[[Facts], tuple[list[str], list[str], float, bool]], Predicate]:
    """(supporting labels, against labels, evidence, gate open) in one generated function, and the gate test.

    Evidence adds supporting weights then subtracts against weights in file order, as `_assess` reads.
    """
    env: dict[str, Any] = {}
    body = ["sup = []", "ag = []", "ev = 0.0", f"gate = {not gated!r}"]
    for feat in supporting:
        body.append(f"if {feat.expr(env)}:")
        body.append(f"    sup.append({_const(env, feat.label)})")
        body.append(f"    ev += {_const(env, feat.weight)}")
        if feat.gate:
            body.append("    gate = True")
    for feat in against:
        body.append(f"if {feat.expr(env)}:")
        body.append(f"    ag.append({_const(env, feat.label)})")
        body.append(f"    ev -= {_const(env, feat.weight)}")
    body.append("return sup, ag, ev, gate")
    match = generate("match", body, env)
    gate_env: dict[str, Any] = {}
    gates = [feat.expr(gate_env) for feat in supporting if feat.gate]
    gate_open = generate("gate_open", [f"return {' or '.join(gates) or 'False'}"], gate_env)
    return match, gate_open


def _const(env: dict[str, Any], value: Any) -> str:
    name = f"_k{len(env)}"
    env[name] = value
    return name


def _categories(cats: dict[str, tuple[FeatureSpec, ...]], where: str) -> tuple[tuple[Feature, ...], ...]:
    return tuple(_features(specs, f"{where}.{name}") for name, specs in cats.items())


def _counter(categories: tuple[tuple[Feature, ...], ...]) -> Callable[[Facts], int]:
    """One generated function counting the categories with at least one feature present (`_count`)."""
    env: dict[str, Any] = {}
    terms = [f"(1 if ({' or '.join(x.expr(env) for x in feats)}) else 0)" for feats in categories if feats]
    fn: Callable[[Facts], int] = generate("count_categories", [f"return {' + '.join(terms) or '0'}"], env)
    return fn


@functools.cache
def _compiled() -> _Compiled:
    kb = knowledge()
    conditions = []
    for i, c in enumerate(kb.conditions):
        where = f"{_FILE}: conditions[{i}] (entry {c.id!r})"
        supporting = _features(c.supporting, f"{where}.supporting")
        against = _features(c.against, f"{where}.against")
        gated = any(f.gate for f in supporting)
        match, gate_open = _matcher(supporting, against, gated)
        conditions.append(
            _Condition(
                code=c.id,
                label=c.label,
                citation=cite(c.citation),
                supporting=supporting,
                against=against,
                gated=gated,
                gates=tuple(f.test for f in supporting if f.gate),
                criterion=c.criteria,
                match=match,
                gate_open=gate_open,
            )
        )
    b = kb.budapest
    scan = tuple((c, c.gate_open if c.gated and c.criterion is None else None) for c in conditions)
    symptoms = _categories(b.symptom_categories, f"{_FILE}: budapest.symptom_categories")
    signs = _categories(b.sign_categories, f"{_FILE}: budapest.sign_categories")
    return _Compiled(
        scale=kb.scoring.scale,
        min_listed_score=kb.scoring.min_listed_score,
        confirmed_label=kb.scoring.confirmed_label,
        conditions=tuple(conditions),
        by_code={c.code: c for c in conditions},
        symptom_categories=tuple(tuple(f.test for f in feats) for feats in symptoms),
        sign_categories=tuple(tuple(f.test for f in feats) for feats in signs),
        count_symptoms=_counter(symptoms),
        count_signs=_counter(signs),
        scan=scan,
        open_conditions=_open_conditions(scan),
    )


def _open_conditions(
    scan: tuple[tuple[_Condition, Predicate | None], ...],
) -> Callable[[Facts], list[_Condition]]:
    env: dict[str, Any] = {}
    body = ["out = []"]
    for c, gate in scan:
        name = _const(env, c)
        if gate is None:
            body.append(f"out.append({name})")
        else:
            tests = " or ".join(feat.expr(env) for feat in c.supporting if feat.gate) or "False"
            body.append(f"if {tests}:")
            body.append(f"    out.append({name})")
    body.append("return out")
    fn: Callable[[Facts], list[_Condition]] = generate("open_conditions", body, env)
    return fn


def condition_label(code: str) -> str:
    """The display name of a condition code (the code itself if unknown)."""
    c = _compiled().by_code.get(code)
    return c.label if c else code


def mechanism_weights() -> dict[str, dict[BaseMechanism, float]]:
    """Each condition's usual mechanism profile (for mechanism.classify)."""
    return {code: dict(profile) for code, profile in mechanism_profiles().items()}


@functools.cache
def mechanism_profiles() -> Mapping[str, tuple[tuple[BaseMechanism, float], ...]]:
    """The same profiles as `mechanism_weights`, built once when the knowledge loads (read-only)."""
    return {c.id: tuple(c.mechanism.items()) for c in knowledge().conditions}


def _count(categories: tuple[tuple[Predicate, ...], ...], f: Facts) -> int:
    return sum(1 for tests in categories if any(t(f) for t in tests))


def _budapest(f: Facts) -> _Verdict:
    """Budapest clinical criteria: count categories, not items; symptoms and signs are both required."""
    kb = knowledge().budapest
    comp = _compiled()
    assert comp.count_symptoms is not None and comp.count_signs is not None
    symptoms = comp.count_symptoms(f)
    signs = comp.count_signs(f)
    need_sym, need_sig = kb.min_symptom_categories, kb.min_sign_categories
    if symptoms >= need_sym and signs >= need_sig:
        return _Verdict(True, kb.weight_met, (kb.label_met.format(symptoms=symptoms, signs=signs),), ())
    against: list[str] = []
    if symptoms < need_sym:
        against.append(kb.label_symptoms_short.format(count=symptoms, need=need_sym))
    if signs < need_sig:
        against.append(kb.label_signs_short.format(count=signs, need=need_sig))
    return _Verdict(False, kb.weight_unmet, (), tuple(against))


def _fmt(x: float) -> str:
    return f"{x:g}"


def _acr(f: Facts) -> _Verdict:
    """ACR 2016 fibromyalgia: WPI/SSS arms, generalized pain regions, and duration, each reported if unmet."""
    kb = knowledge().acr_fibromyalgia
    wpi, sss = f.numbers["exam.wpi"], f.numbers["exam.sss"]
    regions = f.numbers["exam.generalized-pain-regions"]
    days = f.numbers["pain.duration_days"]
    against: list[str] = []
    if wpi is None or sss is None:
        against.append(kb.label_scores_missing)
    elif not any(a.wpi_min <= wpi <= a.wpi_max and sss >= a.sss_min for a in kb.arms):
        thresholds = " or ".join(
            f"WPI {a.wpi_min}{'-' + str(a.wpi_max) if a.wpi_max < 19 else ' or more'} with SSS >= {a.sss_min}"
            for a in kb.arms
        )
        against.append(kb.label_scores_short.format(wpi=_fmt(wpi), sss=_fmt(sss), thresholds=thresholds))
    need_regions = kb.generalized_regions_min
    if regions is None:
        against.append(kb.label_regions_missing.format(need=need_regions))
    elif regions < need_regions:
        against.append(kb.label_regions_short.format(count=_fmt(regions), need=need_regions))
    if days is None:
        against.append(kb.label_duration_missing.format(need=kb.min_duration_days))
    elif days < kb.min_duration_days:
        against.append(kb.label_duration_short.format(days=_fmt(days), need=kb.min_duration_days))
    if against:
        return _Verdict(False, kb.weight_unmet, (), tuple(against))
    assert wpi is not None and sss is not None and regions is not None
    label = kb.label_met.format(wpi=_fmt(wpi), sss=_fmt(sss), regions=_fmt(regions))
    return _Verdict(True, kb.weight_met, (label,), ())


_CRITERIA: dict[str, Callable[[Facts], _Verdict]] = {"budapest": _budapest, "acr-2016": _acr}


def _score(evidence: float, scale: float) -> float:
    return round(1.0 - math.exp(-evidence / scale), 2) if evidence > 0 else 0.0


def _assess(c: _Condition, f: Facts) -> tuple[bool, float, list[str], list[str]]:
    """(listed?, evidence, supporting, against) for one condition."""
    supporting, against, evidence, gate_open = c.match(f)
    if c.criterion is not None and (supporting or gate_open):
        verdict = _CRITERIA[c.criterion](f)
        if verdict.met:
            gate_open = True
            supporting[:0] = verdict.supporting
            evidence += verdict.weight
        else:
            against[:0] = verdict.against
            evidence -= verdict.weight
    return bool(supporting) and gate_open, evidence, supporting, against


def rank(case: Case) -> tuple[DifferentialItem, ...]:
    """Confirmed diagnoses first (score 1.0), then every supported condition by score, ties by code.

    A condition is listed when a supporting feature matched, its gate is open and its score reaches
    `min_listed_score`; confirmed diagnoses are listed whatever their features.
    """
    comp = _compiled()
    f = facts(case)
    if not case.diagnoses and comp.open_conditions is not None:
        return _rank_unconfirmed(comp, comp.open_conditions(f), f)
    confirmed = tuple(dict.fromkeys(case.diagnoses))
    first: list[DifferentialItem] = []
    rest: list[DifferentialItem] = []
    for c, closed_gate_rules_out in comp.scan:
        # Fast path: a gated condition none of whose gate features match cannot be listed (unless
        # confirmed, or its formal criteria could open the gate), so its other features are not evaluated.
        if closed_gate_rules_out is not None and not closed_gate_rules_out(f) and c.code not in confirmed:
            continue
        if c.criterion is None:
            supporting, against, evidence, gate_open = c.match(f)
            listed = bool(supporting) and gate_open
        else:
            listed, evidence, supporting, against = _assess(c, f)
        if c.code in confirmed:
            first.append(
                DifferentialItem(
                    code=c.code,
                    score=1.0,
                    supporting=(comp.confirmed_label, *supporting),
                    against=tuple(against),
                    confirmed=True,
                    label=c.label,
                    citation=c.citation,
                )
            )
        elif listed and (score := _score(evidence, comp.scale)) >= comp.min_listed_score:
            rest.append(
                DifferentialItem(
                    code=c.code,
                    score=score,
                    supporting=tuple(supporting),
                    against=tuple(against),
                    label=c.label,
                    citation=c.citation,
                )
            )
    first.sort(key=lambda item: confirmed.index(item.code))
    rest.sort(key=lambda item: (-item.score, item.code))
    return (*first, *rest)


def _rank_unconfirmed(
    comp: _Compiled, conditions: list[_Condition], f: Facts
) -> tuple[DifferentialItem, ...]:
    """`rank` for a case without confirmed diagnoses, over the conditions whose gate is not shut."""
    rest: list[DifferentialItem] = []
    scale = comp.scale
    min_listed = comp.min_listed_score
    exp = math.exp
    for c in conditions:
        if c.criterion is None:
            supporting, against, evidence, gate_open = c.match(f)
            listed = bool(supporting) and gate_open
        else:
            listed, evidence, supporting, against = _assess(c, f)
        if not listed:
            continue
        score = round(1.0 - exp(-evidence / scale), 2) if evidence > 0 else 0.0  # `_score`, inlined
        if score >= min_listed:
            # positional, in field order: code, score, supporting, against, confirmed, label, citation
            rest.append(
                DifferentialItem(c.code, score, tuple(supporting), tuple(against), False, c.label, c.citation)
            )
    if len(rest) > 1:
        rest.sort(key=_rank_key)
    return tuple(rest)


def _rank_key(item: DifferentialItem) -> tuple[float, str]:
    return (-item.score, item.code)
