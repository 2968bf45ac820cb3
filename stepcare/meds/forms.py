"""Forms of the medication pages. Errors name the field and say what to do; typed values are kept.

The order form checks a line the way the engine will read it (`parse_case`, combination products,
unknown names), so whatever is saved can be assessed.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from stepcare.care.models import MedicationFormulation, MedicationRoute, MedicationUnit
from stepcare.clinical import CaseError, parse_case
from stepcare.clinical import taper as taper_core
from stepcare.clinical import titration as titration_core
from stepcare.clinical.medications import MedicationError, assess, dose_items
from stepcare.meds.models import MonitoringKind
from stepcare.meds.regimen import table_choices, unknown_names
from stepcare.records.forms import ISO_DATE_ONLY, DateInput

INGREDIENT_ROWS = 3
DOSE_REQUIRED = "Give the dose and unit (e.g. 10 mg), or fill the ingredient rows for a combination product."
UNIT_REQUIRED = "Choose the unit of the dose."
PER_DAY_REQUIRED = "Give how many times a day (for as-needed, the most allowed per day)."
DOSE_OR_INGREDIENTS = "Give either a dose and unit or ingredient rows, not both."
INGREDIENT_INCOMPLETE = "Give this ingredient's name, dose and unit, or clear the row."
CONFIRM_UNRECOGNIZED = (
    "Stepcare does not know this medicine, so its MME and interactions are not checked. "
    "Check the spelling, or tick the box to save it anyway."
)
CHANGE_BEFORE_START = "A change takes effect on or after the day the current order started ({start})."
STOP_BEFORE_START = "The stop date cannot be before the order started ({start})."
STOP_REASON_REQUIRED = "Say why the medicine is stopped (it is kept in the record)."
FUTURE_MONITORING = "A check cannot be recorded for a future date."
EGFR_RANGE = "Enter an eGFR between 0 and 200 mL/min/1.73m²."

# Engine field path suffix → form field.
_ENGINE_FIELDS = {"name": "name", "dose": "dose", "unit": "unit", "per_day": "per_day", "route": "route",
                  "formulation": "formulation", "start": "start"}  # fmt: skip


def _date_field(**kwargs: Any) -> forms.DateField:
    field = forms.DateField(widget=DateInput(), input_formats=ISO_DATE_ONLY, **kwargs)
    field.error_messages["invalid"] = "Enter the date as YYYY-MM-DD."
    field.error_messages["required"] = "Enter the date as YYYY-MM-DD."
    return field


def _choice(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _blank(*choices: tuple[str, str]) -> list[tuple[str, str]]:
    return [("", "—"), *choices]


class MedicationOrderForm(forms.Form):
    """One order line: a single medicine with dose and unit, or a combination product by ingredient."""

    name = forms.CharField(
        label="Medicine (generic or brand name)",
        max_length=80,
        widget=forms.TextInput(attrs={"list": "drug-names", "autocomplete": "off"}),
        error_messages={"required": "Give the medicine's name, e.g. oxycodone or Percocet."},
    )
    dose = forms.FloatField(label="Dose", required=False, min_value=0.001, max_value=100000)
    unit = forms.ChoiceField(label="Unit", required=False, choices=_blank(*MedicationUnit.choices))
    per_day = forms.FloatField(
        label="Times per day", required=False, min_value=0.001, max_value=48,
        help_text="For as-needed medicines, the most allowed per day (MME counts the maximum). Not needed for patches.",
    )  # fmt: skip
    route = forms.ChoiceField(label="Route", choices=MedicationRoute.choices, initial=MedicationRoute.ORAL)
    formulation = forms.ChoiceField(
        label="Formulation", choices=MedicationFormulation.choices, initial=MedicationFormulation.IR
    )
    prn = forms.BooleanField(label="As needed (prn)", required=False)
    start = _date_field(label="Start date")
    reason = forms.CharField(label="Reason / indication", max_length=200, required=False)
    confirm_unrecognized = forms.BooleanField(
        label="Save although Stepcare does not know this medicine (I have checked the name)", required=False
    )
    table = forms.CharField(
        required=False, max_length=16, widget=forms.HiddenInput
    )  # unknown → default table

    def __init__(self, *args: Any, saving: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.saving = saving
        self.unrecognized: list[str] = []
        self.engine_messages: list[str] = []
        for k in range(INGREDIENT_ROWS):
            self.fields[f"ingredient_{k}_name"] = forms.CharField(
                label=f"Ingredient {k + 1} name", max_length=80, required=False,
                widget=forms.TextInput(attrs={"list": "drug-names", "autocomplete": "off"}),
            )  # fmt: skip
            self.fields[f"ingredient_{k}_dose"] = forms.FloatField(
                label=f"Ingredient {k + 1} dose", required=False, min_value=0.001, max_value=100000
            )
            self.fields[f"ingredient_{k}_unit"] = forms.ChoiceField(
                label=f"Ingredient {k + 1} unit", required=False,
                choices=_blank(*[(v, lbl) for v, lbl in MedicationUnit.choices if v != MedicationUnit.MCG_HR]),
            )  # fmt: skip

    # ------------------------------------------------------------------------------ groups for templates
    def main_fields(self) -> list[forms.BoundField]:
        names = ("name", "dose", "unit", "per_day", "route", "formulation", "prn", "start", "reason")
        return [self[n] for n in names]

    def ingredient_rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"ingredient_{k}_{part}"] for part in ("name", "dose", "unit")]
            for k in range(INGREDIENT_ROWS)
        ]

    # ------------------------------------------------------------------------------------- validation
    def _ingredients(self, cleaned: dict[str, Any]) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        for k in range(INGREDIENT_ROWS):
            keys = [f"ingredient_{k}_{part}" for part in ("name", "dose", "unit")]
            values = [cleaned.get(key) for key in keys]
            if all(v in (None, "") for v in values):
                if any(key in self.errors for key in keys):
                    rows.append({})
                continue
            if any(v in (None, "") for v in values):
                for key, value in zip(keys, values, strict=True):
                    if value in (None, "") and key not in self.errors:
                        self.add_error(key, INGREDIENT_INCOMPLETE)
                rows.append({})
                continue
            rows.append({"name": str(values[0]).strip(), "dose": values[1], "unit": values[2]})
        return rows

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        rows = self._ingredients(cleaned)
        ingredients = [r for r in rows if r]
        dose, unit = cleaned.get("dose"), cleaned.get("unit") or ""
        if rows:
            if dose is not None or unit:
                self.add_error("dose", DOSE_OR_INGREDIENTS)
        else:
            if dose is None and "dose" not in self.errors:
                self.add_error("dose", DOSE_REQUIRED)
            if not unit and "unit" not in self.errors:
                self.add_error("unit", UNIT_REQUIRED)
        if unit != MedicationUnit.MCG_HR and cleaned.get("per_day") is None and "per_day" not in self.errors:
            self.add_error("per_day", PER_DAY_REQUIRED)
        cleaned["ingredients"] = ingredients
        if not self.errors:
            self._engine_check(cleaned)
        return cleaned

    def medication(self) -> dict[str, Any]:
        """The line in the engine contract's shape (only after validation)."""
        c = self.cleaned_data
        out: dict[str, Any] = {"name": c["name"].strip(), "route": c["route"], "formulation": c["formulation"],
                               "prn": bool(c["prn"])}  # fmt: skip
        if c["ingredients"]:
            out["ingredients"] = c["ingredients"]
        else:
            out["dose"], out["unit"] = c["dose"], c["unit"]
        if c.get("per_day") is not None:
            out["per_day"] = c["per_day"]
        if c.get("start") is not None:
            out["start"] = c["start"].isoformat()
        return out

    def entry_fields(self) -> dict[str, Any]:
        """The MedicationEntry fields to save."""
        c = self.cleaned_data
        return {
            "name": c["name"].strip(),
            "dose": None if c["ingredients"] else c["dose"],
            "unit": "" if c["ingredients"] else c["unit"],
            "per_day": c.get("per_day"),
            "route": c["route"],
            "formulation": c["formulation"],
            "prn": bool(c["prn"]),
            "ingredients": c["ingredients"],
            "start": c["start"],
            "reason": c.get("reason", ""),
        }

    def _engine_check(self, cleaned: dict[str, Any]) -> None:
        self.cleaned_data = cleaned
        line = self.medication()
        line.pop("start", None)
        probe = {"patient": {"age": 40}, "medications": [line]}
        try:
            case = parse_case(probe)
            dose_items(case)
        except CaseError as exc:
            for error in exc.errors:
                path, _, message = error.partition(": ")
                tail = path.removeprefix("medications[0]").lstrip(".")
                if tail.startswith("ingredients["):
                    k = int(tail[len("ingredients[") :].split("]")[0])
                    part = tail.rsplit(".", 1)[-1]
                    field = (
                        f"ingredient_{k}_{part}"
                        if part in ("name", "dose", "unit")
                        else f"ingredient_{k}_name"
                    )
                else:
                    field = _ENGINE_FIELDS.get(tail.split(".")[0], "")
                self.add_error(field or None, message)
            return
        except MedicationError as exc:
            self.add_error("name", str(exc).split(": ", 1)[-1])
            return
        self.unrecognized = unknown_names(line)
        if self.unrecognized:
            _, alerts = assess(case)
            self.engine_messages = [a.message for a in alerts if a.code == "unrecognized-medication"]
            if self.saving and not cleaned.get("confirm_unrecognized"):
                target = None if cleaned["ingredients"] else "name"
                for message in self.engine_messages:
                    self.add_error(target, message.replace("(medications[0]) ", ""))
                self.add_error("confirm_unrecognized", CONFIRM_UNRECOGNIZED)


