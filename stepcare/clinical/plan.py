"""The stepped plan: least invasive first, escalating only when earlier steps were tried or an indication
justifies it, adjusted to what the case has already tried (knowledge/pathways.yaml, plan_rules.yaml).

Red flags override the pathway (emergency: referral and safety steps only; urgent: the work-up first).
Each condition's pathway is walked in order; a step is dropped when it is contraindicated (replaced by its
class alternative), failed after an adequate trial, not tolerated, or its requirements do not hold, and
kept as "continue" when it is helping or still under trial. Conditions' steps are merged by code and
ordered by tier, so tiers never decrease (referral and diagnostic steps stand where their place puts them).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from stepcare.clinical.case import Case, Exam, Procedure, Therapy
from stepcare.clinical.chronicity import classify as classify_chronicity
from stepcare.clinical.knowledge import Entry, KnowledgeError, KnowledgeFile, cite, load
from stepcare.clinical.result import DifferentialItem, PlanStep, Score, Triage
from stepcare.clinical.vocab import (
    DIAGNOSIS_CODES,
    STEP_CODES,
    Chronicity,
    Condition,
    DiagnosisCode,
    ImagingFinding,
    LiverDisease,
    Modality,
    Modifier,
    Quality,
    Radiation,
    RedFlag,
    Region,
    StepCode,
    Tier,
)

__all__ = ["build", "knowledge", "step_catalog"]


# ---------------------------------------------------------------------------------------------- schema


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Relief(_Model):
    code: StepCode
    percent: float = Field(ge=0, le=100)
    function_improved: bool | None = None


class Cond(_Model):
    """A condition on the case; every field given must hold (see plan_rules.yaml `about`)."""

    ref: str | None = None
    says: str | None = None
    chronicity_in: tuple[Chronicity, ...] = ()
    min_duration_days: int | None = None
    nrs_at_least: int | None = None
    headache_days_at_least: int | None = None
    radiation_any: tuple[Radiation, ...] = ()
    qualities_any: tuple[Quality, ...] = ()
    worse_with_any: tuple[Modifier, ...] = ()
    exam_any: tuple[str, ...] = ()
    si_provocation_at_least: int | None = None
    imaging_findings_any: tuple[ImagingFinding, ...] = ()
    imaged_any: tuple[Modality, ...] = ()
    conditions_any: tuple[Condition, ...] = ()
    pregnant: bool | None = None
    egfr_below: float | None = None
    liver_disease_in: tuple[LiverDisease, ...] = ()
    age_at_least: int | None = None
    drug_groups_any: tuple[str, ...] = ()
    in_use_any: tuple[StepCode, ...] = ()
    tried_any: tuple[StepCode, ...] = ()
    failed_any: tuple[StepCode, ...] = ()
    unsuitable_any: tuple[StepCode, ...] = ()
    conservative_weeks_at_least: float | None = None
    conservative_step_failed: bool | None = None
    relief_at_least: Relief | None = None
    psych_cleared: bool | None = None
    psych_evaluated: bool | None = None
    score_at_least: dict[str, float] = Field(default_factory=dict)
    any_of: tuple[Cond, ...] = ()
    none_of: tuple[Cond, ...] = ()


class Rule(Entry):
    when: Cond
    says: str = Field(min_length=1)


class StepDef(Entry):
    id: StepCode
    tier: Tier
    label: str = Field(min_length=1)
    place: float | None = None
    min_trial_weeks: float | None = Field(default=None, gt=0)
    drug_class: str | None = None
    repeat_if_relief_at_least: float | None = Field(default=None, ge=0, le=100)
    requires: Cond | None = None
    contraindications: tuple[Rule, ...] = ()
    cautions: tuple[Rule, ...] = ()
    replace_with: tuple[StepCode, ...] = ()


class DrugStep(Entry):
    id: StepCode
    names: tuple[str, ...] = Field(min_length=1)
    routes: tuple[str, ...] = ()


class DrugGroup(Entry):
    names: tuple[str, ...] = Field(min_length=1)


class Predicate(Entry):
    when: Cond


class Selection(Entry):
    min_top_score: float = Field(ge=0, le=1)
    min_score: float = Field(ge=0, le=1)
    within_of_top: float = Field(ge=0, le=1)
    max_conditions: int = Field(ge=1)


class Weeks(Entry):
    weeks: float = Field(gt=0)


class Codes(Entry):
    codes: tuple[StepCode, ...]


class PsychologyRule(Entry):
    thresholds: dict[str, float]
    labels: dict[str, str]
    says: str
    codes: tuple[StepCode, ...]


class EmergencyRule(Entry):
    says: str
    keep_codes: tuple[StepCode, ...]


class UrgentRule(Entry):
    says: str
    hold_tiers: tuple[int, ...]
    by_red_flag: dict[RedFlag, tuple[StepCode, ...]]
    action_keywords: dict[str, StepCode]


class FallbackRule(Entry):
    says: str
    codes: tuple[StepCode, ...]


class Messages(_Model):
    continue_label: str
    repeat_label: str
    good: str
    partial: str
    in_progress: str
    short_trial: str
    in_use: str
    replaces: str
    not_tolerated: str
    repeat: str


class PlanRulesFile(KnowledgeFile):
    selection: Selection
    default_min_trial_weeks: Weeks
    conservative_codes: Codes
    steps: tuple[StepDef, ...]
    drug_steps: tuple[DrugStep, ...]
    drug_groups: tuple[DrugGroup, ...]
    predicates: tuple[Predicate, ...]
    psychology: PsychologyRule
    emergency: EmergencyRule
    urgent: UrgentRule
    fallback: FallbackRule
    messages: Messages


class PathwayStep(Entry):
    code: StepCode
    label: str | None = None
    rationale: str = Field(min_length=1)
    requires: Cond | None = None
    replace_with: tuple[StepCode, ...] | None = None
    place: float | None = None


class Avoid(Entry):
    codes: tuple[StepCode, ...] = Field(min_length=1)
    says: str = Field(min_length=1)
    whole_plan: bool = False  # also vetoes the codes when another served condition's pathway proposes them


class Pathway(Entry):
    id: DiagnosisCode
    regions: tuple[Region, ...] = ()
    steps: tuple[PathwayStep, ...] = Field(min_length=1)
    avoid: tuple[Avoid, ...] = ()


class PathwaysFile(KnowledgeFile):
    pathways: tuple[Pathway, ...]


# ------------------------------------------------------------------------------------- compiled rules


class _Unset:
    """Marks a fact not yet worked out."""


_UNSET = _Unset()


@dataclass(slots=True)
class Facts:
    """What the rules ask about one case, worked out once per evaluation."""

    case: Case
    kb: PlanKnowledge
    days: int | None
    conditions: frozenset[str]
    pregnant: bool
    drug_groups: set[str]
    in_use: dict[str, list[str]]
    in_use_weeks: dict[str, float]
    therapies: dict[str, Therapy]
    procedures: dict[str, Procedure]
    tried: set[str]
    failed: set[str]
    failed_classes: set[str]
    conservative_weeks: float
    conservative_failed: bool
    scores: dict[str, float]
    _chronicity: str | _Unset | None = _UNSET
    _fmt: dict[str, Any] | None = None
    _contra: dict[str, tuple[str, tuple[str, ...]] | None] = field(default_factory=dict)

    @property
    def chronicity(self) -> str | None:
        """Worked out on first use: few rules ask for it."""
        if self._chronicity is _UNSET:
            self._chronicity = classify_chronicity(self.case)
        return self._chronicity  # type: ignore[return-value]

    @property
    def fmt(self) -> dict[str, Any]:
        """The values a rule's `says` may quote; built only when a rule with a message holds."""
        if self._fmt is None:
            case = self.case
            days = self.days
            self._fmt = {
                "nrs": case.pain.nrs,
                "weeks": _num(days / 7) if days is not None else "?",
                "egfr": case.patient.egfr,
                "age": case.patient.age,
                "headache_days": case.pain.headache_days_per_month,
                "conservative_weeks": _num(self.conservative_weeks),
            }
        return self._fmt

    def contraindication(self, code: str) -> tuple[str, tuple[str, ...]] | None:
        """The first safety rule that rules the step out for this patient (reason, citation keys)."""
        rules = self.kb.codes[code].contras
        if not rules:
            return None
        contra = self._contra
        if code in contra:
            return contra[code]
        found: tuple[str, tuple[str, ...]] | None = None
        for says, keys, pred in rules:
            if pred.test(self, _NO_REGIONS):  # Pred.holds without reasons
                found = (says.format_map(self.fmt), keys)
                break
        contra[code] = found
        return found

    def unsuitable(self, code: str) -> bool:
        therapy = self.therapies.get(code)
        return self.contraindication(code) is not None or (
            therapy is not None and therapy.response == "intolerant"
        )


