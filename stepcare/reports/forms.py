"""The outcome report's period."""

from __future__ import annotations

from typing import Any

from django import forms

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})
PERIOD_ORDER = "The start of the period must be on or before its end."


class PeriodForm(forms.Form):
    start = forms.DateField(label="Baseline from", widget=DATE_WIDGET)
    end = forms.DateField(label="Baseline to", widget=DATE_WIDGET)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", PERIOD_ORDER)
        return data
