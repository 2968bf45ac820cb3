"""A small typed feature language for clinical rules kept as data, compiled once into predicates.

Triage, differential and mechanism rules name a case field and a test in YAML, e.g.
`{field: pain.radiation, has: below-knee}`, `{field: exam.si-provocation-positive, gte: 3}` or
`{field: events.kind, any: [fracture, injury], region_match: true, within_days: 365}`. Codes are checked
against the case vocabularies when the knowledge loads, so a typo in a rule fails at start, not silently
in clinic. Each feature compiles to a plain function over `Facts` (frozensets built once per case).
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from stepcare.clinical import vocab as v
from stepcare.clinical.case import Case, Event, Exam, Flag, Imaging, Site
from stepcare.clinical.knowledge import Evidence, KnowledgeError
from stepcare.clinical.result import _fast_init

__all__ = [
    "Clause",
    "Facts",
    "Feature",
    "FeatureSpec",
    "Predicate",
    "compile_clause",
    "compile_feature",
    "facts",
    "generate",
]

Kind = Literal["set", "number", "bool", "present", "sites", "events", "imaging"]


def _codes(literal: Any) -> frozenset[str]:
    return frozenset(get_args(literal))


_EXAM_BOOLS: tuple[str, ...] = tuple(
    name.replace("_", "-")
    for name, info in Exam.model_fields.items()
    if info.annotation in (bool | None, Flag | None)  # the Budapest signs and other yes/no findings
)

_FIELDS: dict[str, tuple[Kind, frozenset[str]]] = {
    "pain.radiation": ("set", _codes(v.Radiation)),
    "pain.qualities": ("set", _codes(v.Quality)),
    "pain.symptoms": ("set", _codes(v.Symptom)),
    "pain.worse_with": ("set", _codes(v.Modifier)),
    "pain.better_with": ("set", _codes(v.Modifier)),
    "patient.conditions": ("set", _codes(v.Condition)),
    "patient.sex": ("set", _codes(v.Sex)),
    "red_flags": ("set", _codes(v.RedFlag)),
    "patient.age": ("number", frozenset()),
    "pain.duration_days": ("number", frozenset()),
    "pain.headache_days_per_month": ("number", frozenset()),
    "pain.nrs": ("number", frozenset()),
    "exam.si-provocation-positive": ("number", frozenset()),
    "exam.wpi": ("number", frozenset()),
    "exam.sss": ("number", frozenset()),
    "exam.generalized-pain-regions": ("number", frozenset()),
    **{f"exam.{code}": ("bool", frozenset()) for code in _EXAM_BOOLS},
    "exam.slr-positive": ("present", frozenset()),
    "exam.weakness": ("present", frozenset()),
    "pain.sites": ("sites", _codes(v.Region)),
    "events.kind": ("events", _codes(v.EventKind)),
    "imaging.findings": ("imaging", _codes(v.ImagingFinding)),
}


class FeatureSpec(BaseModel):
    """One test on one case field; `weight` and `label` matter only where the rule scores features."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    field: str
    has: str | None = None
    any: tuple[str, ...] = ()
    all: tuple[str, ...] = ()
    min_count: int = Field(default=1, ge=1)
    is_: bool | None = Field(default=None, alias="is")
    present: bool | None = None
    gte: float | None = None
    lte: float | None = None
    side: v.Side | None = None
    region: v.Region | None = None
    regions: tuple[v.Region, ...] = ()
    region_match: bool | None = None
    within_days: int | None = Field(default=None, ge=0)
    min_days: int | None = Field(default=None, ge=0)
    negate: bool = False
    weight: float = Field(default=0.0, ge=0)
    label: str = ""
    gate: bool = False
    evidence: Evidence = "mapping"
    note: str | None = None

    @field_validator("any", "all", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @property
    def codes(self) -> tuple[str, ...]:
        """The codes the feature looks for (`has` plus `any`, or `all`)."""
        return (*((self.has,) if self.has else ()), *self.any, *self.all)


class Clause(BaseModel):
    """A rule's condition: every `all` feature, at least `min_any` of `any`, none of `none`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    all: tuple[FeatureSpec, ...] = ()
    any: tuple[FeatureSpec, ...] = ()
    min_any: int = Field(default=1, ge=1)
    none: tuple[FeatureSpec, ...] = ()


@_fast_init
@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules look at, extracted from a case once per evaluation."""

    as_of: dt.date
    sets: Mapping[str, frozenset[str]]
    numbers: Mapping[str, float | None]
    flags: Mapping[str, bool | None]
    sites: tuple[tuple[str, str | None], ...]
    regions: frozenset[str]
    events: tuple[Event, ...]
    imaging: tuple[Imaging, ...]


_last: tuple[Case, Facts] | None = None


def facts(case: Case) -> Facts:
    """The case's facts; the last case's are reused (cases are immutable) so one evaluation builds them once."""
    global _last
    last = _last
    if last is not None and last[0] is case:
        return last[1]
    built = _build(case)
    _last = (case, built)
    return built


_EXAM_FLAG_ATTRS: tuple[tuple[str, str], ...] = tuple((f"exam.{c}", c.replace("-", "_")) for c in _EXAM_BOOLS)
_EXAM_FLAG_KEYS: tuple[str, ...] = tuple(key for key, _ in _EXAM_FLAG_ATTRS)
# the exam's yes/no findings read out of its __dict__ in one C call, in _EXAM_FLAG_KEYS order
_exam_flags: Callable[[dict[str, Any]], tuple[bool | None, ...]] = (
    operator.itemgetter(*(attr for _, attr in _EXAM_FLAG_ATTRS))
    if len(_EXAM_FLAG_ATTRS) > 1
    else lambda values: tuple(values[attr] for _, attr in _EXAM_FLAG_ATTRS)
)
_NO_CODES: frozenset[str] = frozenset()
_SEX: dict[str, frozenset[str]] = {sex: frozenset((sex,)) for sex in get_args(v.Sex)}


def _site_pairs(sites: Sequence[Site]) -> tuple[tuple[str, str | None], ...]:
    """(region, side) per site; a region recorded on the left and on the right also counts as bilateral."""
    pairs = [(s.region, s.side) for s in sites]
    if len(pairs) > 1:
        left = {r for r, side in pairs if side == "left"}
        if left:
            both = left & {r for r, side in pairs if side == "right"}
            pairs.extend((r, "bilateral") for r in sorted(both) if (r, "bilateral") not in pairs)
    return tuple(pairs)


def _build(case: Case) -> Facts:
    p = case.pain
    e = case.exam
    flags: dict[str, bool | None] = dict(zip(_EXAM_FLAG_KEYS, _exam_flags(e.__dict__), strict=True))
    flags["exam.slr-positive"] = e.slr_positive is not None
    flags["exam.weakness"] = bool(e.weakness)
    patient = case.patient
    sites = p.sites
    sex = patient.sex
    sex_set = _SEX.get(sex)
    radiation = p.radiation
    qualities = p.qualities
    symptoms = p.symptoms
    worse_with = p.worse_with
    better_with = p.better_with
    conditions = patient.conditions
    red_flags = case.red_flags
    return Facts(
        case.as_of,
        {
            "pain.radiation": frozenset(radiation) if radiation else _NO_CODES,
            "pain.qualities": frozenset(qualities) if qualities else _NO_CODES,
            "pain.symptoms": frozenset(symptoms) if symptoms else _NO_CODES,
            "pain.worse_with": frozenset(worse_with) if worse_with else _NO_CODES,
            "pain.better_with": frozenset(better_with) if better_with else _NO_CODES,
            "patient.conditions": frozenset(conditions) if conditions else _NO_CODES,
            "patient.sex": sex_set if sex_set is not None else frozenset((sex,)),
            "red_flags": frozenset(red_flags) if red_flags else _NO_CODES,
        },
        {
            "patient.age": patient.age,
            "pain.duration_days": case.duration_days,
            "pain.headache_days_per_month": p.headache_days_per_month,
            "pain.nrs": p.nrs,
            "exam.si-provocation-positive": e.si_provocation_positive,
            "exam.wpi": e.wpi,
            "exam.sss": e.sss,
            "exam.generalized-pain-regions": e.generalized_pain_regions,
        },
        flags,
        _site_pairs(sites),
        frozenset([s.region for s in sites]),
        case.events,
        case.imaging,
    )


Predicate = Callable[[Facts], bool]


@dataclass(frozen=True, slots=True)
class Feature:
    """A compiled feature: its test plus the weight and label a scoring rule reports."""

    test: Predicate
    weight: float
    label: str
    gate: bool
    flag_codes: frozenset[str]
    spec: FeatureSpec | None = None
    base: Predicate | None = field(default=None, repr=False)  # the test before `negate`

    def expr(self, env: dict[str, Any]) -> str:
        """The test as one Python expression over `S`, `N`, `B` (the facts' sets, numbers and flags) and
        `f`; the constants it needs are added to `env`. Used to generate one function per rule."""
        if self.spec is None or self.base is None:
            return f"{_const(env, self.test)}(f)"
        spec = self.spec
        kind, _ = _FIELDS[spec.field]
        name = spec.field
        if kind == "set":
            want = _const(env, frozenset(spec.codes))
            if spec.all:
                out = f"{want} <= S[{name!r}]"
            elif spec.min_count == 1:
                out = f"not {want}.isdisjoint(S[{name!r}])"
            else:
                out = f"len({want} & S[{name!r}]) >= {int(spec.min_count)}"
        elif kind == "number":
            parts = [f"N[{name!r}] is not None"]
            if spec.gte is not None:
                parts.append(f"N[{name!r}] >= {_const(env, spec.gte)}")
            if spec.lte is not None:
                parts.append(f"N[{name!r}] <= {_const(env, spec.lte)}")
            out = " and ".join(parts)
        elif kind in ("bool", "present"):
            wanted = spec.is_ if kind == "bool" else spec.present
            out = f"B[{name!r}] is {bool(wanted)!r}"
        elif kind == "sites":
            if spec.side is None:
                out = f"not {_const(env, frozenset(spec.codes))}.isdisjoint(f.regions)"
            else:
                pairs = frozenset((region, spec.side) for region in spec.codes)
                out = f"not {_const(env, pairs)}.isdisjoint(f.sites)"
        elif kind == "events":
            out = f"bool(f.events) and {_const(env, self.base)}(f)"
        else:
            out = f"bool(f.imaging) and {_const(env, self.base)}(f)"
        return f"(not ({out}))" if spec.negate else f"({out})"


def _fail(where: str, problem: str) -> KnowledgeError:
    return KnowledgeError(f"{where}: {problem}")


def _region_ok(
    region: str | None, regions: frozenset[str], match: bool | None, site_regions: frozenset[str]
) -> bool:
    if regions and region not in regions:
        return False
    if match is True:
        return region is not None and region in site_regions
    if match is False:
        return region is not None and region not in site_regions
    return True


def _days_ok(when: dt.date, as_of: dt.date, within: int | None, at_least: int | None) -> bool:
    days = (as_of - when).days
    return (within is None or days <= within) and (at_least is None or days >= at_least)


def _compile_test(spec: FeatureSpec, where: str) -> Predicate:
    if spec.field not in _FIELDS:
        raise _fail(where, f"unknown field {spec.field!r}")
    kind, vocab = _FIELDS[spec.field]
    name = spec.field
    codes = spec.codes
    unknown = [c for c in codes if c not in vocab]
    if unknown:
        raise _fail(where, f"unknown code(s) {unknown} for field {name!r}")
    if kind in ("set", "sites", "events", "imaging") and not codes:
        raise _fail(where, f"field {name!r} needs `has`, `any` or `all`")
    if kind not in ("events", "imaging") and (
        spec.regions or spec.region or spec.region_match is not None or spec.within_days or spec.min_days
    ):
        raise _fail(where, f"region/day filters apply only to events and imaging, not {name!r}")
    if kind == "set":
        want = frozenset(codes)
        if spec.all:
            return lambda f: want <= f.sets[name]
        n = spec.min_count
        if n == 1:
            return lambda f: not want.isdisjoint(f.sets[name])
        return lambda f: len(want & f.sets[name]) >= n
    if kind == "number":
        lo, hi = spec.gte, spec.lte
        if lo is None and hi is None:
            raise _fail(where, f"field {name!r} needs `gte` and/or `lte`")

        def number(f: Facts) -> bool:
            x = f.numbers[name]
            return x is not None and (lo is None or x >= lo) and (hi is None or x <= hi)

        return number
    if kind == "bool":
        if spec.is_ is None:
            raise _fail(where, f"field {name!r} needs `is: true|false`")
        wanted = spec.is_
        return lambda f: f.flags[name] is wanted
    if kind == "present":
        if spec.present is None:
            raise _fail(where, f"field {name!r} needs `present: true|false`")
        wanted_present = spec.present
        return lambda f: f.flags[name] is wanted_present
    if kind == "sites":
        want = frozenset(codes)
        side = spec.side
        return lambda f: any(r in want and (side is None or s == side) for r, s in f.sites)
    regions = frozenset((*spec.regions, *((spec.region,) if spec.region else ())))
    match = spec.region_match
    if kind == "events":
        kinds = frozenset(codes)
        within, at_least = spec.within_days, spec.min_days
        return lambda f: any(
            e.kind in kinds
            and _region_ok(e.region, regions, match, f.regions)
            and _days_ok(e.date, f.as_of, within, at_least)
            for e in f.events
        )
    found = frozenset(codes)
    if spec.within_days is not None or spec.min_days is not None:
        raise _fail(where, "day filters apply only to events")
    return lambda f: any(
        not found.isdisjoint(i.findings) and _region_ok(i.region, regions, match, f.regions)
        for i in f.imaging
    )


def compile_feature(spec: FeatureSpec, where: str) -> Feature:
    """Compile one feature; `where` names the file and entry in any error."""
    base = _compile_test(spec, where)
    test = base
    if spec.negate:

        def test(f: Facts) -> bool:
            return not base(f)

    flag_codes = frozenset(spec.codes) if spec.field == "red_flags" and not spec.negate else frozenset()
    return Feature(
        test=test,
        weight=spec.weight,
        label=spec.label,
        gate=spec.gate,
        flag_codes=flag_codes,
        spec=spec,
        base=base,
    )


def _const(env: dict[str, Any], value: Any) -> str:
    name = f"_k{len(env)}"
    env[name] = value
    return name


def generate(name: str, body: list[str], env: dict[str, Any]) -> Callable[..., Any]:
    """Compile a function `name(f)` from generated lines (built by `Feature.expr`), once, at knowledge load.

    Rules stay data; this only turns their compiled tests into straight-line code, which spares a Python
    call per feature. Constants come from `env`, never from text, so knowledge values are not evaluated.
    """
    lines = [f"def {name}(f):", "    S = f.sets", "    N = f.numbers", "    B = f.flags"]
    lines.extend(f"    {line}" for line in body)
    namespace = dict(env)
    exec(compile("\n".join(lines) + "\n", f"<stepcare:{name}>", "exec"), namespace)  # noqa: S102
    fn: Callable[..., Any] = namespace[name]
    return fn


def compile_clause(clause: Clause, where: str) -> tuple[Predicate, frozenset[str]]:
    """Compile a rule's condition; also returns the red-flag codes it looks at (for reasons)."""
    all_ = tuple(compile_feature(s, f"{where}.all[{i}]") for i, s in enumerate(clause.all))
    any_ = tuple(compile_feature(s, f"{where}.any[{i}]") for i, s in enumerate(clause.any))
    none = tuple(compile_feature(s, f"{where}.none[{i}]") for i, s in enumerate(clause.none))
    if not all_ and not any_:
        raise _fail(where, "a rule needs at least one `all` or `any` feature")
    if any_ and clause.min_any > len(any_):
        raise _fail(where, f"min_any {clause.min_any} exceeds the {len(any_)} `any` features")
    need = clause.min_any if any_ else 0
    env: dict[str, Any] = {}
    body = [f"if not {x.expr(env)}: return False" for x in all_]
    if any_:
        exprs = [x.expr(env) for x in any_]
        if need == 1:
            body.append(f"if not ({' or '.join(exprs)}): return False")
        else:
            count = " + ".join(f"(1 if {e} else 0)" for e in exprs)
            body.append(f"if {count} < {int(need)}: return False")
    body.append(f"return not ({' or '.join(x.expr(env) for x in none)})" if none else "return True")
    test: Predicate = generate("clause", body, env)
    codes = frozenset().union(*(x.flag_codes for x in (*all_, *any_)))
    return test, codes