Check = Callable[[Facts, frozenset[str]], bool]
_NO_REGIONS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Pred:
    checks: tuple[Check, ...]
    any_of: tuple[Pred, ...]
    none_of: tuple[Pred, ...]
    refs: tuple[Pred, ...]
    says: str | None
    test: Check  # the same truth value as `holds`, without collecting the reasons
    quiet: bool  # no `says` anywhere in the condition: `holds` never adds a reason

    def holds(self, f: Facts, regions: frozenset[str], says: list[str] | None) -> bool:
        """Whether the condition holds; when it does and `says` is given, its reasons are added to it."""
        if not self.test(f, regions):
            return False
        if says is not None and not self.quiet:
            self._reasons(f, regions, says)
        return True

    def _reasons(self, f: Facts, regions: frozenset[str], says: list[str]) -> None:
        """The reasons of a condition known to hold: its references', its first holding branch's, its own."""
        for ref in self.refs:
            if not ref.quiet:
                ref._reasons(f, regions, says)
        for branch in self.any_of:
            if branch.test(f, regions):
                if not branch.quiet:
                    branch._reasons(f, regions, says)
                break
        if self.says:
            says.append(self.says.format_map(f.fmt))


_EXAM_FIELDS = {name.replace("_", "-"): name for name in Exam.model_fields}


