"""Reads for the clinician chart: the engine's case assembled from stored records, timeline and trends.

Everything a chart needs is loaded by `load_care_data` in a fixed number of queries (whatever the
history length); the case, the timeline and the chart series are then built in Python from it.
"""

from __future__ import annotations

import copy
import datetime
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, get_args

from django.apps import apps
from django.db.models import QuerySet
from django.http import HttpRequest

from stepcare.care import dn4
from stepcare.care.models import (
    CarePlan,
    ClinicalProfile,
    EncounterNote,
    EvaluationSnapshot,
    Measurement,
    MedicationEntry,
    PlanItem,
    PlanStatus,
    ReportedConditionRuling,
)
from stepcare.clinical import CaseError, parse_case
from stepcare.clinical.differential import condition_label
from stepcare.clinical.questionnaires import instruments
from stepcare.clinical.vocab import CONDITIONS, Condition
from stepcare.records.models import Encounter, Patient
from stepcare.records.selectors import clinic_date, deny_not_visible, encounters_for_patient

if TYPE_CHECKING:
    from stepcare.accounts.models import User

# The intake's case-shaped keys that go into the case unchanged (when valid).
INTAKE_KEYS = (
    "pain",
    "red_flags",
    "events",
    "imaging",
    "therapies",
    "goals",
    "procedures",
    "psych_evaluation",
)
_LIST_SECTIONS = (
    "events",
    "red_flags",
    "questionnaires",
    "medications",
    "procedures",
    "imaging",
    "therapies",
    "diagnoses",
    "goals",
    "history",
)
_CONDITION_ORDER: tuple[str, ...] = get_args(Condition)  # the contract's order
_DICT_SECTIONS = ("pain", "exam", "patient", "monitoring", "psych_evaluation")
_ERROR_PATH = re.compile(r"^(?P<key>[a-z_]+)(?:\[(?P<index>\d+)\])?(?:\.(?P<sub>[a-z_\-]+))?")
# Chart groups: which instruments share a chart (the clinic's usual trio of trends).
CHART_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("pain", "Pain (PEG, NRS)", ("peg", "nrs")),
    ("function", "Function (ODI, NDI)", ("odi", "ndi")),
    ("mood", "Mood (PHQ-9, GAD-7)", ("phq9", "gad7")),
)


def questionnaire_codes() -> frozenset[str]:
    return frozenset(i.code for i in instruments())


def instrument_names() -> dict[str, str]:
    return {i.code: i.name for i in instruments()}


def patient_today(patient: Patient) -> datetime.date:
    """Today in the patient's clinic's time zone (an evaluation's `as_of`)."""
    return clinic_date(patient.clinic)


# ------------------------------------------------------------------------------------- loading
@dataclass
class CareData:
    """The stored records one chart needs, loaded once."""

    patient: Patient
    measurements: list[Measurement]
    medications: list[MedicationEntry]
    latest_note: EncounterNote | None
    intake: dict[str, Any] | None
    intake_problems: list[str] = field(default_factory=list)
    intake_submitted_at: datetime.datetime | None = None
    dn4_interview: dict[str, Any] | None = None  # the intake's DN4 interview items, {"date", "items"}
    dn4_note: EncounterNote | None = None  # the latest note with DN4's examination items


@dataclass(frozen=True)
class IntakeParts:
    """What the chart takes from the latest submitted intake."""

    data: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    submitted_at: datetime.datetime | None = None
    dn4_interview: dict[str, Any] | None = None


def _intake_parts(patient: Patient) -> IntakeParts:
    """The latest submitted intake in the contract's case shape (and its DN4 interview), if the app is installed."""
    if not apps.is_installed("stepcare.intake"):
        return IntakeParts()
    try:
        from stepcare.intake import selectors as intake_selectors  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # pragma: no cover - the app is installed but has no selectors yet
        return IntakeParts()
    # one query: the newest intake feeds the case; DN4's interview part may come from an earlier one
    intakes = list(intake_selectors.submitted_intakes(patient=patient))
    if not intakes:
        return IntakeParts()
    intake = intakes[0]
    data = intake_selectors.intake_case_data(intake)
    if not isinstance(data, Mapping):
        return IntakeParts(problems=[f"intake {intake.pk}: stored data is not an object"])
    return IntakeParts(
        data=dict(data),
        submitted_at=intake.submitted_at,
        dn4_interview=intake_selectors.latest_dn4_interview(intakes),
    )


