"""Each intake step: its forms, how saved answers prefill them, and how answers become the case shape.

A step is valid only when its forms are valid *and* the engine's `parse_case` accepts the partial case it
produces; engine errors are attached to the field they name, so nothing invalid reaches `Intake.data`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, ClassVar

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from stepcare.clinical import CaseError, parse_case
from stepcare.clinical.questionnaires import InstrumentInfo, instruments
from stepcare.intake import forms as f
from stepcare.intake import wording as w
from stepcare.intake.bodymap import BACK_X, FRONT_X, bodymap_regions
from stepcare.intake.models import Intake
from stepcare.intake.selectors import intake_case, intake_uploads

Updates = tuple[dict[str, Any], dict[str, Any]]
INCOMPLETE_MESSAGE = "Please finish these steps first: {steps}."

ALWAYS_DUE = ("peg", "phq9", "gad7")
ODI_REGIONS = frozenset({"low-back", "buttock", "hip"})
NDI_REGIONS = frozenset({"neck"})
DN4_QUALITIES = frozenset({"burning", "electric", "tingling", "numbness"})


def case_problems(intake: Intake, as_of: datetime.date, updates: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(path, problem) for what the engine refuses in these case keys; empty when it accepts them."""
    try:
        parse_case(intake_case(intake, as_of=as_of, data=dict(updates)))
    except CaseError as exc:
        return [_split(message) for message in exc.errors]
    return []


def _split(message: str) -> tuple[str, str]:
    path, sep, problem = message.partition(": ")
    return (path, problem) if sep else ("", message)


def _iso(day: datetime.date | None) -> str | None:
    return day.isoformat() if day else None


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _regions(intake: Intake) -> set[str]:
    return {site["region"] for site in intake.data.get("pain", {}).get("sites", [])}


class Step:
    slug: ClassVar[str]
    template: ClassVar[str]

    def __init__(
        self,
        intake: Intake,
        as_of: datetime.date,
        post: QueryDict | None = None,
        files: MultiValueDict[str, UploadedFile[bytes]] | None = None,
    ) -> None:
        self.intake = intake
        self.as_of = as_of
        self.post = post
        self.files = files
        self._updates: Updates = ({}, {})
        self.problems: list[str] = []  # engine errors that name no field of this step

    @property
    def title(self) -> str:
        return w.STEP_TITLES[self.slug]

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.intake.data
        return data

    @property
    def extra(self) -> dict[str, Any]:
        extra: dict[str, Any] = self.intake.extra
        return extra

    def forms_valid(self) -> bool:
        raise NotImplementedError

    def build(self) -> Updates:
        raise NotImplementedError

    def attach(self, path: str, problem: str) -> bool:
        """Put an engine error on the field it names; False when no field of this step matches."""
        return False

    def is_valid(self) -> bool:
        if self.post is None or not self.forms_valid():
            return False
        self._updates = self.build()
        for path, problem in case_problems(self.intake, self.as_of, self._updates[0]):
            if not self.attach(path, problem):
                self.problems.append(f"{path}: {problem}" if path else problem)
        return not self.has_errors

    @property
    def has_errors(self) -> bool:
        return bool(self.problems)

    def updates(self) -> Updates:
        return self._updates

    def context(self) -> dict[str, Any]:
        return {}


