"""The demo patients' clinical history (demo_history.py) written through the apps' models and services.

Bulk rows (intakes, measurements, medication entries, structured notes of signed encounters) are checked
by the engine before they are written: every intake is a valid case, every questionnaire is scored by the
engine from its item answers. Procedures, monitoring checks and plans go through their services, so the
procedure workflow's rules (authorization before scheduling, consent before performing, block diaries
scored by `blocks.block_relief`) hold for the demo exactly as in the clinic.
"""

from __future__ import annotations

import datetime
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

from stepcare.accounts.models import User
from stepcare.care.models import (
    EncounterNote,
    Measurement,
    MeasurementSource,
    MedicationEntry,
    PlanDecision,
)
from stepcare.care.services import (
    clinical_profile_record,
    condition_rule_out,
    plan_finalize,
    plan_item_decide,
    plan_start,
    score_questionnaire,
)
from stepcare.clinical import blocks, parse_case
from stepcare.clinical.differential import condition_label
from stepcare.clinical.triage import assess
from stepcare.clinical.vocab import Condition
from stepcare.intake import wording as w
from stepcare.intake.models import Intake, IntakeStatus
from stepcare.intake.selectors import patient_case_facts
from stepcare.intake.steps import DN4_QUALITIES
from stepcare.meds.services import monitoring_event_record
from stepcare.procedures import services as procedures
from stepcare.procedures.models import ProcedureRecord
from stepcare.records import demo_data
from stepcare.records.demo_history import (
    DAILY_LIFE,
    HISTORIES,
    NOTE_HISTORY,
    NOTE_PLAN,
    PROFILES,
    Course,
    History,
    Med,
    NewIntake,
    Procedure,
)
from stepcare.records.models import Encounter, EncounterStatus, Patient

# DN4's interview items 1-7 (burning, painful cold, electric shocks, tingling, pins and needles, numbness,
# itching) as the intake's pain qualities can answer them: None = no quality asks it, so "no" in the demo.
DN4_INTERVIEW_QUALITIES: tuple[str | None, ...] = (
    "burning",
    None,
    "electric",
    "tingling",
    None,
    "numbness",
    None,
)
# the demo's bedside DN4 examination: reduced touch and pinprick sensation, no brush-evoked pain
DN4_EXAM_FINDINGS = [1, 1, 0]

DAY = datetime.timedelta(days=1)
INTAKE_DAYS_BEFORE_CONSULT = 3
MOOD_EVERY_DAYS = 70  # PHQ-9 and GAD-7 about every 3 months (with the pain scores of that day)
PAYER_BY_PLAN = {"medicare": "medicare", "commercial": "evicore"}
# Wobble of a score around its course, well inside each instrument's MCID so a plateau stays flat.
NOISE = {"peg": 0.3, "odi": 2.0, "ndi": 1.0, "phq9": 1.0, "gad7": 1.0}
LATERAL = {"buttock", "hip", "knee", "shoulder", "elbow", "wrist-hand", "ankle-foot", "chest-wall", "head"}
RED_FLAG_ORDER = [q.code for q in w.RED_FLAG_QUESTIONS]


def history_for(p: demo_data.DemoPatient) -> History:
    return HISTORIES[p.family_name]


def visit_days(h: History, visits: int) -> list[int]:
    """Days ago of each signed visit: the consult, a procedure (or telehealth) visit, a follow-up."""
    start = h.months * 30
    performed = [p.days_ago for p in h.procedures if p.status == "performed"]
    days = [start]
    if visits >= 3:
        days.append(max(performed) if performed else round(start * 0.55))
    if visits >= 4:
        days.append(max(demo_data.DRAFT_DAYS_BEFORE + 7, round(days[1] * 0.5)))
    return days


# -------------------------------------------------------------------------------------- scores
def course_value(course: Course, pair: tuple[float, float], t: float) -> float:
    """The score at fraction `t` (0 = first consult, 1 = last assessment) of this course."""
    base, latest = pair
    if course.shape == "plateau":
        return base + (latest - base) * min(1.0, t / 0.35)
    return base + (latest - base) * t


def _spread(total: int, count: int, high: int, rng: random.Random) -> list[int]:
    """`count` answers of at most `high` that add up to `total`, within one of each other."""
    total = max(0, min(total, count * high))
    base, extra = divmod(total, count)
    answers = [base] * count
    for i in rng.sample(range(count), extra):
        answers[i] += 1
    return answers


