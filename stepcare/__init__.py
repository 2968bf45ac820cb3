"""Stepcare: clinical decision support for interdisciplinary pain-management clinics.

For licensed clinicians: it suggests, explains and records; the clinician decides.
`stepcare.evaluate(case)` is the engine's entry point (see shared/spec/engine-contract.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["evaluate"]
__version__ = "0.1.0"

if TYPE_CHECKING:
    from stepcare.clinical.result import Evaluation


def evaluate(case: Any, *, mme_table: str = "cdc-2022") -> Evaluation:
    """Evaluate one case (dict or Case); see stepcare.clinical.evaluate."""
    from stepcare.clinical import evaluate as _evaluate

    return _evaluate(case, mme_table=mme_table)
