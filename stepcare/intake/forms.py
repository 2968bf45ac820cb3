"""The intake's forms, one per step (rows for medicines, therapies and scans). Messages say what to do.

Choices come from the engine's vocabularies with the patient-facing wording in `wording.py`; the step
objects in `steps.py` turn cleaned answers into the contract's case shape and validate that with the engine.
"""

from __future__ import annotations

from typing import Any, Final, get_args

from django import forms

from stepcare.clinical import vocab
from stepcare.clinical.questionnaires import InstrumentInfo, ItemInfo
from stepcare.intake import wording as w
from stepcare.intake.uploads import check_upload
from stepcare.records.forms import ISO_DATE_ONLY, DateInput

NRS_MESSAGE = "Choose a whole number from 0 (no pain) to 10 (worst pain imaginable)."
ONSET_MISSING_MESSAGE = "Tell us when the pain started (a date) or how long you have had it."
ONSET_BOTH_MESSAGE = "Give either the date it started or how long you have had it, not both."
DURATION_UNIT_MESSAGE = "Choose days, weeks, months or years."
DATE_MESSAGE = "Enter the date as YYYY-MM-DD (for example 2025-03-14); a rough date is fine."
EVENT_DATE_MESSAGE = "When did that happen? Enter the date as YYYY-MM-DD (a rough date is fine)."
SITES_REQUIRED_MESSAGE = "Mark at least one place that hurts, on the body map or in the list."
YES_NO_MESSAGE = "Please answer yes or no."
CHOOSE_MESSAGE = "Please choose one of the options."
GOAL_TEXT_MESSAGE = "Describe your {kind} goal in a few words."
GOAL_MEASURE_MESSAGE = "Say how you will measure it (for example “minutes of typing” or “km walked”)."
GOAL_TARGET_MESSAGE = "Give a number to aim for (for example 60 for “60 minutes”)."
MEDICINE_NAME_MESSAGE = "Enter the medicine's name (as on the box or label)."
DOSE_MESSAGE = "Enter the strength as a number greater than 0 (for example 300)."
PER_DAY_MESSAGE = "How many times a day? Enter a number from 1 to 48."
WEEKS_MESSAGE = "Enter the number of weeks (0 to 5200); a rough number is fine."
THERAPY_CODE_MESSAGE = "Choose which treatment this was."
RESPONSE_MESSAGE = "Say whether it helped."
MODALITY_MESSAGE = "Choose the kind of scan or test."
ANSWER_MESSAGE = "Please choose an answer from {lo} to {hi}."

DURATION_UNITS: Final = (("days", "days"), ("weeks", "weeks"), ("months", "months"), ("years", "years"))
DURATION_DAYS: Final = {"days": 1, "weeks": 7, "months": 30, "years": 365}
YES_NO: Final = (("yes", "Yes"), ("no", "No"))


def _choices(codes: tuple[str, ...], labels: dict[str, str]) -> list[tuple[str, str]]:
    return [(code, labels[code]) for code in codes]


QUALITY_CHOICES: Final = _choices(get_args(vocab.Quality), w.QUALITY_LABELS)
SYMPTOM_CHOICES: Final = _choices(get_args(vocab.Symptom), w.SYMPTOM_LABELS)
MODIFIER_CHOICES: Final = _choices(get_args(vocab.Modifier), w.MODIFIER_LABELS)
RADIATION_CHOICES: Final = _choices(get_args(vocab.Radiation), w.RADIATION_LABELS)
EVENT_CHOICES: Final = [("", "Nothing in particular"), *_choices(get_args(vocab.EventKind), w.EVENT_LABELS)]
REGION_CHOICES: Final = _choices(get_args(vocab.Region), w.REGION_LABELS)
SIDE_CHOICES: Final = _choices(get_args(vocab.Side), w.SIDE_LABELS)
MODALITY_CHOICES: Final = _choices(get_args(vocab.Modality), w.MODALITY_LABELS)
UNIT_CHOICES: Final = _choices(get_args(vocab.Unit), w.UNIT_LABELS)
RESPONSE_CHOICES: Final = [
    (code, w.RESPONSE_LABELS[code]) for code in ("good", "partial", "none", "intolerant")
]
THERAPY_CHOICES: Final = [(code, label) for code, label in w.THERAPY_LABELS.items()]
CONDITION_CHOICES: Final = [
    (code, w.CONDITION_LABELS[code])
    for code in get_args(vocab.Condition)
    if code not in w.HEALTH_ASKED_SEPARATELY
]
LIVER_CHOICES: Final = [(code, w.LIVER_LABELS[code]) for code in get_args(vocab.LiverDisease)]
CONDITION_MESSAGE = "Tick only the conditions in the list."