def _checks(c: Cond) -> list[Check]:
    out: list[Check] = []
    if c.chronicity_in:
        allowed = frozenset(c.chronicity_in)
        out.append(lambda f, r: f.chronicity in allowed)
    if c.min_duration_days is not None:
        lo = c.min_duration_days
        out.append(lambda f, r: f.days is not None and f.days >= lo)
    if c.nrs_at_least is not None:
        nrs = c.nrs_at_least
        out.append(lambda f, r: f.case.pain.nrs is not None and f.case.pain.nrs >= nrs)
    if c.headache_days_at_least is not None:
        hd = c.headache_days_at_least
        out.append(
            lambda f, r: (
                f.case.pain.headache_days_per_month is not None and f.case.pain.headache_days_per_month >= hd
            )
        )
    if c.radiation_any:
        rad = frozenset(c.radiation_any)
        out.append(lambda f, r: not rad.isdisjoint(f.case.pain.radiation))
    if c.qualities_any:
        qual = frozenset(c.qualities_any)
        out.append(lambda f, r: not qual.isdisjoint(f.case.pain.qualities))
    if c.worse_with_any:
        worse = frozenset(c.worse_with_any)
        out.append(lambda f, r: not worse.isdisjoint(f.case.pain.worse_with))
    if c.exam_any:
        attrs = tuple(_EXAM_FIELDS[name] for name in c.exam_any)
        out.append(lambda f, r: any(getattr(f.case.exam, a) for a in attrs))
    if c.si_provocation_at_least is not None:
        si = c.si_provocation_at_least
        out.append(
            lambda f, r: (
                f.case.exam.si_provocation_positive is not None and f.case.exam.si_provocation_positive >= si
            )
        )
    if c.imaging_findings_any:
        finds = frozenset(c.imaging_findings_any)
        out.append(lambda f, r: any(not finds.isdisjoint(i.findings) for i in f.case.imaging))
    if c.imaged_any:
        mods = frozenset(c.imaged_any)
        out.append(
            lambda f, r: any(
                i.modality in mods and (i.region is None or not r or i.region in r) for i in f.case.imaging
            )
        )
    if c.conditions_any:
        conds = frozenset(c.conditions_any)
        out.append(lambda f, r: not conds.isdisjoint(f.conditions))
    if c.pregnant is not None:
        preg = c.pregnant
        out.append(lambda f, r: f.pregnant == preg)
    if c.egfr_below is not None:
        egfr = c.egfr_below
        out.append(lambda f, r: f.case.patient.egfr is not None and f.case.patient.egfr < egfr)
    if c.liver_disease_in:
        liver = frozenset(c.liver_disease_in)
        out.append(lambda f, r: f.case.patient.liver_disease in liver)
    if c.age_at_least is not None:
        age = c.age_at_least
        out.append(lambda f, r: f.case.patient.age >= age)
    if c.drug_groups_any:
        groups = frozenset(c.drug_groups_any)
        out.append(lambda f, r: not groups.isdisjoint(f.drug_groups))
    if c.in_use_any:
        using = tuple(c.in_use_any)
        out.append(lambda f, r: any(code in f.in_use for code in using))
    if c.tried_any:
        tried = frozenset(c.tried_any)
        out.append(lambda f, r: not tried.isdisjoint(f.tried))
    if c.failed_any:
        failed_codes = frozenset(c.failed_any)
        out.append(lambda f, r: not failed_codes.isdisjoint(f.failed))
    if c.unsuitable_any:
        unsuitable = tuple(c.unsuitable_any)
        out.append(lambda f, r: any(f.unsuitable(code) for code in unsuitable))
    if c.conservative_weeks_at_least is not None:
        weeks = c.conservative_weeks_at_least
        out.append(lambda f, r: f.conservative_weeks >= weeks)
    if c.conservative_step_failed is not None:
        failed = c.conservative_step_failed
        out.append(lambda f, r: f.conservative_failed == failed)
    if c.relief_at_least is not None:
        relief = c.relief_at_least
        out.append(lambda f, r: _relief_holds(f, relief))
    if c.psych_cleared is not None:
        cleared = c.psych_cleared
        out.append(
            lambda f, r: (f.case.psych_evaluation is not None and f.case.psych_evaluation.cleared) == cleared
        )
    if c.psych_evaluated is not None:
        evaluated = c.psych_evaluated
        out.append(lambda f, r: (f.case.psych_evaluation is not None) == evaluated)
    for instrument, threshold in c.score_at_least.items():
        out.append(
            lambda f, r, i=instrument, t=threshold: i in f.scores and f.scores[i] >= t  # type: ignore[misc]
        )
    return out


def _relief_holds(f: Facts, relief: Relief) -> bool:
    proc = f.procedures.get(relief.code)
    if proc is None or proc.relief_percent is None or proc.relief_percent < relief.percent:
        return False
    return relief.function_improved is None or proc.function_improved == relief.function_improved


@dataclass(frozen=True, slots=True)
class _Cites:
    """Citation keys as given, without repeats, and their citation string (None: work it out on output)."""

    keys: tuple[str, ...]
    unique: tuple[str, ...]
    text: str | None


def _cites(keys: tuple[str, ...], *, now: bool = True) -> _Cites:
    unique = tuple(dict.fromkeys(keys))
    return _Cites(keys, unique, cite(unique) if now else None)


_Rule = tuple[str, tuple[str, ...], "Pred"]  # says, citation keys, condition


@dataclass(frozen=True, slots=True)
class _Code:
    """One catalog step as the plan walk needs it."""

    code: str
    label: str
    tier: Tier
    held: int | None  # the numeric tier an urgent work-up can hold back
    place: float
    drug_class: str | None
    min_trial: float
    repeat_at: float | None
    requires: Pred | None
    contras: tuple[_Rule, ...]
    cautions: tuple[_Rule, ...]
    alternatives: tuple[str, ...]
    citation: tuple[str, ...]
    plain: bool = False  # no drug class, requirement, safety rule or caution


@dataclass(frozen=True, slots=True)
class _Step:
    """One pathway step, resolved against the catalog."""

    info: _Code
    label: str
    rationale: str
    cites: _Cites
    requires: Pred | None
    alternatives: tuple[str, ...]
    place: float


# a caution as the walk holds it: its text, whether that is a template to fill in, its condition's test, its
# citation keys, and the step's citations with those keys (what the step is cited with when only it applies)
_WalkCaution = tuple[str, bool, "Check", tuple[str, ...], _Cites]

