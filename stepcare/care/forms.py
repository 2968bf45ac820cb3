"""Forms for the chart's writes: every error names the field and says what to do; typed values are kept."""

from __future__ import annotations

from typing import Any

from django import forms

from stepcare.care import dn4
from stepcare.care.models import (
    DECLINE_REASON_REQUIRED,
    RULING_REASON_REQUIRED,
    MedicationFormulation,
    MedicationRoute,
    MedicationUnit,
    OrderKind,
    PlanDecision,
)
from stepcare.care.selectors import condition_rule_out_problem
from stepcare.clinical import CaseError, parse_case
from stepcare.clinical.plan import step_catalog
from stepcare.clinical.questionnaires import InstrumentInfo, check_answers
from stepcare.records.forms import ISO_DATE_ONLY, DateInput
from stepcare.records.vocab import DIAGNOSIS_CHOICES

EDITED_LABEL_REQUIRED = "Write the step as you want it in the plan."
PRESCRIPTION_NAME_REQUIRED = "A prescription needs the medicine's generic name."
PRESCRIPTION_DOSE_REQUIRED = "A prescription needs a dose and unit (e.g. 300 mg)."
PRESCRIPTION_PER_DAY_REQUIRED = "A prescription needs how many times a day (for as-needed, the most allowed)."
OWN_STEP_REQUIRED = "Choose a step from the list or write your own."

FINDING_UNKNOWN = ("", "Not examined")
TRI_STATE = [FINDING_UNKNOWN, ("yes", "Positive / present"), ("no", "Negative / absent")]
DN4_CHOICES = [FINDING_UNKNOWN, ("yes", "Yes"), ("no", "No")]
DN4_EXAM_INCOMPLETE = "Answer all three DN4 examination items, or leave all three as not examined."
DN4_GROUP_TITLE = "DN4 examination (items 8-10; the patient answers items 1-7 at intake)"


def _date_field(**kwargs: Any) -> forms.DateField:
    field = forms.DateField(widget=DateInput(), input_formats=ISO_DATE_ONLY, **kwargs)
    field.error_messages["invalid"] = "Enter the date as YYYY-MM-DD."
    return field


# ------------------------------------------------------------------------------------- plan
def _step_choices() -> list[tuple[str, str]]:
    catalog = step_catalog()
    return [("", "— write my own step —")] + [
        (code, f"{entry['label']} (tier {entry['tier']})") for code, entry in sorted(catalog.items())
    ]


class PrescriptionFieldsMixin(forms.Form):
    rx_name = forms.CharField(label="Medicine (generic name)", max_length=80, required=False)
    rx_dose = forms.FloatField(label="Dose", min_value=0.001, required=False)
    rx_unit = forms.ChoiceField(label="Unit", choices=[("", "—"), *MedicationUnit.choices], required=False)
    rx_per_day = forms.FloatField(label="Times per day", min_value=0.001, max_value=48, required=False)
    rx_route = forms.ChoiceField(
        label="Route", choices=MedicationRoute.choices, initial="oral", required=False
    )
    rx_formulation = forms.ChoiceField(
        label="Formulation", choices=MedicationFormulation.choices, initial="ir", required=False
    )
    rx_prn = forms.BooleanField(label="As needed (prn)", required=False)

    def clean_prescription(self, cleaned: dict[str, Any]) -> dict[str, Any] | None:
        if cleaned.get("order_kind") != OrderKind.PRESCRIPTION:
            return None
        if not cleaned.get("rx_name"):
            self.add_error("rx_name", PRESCRIPTION_NAME_REQUIRED)
        if cleaned.get("rx_dose") is None or not cleaned.get("rx_unit"):
            self.add_error("rx_dose", PRESCRIPTION_DOSE_REQUIRED)
        if cleaned.get("rx_per_day") is None and cleaned.get("rx_unit") != MedicationUnit.MCG_HR:
            self.add_error("rx_per_day", PRESCRIPTION_PER_DAY_REQUIRED)
        if self.errors:
            return None
        return {
            "name": cleaned["rx_name"].strip().lower(),
            "dose": cleaned["rx_dose"],
            "unit": cleaned["rx_unit"],
            "per_day": cleaned.get("rx_per_day"),
            "route": cleaned.get("rx_route") or "oral",
            "formulation": cleaned.get("rx_formulation") or "ir",
            "prn": bool(cleaned.get("rx_prn")),
        }