def site_value(region: str, side: str | None) -> str:
    return f"{region}:{side}" if side else region


def _site_choices() -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for region in get_args(vocab.Region):
        if region in w.NO_SIDE_REGIONS:
            out.append((site_value(region, None), w.site_label(region, None)))
        elif region in w.LATERAL_REGIONS:
            out.extend((site_value(region, side), w.site_label(region, side)) for side in ("left", "right"))
        else:
            out.append((site_value(region, "midline"), w.site_label(region, "midline")))
    return out


SITE_CHOICES: Final = _site_choices()


def _checkboxes(label: str, choices: list[tuple[str, str]], help_text: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )


def _date(label: str, *, required: bool, message: str = DATE_MESSAGE, help_text: str = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        input_formats=ISO_DATE_ONLY,
        help_text=help_text,
        error_messages={"invalid": message, "required": message},
    )


def _yes_no(label: str, *, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        required=required,
        widget=forms.RadioSelect,
        error_messages={"required": YES_NO_MESSAGE, "invalid_choice": YES_NO_MESSAGE},
    )


def _number(
    label: str, *, lo: float, hi: float, message: str, required: bool = True, help_text: str = ""
) -> forms.FloatField:
    return forms.FloatField(
        label=label,
        required=required,
        min_value=lo,
        max_value=hi,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages=dict.fromkeys(("required", "invalid", "min_value", "max_value"), message),
    )


class PainForm(forms.Form):
    onset = _date("When did this pain start?", required=False, help_text="The date, if you know it.")
    duration_value = forms.IntegerField(
        label="Or: how long have you had it?",
        required=False,
        min_value=1,
        max_value=100,
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value"), "Enter a whole number from 1 to 100."
        ),
    )
    duration_unit = forms.ChoiceField(
        label="Unit",
        choices=DURATION_UNITS,
        initial="months",
        error_messages={"required": DURATION_UNIT_MESSAGE, "invalid_choice": DURATION_UNIT_MESSAGE},
    )
    nrs = forms.IntegerField(
        label="How bad is your pain right now, from 0 to 10?",
        help_text="0 means no pain; 10 means the worst pain you can imagine.",
        min_value=0,
        max_value=10,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages=dict.fromkeys(("required", "invalid", "min_value", "max_value"), NRS_MESSAGE),
    )
    qualities = _checkboxes("What does the pain feel like?", QUALITY_CHOICES, "Tick all that fit.")
    symptoms = _checkboxes("Do you also have any of these?", SYMPTOM_CHOICES, "Tick all that fit.")
    worse_with = _checkboxes("What makes it worse?", MODIFIER_CHOICES)
    better_with = _checkboxes("What makes it better?", MODIFIER_CHOICES)
    started_after = forms.ChoiceField(
        label="Did the pain start after something?", choices=EVENT_CHOICES, required=False
    )
    started_after_date = _date("When did that happen?", required=False, message=EVENT_DATE_MESSAGE)
    narrative = forms.CharField(
        label="In your own words, tell us about your pain",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"max_length": "Please keep this under 5000 characters."},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        onset, value = cleaned.get("onset"), cleaned.get("duration_value")
        if "onset" in cleaned and "duration_value" in cleaned:
            if onset is None and value is None:
                self.add_error("onset", ONSET_MISSING_MESSAGE)
            elif onset is not None and value is not None:
                self.add_error("duration_value", ONSET_BOTH_MESSAGE)
        event_undated = "started_after_date" in cleaned and cleaned["started_after_date"] is None
        if cleaned.get("started_after") and event_undated and onset is None:
            self.add_error("started_after_date", EVENT_DATE_MESSAGE)
        return cleaned


class WhereForm(forms.Form):
    sites = forms.MultipleChoiceField(
        label="Where does it hurt?",
        choices=SITE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": SITES_REQUIRED_MESSAGE},
    )
    radiation = _checkboxes(
        "Does the pain travel (spread) anywhere?", RADIATION_CHOICES, "Leave empty if it stays in one place."
    )