# step, code, catalog entry, held tier, drug class, catalog requires' test and (when it has reasons) condition,
# pathway requires' test and condition likewise, contras, cautions
_Row = tuple[
    _Step,
    str,
    _Code,
    "int | None",
    "str | None",
    "Check | None",
    "Pred | None",
    "Check | None",
    "Pred | None",
    tuple[_Rule, ...],
    tuple[_WalkCaution, ...],
]


@dataclass(frozen=True, slots=True)
class CompiledPathway:
    pathway: Pathway
    regions: frozenset[str]
    avoid: frozenset[str]
    requires: tuple[Pred | None, ...]
    avoid_whole_plan: frozenset[str] = frozenset()
    steps: tuple[_Step, ...] = ()
    rows: tuple[_Row, ...] = ()  # each step with what the walk asks of it first, unpacked in one go


@dataclass(frozen=True, slots=True)
class PlanKnowledge:
    rules: PlanRulesFile
    pathways: Mapping[str, CompiledPathway]
    catalog: Mapping[str, StepDef]
    place: Mapping[str, float]
    drug_steps: tuple[tuple[str, frozenset[str], frozenset[str]], ...]
    drug_groups: Mapping[str, frozenset[str]]
    conservative: frozenset[str]
    min_trial: Mapping[str, float]
    drug_class: Mapping[str, str]
    groups_of: Mapping[str, tuple[str, ...]]  # medication name -> its drug groups
    steps_of: Mapping[str, tuple[tuple[str, frozenset[str]], ...]]  # name -> (step, routes), file order
    codes: Mapping[str, _Code]  # step code -> its compiled catalog entry (requires, safety rules)
    generic: Mapping[tuple[str, str], _Cites]  # (rule section, step code) -> step's and rule's citations
    psych_labels: tuple[tuple[str, float, str], ...]  # instrument, threshold, label


class _Compiler:
    def __init__(self, predicates: Iterable[Predicate], groups: Iterable[str]) -> None:
        self.named = {p.id: p.when for p in predicates}
        self.groups = frozenset(groups)
        self.done: dict[str, Pred] = {}
        self.active: set[str] = set()

    def ref(self, name: str) -> Pred:
        if name in self.done:
            return self.done[name]
        if name not in self.named:
            raise KnowledgeError(f"knowledge/plan_rules.yaml: unknown predicate {name!r}")
        if name in self.active:
            raise KnowledgeError(f"knowledge/plan_rules.yaml: predicate {name!r} refers to itself")
        self.active.add(name)
        pred = self.compile(self.named[name])
        self.active.discard(name)
        self.done[name] = pred
        return pred

    def compile(self, c: Cond) -> Pred:
        for name in c.exam_any:
            if name not in _EXAM_FIELDS:
                raise KnowledgeError(f"knowledge: unknown exam finding {name!r} in a plan condition")
        for group in c.drug_groups_any:
            if group not in self.groups:
                raise KnowledgeError(f"knowledge: unknown drug group {group!r} in a plan condition")
        checks = tuple(_checks(c))
        any_of = tuple(self.compile(b) for b in c.any_of)
        none_of = tuple(self.compile(b) for b in c.none_of)
        refs = (self.ref(c.ref),) if c.ref else ()
        return Pred(
            checks=checks,
            any_of=any_of,
            none_of=none_of,
            refs=refs,
            says=c.says,
            test=_test(checks, refs, any_of, none_of),
            quiet=not c.says and all(b.quiet for b in (*refs, *any_of)),
        )


def _test(
    checks: tuple[Check, ...], refs: tuple[Pred, ...], any_of: tuple[Pred, ...], none_of: tuple[Pred, ...]
) -> Check:
    """One condition's truth as a single call: its checks, then its references, one `any_of`, no `none_of`."""
    every = (*checks, *(r.test for r in refs))
    some = tuple(b.test for b in any_of)
    none = tuple(b.test for b in none_of)
    if not some and not none:
        if len(every) == 1:
            return every[0]
        if not every:
            return _always

    # one expression, evaluated in that order: every check and reference, then one branch, then no excluded one
    env: dict[str, Check] = {}
    terms: list[str] = []
    for i, check in enumerate(every):
        env[f"e{i}"] = check
        terms.append(f"e{i}(f, r)")
    if some:
        for i, branch in enumerate(some):
            env[f"s{i}"] = branch
        terms.append("(" + " or ".join(f"s{i}(f, r)" for i in range(len(some))) + ")")
    for i, branch in enumerate(none):
        env[f"n{i}"] = branch
        terms.append(f"not n{i}(f, r)")
    source = "def test(f, r):\n    return " + " and ".join(terms) + "\n"
    exec(compile(source, "<stepcare:plan condition>", "exec"), env)  # noqa: S102 - built from fixed names
    test: Check = env["test"]
    return test


def _always(f: Facts, regions: frozenset[str]) -> bool:
    return True


