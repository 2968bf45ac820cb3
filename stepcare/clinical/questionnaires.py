"""Questionnaire scoring and the screening alerts it raises (knowledge/questionnaires.yaml).

Answers are checked against the instrument when the case is parsed (`check_answers`), so scoring never
meets a wrong item count or an out-of-range answer: the contract forbids a silent score from bad input.
Scoring works on lookups compiled once from the knowledge file; nothing clinical is written in code.
"""

from __future__ import annotations

import bisect
import datetime as dt
import difflib
import functools
import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from stepcare.clinical.case import Case
from stepcare.clinical.knowledge import Entry, KnowledgeError, KnowledgeFile, cite, load
from stepcare.clinical.result import Alert, Score
from stepcare.clinical.vocab import Severity

__all__ = [
    "BandInfo",
    "InstrumentInfo",
    "ItemInfo",
    "answers_fit",
    "check_answers",
    "instruments",
    "knowledge",
    "mcid",
    "score_all",
    "uniform_answers",
]

_FILE = "questionnaires.yaml"


# ----------------------------------------------------------------------------------------- the schema
class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Item(_Strict):
    """One item: its label in our own words and, where it differs from the instrument's, its range."""

    label: str = Field(min_length=3)
    min: int | None = None
    max: int | None = None
    points: dict[int, int] | None = None  # answer -> points, when an answer does not score itself
    weights: dict[Literal["female", "male"], int] | None = None  # points for a yes, by sex (ORT)
    answer_labels: tuple[str, ...] | None = None


class Licence(Entry):
    id: str = "licence"
    text: str = Field(min_length=3)


class Loinc(Entry):
    id: str = "loinc"
    code: str | None = Field(pattern=r"^\d{1,7}-\d$")


class Mcid(Entry):
    id: str = "mcid"
    value: float | None = Field(gt=0)


class Missing(Entry):
    """How many items must be answered when unanswered items drop from the denominator."""

    id: str = "missing"
    min_answered: int = Field(ge=1)


class Weighting(Entry):
    id: str = "weighting"


class Subscale(Entry):
    items: tuple[int, ...] = Field(min_length=1)


class Range(_Strict):
    min: float
    max: float


class Band(Entry):
    label: str = Field(min_length=1)
    min: float
    max: float
    when: dict[str, Range] = Field(default_factory=dict)  # subscale ranges that must also hold


class Arm(_Strict):
    wpi_min: int
    wpi_max: int
    sss_min: int


class Fibromyalgia(Entry):
    id: str = "fibromyalgia"
    arms: tuple[Arm, ...] = Field(min_length=1)
    regions: dict[str, tuple[int, ...]] = Field(min_length=1)
    generalized_regions_min: int = Field(ge=1)
    min_duration_days: int = Field(ge=1)


Method = Literal["sum", "mean", "percent-of-answered", "weighted-sum", "acr-2016-fm"]


class Instrument(Entry):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str = Field(min_length=3)
    licence: Licence
    answer_min: int
    answer_max: int
    items: tuple[Item, ...] = Field(min_length=1)
    scoring: Method
    decimals: int = Field(default=0, ge=0, le=3)
    score_min: float
    score_max: float
    report_items: dict[str, int] = Field(default_factory=dict)  # extra key -> item number
    report_percent: bool = False
    subscales: tuple[Subscale, ...] = ()
    band_key: str | None = None
    bands: tuple[Band, ...]
    missing: Missing | None = None
    weighting: Weighting | None = None
    fibromyalgia: Fibromyalgia | None = None
    loinc: Loinc
    mcid: Mcid


class Trigger(_Strict):
    instrument: str
    item: int | None = None  # fire on this item's answer instead of the total
    min: float
    message: str = Field(min_length=10)


class AlertRule(Entry):
    severity: Severity
    action: str = Field(min_length=10)
    triggers: tuple[Trigger, ...] = Field(min_length=1)


class QuestionnairesFile(KnowledgeFile):
    instruments: tuple[Instrument, ...] = Field(min_length=1)
    alerts: tuple[AlertRule, ...]


# ------------------------------------------------------------------------------------ load + validate
def _fail(where: str, problem: str) -> KnowledgeError:
    return KnowledgeError(f"knowledge/{_FILE}: {where}: {problem}")