class WarningSignsForm(forms.Form):
    """One yes/no per red-flag question; the field name carries the code."""

    def __init__(self, *args: Any, questions: tuple[w.RedFlagQuestion, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes: dict[str, str] = {}
        for q in questions:
            name = flag_field(q.code)
            self.fields[name] = _yes_no(q.question)
            self.codes[name] = q.code


def flag_field(code: str) -> str:
    return "flag_" + code.replace("-", "_")


class DailyLifeForm(forms.Form):
    sleep_hours = _number(
        "About how many hours do you sleep a night?",
        lo=0,
        hi=24,
        required=False,
        message="Enter a number of hours from 0 to 24.",
    )
    sleep_quality = forms.ChoiceField(
        label="How well do you sleep?",
        choices=list(w.SLEEP_QUALITY_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_MESSAGE, "invalid_choice": CHOOSE_MESSAGE},
    )
    night_pain = _yes_no("Does the pain wake you at night?")
    mood = forms.ChoiceField(
        label="How has your mood been lately?",
        choices=list(w.MOOD_LABELS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_MESSAGE, "invalid_choice": CHOOSE_MESSAGE},
    )
    work_status = forms.ChoiceField(
        label="What best describes your work now?",
        choices=[("", "Choose one"), *w.WORK_STATUS_LABELS.items()],
        error_messages={
            "required": "Choose what best describes your work now.",
            "invalid_choice": CHOOSE_MESSAGE,
        },
    )
    work_notes = forms.CharField(
        label="Anything about your work we should know? (optional)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    hopes = forms.CharField(
        label="What do you hope the clinic can help you with?",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class HealthForm(forms.Form):
    """The patient's other conditions; `pregnant` is asked unless the record says male."""

    conditions = forms.MultipleChoiceField(
        label="Do you have, or have you had, any of these?",
        choices=CONDITION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick all that apply; leave them all empty if none do. The clinic checks them with you.",
        error_messages={"invalid_choice": CONDITION_MESSAGE},
    )
    pregnant = _yes_no(w.PREGNANT_QUESTION)
    liver_disease = forms.ChoiceField(
        label=w.LIVER_QUESTION,
        choices=LIVER_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": CHOOSE_MESSAGE, "invalid_choice": CHOOSE_MESSAGE},
    )

    def __init__(self, *args: Any, ask_pregnant: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not ask_pregnant:
            del self.fields["pregnant"]


class RowForm(forms.Form):
    """A row in a list the patient can grow and shrink; a row left completely empty is skipped."""

    content_fields: tuple[str, ...] = ()

    def is_blank(self) -> bool:
        return all(not str(self.data.get(self.add_prefix(name), "")).strip() for name in self.content_fields)


class ImagingRowForm(RowForm):
    content_fields = ("modality", "date", "notes")
    modality = forms.ChoiceField(
        label="Kind of scan or test",
        choices=[("", "Choose one"), *MODALITY_CHOICES],
        error_messages={"required": MODALITY_MESSAGE, "invalid_choice": MODALITY_MESSAGE},
    )
    date = _date("When was it done?", required=True)
    region = forms.ChoiceField(
        label="Part of the body", choices=[("", "Not sure"), *REGION_CHOICES], required=False
    )
    side = forms.ChoiceField(label="Side", choices=[("", "Not sure"), *SIDE_CHOICES], required=False)
    notes = forms.CharField(label="What were you told about it? (optional)", required=False, max_length=1000)


class ReportUploadForm(forms.Form):
    report = forms.FileField(
        label="Upload a scan report (PDF, PNG or JPEG, up to 10 MB)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg"}),
    )

    def clean_report(self) -> Any:
        report = self.cleaned_data.get("report")
        if report:
            kind, problem = check_upload(report)
            if problem:
                raise forms.ValidationError(problem, code="upload")
            report.sniffed = kind
        return report


class MedicineRowForm(RowForm):
    content_fields = ("name", "dose", "per_day", "weeks", "side_effects")
    name = forms.CharField(
        label="Medicine name",
        max_length=80,
        error_messages={
            "required": MEDICINE_NAME_MESSAGE,
            "max_length": "Keep the name under 80 characters.",
        },
    )
    dose = _number("Strength of one dose", lo=0.001, hi=100000, message=DOSE_MESSAGE)
    unit = forms.ChoiceField(label="Unit", choices=UNIT_CHOICES, initial="mg")
    per_day = _number(
        "Times a day",
        lo=1,
        hi=48,
        required=False,
        message=PER_DAY_MESSAGE,
        help_text="Not needed for patches.",
    )
    weeks = _number("For how many weeks?", lo=0, hi=5200, required=False, message=WEEKS_MESSAGE)
    still_taking = _yes_no("Still taking it?")
    response = forms.ChoiceField(
        label="Did it help?",
        choices=[("", "Choose one"), *RESPONSE_CHOICES],
        error_messages={"required": RESPONSE_MESSAGE, "invalid_choice": RESPONSE_MESSAGE},
    )
    side_effects = forms.CharField(label="Side effects (optional)", required=False, max_length=500)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        patch = cleaned.get("unit") == "mcg/hr"
        if cleaned.get("unit") and not patch and "per_day" in cleaned and cleaned["per_day"] is None:
            self.add_error("per_day", PER_DAY_MESSAGE)
        return cleaned


class TherapyRowForm(RowForm):
    content_fields = ("code", "weeks")
    code = forms.ChoiceField(
        label="Treatment",
        choices=[("", "Choose one"), *THERAPY_CHOICES],
        error_messages={"required": THERAPY_CODE_MESSAGE, "invalid_choice": THERAPY_CODE_MESSAGE},
    )
    weeks = _number("For how many weeks?", lo=0, hi=5200, message=WEEKS_MESSAGE)
    completed = _yes_no("Did you finish the course?")
    response = forms.ChoiceField(
        label="Did it help?",
        choices=[("", "Choose one"), *RESPONSE_CHOICES],
        error_messages={"required": RESPONSE_MESSAGE, "invalid_choice": RESPONSE_MESSAGE},
    )


class GoalsForm(forms.Form):
    work_text = forms.CharField(
        label="Your work goal",
        max_length=500,
        help_text="Something at work (paid, unpaid or study) you want to do again.",
        error_messages={"required": GOAL_TEXT_MESSAGE.format(kind="work")},
    )
    work_measure = forms.CharField(
        label="How will you measure it?", max_length=80, error_messages={"required": GOAL_MEASURE_MESSAGE}
    )
    work_target = _number("Target (a number)", lo=0, hi=1_000_000, message=GOAL_TARGET_MESSAGE)
    life_text = forms.CharField(
        label="Your life goal",
        max_length=500,
        help_text="Something at home, with family or for fun you want to do again.",
        error_messages={"required": GOAL_TEXT_MESSAGE.format(kind="life")},
    )
    life_measure = forms.CharField(
        label="How will you measure it?", max_length=80, error_messages={"required": GOAL_MEASURE_MESSAGE}
    )
    life_target = _number("Target (a number)", lo=0, hi=1_000_000, message=GOAL_TARGET_MESSAGE)


def item_field(code: str, number: int) -> str:
    return f"q_{code.replace('-', '_')}_{number}"


def patient_items(info: InstrumentInfo) -> tuple[ItemInfo, ...]:
    """Items a patient answers; DN4's examination items (labelled 'Exam:') are for the clinician."""
    return tuple(item for item in info.items if not item.label.startswith("Exam:"))


class QuestionnairesForm(forms.Form):
    """One radio group per item of each due instrument, labelled with our own wording from the engine."""

    def __init__(self, *args: Any, instruments: tuple[InstrumentInfo, ...], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instruments = instruments
        for info in instruments:
            for item in patient_items(info):
                message = ANSWER_MESSAGE.format(lo=item.min, hi=item.max)
                labels = item.answer_labels or ()
                choices = [
                    (str(n), f"{n} — {labels[n - item.min]}" if len(labels) > n - item.min else str(n))
                    for n in range(item.min, item.max + 1)
                ]
                field = forms.TypedChoiceField(
                    label=item.label,
                    choices=choices,
                    coerce=int,
                    empty_value=None,
                    required=info.min_answered is None,
                    widget=forms.RadioSelect(attrs={"class": "scale"}),
                    error_messages={"required": message, "invalid_choice": message},
                )
                self.fields[item_field(info.code, item.number)] = field

    def groups(self) -> list[tuple[InstrumentInfo, list[forms.BoundField]]]:
        return [
            (info, [self[item_field(info.code, item.number)] for item in patient_items(info)])
            for info in self.instruments
        ]