@functools.cache
def knowledge() -> PlanKnowledge:
    rules = load("plan_rules.yaml", PlanRulesFile)
    paths = load("pathways.yaml", PathwaysFile)
    catalog: dict[str, StepDef] = {s.id: s for s in rules.steps}
    if len(catalog) != len(rules.steps) or set(catalog) != set(STEP_CODES):
        missing = sorted(set(STEP_CODES) - set(catalog))
        raise KnowledgeError(
            f"knowledge/plan_rules.yaml: steps must list every plan step code once (missing: {missing})"
        )
    place: dict[str, float] = {}
    for s in rules.steps:
        numeric = isinstance(s.tier, int)
        if numeric == (s.place is not None):
            raise KnowledgeError(
                f"knowledge/plan_rules.yaml: step {s.id!r}: referral and diagnostic steps need a place, "
                "tiered steps must not have one"
            )
        place[s.id] = float(s.tier) if isinstance(s.tier, int) else float(s.place or 0)
    comp = _Compiler(rules.predicates, (g.id for g in rules.drug_groups))
    for p in rules.predicates:
        comp.ref(p.id)
    codes: dict[str, _Code] = {
        s.id: _Code(
            code=s.id,
            label=s.label,
            tier=s.tier,
            held=s.tier if isinstance(s.tier, int) else None,
            place=place[s.id],
            drug_class=s.drug_class,
            min_trial=s.min_trial_weeks or rules.default_min_trial_weeks.weeks,
            repeat_at=s.repeat_if_relief_at_least,
            requires=comp.compile(s.requires) if s.requires else None,
            contras=tuple((r.says, r.citation, comp.compile(r.when)) for r in s.contraindications),
            cautions=tuple((r.says, r.citation, comp.compile(r.when)) for r in s.cautions),
            alternatives=s.replace_with,
            citation=s.citation,
            plain=not (s.drug_class or s.requires or s.contraindications or s.cautions),
        )
        for s in rules.steps
    }
    generic: dict[tuple[str, str], _Cites] = {}
    for section, keys, rule_codes in (
        ("emergency", rules.emergency.citation, ("emergency-referral",)),
        ("urgent", rules.urgent.citation, [c for cs in rules.urgent.by_red_flag.values() for c in cs]),
        ("urgent", rules.urgent.citation, list(rules.urgent.action_keywords.values())),
        ("fallback", rules.fallback.citation, (*rules.fallback.codes, *rules.emergency.keep_codes)),
        ("psychology", rules.psychology.citation, rules.psychology.codes),
    ):
        for code in rule_codes:
            generic[section, code] = _cites((*catalog[code].citation, *keys))
    compiled: dict[str, CompiledPathway] = {}
    for pw in paths.pathways:
        if pw.id in compiled:
            raise KnowledgeError(f"knowledge/pathways.yaml: pathway {pw.id!r} defined twice")
        avoid = frozenset(code for a in pw.avoid for code in a.codes)
        for ps in pw.steps:
            if ps.code in avoid:
                raise KnowledgeError(
                    f"knowledge/pathways.yaml: {pw.id}: step {ps.id!r} is in its own avoid list"
                )
            if ps.place is not None and isinstance(catalog[ps.code].tier, int):
                raise KnowledgeError(f"knowledge/pathways.yaml: {pw.id}: step {ps.id!r} is tiered; no place")
        requires = tuple(comp.compile(ps.requires) if ps.requires else None for ps in pw.steps)
        steps = tuple(
            _Step(
                info=codes[ps.code],
                label=ps.label or catalog[ps.code].label,
                rationale=ps.rationale,
                cites=_cites(ps.citation),
                requires=req,
                alternatives=catalog[ps.code].replace_with if ps.replace_with is None else ps.replace_with,
                place=place[ps.code] if ps.place is None else ps.place,
            )
            for ps, req in zip(pw.steps, requires, strict=True)
        )
        compiled[pw.id] = CompiledPathway(
            pathway=pw,
            regions=frozenset(pw.regions),
            avoid=avoid,
            requires=requires,
            avoid_whole_plan=frozenset(code for a in pw.avoid if a.whole_plan for code in a.codes),
            steps=steps,
            rows=tuple(
                (
                    st,
                    st.info.code,
                    st.info,
                    st.info.held,
                    st.info.drug_class,
                    *_row_pred(st.info.requires),
                    *_row_pred(st.requires),
                    st.info.contras,
                    tuple(
                        (
                            says,
                            "{" in says or "}" in says,
                            pred.test,
                            keys,
                            _cites((*st.cites.keys, *keys)),
                        )
                        for says, keys, pred in st.info.cautions
                    ),
                )
                for st in steps
            ),
        )
    if set(compiled) != set(DIAGNOSIS_CODES):
        missing = sorted(set(DIAGNOSIS_CODES) - set(compiled))
        raise KnowledgeError(f"knowledge/pathways.yaml: every condition needs a pathway (missing: {missing})")
    drug_steps = tuple(
        (d.id, frozenset(n.lower() for n in d.names), frozenset(d.routes)) for d in rules.drug_steps
    )
    drug_groups = {g.id: frozenset(n.lower() for n in g.names) for g in rules.drug_groups}
    groups_of: dict[str, list[str]] = {}
    for group, members in drug_groups.items():
        for name in members:
            groups_of.setdefault(name, []).append(group)
    steps_of: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for code, members, routes in drug_steps:
        for name in members:
            steps_of.setdefault(name, []).append((code, routes))
    return PlanKnowledge(
        rules=rules,
        pathways=compiled,
        catalog=catalog,
        place=place,
        drug_steps=drug_steps,
        drug_groups=drug_groups,
        conservative=frozenset(rules.conservative_codes.codes),
        min_trial={s.id: s.min_trial_weeks or rules.default_min_trial_weeks.weeks for s in rules.steps},
        drug_class={s.id: s.drug_class for s in rules.steps if s.drug_class},
        groups_of={name: tuple(found) for name, found in groups_of.items()},
        steps_of={name: tuple(found) for name, found in steps_of.items()},
        codes=codes,
        generic=generic,
        psych_labels=tuple(
            (name, threshold, rules.psychology.labels.get(name, name))
            for name, threshold in rules.psychology.thresholds.items()
        ),
    )


@functools.cache
def step_catalog() -> dict[str, dict[str, Any]]:
    """Every plan step code with its tier and label (for the web UI and `stepcare knowledge`)."""
    kb = knowledge()
    return {code: {"tier": kb.catalog[code].tier, "label": kb.catalog[code].label} for code in STEP_CODES}