def _latest_dn4_note(patient: Patient, latest_note: EncounterNote | None) -> EncounterNote | None:
    """The latest note in which a clinician examined DN4's items (the latest note itself when it has them)."""
    if latest_note is not None and latest_note.dn4_exam is not None:
        return latest_note
    return (
        EncounterNote.objects.filter(encounter__patient=patient, dn4_exam__isnull=False)
        .select_related("encounter")
        .order_by("-encounter__date", "-encounter__id")
        .first()
    )


def load_care_data(patient: Patient) -> CareData:
    """Measurements, medication entries, the latest structured note and the intake: 3-5 queries."""
    parts = _intake_parts(patient)
    latest_note = (
        EncounterNote.objects.filter(encounter__patient=patient)
        .select_related("encounter")
        .order_by("-encounter__date", "-encounter__id")
        .first()
    )
    return CareData(
        patient=patient,
        measurements=list(Measurement.objects.filter(patient=patient).order_by("date", "id")),
        medications=list(MedicationEntry.objects.filter(patient=patient).order_by("start", "id")),
        latest_note=latest_note,
        intake=parts.data,
        intake_problems=list(parts.problems),
        intake_submitted_at=parts.submitted_at,
        dn4_interview=parts.dn4_interview,
        # Only a patient who answered DN4's interview part needs the examination part looked up.
        dn4_note=_latest_dn4_note(patient, latest_note) if parts.dn4_interview else None,
    )


# ----------------------------------------------------------------------------- clinical profile
def latest_clinical_profile(patient: Patient) -> ClinicalProfile | None:
    """The clinician-confirmed medical background now in force (the latest row; one query)."""
    return (
        ClinicalProfile.objects.filter(patient=patient)
        .select_related("recorded_by")
        .order_by("-created_at", "-id")
        .first()
    )


def clinical_profiles(patient: Patient) -> list[ClinicalProfile]:
    """Every recorded profile, newest first (the page's history)."""
    return list(
        ClinicalProfile.objects.filter(patient=patient)
        .select_related("recorded_by")
        .order_by("-created_at", "-id")
    )


def latest_condition_rulings(patient: Patient) -> dict[str, ReportedConditionRuling]:
    """The ruling in force per condition code (the latest row of each); one query."""
    rulings: dict[str, ReportedConditionRuling] = {}
    for ruling in (
        ReportedConditionRuling.objects.filter(patient=patient)
        .select_related("recorded_by")
        .order_by("-created_at", "-id")
    ):
        rulings.setdefault(ruling.condition, ruling)
    return rulings


def ruled_out_reports(
    rulings: Mapping[str, ReportedConditionRuling], reported_at: datetime.datetime | None
) -> dict[str, ReportedConditionRuling]:
    """The rule-outs that correct the current intake's report: made after that intake was submitted.

    A rule-out older than the intake corrected an earlier report; the patient has reported the condition
    again since, so it counts again until a clinician reviews it anew.
    """
    return {
        code: ruling
        for code, ruling in rulings.items()
        if ruling.ruled_out and (reported_at is None or ruling.created_at >= reported_at)
    }


