"""DN4 is answered in two places: the patient's interview items at intake, the clinician's examination items
in the encounter note. This module knows which item is which (from the engine's instrument description) and
puts the two parts together into the one 10-item questionnaire the engine scores.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stepcare.clinical.questionnaires import InstrumentInfo, ItemInfo, instruments

DN4 = "dn4"
# The knowledge base marks the items the clinician examines (intake.forms.patient_items skips them).
EXAM_PREFIX = "Exam:"
_ANSWER_KEY = re.compile(r"\s*\([^)]*\)\s*$")  # "(no 0, yes 1)" at the end of a label


def instrument() -> InstrumentInfo:
    return next(info for info in instruments() if info.code == DN4)


def exam_items() -> tuple[ItemInfo, ...]:
    """The examination items (8-10), in the instrument's order."""
    return tuple(item for item in instrument().items if item.label.startswith(EXAM_PREFIX))


def exam_label(item: ItemInfo) -> str:
    """The knowledge base's own short wording without the 'Exam:' marker and the answer key."""
    text = _ANSWER_KEY.sub("", item.label.removeprefix(EXAM_PREFIX)).strip()
    return text[:1].upper() + text[1:]


def combine(interview: Sequence[int | None], exam: Sequence[int]) -> list[int | None] | None:
    """All ten answers in the instrument's order, or None when a part has the wrong number of answers."""
    info = instrument()
    exam_numbers = {item.number for item in exam_items()}
    if len(exam) != len(exam_numbers) or len(interview) != info.item_count - len(exam_numbers):
        return None
    interview_answers = iter(interview)
    exam_answers = iter(exam)
    return [
        next(exam_answers) if item.number in exam_numbers else next(interview_answers) for item in info.items
    ]
