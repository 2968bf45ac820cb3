"""The case: everything known about one patient on one date, validated strictly.

Unknown keys, unknown codes and impossible values are refused with the field path, because a typo in a
clinical record must never be silently ignored (engine contract, "Case (input)").
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictInt,
    StringConstraints,
    ValidationError,
    model_validator,
)

from stepcare.clinical import vocab as v

__all__ = [
    "Case",
    "CaseError",
    "Event",
    "Exam",
    "Goal",
    "HistoryPoint",
    "Imaging",
    "Ingredient",
    "Medication",
    "Monitoring",
    "Pain",
    "Patient",
    "Procedure",
    "PsychEvaluation",
    "Questionnaire",
    "Site",
    "Therapy",
    "parse_case",
]


class CaseError(ValueError):
    """An invalid case; `errors` holds one `path: problem` message per fault."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors: list[str] = list(errors)
        super().__init__("; ".join(self.errors))


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _kebab(name: str) -> str:
    return name.replace("_", "-")


# Numbers and yes/no answers are taken only as JSON numbers and booleans: `"age": true` is not age 1 and
# `"nrs": "7"` is not 7 (a typo in a clinical record must never be silently converted). A whole number is
# still accepted where a decimal is expected.
Int = Annotated[int, Strict()]
Num = Annotated[float, Strict()]
Flag = Annotated[bool, Strict()]


class Patient(_Model):
    age: Int = Field(ge=0, le=120)
    sex: v.Sex = "unknown"
    pregnant: Flag = False
    egfr: Num | None = Field(default=None, ge=0, le=200)
    liver_disease: v.LiverDisease = "none"
    conditions: tuple[v.Condition, ...] = ()


class Site(_Model):
    region: v.Region
    side: v.Side | None = None


class Pain(_Model):
    onset: dt.date | None = None
    duration_days: Int | None = Field(default=None, ge=0, le=36500)
    sites: tuple[Site, ...] = ()
    radiation: tuple[v.Radiation, ...] = ()
    qualities: tuple[v.Quality, ...] = ()
    symptoms: tuple[v.Symptom, ...] = ()
    worse_with: tuple[v.Modifier, ...] = ()
    better_with: tuple[v.Modifier, ...] = ()
    nrs: Int | None = Field(default=None, ge=0, le=10)
    headache_days_per_month: Int | None = Field(default=None, ge=0, le=31)
    narrative: str | None = Field(default=None, max_length=20000)


class Event(_Model):
    kind: v.EventKind
    date: dt.date
    region: v.Region | None = None
    side: v.Side | None = None
    text: str | None = Field(default=None, max_length=2000)