# ---------------------------------------------------------------------------------------------- facts


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:.1f}"


def _facts(case: Case, kb: PlanKnowledge, scores: Mapping[str, Score]) -> Facts:
    patient = case.patient
    conditions = frozenset(patient.conditions)
    groups: set[str] = set()
    in_use: dict[str, list[str]] = {}
    in_use_weeks: dict[str, float] = {}
    if case.medications:
        groups_of = kb.groups_of
        steps_of = kb.steps_of
        as_of = case.as_of
        for med in case.medications:
            names = [med.name.lower()]
            if med.ingredients:
                names.extend(i.name.lower() for i in med.ingredients)
            for name in names:
                found = groups_of.get(name)
                if found:
                    groups.update(found)
                for code, routes in steps_of.get(name, ()):
                    if not routes or med.route in routes:
                        using = in_use.get(code)
                        if using is None:
                            in_use[code] = [name]
                        else:
                            using.append(name)
                        if med.start is not None:
                            weeks = (as_of - med.start).days / 7
                            in_use_weeks[code] = max(in_use_weeks.get(code, 0.0), weeks)
                        break
    therapies: dict[str, Therapy] = {t.code: t for t in case.therapies}
    procedures: dict[str, Procedure] = {}
    if case.procedures:
        for proc in sorted(case.procedures, key=_by_date):
            procedures[proc.code] = proc
    tried: set[str] = set()
    failed_classes: set[str] = set()
    conservative_weeks = 0.0
    conservative_failed = False
    if therapies or in_use_weeks:
        min_trial = kb.min_trial
        conservative = kb.conservative
        drug_class = kb.drug_class
        for code, t in therapies.items():
            response = t.response
            adequate = t.completed or t.weeks >= min_trial[code]
            if code in conservative:
                if response == "intolerant" or (response == "none" and adequate):
                    conservative_failed = True
                if response != "good":
                    conservative_weeks = max(conservative_weeks, t.weeks)
            if response == "intolerant" or (response != "good" and adequate):
                tried.add(code)
            if response == "none" and adequate and code in drug_class:
                failed_classes.add(drug_class[code])
        failed = set(tried)  # recorded failures only; a medicine merely in use is not one
        for code, weeks in in_use_weeks.items():
            if code not in therapies:
                if weeks >= min_trial[code]:
                    tried.add(code)
                if code in conservative:
                    conservative_weeks = max(conservative_weeks, weeks)
    else:
        failed = set()
    if procedures:
        codes = kb.codes
        for code, proc in procedures.items():
            threshold = codes[code].repeat_at
            if threshold is None or proc.relief_percent is None or proc.relief_percent < threshold:
                tried.add(code)
                failed.add(code)
    return Facts(  # positional, in field order: this runs once per evaluation
        case,
        kb,
        case.duration_days,
        conditions,
        patient.pregnant or "pregnancy" in conditions,
        groups,
        in_use,
        in_use_weeks,
        therapies,
        procedures,
        tried,
        failed,
        failed_classes,
        conservative_weeks,
        conservative_failed,
        _score_values(scores),
    )


def _score_values(scores: Mapping[str, Score]) -> dict[str, float]:
    """Each instrument's score, plus its numeric subscales as `instrument.subscale` (e.g. STarT Back's
    `start-back.psychosocial`), for the rules' score thresholds."""
    out: dict[str, float] = {}
    for name, s in scores.items():
        if s.score is not None:
            out[name] = s.score
        for key, value in s.extra.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[f"{name}.{key}"] = value
    return out


_by_date = operator.attrgetter("date")


# ---------------------------------------------------------------------------------------------- build


@dataclass(slots=True)
class _Draft:
    code: str
    place: float
    label: str
    rationale: list[str]
    cites: list[str]
    citation: str | None  # of `cites`, while they are the ones the step was first cited with
    condition: str | None


_by_place = operator.attrgetter("place")


@dataclass(slots=True)
class _Plan:
    f: Facts
    drafts: dict[str, _Draft] = field(default_factory=dict)
    hold_tiers: frozenset[int] = frozenset()

    def add(
        self, code: str, place: float, label: str, text: list[str], cites: _Cites, condition: str | None
    ) -> None:
        old = self.drafts.get(code)
        if old is None:
            self.drafts[code] = _Draft(code, place, label, text, list(cites.unique), cites.text, condition)
            return
        if place < old.place:
            old.place = place
        rationale = old.rationale
        for r in text:
            if r not in rationale:
                rationale.append(r)
        have = old.cites
        for k in cites.keys:
            if k not in have:
                have.append(k)
                old.citation = None

    def steps(self) -> tuple[PlanStep, ...]:
        """Ordered by place, first added first among equals (the sort is stable)."""
        codes = self.f.kb.codes
        drafts = list(self.drafts.values())
        if len(drafts) > 1:
            drafts.sort(key=_by_place)
        out: list[PlanStep] = []
        for order, d in enumerate(drafts, start=1):
            rationale = d.rationale
            citation = d.citation
            out.append(
                PlanStep(
                    order,
                    codes[d.code].tier,
                    d.code,
                    d.label,
                    rationale[0] if len(rationale) == 1 else " ".join(rationale),
                    citation if citation is not None else cite(d.cites),
                    d.condition,
                )
            )
        return tuple(out)


