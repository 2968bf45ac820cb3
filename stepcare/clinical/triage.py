"""Red-flag triage: emergency, urgent or routine, with the reasons and the action (knowledge/triage.yaml).

Red flags override every pathway (condition-pathways section 2), so triage runs first and the highest
level that fires wins. Rules are data; this module only compiles and applies them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

from stepcare.clinical.case import Case
from stepcare.clinical.features import Clause, FeatureSpec, Predicate, compile_clause, facts
from stepcare.clinical.knowledge import Entry, KnowledgeError, KnowledgeFile, cite, load
from stepcare.clinical.result import Triage
from stepcare.clinical.vocab import TriageLevel

__all__ = ["TriageFile", "assess", "knowledge"]


class Rule(Entry, Clause):
    level: TriageLevel
    reason: str
    action: str


class Routine(Entry):
    id: Literal["routine"]
    action: str
    notes_action: str


class TriageFile(KnowledgeFile):
    level_order: tuple[TriageLevel, ...]
    routine: Routine
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class _Rule:
    id: str
    rank: int
    test: Predicate
    flags: frozenset[str]
    reason: str
    action: str
    citation: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Compiled:
    order: tuple[TriageLevel, ...]
    rules: tuple[_Rule, ...]
    routine_action: str
    notes_action: str
    routine_citation: str
    # the rules that can fire on a case with no red flag (the others need one), in the same order
    flagless: tuple[_Rule, ...]
    routine: Triage  # the verdict when no rule fires (immutable, so one instance serves every case)


@functools.cache
def knowledge() -> TriageFile:
    kb = load("triage.yaml", TriageFile)
    if sorted(kb.level_order) != sorted(("routine", "urgent", "emergency")) or kb.level_order[0] != "routine":
        raise KnowledgeError("knowledge/triage.yaml: level_order must list each level once, routine first")
    ids = [r.id for r in kb.rules]
    if len(ids) != len(set(ids)):
        raise KnowledgeError("knowledge/triage.yaml: rule ids must be unique")
    return kb


@functools.cache
def _compiled() -> _Compiled:
    kb = knowledge()
    rank = {level: i for i, level in enumerate(kb.level_order)}
    rules = []
    needs_flag: set[str] = set()
    for i, r in enumerate(kb.rules):
        test, flags = compile_clause(r, f"knowledge/triage.yaml: rules[{i}] (entry {r.id!r})")
        rules.append(_Rule(r.id, rank[r.level], test, flags, r.reason, r.action, r.citation))
        if _needs_red_flag(r):
            needs_flag.add(r.id)
    # Highest level first, file order within a level: reasons read most-urgent first.
    rules.sort(key=lambda r: -r.rank)
    return _Compiled(
        kb.level_order,
        tuple(rules),
        kb.routine.action,
        kb.routine.notes_action,
        cite(kb.routine.citation),
        tuple(r for r in rules if r.id not in needs_flag),
        Triage(level="routine", reasons=(), action=kb.routine.action, citation=cite(kb.routine.citation)),
    )


def _needs_red_flag(clause: Clause) -> bool:
    """Whether the clause can only hold when the case has a red flag: an `all` feature, or every `any`
    feature, asks for red-flag codes (a test for codes in an empty set is false)."""

    def asks(spec: FeatureSpec) -> bool:
        return spec.field == "red_flags" and not spec.negate and bool(spec.codes)

    return any(asks(s) for s in clause.all) or (bool(clause.any) and all(asks(s) for s in clause.any))


def assess(case: Case) -> Triage:
    """The highest level that fires; reasons list the red-flag codes and reason of every rule that fired."""
    kb = _compiled()
    f = facts(case)
    present = f.sets["red_flags"]
    fired = [r for r in (kb.rules if present else kb.flagless) if r.test(f)]
    if not fired:
        return kb.routine
    top = fired[0].rank
    reasons: list[str] = []
    for r in fired:
        reasons.extend(code for code in sorted(r.flags & present) if code not in reasons)
        if r.reason not in reasons:
            reasons.append(r.reason)
    leading = [r for r in fired if r.rank == top]
    actions = [r.action for r in leading]
    keys: list[str] = [k for r in leading for k in r.citation]
    if top == 0:
        actions.insert(0, kb.notes_action)
    return Triage(
        level=kb.order[top],
        reasons=tuple(reasons),
        action=" ".join(dict.fromkeys(actions)),
        citation=cite(dict.fromkeys(keys)),
    )