def questionnaire_items(instrument: str, value: float, rng: random.Random, *, item9: int = 0) -> list[int]:
    """Item answers whose score is as close to `value` as the instrument allows."""
    if instrument == "peg":
        return _spread(round(value * 3), 3, 10, rng)
    if instrument == "nrs":
        return [max(0, min(10, round(value)))]
    if instrument == "odi":
        return _spread(round(value / 2), 10, 5, rng)
    if instrument == "ndi":
        return _spread(round(value), 10, 5, rng)
    if instrument == "phq9":
        return [*_spread(round(value) - item9, 8, 3, rng), item9]
    if instrument == "gad7":
        return _spread(round(value), 7, 3, rng)
    raise ValueError(f"instrument: no demo answers for {instrument!r}")


# -------------------------------------------------------------------------------------- intake
def _side(side: str, patient_side: str) -> str:
    return patient_side if side == "SIDE" else side


def _sites(pairs: Iterable[tuple[str, str]], patient_side: str) -> list[dict[str, str]]:
    return [{"region": region, "side": _side(side, patient_side)} for region, side in pairs]


def _event_date(kind: str, onset: datetime.date) -> datetime.date:
    offsets = {"cancer-diagnosis": 200, "zoster": 21, "surgery": 0, "injury": 0, "fracture": 0}
    return onset - offsets.get(kind, 0) * DAY


