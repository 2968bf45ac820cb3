"""Choice lists for record fields; diagnosis codes come from the engine contract's vocabulary."""

from __future__ import annotations

from typing import get_args

from stepcare.clinical.vocab import DiagnosisCode

DIAGNOSIS_CODES: tuple[str, ...] = get_args(DiagnosisCode)

_LABEL_OVERRIDES = {
    "crps": "CRPS (complex regional pain syndrome)",
    "si-joint-pain": "SI joint pain",
}


def diagnosis_label(code: str) -> str:
    """Human label for a kebab-case diagnosis code."""
    return _LABEL_OVERRIDES.get(code, code.replace("-", " ").capitalize())


DIAGNOSIS_CHOICES: list[tuple[str, str]] = [(code, diagnosis_label(code)) for code in DIAGNOSIS_CODES]