def _merge_profile(
    case: dict[str, Any],
    profile: ClinicalProfile | None,
    day: datetime.date,
    problems: list[str],
    ruled_out: Collection[str] = (),
) -> None:
    """The patient's background: conditions from intake (less those a clinician ruled out) and clinician
    together; the clinician's eGFR, liver disease and pregnancy win over the intake's when set;
    psychological clearance from the clinician only."""
    patient = case["patient"]
    reported = patient.get("conditions") or []
    if not isinstance(reported, list):
        reported = []
    unknown = [c for c in reported if c not in CONDITIONS]
    if unknown:
        problems.append(
            f"patient.conditions: left out unknown codes from the intake: {', '.join(map(str, unknown))}"
        )
    merged = {c for c in reported if c in CONDITIONS and c not in ruled_out}
    if profile is not None:
        merged |= {c for c in profile.conditions if c in CONDITIONS}
    if merged:
        patient["conditions"] = sorted(merged, key=_CONDITION_ORDER.index)
    else:
        patient.pop("conditions", None)
    if profile is None:
        return
    if profile.egfr is not None:
        patient["egfr"] = profile.egfr
    if profile.liver_disease:
        patient["liver_disease"] = profile.liver_disease
    if profile.pregnant is not None:
        patient["pregnant"] = profile.pregnant
    when = profile.psych_evaluation_date
    if profile.psych_cleared is not None and (when is None or when <= day):
        psych: dict[str, Any] = {"cleared": profile.psych_cleared}
        if when is not None:
            psych["date"] = when.isoformat()
        case["psych_evaluation"] = psych


@dataclass(frozen=True)
class ReportedCondition:
    """A condition the patient reported at intake, and what clinicians made of it."""

    code: str
    ruling: ReportedConditionRuling | None = None  # ruled out: left out of the evaluation
    superseded: ReportedConditionRuling | None = None  # ruled out before the patient reported it again
    confirmed: bool = False  # the clinician's profile lists it as well

    @property
    def ruled_out(self) -> bool:
        return self.ruling is not None


@dataclass(frozen=True)
class ClinicalBackground:
    """What the patient reported at intake, and what the evaluation uses once the clinician's profile is in."""

    reported: dict[str, Any]
    in_use: dict[str, Any]
    psych_evaluation: dict[str, Any] | None
    reported_conditions: tuple[ReportedCondition, ...] = ()


def _reported_codes(reported: Mapping[str, Any]) -> list[str]:
    codes = reported.get("conditions")
    known = {c for c in codes if c in CONDITIONS} if isinstance(codes, list) else set()
    return sorted(known, key=_CONDITION_ORDER.index)


def _reported_rows(
    codes: list[str],
    rulings: Mapping[str, ReportedConditionRuling],
    ruled_out: Mapping[str, ReportedConditionRuling],
    confirmed: Collection[str],
) -> tuple[ReportedCondition, ...]:
    return tuple(
        ReportedCondition(
            code=code,
            ruling=ruled_out.get(code),
            superseded=rulings[code]
            if code not in ruled_out and code in rulings and rulings[code].ruled_out
            else None,
            confirmed=code in confirmed,
        )
        for code in codes
    )


def reported_conditions(data: CareData) -> tuple[ReportedCondition, ...]:
    """The conditions the patient reported at intake and any clinician's ruling on them (for the chart;
    no query when the patient reported none)."""
    codes = _reported_codes(dict((data.intake or {}).get("patient") or {}))
    if not codes:
        return ()
    rulings = latest_condition_rulings(data.patient)
    return _reported_rows(codes, rulings, ruled_out_reports(rulings, data.intake_submitted_at), ())


def clinical_background(patient: Patient, profile: ClinicalProfile | None) -> ClinicalBackground:
    parts = _intake_parts(patient)
    reported = dict((parts.data or {}).get("patient") or {})
    rulings = latest_condition_rulings(patient)
    ruled_out = ruled_out_reports(rulings, parts.submitted_at)
    case: dict[str, Any] = {"patient": copy.deepcopy(reported)}
    _merge_profile(case, profile, patient_today(patient), [], ruled_out)
    confirmed = set(profile.conditions) if profile is not None else set()
    return ClinicalBackground(
        reported=reported,
        in_use=case["patient"],
        psych_evaluation=case.get("psych_evaluation"),
        reported_conditions=_reported_rows(_reported_codes(reported), rulings, ruled_out, confirmed),
    )


NOT_REPORTED_MESSAGE = (
    "The patient does not report {condition} in the latest intake, so there is nothing to rule out."
)
ALREADY_RULED_OUT_MESSAGE = "{condition} is already ruled out."
CONFIRMED_IN_PROFILE_MESSAGE = (
    "{condition} is confirmed in the clinical profile; remove it there first if it does not apply."
)


