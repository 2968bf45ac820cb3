"""The core's public names are pinned: renaming one breaks other programs (engine contract)."""

from __future__ import annotations

import stepcare
import stepcare.clinical


def test_clinical_public_names_are_pinned() -> None:
    assert sorted(stepcare.clinical.__all__) == sorted(
        [
            "Case",
            "CaseError",
            "Evaluation",
            "KnowledgeError",
            "evaluate",
            "knowledge_version",
            "load_knowledge",
            "parse_case",
        ]
    )
    for name in stepcare.clinical.__all__:
        assert getattr(stepcare.clinical, name) is not None


def test_top_level_package_exposes_evaluate() -> None:
    assert stepcare.__all__ == ["evaluate"]
    assert callable(stepcare.evaluate)