class PlanDecisionForm(PrescriptionFieldsMixin):
    decision = forms.ChoiceField(
        widget=forms.RadioSelect,
        choices=[
            (PlanDecision.ACCEPTED, "Accept"),
            (PlanDecision.DECLINED, "Decline"),
            (PlanDecision.EDITED, "Accept with my wording"),
        ],
        error_messages={
            "required": "Choose accept, decline or edit.",
            "invalid_choice": "Choose accept, decline or edit.",
        },
    )
    decline_reason = forms.CharField(label="Reason for declining", max_length=500, required=False)
    edited_label = forms.CharField(label="Step as it should read", max_length=300, required=False)
    order_kind = forms.ChoiceField(
        label="Order", choices=OrderKind.choices, initial=OrderKind.NONE, required=False
    )
    order_detail = forms.CharField(label="Order details", max_length=1000, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        decision = cleaned.get("decision")
        if decision == PlanDecision.DECLINED and not (cleaned.get("decline_reason") or "").strip():
            self.add_error("decline_reason", DECLINE_REASON_REQUIRED)
        if decision == PlanDecision.EDITED and not (cleaned.get("edited_label") or "").strip():
            self.add_error("edited_label", EDITED_LABEL_REQUIRED)
        cleaned["order_kind"] = cleaned.get("order_kind") or OrderKind.NONE
        if decision != PlanDecision.DECLINED:
            cleaned["prescription"] = self.clean_prescription(cleaned)
        else:
            cleaned["prescription"] = None
        return cleaned


class PlanAddForm(forms.Form):
    code = forms.ChoiceField(label="Step from the catalogue", required=False)
    label = forms.CharField(label="Or your own step", max_length=300, required=False)
    rationale = forms.CharField(label="Why (optional)", max_length=1000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        code = self.fields["code"]
        assert isinstance(code, forms.ChoiceField)
        code.choices = _step_choices()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("code") and not (cleaned.get("label") or "").strip():
            self.add_error("label", OWN_STEP_REQUIRED)
        return cleaned


# ------------------------------------------------------------------------------------- note
def _tri(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=TRI_STATE, required=False)


def _count(label: str, top: int, help_text: str = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=top,
        required=False,
        help_text=help_text,
        error_messages={
            "min_value": f"Enter a whole number from 0 to {top}.",
            "max_value": f"Enter a whole number from 0 to {top}.",
            "invalid": f"Enter a whole number from 0 to {top}.",
        },
    )


# form field name → (exam key, kind)
EXAM_FIELDS: dict[str, tuple[str, str]] = {
    "slr_positive": ("slr-positive", "side"),
    "weakness": ("weakness", "lines"),
    "dermatomal_sensory_loss": ("dermatomal-sensory-loss", "bool"),
    "reflex_loss": ("reflex-loss", "bool"),
    "facet_loading_positive": ("facet-loading-positive", "bool"),
    "si_provocation_positive": ("si-provocation-positive", "int"),
    "allodynia": ("allodynia", "bool"),
    "hyperalgesia": ("hyperalgesia", "bool"),
    "temperature_asymmetry": ("temperature-asymmetry", "bool"),
    "color_change": ("color-change", "bool"),
    "edema": ("edema", "bool"),
    "sweating_change": ("sweating-change", "bool"),
    "trophic_change": ("trophic-change", "bool"),
    "motor_dysfunction": ("motor-dysfunction", "bool"),
    "trigger_points": ("trigger-points", "bool"),
    "wpi": ("wpi", "int"),
    "sss": ("sss", "int"),
    "generalized_pain_regions": ("generalized-pain-regions", "int"),
    "trigger_zone": ("trigger-zone", "bool"),
}
EXAM_GROUPS = (
    ("Spine and nerve roots", ("slr_positive", "weakness", "dermatomal_sensory_loss", "reflex_loss")),
    ("Facet and sacroiliac joints", ("facet_loading_positive", "si_provocation_positive")),
    (
        "Budapest signs (CRPS)",
        (
            "allodynia",
            "hyperalgesia",
            "temperature_asymmetry",
            "color_change",
            "edema",
            "sweating_change",
            "trophic_change",
            "motor_dysfunction",
        ),
    ),
    (
        "Myofascial, fibromyalgia, trigeminal",
        ("trigger_points", "wpi", "sss", "generalized_pain_regions", "trigger_zone"),
    ),
)


def dn4_field(number: int) -> str:
    return f"dn4_item_{number}"


class EncounterNoteForm(forms.Form):
    history = forms.CharField(label="History", widget=forms.Textarea(attrs={"rows": 6}), required=False)
    slr_positive = forms.ChoiceField(
        label="Straight-leg raise positive",
        choices=[FINDING_UNKNOWN, ("left", "Left"), ("right", "Right"), ("bilateral", "Both sides")],
        required=False,
    )
    weakness = forms.CharField(
        label="Weakness (one finding per line)",
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="e.g. right ankle dorsiflexion 4/5",
    )
    dermatomal_sensory_loss = _tri("Dermatomal sensory loss")
    reflex_loss = _tri("Reflex loss")
    facet_loading_positive = _tri("Facet loading")
    si_provocation_positive = _count("SI provocation tests positive (of 6)", 6)
    allodynia = _tri("Allodynia")
    hyperalgesia = _tri("Hyperalgesia")
    temperature_asymmetry = _tri("Temperature asymmetry")
    color_change = _tri("Skin colour change")
    edema = _tri("Edema")
    sweating_change = _tri("Sweating change")
    trophic_change = _tri("Trophic change (hair, nail, skin)")
    motor_dysfunction = _tri("Motor dysfunction")
    trigger_points = _tri("Trigger points")
    wpi = _count("Widespread pain index (0-19)", 19)
    sss = _count("Symptom severity scale (0-12)", 12)
    generalized_pain_regions = _count("Generalized pain regions (0-5)", 5, "ACR 2016 needs 4 or more")
    trigger_zone = _tri("Trigeminal trigger zone")
    assessment = forms.CharField(label="Assessment", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    plan_text = forms.CharField(label="Plan", widget=forms.Textarea(attrs={"rows": 5}), required=False)
    diagnoses = forms.MultipleChoiceField(
        label="Confirmed diagnoses",
        choices=DIAGNOSIS_CHOICES,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="Confirmed diagnoses lead the differential.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # DN4's examination items, worded as the knowledge base words them (our own words, not the licensed text).
        for item in dn4.exam_items():
            self.fields[dn4_field(item.number)] = forms.ChoiceField(
                label=dn4.exam_label(item),
                choices=DN4_CHOICES,
                required=False,
                error_messages={"invalid_choice": "Choose yes, no or not examined."},
            )

    def exam_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        groups = [(title, [self[name] for name in names]) for title, names in EXAM_GROUPS]
        groups.append((DN4_GROUP_TITLE, [self[dn4_field(item.number)] for item in dn4.exam_items()]))
        return groups

    @staticmethod
    def initial_from_dn4(answers: list[int] | None) -> dict[str, Any]:
        if not answers:
            return {}
        items = dn4.exam_items()
        return {dn4_field(item.number): "yes" if a else "no" for item, a in zip(items, answers, strict=True)}

    def _clean_dn4(self, cleaned: dict[str, Any]) -> list[int] | None:
        """The three examination answers as 0/1, or None when not examined; a partial exam is refused."""
        names = [dn4_field(item.number) for item in dn4.exam_items()]
        values = [cleaned.get(name) or "" for name in names]
        if not any(values):
            return None
        for name, value in zip(names, values, strict=True):
            if not value and name not in self.errors:
                self.add_error(name, DN4_EXAM_INCOMPLETE)
        if not all(values):
            return None
        return [1 if value == "yes" else 0 for value in values]

    @staticmethod
    def initial_from_exam(exam: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for name, (key, kind) in EXAM_FIELDS.items():
            if key not in exam:
                continue
            value = exam[key]
            if kind == "bool":
                initial[name] = "yes" if value else "no"
            elif kind == "lines":
                initial[name] = "\n".join(value)
            else:
                initial[name] = value
        return initial

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        exam: dict[str, Any] = {}
        for name, (key, kind) in EXAM_FIELDS.items():
            value = cleaned.get(name)
            if value in (None, ""):
                continue
            if kind == "bool":
                exam[key] = value == "yes"
            elif kind == "lines":
                lines = [line.strip() for line in str(value).splitlines() if line.strip()]
                if lines:
                    exam[key] = lines
            else:
                exam[key] = value
        # The engine's own validation has the last word; its messages go to the matching field.
        try:
            parse_case({"patient": {"age": 40}, "exam": exam})
        except CaseError as exc:
            by_key = {key: name for name, (key, _) in EXAM_FIELDS.items()}
            for message in exc.errors:
                path, _, problem = message.partition(": ")
                field = by_key.get(path.removeprefix("exam.").split("[")[0])
                self.add_error(field, f"{problem or message}")
        cleaned["exam"] = exam
        cleaned["dn4_exam"] = self._clean_dn4(cleaned)
        return cleaned


# ------------------------------------------------------------------------------------- follow-up
class QuestionnaireForm(forms.Form):
    """One field per item, labelled and bounded from the engine's instrument description."""

    date = _date_field(label="Date answered")

    def __init__(self, *args: Any, instrument: InstrumentInfo, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        required = instrument.min_answered is None
        for item in instrument.items:
            message = f"Item {item.number}: enter a whole number from {item.min} to {item.max}."
            self.fields[f"item_{item.number}"] = forms.IntegerField(
                label=f"{item.number}. {item.label}",
                min_value=item.min,
                max_value=item.max,
                required=required,
                error_messages={
                    "required": f"Item {item.number}: answer it ({item.min} to {item.max}).",
                    "min_value": message,
                    "max_value": message,
                    "invalid": message,
                },
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": item.min, "max": item.max}),
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        items = [cleaned.get(f"item_{i.number}") for i in self.instrument.items]
        if not any(f"item_{i.number}" in self.errors for i in self.instrument.items):
            for path, problem in check_answers(self.instrument.code, items):
                index = path.split("[")[-1].rstrip("]") if "[" in path else ""
                field = f"item_{int(index) + 1}" if index.isdigit() else None
                self.add_error(field, f"{path}: {problem}")
        cleaned["items"] = items
        return cleaned


class GoalMeasureForm(forms.Form):
    measure = forms.CharField(
        label="Goal measure", max_length=40, help_text="e.g. typing-minutes (the goal's measure)"
    )
    value = forms.FloatField(label="Value", error_messages={"invalid": "Enter a number."})
    date = _date_field(label="Date measured")

    def clean_measure(self) -> str:
        return str(self.cleaned_data["measure"]).strip().lower().replace(" ", "-")


# ------------------------------------------------------------------------------- clinical profile
# Clinician-facing names of the contract's patient.conditions codes (a test checks every code has one).
CONDITION_LABELS: dict[str, str] = {
    "ckd": "Chronic kidney disease",
    "peptic-ulcer": "Peptic ulcer disease",
    "gi-bleed-history": "History of GI bleeding",
    "heart-failure": "Heart failure",
    "cardiovascular-disease": "Cardiovascular disease (CAD, MI, stroke)",
    "hypertension": "Hypertension",
    "diabetes": "Diabetes",
    "depression": "Depression",
    "anxiety": "Anxiety disorder",
    "sleep-apnea": "Sleep apnoea",
    "copd": "COPD",
    "substance-use-disorder": "Substance use disorder",
    "opioid-use-disorder": "Opioid use disorder",
    "overdose-history": "History of overdose",
    "alcohol-use-disorder": "Alcohol use disorder",
    "cancer-active": "Active cancer",
    "pregnancy": "Pregnancy",
    "bleeding-disorder": "Bleeding disorder",
}
EGFR_MESSAGE = "Enter the eGFR as a number from 0 to 200 (mL/min/1.73 m²)."
EGFR_DATE_REQUIRED = "Give the date of the lab result the eGFR comes from."
EGFR_DATE_WITHOUT_VALUE = "A lab date needs its eGFR value; enter the value or clear the date."
PSYCH_DATE_REQUIRED = "Give the date of the psychological evaluation."
PSYCH_RESULT_REQUIRED = "Say whether the evaluation cleared the patient (or clear the date)."
FUTURE_DATE_MESSAGE = "This date is after today ({today}); enter the date it happened."
CHOOSE_ONE_MESSAGE = "Choose one of the options."
CONDITION_CHOICE_MESSAGE = "Choose conditions from the list only."


def _tri_state(unset: str, yes: str, no: str) -> list[tuple[str, str]]:
    return [("", unset), ("yes", yes), ("no", no)]


def _yes_no_none(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class ClinicalProfileForm(forms.Form):
    """What the clinician confirms about the patient's background; empty fields keep the intake's answers."""

    egfr = forms.FloatField(
        label="eGFR (mL/min/1.73 m²)",
        required=False,
        min_value=0,
        max_value=200,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), EGFR_MESSAGE),
    )
    egfr_date = _date_field(label="eGFR lab date", required=False)
    liver_disease = forms.ChoiceField(
        label="Liver disease",
        required=False,
        choices=[
            ("", "Not assessed (use the patient's answer)"),
            ("none", "None"),
            ("mild", "Mild"),
            ("severe", "Severe (e.g. cirrhosis)"),
        ],
        error_messages={"invalid_choice": CHOOSE_ONE_MESSAGE},
    )
    conditions = forms.MultipleChoiceField(
        label="Confirmed conditions",
        required=False,
        choices=list(CONDITION_LABELS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="Added to what the patient reported at intake (rule out a mistaken report below).",
        error_messages={"invalid_choice": CONDITION_CHOICE_MESSAGE},
    )
    pregnant = forms.ChoiceField(
        label="Pregnancy",
        required=False,
        choices=_tri_state("Not recorded (use the patient's answer)", "Pregnant", "Not pregnant"),
        error_messages={"invalid_choice": CHOOSE_ONE_MESSAGE},
    )
    psych_evaluation_date = _date_field(label="Psychological evaluation date", required=False)
    psych_cleared = forms.ChoiceField(
        label="Psychological evaluation for neuromodulation",
        required=False,
        choices=_tri_state("No evaluation recorded", "Cleared", "Not cleared"),
        error_messages={"invalid_choice": CHOOSE_ONE_MESSAGE},
    )
    note = forms.CharField(
        label="Note (source, e.g. 'PCP labs')",
        required=False,
        max_length=500,
        error_messages={"max_length": "Keep the note under 500 characters."},
    )

    def __init__(self, *args: Any, today: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def _not_future(self, name: str) -> None:
        day = self.cleaned_data.get(name)
        if day is not None and day > self.today:
            self.add_error(name, FUTURE_DATE_MESSAGE.format(today=self.today.isoformat()))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._not_future("egfr_date")
        self._not_future("psych_evaluation_date")
        if "egfr" in cleaned and "egfr_date" in cleaned:
            if cleaned["egfr"] is not None and cleaned["egfr_date"] is None:
                self.add_error("egfr_date", EGFR_DATE_REQUIRED)
            elif cleaned["egfr"] is None and cleaned["egfr_date"] is not None:
                self.add_error("egfr", EGFR_DATE_WITHOUT_VALUE)
        if "psych_cleared" in cleaned and "psych_evaluation_date" in cleaned:
            if cleaned["psych_cleared"] and cleaned["psych_evaluation_date"] is None:
                self.add_error("psych_evaluation_date", PSYCH_DATE_REQUIRED)
            elif not cleaned["psych_cleared"] and cleaned["psych_evaluation_date"] is not None:
                self.add_error("psych_cleared", PSYCH_RESULT_REQUIRED)
        return cleaned

    def profile_values(self) -> dict[str, Any]:
        """The cleaned answers as the service's keyword arguments."""
        c = self.cleaned_data
        chosen = set(c["conditions"])
        return {
            "egfr": c["egfr"],
            "egfr_date": c["egfr_date"],
            "liver_disease": c["liver_disease"],
            "conditions": [code for code in CONDITION_LABELS if code in chosen],
            "pregnant": _yes_no_none(c["pregnant"]),
            "psych_evaluation_date": c["psych_evaluation_date"],
            "psych_cleared": _yes_no_none(c["psych_cleared"]),
            "note": c["note"].strip(),
        }

    @staticmethod
    def initial_from(profile: Any) -> dict[str, Any]:
        if profile is None:
            return {}

        def tri(value: bool | None) -> str:
            return "" if value is None else ("yes" if value else "no")

        return {
            "egfr": profile.egfr,
            "egfr_date": profile.egfr_date,
            "liver_disease": profile.liver_disease,
            "conditions": list(profile.conditions),
            "pregnant": tri(profile.pregnant),
            "psych_evaluation_date": profile.psych_evaluation_date,
            "psych_cleared": tri(profile.psych_cleared),
            "note": profile.note,
        }


# ---------------------------------------------------------------------- patient-reported conditions
RULING_REASON_TOO_LONG = "Keep the reason under 300 characters."
RULING_CONDITION_MISSING = "Choose the reported condition to rule out."


class ConditionRuleOutForm(forms.Form):
    """Rule out one condition the patient reported; the reason is required and kept in the record."""

    condition = forms.ChoiceField(
        choices=list(CONDITION_LABELS.items()),
        widget=forms.HiddenInput,
        error_messages={"required": RULING_CONDITION_MISSING, "invalid_choice": RULING_CONDITION_MISSING},
    )
    reason = forms.CharField(
        label="Why it is ruled out",
        max_length=300,
        help_text="e.g. the result or record that shows the patient does not have it",
        error_messages={"required": RULING_REASON_REQUIRED, "max_length": RULING_REASON_TOO_LONG},
    )

    def __init__(self, *args: Any, background: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.background = background

    def clean_condition(self) -> str:
        code = str(self.cleaned_data["condition"])
        problem = condition_rule_out_problem(
            background=self.background, condition=code, label=CONDITION_LABELS.get(code, code)
        )
        if problem is not None:
            raise forms.ValidationError(problem)
        return code

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(RULING_REASON_REQUIRED)
        return reason