class Exam(_Model):
    """Examination findings; keys are kebab-case finding codes (`slr-positive`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=False)

    slr_positive: Literal["left", "right", "bilateral"] | None = None
    weakness: tuple[str, ...] = ()
    dermatomal_sensory_loss: Flag | None = None
    reflex_loss: Flag | None = None
    facet_loading_positive: Flag | None = None
    si_provocation_positive: Int | None = Field(default=None, ge=0, le=6)
    allodynia: Flag | None = None
    hyperalgesia: Flag | None = None
    temperature_asymmetry: Flag | None = None
    color_change: Flag | None = None
    edema: Flag | None = None
    sweating_change: Flag | None = None
    trophic_change: Flag | None = None
    motor_dysfunction: Flag | None = None
    trigger_points: Flag | None = None
    wpi: Int | None = Field(default=None, ge=0, le=19)
    sss: Int | None = Field(default=None, ge=0, le=12)
    generalized_pain_regions: Int | None = Field(default=None, ge=0, le=5)
    trigger_zone: Flag | None = None


@functools.cache
def _check_answers() -> tuple[
    Mapping[str, tuple[int, frozenset[int]]], Callable[[str, Sequence[int | None]], list[tuple[str, str]]]
]:
    # imported late: it imports this module
    from stepcare.clinical.questionnaires import check_answers, uniform_answers

    return uniform_answers(), check_answers


# questionnaires.uniform_answers(), read on the first questionnaire validated (a module global: this runs
# for every questionnaire of every case)
_UNIFORM: Mapping[str, tuple[int, frozenset[int]]] = {}


def _uniform_answers() -> Mapping[str, tuple[int, frozenset[int]]]:
    global _UNIFORM
    _UNIFORM = _check_answers()[0]
    return _UNIFORM


class Questionnaire(_Model):
    instrument: str = Field(min_length=1, max_length=40)
    date: dt.date | None = None
    items: tuple[StrictInt | None, ...]

    @model_validator(mode="after")
    def _answers_fit_instrument(self) -> Questionnaire:
        # questionnaires.answers_fit inlined (items are StrictInt or None here): a quick yes
        items = self.items
        fit = (_UNIFORM or _uniform_answers()).get(self.instrument)
        if fit is not None and len(items) == fit[0] and fit[1].issuperset(items):
            return self
        problems = _check_answers()[1](self.instrument, items)
        if problems:
            raise ValueError("; ".join(f"{path}: {msg}" for path, msg in problems))
        return self


class Ingredient(_Model):
    name: str = Field(min_length=1, max_length=80)
    dose: Num = Field(gt=0, le=100000)
    unit: v.Unit


class Medication(_Model):
    name: str = Field(min_length=1, max_length=80)
    dose: Num | None = Field(default=None, gt=0, le=100000)
    unit: v.Unit | None = None
    per_day: Num | None = Field(default=None, gt=0, le=48)
    route: v.Route = "oral"
    formulation: v.Formulation = "ir"
    prn: Flag = False
    start: dt.date | None = None
    ingredients: tuple[Ingredient, ...] = ()

    @model_validator(mode="after")
    def _dose_or_ingredients(self) -> Medication:
        if self.ingredients and (self.dose is not None or self.unit is not None):
            raise ValueError("give either dose/unit or ingredients, not both")
        if not self.ingredients:
            if self.dose is None:
                raise ValueError("dose: required (or give ingredients for a combination product)")
            if self.unit is None:
                raise ValueError("unit: required with dose")
        if self.unit != "mcg/hr" and self.per_day is None:
            raise ValueError("per_day: required (administrations per day, for prn the most allowed)")
        return self

    @property
    def is_patch(self) -> bool:
        return self.unit == "mcg/hr"


class Procedure(_Model):
    code: v.StepCode
    date: dt.date
    region: v.Region | None = None
    side: v.Side | None = None
    level: str | None = Field(default=None, max_length=40)
    relief_percent: Num | None = Field(default=None, ge=0, le=100)
    relief_hours: Num | None = Field(default=None, ge=0, le=100000)
    function_improved: Flag | None = None


class Imaging(_Model):
    modality: v.Modality
    date: dt.date
    region: v.Region | None = None
    level: str | None = Field(default=None, max_length=40)
    side: v.Side | None = None
    findings: tuple[v.ImagingFinding, ...] = ()


class Therapy(_Model):
    code: v.StepCode
    weeks: Num = Field(default=0, ge=0, le=5200)
    completed: Flag = False
    response: v.TherapyResponse | None = None


class Goal(_Model):
    kind: v.GoalKind
    text: str = Field(min_length=1, max_length=500)
    measure: str | None = Field(default=None, max_length=80)
    target: Num | None = None


class HistoryPoint(_Model):
    date: dt.date
    instrument: str = Field(min_length=1, max_length=40)
    score: Num


class Monitoring(_Model):
    """Dates of the opioid-stewardship checks recorded in the chart (CDC 2022 recommendations 8-10)."""

    pdmp_reviewed: dt.date | None = None
    urine_drug_test: dt.date | None = None
    treatment_agreement: dt.date | None = None
    opioid_reassessed: dt.date | None = None
    naloxone_dispensed: dt.date | None = None


class PsychEvaluation(_Model):
    date: dt.date | None = None
    cleared: Flag


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


class Case(_Model):
    id: Annotated[str, StringConstraints(strip_whitespace=False)] | None = Field(default=None, max_length=200)
    as_of: dt.date = Field(default_factory=_today)
    patient: Patient
    pain: Pain = Pain()
    events: tuple[Event, ...] = ()
    red_flags: tuple[v.RedFlag, ...] = ()
    exam: Exam = Exam()
    questionnaires: tuple[Questionnaire, ...] = ()
    medications: tuple[Medication, ...] = ()
    procedures: tuple[Procedure, ...] = ()
    imaging: tuple[Imaging, ...] = ()
    therapies: tuple[Therapy, ...] = ()
    diagnoses: tuple[v.DiagnosisCode, ...] = ()
    goals: tuple[Goal, ...] = ()
    history: tuple[HistoryPoint, ...] = ()
    psych_evaluation: PsychEvaluation | None = None
    monitoring: Monitoring = Monitoring()

    @model_validator(mode="after")
    def _nothing_after_as_of(self) -> Case:
        """Dates after the evaluation date are impossible observations (a typo in the year, usually)."""
        # Several modules read `duration_days`: work it out once here (see the property below).
        pain = self.pain
        onset = pain.onset
        self.__dict__["duration_days"] = pain.duration_days if onset is None else (self.as_of - onset).days
        if not self._dates_suspect():
            return self
        problems: list[str] = []
        day = self.as_of

        def check(path: str, when: dt.date | None) -> None:
            if when is not None and when > day:
                problems.append(f"{path}: {when.isoformat()} is after as_of {day.isoformat()}")

        check("pain.onset", self.pain.onset)
        if self.pain.onset is not None and self.pain.duration_days is not None:
            derived = (day - self.pain.onset).days
            if abs(derived - self.pain.duration_days) > 1:
                problems.append(
                    f"pain.duration_days: {self.pain.duration_days} disagrees with pain.onset "
                    f"({derived} days before as_of), give only one of them"
                )
        for name, items in (
            ("events", self.events),
            ("questionnaires", self.questionnaires),
            ("procedures", self.procedures),
            ("imaging", self.imaging),
            ("history", self.history),
        ):
            for i, item in enumerate(items):
                check(f"{name}[{i}].date", getattr(item, "date", None))
        for name in type(self.monitoring).model_fields:
            check(f"monitoring.{name}", getattr(self.monitoring, name))
        if self.psych_evaluation is not None:
            check("psych_evaluation.date", self.psych_evaluation.date)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def _dates_suspect(self) -> bool:
        """Whether `_nothing_after_as_of` could find a problem (a quick pass that builds no messages)."""
        day = self.as_of
        pain = self.pain
        if pain.onset is not None and (
            pain.onset > day
            or (pain.duration_days is not None and abs((day - pain.onset).days - pain.duration_days) > 1)
        ):
            return True
        for items in (self.events, self.questionnaires, self.procedures, self.imaging, self.history):
            for item in items:
                when = item.date
                if when is not None and when > day:
                    return True
        for when in self.monitoring.__dict__.values():
            if when is not None and when > day:
                return True
        psych = self.psych_evaluation
        return psych is not None and psych.date is not None and psych.date > day

    @functools.cached_property
    def duration_days(self) -> int | None:
        """Days the pain has lasted on `as_of` (from `onset`, else `duration_days`).

        Validation stores it in the instance (not a field: never dumped or compared), so a read is a plain
        attribute lookup; a case built without validation works it out on first read.
        """
        if self.pain.onset is not None:
            return (self.as_of - self.pain.onset).days
        return self.pain.duration_days

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Case:
        """A copy; its `duration_days` is worked out again from its own `pain` and `as_of`."""
        copy = super().model_copy(update=update, deep=deep)
        copy.__dict__.pop("duration_days", None)
        return copy


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part.startswith(("function-after", "function-before")) or "[" in part:
            continue
        else:
            out += f".{part}" if out else part
    return out


def _message(err: Mapping[str, Any]) -> str:
    kind = err["type"]
    value = err.get("input")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required"
    if kind == "literal_error":
        return f"unknown code {value!r}"
    if kind == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    msg = str(err["msg"])
    return msg[:1].lower() + msg[1:]


def _format(exc: ValidationError) -> list[str]:
    out: list[str] = []
    for err in exc.errors(include_url=False):
        path = _path(err["loc"])
        msg = _message(err)
        if err["type"] == "value_error" and ": " in msg and not path:
            out.extend(part for part in msg.split("; "))
        elif err["type"] == "value_error" and ": " in msg:
            out.extend(
                f"{path}.{part}" if not part.startswith("[") else f"{path}{part}" for part in msg.split("; ")
            )
        else:
            out.append(f"{path}: {msg}" if path else msg)
    return out


def parse_case(data: Case | Mapping[str, Any]) -> Case:
    """Validate a case from JSON-like data; raises CaseError naming every faulty field."""
    if isinstance(data, Case):
        return data
    if not isinstance(data, Mapping):
        raise CaseError([f"case: must be a JSON object, not {type(data).__name__}"])
    try:
        return Case.model_validate(data)
    except ValidationError as exc:
        raise CaseError(_format(exc)) from None