def _bounds(ins: Instrument, item: Item) -> tuple[int, int]:
    lo = ins.answer_min if item.min is None else item.min
    hi = ins.answer_max if item.max is None else item.max
    return lo, hi


def _check_instrument(ins: Instrument) -> None:
    where = f"instrument {ins.id!r}"
    n = len(ins.items)
    for number, item in enumerate(ins.items, start=1):
        lo, hi = _bounds(ins, item)
        if lo >= hi:
            raise _fail(where, f"item {number} has an empty answer range {lo}-{hi}")
        if item.points is not None and set(item.points) != set(range(lo, hi + 1)):
            raise _fail(where, f"item {number} points must give every answer {lo}-{hi}")
        if item.answer_labels is not None and len(item.answer_labels) != hi - lo + 1:
            raise _fail(where, f"item {number} needs one answer label per answer {lo}-{hi}")
        if (item.weights is not None) != (ins.scoring == "weighted-sum"):
            raise _fail(where, f"item {number}: weights go with (and only with) weighted-sum scoring")
        if item.weights is not None and set(item.weights) != {"female", "male"}:
            raise _fail(where, f"item {number} needs female and male weights")
    if ins.scoring == "weighted-sum" and ins.weighting is None:
        raise _fail(where, "weighted-sum scoring needs a weighting entry naming the weights' source")
    numbers = [*ins.report_items.values(), *(i for s in ins.subscales for i in s.items)]
    if any(not 1 <= i <= n for i in numbers):
        raise _fail(where, f"item numbers must be 1-{n}")
    if ins.missing is not None and not 1 <= ins.missing.min_answered <= n:
        raise _fail(where, f"missing.min_answered must be 1-{n}")
    if (ins.fibromyalgia is not None) != (ins.scoring == "acr-2016-fm"):
        raise _fail(where, "a fibromyalgia block goes with (and only with) acr-2016-fm scoring")
    if ins.fibromyalgia is not None:
        names = {s.id for s in ins.subscales}
        if not {"wpi", "sss"} <= names:
            raise _fail(where, "acr-2016-fm scoring needs wpi and sss subscales")
        wpi = set(next(s.items for s in ins.subscales if s.id == "wpi"))
        if any(not set(items) <= wpi for items in ins.fibromyalgia.regions.values()):
            raise _fail(where, "fibromyalgia regions may only hold WPI items")
    low = _score_value(_spec(ins), tuple(_bounds(ins, it)[0] for it in ins.items), "female", None)[0]
    high = max(
        _score_value(_spec(ins), tuple(_bounds(ins, it)[1] for it in ins.items), sex, None)[0]
        for sex in ("female", "male")
    )
    if (low, high) != (ins.score_min, ins.score_max):
        raise _fail(where, f"score range is {low}-{high}, the file says {ins.score_min}-{ins.score_max}")
    _check_bands(ins, where)


def _check_bands(ins: Instrument, where: str) -> None:
    if ins.band_key is not None and not ins.bands:
        raise _fail(where, "band_key needs bands")
    subscales = {s.id for s in ins.subscales}
    for band in ins.bands:
        if band.min > band.max or band.min < ins.score_min or band.max > ins.score_max:
            raise _fail(where, f"band {band.id!r} range {band.min}-{band.max} is outside the score range")
        if not set(band.when) <= subscales:
            raise _fail(where, f"band {band.id!r} conditions name an unknown subscale")
    if not ins.bands or any(b.when for b in ins.bands):
        return  # conditional bands are matched in order (their coverage is tested exhaustively)
    if ins.bands[0].min != ins.score_min or ins.bands[-1].max != ins.score_max:
        raise _fail(where, "bands must start at score_min and end at score_max")
    for prev, nxt in zip(ins.bands, ins.bands[1:], strict=False):
        if not prev.max < nxt.min <= prev.max + 1:
            raise _fail(where, f"band {nxt.id!r} must follow band {prev.id!r} without gap or overlap")


_PLACEHOLDERS = {"name", "score", "band", "band_label", "answer", "answer_label", "min", "date"}


