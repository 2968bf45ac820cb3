"""A summary of the knowledge base for people: conditions (with ICD-10-CM codes), plan steps, sources,
files and version."""

from __future__ import annotations

from typing import Any

from stepcare.clinical import knowledge
from stepcare.clinical.vocab import DIAGNOSIS_CODES

__all__ = ["knowledge_summary"]


def knowledge_summary() -> dict[str, Any]:
    """What `stepcare knowledge` prints; also handy for an admin page."""
    from stepcare.clinical import differential, icd10cm, plan

    steps = plan.step_catalog()
    return {
        "knowledge_version": knowledge.knowledge_version(),
        "conditions": [
            {
                "code": code,
                "label": differential.condition_label(code),
                "icd10cm": [
                    {
                        "code": c.code,
                        "description": c.description,
                        "side": c.side,
                        "regions": list(c.regions),
                        "qualifier": c.qualifier,
                        "evidence": icd10cm.evidence_of(code, c),
                    }
                    for c in icd10cm.codes_for(code)
                ],
            }
            for code in DIAGNOSIS_CODES
        ],
        "steps": [
            {"code": code, "tier": info["tier"], "label": info["label"]} for code, info in steps.items()
        ],
        "sources": [
            {"key": key, "label": src.label, "title": src.title, "url": src.url, "evidence": src.evidence}
            for key, src in sorted(knowledge.sources().items())
        ],
        "files": [{"name": path.name, "bytes": path.stat().st_size} for path in knowledge.knowledge_files()],
    }
