"""Forms for the procedure workflow: each names the field and the problem, and keeps what was typed."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from stepcare.clinical import blocks
from stepcare.procedures.models import (
    Approach,
    Guidance,
    ProcedureRecord,
    Side,
    anaesthetic_choices,
    payer_choices,
)
from stepcare.procedures.services import hold_problems

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})
APPROACH_ONLY_EPIDURAL = "The approach applies to epidural steroid injections only; leave it blank."
REGION_NOT_FOR_PROCEDURE = "{label} is done in: {regions}. Choose one of those regions."
YES_NO_UNKNOWN = [("", "Not assessed"), ("yes", "Yes"), ("no", "No")]
EPIDURAL = "epidural-steroid-injection"


class ProcedurePlanForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = ProcedureRecord
        fields = (
            "code",
            "region",
            "side",
            "levels",
            "approach",
            "guidance",
            "planned_date",
            "payer",
            "indication",
        )
        widgets = {"planned_date": DATE_WIDGET}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("code")
        if code:
            entry = ProcedureRecord(code=code).entry
            region = data.get("region")
            if region and region not in entry.regions:
                self.add_error(
                    "region",
                    REGION_NOT_FOR_PROCEDURE.format(
                        label=entry.label, regions=", ".join(r.replace("-", " ") for r in entry.regions)
                    ),
                )
            if data.get("approach") and code != EPIDURAL:
                self.add_error("approach", APPROACH_ONLY_EPIDURAL)
        return data


class RequestAuthForm(forms.Form):
    payer = forms.ChoiceField(choices=payer_choices, help_text="Whose criteria the packet lists.")


class AuthorizeForm(forms.Form):
    authorization_number = forms.CharField(max_length=64, label="Authorization number")


class DenyForm(forms.Form):
    denial_reason = forms.CharField(max_length=500, label="Reason given by the payer", widget=forms.Textarea)


class CancelForm(forms.Form):
    cancel_reason = forms.CharField(max_length=500, label="Why is it cancelled?", widget=forms.Textarea)


class ScheduleForm(forms.Form):
    """The date, and for a procedure on the hold list, each anticoagulant's last dose and a confirmation."""

    scheduled_for = forms.DateField(label="Procedure date", widget=DATE_WIDGET)

    def __init__(self, *args: Any, holds: Sequence[Mapping[str, Any]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.holds = list(holds)
        for h in self.holds:
            days = h.get("hold_days")
            hint = h.get("text") or "hold time not on file: plan it with the prescriber"
            self.fields[f"last_dose_{h['drug']}"] = forms.DateField(
                label=f"Last dose of {h['drug']} before the procedure",
                required=False,
                widget=DATE_WIDGET,
                help_text=f"{hint}" + (f" ({days:g} days)" if days is not None else ""),
            )
        if self.holds:
            self.fields["hold_confirmed"] = forms.BooleanField(
                required=False,
                label="I confirmed the hold plan with the prescriber and the patient",
            )

    def last_doses(self) -> dict[str, datetime.date | None]:
        return {h["drug"]: self.cleaned_data.get(f"last_dose_{h['drug']}") for h in self.holds}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("scheduled_for")
        if day is not None and self.holds:
            for field, message in hold_problems(
                holds=self.holds,
                scheduled_for=day,
                last_doses=self.last_doses(),
                confirmed=bool(data.get("hold_confirmed")),
            ):
                self.add_error(field, message)
        return data


class PerformForm(forms.Form):
    performed_on = forms.DateField(label="Date performed", widget=DATE_WIDGET)
    side = forms.ChoiceField(choices=[("", "—"), *Side.choices], required=False)
    levels = forms.CharField(max_length=40, required=False, label="Level(s)")
    approach = forms.ChoiceField(choices=[("", "—"), *Approach.choices], required=False)
    guidance = forms.ChoiceField(choices=Guidance.choices)
    anaesthetic = forms.ChoiceField(
        choices=[("", "—"), *anaesthetic_choices()], required=False, label="Local anaesthetic"
    )
    anaesthetic_dose = forms.CharField(max_length=60, required=False, label="Anaesthetic dose")
    steroid = forms.CharField(max_length=60, required=False)
    steroid_dose = forms.CharField(max_length=60, required=False)
    complications = forms.CharField(required=False, widget=forms.Textarea, help_text="Write 'none' if none.")

    def __init__(self, *args: Any, procedure: ProcedureRecord, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.procedure = procedure

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("approach") and self.procedure.code != EPIDURAL:
            self.add_error("approach", APPROACH_ONLY_EPIDURAL)
        if data.get("anaesthetic_dose") and not data.get("anaesthetic"):
            self.add_error("anaesthetic", "Name the anaesthetic the dose is for.")
        if data.get("steroid_dose") and not data.get("steroid"):
            self.add_error("steroid", "Name the steroid the dose is for.")
        return data


class ResponseForm(forms.Form):
    relief_percent = forms.FloatField(min_value=0, max_value=100, required=False, label="Relief (%)")
    relief_hours = forms.FloatField(min_value=0, required=False, label="Relief lasted (hours)")
    function_improved = forms.ChoiceField(choices=YES_NO_UNKNOWN, required=False, label="Function improved")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("relief_percent") is None and not data.get("function_improved"):
            self.add_error("relief_percent", "Record the relief, or whether function improved.")
        return data

    def function(self) -> bool | None:
        value = self.cleaned_data.get("function_improved")
        return None if not value else value == "yes"


class ConsentForm(forms.Form):
    risks = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, label="Risks discussed")
    questions = forms.CharField(required=False, widget=forms.Textarea, label="Questions and answers")

    def __init__(self, *args: Any, procedure: ProcedureRecord, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.required_risks = list(procedure.entry.risks)
        field = self.fields["risks"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(r, r) for r in self.required_risks]
        field.error_messages["required"] = "Tick every risk once it has been discussed."

    def clean_risks(self) -> list[str]:
        ticked: list[str] = self.cleaned_data["risks"]
        missing = [r for r in self.required_risks if r not in ticked]
        if missing:
            raise forms.ValidationError("Tick every risk: not yet discussed: " + "; ".join(missing) + ".")
        return ticked


def _hours_key(hours: float) -> str:
    return f"nrs_{hours:g}".replace(".", "_")


class DiaryForm(forms.Form):
    """Pre-block pain and one 0-10 score per time point of the block's schedule (blank = not yet)."""

    anaesthetic = forms.ChoiceField(choices=anaesthetic_choices, label="Local anaesthetic used")
    pre_nrs = forms.IntegerField(
        min_value=0, max_value=10, label="Pain just before the block (0-10)", widget=forms.NumberInput()
    )

    def __init__(self, *args: Any, code: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.times = blocks.schedule(code)
        for hours in self.times:
            label = (
                f"{hours * 60:g} minutes after"
                if hours < 1
                else f"{hours:g} hour{'s' if hours != 1 else ''} after"
            )
            self.fields[_hours_key(hours)] = forms.IntegerField(
                min_value=0,
                max_value=10,
                required=False,
                label=f"Pain {label} (0-10)",
                error_messages={
                    "min_value": "Pain scores are 0-10.",
                    "max_value": "Pain scores are 0-10.",
                    "invalid": "Enter a whole number from 0 to 10.",
                },
            )
        for name in ("pre_nrs",):
            self.fields[name].error_messages |= {
                "min_value": "Pain scores are 0-10.",
                "max_value": "Pain scores are 0-10.",
                "invalid": "Enter a whole number from 0 to 10.",
            }

    def time_fields(self) -> list[forms.BoundField]:
        return [self[_hours_key(h)] for h in self.times]

    def scores(self) -> dict[float, int | None]:
        return {h: self.cleaned_data.get(_hours_key(h)) for h in self.times}

    @staticmethod
    def initial_for(anaesthetic: str, pre_nrs: int, entries: Sequence[tuple[float, int]]) -> dict[str, Any]:
        initial: dict[str, Any] = {"anaesthetic": anaesthetic, "pre_nrs": pre_nrs}
        for hours, nrs in entries:
            initial[_hours_key(hours)] = nrs
        return initial