def condition_rule_out_problem(
    *, background: ClinicalBackground, condition: str, label: str = ""
) -> str | None:
    """Why this condition cannot be ruled out now (None when it can); `label` names it in the message."""
    name = label or condition
    row = next((r for r in background.reported_conditions if r.code == condition), None)
    if row is None:
        return NOT_REPORTED_MESSAGE.format(condition=name)
    if row.ruled_out:
        return ALREADY_RULED_OUT_MESSAGE.format(condition=name)
    if row.confirmed:
        return CONFIRMED_IN_PROFILE_MESSAGE.format(condition=name)
    return None


# --------------------------------------------------------------------------------- case assembly
@dataclass(frozen=True)
class CaseAssembly:
    """A valid case and the messages for every stored piece that had to be left out of it."""

    case: dict[str, Any]
    problems: list[str]


def _is_active(med: MedicationEntry, day: datetime.date) -> bool:
    started = med.start is None or med.start <= day
    stopped = med.stop is not None and med.stop <= day
    return started and not stopped


def _scored_intake_points(
    questionnaires: Iterable[Mapping[str, Any]], patient: Mapping[str, Any], as_of: str
) -> list[tuple[str, str, float]]:
    """Scores of intake questionnaires (instrument, date, score) using the engine's own scoring."""
    from stepcare.clinical import questionnaires as q

    points: list[tuple[str, str, float]] = []
    for entry in questionnaires:
        try:
            case = parse_case({"as_of": as_of, "patient": patient, "questionnaires": [entry]})
        except CaseError:
            continue  # the whole case's validation reports it
        scores, _ = q.score_all(case)
        for code, score in scores.items():
            if score.score is not None:
                points.append((code, (score.date or case.as_of).isoformat(), float(score.score)))
    return points


def _history_points(found: Mapping[str, Any], patient: Mapping[str, Any], as_of: str) -> list[dict[str, Any]]:
    entry = found["entry"]
    if found["score"] is not None:
        return [{"date": entry["date"], "instrument": entry["instrument"], "score": found["score"]}]
    return [
        {"date": d, "instrument": c, "score": s} for c, d, s in _scored_intake_points([entry], patient, as_of)
    ]


def _drop(case: dict[str, Any], errors: list[str]) -> bool:
    """Remove each piece an error names; False when nothing could be removed."""
    removed = False
    list_drops: dict[str, set[int]] = {}
    for message in errors:
        m = _ERROR_PATH.match(message)
        if m is None:
            continue
        key, index, sub = m["key"], m["index"], m["sub"]
        if key == "patient" and sub in (None, "age"):
            continue  # demographics come from the record; an impossible age cannot be dropped
        if key in _LIST_SECTIONS and index is not None and isinstance(case.get(key), list):
            list_drops.setdefault(key, set()).add(int(index))
        elif key in _DICT_SECTIONS and sub is not None and isinstance(case.get(key), dict):
            kebab = sub if sub in case[key] else sub.replace("_", "-")
            if kebab in case[key]:
                del case[key][kebab]
                removed = True
            elif key != "patient":
                del case[key]
                removed = True
        elif key in case and key not in ("patient", "as_of"):
            del case[key]
            removed = True
    for key, indexes in list_drops.items():
        case[key] = [item for i, item in enumerate(case[key]) if i not in indexes]
        if not case[key]:
            del case[key]
        removed = True
    return removed


def _validated(case: dict[str, Any], problems: list[str]) -> dict[str, Any]:
    for _ in range(8):
        try:
            parse_case(case)
        except CaseError as exc:
            problems.extend(exc.errors)
            if not _drop(case, exc.errors):
                break
        else:
            return case
    minimal: dict[str, Any] = {k: case[k] for k in ("id", "as_of") if k in case}
    minimal["patient"] = {"age": max(0, min(120, case["patient"].get("age", 0))), "sex": "unknown"}
    problems.append("case: could not be repaired; only demographics were evaluated")
    return minimal