def _check_alerts(kb: QuestionnairesFile) -> None:
    by_id = {i.id: i for i in kb.instruments}
    seen: set[str] = set()
    for rule in kb.alerts:
        if rule.id in seen:
            raise _fail(f"alert {rule.id!r}", "defined twice")
        seen.add(rule.id)
        for trig in rule.triggers:
            ins = by_id.get(trig.instrument)
            if ins is None:
                raise _fail(f"alert {rule.id!r}", f"unknown instrument {trig.instrument!r}")
            if trig.item is not None and not 1 <= trig.item <= len(ins.items):
                raise _fail(f"alert {rule.id!r}", f"{ins.id} has no item {trig.item}")
            used = {name for _, name, _, _ in string.Formatter().parse(trig.message) if name}
            if not used <= _PLACEHOLDERS:
                raise _fail(f"alert {rule.id!r}", f"unknown placeholders {sorted(used - _PLACEHOLDERS)}")


@functools.cache
def knowledge() -> QuestionnairesFile:
    kb = load(_FILE, QuestionnairesFile)
    ids = [i.id for i in kb.instruments]
    if len(set(ids)) != len(ids):
        raise _fail("instruments", "an instrument id is used twice")
    for ins in kb.instruments:
        _check_instrument(ins)
    _check_alerts(kb)
    return kb


# ------------------------------------------------------------------------------------ compiled lookups
@dataclass(frozen=True, slots=True)
class _Band:
    id: str
    label: str
    min: float
    max: float
    when: tuple[tuple[str, float, float], ...]


@dataclass(frozen=True, slots=True)
class _Spec:
    code: str
    name: str
    n: int
    lo: tuple[int, ...]
    hi: tuple[int, ...]
    points: tuple[tuple[int, ...] | None, ...]  # per item, points by (answer - lo)
    plain: bool  # every answer scores itself (no points table): the points are the answers
    weights: dict[str, tuple[int, ...]]  # sex -> points for a yes, per item
    method: Method
    decimals: int
    min_answered: int | None
    subscales: tuple[tuple[str, tuple[int, ...]], ...]  # 0-based item indexes
    report_items: tuple[tuple[str, int], ...]
    report_percent: bool
    score_max: float
    bands: tuple[_Band, ...]
    band_maxes: tuple[float, ...] | None  # for plain (unconditional) bands: bisect on the upper bounds
    band_key: str | None
    loinc: str | None
    mcid: float | None
    answer_labels: tuple[tuple[str, ...] | None, ...]
    # acr-2016-fm
    fm_arms: tuple[tuple[int, int, int], ...] = ()
    fm_regions: tuple[tuple[int, ...], ...] = ()
    fm_regions_min: int = 0
    fm_min_days: int = 0
    # a plain sum of the answers banded by upper bounds (no subscales, percent or band key): score_all
    # scores these inline, the same as `_score`
    simple: bool = False
    # a plain mean of the answers, banded by upper bounds or not banded (no subscales or band key):
    # scored inline as well
    simple_mean: bool = False


def _spec(ins: Instrument) -> _Spec:
    bounds = [_bounds(ins, it) for it in ins.items]
    bands = tuple(
        _Band(b.id, b.label, b.min, b.max, tuple((k, r.min, r.max) for k, r in b.when.items()))
        for b in ins.bands
    )
    plain = bool(bands) and not any(b.when for b in bands)
    fm = ins.fibromyalgia
    points_plain = all(it.points is None for it in ins.items)
    return _Spec(
        code=ins.id,
        name=ins.name,
        n=len(ins.items),
        lo=tuple(lo for lo, _ in bounds),
        hi=tuple(hi for _, hi in bounds),
        points=tuple(
            None if it.points is None else tuple(it.points[a] for a in range(lo, hi + 1))
            for it, (lo, hi) in zip(ins.items, bounds, strict=True)
        ),
        plain=points_plain,
        weights=(
            {sex: tuple((it.weights or {}).get(sex, 0) for it in ins.items) for sex in ("female", "male")}
            if ins.scoring == "weighted-sum"
            else {}
        ),
        method=ins.scoring,
        decimals=ins.decimals,
        min_answered=None if ins.missing is None else ins.missing.min_answered,
        subscales=tuple((s.id, tuple(i - 1 for i in s.items)) for s in ins.subscales),
        report_items=tuple((k, i - 1) for k, i in ins.report_items.items()),
        report_percent=ins.report_percent,
        score_max=ins.score_max,
        bands=bands,
        band_maxes=tuple(b.max for b in bands) if plain else None,
        band_key=ins.band_key,
        loinc=ins.loinc.code,
        mcid=ins.mcid.value,
        answer_labels=tuple(it.answer_labels for it in ins.items),
        fm_arms=tuple((a.wpi_min, a.wpi_max, a.sss_min) for a in fm.arms) if fm else (),
        fm_regions=tuple(tuple(i - 1 for i in r) for r in fm.regions.values()) if fm else (),
        fm_regions_min=fm.generalized_regions_min if fm else 0,
        fm_min_days=fm.min_duration_days if fm else 0,
        simple=ins.scoring == "sum"
        and points_plain
        and not ins.subscales
        and not ins.report_percent
        and plain
        and ins.band_key is None,
        simple_mean=ins.scoring == "mean"
        and points_plain
        and not ins.subscales
        and (plain or not bands)
        and ins.band_key is None,
    )