class FormStep(Step):
    """A step with one form; `paths` maps an engine path prefix to the form field it came from."""

    paths: ClassVar[dict[str, str]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.form = self.make_form(self.post, self.initial())

    def make_form(self, post: QueryDict | None, initial: dict[str, Any]) -> forms.Form:
        raise NotImplementedError

    def initial(self) -> dict[str, Any]:
        return {}

    def forms_valid(self) -> bool:
        return self.form.is_valid()

    @property
    def has_errors(self) -> bool:
        return bool(self.problems or self.form.errors)

    def attach(self, path: str, problem: str) -> bool:
        for prefix, field in sorted(self.paths.items(), key=lambda kv: -len(kv[0])):
            if path == prefix or path.startswith((prefix + ".", prefix + "[")):
                self.form.add_error(field, problem)
                return True
        return False

    def context(self) -> dict[str, Any]:
        return {"form": self.form}


class PainStep(FormStep):
    slug = "pain"
    template = "intake/step_pain.html"
    paths = {
        "pain.onset": "onset",
        "pain.duration_days": "duration_value",
        "pain.nrs": "nrs",
        "pain.qualities": "qualities",
        "pain.symptoms": "symptoms",
        "pain.worse_with": "worse_with",
        "pain.better_with": "better_with",
        "pain.narrative": "narrative",
        "events": "started_after_date",
    }

    def make_form(self, post: QueryDict | None, initial: dict[str, Any]) -> forms.Form:
        return f.PainForm(post, initial=initial)

    def initial(self) -> dict[str, Any]:
        pain = self.data.get("pain", {})
        saved = self.extra.get("pain", {})
        events = self.data.get("events", [])
        event = events[0] if events else {}
        return {
            "onset": pain.get("onset"),
            "duration_value": saved.get("duration_value"),
            "duration_unit": saved.get("duration_unit", "months"),
            "nrs": pain.get("nrs"),
            "qualities": pain.get("qualities", []),
            "symptoms": pain.get("symptoms", []),
            "worse_with": pain.get("worse_with", []),
            "better_with": pain.get("better_with", []),
            "narrative": pain.get("narrative", ""),
            "started_after": event.get("kind", ""),
            "started_after_date": event.get("date"),
        }

    def build(self) -> Updates:
        c = self.form.cleaned_data
        pain = {k: v for k, v in self.data.get("pain", {}).items() if k in ("sites", "radiation")}
        pain.update(
            {
                "nrs": c["nrs"],
                "qualities": c["qualities"],
                "symptoms": c["symptoms"],
                "worse_with": c["worse_with"],
                "better_with": c["better_with"],
            }
        )
        if c["onset"]:
            pain["onset"] = c["onset"].isoformat()
        else:
            pain["duration_days"] = c["duration_value"] * f.DURATION_DAYS[c["duration_unit"]]
        if c["narrative"].strip():
            pain["narrative"] = c["narrative"].strip()
        events = []
        if c["started_after"]:
            events.append({"kind": c["started_after"], "date": _iso(c["started_after_date"] or c["onset"])})
        extra = {"pain": {"duration_value": c["duration_value"], "duration_unit": c["duration_unit"]}}
        return {"pain": pain, "events": events}, extra


def sites_from_choices(values: list[str]) -> list[dict[str, str]]:
    """Checkbox values → contract sites; a region ticked on the left and the right is one bilateral site."""
    sides: dict[str, list[str | None]] = {}
    for value in values:
        region, _, side = value.partition(":")
        sides.setdefault(region, []).append(side or None)
    out: list[dict[str, str]] = []
    for region, marked in sides.items():
        if {"left", "right"} <= set(marked):
            out.append({"region": region, "side": "bilateral"})
        else:
            out.extend({"region": region, "side": side} if side else {"region": region} for side in marked)
    return out


def choices_from_sites(sites: list[dict[str, str]]) -> list[str]:
    out: list[str] = []
    for site in sites:
        side = site.get("side")
        if side == "bilateral" or (site["region"] in w.LATERAL_REGIONS and side in (None, "midline")):
            out += [f.site_value(site["region"], "left"), f.site_value(site["region"], "right")]
        else:
            out.append(f.site_value(site["region"], side))
    return out


class WhereStep(FormStep):
    slug = "where"
    template = "intake/step_where.html"
    paths = {"pain.sites": "sites", "pain.radiation": "radiation"}

    def make_form(self, post: QueryDict | None, initial: dict[str, Any]) -> forms.Form:
        return f.WhereForm(post, initial=initial)

    def initial(self) -> dict[str, Any]:
        pain = self.data.get("pain", {})
        return {"sites": choices_from_sites(pain.get("sites", [])), "radiation": pain.get("radiation", [])}

    def build(self) -> Updates:
        c = self.form.cleaned_data
        pain = dict(self.data.get("pain", {}))
        pain["sites"] = sites_from_choices(c["sites"])
        pain["radiation"] = c["radiation"]
        return {"pain": pain}, {}

    def context(self) -> dict[str, Any]:
        chosen = set(self.form["sites"].value() or [])
        return {
            "form": self.form,
            "bodymap": bodymap_regions(chosen),
            "bodymap_centres": (FRONT_X, BACK_X),
        }


class WarningSignsStep(FormStep):
    slug = "warning-signs"
    template = "intake/step_warning_signs.html"

    def make_form(self, post: QueryDict | None, initial: dict[str, Any]) -> forms.Form:
        self.questions = w.red_flag_questions_for(_regions(self.intake))
        return f.WarningSignsForm(post, initial=initial, questions=self.questions)

    def initial(self) -> dict[str, Any]:
        asked = set(self.extra.get("red_flags_asked", []))
        present = set(self.data.get("red_flags", []))
        return {f.flag_field(code): ("yes" if code in present else "no") for code in asked | present}

    def attach(self, path: str, problem: str) -> bool:
        if path.startswith("red_flags"):
            self.form.add_error(None, problem)
            return True
        return False

    def build(self) -> Updates:
        assert isinstance(self.form, f.WarningSignsForm)
        c = self.form.cleaned_data
        asked = [self.form.codes[name] for name in self.form.codes]
        yes = {self.form.codes[name] for name in self.form.codes if c[name] == "yes"}
        # A "yes" to a question no longer asked (the sites changed) is kept: a red flag is never dropped quietly.
        kept = {code for code in self.data.get("red_flags", []) if code not in asked}
        order = [q.code for q in w.RED_FLAG_QUESTIONS]
        flags = [code for code in order if code in yes | kept]
        return {"red_flags": flags}, {"red_flags_asked": asked}


class HealthStep(FormStep):
    """Other conditions, pregnancy and liver disease: the case's `patient` facts that change what is safe."""

    slug = "health"
    template = "intake/step_health.html"
    paths = {
        "patient.conditions": "conditions",
        "patient.pregnant": "pregnant",
        "patient.liver_disease": "liver_disease",
    }

    @property
    def asks_pregnant(self) -> bool:
        return bool(self.intake.patient.sex != "male")

    def make_form(self, post: QueryDict | None, initial: dict[str, Any]) -> forms.Form:
        return f.HealthForm(post, initial=initial, ask_pregnant=self.asks_pregnant)

    def initial(self) -> dict[str, Any]:
        saved = self.data.get("patient", {})
        out: dict[str, Any] = {"conditions": list(saved.get("conditions", []))}
        if "pregnant" in saved:
            out["pregnant"] = "yes" if saved["pregnant"] else "no"
        if "liver_disease" in saved:
            out["liver_disease"] = saved["liver_disease"]
        return out

    def attach(self, path: str, problem: str) -> bool:
        if super().attach(path, problem):
            return True
        if path.startswith("patient"):
            self.form.add_error(None, problem)
            return True
        return False

    def build(self) -> Updates:
        c = self.form.cleaned_data
        chosen = set(c["conditions"])
        patient: dict[str, Any] = {
            "conditions": [code for code, _ in f.CONDITION_CHOICES if code in chosen],
            "liver_disease": c["liver_disease"],
        }
        if "pregnant" in self.form.fields:
            patient["pregnant"] = c["pregnant"] == "yes"
        return {"patient": patient}, {}


class DailyLifeStep(FormStep):
    slug = "daily-life"
    template = "intake/step_form.html"

    def make_form(self, post: QueryDict | None, initial: dict[str, Any]) -> forms.Form:
        return f.DailyLifeForm(post, initial=initial)

    def initial(self) -> dict[str, Any]:
        return dict(self.extra.get("daily_life", {}))

    def build(self) -> Updates:
        c = dict(self.form.cleaned_data)
        c["sleep_hours"] = _number(c["sleep_hours"])
        return {}, {"daily_life": c}


class GoalsStep(FormStep):
    slug = "goals"
    template = "intake/step_goals.html"
    paths = {
        "goals[0].text": "work_text",
        "goals[0].measure": "work_measure",
        "goals[0].target": "work_target",
        "goals[0]": "work_text",
        "goals[1].text": "life_text",
        "goals[1].measure": "life_measure",
        "goals[1].target": "life_target",
        "goals[1]": "life_text",
    }

    def make_form(self, post: QueryDict | None, initial: dict[str, Any]) -> forms.Form:
        return f.GoalsForm(post, initial=initial)

    def initial(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for goal in self.data.get("goals", []):
            kind = goal["kind"]
            out |= {
                f"{kind}_text": goal["text"],
                f"{kind}_measure": goal.get("measure"),
                f"{kind}_target": goal.get("target"),
            }
        return out

    def build(self) -> Updates:
        c = self.form.cleaned_data
        goals = [
            {
                "kind": kind,
                "text": c[f"{kind}_text"].strip(),
                "measure": c[f"{kind}_measure"].strip(),
                "target": _number(c[f"{kind}_target"]),
            }
            for kind in ("work", "life")
        ]
        return {"goals": goals}, {}


class RowsStep(Step):
    """A list of rows the patient adds and removes (htmx, or plain submit buttons without JavaScript)."""

    row_form: ClassVar[type[f.RowForm]]
    prefix: ClassVar[str]
    key: ClassVar[str]  # the case key these rows fill
    add_label: ClassVar[str]
    row_noun: ClassVar[str]
    empty_text: ClassVar[str]
    MAX_ROWS = 30

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.index_of_case_item: list[int] = []  # case list position → row position
        if self.post is not None:
            count = self._count(self.post)
            self.rows = [self.row_form(self.post, prefix=self._prefix(i)) for i in range(count)]
        else:
            self.rows = [
                self.row_form(initial=row, prefix=self._prefix(i)) for i, row in enumerate(self.saved_rows())
            ]

    def _prefix(self, i: int) -> str:
        return f"{self.prefix}-{i}"

    def _count(self, post: QueryDict) -> int:
        try:
            return max(0, min(self.MAX_ROWS, int(post.get(f"{self.prefix}-count", "0"))))
        except ValueError:
            return 0

    def saved_rows(self) -> list[dict[str, Any]]:
        raise NotImplementedError

    def row_updates(self, rows: list[dict[str, Any]]) -> Updates:
        raise NotImplementedError

    def filled(self) -> list[f.RowForm]:
        return [row for row in self.rows if not row.is_blank()]

    def forms_valid(self) -> bool:
        return all(row.is_valid() for row in self.filled())

    def build(self) -> Updates:
        return self.row_updates([row.cleaned_data for row in self.filled()])

    @property
    def has_errors(self) -> bool:
        return bool(self.problems) or any(row.errors for row in self.filled())

    def attach(self, path: str, problem: str) -> bool:
        head = f"{self.key}["
        if not path.startswith(head):
            return False
        index_text, _, rest = path[len(head) :].partition("]")
        try:
            row = self.filled()[self.index_of_case_item[int(index_text)]]
        except (ValueError, IndexError):
            return False
        field = rest.lstrip(".").split(".")[0].split("[")[0]
        row.add_error(field if field in row.fields else None, problem)
        return True

    def edit_rows(self, *, add: bool, remove: int | None) -> None:
        """Re-render the typed rows with one more (or one fewer); nothing is saved."""
        assert self.post is not None
        post = self.post
        raw = [{name: post.get(row.add_prefix(name), "") for name in row.fields} for row in self.rows]
        if remove is not None and 0 <= remove < len(raw):
            del raw[remove]
        if add and len(raw) < self.MAX_ROWS:
            raw.append({})
        self.rows = [self.row_form(initial=values, prefix=self._prefix(i)) for i, values in enumerate(raw)]
        if add and self.rows:
            first = next(iter(self.rows[-1].fields.values()))
            first.widget.attrs["autofocus"] = True  # htmx focuses it after the swap

    def context(self) -> dict[str, Any]:
        return {"rows": self.rows, "rows_step": self, "row_count": len(self.rows)}


class ImagingStep(RowsStep):
    slug = "imaging"
    template = "intake/step_imaging.html"
    row_form = f.ImagingRowForm
    prefix = "scan"
    key = "imaging"
    add_label = "Add a scan"
    row_noun = "scan"
    empty_text = (
        "No scans listed. Use “Add a scan” if you have had an X-ray, MRI, CT or nerve test for this pain."
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.upload_form = (
            f.ReportUploadForm(self.post, self.files) if self.post is not None else f.ReportUploadForm()
        )

    def saved_rows(self) -> list[dict[str, Any]]:
        notes = self.extra.get("imaging_notes", [])
        return [
            {**scan, "notes": notes[i] if i < len(notes) else ""}
            for i, scan in enumerate(self.data.get("imaging", []))
        ]

    def forms_valid(self) -> bool:
        rows_ok = super().forms_valid()
        return self.upload_form.is_valid() and rows_ok

    @property
    def has_errors(self) -> bool:
        return super().has_errors or bool(self.upload_form.errors)

    def row_updates(self, rows: list[dict[str, Any]]) -> Updates:
        scans, notes = [], []
        for i, r in enumerate(rows):
            scan: dict[str, Any] = {"modality": r["modality"], "date": _iso(r["date"]), "findings": []}
            if r["region"]:
                scan["region"] = r["region"]
            if r["side"]:
                scan["side"] = r["side"]
            scans.append(scan)
            notes.append(r["notes"].strip())
            self.index_of_case_item.append(i)
        return {"imaging": scans}, {"imaging_notes": notes}

    @property
    def report(self) -> Any:
        return (
            self.upload_form.cleaned_data.get("report")
            if self.upload_form.is_bound and self.upload_form.is_valid()
            else None
        )

    def context(self) -> dict[str, Any]:
        return {
            **super().context(),
            "upload_form": self.upload_form,
            "uploads": intake_uploads(intake=self.intake),
        }


class MedicinesStep(RowsStep):
    slug = "medicines"
    template = "intake/step_rows.html"
    row_form = f.MedicineRowForm
    prefix = "med"
    key = "medications"
    add_label = "Add a medicine"
    row_noun = "medicine"
    empty_text = "No medicines listed. Use “Add a medicine” for each pain medicine you have taken."

    def saved_rows(self) -> list[dict[str, Any]]:
        return [
            {**trial, "still_taking": "yes" if trial.get("still_taking") else "no"}
            for trial in self.data.get("medication_trials", [])
        ]

    def row_updates(self, rows: list[dict[str, Any]]) -> Updates:
        current, trials = [], []
        for i, r in enumerate(rows):
            name = " ".join(r["name"].split()).lower()
            trial = {
                "name": name,
                "dose": _number(r["dose"]),
                "unit": r["unit"],
                "per_day": _number(r["per_day"]),
                "weeks": _number(r["weeks"]),
                "still_taking": r["still_taking"] == "yes",
                "response": r["response"],
                "side_effects": r["side_effects"].strip(),
            }
            trials.append(trial)
            if trial["still_taking"]:
                med: dict[str, Any] = {"name": name, "dose": trial["dose"], "unit": r["unit"]}
                if trial["per_day"] is not None:
                    med["per_day"] = trial["per_day"]
                if r["unit"] == "mcg/hr":
                    med["route"] = "transdermal"
                current.append(med)
                self.index_of_case_item.append(i)
        # Medicines still taken are the contract's `medications` (MME, safety checks); every trial with its
        # response and side effects is kept beside them for the clinician.
        return {"medications": current, "medication_trials": trials}, {}


class TherapiesStep(RowsStep):
    slug = "therapies"
    template = "intake/step_rows.html"
    row_form = f.TherapyRowForm
    prefix = "therapy"
    key = "therapies"
    add_label = "Add a treatment"
    row_noun = "treatment"
    empty_text = "No treatments listed. Use “Add a treatment” for physical therapy, exercise, talking therapy, injections and so on."

    def saved_rows(self) -> list[dict[str, Any]]:
        return [
            {**t, "completed": "yes" if t.get("completed") else "no"} for t in self.data.get("therapies", [])
        ]

    def row_updates(self, rows: list[dict[str, Any]]) -> Updates:
        therapies = []
        for i, r in enumerate(rows):
            therapies.append(
                {
                    "code": r["code"],
                    "weeks": _number(r["weeks"]),
                    "completed": r["completed"] == "yes",
                    "response": r["response"],
                }
            )
            self.index_of_case_item.append(i)
        return {"therapies": therapies}, {}


def due_instruments(intake: Intake) -> tuple[InstrumentInfo, ...]:
    """PEG, PHQ-9 and GAD-7 always; ODI for low back/buttock/hip, NDI for neck, DN4 for nerve-like pain."""
    regions = _regions(intake)
    qualities = set(intake.data.get("pain", {}).get("qualities", []))
    due = list(ALWAYS_DUE)
    if regions & ODI_REGIONS:
        due.append("odi")
    if regions & NDI_REGIONS:
        due.append("ndi")
    if qualities & DN4_QUALITIES:
        due.append("dn4")
    by_code = {info.code: info for info in instruments()}
    return tuple(by_code[code] for code in due)


class QuestionnairesStep(FormStep):
    slug = "questionnaires"
    template = "intake/step_questionnaires.html"

    def make_form(self, post: QueryDict | None, initial: dict[str, Any]) -> forms.Form:
        self.due = due_instruments(self.intake)
        return f.QuestionnairesForm(post, initial=initial, instruments=self.due)

    def initial(self) -> dict[str, Any]:
        saved = {q["instrument"]: q["items"] for q in self.data.get("questionnaires", [])}
        dn4 = self.extra.get("dn4_interview")
        if dn4:
            saved["dn4"] = dn4["items"]
        out: dict[str, Any] = {}
        for code, items in saved.items():
            for n, answer in enumerate(items, start=1):
                if answer is not None:
                    out[f.item_field(code, n)] = str(answer)
        return out

    def attach(self, path: str, problem: str) -> bool:
        if not path.startswith("questionnaires["):
            return False
        index_text, _, rest = path[len("questionnaires[") :].partition("]")
        try:
            info = self.scored[int(index_text)]
        except (ValueError, IndexError):
            return False
        field = None
        if rest.startswith(".items["):
            number = int(rest[len(".items[") :].partition("]")[0]) + 1
            field = f.item_field(info.code, number)
        self.form.add_error(field, f"{info.name}: {problem}" if field is None else problem)
        return True

    def build(self) -> Updates:
        c = self.form.cleaned_data
        today = self.as_of.isoformat()
        self.scored: list[InstrumentInfo] = []
        questionnaires: list[dict[str, Any]] = []
        extra: dict[str, Any] = {}
        for info in self.due:
            answers = [c.get(f.item_field(info.code, item.number)) for item in f.patient_items(info)]
            if len(answers) < info.item_count:
                # The clinician completes the examination items; the patient's part is kept for them.
                extra["dn4_interview"] = {"date": today, "items": answers}
                continue
            questionnaires.append({"instrument": info.code, "date": today, "items": answers})
            self.scored.append(info)
        return {"questionnaires": questionnaires}, extra

    def context(self) -> dict[str, Any]:
        assert isinstance(self.form, f.QuestionnairesForm)
        return {"form": self.form, "groups": self.form.groups()}


class ReviewStep(Step):
    slug = "review"
    template = "intake/step_review.html"

    def forms_valid(self) -> bool:
        missing = [
            w.STEP_TITLES[s] for s in w.STEP_SLUGS if s != "review" and s not in self.intake.completed_steps
        ]
        if missing:
            self.problems.append(INCOMPLETE_MESSAGE.format(steps=", ".join(missing)))
            return False
        return True

    def build(self) -> Updates:
        # Everything already stored is checked once more as one whole case.
        return {k: v for k, v in self.data.items() if k != "medication_trials"}, {}


STEP_CLASSES: dict[str, type[Step]] = {
    cls.slug: cls
    for cls in (
        PainStep,
        WhereStep,
        WarningSignsStep,
        HealthStep,
        DailyLifeStep,
        ImagingStep,
        MedicinesStep,
        TherapiesStep,
        GoalsStep,
        QuestionnairesStep,
        ReviewStep,
    )
}
assert tuple(STEP_CLASSES) == w.STEP_SLUGS


def next_step(slug: str) -> str:
    i = w.STEP_SLUGS.index(slug)
    return w.STEP_SLUGS[min(i + 1, len(w.STEP_SLUGS) - 1)]


def previous_step(slug: str) -> str | None:
    i = w.STEP_SLUGS.index(slug)
    return w.STEP_SLUGS[i - 1] if i > 0 else None