class StopOrderForm(forms.Form):
    stop = _date_field(label="Stop date")
    stop_reason = forms.CharField(
        label="Why stopped", max_length=300, error_messages={"required": STOP_REASON_REQUIRED}
    )

    def __init__(self, *args: Any, started: datetime.date | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.started = started

    def clean_stop(self) -> datetime.date:
        stop: datetime.date = self.cleaned_data["stop"]
        if self.started is not None and stop < self.started:
            raise forms.ValidationError(STOP_BEFORE_START.format(start=self.started.isoformat()))
        return stop


class MonitoringEventForm(forms.Form):
    kind = forms.ChoiceField(label="Check", choices=_blank(*MonitoringKind.choices),
                             error_messages={"required": "Choose which check was done."})  # fmt: skip
    date = _date_field(label="Date done")
    note = forms.CharField(label="Note (result, agreement version, ...)", max_length=500, required=False)

    def __init__(self, *args: Any, today: datetime.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_date(self) -> datetime.date:
        day: datetime.date = self.cleaned_data["date"]
        if day > self.today:
            raise forms.ValidationError(FUTURE_MONITORING)
        return day


def _pace_choices() -> list[tuple[str, str]]:
    return [(p.id, f"{p.id.capitalize()}: {p.note}") for p in taper_core.knowledge().paces]


class TaperForm(forms.Form):
    pace = forms.ChoiceField(label="Pace", choices=(), initial="standard", widget=forms.RadioSelect)
    start = _date_field(label="First reduction on")
    table = forms.ChoiceField(label="MME table", choices=(), required=False)
    target_mme = forms.FloatField(
        label="Stop at MME/day (0 = taper off completely)",
        min_value=0,
        max_value=10000,
        required=False,
        initial=0,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "pace").choices = _pace_choices()
        _choice(self, "table").choices = table_choices()


def _titration_choices() -> list[tuple[str, str]]:
    return [(d.id, d.id.capitalize()) for d in titration_core.knowledge().drugs]


class TitrationForm(forms.Form):
    drug = forms.ChoiceField(label="Medicine", choices=(), error_messages={"required": "Choose a medicine."})
    egfr = forms.FloatField(
        label="eGFR (mL/min/1.73m²)", required=False, min_value=0, max_value=200,
        error_messages={"min_value": EGFR_RANGE, "max_value": EGFR_RANGE},
        help_text="Used only for this calculation; it is not saved to the record.",
    )  # fmt: skip
    indication = forms.ChoiceField(label="Indication (sets the ceiling)", choices=(), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "drug").choices = _blank(*_titration_choices())
        indications = sorted({i for d in titration_core.knowledge().drugs for i in d.indications})
        _choice(self, "indication").choices = [("", "label default")] + [(i, i) for i in indications]