@dataclass(frozen=True, slots=True)
class _Trigger:
    instrument: str
    item: int | None  # 0-based
    min: float
    message: str
    fields: frozenset[str]  # the placeholders the message uses: only these are worked out
    min_text: str  # `min` as the message shows it
    # the message written by generated code (placeholders inlined, constants folded in at load);
    # None when the message uses a format spec or conversion: then `_values` and format_map fill it
    render: _Render | None = None


# (score, band, answer, date) -> the filled-in message
_Render = Callable[[float, "_Band | None", "int | None", "dt.date | None"], str]


def _renderer(message: str, spec: _Spec, item: int | None, min_text: str) -> _Render | None:
    """Code that fills the message exactly as `_values` + format_map do, or None when it cannot."""
    parts: list[str] = []
    env: dict[str, Any] = {"_shown": _shown}
    for literal, name, fmt, conv in string.Formatter().parse(message):
        if literal:
            parts.append(repr(literal))
        if name is None:
            continue
        if fmt or conv:
            return None
        if name == "name":
            parts.append(repr(spec.name))
        elif name == "score":
            parts.append("_shown(score)")
        elif name == "band":
            parts.append("(band.id if band else 'no band')")
        elif name == "band_label":
            parts.append("(band.label if band else 'no band')")
        elif name == "answer":
            parts.append("('' if answer is None else str(answer))")
        elif name == "answer_label":
            labels = None if item is None else spec.answer_labels[item]
            if labels and item is not None:
                env["_labels"] = labels
                parts.append(f"('' if answer is None else _labels[answer - {spec.lo[item]!r}])")
            else:
                parts.append("''")
        elif name == "min":
            parts.append(repr(min_text))
        elif name == "date":
            parts.append("(date.isoformat() if date else 'undated')")
        else:
            return None
    body = " + ".join(parts) if parts else "''"
    source = f"def render(score, band, answer, date):\n    return {body}\n"
    exec(compile(source, "<stepcare:questionnaire message>", "exec"), env)  # noqa: S102 - fixed names
    render: _Render = env["render"]
    return render


@dataclass(frozen=True, slots=True)
class _Rule:
    code: str
    severity: Severity
    action: str
    citation: str
    triggers: tuple[_Trigger, ...]


@dataclass(frozen=True, slots=True)
class _Compiled:
    specs: dict[str, _Spec]
    order: dict[str, int]
    known: str
    rules: tuple[_Rule, ...]
    # instrument -> (item count, the answers every item allows) where all items share one range and
    # every item must be answered: a quick yes for answers already known to be integers
    uniform: dict[str, tuple[int, frozenset[int]]]


def _trigger(t: Trigger, spec: _Spec) -> _Trigger:
    item = None if t.item is None else t.item - 1
    message = " ".join(t.message.split())
    min_text = _shown(t.min)
    return _Trigger(
        t.instrument,
        item,
        t.min,
        message,
        frozenset(name for _, name, _, _ in string.Formatter().parse(t.message) if name),
        min_text,
        _renderer(message, spec, item, min_text),
    )


@functools.cache
def _compiled() -> _Compiled:
    kb = knowledge()
    specs = {ins.id: _spec(ins) for ins in kb.instruments}
    rules = tuple(
        _Rule(
            code=r.id,
            severity=r.severity,
            action=" ".join(r.action.split()),
            citation=cite(r.citation),
            triggers=tuple(_trigger(t, specs[t.instrument]) for t in r.triggers),
        )
        for r in kb.alerts
    )
    return _Compiled(
        specs=specs,
        order={code: i for i, code in enumerate(specs)},
        known=", ".join(sorted(specs)),
        rules=rules,
        uniform={
            code: (spec.n, frozenset(range(spec.lo[0], spec.hi[0] + 1)))
            for code, spec in specs.items()
            if spec.min_answered is None and len(set(spec.lo)) == 1 and len(set(spec.hi)) == 1
        },
    )