def _dn4_entry(data: CareData, day: datetime.date, problems: list[str]) -> dict[str, Any] | None:
    """DN4 with all ten items: the intake's interview part and the clinician's examination part, dated at
    the exam. Without both parts, or when the exam predates the interview (it belongs to an earlier round),
    there is no DN4 to score."""
    interview, note = data.dn4_interview, data.dn4_note
    if interview is None or note is None or note.dn4_exam is None:
        return None
    exam_day = note.encounter.date
    if exam_day > day:
        return None
    try:
        asked = datetime.date.fromisoformat(str(interview.get("date")))
    except ValueError:
        asked = None
    if asked is not None and asked > exam_day:
        return None
    items = dn4.combine(interview.get("items") or [], note.dn4_exam)
    if items is None:
        problems.append(
            f"questionnaires: DN4 left out: the intake has {len(interview.get('items') or [])} interview "
            f"answers and note {note.pk} {len(note.dn4_exam)} examination answers, which do not add up to "
            f"the instrument's {dn4.instrument().item_count} items"
        )
        return None
    return {"instrument": dn4.DN4, "date": exam_day.isoformat(), "items": items}


def assemble_case(data: CareData, *, as_of: datetime.date | None = None) -> CaseAssembly:
    """Build the contract case from stored records; invalid stored pieces are left out and reported."""
    patient = data.patient
    day = as_of or patient_today(patient)
    iso = day.isoformat()
    intake = copy.deepcopy(data.intake) if data.intake else {}
    problems = list(data.intake_problems)

    demographics: dict[str, Any] = dict(intake.get("patient") or {})
    demographics.update({"age": patient.age_on(day), "sex": patient.sex})
    case: dict[str, Any] = {"id": f"patient-{patient.pk}", "as_of": iso, "patient": demographics}
    for key in INTAKE_KEYS:
        if intake.get(key) not in (None, [], {}):
            case[key] = intake[key]

    # Medications: the clinic's medication list wins once it exists; before that, what the patient reported.
    if data.medications:
        meds = [m.to_case() for m in data.medications if _is_active(m, day)]
    else:
        meds = list(intake.get("medications") or [])
    if meds:
        case["medications"] = meds

    # Questionnaires: the latest answers per instrument are scored by the engine; earlier ones become history.
    codes = questionnaire_codes()
    candidates: list[tuple[str, int, str, dict[str, Any], float | None]] = []
    history: list[dict[str, Any]] = []
    for m in data.measurements:
        if m.date > day:
            continue
        if m.instrument in codes and m.items is not None:
            entry = {"instrument": m.instrument, "date": m.date.isoformat(), "items": list(m.items)}
            candidates.append((m.date.isoformat(), 1, m.instrument, entry, m.score))
        else:
            history.append({"date": m.date.isoformat(), "instrument": m.instrument, "score": m.score})
    for entry in intake.get("questionnaires") or []:
        if isinstance(entry, Mapping):
            when = str(entry.get("date") or iso)
            candidates.append((when, 0, str(entry.get("instrument", "")), dict(entry), None))
    dn4_entry = _dn4_entry(data, day, problems)
    if dn4_entry is not None:
        candidates.append((dn4_entry["date"], 0, dn4.DN4, dn4_entry, None))
    latest: dict[str, dict[str, Any]] = {}
    for _when, _rank, code, entry, score in sorted(candidates, key=lambda c: (c[0], c[1])):
        previous = latest.get(code)
        if previous is not None:
            history.extend(_history_points(previous, demographics, iso))
        latest[code] = {"entry": entry, "score": score}
    if latest:
        case["questionnaires"] = [v["entry"] for v in latest.values()]
    if history:
        case["history"] = sorted(history, key=lambda h: (h["date"], h["instrument"]))

    note = data.latest_note
    if note is not None and note.encounter.date <= day:
        if note.exam:
            case["exam"] = dict(note.exam)
        if note.diagnoses:
            case["diagnoses"] = list(note.diagnoses)

    # Procedures recorded in the clinic (stepcare.procedures) join those the patient reported at intake.
    if apps.is_installed("stepcare.procedures"):
        from stepcare.procedures.selectors import procedures_case_data

        recorded = [p for p in procedures_case_data(patient) if p["date"] <= iso]
        if recorded:
            case["procedures"] = list(case.get("procedures") or []) + recorded

    # Opioid-stewardship checks recorded on the medication pages (stepcare.meds) date the monitoring block.
    if apps.is_installed("stepcare.meds"):
        from stepcare.meds.selectors import monitoring_case_data

        monitoring = monitoring_case_data(patient, as_of=day)
        if monitoring:
            case["monitoring"] = monitoring

    # The clinician-confirmed background, less the patient's reports a clinician ruled out (two queries).
    ruled_out = ruled_out_reports(latest_condition_rulings(patient), data.intake_submitted_at)
    _merge_profile(case, latest_clinical_profile(patient), day, problems, ruled_out)

    case = _validated(case, problems)
    return CaseAssembly(case=case, problems=problems)


