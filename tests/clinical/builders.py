"""Small builders for minimal valid cases; tests add only what they are about."""

from __future__ import annotations

from typing import Any

from stepcare.clinical import parse_case
from stepcare.clinical.case import Case

AS_OF = "2026-11-24"


def med(
    name: str, dose: float | None = None, unit: str | None = "mg", per_day: float | None = 1, **extra: Any
) -> dict[str, Any]:
    """A medication line; pass `ingredients=[...]` (and dose=None, unit=None) for a combination product."""
    out: dict[str, Any] = {"name": name, **extra}
    if dose is not None:
        out["dose"] = dose
        out["unit"] = unit
    if per_day is not None and unit != "mcg/hr":
        out["per_day"] = per_day
    return out


def case(*meds: dict[str, Any], age: int = 50, conditions: tuple[str, ...] = (), **extra: Any) -> Case:
    """A valid case dated AS_OF with the given medications; `patient_*` keys go to the patient block."""
    patient: dict[str, Any] = {"age": age, "conditions": list(conditions)}
    for key in list(extra):
        if key.startswith("patient_"):
            patient[key.removeprefix("patient_")] = extra.pop(key)
    return parse_case({"as_of": AS_OF, "patient": patient, "medications": list(meds), **extra})
