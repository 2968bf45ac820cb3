"""The pain mechanism (IASP terms): nociceptive, neuropathic, nociplastic, or mixed (knowledge/mechanism.yaml).

Evidence for each mechanism comes from the leading differential items' usual mechanisms (weighted by their
scores) and from mechanism rules over the case's own features. `mixed` when a second mechanism carries
at least `mixed_ratio` of the leading one's evidence; None when there is nothing to go on.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import Field

from stepcare.clinical import differential
from stepcare.clinical.case import Case
from stepcare.clinical.features import Clause, Predicate, compile_clause, facts
from stepcare.clinical.knowledge import Entry, KnowledgeFile, load
from stepcare.clinical.result import DifferentialItem
from stepcare.clinical.vocab import Mechanism

__all__ = ["MechanismFile", "classify", "contributions", "knowledge"]

BaseMechanism = Literal["nociceptive", "neuropathic", "nociplastic"]
_BASES: tuple[BaseMechanism, ...] = ("nociceptive", "neuropathic", "nociplastic")


class Settings(Entry):
    id: Literal["settings"]
    differential_top_n: int = Field(ge=0)
    differential_min_score: float = Field(ge=0, le=1)
    differential_weight: float = Field(ge=0)
    min_total: float = Field(gt=0)
    mixed_ratio: float = Field(gt=0, le=1)
    mixed_min: float = Field(ge=0)


class Rule(Entry, Clause):
    mechanism: BaseMechanism
    weight: float = Field(gt=0)
    label: str = Field(min_length=3)


class MechanismFile(KnowledgeFile):
    settings: Settings
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class _Rule:
    mechanism: BaseMechanism
    weight: float
    test: Predicate


@functools.cache
def knowledge() -> MechanismFile:
    return load("mechanism.yaml", MechanismFile)


@functools.cache
def _rules() -> tuple[_Rule, ...]:
    out = []
    for i, r in enumerate(knowledge().rules):
        test, _ = compile_clause(r, f"knowledge/mechanism.yaml: rules[{i}] (entry {r.id!r})")
        out.append(_Rule(r.mechanism, r.weight, test))
    return tuple(out)


def _has_pain_information(case: Case, ranked: Sequence[DifferentialItem]) -> bool:
    p = case.pain
    return bool(
        ranked
        or p.sites
        or p.radiation
        or p.qualities
        or p.symptoms
        or p.worse_with
        or p.better_with
        or p.nrs is not None
        or p.headache_days_per_month
    )


def contributions(case: Case, ranked: Sequence[DifferentialItem]) -> dict[BaseMechanism, float]:
    """Evidence per base mechanism, from the differential's leaders and the case's features."""
    s = knowledge().settings
    profiles = differential.mechanism_profiles()
    totals: dict[BaseMechanism, float] = dict.fromkeys(_BASES, 0.0)
    for item in ranked[: s.differential_top_n]:
        if item.score < s.differential_min_score:
            continue
        for mech, weight in profiles.get(item.code, ()):
            totals[mech] += s.differential_weight * item.score * weight
    f = facts(case)
    for rule in _rules():
        if rule.test(f):
            totals[rule.mechanism] += rule.weight
    return totals


def classify(case: Case, ranked: Sequence[DifferentialItem]) -> Mechanism | None:
    """The leading mechanism, `mixed` when a second one contributes substantially, None without evidence."""
    if not _has_pain_information(case, ranked):
        return None
    s = knowledge().settings
    totals = contributions(case, ranked)
    order = sorted(_BASES, key=lambda m: (-totals[m], _BASES.index(m)))
    lead, second = totals[order[0]], totals[order[1]]
    if lead < s.min_total:
        return None
    if second >= s.mixed_min and second >= s.mixed_ratio * lead:
        return "mixed"
    return order[0]