def case_for_patient(patient: Patient, *, as_of: datetime.date | None = None) -> dict[str, Any]:
    """The contract case for this patient on `as_of` (default: today at the clinic); always valid."""
    return assemble_case(load_care_data(patient), as_of=as_of).case


# ------------------------------------------------------------------------------------ snapshots/plans
def latest_snapshot(patient: Patient) -> EvaluationSnapshot | None:
    return EvaluationSnapshot.objects.filter(patient=patient).order_by("-created_at", "-id").first()


def latest_plan(patient: Patient, *, status: str | None = None) -> CarePlan | None:
    plans = CarePlan.objects.filter(patient=patient)
    if status is not None:
        plans = plans.filter(status=status)
    return (
        plans.select_related("snapshot", "created_by", "finalized_by").order_by("-created_at", "-id").first()
    )


def draft_plan(patient: Patient) -> CarePlan | None:
    return latest_plan(patient, status=PlanStatus.DRAFT)


def plan_items(plan: CarePlan) -> QuerySet[PlanItem]:
    return plan.items.select_related("decided_by", "medication").order_by("order", "id")


def get_plan_item_for_patient(
    *, user: User, patient: Patient, item_id: int, request: HttpRequest
) -> PlanItem:
    """An item of this (already permission-checked) patient's plans; otherwise 404, audited as denied."""
    item = PlanItem.objects.select_related("plan").filter(pk=item_id, plan__patient=patient).first()
    if item is None:
        raise deny_not_visible(request=request, user=user, object_type="care.planitem", object_id=item_id)
    return item


def note_for_encounter(encounter: Encounter) -> EncounterNote | None:
    return EncounterNote.objects.filter(encounter=encounter).first()


def previous_note(encounter: Encounter) -> EncounterNote | None:
    """The latest structured note of this patient before this encounter (to carry the exam forward)."""
    return (
        EncounterNote.objects.filter(encounter__patient_id=encounter.patient_id)
        .exclude(encounter=encounter)
        .filter(encounter__date__lte=encounter.date)
        .order_by("-encounter__date", "-encounter__id")
        .first()
    )


# ------------------------------------------------------------------------------------ timeline
@dataclass(frozen=True)
class TimelineRow:
    date: datetime.date
    kind: str
    title: str
    detail: str = ""
    url: str = ""

    @property
    def kind_label(self) -> str:
        return _KIND_LABELS.get(self.kind, self.kind)


TIMELINE_KINDS = (
    ("encounter", "Encounters"),
    ("questionnaire", "Questionnaires"),
    ("measure", "Goal measures"),
    ("medication", "Medication changes"),
)
_KIND_LABELS = {
    "encounter": "Encounter",
    "questionnaire": "Questionnaire",
    "measure": "Goal measure",
    "medication": "Medication",
}


