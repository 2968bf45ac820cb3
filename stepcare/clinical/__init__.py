"""Stepcare's clinical core: a pure-Python engine, case in, evaluation out.

No web framework here (a test enforces it); clinical knowledge lives in `knowledge/*.yaml`.
"""

from stepcare.clinical.case import Case, CaseError, parse_case
from stepcare.clinical.engine import evaluate, load_knowledge
from stepcare.clinical.knowledge import KnowledgeError, knowledge_version
from stepcare.clinical.result import Evaluation

__all__ = [
    "Case",
    "CaseError",
    "Evaluation",
    "KnowledgeError",
    "evaluate",
    "knowledge_version",
    "load_knowledge",
    "parse_case",
]