# ------------------------------------------------------------------------------------------ checking
def answers_fit(instrument: str, items: Sequence[int | None]) -> bool:
    """A quick yes when integer (or None) answers surely fit the instrument; False means "ask check_answers".

    Only for answers already known to be int or None (the case model's StrictInt): a float or a bool
    equal to an allowed answer would pass here.
    """
    found = _compiled().uniform.get(instrument)
    return found is not None and len(items) == found[0] and found[1].issuperset(items)


def uniform_answers() -> Mapping[str, tuple[int, frozenset[int]]]:
    """Instrument -> (item count, allowed answers) for instruments where `answers_fit` can say yes (read-only)."""
    return _compiled().uniform


def check_answers(instrument: str, items: Sequence[int | None]) -> list[tuple[str, str]]:
    """(path, problem) pairs for answers that do not fit the instrument; empty when they all fit.

    Messages never contain "; " because case.py splits on it.
    """
    c = _compiled()
    spec = c.specs.get(instrument)
    if spec is None:
        close = difflib.get_close_matches(instrument.lower(), c.specs, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return [("instrument", f"unknown instrument {instrument!r}{hint}, known: {c.known}")]
    if len(items) != spec.n:
        return [("items", f"{spec.code} needs {spec.n} answers, got {len(items)}")]
    problems: list[tuple[str, str]] = []
    answered = 0
    for i, answer in enumerate(items):
        if answer is None:
            if spec.min_answered is None:
                problems.append((f"items[{i}]", f"missing answer, {spec.code} needs every item answered"))
            continue
        lo, hi = spec.lo[i], spec.hi[i]
        if type(answer) is not int or not lo <= answer <= hi:
            got = answer if type(answer) is int else repr(answer)
            problems.append((f"items[{i}]", f"must be an integer {lo}-{hi}, got {got}"))
        answered += 1
    if spec.min_answered is not None and answered < spec.min_answered:
        problems.append(
            ("items", f"{spec.code} needs at least {spec.min_answered} answered items, got {answered}")
        )
    return problems


# ------------------------------------------------------------------------------------------- scoring
def _number(value: float, decimals: int) -> float:
    """Integers stay integers (a PHQ-9 total is 7, not 7.0); fractions round to the instrument's decimals."""
    rounded = round(value, decimals)
    return int(rounded) if decimals == 0 or rounded == int(rounded) else rounded


def _points(spec: _Spec, items: Sequence[int | None]) -> list[int | None]:
    out: list[int | None] = []
    for i, answer in enumerate(items):
        table = spec.points[i]
        out.append(answer if answer is None or table is None else table[answer - spec.lo[i]])
    return out


def _score_value(
    spec: _Spec, items: Sequence[int | None], sex: str, duration_days: int | None
) -> tuple[float, dict[str, Any]]:
    """The score and the instrument's extra fields (subscales, percent, criteria) for valid answers."""
    pts = items if spec.plain else _points(spec, items)
    extra: dict[str, Any] = {}
    for name, idx in spec.subscales:
        extra[name] = sum(pts[i] or 0 for i in idx)
    for name, i in spec.report_items:
        extra[name] = items[i]
    method = spec.method
    if method == "sum":
        # filter(None, ...) drops unanswered items (and zeros, which add nothing): the answers' sum
        total = sum(filter(None, pts))
        score = total if type(total) is int else _number(total, spec.decimals)
        if spec.report_percent:
            extra["raw"] = score
            extra["percent"] = _number(score / spec.score_max * 100, 1)
    elif method == "mean":
        score = _number(sum(filter(None, pts)) / spec.n, spec.decimals)
    elif method == "percent-of-answered":
        answered = [i for i, p in enumerate(pts) if p is not None]
        raw = sum(pts[i] or 0 for i in answered)
        possible = sum(spec.hi[i] for i in answered)
        score = _number(raw / possible * 100, spec.decimals) if possible else 0
        extra.update(percent=score, raw=raw, answered_sections=len(answered))
    elif method == "weighted-sum":
        totals = {s: sum(w for w, p in zip(ws, pts, strict=True) if p) for s, ws in spec.weights.items()}
        used = sex if sex in totals else max(totals, key=lambda s: totals[s])
        score = totals[used]
        extra.update(weights=used, weights_from_sex=sex in totals)
    else:  # acr-2016-fm
        wpi, sss = int(extra["wpi"]), int(extra["sss"])
        score = wpi + sss
        regions = sum(1 for region in spec.fm_regions if any(pts[i] for i in region))
        symptoms = any(lo <= wpi <= hi and sss >= s_min for lo, hi, s_min in spec.fm_arms)
        generalized = regions >= spec.fm_regions_min
        duration = None if duration_days is None else duration_days >= spec.fm_min_days
        met: bool | None = False if not (symptoms and generalized) else duration
        extra.update(
            fs_score=score,
            generalized_pain_regions=regions,
            generalized_pain=generalized,
            symptom_criterion_met=symptoms,
            duration_met=duration,
            criteria_met=met,
        )
    return score, extra


def _band(spec: _Spec, score: float, extra: Mapping[str, Any]) -> _Band | None:
    if spec.band_maxes is not None:
        return spec.bands[bisect.bisect_left(spec.band_maxes, score)]
    for band in spec.bands:
        if band.min <= score <= band.max and all(lo <= extra[k] <= hi for k, lo, hi in band.when):
            return band
    return None


def _score(
    spec: _Spec, items: Sequence[int | None], sex: str, duration_days: int | None, date: dt.date
) -> tuple[Score, _Band | None]:
    value, extra = _score_value(spec, items, sex, duration_days)
    band = _band(spec, value, extra)
    if spec.band_key is not None:
        extra[spec.band_key] = band.id if band else None
    score = Score(
        instrument=spec.code,
        score=value,
        band=band.id if band else None,
        loinc=spec.loinc,
        date=date,
        mcid=spec.mcid,
        extra=extra,
    )
    return score, band


def _shown(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def score_all(case: Case) -> tuple[dict[str, Score], list[Alert]]:
    """Score the latest questionnaire of each instrument (undated counts as as_of); raise screen alerts.

    `nrs` also comes from `pain.nrs` when no NRS questionnaire is given.
    """
    c = _compiled()
    specs = c.specs
    as_of = case.as_of
    latest: dict[str, tuple[dt.date, tuple[int | None, ...]]] = {}
    for q in case.questionnaires:
        when = q.date or as_of
        seen = latest.get(q.instrument)
        if seen is None or when >= seen[0]:  # a later entry on the same date wins
            latest[q.instrument] = (when, q.items)
    if "nrs" not in latest and case.pain.nrs is not None and "nrs" in specs:
        latest["nrs"] = (as_of, (case.pain.nrs,))
    scores: dict[str, Score] = {}
    if not latest:
        return scores, []
    sex = case.patient.sex
    duration = case.duration_days
    bands: dict[str, _Band | None] = {}
    for code in sorted(latest, key=c.order.__getitem__):
        when, items = latest[code]
        spec = specs[code]
        if spec.simple:
            total = sum(filter(None, items))  # the answers' sum (unanswered items and zeros add nothing)
            number = total if type(total) is int else _number(total, spec.decimals)
            band = spec.bands[bisect.bisect_left(spec.band_maxes, number)]  # type: ignore[arg-type]
            extra: dict[str, Any] = (
                {name: items[i] for name, i in spec.report_items} if spec.report_items else {}
            )
            scores[code] = Score(spec.code, number, band.id, spec.loinc, when, spec.mcid, extra)
            bands[code] = band
        elif spec.simple_mean:
            # the answers' mean, as `_score_value` works it out for method "mean"
            number = _number(sum(filter(None, items)) / spec.n, spec.decimals)
            maxes = spec.band_maxes
            found_band = None if maxes is None else spec.bands[bisect.bisect_left(maxes, number)]
            extra = {name: items[i] for name, i in spec.report_items} if spec.report_items else {}
            scores[code] = Score(
                spec.code, number, found_band.id if found_band else None, spec.loinc, when, spec.mcid, extra
            )
            bands[code] = found_band
        else:
            scores[code], bands[code] = _score(spec, items, sex, duration, when)
    alerts: list[Alert] = []
    for rule in c.rules:
        for trig in rule.triggers:
            found = scores.get(trig.instrument)
            if found is None or found.score is None:
                continue
            item = trig.item
            answer = None if item is None else latest[trig.instrument][1][item]
            value = found.score if item is None else answer
            if value is None or value < trig.min:
                continue
            render = trig.render
            alerts.append(
                Alert(
                    rule.code,
                    rule.severity,
                    render(found.score, bands[trig.instrument], answer, found.date)
                    if render is not None
                    else trig.message.format_map(
                        _values(trig, specs[trig.instrument], found, bands[trig.instrument], answer)
                    ),
                    rule.citation,
                    rule.action,
                )
            )
            break  # one alert per rule: the first trigger that fires speaks for it
    return scores, alerts


def _values(
    trig: _Trigger, spec: _Spec, found: Score, band: _Band | None, answer: int | None
) -> dict[str, str]:
    """The message's placeholders (only those it uses) for a trigger that fired."""
    fields = trig.fields
    values: dict[str, str] = {}
    if "name" in fields:
        values["name"] = spec.name
    if "score" in fields:
        assert found.score is not None
        values["score"] = _shown(found.score)
    if "band" in fields:
        values["band"] = band.id if band else "no band"
    if "band_label" in fields:
        values["band_label"] = band.label if band else "no band"
    if "answer" in fields:
        values["answer"] = "" if answer is None else str(answer)
    if "answer_label" in fields:
        item = trig.item
        labels = None if item is None else spec.answer_labels[item]
        values["answer_label"] = (
            labels[answer - spec.lo[item]] if labels and answer is not None and item is not None else ""
        )
    if "min" in fields:
        values["min"] = trig.min_text
    if "date" in fields:
        values["date"] = found.date.isoformat() if found.date else "undated"
    return values


# ------------------------------------------------------------------------------- public descriptions
@dataclass(frozen=True, slots=True)
class ItemInfo:
    number: int
    label: str
    min: int
    max: int
    answer_labels: tuple[str, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "label": self.label,
            "min": self.min,
            "max": self.max,
            "answer_labels": list(self.answer_labels) if self.answer_labels else None,
        }


@dataclass(frozen=True, slots=True)
class BandInfo:
    id: str
    label: str
    min: float
    max: float

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "min": self.min, "max": self.max}


@dataclass(frozen=True, slots=True)
class InstrumentInfo:
    """What a form or a report needs to show an instrument: never copyrighted item text."""

    code: str
    name: str
    item_count: int
    items: tuple[ItemInfo, ...]
    score_min: float
    score_max: float
    min_answered: int | None
    licence: str
    loinc: str | None
    mcid: float | None
    bands: tuple[BandInfo, ...]
    citation: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "item_count": self.item_count,
            "items": [i.to_dict() for i in self.items],
            "score_min": self.score_min,
            "score_max": self.score_max,
            "min_answered": self.min_answered,
            "licence": self.licence,
            "loinc": self.loinc,
            "mcid": self.mcid,
            "bands": [b.to_dict() for b in self.bands],
            "citation": self.citation,
        }


@functools.cache
def _infos() -> tuple[InstrumentInfo, ...]:
    out: list[InstrumentInfo] = []
    for ins in knowledge().instruments:
        out.append(
            InstrumentInfo(
                code=ins.id,
                name=ins.name,
                item_count=len(ins.items),
                items=tuple(
                    ItemInfo(n, it.label, *_bounds(ins, it), it.answer_labels)
                    for n, it in enumerate(ins.items, start=1)
                ),
                score_min=ins.score_min,
                score_max=ins.score_max,
                min_answered=ins.missing.min_answered if ins.missing else None,
                licence=" ".join(ins.licence.text.split()),
                loinc=ins.loinc.code,
                mcid=ins.mcid.value,
                bands=tuple(BandInfo(b.id, b.label, b.min, b.max) for b in ins.bands),
                citation=cite(ins.citation),
            )
        )
    return tuple(out)


def instruments() -> tuple[InstrumentInfo, ...]:
    """Every instrument the engine scores, in the knowledge file's order."""
    return _infos()


def mcid(instrument: str) -> float | None:
    """The instrument's minimal clinically important difference; None when unknown or not defined."""
    spec = _compiled().specs.get(instrument)
    return None if spec is None else spec.mcid