def timeline(*, data: CareData, encounters: Iterable[Encounter], kind: str = "") -> list[TimelineRow]:
    """Encounters, questionnaires, goal measures and medication starts/stops, newest first."""
    from django.urls import reverse

    names = instrument_names()
    rows: list[TimelineRow] = []
    for e in encounters:
        rows.append(
            TimelineRow(
                e.date,
                "encounter",
                f"{e.get_type_display()} ({e.get_status_display().lower()})",
                f"{e.chief_complaint} · {e.clinician.display_name}"
                if e.chief_complaint
                else e.clinician.display_name,
                reverse("encounter-note", kwargs={"encounter_id": e.pk}),
            )
        )
    for m in data.measurements:
        if m.instrument in names:
            rows.append(
                TimelineRow(
                    m.date,
                    "questionnaire",
                    names[m.instrument],
                    f"score {m.score:g} ({m.get_source_display()})",
                )
            )
        else:
            rows.append(
                TimelineRow(m.date, "measure", m.instrument, f"{m.score:g} ({m.get_source_display()})")
            )
    for med in data.medications:
        if med.start is not None:
            rows.append(TimelineRow(med.start, "medication", f"Started {med.name}", med.dose_text))
        if med.stop is not None:
            rows.append(TimelineRow(med.stop, "medication", f"Stopped {med.name}", med.stop_reason))
    if kind:
        rows = [r for r in rows if r.kind == kind]
    rows.sort(key=lambda r: (r.date, r.kind), reverse=True)
    return rows


# ------------------------------------------------------------------------------------ chart series
def chart_series(
    *, data: CareData, case: Mapping[str, Any], result: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Per chart group: the series of scores by date, the medication markers and a baseline/latest summary."""
    names = instrument_names()
    by_instrument: dict[str, dict[str, float]] = {}
    for m in data.measurements:
        by_instrument.setdefault(m.instrument, {})[m.date.isoformat()] = m.score
    # Questionnaires the case scored without a stored measurement (e.g. the intake's) are points too.
    for code, score in ((result or {}).get("scores") or {}).items():
        if score.get("score") is not None:
            by_instrument.setdefault(code, {}).setdefault(score.get("date") or case["as_of"], score["score"])
    outcomes = (result or {}).get("outcomes") or {}
    markers = []
    for med in data.medications:
        if med.start is not None:
            markers.append({"x": med.start.isoformat(), "label": f"Started {med.name}"})
        if med.stop is not None:
            markers.append({"x": med.stop.isoformat(), "label": f"Stopped {med.name}"})
    groups = []
    for group_id, title, codes in CHART_GROUPS:
        series = []
        summary = []
        for code in codes:
            points = sorted(by_instrument.get(code, {}).items())
            if not points:
                continue
            series.append(
                {
                    "instrument": code,
                    "label": names.get(code, code),
                    "points": [{"x": d, "y": y} for d, y in points],
                }
            )
            outcome = outcomes.get(code) or {}
            summary.append(
                {
                    "instrument": code,
                    "label": names.get(code, code),
                    "baseline_date": points[0][0],
                    "baseline": points[0][1],
                    "latest_date": points[-1][0],
                    "latest": points[-1][1],
                    "change": round(points[-1][1] - points[0][1], 2),
                    "status": outcome.get("status", ""),
                    "count": len(points),
                }
            )
        groups.append({"id": group_id, "title": title, "series": series, "summary": summary})
    goal_rows = []
    for code, by_date in sorted(by_instrument.items()):
        if code in names:
            continue
        ordered = sorted(by_date.items())
        outcome = outcomes.get(code) or {}
        goal_rows.append(
            {
                "instrument": code,
                "baseline_date": ordered[0][0],
                "baseline": ordered[0][1],
                "latest_date": ordered[-1][0],
                "latest": ordered[-1][1],
                "status": outcome.get("status", ""),
            }
        )
    return {"groups": groups, "markers": sorted(markers, key=lambda m: m["x"]), "goals": goal_rows}


# ------------------------------------------------------------------------------------ evaluation view
def evaluation_view(result: Mapping[str, Any]) -> dict[str, Any]:
    """The evaluation JSON with labels added for display (condition names, instrument names)."""
    names = instrument_names()
    differential = [
        {**d, "label": d.get("label") or condition_label(d["code"])} for d in result.get("differential", [])
    ]
    scores = [
        {"instrument": code, "name": names.get(code, code), **s}
        for code, s in result.get("scores", {}).items()
    ]
    return {**result, "differential": differential, "score_rows": scores}


def encounters_for_chart(*, patient: Patient, user: User) -> list[Encounter]:
    return list(encounters_for_patient(patient=patient, user=user))