def _consider(
    p: _Plan,
    cp: CompiledPathway | None,
    info: _Code,
    name: str,
    rationale: str,
    cites: _Cites,
    requires: Pred | None,
    alternatives: tuple[str, ...],
    place: float,
    condition: str | None,
    seen: frozenset[str] = frozenset(),
) -> None:
    """Add the step `info` (shown as `name`) unless the pathway avoids it, a red-flag work-up holds its tier,
    it is ruled out (then its alternatives are considered), its class failed, or its requirements fail."""
    code = info.code
    if cp is not None and code in cp.avoid:
        return
    if info.held is not None and info.held in p.hold_tiers:
        return
    f = p.f
    therapy = f.therapies.get(code)
    contra = f.contraindication(code) if info.contras else None
    if contra is not None or (therapy is not None and therapy.response == "intolerant"):
        msg = f.kb.rules.messages
        if contra is not None:
            why, why_keys = msg.replaces.format(other=name, reason=contra[0]), contra[1]
        else:
            why, why_keys = msg.not_tolerated.format(other=name), ()
        codes = f.kb.codes
        for alt in alternatives:
            if alt in seen or alt == code:
                continue
            alt_info = codes[alt]
            _consider(
                p,
                cp,
                alt_info,
                alt_info.label,
                why,
                _cites((*alt_info.citation, *why_keys), now=False),
                None,
                (),
                alt_info.place,
                condition,
                seen | {code},
            )
        return
    drug_class = info.drug_class
    if (
        drug_class is not None
        and drug_class in f.failed_classes
        and not (therapy is not None and therapy.response in ("good", "partial"))
    ):
        return
    says: list[str] = []
    regions = cp.regions if cp is not None else _NO_REGIONS
    if info.requires is not None and not info.requires.holds(f, regions, says):
        return
    text: list[str] = []
    shown = name
    if therapy is not None:
        msg = f.kb.rules.messages
        response = therapy.response
        if response == "none":
            if therapy.completed or therapy.weeks >= info.min_trial:
                return
            text.append(msg.short_trial.format(weeks=_num(therapy.weeks), min_weeks=_num(info.min_trial)))
        elif response == "good":
            text.append(msg.good.format(weeks=_num(therapy.weeks)))
        elif response == "partial":
            text.append(msg.partial.format(weeks=_num(therapy.weeks)))
        else:
            text.append(msg.in_progress.format(weeks=_num(therapy.weeks), min_weeks=_num(info.min_trial)))
        shown = msg.continue_label.format(label=name)
    elif code in f.in_use:
        msg = f.kb.rules.messages
        text.append(msg.in_use.format(names=", ".join(f.in_use[code])))
        shown = msg.continue_label.format(label=name)
    elif code in f.procedures:
        proc = f.procedures[code]
        threshold = info.repeat_at
        if threshold is None or proc.relief_percent is None or proc.relief_percent < threshold:
            return
        if requires is not None and not requires.holds(f, regions, says):
            return
        msg = f.kb.rules.messages
        text.append(msg.repeat.format(label=name, relief=_num(proc.relief_percent)))
        shown = msg.repeat_label.format(label=name)
    elif requires is not None and not requires.holds(f, regions, says):
        return
    text.append(rationale)
    text.extend(says)
    if info.cautions:
        keys: list[str] = []
        for caution, caution_keys, pred in info.cautions:
            if pred.test(f, _NO_REGIONS):
                text.append(caution.format_map(f.fmt))
                keys.extend(caution_keys)
        if keys:
            cites = _cites((*cites.keys, *keys), now=False)
    p.add(code, place, shown, [r for r in text if r], cites, condition)


def _walk(p: _Plan, cp: CompiledPathway, only: frozenset[str] | None = None) -> None:
    """`_consider` for each step of the pathway; a step the case has no therapy, medicine or procedure for
    and no safety rule rules out is worked out here directly (the same outcome, less per-step work)."""
    condition = cp.pathway.id
    f = p.f
    therapies = f.therapies
    in_use = f.in_use
    procedures = f.procedures
    failed_classes = f.failed_classes
    hold = p.hold_tiers
    regions = cp.regions
    drafts = p.drafts
    for (
        st,
        code,
        info,
        held,
        drug_class,
        own_test,
        own_loud,
        req_test,
        req_loud,
        contras,
        cautions,
    ) in cp.rows:
        if only is not None and code not in only:
            continue
        if (
            code in therapies
            or code in in_use
            or code in procedures
            or (contras and f.contraindication(code) is not None)
        ):
            _consider(
                p,
                cp,
                info,
                st.label,
                st.rationale,
                st.cites,
                st.requires,
                st.alternatives,
                st.place,
                condition,
            )
            continue
        # pathway steps are never in their pathway's avoid list (checked at knowledge load)
        if held is not None and held in hold:
            continue
        if drug_class is not None and drug_class in failed_classes:
            continue
        # Pred.holds, inline: the test, then the reasons of a condition that has any
        if own_test is not None and not own_test(f, regions):
            continue
        if req_test is not None and not req_test(f, regions):
            continue
        says: list[str] = []
        if own_loud is not None:
            own_loud._reasons(f, regions, says)
        if req_loud is not None:
            req_loud._reasons(f, regions, says)
        cites = st.cites
        if says or cautions:
            text = [st.rationale, *says]
            if cautions:
                keys: list[str] = []
                fired = 0
                for caution, fill, test, caution_keys, only_this in cautions:
                    if test(f, _NO_REGIONS):
                        text.append(caution.format_map(f.fmt) if fill else caution)
                        keys.extend(caution_keys)
                        fired += 1
                        one = only_this
                if keys:
                    cites = one if fired == 1 else _cites((*cites.keys, *keys), now=False)
            text = [r for r in text if r]
        else:
            text = [st.rationale]
        if code in drafts:
            p.add(code, st.place, st.label, text, cites, condition)
        else:
            drafts[code] = _Draft(code, st.place, st.label, text, list(cites.unique), cites.text, condition)


