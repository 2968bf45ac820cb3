"""Filters for the clinic audit log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from stepcare.accounts.models import User
from stepcare.audit.models import Action
from stepcare.records.models import Patient
from stepcare.records.selectors import patients_visible_to

PATIENT_NOT_FOUND_MESSAGE = "No patient with MRN {mrn} at your clinic."
DATE_ORDER_MESSAGE = "The 'to' date must be on or after the 'from' date."


class AuditFilterForm(forms.Form):
    user = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Any user")
    patient_mrn = forms.CharField(required=False, max_length=32, label="Patient MRN")
    action = forms.ChoiceField(choices=[("", "Any action"), *Action.choices], required=False)
    date_from = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the 'from' date as YYYY-MM-DD."},
    )
    date_to = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter the 'to' date as YYYY-MM-DD."},
    )

    def __init__(self, *args: Any, admin: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.admin = admin
        zone = timezone.get_current_timezone_name()  # the clinic's, active for the request
        self.fields["date_from"].label = f"From ({zone})"
        self.fields["date_to"].label = f"To ({zone})"
        user_field = self.fields["user"]
        assert isinstance(user_field, forms.ModelChoiceField)
        user_field.queryset = (
            User.objects.filter(clinic_id=admin.clinic_id).order_by("username")
            if admin.clinic_id is not None
            else User.objects.none()
        )

    def clean_patient_mrn(self) -> Patient | None:
        mrn = self.cleaned_data["patient_mrn"].strip()
        if not mrn:
            return None
        patient = patients_visible_to(self.admin).filter(mrn__iexact=mrn).first()
        if patient is None:
            raise forms.ValidationError(PATIENT_NOT_FOUND_MESSAGE.format(mrn=mrn), code="unknown_mrn")
        return patient

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", DATE_ORDER_MESSAGE)
        return cleaned
