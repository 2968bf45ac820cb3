"""Input validation for patient and encounter pages: every error names the field and what to fix."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from stepcare.records.models import Encounter, Patient
from stepcare.records.selectors import insurance_plans_for_clinic, mrn_in_use
from stepcare.records.services import ENCOUNTER_EDITABLE_FIELDS, PATIENT_EDITABLE_FIELDS

MRN_TAKEN_MESSAGE = "MRN {mrn} is already used by another patient at this clinic; check the number."
DOB_IN_FUTURE_MESSAGE = "Date of birth cannot be in the future; use YYYY-MM-DD."


# Only ISO dates: 03/02/1981 could be March 2 or February 3, and a chart must not guess.
ISO_DATE_ONLY = ["%Y-%m-%d"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class PatientForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Patient
        fields = PATIENT_EDITABLE_FIELDS
        widgets = {
            "date_of_birth": DateInput(),
            "address": forms.Textarea(attrs={"rows": 2}),
            "story": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {
            "date_of_birth": {"invalid": "Enter the date of birth as YYYY-MM-DD."},
            "given_name": {"required": "Enter the patient's given name."},
            "family_name": {"required": "Enter the patient's family name."},
            "mrn": {"required": "Enter the medical record number (MRN)."},
        }

    def __init__(self, *args: Any, clinic_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clinic_id = clinic_id
        insurance = self.fields["insurance"]
        assert isinstance(insurance, forms.ModelChoiceField)
        insurance.queryset = insurance_plans_for_clinic(clinic_id=clinic_id)
        insurance.empty_label = "No insurance on file"
        dob = self.fields["date_of_birth"]
        assert isinstance(dob, forms.DateField)
        dob.input_formats = ISO_DATE_ONLY
        dob.error_messages["required"] = "Enter the date of birth as YYYY-MM-DD."

    def clean_mrn(self) -> str:
        mrn = str(self.cleaned_data["mrn"]).strip()
        exclude = self.instance.pk if self.instance.pk else None
        if mrn_in_use(clinic_id=self.clinic_id, mrn=mrn, exclude_patient_id=exclude):
            raise forms.ValidationError(MRN_TAKEN_MESSAGE.format(mrn=mrn), code="mrn_taken")
        return mrn

    def clean_date_of_birth(self) -> Any:
        dob = self.cleaned_data["date_of_birth"]
        if dob and dob > timezone.localdate():
            raise forms.ValidationError(DOB_IN_FUTURE_MESSAGE, code="future")
        return dob


class EncounterForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Encounter
        fields = ENCOUNTER_EDITABLE_FIELDS
        widgets = {
            "date": DateInput(),
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "note": forms.Textarea(attrs={"rows": 10}),
        }
        error_messages = {
            "date": {"invalid": "Enter the encounter date as YYYY-MM-DD.", "required": "Enter the date."},
            "start_time": {"invalid": "Enter the start time as HH:MM (24-hour)."},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        date = self.fields["date"]
        assert isinstance(date, forms.DateField)
        date.input_formats = ISO_DATE_ONLY


class AmendmentForm(forms.Form):
    reason = forms.CharField(
        max_length=300, error_messages={"required": "Say why the signed note needs an amendment."}
    )
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Write the amendment text."},
    )


class PatientSearchForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search by name, MRN or date of birth")