def _row_pred(pred: Pred | None) -> tuple[Check | None, Pred | None]:
    """A condition as a walk row holds it: its test, and itself when it can give reasons."""
    if pred is None:
        return None, None
    return pred.test, None if pred.quiet else pred


def _by_score_down(d: DifferentialItem) -> float:
    return -d.score


def _conditions(case: Case, differential: tuple[DifferentialItem, ...], kb: PlanKnowledge) -> list[str]:
    """Confirmed diagnoses; else the top item plus close runners-up (plan_rules.yaml `selection`)."""
    known = kb.pathways
    confirmed: list[str] = []
    ranked: list[DifferentialItem] = []
    in_order = True  # by score, highest first (the differential's own order, as a rule)
    last = 0.0
    for d in differential:
        if d.code in known:
            if d.confirmed:
                confirmed.append(d.code)
            if ranked and d.score > last:
                in_order = False
            last = d.score
            ranked.append(d)
    if not confirmed:
        confirmed = [c for c in case.diagnoses if c in known]
    if confirmed:
        return list(dict.fromkeys(confirmed))
    if not ranked:
        return []
    if not in_order:
        ranked.sort(key=_by_score_down)
    sel = kb.rules.selection
    top = ranked[0]
    if top.score < sel.min_top_score:
        return []  # too little evidence for a condition-specific pathway: general steps only
    chosen = [top.code]
    for d in ranked[1:]:
        if len(chosen) >= sel.max_conditions:
            break
        if d.score >= sel.min_score and top.score - d.score <= sel.within_of_top + 1e-9:
            chosen.append(d.code)
    return list(dict.fromkeys(chosen))


def _generic(
    p: _Plan,
    code: str,
    rationale: str,
    section: str,
    condition: str | None,
    cp: CompiledPathway | None,
    place: float | None = None,
) -> None:
    """A step a plan rule adds (red-flag override, fallback, psychology), cited by the step and the rule."""
    f = p.f
    kb = f.kb
    info = kb.codes[code]
    if info.plain and code not in f.therapies and code not in f.in_use and code not in f.procedures:
        # what `_consider` comes to for a step without conditions the case has no history of
        if cp is not None and code in cp.avoid:
            return
        if info.held is not None and info.held in p.hold_tiers:
            return
        p.add(
            code,
            info.place if place is None else place,
            info.label,
            [rationale] if rationale else [],
            kb.generic[section, code],
            condition,
        )
        return
    _consider(
        p,
        cp,
        info,
        info.label,
        rationale,
        kb.generic[section, code],
        None,
        info.alternatives,
        info.place if place is None else place,
        condition,
    )


def _urgent_codes(case: Case, triage: Triage, kb: PlanKnowledge) -> list[str]:
    rule = kb.rules.urgent
    codes: list[str] = []
    for reason in triage.reasons:
        codes.extend(rule.by_red_flag.get(reason, ()))  # type: ignore[call-overload]
    if not codes:
        action = f" {triage.action.lower()}"
        codes.extend(code for word, code in rule.action_keywords.items() if word in action)
    if not codes:
        for flag in case.red_flags:
            codes.extend(rule.by_red_flag.get(flag, ()))
    return list(dict.fromkeys(codes))


def build(
    case: Case,
    *,
    triage: Triage,
    differential: tuple[DifferentialItem, ...],
    scores: dict[str, Score],
) -> tuple[PlanStep, ...]:
    """The ordered plan for this case; every step cited and explained for this patient."""
    kb = knowledge()
    rules = kb.rules
    p = _Plan(_facts(case, kb, scores))
    conditions = _conditions(case, differential, kb)
    primary = conditions[0] if conditions else None
    level = triage.level
    if level == "emergency":
        em = rules.emergency
        text = em.says.format(reasons=", ".join(triage.reasons) or level, action=triage.action).strip()
        _generic(p, "emergency-referral", text, "emergency", primary, None, -2.0)
        keep = frozenset(em.keep_codes)
        for code in conditions:
            _walk(p, kb.pathways[code], only=keep)
        if not conditions:
            for code in em.keep_codes:
                _generic(p, code, rules.fallback.says, "fallback", None, None)
        return p.steps()
    if level == "urgent":
        ur = rules.urgent
        text = ur.says.format(reasons=", ".join(triage.reasons) or level, action=triage.action).strip()
        for code in _urgent_codes(case, triage, kb):
            _generic(p, code, text, "urgent", primary, None, -1.0)
        p.hold_tiers = frozenset(ur.hold_tiers)
    for code in conditions:
        _walk(p, kb.pathways[code])
    if len(conditions) > 1:
        for code in conditions:
            for vetoed in kb.pathways[code].avoid_whole_plan:
                p.drafts.pop(vetoed, None)
    if not conditions:
        for code in rules.fallback.codes:
            _generic(p, code, rules.fallback.says, "fallback", None, None)
    _psychology(p, primary, kb.pathways[primary] if primary else None)
    return p.steps()


def _psychology(p: _Plan, primary: str | None, cp: CompiledPathway | None) -> None:
    scores = p.f.scores
    if not scores:
        return
    found = [
        f"{label} {_num(scores[name])}"
        for name, threshold, label in p.f.kb.psych_labels
        if name in scores and scores[name] >= threshold
    ]
    if not found:
        return
    rule = p.f.kb.rules.psychology
    text = rule.says.format(findings=", ".join(found))
    for code in rule.codes:
        _generic(p, code, text, "psychology", primary, cp)
