"""Interventional procedures and payer eligibility (knowledge/procedures.yaml, knowledge/payer_criteria.yaml).

The payer's criteria are data with a small typed check language, so a clinic adds a commercial payer's
rules without code; this module only evaluates the checks against the case and words the evidence
(dates and values) so a clinician or a prior-authorization packet can see why each criterion is met or not.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import operator
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from stepcare.clinical.case import Case, Exam, Procedure
from stepcare.clinical.knowledge import Entry, KnowledgeError, KnowledgeFile, cite, load
from stepcare.clinical.result import Eligibility
from stepcare.clinical.vocab import DiagnosisCode, ImagingFinding, Region, StepCode

__all__ = [
    "Approach",
    "PayerFile",
    "ProceduresFile",
    "approach",
    "eligibility",
    "hold_required",
    "knowledge",
    "payer_knowledge",
    "payers",
]


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# ------------------------------------------------------------------------------- procedures.yaml schema


class Cpt(_Part):
    code: str = Field(pattern=r"^\d{5}$")
    use: str


class Frequency(_Part):
    count: int = Field(ge=1)
    days: int | None = Field(ge=1)
    per: str
    text: str | None = None


class Relief(_Part):
    min_percent: float = Field(ge=0, le=100)
    min_hours: float | None = Field(default=None, ge=0)
    text: str


Guidance = Literal["fluoroscopy", "ct", "ultrasound", "landmark"]


class ProcedureEntry(Entry):
    id: StepCode
    label: str
    short: str
    tier: Literal[4, 5]
    role: Literal["diagnostic", "therapeutic", "diagnostic-therapeutic", "trial", "implant"]
    regions: tuple[Region, ...]
    indications: tuple[DiagnosisCode, ...]
    indication_text: str
    contraindications: tuple[str, ...]
    conservative_care_weeks: float | None = None
    guidance: tuple[Guidance, ...]
    guidance_text: str
    frequency: Frequency | None = None
    relief: Relief | None = None
    risks: tuple[str, ...] = Field(min_length=1)
    cpt: tuple[Cpt, ...] = ()
    follow_on: tuple[StepCode, ...] = ()


class ApproachWhen(_Part):
    prior_surgery: bool | None = None
    min_levels: int | None = None
    side: Literal["unilateral", "bilateral"] | None = None


EsiApproach = Literal["transforaminal", "interlaminar", "caudal"]


class ApproachRule(Entry):
    when: ApproachWhen
    approach: EsiApproach
    alternatives: tuple[EsiApproach, ...]
    reason: str


class LevelLimits(Entry):
    transforaminal: int
    interlaminar: int
    caudal: int


class Approaches(_Part):
    procedure: StepCode
    rules: tuple[ApproachRule, ...] = Field(min_length=1)
    cpt: dict[EsiApproach, dict[Literal["lumbar", "cervical"], tuple[str, ...]]]
    level_limits: LevelLimits


class Anaesthetic(Entry):
    action: Literal["short", "long"]
    min_hours: float = Field(gt=0)
    max_hours: float = Field(gt=0)


class DiarySchedule(Entry):
    times_hours: tuple[float, ...] = Field(min_length=1)
    threshold_percent: float = Field(gt=0, le=100)


class HoldCodes(Entry):
    """The procedures before which anticoagulants and antiplatelets are reviewed for a hold."""

    codes: tuple[StepCode, ...] = Field(min_length=1)


class ProceduresFile(KnowledgeFile):
    procedures: tuple[ProcedureEntry, ...]
    anticoagulant_hold: HoldCodes
    approaches: Approaches
    anaesthetics: tuple[Anaesthetic, ...]
    diary: tuple[DiarySchedule, ...]


# ---------------------------------------------------------------------------- payer_criteria.yaml schema


class DiagnosisAny(_Part):
    kind: Literal["diagnosis_any"]
    codes: tuple[DiagnosisCode, ...] = Field(min_length=1)


class DiagnosisNone(_Part):
    kind: Literal["diagnosis_none"]
    codes: tuple[DiagnosisCode, ...] = Field(min_length=1)


class PainDurationDays(_Part):
    kind: Literal["pain_duration_days"]
    gte: int = Field(ge=0)


class ConservativeCareWeeks(_Part):
    kind: Literal["conservative_care_weeks"]
    gte: float = Field(ge=0)


class PriorBlocks(_Part):
    kind: Literal["prior_blocks"]
    procedure: StepCode
    count: int = Field(ge=1)
    min_relief_percent: float = Field(ge=0, le=100)


class MaxInRollingDays(_Part):
    kind: Literal["max_in_rolling_days"]
    procedure: StepCode
    count: int = Field(ge=1)
    days: int | None = Field(ge=1)


class RepeatRelief(_Part):
    kind: Literal["repeat_relief"]
    procedure: StepCode | None = None
    min_relief_percent: float = Field(ge=0, le=100)
    min_hours: float = Field(ge=0)
    function_counts: bool = False


class MinIntervalDays(_Part):
    kind: Literal["min_interval_days"]
    procedure: StepCode
    days: int = Field(ge=1)


class PsychClearance(_Part):
    kind: Literal["psych_clearance"]


class TrialRelief(_Part):
    kind: Literal["trial_relief"]
    procedure: StepCode
    min_relief_percent: float = Field(ge=0, le=100)
    function_required: bool = True


class ImagingConcordant(_Part):
    kind: Literal["imaging_concordant"]
    findings: tuple[ImagingFinding, ...] = Field(min_length=1)


class ExamAtLeast(_Part):
    kind: Literal["exam_at_least"]
    finding: str
    gte: int


class ConditionsNone(_Part):
    kind: Literal["conditions_none"]
    codes: tuple[str, ...] = Field(min_length=1)


class MeasureRecorded(_Part):
    kind: Literal["measure_recorded"]
    instruments: tuple[str, ...] = Field(min_length=1)


class NotCovered(_Part):
    kind: Literal["not_covered"]


Check = Annotated[
    DiagnosisAny
    | DiagnosisNone
    | PainDurationDays
    | ConservativeCareWeeks
    | PriorBlocks
    | MaxInRollingDays
    | RepeatRelief
    | MinIntervalDays
    | PsychClearance
    | TrialRelief
    | ImagingConcordant
    | ExamAtLeast
    | ConditionsNone
    | MeasureRecorded
    | NotCovered,
    Field(discriminator="kind"),
]


class Criterion(Entry):
    text: str = Field(min_length=3)
    when: Literal["first", "repeat"] | None = None
    check: Check


class Policy(Entry):
    payer: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    policy: str
    version: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    procedure: StepCode
    use: tuple[str, ...] = ()
    criteria: tuple[Criterion, ...] = ()


class CodeSet(Entry):
    codes: tuple[StepCode, ...] = Field(min_length=1)


class Messages(Entry):
    no_policy: str


class PayerFile(KnowledgeFile):
    conservative_codes: CodeSet
    criteria_sets: dict[str, tuple[Criterion, ...]] = Field(default_factory=dict)
    policies: tuple[Policy, ...] = Field(min_length=1)
    messages: Messages


# -------------------------------------------------------------------------------------------- loading


@dataclass(frozen=True, slots=True)
class _Policy:
    entry: Policy
    criteria: tuple[Criterion, ...]
    citation: str
    start: dt.date
    end: dt.date
    cited: str  # the citation as output: with the version and the effective date
    checks: tuple[tuple[str | None, str, _CheckFn, _Part], ...]  # when, text, check function, its spec


@dataclass(frozen=True, slots=True)
class _Index:
    procedures: dict[str, ProcedureEntry]
    order: dict[str, int]
    citations: dict[str, str]
    policies: dict[tuple[str, str], tuple[_Policy, ...]]
    payers: frozenset[str]
    conservative: frozenset[str]
    no_policy: str
    short: dict[str, str]


@functools.cache
def knowledge() -> ProceduresFile:
    """procedures.yaml, validated: unique ids, known follow-ons, known anaesthetics and diary block types."""
    kb = load("procedures.yaml", ProceduresFile)
    ids = [p.id for p in kb.procedures]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise KnowledgeError(f"knowledge/procedures.yaml: procedure ids defined twice: {dupes}")
    for p in kb.procedures:
        unknown = [f for f in p.follow_on if f not in ids]
        if unknown:
            raise KnowledgeError(
                f"knowledge/procedures.yaml: {p.id}: follow_on names unknown procedures {unknown}"
            )
    unknown_hold = [c for c in kb.anticoagulant_hold.codes if c not in ids]
    if unknown_hold:
        raise KnowledgeError(
            f"knowledge/procedures.yaml: anticoagulant_hold names unknown procedures {unknown_hold}"
        )
    if kb.approaches.procedure not in ids:
        raise KnowledgeError("knowledge/procedures.yaml: approaches.procedure is not a known procedure")
    for a in kb.anaesthetics:
        if a.min_hours > a.max_hours:
            raise KnowledgeError(f"knowledge/procedures.yaml: anaesthetics {a.id}: min_hours > max_hours")
    diary_ids = [d.id for d in kb.diary]
    if "default" not in diary_ids:
        raise KnowledgeError("knowledge/procedures.yaml: diary needs a 'default' schedule")
    for d in kb.diary:
        if d.id != "default" and d.id not in ids:
            raise KnowledgeError(f"knowledge/procedures.yaml: diary {d.id!r} is not a known procedure")
        if list(d.times_hours) != sorted(set(d.times_hours)) or d.times_hours[0] <= 0:
            raise KnowledgeError(
                f"knowledge/procedures.yaml: diary {d.id}: times must be positive and ascending"
            )
    return kb


_EXAM_FIELDS = frozenset(name.replace("_", "-") for name in Exam.model_fields)


@functools.cache
def payer_knowledge() -> PayerFile:
    """payer_criteria.yaml, validated: known sets, procedures and exam findings; no overlapping versions."""
    kb = load("payer_criteria.yaml", PayerFile)
    known = {p.id for p in knowledge().procedures}
    where = "knowledge/payer_criteria.yaml"
    for pol in kb.policies:
        if pol.procedure not in known:
            raise KnowledgeError(
                f"{where}: policy {pol.id}: procedure {pol.procedure!r} not in procedures.yaml"
            )
        missing = [u for u in pol.use if u not in kb.criteria_sets]
        if missing:
            raise KnowledgeError(f"{where}: policy {pol.id}: unknown criteria sets {missing}")
        crit = [c for u in pol.use for c in kb.criteria_sets[u]] + list(pol.criteria)
        if not crit:
            raise KnowledgeError(f"{where}: policy {pol.id}: no criteria")
        ids = [c.id for c in crit]
        if len(ids) != len(set(ids)):
            raise KnowledgeError(f"{where}: policy {pol.id}: criterion ids repeat")
        for c in crit:
            if isinstance(c.check, ExamAtLeast) and c.check.finding not in _EXAM_FIELDS:
                raise KnowledgeError(f"{where}: {pol.id}/{c.id}: unknown exam finding {c.check.finding!r}")
        if pol.effective_from and pol.effective_to and pol.effective_from > pol.effective_to:
            raise KnowledgeError(f"{where}: policy {pol.id}: effective_from after effective_to")
    _policy_index(kb)  # raises on overlapping versions
    return kb


def _policy_index(kb: PayerFile) -> dict[tuple[str, str], tuple[_Policy, ...]]:
    out: dict[tuple[str, str], list[_Policy]] = {}
    for pol in kb.policies:
        crit = tuple(c for u in pol.use for c in kb.criteria_sets[u]) + pol.criteria
        citation = cite(pol.citation)
        cited = citation + (f", version {pol.version}" if pol.version != "unknown" else "")
        if pol.effective_from is not None:
            cited += f", effective {pol.effective_from.isoformat()}"
        out.setdefault((pol.payer, pol.procedure), []).append(
            _Policy(
                entry=pol,
                criteria=crit,
                citation=citation,
                start=pol.effective_from or dt.date.min,
                end=pol.effective_to or dt.date.max,
                cited=cited,
                checks=tuple((c.when, c.text, _CHECKS[type(c.check)], c.check) for c in crit),
            )
        )
    for key, items in out.items():
        items.sort(key=lambda p: p.start)
        for a, b in itertools.pairwise(items):
            if b.start <= a.end:
                raise KnowledgeError(
                    f"knowledge/payer_criteria.yaml: {key[0]} {key[1]}: versions {a.entry.id} and "
                    f"{b.entry.id} overlap in their effective dates"
                )
    return {k: tuple(v) for k, v in out.items()}


@functools.cache
def _index() -> _Index:
    kb = knowledge()
    pk = payer_knowledge()
    return _Index(
        procedures={p.id: p for p in kb.procedures},
        order={p.id: i for i, p in enumerate(kb.procedures)},
        citations={p.id: cite(p.citation) for p in kb.procedures},
        policies=_policy_index(pk),
        payers=frozenset(p.payer for p in pk.policies),
        conservative=frozenset(pk.conservative_codes.codes),
        no_policy=pk.messages.no_policy,
        short={p.id: p.short for p in kb.procedures},
    )


def hold_required(code: str) -> bool:
    """Whether anticoagulants/antiplatelets must be reviewed for a hold before this procedure (ASRA 2018)."""
    return code in knowledge().anticoagulant_hold.codes


def payers() -> frozenset[str]:
    """The payers that have at least one policy on file."""
    return _index().payers


# ----------------------------------------------------------------------------------------- evaluation

_Verdict = tuple[Literal["met", "unmet", "skip"], str]
_CheckFn = Callable[[_Part, "_Ctx"], _Verdict]


def _pct(x: float) -> str:
    return f"{x:g}%"


def _hours(h: float) -> str:
    return f"{h:g} h ({h / 24:.0f} days)"


@dataclass(frozen=True, slots=True)
class _Ctx:
    case: Case
    target: str
    by_code: dict[str, tuple[Procedure, ...]]
    short: dict[str, str]
    conservative: frozenset[str]

    def done(self, code: str) -> tuple[Procedure, ...]:
        return self.by_code.get(code, ())

    def name(self, code: str) -> str:
        return self.short.get(code, code)


def _diagnosis_any(c: DiagnosisAny, x: _Ctx) -> _Verdict:
    hits = [d for d in x.case.diagnoses if d in c.codes]
    if hits:
        return "met", "confirmed " + ", ".join(hits)
    return "unmet", "no confirmed diagnosis among " + ", ".join(c.codes)


def _diagnosis_none(c: DiagnosisNone, x: _Ctx) -> _Verdict:
    hits = [d for d in x.case.diagnoses if d in c.codes]
    if hits:
        return "unmet", "confirmed " + ", ".join(hits)
    return "met", "none of " + ", ".join(c.codes) + " confirmed"


def _pain_duration(c: PainDurationDays, x: _Ctx) -> _Verdict:
    days = x.case.duration_days
    if days is None:
        return "unmet", "pain onset or duration not recorded"
    if days >= c.gte:
        return "met", f"pain for {days} days (>= {c.gte})"
    return "unmet", f"pain for {days} days (< {c.gte})"


def _conservative(c: ConservativeCareWeeks, x: _Ctx) -> _Verdict:
    tried = [t for t in x.case.therapies if t.code in x.conservative and t.response != "good"]
    if not tried:
        return "unmet", "no failed conservative care recorded"
    best = max(tried, key=lambda t: t.weeks)
    said = f"{best.code} {best.weeks:g} weeks" + (f", {best.response} response" if best.response else "")
    if best.weeks >= c.gte:
        return "met", said + (f" (>= {c.gte:g} weeks)" if c.gte else "")
    return "unmet", f"longest: {said} (< {c.gte:g} weeks)"


def _by_region(items: Sequence[Procedure]) -> dict[str | None, list[Procedure]]:
    groups: dict[str | None, list[Procedure]] = {}
    for p in items:
        groups.setdefault(p.region, []).append(p)
    return groups


def _relief_line(x: _Ctx, p: Procedure, threshold: float) -> str:
    if p.relief_percent is None:
        return f"{x.name(p.code)} {p.date.isoformat()}: relief not recorded"
    sign = ">=" if p.relief_percent >= threshold else "<"
    return (
        f"{x.name(p.code)} {p.date.isoformat()}: {_pct(p.relief_percent)} relief ({sign} {_pct(threshold)})"
    )


def _prior_blocks(c: PriorBlocks, x: _Ctx) -> _Verdict:
    blocks = x.done(c.procedure)
    if not blocks:
        return (
            "unmet",
            f"no {x.name(c.procedure)} recorded (need {c.count} with >= {_pct(c.min_relief_percent)})",
        )
    best: list[Procedure] = []
    for group in _by_region(blocks).values():
        good = [p for p in group if p.relief_percent is not None and p.relief_percent >= c.min_relief_percent]
        if len(good) > len(best):
            best = good
    if len(best) >= c.count:
        return "met", "; ".join(_relief_line(x, p, c.min_relief_percent) for p in best[-c.count :])
    lines = "; ".join(_relief_line(x, p, c.min_relief_percent) for p in blocks)
    return (
        "unmet",
        f"{lines}; need {c.count} at >= {_pct(c.min_relief_percent)} in one region, have {len(best)}",
    )


def _max_rolling(c: MaxInRollingDays, x: _Ctx) -> _Verdict:
    done = x.done(c.procedure)
    if c.days is not None:
        if done:
            start = x.case.as_of - dt.timedelta(days=c.days)
            done = tuple(p for p in done if p.date > start)
        window = f"in the {c.days} days to {x.case.as_of.isoformat()}"
    else:
        window = "to date (lifetime)"
    prior = max((len(g) for g in _by_region(done).values()), default=0) if done else 0
    said = f"{prior} {x.name(c.procedure)} {window}"
    if prior + 1 <= c.count:
        return "met", f"{said}; this would be number {prior + 1} of at most {c.count}"
    return "unmet", f"{said}; another would exceed the limit of {c.count}"


def _repeat_relief(c: RepeatRelief, x: _Ctx) -> _Verdict:
    code = c.procedure or x.target
    done = x.done(code)
    if not done:
        return "skip", ""
    last = done[-1]
    pct, hours = last.relief_percent, last.relief_hours
    head = f"{x.name(code)} {last.date.isoformat()}"
    if hours is None or (pct is None and not (c.function_counts and last.function_improved)):
        return "unmet", f"{head}: relief and its duration not recorded"
    by_pain = pct is not None and pct >= c.min_relief_percent
    by_function = c.function_counts and last.function_improved is True
    long_enough = hours >= c.min_hours
    shown = f"{head}: {_pct(pct) if pct is not None else 'unrecorded'} relief for {_hours(hours)}"
    need = f"need >= {_pct(c.min_relief_percent)} for >= {_hours(c.min_hours)}"
    if long_enough and (by_pain or by_function):
        extra = "" if by_pain else ", function improved"
        return "met", f"{shown}{extra} ({need})"
    return "unmet", f"{shown} ({need})"


def _min_interval(c: MinIntervalDays, x: _Ctx) -> _Verdict:
    done = x.done(c.procedure)
    if not done:
        return "skip", ""
    last = done[-1]
    days = (x.case.as_of - last.date).days
    said = f"last {x.name(c.procedure)} {last.date.isoformat()}, {days} days ago"
    if days >= c.days:
        return "met", f"{said} (>= {c.days})"
    return "unmet", f"{said} (< {c.days}; not before {(last.date + dt.timedelta(days=c.days)).isoformat()})"


def _psych(c: PsychClearance, x: _Ctx) -> _Verdict:
    pe = x.case.psych_evaluation
    if pe is None:
        return "unmet", "no psychological evaluation recorded"
    when = pe.date.isoformat() if pe.date else "date not recorded"
    if pe.cleared:
        return "met", f"psychological evaluation {when}: cleared"
    return "unmet", f"psychological evaluation {when}: not cleared"


def _trial(c: TrialRelief, x: _Ctx) -> _Verdict:
    done = x.done(c.procedure)
    if not done:
        return "unmet", f"no {x.name(c.procedure)} recorded"
    last = done[-1]
    head = f"{x.name(c.procedure)} {last.date.isoformat()}"
    problems: list[str] = []
    if last.relief_percent is None:
        problems.append("relief not recorded")
    elif last.relief_percent < c.min_relief_percent:
        problems.append(f"{_pct(last.relief_percent)} relief (< {_pct(c.min_relief_percent)})")
    if c.function_required and last.function_improved is not True:
        problems.append("functional improvement not documented")
    if problems:
        return "unmet", f"{head}: " + "; ".join(problems)
    fn = ", function improved" if c.function_required else ""
    return "met", f"{head}: {_pct(last.relief_percent or 0)} relief (>= {_pct(c.min_relief_percent)}){fn}"


def _imaging(c: ImagingConcordant, x: _Ctx) -> _Verdict:
    regions = {s.region for s in x.case.pain.sites}
    for im in sorted(x.case.imaging, key=lambda i: i.date, reverse=True):
        hits = [f for f in im.findings if f in c.findings]
        if hits and (not regions or im.region is None or im.region in regions):
            where = " ".join(str(p) for p in (im.region, im.level, im.side) if p)
            return "met", f"{im.modality.upper()} {im.date.isoformat()} {where}: {', '.join(hits)}".replace(
                "  ", " "
            )
    return "unmet", "no imaging of the painful region showing " + ", ".join(c.findings)


def _exam(c: ExamAtLeast, x: _Ctx) -> _Verdict:
    value = getattr(x.case.exam, c.finding.replace("-", "_"))
    if value is None:
        return "unmet", f"{c.finding} not recorded"
    if int(value) >= c.gte:
        return "met", f"{c.finding} {int(value)} (>= {c.gte})"
    return "unmet", f"{c.finding} {int(value)} (< {c.gte})"


def _conditions(c: ConditionsNone, x: _Ctx) -> _Verdict:
    hits = [d for d in x.case.patient.conditions if d in c.codes]
    if hits:
        return "unmet", ", ".join(hits) + " on the condition list"
    return "met", "none of " + ", ".join(c.codes) + " on the condition list"


def _measure(c: MeasureRecorded, x: _Ctx) -> _Verdict:
    seen: dict[str, dt.date | None] = {}
    for h in x.case.history:
        if h.instrument in c.instruments and (
            h.instrument not in seen or (seen[h.instrument] or h.date) > h.date
        ):
            seen[h.instrument] = h.date
    for q in x.case.questionnaires:
        if q.instrument in c.instruments and q.instrument not in seen:
            seen[q.instrument] = q.date or x.case.as_of
    if "nrs" in c.instruments and x.case.pain.nrs is not None and "nrs" not in seen:
        seen["nrs"] = x.case.as_of
    if not seen:
        return "unmet", "none of " + ", ".join(c.instruments) + " recorded"
    return "met", "; ".join(f"{k} from {d.isoformat() if d else 'undated'}" for k, d in sorted(seen.items()))


def _not_covered(c: NotCovered, x: _Ctx) -> _Verdict:
    return "unmet", "not covered by this policy"


_CHECKS: dict[type[BaseModel], _CheckFn] = {
    DiagnosisAny: _diagnosis_any,  # type: ignore[dict-item]
    DiagnosisNone: _diagnosis_none,  # type: ignore[dict-item]
    PainDurationDays: _pain_duration,  # type: ignore[dict-item]
    ConservativeCareWeeks: _conservative,  # type: ignore[dict-item]
    PriorBlocks: _prior_blocks,  # type: ignore[dict-item]
    MaxInRollingDays: _max_rolling,  # type: ignore[dict-item]
    RepeatRelief: _repeat_relief,  # type: ignore[dict-item]
    MinIntervalDays: _min_interval,  # type: ignore[dict-item]
    PsychClearance: _psych,  # type: ignore[dict-item]
    TrialRelief: _trial,  # type: ignore[dict-item]
    ImagingConcordant: _imaging,  # type: ignore[dict-item]
    ExamAtLeast: _exam,  # type: ignore[dict-item]
    ConditionsNone: _conditions,  # type: ignore[dict-item]
    MeasureRecorded: _measure,  # type: ignore[dict-item]
    NotCovered: _not_covered,  # type: ignore[dict-item]
}


def _select(policies: Sequence[_Policy], on: dt.date) -> _Policy | None:
    """The version in effect on `on` (the latest start when a clinic's data overlaps by mistake)."""
    found = None
    for p in policies:
        if p.start <= on <= p.end:
            found = p
    return found


def _relevant(case: Case, plan_codes: Collection[str], idx: _Index) -> list[str]:
    """Plan codes with a procedure entry, in plan order, then the follow-ons of recorded procedures."""
    procedures = idx.procedures
    planned = [c for c in plan_codes if c in procedures]
    if len(planned) > 1:
        planned = list(dict.fromkeys(planned))
    if not case.procedures:
        return planned
    follow = {f for p in case.procedures if p.code in procedures for f in procedures[p.code].follow_on}
    return planned + sorted(follow - set(planned), key=idx.order.__getitem__)


_by_date = operator.attrgetter("date")


def eligibility(
    case: Case, *, plan_codes: Collection[str], payer: str = "medicare"
) -> dict[str, Eligibility]:
    """Payer eligibility for each procedure the plan proposes or a recorded procedure leads to."""
    idx = _index()
    if payer not in idx.payers:
        raise ValueError(f"payer: unknown payer {payer!r} (known: {', '.join(sorted(idx.payers))})")
    out: dict[str, Eligibility] = {}
    relevant = _relevant(case, plan_codes, idx)
    if not relevant:
        return out
    done: dict[str, tuple[Procedure, ...]] = {}
    if case.procedures:
        by_code: dict[str, list[Procedure]] = {}
        for p in sorted(case.procedures, key=_by_date):
            by_code.setdefault(p.code, []).append(p)
        done = {k: tuple(v) for k, v in by_code.items()}
    as_of = case.as_of
    for code in relevant:
        chosen = _select(idx.policies.get((payer, code), ()), as_of)
        if chosen is None:
            entry = idx.procedures[code]
            msg = idx.no_policy.format(payer=payer, label=entry.label, date=as_of.isoformat())
            out[code] = Eligibility(eligible=False, met=(), unmet=(msg,), citation=idx.citations[code])
            continue
        ctx = _Ctx(case=case, target=code, by_code=done, short=idx.short, conservative=idx.conservative)
        repeat = code in done
        skip_when = "first" if repeat else "repeat"
        met: list[str] = []
        unmet: list[str] = []
        for when, text, check, spec in chosen.checks:
            if when == skip_when:
                continue
            status, detail = check(spec, ctx)
            if status == "met":
                met.append(f"{text}: {detail}")
            elif status == "unmet":
                unmet.append(f"{text}: {detail}")
        out[code] = Eligibility(eligible=not unmet, met=tuple(met), unmet=tuple(unmet), citation=chosen.cited)
    return out


# ----------------------------------------------------------------------------------- epidural approach

_SPINE_LUMBAR = frozenset({"low-back", "buttock", "pelvis"})
_SPINE_CERVICAL = frozenset({"neck", "thoracic-back"})
_RADICULAR = frozenset({"disc-herniation", "nerve-root-compression", "foraminal-stenosis", "radiculopathy"})


@dataclass(frozen=True, slots=True)
class Approach:
    """The suggested epidural route with the reason, its CPT codes, the level limit and the source."""

    approach: str
    alternatives: tuple[str, ...]
    reason: str
    cpt: tuple[str, ...]
    max_levels: int
    citation: str


def approach(
    case: Case,
    *,
    region: Literal["lumbar", "cervical"] | None = None,
    side: Literal["unilateral", "bilateral"] | None = None,
    levels: int | None = None,
    prior_surgery: bool | None = None,
) -> Approach:
    """Choose the epidural approach from laterality, number of levels and prior surgery (rules in YAML).

    Anything not given is read from the case: the region from the pain sites, the side and the levels
    from radicular imaging findings (else pain sites), prior surgery from surgery events in the region.
    """
    kb = knowledge().approaches
    sites = {s.region for s in case.pain.sites}
    if region is None:
        region = "cervical" if sites & _SPINE_CERVICAL and not sites & _SPINE_LUMBAR else "lumbar"
    regions = _SPINE_CERVICAL if region == "cervical" else _SPINE_LUMBAR
    scans = [i for i in case.imaging if i.region in regions and _RADICULAR & set(i.findings)]
    if levels is None:
        levels = len({i.level for i in scans if i.level}) or 1
    sides = {i.side for i in scans if i.side} or {
        s.side for s in case.pain.sites if s.region in regions and s.side
    }
    one_side = next(iter(sides)) if len(sides) == 1 and sides <= {"left", "right"} else None
    if side is None:
        side = "unilateral" if one_side else "bilateral"
    if prior_surgery is None:
        prior_surgery = any(e.kind == "surgery" and e.region in regions for e in case.events)
    for rule in kb.rules:
        w = rule.when
        if w.prior_surgery is not None and w.prior_surgery != prior_surgery:
            continue
        if w.min_levels is not None and levels < w.min_levels:
            continue
        if w.side is not None and w.side != side:
            continue
        return Approach(
            approach=rule.approach,
            alternatives=rule.alternatives,
            reason=rule.reason.format(levels=levels, side=one_side or side),
            cpt=kb.cpt[rule.approach].get(region, ()),
            max_levels=getattr(kb.level_limits, rule.approach),
            citation=cite((*rule.citation, *kb.level_limits.citation)),
        )
    raise KnowledgeError("knowledge/procedures.yaml: approaches.rules must end with a rule that always holds")