def _intake_medicines(meds: Sequence[Med], today: datetime.date, day: datetime.date) -> tuple[list[Any], ...]:
    """What the patient reports at intake: medicines tried (with response) and those still taken."""
    current, trials = [], []
    for m in meds:
        start = today - m.start_days * DAY
        if start > day or m.ingredients or m.dose is None:
            continue
        stopped = m.stop_days is not None and today - m.stop_days * DAY <= day
        trial = {
            "name": m.name,
            "dose": m.dose,
            "unit": m.unit,
            "per_day": m.per_day,
            "weeks": max(1, ((day - start).days) // 7),
            "still_taking": not stopped,
            "response": "partial" if not stopped else ("intolerant" if "upset" in m.stop_reason else "none"),
            "side_effects": m.stop_reason if stopped else "",
        }
        trials.append(trial)
        if not stopped:
            med: dict[str, Any] = {"name": m.name, "dose": m.dose, "unit": m.unit}
            if m.per_day is not None:
                med["per_day"] = m.per_day
            current.append(med)
    return current, trials


@dataclass
class Tally:
    """What was created, for the progress lines."""

    counts: Counter[str] = field(default_factory=Counter)
    awaiting_triage: list[str] = field(default_factory=list)


class ClinicalSeeder:
    """Writes one demo patient's clinical history; `today` is the clinic's date when the command runs."""

    def __init__(self, *, rng: random.Random, tally: Tally) -> None:
        self.rng = rng
        self.tally = tally

    # ---------------------------------------------------------------------------- per patient
    def seed(
        self,
        *,
        patient: Patient,
        p: demo_data.DemoPatient,
        physician: User,
        intake_user: User,
        encounters: Sequence[Encounter],
        today: datetime.date,
    ) -> None:
        """`intake_user` started the intake: the patient's own login, else the front desk's tablet."""
        h = history_for(p)
        profile = PROFILES[p.condition]
        signed = [e for e in encounters if e.status == EncounterStatus.SIGNED]
        consult = signed[0].date
        intake_day = consult - INTAKE_DAYS_BEFORE_CONSULT * DAY
        onset = consult - h.onset_days * DAY
        function = profile["function"]

        schedule = self._schedule(h, intake_day, {e.date for e in signed}, today)
        first, last = schedule[0], schedule[-1]
        span = max(1, (last - first).days)
        rows: list[Measurement] = []
        baseline: list[dict[str, Any]] = []
        last_mood: datetime.date | None = None
        visit_on = {e.date: e for e in signed}
        for day in schedule:
            t = (day - first).days / span
            due = ["peg", "nrs"] + ([function] if function and h.course.function else [])
            if last_mood is None or (day - last_mood).days >= MOOD_EVERY_DAYS or day == last:
                due += ["phq9", "gad7"]
                last_mood = day
            peg_items: list[int] = []
            for instrument in due:
                items = self._items(h, instrument, t, is_last=day == last, peg_items=peg_items)
                if instrument == "peg":
                    peg_items = items
                rows.append(
                    self._measurement(patient, instrument, day, items, visit_on, physician, intake_day)
                )
                if day == intake_day:
                    baseline.append({"instrument": instrument, "date": day.isoformat(), "items": items})
            if h.goal_measure is not None and (day in visit_on or day in (first, last)):
                rows.append(self._goal_measurement(patient, h, day, t, visit_on, physician, intake_day))

        data = self._intake_data(p, h, profile, onset, intake_day, today, baseline)
        self._intake(patient, h, data, intake_day, started_by=intake_user, acknowledged=(physician, consult))
        if h.new_intake is not None:
            rows += self._new_intake(patient, h, data, today, started_by=intake_user)
        Measurement.objects.bulk_create(rows)
        self.tally.counts["measurements"] += len(rows)

        self._medications(patient, h, physician, today)
        dn4 = bool(DN4_QUALITIES.intersection(data["pain"]["qualities"]))
        self._notes(p, h, profile, signed, physician, dn4_interview=dn4)
        for check in h.checks:
            monitoring_event_record(
                actor=physician,
                patient=patient,
                kind=check.kind,
                date=today - check.days_ago * DAY,
                note=check.note,
            )
        self.tally.counts["monitoring checks"] += len(h.checks)
        for spec in h.procedures:
            self._procedure(patient, p, spec, physician, today)
        if h.background.has_profile:
            self._clinical_profile(patient, h, physician, today)
        for condition, why in h.background.ruled_out:
            condition_rule_out(actor=physician, patient=patient, condition=condition, reason=why)
            self.tally.counts["conditions ruled out"] += 1
        if h.finalized_plan:
            self._plan(patient, h, physician)

    # ---------------------------------------------------------------------------- measurements
    def _schedule(
        self, h: History, intake_day: datetime.date, visits: set[datetime.date], today: datetime.date
    ) -> list[datetime.date]:
        """The intake, every signed visit, and portal questionnaires every 4-8 weeks in between."""
        end = today - (h.last_assessed_days or self.rng.randint(7, 24)) * DAY
        days = {intake_day, *visits}
        day = intake_day
        while True:
            day += self.rng.randint(28, 56) * DAY
            if day > end - 21 * DAY:
                break
            days.add(day)
        days.add(max(end, max(days)))
        return sorted(days)

    def _items(
        self, h: History, instrument: str, t: float, *, is_last: bool, peg_items: list[int]
    ) -> list[int]:
        course = h.course
        if instrument == "nrs":
            return [peg_items[0]]  # the PEG's first item is the pain intensity of the same day
        pair = {"peg": course.peg, "phq9": course.phq9, "gad7": course.gad7}.get(instrument, course.function)
        assert pair is not None
        value = course_value(course, pair, t)
        if not is_last:
            spread = NOISE[instrument]
            value += self.rng.uniform(-spread, spread)
        item9 = h.phq9_item9_latest if is_last and instrument == "phq9" else 0
        return questionnaire_items(instrument, max(0.0, value), self.rng, item9=item9)

    def _measurement(
        self,
        patient: Patient,
        instrument: str,
        day: datetime.date,
        items: list[int],
        visit_on: dict[datetime.date, Encounter],
        physician: User,
        intake_day: datetime.date,
    ) -> Measurement:
        score = score_questionnaire(patient=patient, instrument=instrument, items=items, day=day)
        visit = visit_on.get(day)
        source = (
            MeasurementSource.INTAKE
            if day == intake_day
            else MeasurementSource.VISIT
            if visit
            else MeasurementSource.PORTAL
        )
        return Measurement(
            patient=patient,
            date=day,
            instrument=instrument,
            score=score,
            items=items,
            source=source,
            encounter=visit,
            recorded_by=physician if visit else None,
        )

    def _goal_measurement(
        self,
        patient: Patient,
        h: History,
        day: datetime.date,
        t: float,
        visit_on: dict[datetime.date, Encounter],
        physician: User,
        intake_day: datetime.date,
    ) -> Measurement:
        gm = h.goal_measure
        assert gm is not None
        goal = h.goals[0] if gm.kind == "work" else h.goals[1]
        value = round(course_value(h.course, (gm.baseline, gm.latest), t))
        visit = visit_on.get(day)
        return Measurement(
            patient=patient,
            date=day,
            instrument=goal[1],
            score=float(value),
            source=MeasurementSource.INTAKE
            if day == intake_day
            else MeasurementSource.VISIT
            if visit
            else MeasurementSource.PORTAL,
            encounter=visit,
            recorded_by=physician if visit else None,
        )

    # ---------------------------------------------------------------------------- intakes
    def _intake_data(
        self,
        p: demo_data.DemoPatient,
        h: History,
        profile: dict[str, Any],
        onset: datetime.date,
        day: datetime.date,
        today: datetime.date,
        questionnaires: list[dict[str, Any]],
    ) -> dict[str, Any]:
        spec = {**profile, **h.intake}
        side = h.side
        pain: dict[str, Any] = {
            "onset": onset.isoformat(),
            "sites": _sites(spec["sites"], side),
            "radiation": list(spec.get("radiation", ())),
            "nrs": questionnaires[0]["items"][0],
            "qualities": list(spec.get("qualities", ())),
            "symptoms": list(spec.get("symptoms", ())),
            "worse_with": list(spec.get("worse_with", ())),
            "better_with": list(spec.get("better_with", ())),
            "narrative": p.story,
        }
        if spec.get("headache_days") is not None:
            pain["headache_days_per_month"] = spec["headache_days"]
        events = []
        for kind, region in spec.get("events", ()):
            event: dict[str, Any] = {"kind": kind, "date": _event_date(kind, onset).isoformat()}
            if region:
                event["region"] = region
                if region in LATERAL and side in ("left", "right"):
                    event["side"] = side
            events.append(event)
        imaging = []
        for modality, region, level, findings in spec.get("imaging", ()):
            scan: dict[str, Any] = {
                "modality": modality,
                "date": (day - 20 * DAY).isoformat(),
                "region": region,
                "findings": list(findings),
            }
            if level:
                scan["level"] = level
            if side in ("left", "right") and (region in LATERAL or modality == "mri"):
                scan["side"] = side
            imaging.append(scan)
        current, trials = _intake_medicines(h.meds, today, day)
        flags = set(spec.get("red_flags", ())) | set(h.red_flags)
        # The "Your health" step's answers: conditions ticked, pregnancy (not asked of men), liver.
        health: dict[str, Any] = {
            "conditions": [c for c in get_args(Condition) if c in h.background.reported],
            "liver_disease": "none",
        }
        if p.sex != "male":
            health["pregnant"] = False
        return {
            "patient": health,
            "pain": pain,
            "events": events,
            "red_flags": [code for code in RED_FLAG_ORDER if code in flags],
            "imaging": imaging,
            "medications": current,
            "medication_trials": trials,
            "therapies": [
                {"code": code, "weeks": weeks, "completed": completed, "response": response}
                for code, weeks, completed, response in spec.get("therapies", ())
            ],
            "goals": [
                {"kind": kind, "text": text, "measure": measure, "target": target}
                for kind, (text, measure, target) in zip(("work", "life"), h.goals, strict=True)
            ],
            "questionnaires": questionnaires,
        }

    def _extra(self, data: dict[str, Any], h: History, day: datetime.date, *, dn4: bool) -> dict[str, Any]:
        regions = {s["region"] for s in data["pain"]["sites"]}
        qualities = set(data["pain"]["qualities"])
        daily = dict(DAILY_LIFE[h.course.shape])
        daily |= {
            "night_pain": "yes" if "night" in data["pain"]["worse_with"] else "no",
            "work_status": "full-time",
            "work_notes": "",
            "hopes": data["goals"][0]["text"],
        }
        extra: dict[str, Any] = {
            "red_flags_asked": [q.code for q in w.red_flag_questions_for(regions)],
            "daily_life": daily,
            "imaging_notes": ["" for _ in data["imaging"]],
        }
        if dn4 and qualities & DN4_QUALITIES:
            # DN4's interview part, as the intake asks it of nerve-like pain (the clinician examines 8-10)
            extra["dn4_interview"] = {
                "date": day.isoformat(),
                "items": [int(q is not None and q in qualities) for q in DN4_INTERVIEW_QUALITIES],
            }
        return extra

    def _intake(
        self,
        patient: Patient,
        h: History,
        data: dict[str, Any],
        day: datetime.date,
        *,
        started_by: User,
        acknowledged: tuple[User, datetime.date] | None,
        dn4: bool = True,
    ) -> Intake:
        """A submitted intake with the engine's triage; `acknowledged` = (by whom, on which day) or None."""
        case = {k: v for k, v in data.items() if k != "medication_trials"}
        case |= {"as_of": day.isoformat(), "patient": {**data["patient"], **patient_case_facts(patient, day)}}
        triage = assess(parse_case(case))  # raises CaseError naming the field if the demo data is wrong
        submitted = datetime.datetime.combine(day, datetime.time(hour=20), tzinfo=datetime.UTC)
        acknowledged_by, acknowledged_at = None, None
        if acknowledged is not None:
            acknowledged_by = acknowledged[0]
            acknowledged_at = datetime.datetime.combine(
                acknowledged[1], datetime.time(hour=14), tzinfo=datetime.UTC
            )
        intake = Intake.objects.create(
            patient=patient,
            clinic_id=patient.clinic_id,
            status=IntakeStatus.SUBMITTED,
            current_step="review",
            completed_steps=list(w.STEP_SLUGS),
            data=data,
            extra=self._extra(data, h, day, dn4=dn4),
            started_by=started_by,
            submitted_at=submitted,
            triage_level=triage.level,
            triage_reasons=list(triage.reasons),
            triage_action=triage.action,
            triaged_at=submitted,
            acknowledged_by=acknowledged_by,
            acknowledged_at=acknowledged_at,
        )
        started = submitted - datetime.timedelta(minutes=35)
        Intake.objects.filter(pk=intake.pk).update(started_at=started, updated_at=submitted)
        self.tally.counts["intakes"] += 1
        if acknowledged is None:
            self.tally.awaiting_triage.append(f"{triage.level} ({patient.given_name} {patient.family_name})")
        return intake

    def _new_intake(
        self,
        patient: Patient,
        h: History,
        baseline: dict[str, Any],
        today: datetime.date,
        *,
        started_by: User,
    ) -> list[Measurement]:
        """A recent update with new warning signs: unacknowledged, so it heads the triage queue."""
        new: NewIntake = h.new_intake  # type: ignore[assignment]
        day = today - new.days_ago * DAY
        peg = [new.nrs, max(0, new.nrs - 1), new.nrs]
        data = {
            **baseline,
            "pain": {
                **baseline["pain"],
                "sites": _sites(new.sites, h.side),
                "nrs": new.nrs,
                "narrative": new.narrative,
            },
            "red_flags": [c for c in RED_FLAG_ORDER if c in set(baseline["red_flags"]) | set(new.red_flags)],
            "questionnaires": [
                {"instrument": "peg", "date": day.isoformat(), "items": peg},
                {"instrument": "nrs", "date": day.isoformat(), "items": [new.nrs]},
            ],
        }
        # an update's questionnaires are PEG and NRS only: DN4's interview part is not asked again
        self._intake(patient, h, data, day, started_by=started_by, acknowledged=None, dn4=False)
        return [
            Measurement(
                patient=patient,
                date=day,
                instrument=q["instrument"],
                score=score_questionnaire(
                    patient=patient, instrument=q["instrument"], items=q["items"], day=day
                ),
                items=q["items"],
                source=MeasurementSource.INTAKE,
            )
            for q in data["questionnaires"]
        ]

    # ---------------------------------------------------------------------------- medicines, notes
    def _medications(self, patient: Patient, h: History, physician: User, today: datetime.date) -> None:
        rows = []
        for m in h.meds:
            outside = (
                "outside" in m.reason or "primary care" in m.reason.lower() or m.start_days > h.months * 30
            )
            rows.append(
                MedicationEntry(
                    patient=patient,
                    name=m.name,
                    dose=m.dose,
                    unit=m.unit if m.dose is not None else "",
                    per_day=m.per_day,
                    route=m.route,
                    formulation=m.formulation,
                    prn=m.prn,
                    ingredients=[{"name": n, "dose": d, "unit": u} for n, d, u in m.ingredients],
                    start=today - m.start_days * DAY,
                    stop=today - m.stop_days * DAY if m.stop_days is not None else None,
                    reason=m.reason,
                    stop_reason=m.stop_reason,
                    prescriber=None if outside else physician,
                )
            )
        MedicationEntry.objects.bulk_create(rows)
        self.tally.counts["medication entries"] += len(rows)

    def _notes(
        self,
        p: demo_data.DemoPatient,
        h: History,
        profile: dict[str, Any],
        signed: Sequence[Encounter],
        physician: User,
        *,
        dn4_interview: bool = False,
    ) -> None:
        exam = {
            key: _side(value, h.side) if isinstance(value, str) else value
            for key, value in {**profile["exam"], **h.exam}.items()
            if value is not None
        }
        label = condition_label(p.condition)
        notes = [
            EncounterNote(
                encounter=e,
                history=NOTE_HISTORY[e.type],
                exam=exam,
                assessment=f"{label}. {p.presenting_problem}.",
                plan_text=NOTE_PLAN[e.type],
                diagnoses=list(profile["diagnoses"]),
                # the latest visit examines DN4's items 8-10 for a patient who answered its interview part
                dn4_exam=DN4_EXAM_FINDINGS if dn4_interview and e is signed[-1] else None,
                updated_by=physician,
            )
            for e in signed
        ]
        # The encounters are already signed; a note is written with its encounter (save() would refuse now).
        EncounterNote.objects.bulk_create(notes)
        self.tally.counts["structured notes"] += len(notes)

    # ---------------------------------------------------------------------------- procedures, plans
    def _procedure(
        self,
        patient: Patient,
        p: demo_data.DemoPatient,
        spec: Procedure,
        physician: User,
        today: datetime.date,
    ) -> ProcedureRecord:
        day = today - spec.days_ago * DAY
        payer = PAYER_BY_PLAN[p.insurance]
        record = procedures.procedure_plan(
            actor=physician,
            patient=patient,
            code=spec.code,
            region=spec.region,
            side=spec.side,
            levels=spec.levels,
            approach=spec.approach,
            guidance=spec.guidance,
            planned_date=day,
            payer=payer,
            indication=spec.indication,
        )
        self.tally.counts["procedures"] += 1
        if spec.status == "planned":
            return record
        record = procedures.procedure_request_auth(actor=physician, procedure=record, payer=payer)
        number = f"DEMO-{self.rng.randint(100000, 999999)}"
        record = procedures.procedure_authorize(
            actor=physician, procedure=record, authorization_number=number
        )
        record = procedures.procedure_schedule(actor=physician, procedure=record, scheduled_for=day)
        procedures.procedure_consent_record(
            actor=physician, procedure=record, risks=list(record.entry.risks), questions="Questions answered."
        )
        record = procedures.procedure_perform(
            actor=physician,
            procedure=record,
            performed_on=day,
            side=spec.side,
            levels=spec.levels,
            approach=spec.approach,
            guidance=spec.guidance,
            anaesthetic=spec.anaesthetic,
            anaesthetic_dose=spec.anaesthetic_dose,
            steroid=spec.steroid,
            steroid_dose=spec.steroid_dose,
        )
        relief, hours = spec.relief_percent, spec.relief_hours
        if spec.diary is not None:
            pre, scores = spec.diary
            times = blocks.schedule(spec.code)
            diary = procedures.block_diary_save(
                actor=physician,
                procedure=record,
                anaesthetic=spec.anaesthetic,
                pre_nrs=pre,
                scores=dict(zip(times, scores, strict=True)),
            )
            assert diary.result is not None
            relief, hours = diary.result["peak_relief_percent"], diary.result["hours_at_threshold"]
            record.refresh_from_db()
        return procedures.procedure_record_response(
            actor=physician,
            procedure=record,
            relief_percent=relief,
            relief_hours=hours,
            function_improved=spec.function_improved,
        )

    def _clinical_profile(self, patient: Patient, h: History, physician: User, today: datetime.date) -> None:
        """The clinician's profile (re-evaluates, so the chart's evaluation already knows the background)."""
        bg = h.background
        psych = today - bg.psych_cleared_days_ago * DAY if bg.psych_cleared_days_ago is not None else None
        clinical_profile_record(
            actor=physician,
            patient=patient,
            egfr=bg.egfr,
            egfr_date=today - bg.egfr_days_ago * DAY if bg.egfr is not None else None,
            liver_disease="",
            conditions=[c for c in get_args(Condition) if c in bg.confirmed],
            pregnant=None,
            psych_evaluation_date=psych,
            psych_cleared=True if psych is not None else None,
            note="Demo: from the referral letter and outside records",
        )
        self.tally.counts["clinical profiles"] += 1

    def _plan(self, patient: Patient, h: History, physician: User) -> None:
        """A plan built from today's evaluation: self-care, rehabilitation and the planned procedure accepted."""
        plan = plan_start(actor=physician, patient=patient)
        wanted = {s.code for s in h.procedures}
        for item in plan.items.order_by("order", "id"):
            if item.tier in ("1", "2") or item.code in wanted:
                plan_item_decide(actor=physician, item=item, decision=PlanDecision.ACCEPTED)
            else:
                plan_item_decide(
                    actor=physician,
                    item=item,
                    decision=PlanDecision.DECLINED,
                    decline_reason="Not at this stage: agreed to review after the current step.",
                )
        plan_finalize(actor=physician, plan=plan)
        self.tally.counts["finalized plans"] += 1


__all__ = ["ClinicalSeeder", "Tally", "course_value", "history_for", "questionnaire_items", "visit_days"]
